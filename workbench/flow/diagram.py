"""A process map as a Graphviz (DOT) diagram: roles as swimlanes, value steps teal, waste steps orange,
hand-offs in red, rework loops dashed, steps with problems outlined in red.

Plain text out, so the CLI can print it and the app can hand it to `st.graphviz_chart` (rendered in the
browser; no Graphviz install needed).
"""

from __future__ import annotations

from workbench.flow.expected import is_handoff
from workbench.flow.model import (
    RESOLVED,
    Problem,
    ProcessMap,
    Role,
    Step,
    format_days,
    format_windows,
    roster_levels,
)

VALUE_FILL = "#cdeee9"
WASTE_FILL = "#fbd9cc"
HANDOFF_COLOUR = "#c1121f"
PROBLEM_COLOUR = "#c1121f"
EDGE_COLOUR = "#264653"


def _q(text: str) -> str:
    return '"' + str(text).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def _wrap(text: str, width: int = 22) -> str:
    words, lines, line = str(text).split(), [], ""
    for w in words:
        if line and len(line) + len(w) + 1 > width:
            lines.append(line)
            line = w
        else:
            line = f"{line} {w}".strip()
    if line:
        lines.append(line)
    return "\n".join(lines)


def _short(labels: list[str]) -> str:
    """One label for all the routes between two steps, kept short enough to read on a diagram."""
    text = " / ".join(lbl for lbl in labels if lbl)
    return text if len(text) <= 60 else text[:57] + "…"


DRAW_STEPS = 200  # above this many steps the app says the map is too big to draw readably


def too_big_to_draw(m: ProcessMap, most: int = DRAW_STEPS) -> str:
    """A sentence when the map has more steps than can be drawn readably, else ''."""
    n = sum(1 for s in m.steps if s.id)
    return (f"{m.source} has {n:,} steps: too big to draw readably (at most {most:,} are drawn); read it in the "
            "tables below.") if n > most else ""


def to_dot(m: ProcessMap, problems: list[Problem] | None = None) -> str:
    """The DOT source of the map's diagram (linear in the map's size)."""
    flagged = {p.where.split("'")[1] for p in (problems or []) if p.severity == "error" and "step '" in p.where}
    by_id = {s.id: s for s in m.steps if s.id}
    rankdir = "LR" if len(by_id) <= 12 else "TB"  # big maps read better top to bottom on a wide screen
    out = [
        "digraph map {",
        f'  graph [rankdir={rankdir}, fontname="Helvetica", fontsize=12, nodesep=0.3, ranksep=0.45, newrank=true];',
        '  node [shape=box, style="rounded,filled", fontname="Helvetica", fontsize=11, color="#8d99ae"];',
        f'  edge [fontname="Helvetica", fontsize=9, color="{EDGE_COLOUR}", arrowsize=0.7];',
    ]
    entries: dict[str, list[str]] = {}
    if m.entry_default:
        entries.setdefault(m.entry_default, []).append("any touchpoint" if m.entry_touchpoints else "customer")
    for tp, sid in m.entry_touchpoints.items():
        entries.setdefault(sid, []).append(tp)
    out.append('  customer [label="Customer", shape=ellipse, style=filled, fillcolor="#e9ecef"];')
    out.append('  resolved [label="Need met", shape=doublecircle, style=filled, fillcolor="#2a9d8f", '
               'fontcolor=white, fontsize=10];')
    roles = {r.id: r for r in m.roles}
    by_role: dict[str, list[Step]] = {}
    for s in m.steps:
        by_role.setdefault(s.role, []).append(s)
    for i, role_id in enumerate(by_role):
        role = roles.get(role_id)
        label = role.name if role else f"{role_id or 'no role'} (unknown role)"
        if role:
            label += f" ({_at_work(role)})"
        out.append(f"  subgraph cluster_{i} {{")
        out.append(f'    label={_q(label)}; style="rounded,filled"; fillcolor="#f8f9fa"; color="#ced4da";'
                   ' fontsize=11;')
        for s in by_role[role_id]:
            if not s.id:
                continue
            detail = f"{s.touch.describe()} work"
            if not s.wait.is_zero():
                detail += f" · wait {s.wait.describe()}"
            if s.complete_and_accurate < 100:
                detail += f"\n{s.complete_and_accurate:g}% right first time"
            kind = "value" if s.is_value else s.work
            label = f"{_wrap(s.name or s.id)}\n[{kind}] {detail}"
            attrs = [f"label={_q(label)}", f'fillcolor="{VALUE_FILL if s.is_value else WASTE_FILL}"']
            if s.id in flagged:
                attrs += [f'color="{PROBLEM_COLOUR}"', "penwidth=3"]
            if s.pulled:
                attrs.append('style="rounded,filled,dashed"')
            out.append(f"    {_q(s.id)} [{', '.join(attrs)}];")
        out.append("  }")
    for sid, tps in entries.items():
        if sid in by_id:
            label = "; ".join(_with_patience(m, tp) for tp in tps)
            out.append(f"  customer -> {_q(sid)} [label={_q(_wrap(label, 32))}, color=\"#6c757d\"];")
    for s in m.steps:
        if not s.id:
            continue
        merged: dict[str, tuple[list[str], bool]] = {}
        for r in s.routes or []:
            labels, rework = merged.get(r.to, ([], False))
            merged[r.to] = ([*labels, r.describe()], rework or r.rework)
        targets = [(to, _short(labels), rework) for to, (labels, rework) in merged.items()] or [(RESOLVED, "", False)]
        for to, label, rework in targets:
            if not to:
                continue
            attrs = [f"label={_q(_wrap(label, 28))}"] if label else []
            if to == RESOLVED:
                out.append(f"  {_q(s.id)} -> resolved [{', '.join(attrs)}];")
                continue
            target = by_id.get(to)
            if target is None:
                out.append(f"  {_q(to)} [label={_q(to + ' (unknown step)')}, color=\"{PROBLEM_COLOUR}\", "
                           'fillcolor="#ffffff", penwidth=2];')
            elif is_handoff(s, target):
                text = f"hand-off; {label}" if label else "hand-off"
                attrs = [f"label={_q(_wrap(text, 28))}", f'color="{HANDOFF_COLOUR}"', "penwidth=2",
                         f'fontcolor="{HANDOFF_COLOUR}"']
            if rework:
                attrs += ['style="dashed"', "constraint=false"]
            out.append(f"  {_q(s.id)} -> {_q(to)} [{', '.join(attrs)}];")
        if s.rework_to and s.complete_and_accurate < 100:
            share = 100 - s.complete_and_accurate
            out.append(f"  {_q(s.id)} -> {_q(s.rework_to)} [label={_q(f'rework {share:g}%')}, style=dashed, "
                       f'color="{HANDOFF_COLOUR}", fontcolor="{HANDOFF_COLOUR}", constraint=false];')
        if s.recall_type and s.complete_and_accurate < 100:
            share = 100 - s.complete_and_accurate
            out.append(f"  {_q(s.id)} -> customer [label={_q(f'recall {share:g}%')}, style=dotted, "
                       f'color="{HANDOFF_COLOUR}", fontcolor="{HANDOFF_COLOUR}", constraint=false];')
    out.append("}")
    return "\n".join(out)


def _at_work(role: Role) -> str:
    """Who is at work, for a swimlane's title: "3", "3, Mon-Fri 09:00-17:00" or "roster: 2-5 at work"."""
    if role.roster:
        levels = [level for _, _, level in roster_levels(role.roster)]
        low, high = (min(levels), max(levels)) if levels else (0.0, 0.0)
        return f"roster: {low:g}-{high:g} at work" if low != high else f"roster: {high:g} at work"
    if role.hours:
        same: dict[str, list[int]] = {}
        for day, windows in sorted(role.hours.items()):
            same.setdefault(format_windows(windows), []).append(day)
        return f"{role.staff:g}, " + "; ".join(f"{format_days(days)} {text}" for text, days in same.items())
    return f"{role.staff:g}"


def _with_patience(m: ProcessMap, touchpoint: str) -> str:
    """A touchpoint on the customer's arrow, with how long its customers wait before giving up."""
    if touchpoint in ("any touchpoint", "customer"):  # the default entry: every queue not entered elsewhere
        routed = {tp.casefold().strip() for tp in m.entry_touchpoints}
        queues = [_with_patience(m, tp) for tp in m.touchpoints if tp.casefold().strip() not in routed]
        return "; ".join([touchpoint, *[q for q in queues if "give up" in q]])
    q = m.queue_at(touchpoint)
    if q is None or q.patience is None or q.patience.is_zero():
        return touchpoint
    return f"{touchpoint}: give up after {q.patience.describe()}"
