"""Any demand gives a comparison in words, never a traceback or a 'nan': one day, one demand, one touchpoint,
all open, types the maps do not know (Hypothesis over small demand files, through the loader as a file)."""

from __future__ import annotations

import csv
import io
import re
from datetime import datetime, timedelta
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from workbench.demand.catalogue import load_catalogue
from workbench.demand.load import load_demand
from workbench.flow.model import load_map
from workbench.sim.compare import compare, side_by_side
from workbench.sim.snapshot import snapshot

ROOT = Path(__file__).resolve().parent.parent
MAPS = [load_map(ROOT / "process_maps" / "housing_repairs_standard_work.yaml"),
        load_map(ROOT / "process_maps" / "housing_repairs_worker_led.yaml")]
CATALOGUE = load_catalogue(ROOT / "process_maps" / "catalogues" / "housing_repairs_catalogue.yaml")
TYPES = ["Report a leak", "Chasing a repair", "Nobody turned up", "Pay my rent", ""]
NOT_A_NUMBER = re.compile(r"\b(nan|inf|NaN|Inf|None)\b")

ROWS = st.lists(st.tuples(st.integers(0, 2), st.integers(0, 600), st.sampled_from(["Phone", "Email"]),
                          st.sampled_from(TYPES), st.sampled_from(["value", "failure", ""]),
                          st.one_of(st.none(), st.integers(0, 5000))), min_size=1, max_size=12)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ROWS)
def test_any_small_demand_compares_in_words(rows: list[tuple[int, int, str, str, str, int | None]]) -> None:
    start = datetime(2026, 1, 5, 8, 0)
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(["received_at", "touchpoint", "demand_type", "nature", "resolved_at"])
    for day, minute, tp, kind, nature, later in rows:
        received = start + timedelta(days=day, minutes=minute)
        resolved = "" if later is None else str(received + timedelta(minutes=later))
        w.writerow([str(received), tp, kind, nature, resolved])
    demand = load_demand(out.getvalue().encode(), "small.csv", catalogue=CATALOGUE).frame
    result = compare(MAPS, demand, catalogue=CATALOGUE, replications=1, seed=2)
    words = result.headline()
    assert words and not NOT_A_NUMBER.search(words), words
    table = side_by_side(result.table(), [d.name for d in result.designs], result.replications)
    for cell in table.astype(str).to_numpy().ravel():
        assert not NOT_A_NUMBER.search(cell), cell
    snap = snapshot(result, demand["received_at"].min().normalize())
    assert snap["headline"] == words
