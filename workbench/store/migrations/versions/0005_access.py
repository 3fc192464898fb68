"""Who may see and change a study: its members with a role each, and read-only share links.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-28

`study_members`: one row per person (by the email their sign-in provider gives) and study, with the role
`owner`, `editor` or `viewer`, who added them and when. A laptop run without sign-in never reads it.

`share_links`: a read-only link to one study's dashboard for people without an account. Only the SHA-256 of
the token is kept (the token itself is shown once, to the owner who makes it); a link may expire and is
revoked by setting `revoked_at`. Both tables go with their study (ON DELETE CASCADE). Frozen: imports nothing
from the models.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NAME_LENGTH = 200
EMAIL_LENGTH = 320


def upgrade() -> None:
    op.create_table(
        "study_members",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("study_id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(EMAIL_LENGTH), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("added_by", sa.String(NAME_LENGTH), nullable=False, server_default=""),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_study_members"),
        sa.ForeignKeyConstraint(["study_id"], ["studies.id"], name="fk_study_members_study_id_studies",
                                ondelete="CASCADE"),
        sa.UniqueConstraint("study_id", "email", name="uq_study_members_study_id_email"),
    )
    op.create_index("ix_study_members_study_id", "study_members", ["study_id"])
    op.create_index("ix_study_members_email", "study_members", ["email"])
    op.create_table(
        "share_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("study_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("label", sa.String(NAME_LENGTH), nullable=False, server_default=""),
        sa.Column("created_by", sa.String(NAME_LENGTH), nullable=False, server_default=""),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_by", sa.String(NAME_LENGTH), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_share_links"),
        sa.ForeignKeyConstraint(["study_id"], ["studies.id"], name="fk_share_links_study_id_studies",
                                ondelete="CASCADE"),
        sa.UniqueConstraint("token_hash", name="uq_share_links_token_hash"),
    )
    op.create_index("ix_share_links_study_id", "share_links", ["study_id"])


def downgrade() -> None:
    op.drop_index("ix_share_links_study_id", table_name="share_links")
    op.drop_table("share_links")
    op.drop_index("ix_study_members_email", table_name="study_members")
    op.drop_index("ix_study_members_study_id", table_name="study_members")
    op.drop_table("study_members")
