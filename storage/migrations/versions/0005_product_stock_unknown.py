"""products.stock: nullable, NULL meaning the data does not say how many are on hand

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-07 07:00:00

Before this revision every product had a stock figure: the order import created
products with the column's default 0, so each imported product read as sold out.
Nothing wrote a known stock of 0 (the import had no stock column; the demo stores
at least 1), so the zeros become NULL (unknown). Batch mode copies the table on
SQLite; PostgreSQL alters the column in place. Downgrade writes 0 back for NULL.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("products") as batch_op:
        batch_op.alter_column("stock", existing_type=sa.Integer(), nullable=True)
    op.execute("UPDATE products SET stock = NULL WHERE stock = 0")


def downgrade() -> None:
    op.execute("UPDATE products SET stock = 0 WHERE stock IS NULL")
    with op.batch_alter_table("products") as batch_op:
        batch_op.alter_column("stock", existing_type=sa.Integer(), nullable=False)
