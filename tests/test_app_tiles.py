"""Headline tiles that can be read at 1280x720 (a projector), through Streamlit's AppTest: every row of tiles
has few enough columns that each label and figure fits its column, judged by the widths Chromium draws
Streamlit's fonts at (measured: a label's characters average under 7 px at 14 px, a figure's under 21 px at
36 px). tests/test_browser_tiles.py measures the same pages in Chromium itself."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytest
from app_pages import Screen, open_app
from streamlit.testing.v1 import AppTest

from workbench.app import tiles
from workbench.app.tiles import Tile

PAGE_PX = 1280 - 300 - 2 * 80  # the viewport, less the sidebar and the wide layout's margins
GAP_PX, HELP_PX = 16, 24
LABEL_CHAR_PX, VALUE_CHAR_PX = 7.0, 21.0


def fits(label: str, value: str, has_help: bool, columns: int) -> bool:
    width = (PAGE_PX - GAP_PX * (columns - 1)) / columns
    return (len(label) * LABEL_CHAR_PX + (HELP_PX if has_help else 0) <= width
            and len(value) * VALUE_CHAR_PX <= width)


def tile_rows(at: AppTest) -> list[tuple[int, list[Any]]]:
    """Each row of tiles on the page: (its number of columns, its tiles in order)."""
    rows = []

    def walk(node: Any) -> None:
        children = list(getattr(node, "children", {}).values())
        columns = [c for c in children if getattr(c, "type", "") == "column"]
        metrics = [m for c in columns for m in c.children.values() if getattr(m, "type", "") == "metric"]
        if metrics:
            rows.append((len(columns), metrics))
        for c in children:
            walk(c)

    walk(at.main)
    return rows


def check_rows(at: AppTest, expected: list[list[str]]) -> None:
    rows = tile_rows(at)
    assert [[m.label for m in ms] for _, ms in rows] == expected
    for columns, metrics in rows:
        assert columns <= 4
        for m in metrics:
            assert fits(m.label, m.value, bool(m.help), columns), (m.label, m.value, columns)


def test_the_flow_pages_seven_tiles_are_two_rows_of_four_and_three(small_maps: Path) -> None:
    at = open_app("flow")
    check_rows(at, [["Hand-offs", "One-stop", "End-to-end days", "Value steps"],
                    ["Touch minutes", "Failure demand", "Flow efficiency"]])
    rows = tile_rows(at)
    assert [c for c, _ in rows] == [4, 4]  # the second row keeps the first's column widths
    shown = {m.label: m.value for _, ms in rows for m in ms}
    # the small map (tests/flow_fixtures.py): 2 hand-offs, 20 touch minutes, 2 days' wait, 2 of 3 value steps
    assert shown == {"Hand-offs": "2.00", "One-stop": "0%", "End-to-end days": "2.0", "Value steps": "67%",
                     "Touch minutes": "20", "Failure demand": "0/100",
                     "Flow efficiency": f"{20 / (2 * 1440 + 20):.1%}"}  # touch ÷ end to end, under 10%: "0.7%"


def test_the_demand_and_dashboard_tiles_fit(small_maps: Path) -> None:
    demand = open_app()
    Screen(demand).assert_no_exception()
    check_rows(demand, [["Demands", "Failure demand share", "Value demand"],
                        ["Failure demand", "Not yet classified", "Resolved at first contact"],
                        ["Half of needs met within", "85 in 100 met within", "95 in 100 met within",
                         "Needs still open"]])
    board = open_app(view="dashboard", study="1")
    Screen(board).assert_no_exception()
    check_rows(board, [["Demands", "Failure demand share", "Not yet classified", "Resolved at first contact"],
                       ["Half of needs met within", "85 in 100 met within", "Needs still open", "Repeat contacts"]])


# ------------------------------------------------------------------------------------------ the rule itself


def test_a_row_holds_as_many_tiles_as_fit_and_rows_are_balanced() -> None:
    short = [Tile(f"T{i}", "1") for i in range(7)]
    assert tiles.per_row(short) == 4  # never more than four, however short: 7 is 4 + 3
    assert tiles.per_row(short[:5]) == 3  # 5 is 3 + 2, not 4 + 1
    assert tiles.per_row(short[:3]) == 3
    assert tiles.per_row([]) == 1
    # a figure too wide for a quarter of the page (193 px) takes a third (263 px): six tiles are 3 + 3
    wide = [*short[:5], Tile("Longest", "12,345.6 days")]
    assert tiles.column_px(4) == pytest.approx(193) and tiles.column_px(3) == pytest.approx(262.67, abs=0.01)
    assert 193 < tiles.text_px("12,345.6 days", 36) <= 262
    assert tiles.per_row(wide) == 3
    # one that fits nowhere in a row of two is given the whole width
    assert tiles.per_row([Tile("x" * 200, "1"), Tile("y", "2")]) == 1


def test_the_estimated_widths_cover_what_chromium_draws() -> None:
    # measured in Chromium 156 on the Flow page (Source Sans 3): label at 14 px, figure at 36 px
    drawn = {("Hand-offs", 14): 57, ("Value steps", 14): 74, ("2.00", 36): 62, ("0.7%", 36): 73}
    for (text, size), px in drawn.items():
        assert px <= tiles.text_px(text, size) <= px * 1.35, text


@pytest.mark.parametrize(("x", "shown"), [(0.62, "62%"), (0.007, "0.7%"), (1.0, "100%"), (0.0, "0%"),
                                          (0.0949, "9.5%"), (0.095, "10%"), (None, "–"), (math.nan, "–")])
def test_percent(x: float | None, shown: str) -> None:
    assert tiles.percent(x) == shown


def test_counts_days_and_numbers_stay_short() -> None:
    assert [tiles.count(n) for n in (0, 2532, 999_999, 1_234_567, None)] == ["0", "2,532", "999,999", "1.2 M", "–"]
    assert [tiles.days(d) for d in (3.04, 14.0, 999.94, 1234.6, None, math.nan)] == [
        "3.0 days", "14.0 days", "999.9 days", "1,235 days", "–", "–"]
    assert [tiles.number(x, 2) for x in (2.0, 0.125, 12345.678)] == ["2.00", "0.12", "12,346"]
