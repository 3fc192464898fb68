"""Which column of the file holds which demand field: suggested from the column names' synonyms, with the
person's explicit choices on top (checked here, so a wrong choice is one plain message).
"""

from __future__ import annotations

from workbench import schema
from workbench.demand.labels import field_for_header
from workbench.demand.report import DemandFileError


def suggest_mapping(columns: list[str]) -> dict[str, str]:
    """Map canonical fields to the file's columns by known synonyms (first match wins, a column once)."""
    mapping: dict[str, str] = {}
    for col in columns:
        fld = field_for_header(col)
        if fld and fld not in mapping:
            mapping[fld] = col
    return mapping


def resolve_mapping(columns: list[str], overrides: dict[str, str | None] | None, source: str) -> dict[str, str]:
    """Suggested mapping with the user's explicit choices on top; explicit choices are checked here."""
    mapping = suggest_mapping(columns)
    for fld, col in (overrides or {}).items():
        if fld not in schema.FIELDS:
            raise DemandFileError(
                f"{source}: '{fld}' is not a demand field; fields are: {', '.join(schema.FIELDS)}."
            )
        if not col:
            mapping.pop(fld, None)
            continue
        if col not in columns:
            matches = [c for c in columns if c.casefold().strip() == str(col).casefold().strip()]
            if not matches:
                raise DemandFileError(
                    f"{source}: there is no column '{col}' to use as {fld}; columns are: {', '.join(columns)}."
                )
            col = matches[0]
        for other, used in list(mapping.items()):
            if used == col and other != fld:
                del mapping[other]
        mapping[fld] = col
    return mapping
