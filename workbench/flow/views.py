"""Views of a process map that answer workshop questions, each as DOT text (rendered by workbench.flow.render).

- journey: the main path of each common demand type, left to right, with the map's expected end-to-end days
  and hand-offs (workbench.flow.expected) beside it;
- roles: every step in swimlanes by role (workbench.flow.diagram.to_dot, in fonts sized for a projector);
- value: value steps, with every run of consecutive waste steps collapsed into one box with its total touch
  time and wait;
- type: the whole map by role, with one demand type's routes in colour and the rest grey.

Fonts are in points and chosen to be read at 100% (1 pt = 4/3 CSS px): step names 14 pt, details and arrow
labels 11-12 pt, so nothing is under 12 CSS px. Every text is escaped: names may hold quotes, <, & or newlines.
"""

from __future__ import annotations

import heapq
import math
import re
from dataclasses import dataclass, field

import pandas as pd
import pygraphviz

from workbench import schema
from workbench.demand.catalogue import Catalogue
from workbench.flow.diagram import (
    EDGE_COLOUR,
    HANDOFF_COLOUR,
    VALUE_FILL,
    WASTE_FILL,
    _q,
    _wrap,
    to_dot,
)
from workbench.flow.expected import MINUTES_PER_DAY, FlowError, expect, expect_mix, is_handoff
from workbench.flow.model import RESOLVED, Problem, ProcessMap, Step
from workbench.flow.routing import DemandKind, next_steps

VIEWS = {
    "journey": "Customer's journey",
    "roles": "By role",
    "value": "Value vs waste",
    "type": "One demand type",
}
NAME_PT = 14  # step names
DETAIL_PT = 12  # times, kinds, arrow labels
TITLE_PT = 16
GREY_FILL, GREY_LINE, GREY_TEXT = "#f1f3f5", "#ced4da", "#868e96"
JOURNEY_TYPES = 8  # demand types drawn in the journey view, most common first (the rest are counted)
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


# ------------------------------------------------------------------------------------------ text


def html_text(text: object) -> str:
    """Text for a Graphviz HTML-like label: &, <, >, quotes escaped, newlines as line breaks."""
    s = _CONTROL.sub(" ", str(text))
    s = s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    return s.replace("\n", "<BR/>")


def _lines(text: str, width: int = 24) -> str:
    return html_text(_wrap(_CONTROL.sub(" ", text), width))


def _minutes(minutes: float) -> str:
    if minutes != minutes:
        return "–"
    if minutes >= 90:
        return f"{minutes / 60:.1f} h"
    return f"{minutes:.0f} min"


def _days(days: float) -> str:
    if days != days:
        return "–"
    if days < 1:
        return f"{days * 24:.1f} h" if days > 0 else "no"
    return f"{days:.1f} days"


def _step_touch(s: Step) -> float:
    """Mean touch minutes from the map; NaN when the time is taken from the demand data."""
    return math.nan if s.touch.from_data else s.touch.mean_minutes()


def _title(m: ProcessMap, view: str) -> str:
    name = " ".join(_CONTROL.sub(" ", m.name or m.source).split())
    return f"{name} · {VIEWS[view]}"


def _header(name: str, title: str, rankdir: str) -> list[str]:
    return [
        f"digraph {name} {{",
        f"  graph [rankdir={rankdir}, fontname=\"Helvetica\", fontsize={TITLE_PT}, labelloc=t, labeljust=l, "
        f"label={_q(title)}, nodesep=0.3, ranksep=0.45, newrank=true];",
        f'  node [shape=box, style="rounded,filled", fontname="Helvetica", fontsize={NAME_PT}, '
        'color="#8d99ae", margin="0.12,0.06"];',
        f'  edge [fontname="Helvetica", fontsize={DETAIL_PT}, color="{EDGE_COLOUR}", arrowsize=0.8];',
    ]


# ------------------------------------------------------------------------------------------ demand


@dataclass(frozen=True)
class Demand:
    """What the views know about the demand: its mix (workbench.flow.expected.demand_mix: one row per type and
    touchpoint with a count), the expectations per type when the caller has them (expect_mix's per_type), and
    the catalogue (nature and cause of each type, which routes may look at). All optional: without a mix the
    views follow the demand types the map itself names."""

    mix: pd.DataFrame | None = None
    per_type: pd.DataFrame | None = None
    catalogue: Catalogue | None = None

    @property
    def loaded(self) -> bool:
        return self.mix is not None and not self.mix.empty


@dataclass
class TypeDemand:
    """One demand type as the views use it: its kinds (one per touchpoint), how many, and its expectations."""

    name: str
    kinds: list[DemandKind]
    count: float | None = None  # None: no demand loaded
    share: float | None = None
    end_to_end_days: float = math.nan
    handoffs: float = math.nan
    problem: str = ""  # why the figures could not be worked out


def map_types(m: ProcessMap) -> list[str]:
    """The demand types the map names (its `serves` list, then its routes' conditions and chase rules), once each,
    in the order they first appear."""
    seen: dict[str, str] = {}
    names = list(m.serves)
    for s in m.steps:
        for r in s.routes:
            names.extend(r.types)
    names.extend(c.demand_type for c in m.chases if c.demand_type)
    for n in names:
        key = " ".join(str(n).split()).casefold()
        if key and key not in seen:
            seen[key] = str(n)
    return list(seen.values())


def demand_types(m: ProcessMap, demand: Demand | None = None) -> list[str]:
    """Types to offer for the one-type view: the demand's, most common first, else those the map names."""
    demand = demand or Demand()
    if demand.loaded and demand.mix is not None:
        counts = demand.mix.groupby(schema.DEMAND_TYPE, sort=False)["count"].sum().sort_values(
            ascending=False, kind="stable")
        return [str(t) for t in counts.index if str(t)]
    names = map_types(m)
    if not names and demand.catalogue is not None:
        names = demand.catalogue.names()
    return names


def _kind(name: str, touchpoint: str, catalogue: Catalogue | None) -> DemandKind:
    entry = catalogue.lookup(name) if catalogue else None
    if entry is not None and entry.decided:
        return DemandKind(name, entry.nature, entry.cause, touchpoint)
    return DemandKind(name, "", "", touchpoint)


def type_demands(m: ProcessMap, demand: Demand | None = None) -> list[TypeDemand]:
    """Every demand type with its kinds and expected figures, most common first (with demand), else in the map's
    order. With demand the figures are the mix's (expect_mix, or the caller's per_type); without it, each type
    is taken to arrive at the map's default entry, and its share is unknown."""
    demand = demand or Demand()
    out: list[TypeDemand] = []
    if demand.loaded and demand.mix is not None:
        mix = demand.mix
        per_type = demand.per_type
        if per_type is None or per_type.empty:
            try:
                per_type, _ = expect_mix(m, mix)
            except FlowError:
                per_type = None
        total = float(mix["count"].sum())
        figures = ({str(r["demand_type"]): r for r in per_type.to_dict("records")}
                   if per_type is not None and not per_type.empty else {})
        for name in demand_types(m, demand):
            rows = mix[mix[schema.DEMAND_TYPE].astype(str) == name].sort_values("count", ascending=False,
                                                                              kind="stable")
            kinds = [DemandKind(name, str(r["nature"] or ""), str(r["cause"] or ""), str(r[schema.TOUCHPOINT]))
                     for r in rows.to_dict("records")]
            count = float(rows["count"].sum())
            rec = figures.get(name, {})
            out.append(TypeDemand(name, kinds, count, count / total if total else None,
                                  float(rec.get("end_to_end_days", math.nan)), float(rec.get("handoffs", math.nan))))
        return out
    for name in demand_types(m, demand):
        kind = _kind(name, "", demand.catalogue)
        td = TypeDemand(name, [kind])
        try:
            e = expect(m, kind)
            td.end_to_end_days, td.handoffs = e.end_to_end_days, e.handoffs
        except FlowError as exc:
            td.problem = str(exc)
        out.append(td)
    return out


# ------------------------------------------------------------------------------------------ routes of a type


def _successors(s: Step, kind: DemandKind, *, rework: bool = True) -> dict[str, float]:
    """Where demand of this kind goes from `s`, with the probabilities of next_steps (the routing rules'
    one implementation), plus the step's own rework when it is not always right first time."""
    out: dict[str, float] = {}
    for dest, p, route in next_steps(s, kind):
        if p <= 0 or (not rework and route is not None and route.rework):
            continue
        out[dest] = out.get(dest, 0.0) + p
    if rework and s.rework_to and s.complete_and_accurate < 100:
        out[s.rework_to] = out.get(s.rework_to, 0.0) + (100 - s.complete_and_accurate) / 100
    return out


def type_route(m: ProcessMap, type_name: str, demand: Demand | None = None) -> tuple[set[str], set[tuple[str, str]]]:
    """The steps and moves (from, to) that demand of one type can take, following the map's routes (and rework)
    from where it enters (a move ("customer", entry step)). With demand, it enters at the touchpoints it came through; without demand, at every
    entry the map has (the type could come through any touchpoint). `resolved` is among the steps when it ends."""
    demand = demand or Demand()
    td = next((t for t in type_demands(m, demand) if t.name.casefold() == type_name.casefold()), None)
    if demand.loaded and td is not None:
        kinds = td.kinds
    else:
        kinds = [_kind(type_name, tp, demand.catalogue) for tp in ["", *m.entry_touchpoints]]
    by_id = {s.id: s for s in m.steps if s.id}
    steps: set[str] = set()
    moves: set[tuple[str, str]] = set()
    for kind in kinds:
        todo = [s for s in {m.entry_for(kind.touchpoint)} if s in by_id]
        steps.update(todo)
        moves.update(("customer", s) for s in todo)
        while todo:
            sid = todo.pop()
            for dest in _successors(by_id[sid], kind):
                moves.add((sid, dest))
                if dest in by_id and dest not in steps:
                    steps.add(dest)
                    todo.append(dest)
                elif dest == RESOLVED:
                    steps.add(RESOLVED)
    return steps, moves


def main_path(m: ProcessMap, kind: DemandKind) -> tuple[list[str], float]:
    """The most likely way through the map for one kind of demand, first time through (rework left out): the
    steps from its entry to `resolved`, and the share of this kind's demand that goes exactly this way.
    ([entry...], 0.0) when no route reaches `resolved`."""
    by_id = {s.id: s for s in m.steps if s.id}
    entry = m.entry_for(kind.touchpoint)
    if entry not in by_id:
        return [], 0.0
    best: dict[str, float] = {entry: 0.0}
    before: dict[str, str] = {}
    heap = [(0.0, entry)]
    done: set[str] = set()
    while heap:
        cost, sid = heapq.heappop(heap)
        if sid in done:
            continue
        done.add(sid)
        if sid == RESOLVED:
            break
        for dest, p in _successors(by_id[sid], kind, rework=False).items():
            if dest != RESOLVED and dest not in by_id:
                continue
            c = cost - math.log(p)
            if c < best.get(dest, math.inf) - 1e-12:
                best[dest] = c
                before[dest] = sid
                heapq.heappush(heap, (c, dest))
    end = RESOLVED if RESOLVED in done else max(done, key=lambda s: (best[s], s))  # the furthest it gets
    path = [end]
    while path[-1] != entry:
        path.append(before[path[-1]])
    path.reverse()
    if path[-1] != RESOLVED:
        return path, 0.0
    return path[:-1], math.exp(-best[RESOLVED])


# ------------------------------------------------------------------------------------------ journey


def _path_figures(m: ProcessMap, path: list[str]) -> tuple[float, float, int]:
    """(wait days, touch minutes, hand-offs) along one path, from the map's mean times."""
    steps = [m.step(sid) for sid in path]
    wait = sum(s.wait.mean_minutes() for s in steps if s) / MINUTES_PER_DAY
    touch = sum(_step_touch(s) for s in steps if s)
    handoffs = sum(1 for a, b in zip(steps, steps[1:], strict=False) if a and b and is_handoff(a, b))
    return wait, touch, handoffs


def journey_dot(m: ProcessMap, demand: Demand | None = None, top: int = JOURNEY_TYPES) -> str:
    """One row per main path, left to right: the demand types that take it (with their share of the demand and
    their expected end-to-end days and hand-offs from workbench.flow.expected), then its steps, each arrow a
    hand-off (red) or not, each wait on the arrow into the step, and the path's own days at its end."""
    demand = demand or Demand()
    types = type_demands(m, demand)
    shown, rest = types[:top], types[top:]
    rows: dict[tuple[str, ...], list[tuple[TypeDemand, float]]] = {}
    for td in shown:
        steps, share = main_path(m, td.kinds[0]) if td.kinds else ([], 0.0)
        rows.setdefault(tuple(steps), []).append((td, share))
    title = _title(m, "journey")
    if rest:
        hidden = sum(t.count or 0 for t in rest)
        title += (f" · the {len(shown)} most common types ({len(rest)} more, "
                  f"{hidden / sum(t.count or 0 for t in types):.0%} of demand, not drawn)" if demand.loaded
                  else f" · the first {len(shown)} types the map names ({len(rest)} more not drawn)")
    out = _header("journey", title, "LR")
    out[1] = out[1].replace("nodesep=0.3", "nodesep=0.25")
    by_id = {s.id: s for s in m.steps if s.id}
    firsts = []
    for i, (path, members) in enumerate(rows.items()):
        head = f"r{i}_types"
        firsts.append(head)
        out.append(f"  {head} [shape=plain, style=\"\", class=\"{'start' if i == 0 else 'types'}\", "
                   f"label=<{_types_table(members, demand.loaded)}>];")
        prev = head
        for j, sid in enumerate(path):
            s = by_id[sid]
            node = f"r{i}_s{j}"
            out.append(f"  {node} [class=step, label=<{_step_label(s)}>, "
                       f"fillcolor=\"{VALUE_FILL if s.is_value else WASTE_FILL}\"];")
            attrs = []
            wait = s.wait.mean_minutes() / MINUTES_PER_DAY
            words = [f"waits {_days(wait)}"] if wait > 0 else []
            if j > 0 and is_handoff(by_id[path[j - 1]], s):
                words.insert(0, "hand-off")
                attrs += [f'color="{HANDOFF_COLOUR}"', f'fontcolor="{HANDOFF_COLOUR}"', "penwidth=2.5"]
            if words:
                attrs.append(f"label={_q(' · '.join(words))}")
            out.append(f"  {prev} -> {node}" + (f" [{', '.join(attrs)}]" if attrs else "") + ";")
            prev = node
        end = f"r{i}_end"
        if path and members[0][1] > 0:
            wait, touch, handoffs = _path_figures(m, list(path))
            touch_words = (f"{_minutes(touch)} of work" if touch == touch
                           else "work time from the demand data")
            label = (f"<B>Need met</B><BR/><FONT POINT-SIZE=\"{DETAIL_PT}\">this path: {html_text(_days(wait))} "
                     f"waiting<BR/>{html_text(touch_words)}<BR/>{handoffs} hand-off{'s' if handoffs != 1 else ''}"
                     "</FONT>")
            out.append(f'  {end} [label=<{label}>, shape=box, style="rounded,filled", fillcolor="#2a9d8f", '
                       'fontcolor=white, color="#2a9d8f"];')
        else:
            out.append(f'  {end} [label=<<B>Not met</B><BR/><FONT POINT-SIZE="{DETAIL_PT}">no route takes it '
                       f'further</FONT>>, fillcolor="#ffffff", color="{HANDOFF_COLOUR}"];')
        out.append(f"  {prev} -> {end};")
    if len(firsts) > 1:
        out.append("  { rank=same; " + "; ".join(firsts) + "; }")
        for a, b in zip(firsts, firsts[1:], strict=False):  # rows top to bottom in order of demand
            out.append(f"  {a} -> {b} [style=invis];")
    if not rows:
        out.append(f"  empty [label={_q('The map names no demand types: load demand to see the journeys.')}];")
    out.append("}")
    return "\n".join(out)


def _step_label(s: Step, width: int = 24) -> str:
    detail = f"{'value' if s.is_value else s.work} · {s.touch.describe()} work"
    return f"{_lines(s.name or s.id, width)}<BR/><FONT POINT-SIZE=\"{DETAIL_PT}\">{_lines(detail, 30)}</FONT>"


def _types_table(members: list[tuple[TypeDemand, float]], loaded: bool) -> str:
    """The demand types on one main path, as an HTML-like table: share, how many take this path, expected
    end-to-end days and hand-offs per demand (all routes and rework included)."""
    cell = '<TD ALIGN="LEFT" BALIGN="LEFT">'
    rows = ['<TABLE BORDER="1" CELLBORDER="0" CELLSPACING="0" CELLPADDING="4" COLOR="#8d99ae" BGCOLOR="#ffffff">',
            f'<TR>{cell}<B>Demand type</B></TD><TD>{"<B>Share</B>" if loaded else " "}</TD>'
            '<TD><B>Take this path</B></TD><TD><B>Days end to end</B></TD><TD><B>Hand-offs</B></TD></TR>']
    note = ""
    for td, share in members:
        demand_share = f"{td.share:.0%}" if td.share is not None else ""
        if td.problem:
            e2e, hand = "–", "–"
            note = "– : the map cannot work this out (see its problems)"
        else:
            e2e = f"{td.end_to_end_days:.1f}" if td.end_to_end_days == td.end_to_end_days else "–"
            hand = f"{td.handoffs:.1f}" if td.handoffs == td.handoffs else "–"
            if e2e == "–":
                note = "– : a step's time comes from the demand data: load demand to see it"
        rows.append(f"<TR>{cell}{_lines(td.name, 34)}</TD><TD>{demand_share}</TD><TD>{share:.0%}</TD>"
                    f"<TD>{e2e}</TD><TD>{hand}</TD></TR>")
    foot = ("expected per demand over all its routes and rework" if loaded
            else "expected per demand arriving at the main entry; load demand for shares")
    rows.append(f'<TR><TD COLSPAN="5" ALIGN="LEFT"><FONT POINT-SIZE="{DETAIL_PT}">{html_text(foot)}'
                + (f"<BR/>{html_text(note)}" if note else "") + "</FONT></TD></TR>")
    rows.append("</TABLE>")
    return "".join(rows)


# ------------------------------------------------------------------------------------------ by role


# SVG classes: "step" marks a step's box, "start" where the viewer opens (the customer); see diagram_panel
_CLASSES = {"customer": "start", "resolved": "end"}


def _restyle(dot: str, title: str) -> pygraphviz.AGraph:
    """to_dot's diagram with projector-sized fonts and a title (the layout and colours are to_dot's)."""
    g = pygraphviz.AGraph(string=dot)
    g.graph_attr.update(fontsize=str(TITLE_PT), label=title, labelloc="t", labeljust="l")
    g.node_attr.update(fontsize=str(NAME_PT), margin="0.12,0.06")
    g.edge_attr.update(fontsize=str(DETAIL_PT))
    for sub in g.subgraphs():
        sub.graph_attr["fontsize"] = str(NAME_PT)
    for n in g.nodes():  # each node holds to_dot's size itself: a new default would not reach it
        n.attr["fontsize"] = str(DETAIL_PT if n.name == "resolved" else NAME_PT)
        n.attr["class"] = _CLASSES.get(n.name, "step")
    for e in g.edges():
        e.attr["fontsize"] = str(DETAIL_PT)
    return g


def roles_dot(m: ProcessMap, problems: list[Problem] | None = None) -> str:
    """Every step in a swimlane per role (to_dot), in fonts readable on a projector at 100%."""
    return _restyle(to_dot(m, problems), _title(m, "roles")).to_string()


def type_dot(m: ProcessMap, type_name: str, demand: Demand | None = None,
             problems: list[Problem] | None = None) -> str:
    """The by-role diagram with one demand type's steps and moves in colour (thicker), everything else grey."""
    steps, moves = type_route(m, type_name, demand)
    g = _restyle(to_dot(m, problems), f"{_title(m, 'type')}: {' '.join(type_name.split())}")
    for n in g.nodes():
        if n.name == "customer":
            continue
        if n.name in steps:
            if n.attr.get("penwidth") != "3":  # a step with a problem keeps its red outline
                n.attr.update(color="#212529", penwidth="2.5")
        else:
            n.attr.update(fillcolor=GREY_FILL, color=GREY_LINE, fontcolor=GREY_TEXT, penwidth="1")
    for e in g.edges():
        a, b = e[0], e[1]
        if (a, b) in moves:
            e.attr["penwidth"] = "2.5"
        else:
            e.attr.update(color=GREY_LINE, fontcolor=GREY_TEXT, penwidth="1")
    return g.to_string()


# ------------------------------------------------------------------------------------------ value vs waste


@dataclass
class Box:
    """A box of the value-vs-waste view: one value step, or a run of consecutive waste steps."""

    steps: list[Step] = field(default_factory=list)

    @property
    def id(self) -> str:
        return self.steps[0].id

    @property
    def waste(self) -> bool:
        return not self.steps[0].is_value

    @property
    def touch_minutes(self) -> float:
        return sum(_step_touch(s) for s in self.steps)

    @property
    def wait_days(self) -> float:
        return sum(s.wait.mean_minutes() for s in self.steps) / MINUTES_PER_DAY

    @property
    def handoffs(self) -> int:
        return sum(1 for a, b in zip(self.steps, self.steps[1:], strict=False) if is_handoff(a, b))


def _moves(m: ProcessMap) -> tuple[dict[str, list[str]], set[tuple[str, str]]]:
    """Every step's destinations (any demand type: the routes themselves) and which moves are rework."""
    out: dict[str, list[str]] = {}
    rework: set[tuple[str, str]] = set()
    for s in m.steps:
        if not s.id:
            continue
        dests = out.setdefault(s.id, [])
        for r in s.routes or []:
            to = r.to or ""
            if to and to not in dests:
                dests.append(to)
            if r.rework:
                rework.add((s.id, to))
        if not s.routes:
            dests.append(RESOLVED)
        if s.rework_to and s.complete_and_accurate < 100:
            if s.rework_to not in dests:
                dests.append(s.rework_to)
            rework.add((s.id, s.rework_to))
    return out, rework


def collapsed(m: ProcessMap) -> list[Box]:
    """The map's steps as boxes: each value step alone; each run of consecutive waste steps as one box. Waste
    step B joins the box of waste step A when A's only way on (rework aside) is B and B's only way in is from A:
    a run with no branch in or out, which every demand reaching it walks from end to end."""
    nexts, rework = _moves(m)
    by_id = {s.id: s for s in m.steps if s.id}
    ins: dict[str, set[str]] = {}
    for a, dests in nexts.items():
        for b in dests:
            if (a, b) not in rework and b in by_id:
                ins.setdefault(b, set()).add(a)
    entries = {m.entry_default, *m.entry_touchpoints.values()}

    def follows(a: Step) -> Step | None:
        onward = [to for to in nexts.get(a.id, []) if (a.id, to) not in rework]
        if len(onward) != 1 or onward[0] not in by_id:
            return None
        b = by_id[onward[0]]
        if b.is_value or a.is_value or ins.get(b.id) != {a.id} or b.id in entries or b.id == a.id:
            return None
        return b

    joined = {after.id for a in by_id.values() if (after := follows(a)) is not None}
    boxes = []
    for s in by_id.values():
        if s.id in joined:
            continue
        box = Box([s])
        seen = {s.id}
        while (nxt := follows(box.steps[-1])) is not None and nxt.id not in seen:
            box.steps.append(nxt)
            seen.add(nxt.id)
        boxes.append(box)
    return boxes


def value_dot(m: ProcessMap) -> str:
    """Value steps teal; runs of waste steps collapsed into one orange box with their total touch and wait."""
    boxes = collapsed(m)
    box_of = {s.id: b for b in boxes for s in b.steps}
    nexts, rework = _moves(m)
    by_id = {s.id: s for s in m.steps if s.id}
    waste_steps = sum(len(b.steps) for b in boxes if b.waste)
    out = _header("value", f"{_title(m, 'value')} · {waste_steps} waste step(s) in "
                  f"{sum(1 for b in boxes if b.waste)} box(es)", "LR")
    out.append('  customer [class=start, label="Customer", shape=ellipse, style=filled, fillcolor="#e9ecef"];')
    out.append('  resolved [label="Need met", shape=box, style="rounded,filled", fillcolor="#2a9d8f", '
               'fontcolor=white, color="#2a9d8f"];')
    for b in boxes:
        if b.waste and len(b.steps) > 1:
            names = "<BR/>".join(f"{i}. {_lines(s.name or s.id, 30)}" for i, s in enumerate(b.steps, 1))
            touch = _minutes(b.touch_minutes) if b.touch_minutes == b.touch_minutes else "from the data"
            detail = f"{len(b.steps)} waste steps · {touch} work · {_days(b.wait_days)} waiting"
            if b.handoffs:
                detail += f" · {b.handoffs} hand-off{'s' if b.handoffs > 1 else ''} inside"
            label = f"{names}<BR/><FONT POINT-SIZE=\"{DETAIL_PT}\"><B>{html_text(detail)}</B></FONT>"
        else:
            s = b.steps[0]
            touch = _minutes(b.touch_minutes) if b.touch_minutes == b.touch_minutes else "from the data"
            detail = f"{'value' if s.is_value else s.work} · {touch} work"
            if b.wait_days > 0:
                detail += f" · {_days(b.wait_days)} waiting"
            label = f"{_lines(s.name or s.id)}<BR/><FONT POINT-SIZE=\"{DETAIL_PT}\">{html_text(detail)}</FONT>"
        fill = WASTE_FILL if b.waste else VALUE_FILL
        out.append(f"  {_q(b.id)} [class=step, label=<{label}>, fillcolor=\"{fill}\"];")
    for sid in sorted({m.entry_default, *m.entry_touchpoints.values()} & set(box_of), key=list(by_id).index):
        out.append(f"  customer -> {_q(box_of[sid].id)} [color=\"#6c757d\"];")
    drawn: set[tuple[str, str]] = set()
    for a_id, dests in nexts.items():
        a = box_of[a_id]
        for d in dests:
            if d == RESOLVED:
                key, target = (a.id, RESOLVED), "resolved"
            elif d in box_of:
                key, target = (a.id, box_of[d].id), _q(box_of[d].id)
                if box_of[d] is a and (a_id, d) not in rework and d != a.id:
                    continue  # inside the collapsed run
            else:
                continue
            if key in drawn:
                continue
            drawn.add(key)
            attrs = []
            if d in by_id and is_handoff(by_id[a_id], by_id[d]):
                attrs += [f'color="{HANDOFF_COLOUR}"', "penwidth=2", 'label="hand-off"',
                          f'fontcolor="{HANDOFF_COLOUR}"']
            if (a_id, d) in rework:
                attrs += ['style="dashed"', "constraint=false"]
            out.append(f"  {_q(a.id)} -> {target}" + (f" [{', '.join(attrs)}]" if attrs else "") + ";")
    out.append("}")
    return "\n".join(out)


# ------------------------------------------------------------------------------------------ one entry point


def view_dot(view: str, m: ProcessMap, *, demand: Demand | None = None, type_name: str = "",
             problems: list[Problem] | None = None) -> str:
    """The DOT text of one view (a key of VIEWS); `type_name` for the one-type view."""
    if view == "journey":
        return journey_dot(m, demand)
    if view == "roles":
        return roles_dot(m, problems)
    if view == "value":
        return value_dot(m)
    if view == "type":
        if not type_name:
            raise ValueError("The one-type view needs a demand type.")
        return type_dot(m, type_name, demand, problems)
    raise ValueError(f"Unknown view '{view}': one of {', '.join(VIEWS)}.")
