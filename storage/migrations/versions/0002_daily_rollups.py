"""daily rollups: sales_daily, product_sales_daily, keyword_visits_daily, product_visits_daily

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28 09:00:00

The tables start empty; `storage.rollups.refresh_rollups` fills them from the raw
rows for every seller that already has data.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def _keys(*extra: sa.Column) -> list[sa.Column]:
    return [
        sa.Column("seller_id", sa.Integer(), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        *extra,
    ]


def upgrade() -> None:
    op.create_table(
        "sales_daily",
        *_keys(sa.Column("status", sa.String(length=16), nullable=False)),
        sa.Column("orders", sa.Integer(), nullable=False),
        sa.Column("revenue", sa.BigInteger(), nullable=False),
        sa.Column("units", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["seller_id"], ["sellers.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("seller_id", "date", "status"),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "product_sales_daily",
        *_keys(sa.Column("product_id", sa.Integer(), nullable=False)),
        sa.Column("orders", sa.Integer(), nullable=False),
        sa.Column("units", sa.BigInteger(), nullable=False),
        sa.Column("revenue", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["seller_id"], ["sellers.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["product_id"], ["products.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("seller_id", "date", "product_id"),
        sqlite_with_rowid=False,
    )
    op.create_index("ix_product_sales_daily_product", "product_sales_daily", ["product_id", "date"])
    op.create_table(
        "keyword_visits_daily",
        *_keys(sa.Column("keyword", sa.String(length=200), nullable=False)),
        sa.Column("visits", sa.Integer(), nullable=False),
        sa.Column("conversions", sa.Integer(), nullable=False),
        sa.Column("revenue", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["seller_id"], ["sellers.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("seller_id", "date", "keyword"),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "product_visits_daily",
        *_keys(sa.Column("product_id", sa.Integer(), nullable=False)),
        sa.Column("visits", sa.Integer(), nullable=False),
        sa.Column("converted", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["seller_id"], ["sellers.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["product_id"], ["products.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("seller_id", "date", "product_id"),
        sqlite_with_rowid=False,
    )
    op.create_index(
        "ix_product_visits_daily_product", "product_visits_daily", ["product_id", "date"]
    )
    _fill_existing()


def _fill_existing() -> None:
    """Roll up every seller that already has rows (an upgraded live database)."""
    from sqlalchemy.orm import Session

    from storage.rollups import refresh_rollups

    bind = op.get_bind()
    seller_ids = [row[0] for row in bind.execute(sa.text("SELECT id FROM sellers ORDER BY id"))]
    if not seller_ids:
        return
    session = Session(bind=bind)
    for seller_id in seller_ids:
        refresh_rollups(session, seller_id)
    session.flush()


def downgrade() -> None:
    op.drop_index("ix_product_visits_daily_product", table_name="product_visits_daily")
    op.drop_table("product_visits_daily")
    op.drop_table("keyword_visits_daily")
    op.drop_index("ix_product_sales_daily_product", table_name="product_sales_daily")
    op.drop_table("product_sales_daily")
    op.drop_table("sales_daily")
