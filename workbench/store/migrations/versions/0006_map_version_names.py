"""Map versions that mean something: a name people give one, and how many edits it holds.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-28

`map_versions.label`: a name a person gave the version ("agreed in workshop 2"), '' for none. A named version
is never added to by later edits.

`map_versions.edits`: how many of one person's edits the version holds. The Flow page saves every edit, and
the edits one person makes a few minutes apart become one version (its text the latest edit's, its note what
they changed together); 0 for a version not made by editing (a new map, a restore, a merge, an import), and
for every version stored before, so none of those is ever added to. Frozen: imports nothing from the models.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NAME_LENGTH = 200


def upgrade() -> None:
    with op.batch_alter_table("map_versions") as batch:
        batch.add_column(sa.Column("label", sa.String(NAME_LENGTH), nullable=False, server_default=""))
        batch.add_column(sa.Column("edits", sa.Integer(), nullable=False, server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("map_versions") as batch:
        batch.drop_column("edits")
        batch.drop_column("label")
