"""source_accounts: one seller's account on one live platform (storage.connectors)

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07 09:00:00

Credentials are a Fernet token (encrypted with ADVISOR_SECRET_KEY, never stored in
clear); `cursor` is the connector's own JSON; the rest says how the syncs went.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import storage.models

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    when = storage.models.UTCDateTime(timezone=True)
    op.create_table(
        "source_accounts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("seller_id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(32), nullable=False),
        sa.Column("credentials", sa.Text(), nullable=True),
        sa.Column("cursor", sa.JSON(), nullable=True),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("connected_at", when, nullable=False),
        sa.Column("last_sync_at", when, nullable=True),
        sa.Column("last_success_at", when, nullable=True),
        sa.Column("last_error_key", sa.String(32), nullable=True),
        sa.Column("last_error_message", sa.Text(), nullable=True),
        sa.Column("last_error_at", when, nullable=True),
        sa.Column("failing_since", when, nullable=True),
        sa.Column("paused_until", when, nullable=True),
        sa.Column("stale_reported_at", when, nullable=True),
        sa.ForeignKeyConstraint(["seller_id"], ["sellers.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("seller_id", "source", name="uq_source_accounts_seller_source"),
    )


def downgrade() -> None:
    op.drop_table("source_accounts")
