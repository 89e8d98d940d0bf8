"""conversation turns: how each turn ended (answered, clarify, unsupported, not_understood)

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-07 06:30:00

A nullable `outcome` VARCHAR(16) with a CHECK over the values of
`storage.models.TurnOutcome` (listed here as they were at this revision); turns
stored before this revision keep NULL. Batch mode copies the table on SQLite.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

OUTCOMES = ("answered", "clarify", "unsupported", "not_understood")
CHECK = "outcome IN ({})".format(", ".join(f"'{outcome}'" for outcome in OUTCOMES))


def upgrade() -> None:
    with op.batch_alter_table("conversation_turns") as batch_op:
        batch_op.add_column(sa.Column("outcome", sa.String(16), nullable=True))
        batch_op.create_check_constraint("ck_turns_outcome", CHECK)


def downgrade() -> None:
    with op.batch_alter_table("conversation_turns") as batch_op:
        batch_op.drop_constraint("ck_turns_outcome", type_="check")
        batch_op.drop_column("outcome")
