"""inquiry loop: inquiries get their source, conversation, order, draft and status;
the answer outbox, the draft cards in sellers' chats, Telegram Business connections
and per-seller inquiry switches (storage.inquiry_outbox)

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07 10:00:00

Existing inquiries (imports, the demo seed) become `imported`: past answers only,
never drafted or posted.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import storage.models
from storage.models import ANSWER_STATUS_CHECK, INQUIRY_STATUS_CHECK

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    when = storage.models.UTCDateTime(timezone=True)
    with op.batch_alter_table("inquiries") as batch_op:
        batch_op.add_column(
            sa.Column("source", sa.String(32), nullable=False, server_default="import")
        )
        batch_op.add_column(sa.Column("external_id", sa.String(200), nullable=True))
        batch_op.add_column(sa.Column("order_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("customer", sa.String(200), nullable=True))
        batch_op.add_column(sa.Column("reply_to", sa.JSON(), nullable=True))
        batch_op.add_column(
            sa.Column("status", sa.String(16), nullable=False, server_default="imported")
        )
        batch_op.add_column(sa.Column("draft", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("draft_meta", sa.JSON(), nullable=True))
        batch_op.add_column(
            sa.Column("needs_check", sa.Boolean(), nullable=False, server_default="0")
        )
        batch_op.add_column(sa.Column("drafted_at", when, nullable=True))
        batch_op.add_column(sa.Column("notified_at", when, nullable=True))
        batch_op.create_foreign_key(
            "fk_inquiries_order_id", "orders", ["order_id"], ["id"], ondelete="SET NULL"
        )
        batch_op.create_unique_constraint(
            "uq_inquiries_source_ext", ["seller_id", "source", "external_id"]
        )
        batch_op.create_index("ix_inquiries_status", ["status", "seller_id"])
        batch_op.create_check_constraint("ck_inquiries_status", INQUIRY_STATUS_CHECK)
    op.create_table(
        "inquiry_answers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("inquiry_id", sa.Integer(), nullable=False),
        sa.Column("seller_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("edited", sa.Boolean(), nullable=False),
        sa.Column("auto", sa.Boolean(), nullable=False),
        sa.Column("approved_by", sa.BigInteger(), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("created_at", when, nullable=False),
        sa.Column("claimed_at", when, nullable=True),
        sa.Column("posted_at", when, nullable=True),
        sa.Column("posted_ref", sa.String(200), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["inquiry_id"], ["inquiries.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["seller_id"], ["sellers.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.CheckConstraint(ANSWER_STATUS_CHECK, name="ck_inquiry_answers_status"),
    )
    op.create_index("ix_inquiry_answers_status", "inquiry_answers", ["status", "inquiry_id"])
    op.create_table(
        "inquiry_cards",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("inquiry_id", sa.Integer(), nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("message_id", sa.BigInteger(), nullable=False),
        sa.Column("sent_at", when, nullable=False),
        sa.ForeignKeyConstraint(["inquiry_id"], ["inquiries.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_inquiry_cards_inquiry", "inquiry_cards", ["inquiry_id"])
    op.create_table(
        "business_connections",
        sa.Column("id", sa.String(200), nullable=False),
        sa.Column("seller_id", sa.Integer(), nullable=True),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("user_chat_id", sa.BigInteger(), nullable=False),
        sa.Column("can_reply", sa.Boolean(), nullable=False),
        sa.Column("is_enabled", sa.Boolean(), nullable=False),
        sa.Column("updated_at", when, nullable=False),
        sa.ForeignKeyConstraint(["seller_id"], ["sellers.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "inquiry_settings",
        sa.Column("seller_id", sa.Integer(), nullable=False),
        sa.Column("drafts_enabled", sa.Boolean(), nullable=False),
        sa.Column("auto_answer", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["seller_id"], ["sellers.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("seller_id"),
    )


def downgrade() -> None:
    op.drop_table("inquiry_settings")
    op.drop_table("business_connections")
    op.drop_index("ix_inquiry_cards_inquiry", table_name="inquiry_cards")
    op.drop_table("inquiry_cards")
    op.drop_index("ix_inquiry_answers_status", table_name="inquiry_answers")
    op.drop_table("inquiry_answers")
    with op.batch_alter_table("inquiries") as batch_op:
        batch_op.drop_constraint("ck_inquiries_status", type_="check")
        batch_op.drop_index("ix_inquiries_status")
        batch_op.drop_constraint("uq_inquiries_source_ext", type_="unique")
        batch_op.drop_constraint("fk_inquiries_order_id", type_="foreignkey")
        for column in (
            "notified_at",
            "drafted_at",
            "needs_check",
            "draft_meta",
            "draft",
            "status",
            "reply_to",
            "customer",
            "order_id",
            "external_id",
            "source",
        ):
            batch_op.drop_column(column)
