"""Corrections belong to the demand file they were made on, not only to the study.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23

A correction names a row number of one file. When a study loads a new demand file, corrections of the old
file must not land on the new file's rows, so each correction now records its source, and versions count
per (source, row, field). Existing corrections are given their study's latest source (the one they were
shown on); corrections of a study that never had a source cannot mean anything and are removed.
Frozen: imports nothing from the models.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("corrections") as batch:
        batch.add_column(sa.Column("source_id", sa.Integer(), nullable=True))
    op.execute("UPDATE corrections SET source_id = (SELECT max(d.id) FROM demand_sources d "
               "WHERE d.study_id = corrections.study_id)")
    op.execute("DELETE FROM corrections WHERE source_id IS NULL")
    with op.batch_alter_table("corrections") as batch:
        batch.alter_column("source_id", existing_type=sa.Integer(), nullable=False)
        batch.drop_constraint("uq_corrections_study_id_row_field_version", type_="unique")
        batch.create_unique_constraint("uq_corrections_source_id_row_field_version",
                                       ["source_id", "row", "field", "version"])
        batch.create_foreign_key("fk_corrections_source_id_demand_sources", "demand_sources",
                                 ["source_id"], ["id"], ondelete="CASCADE")
        batch.create_index("ix_corrections_source_id", ["source_id"])


def downgrade() -> None:
    # Before 0002 a study's corrections were one set: keep those of each study's latest source.
    op.execute("DELETE FROM corrections WHERE source_id <> (SELECT max(d.id) FROM demand_sources d "
               "WHERE d.study_id = corrections.study_id)")
    with op.batch_alter_table("corrections") as batch:
        batch.drop_index("ix_corrections_source_id")
        batch.drop_constraint("fk_corrections_source_id_demand_sources", type_="foreignkey")
        batch.drop_constraint("uq_corrections_source_id_row_field_version", type_="unique")
        batch.drop_column("source_id")
        batch.create_unique_constraint("uq_corrections_study_id_row_field_version",
                                       ["study_id", "row", "field", "version"])
