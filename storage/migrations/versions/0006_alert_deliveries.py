"""per-chat alert deliveries, an `unknown` alert status, and the database's own identity

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07 08:00:00

- `alert_deliveries`: one row per alert and linked chat, with its own status
  (values of `storage.models.DeliveryStatus` as they were at this revision),
  claimed by a compare-and-set update just before its own send.
- `alerts.status` admits `unknown` (a send was cut off: reported to operators);
  batch mode copies the table on SQLite to change its CHECK.
- `store_meta` holds `instance_id`, a random id made here: the vector index is
  bound to it (a folder or collection built for another database is rebuilt).
"""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from alembic import op

import storage.models

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

ALERT_BEFORE = ("pending", "held", "sending", "sent", "skipped", "blocked", "failed")
ALERT_AFTER = (*ALERT_BEFORE, "unknown")
DELIVERY = ("pending", "sending", "sent", "blocked", "failed", "unknown", "skipped")


def _check(column: str, values: tuple[str, ...]) -> str:
    return "{} IN ({})".format(column, ", ".join(f"'{value}'" for value in values))


def upgrade() -> None:
    # the alerts table first: batch mode copies it on SQLite, before anything refers to it
    with op.batch_alter_table("alerts") as batch_op:
        batch_op.drop_constraint("ck_alerts_status", type_="check")
        batch_op.create_check_constraint("ck_alerts_status", _check("status", ALERT_AFTER))
    op.create_table(
        "alert_deliveries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("alert_id", sa.Integer(), nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("claimed_at", storage.models.UTCDateTime(timezone=True), nullable=True),
        sa.Column("sent_at", storage.models.UTCDateTime(timezone=True), nullable=True),
        sa.CheckConstraint(_check("status", DELIVERY), name="ck_alert_deliveries_status"),
        sa.ForeignKeyConstraint(["alert_id"], ["alerts.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("alert_id", "chat_id", name="uq_alert_deliveries_alert_chat"),
    )
    op.create_index("ix_alert_deliveries_status", "alert_deliveries", ["status", "alert_id"])
    meta = op.create_table(
        "store_meta",
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("value", sa.String(255), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )
    op.bulk_insert(meta, [{"key": "instance_id", "value": uuid.uuid4().hex}])


def downgrade() -> None:
    op.drop_table("store_meta")
    op.drop_index("ix_alert_deliveries_status", table_name="alert_deliveries")
    op.drop_table("alert_deliveries")  # before the alerts table is copied (its cascade)
    op.execute("UPDATE alerts SET status = 'failed' WHERE status = 'unknown'")
    with op.batch_alter_table("alerts") as batch_op:
        batch_op.drop_constraint("ck_alerts_status", type_="check")
        batch_op.create_check_constraint("ck_alerts_status", _check("status", ALERT_BEFORE))
