"""The budgets every reader works within: one definition each, a setting that changes it, documented."""

from __future__ import annotations

from pathlib import Path

import pytest

from workbench import limits

DOCS = Path(__file__).resolve().parent.parent / "docs" / "limits.md"


def test_every_limit_is_documented_with_its_default_and_setting() -> None:
    text = DOCS.read_text(encoding="utf-8")
    for limit in limits.LIMITS.values():
        assert f"| `{limit.setting}` | {limit.default:,} | {limit.unit} in {limit.what} |" in text, limit.setting
    assert len(limits.LIMITS) == len({lim.setting for lim in limits.LIMITS.values()})


def test_a_setting_changes_the_limit_and_a_bad_setting_keeps_the_default(monkeypatch: pytest.MonkeyPatch) -> None:
    rows = limits.DEMAND_ROWS
    assert rows.value == 5_000_000
    monkeypatch.setenv(rows.setting, "10_000_000")
    assert rows.value == 10_000_000
    for bad in ("", "-3", "0", "lots", "1e9"):
        monkeypatch.setenv(rows.setting, bad)
        assert rows.value == 5_000_000, bad


def test_over_a_limit_is_one_sentence_naming_it_and_its_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WORKBENCH_MAX_DEMAND_COLUMNS", "10")
    limits.DEMAND_COLUMNS.check(10, "calls.csv")  # at the limit is fine
    with pytest.raises(limits.LimitError) as err:
        limits.DEMAND_COLUMNS.check(4_000, "calls.csv")
    assert str(err.value) == ("calls.csv: 4,000 columns, but a demand file may have at most 10 (whoever runs "
                              "Workbench can change this with the setting WORKBENCH_MAX_DEMAND_COLUMNS).")
    assert str(limits.YAML_ALIASES.refuse("map.yaml")) == (
        "map.yaml: a process map or catalogue may have at most 1,000 aliases (*name), and this one has more "
        "(whoever runs Workbench can change this with the setting WORKBENCH_MAX_YAML_ALIASES).")
