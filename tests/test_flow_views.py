"""The diagram views (workbench.flow.views): each checked against figures worked out by hand for a small map.

VIEWS_MAP: the desk answers (triage, 3 min); a leak is logged (value, 5 min), then 70% are checked (2 min) and
confirmed (1 min) before the visit, 30% go straight to the visit; damp becomes a message (hand-off, 4 min) for
the office's queue (2 min after 2 days), a manager authorises (5-10-15 min, after 0.5 day), the office re-keys
it (8 min, after 1-2-6 hours: 3 h) and the field team visits (value, 60 min after 3 days; 80% right first time,
the rest reworked from the queue). Email arrives at key_in (re-key, 6 min after 1 day), then the queue.

Collapsed runs of waste (a run: no way in or out between its steps):
  queue -> authorise -> rekey: touch 2 + 10 + 8 = 20 min; wait 2 + 0.5 + 0.125 = 2.625 days; 2 hand-offs inside
      (office -> manager -> office); `msg` and `key_in` both lead into the queue, so neither joins it.
  check -> confirm: touch 3 min, no wait.
Leak from the phone: the main path is answer, log, check, confirm, visit (70%): 3 days of waiting, 71 min of
  work, 1 hand-off (confirm -> visit). Expected over all routes and rework: the visit is made 1/0.8 = 1.25
  times, the queue-authorise-rekey run 0.25 times: wait = 3 x 1.25 + 0.25 x 2.625 = 4.40625 days; touch =
  3 + 5 + 0.7 x 3 + 60 x 1.25 + 0.25 x 20 = 90.1 min; hand-offs = 0.3 (log -> visit) + 0.7 (confirm -> visit)
  + 0.25 x 4 (the rework loop: visit -> queue -> authorise -> rekey -> visit) = 2.0.
Damp from the phone: answer, msg, queue, authorise, rekey, visit (100%): 5.625 days of waiting, 4 hand-offs.
"""

from __future__ import annotations

import re

import pandas as pd
import pygraphviz
import pytest

from workbench import schema
from workbench.flow import views
from workbench.flow.model import parse_map
from workbench.flow.routing import DemandKind

VIEWS_MAP = """\
name: Views test
roles:
  - {id: desk, name: Desk}
  - {id: office, name: Office}
  - {id: manager, name: Manager}
  - {id: field, name: Field team}
entry:
  default: answer
  touchpoints: {Email: key_in}
steps:
  - id: answer
    name: Answer
    role: desk
    work: triage
    touch: 3
    routes:
      - {to: log, types: [Leak]}
      - {to: msg, types: [Damp]}
      - {to: resolved, otherwise: true}
  - id: log
    name: Log the repair
    role: desk
    touch: 5
    routes:
      - {to: check, probability: 0.7}
      - {to: visit, probability: 0.3}
  - {id: check, name: Check the order, role: desk, work: check, touch: 2, routes: [{to: confirm, otherwise: true}]}
  - {id: confirm, name: Confirm the order, role: desk, work: check, touch: 1, routes: [{to: visit, otherwise: true}]}
  - {id: msg, name: Take a message, role: desk, work: hand-off, touch: 4, routes: [{to: queue, otherwise: true}]}
  - id: key_in
    name: Key in the email
    role: office
    work: re-key
    touch: 6
    wait: 1
    routes: [{to: queue, otherwise: true}]
  - {id: queue, name: Back-office queue, role: office, work: queue, touch: 2, wait: 2,
     routes: [{to: authorise, otherwise: true}]}
  - id: authorise
    name: Authorise the spend
    role: manager
    work: authorise
    touch: {min: 5, likely: 10, max: 15}
    wait: 0.5
    routes: [{to: rekey, otherwise: true}]
  - id: rekey
    name: Re-key the order
    role: office
    work: re-key
    touch: 8
    wait: {min: 1, likely: 2, max: 6, unit: hours}
    routes: [{to: visit, otherwise: true}]
  - id: visit
    name: Visit and repair
    role: field
    touch: 60
    wait: 3
    complete_and_accurate: 80
    not_accurate: {rework: queue}
"""

LEAK_E2E = 4.40625 + 90.1 / 1440
LEAK_HANDOFFS = 2.0


@pytest.fixture
def m():  # noqa: ANN201
    parsed = parse_map(VIEWS_MAP, "views.yaml")
    assert not [p for p in parsed.problems if p.severity == "error"], parsed.problems
    return parsed


def _mix(rows: list[tuple[str, str, int]]) -> pd.DataFrame:
    return pd.DataFrame([{schema.DEMAND_TYPE: t, schema.TOUCHPOINT: tp, "nature": "value", "cause": "", "count": n}
                         for t, tp, n in rows])


def _nodes(dot: str) -> dict[str, dict[str, str]]:
    g = pygraphviz.AGraph(string=dot)
    return {n.name: dict(n.attr) for n in g.nodes()}


def _edges(dot: str) -> dict[tuple[str, str], dict[str, str]]:
    g = pygraphviz.AGraph(string=dot)  # kept alive while its edges are read
    return {(e[0], e[1]): dict(e.attr) for e in g.edges()}


# ------------------------------------------------------------------ value vs waste


def test_value_view_collapses_exactly_the_runs_of_consecutive_waste(m) -> None:  # noqa: ANN001
    boxes = views.collapsed(m)
    runs = {tuple(s.id for s in b.steps) for b in boxes}
    assert runs == {("answer",), ("log",), ("check", "confirm"), ("msg",), ("key_in",),
                    ("queue", "authorise", "rekey"), ("visit",)}
    run = next(b for b in boxes if b.id == "queue")
    assert run.touch_minutes == pytest.approx(2 + 10 + 8)
    assert run.wait_days == pytest.approx(2 + 0.5 + 3 / 24)
    assert run.handoffs == 2
    pair = next(b for b in boxes if b.id == "check")
    assert (pair.touch_minutes, pair.wait_days, pair.handoffs) == (pytest.approx(3), 0, 0)

    dot = views.value_dot(m)
    nodes = _nodes(dot)
    # one box per run (plus the customer and "need met"); the steps inside a run are not boxes of their own
    assert set(nodes) == {"customer", "resolved", "answer", "log", "check", "msg", "key_in", "queue", "visit"}
    label = nodes["queue"]["label"]
    assert "3 waste steps · 20 min work · 2.6 days waiting · 2 hand-offs inside" in label
    assert "1. Back-office queue" in label and "2. Authorise the spend" in label and "3. Re-key the order" in label
    assert "2 waste steps · 3 min work · no waiting" in nodes["check"]["label"]
    assert nodes["queue"]["fillcolor"] == views.WASTE_FILL and nodes["visit"]["fillcolor"] == views.VALUE_FILL
    edges = _edges(dot)
    assert ("queue", "visit") in edges and edges[("queue", "visit")]["color"] == views.HANDOFF_COLOUR  # rekey->visit
    assert edges[("visit", "queue")]["style"] == "dashed"  # the visit's rework
    assert ("msg", "queue") in edges and ("key_in", "queue") in edges and ("check", "visit") in edges
    assert "8 waste step(s) in 5 box(es)" in dot  # answer, check, confirm, msg, key_in + the run of 3


# ------------------------------------------------------------------ one demand type


def test_type_view_colours_exactly_the_steps_on_the_types_routes(m) -> None:  # noqa: ANN001
    steps, moves = views.type_route(m, "Damp")
    # no demand: damp could come by phone (answer) or email (key_in); the visit's rework comes back to the queue
    assert steps == {"answer", "msg", "key_in", "queue", "authorise", "rekey", "visit", "resolved"}
    assert ("visit", "queue") in moves and ("answer", "msg") in moves and ("answer", "resolved") not in moves
    nodes = _nodes(views.type_dot(m, "Damp"))
    grey = {n for n, a in nodes.items() if a.get("fillcolor") == views.GREY_FILL}
    assert grey == {"log", "check", "confirm"}
    assert all(nodes[s]["penwidth"] == "2.5" for s in steps)

    # with demand that only ever phones, the email entry is not on its route
    demand = views.Demand(_mix([("Leak", "Phone", 30), ("Damp", "Phone", 20)]))
    steps, _ = views.type_route(m, "Damp", demand)
    assert steps == {"answer", "msg", "queue", "authorise", "rekey", "visit", "resolved"}
    grey = {n for n, a in _nodes(views.type_dot(m, "Damp", demand)).items() if a.get("fillcolor") == views.GREY_FILL}
    assert grey == {"log", "check", "confirm", "key_in"}
    leak = {n for n, a in _nodes(views.type_dot(m, "Leak", demand)).items() if a.get("fillcolor") != views.GREY_FILL}
    assert leak == {"customer", "answer", "log", "check", "confirm", "visit", "queue", "authorise", "rekey",
                    "resolved"}


# ------------------------------------------------------------------ journey


def test_main_path_is_the_most_likely_way_first_time_through(m) -> None:  # noqa: ANN001
    path, share = views.main_path(m, DemandKind("Leak"))
    assert path == ["answer", "log", "check", "confirm", "visit"] and share == pytest.approx(0.7)
    path, share = views.main_path(m, DemandKind("Damp", touchpoint="Email"))
    assert path == ["key_in", "queue", "authorise", "rekey", "visit"] and share == pytest.approx(1.0)
    path, share = views.main_path(m, DemandKind("Anything else"))
    assert path == ["answer"] and share == pytest.approx(1.0)


def test_journey_without_demand_follows_the_types_the_map_names(m) -> None:  # noqa: ANN001
    types = views.type_demands(m)
    assert [t.name for t in types] == ["Leak", "Damp"]
    leak = types[0]
    assert leak.count is None and leak.share is None
    assert leak.end_to_end_days == pytest.approx(LEAK_E2E) and leak.handoffs == pytest.approx(LEAK_HANDOFFS)
    dot = views.journey_dot(m)
    nodes = _nodes(dot)
    rows = [n for n in nodes if n.endswith("_types")]
    assert len(rows) == 2
    leak_row = next(n for n in rows if "Leak" in nodes[n]["label"])
    i = leak_row.split("_")[0]
    assert [nodes[f"{i}_s{j}"]["label"].split("<BR/>")[0] for j in range(5)] == [
        "Answer", "Log the repair", "Check the order", "Confirm the order", "Visit and repair"]
    assert f"{i}_s5" not in nodes
    assert f"<TD>70%</TD><TD>{LEAK_E2E:.1f}</TD><TD>{LEAK_HANDOFFS:.1f}</TD>" in nodes[leak_row]["label"]
    assert "load demand for shares" in nodes[leak_row]["label"]
    end = nodes[f"{i}_end"]["label"]
    assert "this path: 3.0 days waiting" in end and "71 min of work" in end and "1 hand-off<" in end
    damp_end = nodes[next(n for n in nodes if n.endswith("_end") and not n.startswith(i))]["label"]
    assert "5.6 days waiting" in damp_end and "4 hand-offs" in damp_end
    edges = _edges(dot)
    assert edges[(f"{i}_s3", f"{i}_s4")]["label"] == "hand-off · waits 3.0 days"
    assert edges[(f"{i}_s3", f"{i}_s4")]["color"] == views.HANDOFF_COLOUR


def test_journey_with_demand_takes_types_shares_and_figures_from_the_mix(m) -> None:  # noqa: ANN001
    demand = views.Demand(_mix([("Damp", "Email", 10), ("Leak", "Phone", 30), ("Damp", "Phone", 5)]))
    types = views.type_demands(m, demand)
    assert [(t.name, t.count) for t in types] == [("Leak", 30), ("Damp", 15)]
    assert types[0].share == pytest.approx(30 / 45)
    assert types[0].end_to_end_days == pytest.approx(LEAK_E2E)
    # damp: 10 by email (key_in first: 6 min after 1 day) and 5 by phone (answer 3 + msg 4 min), weighted
    assert types[1].kinds[0].touchpoint == "Email"  # its main path starts where most of it arrives
    dot = views.journey_dot(m, demand)
    assert "<TD>67%</TD><TD>70%</TD>" in dot
    assert "Key in the email" in dot  # damp's row starts at the email entry
    assert "load demand" not in dot


def test_journey_draws_the_most_common_types_and_counts_the_rest(m) -> None:  # noqa: ANN001
    demand = views.Demand(_mix([("Leak", "Phone", 30), ("Damp", "Phone", 15), ("Other", "Phone", 5)]))
    dot = views.journey_dot(m, demand, top=2)
    assert "the 2 most common types (1 more, 10% of demand, not drawn)" in dot
    assert "Other" not in dot.split("label=", 1)[1].split("\n", 1)[1]


# ------------------------------------------------------------------ by role, and text that could break out


def test_roles_view_is_to_dot_in_projector_fonts(m) -> None:  # noqa: ANN001
    from workbench.flow.diagram import to_dot

    plain = pygraphviz.AGraph(string=to_dot(m))
    big = pygraphviz.AGraph(string=views.roles_dot(m))
    assert {n.name for n in big.nodes()} == {n.name for n in plain.nodes()}
    assert {(e[0], e[1]) for e in big.edges()} == {(e[0], e[1]) for e in plain.edges()}
    assert {n.attr["fontsize"] for n in big.nodes() if n.name not in ("resolved",)} == {str(views.NAME_PT)}
    assert {e.attr["fontsize"] for e in big.edges()} == {str(views.DETAIL_PT)}
    assert {n.attr["class"] for n in big.nodes()} == {"step", "start", "end"}


HOSTILE = VIEWS_MAP.replace("name: Views test", 'name: "Views & <b>test</b>\\n\\"quoted\\""').replace(
    "name: Answer\n", "name: \"<script>alert(1)</script>\"\n").replace(
    "name: Log the repair\n", "name: '\" onload=\"alert(2)'\n").replace("[Damp]", "['Damp \"<i>&amp;\"']")


@pytest.mark.parametrize("view", list(views.VIEWS))
def test_hostile_names_stay_text(view: str) -> None:
    m = parse_map(HOSTILE, "hostile.yaml")
    assert m.step("answer").name == "<script>alert(1)</script>"
    dot = views.view_dot(view, m, type_name='Damp "<i>&amp;"')
    g = pygraphviz.AGraph(string=dot)  # the DOT parses: no quote broke out of a label
    assert g.has_node("answer") or any(n.startswith("r") for n in g.nodes())
    labels = " ".join(n.attr.get("label") or "" for n in g.nodes())
    if view in ("journey", "value"):  # HTML-like labels: escaped
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in labels and "<script>" not in labels
        assert "&quot; onload=&quot;alert(2)" in labels
    else:
        assert "<script>alert(1)</script>" in labels  # plain labels: the text itself, quoted by DOT
    assert re.search(r"digraph \w+ \{", dot) or dot.startswith("digraph")
