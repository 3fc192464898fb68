"""Demand sources keep the reading options beyond the first five in one JSON column.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28

A date format, a time zone, "this file has no dates" and the unit of handling times are ways of reading a
demand file that the study must remember like the mapping. They go in one nullable JSON column,
`reading_extra` (only the options that are set), so the next option needs no migration. Existing sources
have none set: NULL. Frozen: imports nothing from the models.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("demand_sources") as batch:
        batch.add_column(sa.Column("reading_extra", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("demand_sources") as batch:
        batch.drop_column("reading_extra")
