"""A study's demand-type catalogue is the team's own, versioned like its maps.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28

The "Demand types" editor writes the catalogue: each save is a numbered version with who saved it, when and
why, so a decision can be traced and restored, and two people's saves are merged type by type. Studies
created before keep the catalogue stored with their demand file until the team saves one. Frozen: imports
nothing from the models.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NAME_LENGTH = 200


def upgrade() -> None:
    op.create_table(
        "catalogue_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("study_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("yaml_text", sa.Text(), nullable=False),
        sa.Column("author", sa.String(NAME_LENGTH), nullable=False),
        sa.Column("note", sa.Text(), nullable=False, server_default=""),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_catalogue_versions"),
        sa.ForeignKeyConstraint(["study_id"], ["studies.id"], name="fk_catalogue_versions_study_id_studies",
                                ondelete="CASCADE"),
        sa.UniqueConstraint("study_id", "version", name="uq_catalogue_versions_study_id_version"),
    )
    op.create_index("ix_catalogue_versions_study_id", "catalogue_versions", ["study_id"])


def downgrade() -> None:
    op.drop_index("ix_catalogue_versions_study_id", table_name="catalogue_versions")
    op.drop_table("catalogue_versions")
