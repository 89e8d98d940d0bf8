"""alert outbox statuses: a CHECK constraint over the known states

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29 09:00:00

`alerts.status` stays VARCHAR(16); the constraint admits only the values of
`storage.models.AlertStatus` (listed here as they were at this revision). SQLite
cannot add a constraint to a table, so batch mode copies the table there;
PostgreSQL adds it in place.
"""

from __future__ import annotations

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

STATUSES = ("pending", "held", "sending", "sent", "skipped", "blocked", "failed")
CHECK = "status IN ({})".format(", ".join(f"'{status}'" for status in STATUSES))


def upgrade() -> None:
    with op.batch_alter_table("alerts") as batch_op:
        batch_op.create_check_constraint("ck_alerts_status", CHECK)


def downgrade() -> None:
    with op.batch_alter_table("alerts") as batch_op:
        batch_op.drop_constraint("ck_alerts_status", type_="check")
