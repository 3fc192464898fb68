"""The demand-type catalogue: parsing, errors that name the file and line, round trip."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from workbench import schema
from workbench.demand.catalogue import (
    Catalogue,
    CatalogueError,
    DemandType,
    load_catalogue,
    parse_catalogue,
)

SAMPLE = Path(__file__).resolve().parent.parent / "sample_data" / "housing_repairs_catalogue.yaml"

GOOD = """\
service: Housing repairs
description: Repairs to council homes.
types:
  - type: Report a leak
    nature: value
    description: Water coming in.
  - type: Chasing a repair
    nature: FD
    cause: progress chasing
  - type: Nobody turned up
    nature: failure demand
    cause: not done
  - type: Book a gas safety check
    nature: V
    cause: this cause is dropped because the type is value demand
"""


def test_parse_reads_every_type_with_canonical_natures() -> None:
    cat = parse_catalogue(GOOD, "repairs.yaml")
    assert cat.service == "Housing repairs"
    assert cat.description == "Repairs to council homes."
    assert cat.source == "repairs.yaml"
    assert cat.types == [
        DemandType("Report a leak", schema.VALUE, "", "Water coming in."),
        DemandType("Chasing a repair", schema.FAILURE, "progress chasing"),
        DemandType("Nobody turned up", schema.FAILURE, "not done"),
        DemandType("Book a gas safety check", schema.VALUE, ""),
    ]
    assert cat.names() == ["Report a leak", "Chasing a repair", "Nobody turned up", "Book a gas safety check"]


def test_lookup_ignores_case_and_stray_spaces() -> None:
    cat = parse_catalogue(GOOD, "repairs.yaml")
    assert cat.lookup("report a leak ").name == "Report a leak"
    assert cat.lookup("  CHASING   a Repair").cause == "progress chasing"
    assert cat.lookup("Report a leak!") is None
    assert cat.lookup("") is None


def _error(text: str) -> str:
    with pytest.raises(CatalogueError) as info:
        parse_catalogue(text, "team.yaml")
    return str(info.value)


def test_yaml_syntax_error_names_file_and_line() -> None:
    text = "types:\n  - type: A\n    nature: value\n  - type: B\n    nature: failure: oops\n"
    message = _error(text)
    assert message.startswith("team.yaml, line 5:"), message
    assert "not valid YAML" in message


def test_bad_indentation_names_its_line() -> None:
    message = _error("types:\n  - type: A\n   nature: value\n")
    assert message.startswith("team.yaml, line 3:"), message


def test_type_without_nature_names_the_line_of_that_type() -> None:
    text = "service: X\ntypes:\n  - type: A\n    nature: value\n  - type: B\n    cause: c\n"
    message = _error(text)
    assert message.startswith("team.yaml, line 5:"), message
    assert "'B'" in message


def test_bad_nature_names_the_value_and_line() -> None:
    text = "types:\n  - type: A\n    nature: value\n  - type: B\n    nature: maybe\n"
    message = _error(text)
    assert message.startswith("team.yaml, line 4:"), message
    assert "'maybe'" in message
    assert "value" in message and "failure" in message


def test_a_type_not_yet_decided_is_named_not_sure_and_nonsense_is_refused() -> None:
    cat = parse_catalogue("types:\n  - type: A\n    nature: not sure\n  - type: B\n    nature: unclassified\n")
    assert [(t.name, t.nature, t.decided) for t in cat.types] == [("A", "unclassified", False),
                                                                   ("B", "unclassified", False)]
    assert "nature: not sure" in cat.to_yaml()
    message = _error("types:\n  - type: A\n    nature: banana\n")
    assert message.startswith("team.yaml, line 2:") and "'not sure'" in message, message
    assert _error("types:\n  - type: A\n").startswith("team.yaml, line 2:")  # a nature must be given


def test_duplicate_type_names_both_lines() -> None:
    text = (
        "types:\n"  # 1
        "  - type: Report a leak\n"  # 2
        "    nature: value\n"  # 3
        "  - type: Other\n"  # 4
        "    nature: failure\n"  # 5
        "  - type: report a leak \n"  # 6: the same type in other case, with a trailing space
        "    nature: value\n"  # 7
    )
    message = _error(text)
    assert message.startswith("team.yaml, line 6:"), message
    assert "listed twice" in message
    assert re.search(r"first at line 2\b", message), message


@pytest.mark.parametrize(
    "text",
    ["service: X\n", "types: []\n", "types: not a list\n", "- just\n- a list\n", ""],
)
def test_no_usable_types_list(text: str) -> None:
    assert _error(text).startswith("team.yaml:")


def test_type_without_a_name() -> None:
    assert _error("types:\n  - nature: value\n").startswith("team.yaml, line 2:")


def test_type_that_is_not_a_mapping() -> None:
    assert _error("types:\n  - type: A\n    nature: value\n  - just a string\n").startswith("team.yaml, line 4:")


def test_round_trip_to_yaml_and_back() -> None:
    cat = Catalogue(
        [
            DemandType("Report a leak", schema.VALUE, "", "Water: coming in, 'quoted' \"too\""),
            DemandType("Chasing a repair", schema.FAILURE, "progress chasing"),
            DemandType("Réparation — £60 invoice", schema.FAILURE, "error / wrong outcome", "accents"),
        ],
        service="Housing repairs",
        description="Two lines\nof description",
    )
    text = cat.to_yaml()
    assert "Réparation — £60 invoice" in text  # written as text, not \u escapes
    again = parse_catalogue(text, "again.yaml")
    assert again.types == cat.types
    assert again.service == cat.service
    assert again.description == cat.description
    assert yaml.safe_load(text)["types"][0] == {
        "type": "Report a leak",
        "nature": "value",
        "description": "Water: coming in, 'quoted' \"too\"",
    }


def test_round_trip_of_the_bundled_catalogue() -> None:
    cat = load_catalogue(SAMPLE)
    assert cat.source == SAMPLE.name
    raw = yaml.safe_load(SAMPLE.read_text(encoding="utf-8"))["types"]
    assert cat.names() == [t["type"] for t in raw]
    assert sum(t.nature == schema.VALUE for t in cat.types) == 11
    assert sum(t.nature == schema.FAILURE for t in cat.types) == 10
    assert all(t.cause for t in cat.types if t.nature == schema.FAILURE)
    assert parse_catalogue(cat.to_yaml()).types == cat.types


def test_load_catalogue_reads_bom_and_cp1252(tmp_path: Path) -> None:
    text = "types:\n  - type: Réparation £\n    nature: value\n"
    bom = tmp_path / "bom.yaml"
    bom.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    legacy = tmp_path / "legacy.yaml"
    legacy.write_bytes(text.encode("cp1252"))
    assert load_catalogue(bom).names() == ["Réparation £"]
    assert load_catalogue(legacy).names() == ["Réparation £"]


def test_load_catalogue_missing_file_names_it(tmp_path: Path) -> None:
    with pytest.raises(CatalogueError, match=r"^nothere\.yaml: cannot be read"):
        load_catalogue(tmp_path / "nothere.yaml")
