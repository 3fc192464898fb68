"""The figures and sentences the Dashboard shows, made once for the Dashboard page and the study report.

Both call these, so the report's numbers are the dashboard's by construction (tests/test_app_report.py reads
both as well). Everything here is plain text: the page escapes it for Markdown (`literal`), the report for HTML.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, cast

import pandas as pd

from workbench import spc
from workbench.demand import analysis, end_to_end
from workbench.sim.snapshot import Snapshot, SnapshotError, check_snapshot


@dataclass(frozen=True)
class Tile:
    """A headline figure: its label, its value as shown, and what it means (the tile's help)."""

    label: str
    value: str
    help: str = ""


def pct(x: float | None) -> str:
    return "–" if x is None else f"{x:.0%}"


def days(x: float | None) -> str:
    return "–" if x is None else f"{x:,.1f} days"


def number(x: object) -> str:
    return f"{x:g}" if isinstance(x, int | float) and not isinstance(x, bool) else "–"


# ------------------------------------------------------------------------------------------ demand


def demand_tiles(h: analysis.Headline) -> list[Tile]:
    return [Tile("Demands", f"{h.total:,}"),
            Tile("Failure demand share", pct(h.failure_share),
                 "Failure demand as a share of classified demand (value + failure)"),
            Tile("Not yet classified", f"{h.unclassified:,}"),
            Tile("Resolved at first contact", pct(h.one_stop_share))]


def demand_caption(source_name: str, h: analysis.Headline) -> str:
    when = f"from {h.first} to {h.last}" if h.first else "(read without dates)"
    return f"{source_name}: {h.total:,} demands {when}, with the team's corrections."


E2E_INTRO = "days from a customer's first contact to the need being met."


def e2e_tiles(e2e: end_to_end.EndToEnd) -> list[Tile]:
    return [Tile("Half of needs met within", days(e2e.median_days)),
            Tile("85 in 100 met within", days(e2e.p85_days)),
            Tile("Needs still open", f"{e2e.open:,}"),
            Tile("Repeat contacts", f"{e2e.repeats.repeats:,}" if e2e.repeats.available else "–",
                 "Later contacts about a need already raised (contacts sharing a case id)")]


CAPABILITY_TITLE = "Capability: average days to meet a need, by the week it arrived"


def e2e_capability(e2e: end_to_end.EndToEnd) -> tuple[pd.DataFrame | None, str | None]:
    """The weekly capability chart's table, or the sentence saying why there are too few weeks for one."""
    too_few = spc.too_few_points(e2e.window, len(e2e.weekly), "week")
    if too_few:
        return None, too_few
    return end_to_end.capability(e2e.weekly), None


def e2e_caption(e2e: end_to_end.EndToEnd) -> str:
    waiting = (f" (not in the figures; the oldest has waited {days(e2e.open_oldest_days)} so far)" if e2e.open
               else "")
    return f"{e2e.needs:,} needs: {e2e.met:,} met, {e2e.open:,} still open{waiting}."


def signal_sentences(table: pd.DataFrame) -> list[str]:
    """Each signal of an XmR table in words, by the period it is in (the Demand page's wording)."""
    if table.empty or spc.SIGNAL not in table:
        return []
    signals = table[table[spc.SIGNAL]]
    return [f"{pd.Timestamp(cast(Any, idx)).date()}: {', '.join(spc.signal_names(r))}"
            for idx, r in signals.iterrows()]


# ------------------------------------------------------------------------------------------ comparison


@dataclass
class Comparison:
    """The study's latest stored comparison as the dashboard reads it."""

    snap: Snapshot
    settings: dict[str, Any]
    versions: dict[str, Any]
    author: str
    created_at: Any  # datetime of the run
    low_coverage: list[str] = field(default_factory=list)

    @property
    def names(self) -> list[str]:
        return self.snap.designs

    @property
    def replications(self) -> int:
        return int(self.snap.data.get("replications") or 1)

    def caption(self) -> str:
        who = f" by {self.author}" if self.author else ""
        maps = (", ".join(f"{n} (version {v})" for n, v in self.versions.items()) if self.versions
                else ", ".join(self.names))
        demand = f" on {self.settings['demand']}" if self.settings.get("demand") else ""
        return (f"Latest comparison, run{who} on {self.created_at:%d %b %Y at %H:%M} UTC: {maps}{demand}, "
                f"{self.snap.data.get('weeks', 0):g} weeks, {self.snap.data.get('replications', 1)} replication(s).")

    def low_coverage_words(self) -> str:
        return ("run on demand that " + ", ".join(self.low_coverage) + " do not fully know (most of its types are "
                "not in their routes or catalogue): the figures are the maps' guess, not this service's.")

    def assumption_lines(self) -> list[str]:
        return assumption_lines(self.settings, self.snap, self.versions)


def read_comparison(summary: Any, settings: Any, author: str, created_at: Any) -> Comparison | None:
    """A stored run as the dashboard reads it; None when there is none. Raises SnapshotError when it was stored
    by an older Workbench (or a bug) and cannot be shown."""
    if not isinstance(summary, dict) or "table" not in summary:
        return None
    check_snapshot(summary)
    settings = settings if isinstance(settings, dict) else {}
    versions = settings.get("map_versions") or {}
    if not isinstance(versions, dict):
        raise SnapshotError("settings.map_versions should be an object")
    low = settings.get("low_coverage")
    return Comparison(Snapshot(summary), settings, versions, author or "", created_at,
                      [str(n) for n in low] if isinstance(low, list) else [])


CAPABILITY_CHARTS = ("end-to-end days of the demands, day by day (each chart says which days). Points inside the "
                     "limits are what the design will predictably deliver.")


def no_capability_words(name: str, window: spc.Window) -> str:
    return f"{name}: " + (spc.too_few_points(window, 0) or window.words())


def capability_caption(capability: pd.DataFrame, words: str | None) -> str:
    """The sentence under a design's capability chart."""
    return (f"Average {capability[spc.CENTRE].iloc[-1]:.1f} days; a day's average is predictably "
            f"between {capability[spc.LOWER].iloc[-1]:.1f} and {capability[spc.UPPER].iloc[-1]:.1f}."
            + (" " + words if words else "")
            + (" " + (spc.provisional_note(capability) or "")).rstrip())


def assumption_lines(settings: dict[str, Any], snap: Snapshot, versions: dict[str, Any]) -> list[str]:
    """What the stored comparison assumed, one line each: the demand (weeks, volume, replications, what the
    intervals cover), staffing per role by the role's name, the maps' versions, the failure demand assumed
    prevented. A snapshot stored before Workbench kept some of these says what it does not know."""
    weeks, volume = settings.get("weeks"), settings.get("volume", 1.0)
    reps = snap.data.get("replications") or 1
    if weeks is None:
        demand = f"the sample's own {number(snap.data.get('weeks'))} weeks, day by day"
    else:
        demand = f"{number(weeks)} weeks resampled from the sample by weekday"
    demand += f", at {number(volume)} × the sample's volume" if volume not in (None, 1, 1.0) else \
        ", at the sample's own volume"
    cover = snap.intervals_cover
    lines = [f"Demand: {demand}; {reps} replication(s)"
             + (f", the 95% intervals cover {cover}" if cover and int(reps) > 1 else "") + "."]
    staffing = settings.get("staffing") if isinstance(settings.get("staffing"), dict) else {}
    variants = {d.get("name") for d in snap.data.get("designs") or [] if d.get("variant_of")}
    for name in snap.designs:
        roles = snap.roles(name)
        if roles and name not in variants:  # a run without the assumption has its design's staffing
            lines.append(f"Staffing of {name}: " + ", ".join(
                f"{r.get('name') or r.get('id')} {number(r.get('staff'))}" for r in roles) + ".")
    if not any(snap.roles(n) for n in snap.designs) and staffing:
        changed = "; ".join(f"{src}: " + ", ".join(f"{rid} {number(v)}" for rid, v in roles.items())
                            for src, roles in staffing.items() if isinstance(roles, dict))
        lines.append(f"Staffing changed on the Compare page (by role id; this comparison was stored before "
                     f"Workbench kept role names): {changed}; other roles as in their maps.")
    elif not any(snap.roles(n) for n in snap.designs):
        lines.append("Staffing: as in the maps.")
    if versions:
        lines.append("Maps: " + ", ".join(f"{n} (version {v})" for n, v in versions.items()) + ".")
    assumed = snap.assumed()
    if assumed:
        lines.append("Failure demand assumed prevented: " + "; ".join(assumed) + ". The table shows each such "
                     "design also without the assumption.")
    elif "prevented" in settings:
        lines.append("Failure demand assumed prevented: none (every design runs the whole sample).")
    else:
        lines.append("Failure demand assumed prevented: not recorded (stored before Workbench asked); none "
                     "was left out.")
    return lines
