"""customer purchase packs: each customer's purchase days summed per seller, packed in
one row, and the customers changed since (storage.customer_purchases)

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07 16:00:00

The table starts empty: a customer question reads every order, as before, until the
background refresh (or `advisor seed`/the demo generator) builds a seller's pack.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import storage.models

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "customer_purchase_packs",
        sa.Column("seller_id", sa.Integer(), nullable=False),
        sa.Column("timezone", sa.String(64), nullable=True),
        sa.Column("through_day", sa.Date(), nullable=True),
        sa.Column("customers", sa.Integer(), nullable=False),
        sa.Column("built_at", storage.models.UTCDateTime(timezone=True), nullable=True),
        sa.Column("marks", sa.Integer(), nullable=False),
        # last: SQLite reads a column after a 2 MB value through its overflow pages
        sa.Column("payload", sa.LargeBinary(), nullable=True),
        sa.ForeignKeyConstraint(["seller_id"], ["sellers.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("seller_id"),
    )
    op.create_table(
        "customer_purchase_changes",
        sa.Column("seller_id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["seller_id"], ["sellers.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("seller_id", "customer_id"),
        sqlite_with_rowid=False,
    )


def downgrade() -> None:
    op.drop_table("customer_purchase_changes")
    op.drop_table("customer_purchase_packs")
