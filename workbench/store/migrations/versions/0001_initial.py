"""The first schema: studies, their demand sources, corrections, maps with versions, comparison runs.

Revision ID: 0001
Revises:
Create Date: 2026-11-01

Written by hand to match `workbench/store/models.py` (tests/test_store.py checks that they agree), and
frozen: it imports nothing from the models, which may change after it. Every child of a study is deleted
with it (ON DELETE CASCADE).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Frozen here rather than imported from the models, so this migration means the same thing forever.
NAME_LENGTH = 200


def _utc() -> sa.DateTime:
    return sa.DateTime(timezone=True)  # UTC; SQLite keeps no zone, workbench.store.models.UTCDateTime adds it back


def _study_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(["study_id"], ["studies.id"], name=f"fk_{table}_study_id_studies",
                                   ondelete="CASCADE")


def upgrade() -> None:
    op.create_table(
        "studies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(NAME_LENGTH), nullable=False),
        sa.Column("description", sa.Text(), nullable=False, server_default=""),
        sa.Column("archived", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("created_at", _utc(), nullable=False),
        sa.Column("updated_at", _utc(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_studies"),
        sa.UniqueConstraint("name", name="uq_studies_name"),
    )
    op.create_table(
        "demand_sources",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("study_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(NAME_LENGTH), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("mapping", sa.JSON(), nullable=False),
        sa.Column("date_order", sa.String(20), nullable=True),
        sa.Column("sheet", sa.String(NAME_LENGTH), nullable=True),
        sa.Column("header_row", sa.Integer(), nullable=True),
        sa.Column("catalogue_text", sa.Text(), nullable=True),
        sa.Column("created_at", _utc(), nullable=False),
        sa.Column("created_by", sa.String(NAME_LENGTH), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_demand_sources"),
        _study_fk("demand_sources"),
    )
    op.create_index("ix_demand_sources_study_id", "demand_sources", ["study_id"])
    op.create_table(
        "corrections",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("study_id", sa.Integer(), nullable=False),
        sa.Column("row", sa.Integer(), nullable=False),
        sa.Column("field", sa.String(50), nullable=False),
        sa.Column("before", sa.Text(), nullable=True),
        sa.Column("after", sa.Text(), nullable=False),
        sa.Column("author", sa.String(NAME_LENGTH), nullable=False),
        sa.Column("created_at", _utc(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_corrections"),
        _study_fk("corrections"),
        sa.UniqueConstraint("study_id", "row", "field", "version",
                            name="uq_corrections_study_id_row_field_version"),
    )
    op.create_index("ix_corrections_study_id", "corrections", ["study_id"])
    op.create_table(
        "maps",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("study_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(NAME_LENGTH), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_maps"),
        _study_fk("maps"),
        sa.UniqueConstraint("study_id", "name", name="uq_maps_study_id_name"),
    )
    op.create_index("ix_maps_study_id", "maps", ["study_id"])
    op.create_table(
        "map_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("map_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("yaml_text", sa.Text(), nullable=False),
        sa.Column("author", sa.String(NAME_LENGTH), nullable=False),
        sa.Column("note", sa.Text(), nullable=False, server_default=""),
        sa.Column("created_at", _utc(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_map_versions"),
        sa.ForeignKeyConstraint(["map_id"], ["maps.id"], name="fk_map_versions_map_id_maps", ondelete="CASCADE"),
        sa.UniqueConstraint("map_id", "version", name="uq_map_versions_map_id_version"),
    )
    op.create_index("ix_map_versions_map_id", "map_versions", ["map_id"])
    op.create_table(
        "comparison_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("study_id", sa.Integer(), nullable=False),
        sa.Column("created_at", _utc(), nullable=False),
        sa.Column("settings", sa.JSON(), nullable=False),
        sa.Column("summary", sa.JSON(), nullable=False),
        sa.Column("author", sa.String(NAME_LENGTH), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_comparison_runs"),
        _study_fk("comparison_runs"),
    )
    op.create_index("ix_comparison_runs_study_id", "comparison_runs", ["study_id"])


def downgrade() -> None:
    for table in ("comparison_runs", "map_versions", "maps", "corrections", "demand_sources", "studies"):
        op.drop_table(table)
