"""Which column of the file holds which demand field: suggested from the column names' synonyms, with the
person's explicit choices on top (checked here, so a wrong choice is one plain message).
"""

from __future__ import annotations

from workbench import schema
from workbench.demand.labels import SYNONYM_TIERS, header_match
from workbench.demand.report import DemandFileError


def suggest_mapping(columns: list[str]) -> dict[str, str]:
    """Map canonical fields to the file's columns by known synonyms, a column once.

    A field takes a column of the best tier of names the file has for it (labels.SYNONYM_TIERS), the first
    such column when several are in that tier: `description` beats `short_description` wherever it stands."""
    matches = [header_match(col) for col in columns]
    mapping: dict[str, str] = {}
    for tier in range(len(SYNONYM_TIERS)):
        for col, match in zip(columns, matches, strict=True):
            if match and match[1] == tier and match[0] not in mapping:
                mapping[match[0]] = col
    return {fld: mapping[fld] for fld in schema.MAPPED_FIELDS if fld in mapping}


def split_joined(overrides: dict[str, str | None], columns: list[str]) -> dict[str, str | None]:
    """`received_at=DATE+TIME` (the CLI's way of naming a date and a time of day in two columns) as two
    choices, `received_at=DATE` and `received_time=TIME`, unless the file has a column named 'DATE+TIME'."""
    folded = {c.casefold().strip() for c in columns}
    out: dict[str, str | None] = {}
    for fld, col in overrides.items():
        time_field = next((t for t, d in schema.TIME_FIELDS.items() if d == fld), None)
        if time_field and col and "+" in str(col) and str(col).casefold().strip() not in folded:
            date_col, time_col = (part.strip() for part in str(col).rsplit("+", 1))
            out[fld], out[time_field] = date_col, time_col
        else:
            out[fld] = col
    return out


def resolve_mapping(columns: list[str], overrides: dict[str, str | None] | None, source: str) -> dict[str, str]:
    """Suggested mapping with the user's explicit choices on top; explicit choices are checked here."""
    mapping = suggest_mapping(columns)
    for fld, col in split_joined(dict(overrides or {}), columns).items():
        if fld not in schema.MAPPED_FIELDS:
            raise DemandFileError(
                f"{source}: '{fld}' is not a demand field; fields are: {', '.join(schema.MAPPED_FIELDS)}."
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
