"""The dashboard keeps a study's demand picture for the whole server, keyed by the file as read and by its
corrections' count and latest one (not by hashing every correction at every open): a correction saved from
anywhere else (another session, another server, the command line) shows at the dashboard's next open, and so
does its undo."""

from __future__ import annotations

import csv

from app_helpers import in_sample_study, metric
from app_pages import open_app

from workbench.store import studies

from independent import SAMPLE_CSV


def _open() -> tuple[int, int]:
    """A manager opens the dashboard link (a new session): the demands and the not-yet-classified shown."""
    board = open_app(view="dashboard", study="1")
    return int(metric(board, "Demands").replace(",", "")), int(metric(board, "Not yet classified").replace(",", ""))


def test_corrections_saved_elsewhere_show_at_the_dashboards_next_open() -> None:
    with SAMPLE_CSV.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    assert [r["nature"] for r in rows[:2]] == ["failure", "failure"]  # rows 2 and 3 of the file

    total, unclassified = _open()
    assert total == len(rows)
    assert _open() == (total, unclassified)  # the server's kept picture: the same figures

    # two rows set back to unclassified, in one batch, from outside this server's pages
    result = in_sample_study(lambda s, sid: studies.add_corrections(
        s, sid, [studies.Change(2, "nature", "unclassified", before="failure"),
                 studies.Change(3, "nature", "unclassified", before="failure")], "Ann"))
    assert result.refused == []
    assert _open() == (total, unclassified + 2)
    assert _open() == (total, unclassified + 2)

    # undone (two more corrections, putting the values back): the picture follows
    in_sample_study(lambda s, sid: studies.undo_last(s, sid, "Ann"))
    assert _open() == (total, unclassified)
