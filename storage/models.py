"""The store database: SQLAlchemy 2.0 typed models.

Money is an integer in the store's minor unit (KRW has none, so 1 = 1원; USD
cents). Timestamps are timezone-aware UTC. `orders.revenue` and `orders.units`
cache Σ quantity × unit_price and Σ quantity over the order's lines; they are
written only through `storage.writes.add_order`, so they cannot drift, and they
let a seller's revenue over a window be read from one covering index.
Cancelled and refunded orders never count as sales (filter `status == 'paid'`).
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Enum,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

ORDER_STATUSES = ("paid", "cancelled", "refunded")


class UTCDateTime(TypeDecorator[dt.datetime]):
    """Stores aware datetimes as UTC; returns aware UTC datetimes on every backend."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(dt.UTC)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Base(DeclarativeBase):
    type_annotation_map = {dt.datetime: UTCDateTime, dict[str, Any]: JSON}


class Seller(Base):
    __tablename__ = "sellers"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    timezone: Mapped[str] = mapped_column(String(64), default="Asia/Seoul")
    currency: Mapped[str] = mapped_column(String(3), default="KRW")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    alerts_enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    digest_enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    @property
    def zone(self) -> ZoneInfo:
        """The seller's timezone as a value: every local date and hour is read in it
        (`timezone` is its IANA name, checked when the seller is added)."""
        return ZoneInfo(self.timezone)


class ChatLink(Base):
    __tablename__ = "chat_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    chat_id: Mapped[int] = mapped_column(BigInteger, unique=True)
    seller_id: Mapped[int] = mapped_column(ForeignKey("sellers.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(16), default="owner")
    language: Mapped[str | None] = mapped_column(String(8))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class LinkCode(Base):
    __tablename__ = "link_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    seller_id: Mapped[int] = mapped_column(ForeignKey("sellers.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[dt.datetime]
    used_at: Mapped[dt.datetime | None]
    used_by_chat_id: Mapped[int | None] = mapped_column(BigInteger)


class LinkFailure(Base):
    """A wrong link code sent from a chat; five in ten minutes lock the chat out."""

    __tablename__ = "link_failures"

    id: Mapped[int] = mapped_column(primary_key=True)
    chat_id: Mapped[int] = mapped_column(BigInteger)
    attempted_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    __table_args__ = (Index("ix_link_failures_chat_time", "chat_id", "attempted_at"),)


class Product(Base):
    __tablename__ = "products"

    id: Mapped[int] = mapped_column(primary_key=True)
    seller_id: Mapped[int] = mapped_column(ForeignKey("sellers.id", ondelete="CASCADE"))
    sku: Mapped[str] = mapped_column(String(100))
    name: Mapped[str] = mapped_column(String(300))
    name_en: Mapped[str | None] = mapped_column(String(300))
    category: Mapped[str | None] = mapped_column(String(100))
    options: Mapped[str | None] = mapped_column(Text)
    price: Mapped[int] = mapped_column(BigInteger)
    cost: Mapped[int | None] = mapped_column(BigInteger)
    stock: Mapped[int | None] = mapped_column(Integer)
    """Units on hand; None when the data does not say (an import without a stock column)."""
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    __table_args__ = (UniqueConstraint("seller_id", "sku", name="uq_products_seller_sku"),)


class Customer(Base):
    __tablename__ = "customers"

    id: Mapped[int] = mapped_column(primary_key=True)
    seller_id: Mapped[int] = mapped_column(ForeignKey("sellers.id", ondelete="CASCADE"))
    external_id: Mapped[str] = mapped_column(String(200))
    name: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    __table_args__ = (UniqueConstraint("seller_id", "external_id", name="uq_customers_seller_ext"),)


class Order(Base):
    __tablename__ = "orders"

    id: Mapped[int] = mapped_column(primary_key=True)
    seller_id: Mapped[int] = mapped_column(ForeignKey("sellers.id", ondelete="CASCADE"))
    external_id: Mapped[str] = mapped_column(String(100))
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id", ondelete="SET NULL"))
    ordered_at: Mapped[dt.datetime]
    status: Mapped[str] = mapped_column(String(16))
    revenue: Mapped[int] = mapped_column(BigInteger, default=0)
    units: Mapped[int] = mapped_column(Integer, default=0)

    __table_args__ = (
        UniqueConstraint("seller_id", "external_id", name="uq_orders_seller_ext"),
        CheckConstraint("status IN ('paid', 'cancelled', 'refunded')", name="ck_orders_status"),
        # covering index: one seller's time-range aggregate is an index range scan
        Index("ix_orders_seller_time", "seller_id", "ordered_at", "status", "revenue", "units"),
        Index("ix_orders_customer", "customer_id"),
    )


class OrderItem(Base):
    __tablename__ = "order_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"))
    line_no: Mapped[int] = mapped_column(Integer, default=1)
    product_id: Mapped[int | None] = mapped_column(ForeignKey("products.id", ondelete="SET NULL"))
    quantity: Mapped[int] = mapped_column(Integer)
    unit_price: Mapped[int] = mapped_column(BigInteger)

    __table_args__ = (
        UniqueConstraint("order_id", "line_no", name="uq_order_items_order_line"),
        CheckConstraint("quantity > 0", name="ck_order_items_quantity"),
        CheckConstraint("unit_price >= 0", name="ck_order_items_price"),
        Index("ix_order_items_product", "product_id", "order_id"),
    )


class AdCampaign(Base):
    __tablename__ = "ad_campaigns"

    id: Mapped[int] = mapped_column(primary_key=True)
    seller_id: Mapped[int] = mapped_column(ForeignKey("sellers.id", ondelete="CASCADE"), index=True)
    external_id: Mapped[str] = mapped_column(String(100))
    name: Mapped[str] = mapped_column(String(200))
    channel: Mapped[str | None] = mapped_column(String(50))
    product_id: Mapped[int | None] = mapped_column(ForeignKey("products.id", ondelete="SET NULL"))

    __table_args__ = (UniqueConstraint("seller_id", "external_id", name="uq_ad_campaigns_ext"),)


class AdStatDaily(Base):
    __tablename__ = "ad_stats_daily"

    id: Mapped[int] = mapped_column(primary_key=True)
    seller_id: Mapped[int] = mapped_column(ForeignKey("sellers.id", ondelete="CASCADE"))
    campaign_id: Mapped[int] = mapped_column(ForeignKey("ad_campaigns.id", ondelete="CASCADE"))
    date: Mapped[dt.date] = mapped_column(Date)
    impressions: Mapped[int] = mapped_column(BigInteger, default=0)
    clicks: Mapped[int] = mapped_column(BigInteger, default=0)
    spend: Mapped[int] = mapped_column(BigInteger, default=0)
    conversions: Mapped[int] = mapped_column(BigInteger, default=0)
    conversion_revenue: Mapped[int] = mapped_column(BigInteger, default=0)

    __table_args__ = (
        UniqueConstraint("campaign_id", "date", name="uq_ad_stats_campaign_date"),
        Index("ix_ad_stats_seller_date", "seller_id", "date"),
    )


class Visit(Base):
    __tablename__ = "visits"

    id: Mapped[int] = mapped_column(primary_key=True)
    seller_id: Mapped[int] = mapped_column(ForeignKey("sellers.id", ondelete="CASCADE"))
    started_at: Mapped[dt.datetime]
    search_keyword: Mapped[str | None] = mapped_column(String(200))
    landing_product_id: Mapped[int | None] = mapped_column(
        ForeignKey("products.id", ondelete="SET NULL")
    )
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id", ondelete="SET NULL"))

    __table_args__ = (
        Index("ix_visits_seller_time", "seller_id", "started_at"),
        Index("ix_visits_product", "landing_product_id", "started_at"),
    )


class InquiryStatus(StrEnum):
    """Where a customer inquiry is in the answer loop (changed only by
    storage.inquiry_outbox). Imported or seeded rows are `imported`: not in the loop."""

    IMPORTED = "imported"  # history (an import, the demo seed): only a past answer
    NEW = "new"  # came in, no draft yet
    DRAFTED = "drafted"  # a draft is written; its card is not sent yet
    NOTIFIED = "notified"  # its card with the draft is in the seller's chat
    APPROVED = "approved"  # the seller's answer is in the outbox (inquiry_answers)
    ANSWERED = "answered"  # posted by us
    ELSEWHERE = "elsewhere"  # answered outside the bot (the platform, the chat itself)
    SKIPPED = "skipped"  # the seller chose not to answer here


INQUIRY_STATUS_CHECK = "status IN ({})".format(", ".join(f"'{status}'" for status in InquiryStatus))


def _status_enum(enum: type[StrEnum]) -> Enum:
    return Enum(
        enum,
        native_enum=False,
        create_constraint=False,  # a named CHECK in __table_args__
        length=16,
        values_callable=lambda statuses: [status.value for status in statuses],
    )


class Inquiry(Base):
    """A customer's question and its answer. Migration 0008 added the answer loop:
    where it came from (`source`, its id there, the conversation to answer in:
    `reply_to`), the order it concerns, the draft the seller saw and its status."""

    __tablename__ = "inquiries"

    id: Mapped[int] = mapped_column(primary_key=True)
    seller_id: Mapped[int] = mapped_column(ForeignKey("sellers.id", ondelete="CASCADE"), index=True)
    product_id: Mapped[int | None] = mapped_column(ForeignKey("products.id", ondelete="SET NULL"))
    asked_at: Mapped[dt.datetime]
    question: Mapped[str] = mapped_column(Text)
    answer: Mapped[str | None] = mapped_column(Text)
    answered_at: Mapped[dt.datetime | None]
    source: Mapped[str] = mapped_column(String(32), default="import", server_default="import")
    external_id: Mapped[str | None] = mapped_column(String(200))
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id", ondelete="SET NULL"))
    customer: Mapped[str | None] = mapped_column(String(200))
    reply_to: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    status: Mapped[InquiryStatus] = mapped_column(
        _status_enum(InquiryStatus),
        default=InquiryStatus.IMPORTED,
        server_default=InquiryStatus.IMPORTED.value,
    )
    draft: Mapped[str | None] = mapped_column(Text)
    draft_meta: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    needs_check: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    drafted_at: Mapped[dt.datetime | None]
    notified_at: Mapped[dt.datetime | None]

    __table_args__ = (
        UniqueConstraint("seller_id", "source", "external_id", name="uq_inquiries_source_ext"),
        Index("ix_inquiries_status", "status", "seller_id"),
        CheckConstraint(INQUIRY_STATUS_CHECK, name="ck_inquiries_status"),
    )


class AlertStatus(StrEnum):
    """Where an outbox row is on its way to the seller (changed only by storage.outbox)."""

    PENDING = "pending"  # recorded, not sent yet
    HELD = "held"  # the seller's quiet hours: sent when they end
    SENDING = "sending"  # its per-chat deliveries (AlertDelivery) are under way
    SENT = "sent"  # every chat is done and at least one got it
    SKIPPED = "skipped"  # seller inactive, the switch off, or no linked chat
    BLOCKED = "blocked"  # every chat of the seller blocked the bot
    FAILED = "failed"  # Telegram refused the message
    UNKNOWN = "unknown"  # no chat got it for sure: a send was cut off (reported to operators)


ALERT_STATUS_CHECK = "status IN ({})".format(", ".join(f"'{status}'" for status in AlertStatus))


class Alert(Base):
    """The alert outbox: written with its dedupe key before sending; sending sets sent_at."""

    __tablename__ = "alerts"

    id: Mapped[int] = mapped_column(primary_key=True)
    seller_id: Mapped[int] = mapped_column(ForeignKey("sellers.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(32))
    dedupe_key: Mapped[str] = mapped_column(String(200), unique=True)
    detected_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    evidence: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    sent_at: Mapped[dt.datetime | None]
    status: Mapped[AlertStatus] = mapped_column(
        Enum(
            AlertStatus,
            native_enum=False,
            create_constraint=False,  # the named CHECK below (migration 0003)
            length=16,
            values_callable=lambda statuses: [status.value for status in statuses],
        ),
        default=AlertStatus.PENDING,
    )

    __table_args__ = (
        Index("ix_alerts_seller_detected", "seller_id", "detected_at"),
        CheckConstraint(ALERT_STATUS_CHECK, name="ck_alerts_status"),
    )


class Incident(Base):
    """Ground truth injected by the demo generator, for detector tests."""

    __tablename__ = "incidents"

    id: Mapped[int] = mapped_column(primary_key=True)
    seller_id: Mapped[int] = mapped_column(ForeignKey("sellers.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    starts_at: Mapped[dt.datetime]
    ends_at: Mapped[dt.datetime]
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class TurnOutcome(StrEnum):
    """How a turn ended (issue 10): exactly one per turn."""

    ANSWERED = "answered"  # a tool ran and its result is the answer
    CLARIFY = "clarify"  # about the store but ambiguous: the seller gets choices
    UNSUPPORTED = "unsupported"  # the store data does not hold what was asked
    NOT_UNDERSTOOD = "not_understood"  # the generic menu


TURN_OUTCOME_CHECK = "outcome IN ({})".format(", ".join(f"'{outcome}'" for outcome in TurnOutcome))


class ConversationTurn(Base):
    __tablename__ = "conversation_turns"

    id: Mapped[int] = mapped_column(primary_key=True)
    chat_id: Mapped[int] = mapped_column(BigInteger)
    seller_id: Mapped[int] = mapped_column(ForeignKey("sellers.id", ondelete="CASCADE"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    question: Mapped[str] = mapped_column(Text)
    answer: Mapped[str] = mapped_column(Text)
    mode: Mapped[str] = mapped_column(String(16), default="offline")
    tool_calls: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    # None only for turns stored before migration 0004
    outcome: Mapped[TurnOutcome | None] = mapped_column(
        Enum(
            TurnOutcome,
            native_enum=False,
            create_constraint=False,  # the named CHECK below (migration 0004)
            length=16,
            values_callable=lambda outcomes: [outcome.value for outcome in outcomes],
        )
    )

    __table_args__ = (
        Index("ix_turns_chat_time", "chat_id", "created_at"),
        CheckConstraint(TURN_OUTCOME_CHECK, name="ck_turns_outcome"),
    )


# ---------------------------------------------------------------- daily rollups
# Caches of the raw tables per seller and LOCAL date (the seller's timezone at the
# time they were written), kept in step by every write path through storage.rollups;
# `refresh_rollups` rebuilds them from the raw rows. Analytics read them for complete
# local days only (see storage.rollups). Changing a seller's timezone requires
# `refresh_rollups(session, seller_id)`.


class SalesDaily(Base):
    """Orders of one status on one local date: count, Σ revenue, Σ units (cached totals)."""

    __tablename__ = "sales_daily"

    seller_id: Mapped[int] = mapped_column(
        ForeignKey("sellers.id", ondelete="CASCADE"), primary_key=True
    )
    date: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    status: Mapped[str] = mapped_column(String(16), primary_key=True)
    orders: Mapped[int] = mapped_column(Integer, default=0)
    revenue: Mapped[int] = mapped_column(BigInteger, default=0)
    units: Mapped[int] = mapped_column(BigInteger, default=0)

    __table_args__ = ({"sqlite_with_rowid": False},)


class ProductSalesDaily(Base):
    """One product's lines of PAID orders on one local date: paid orders containing it,
    Σ quantity, Σ quantity × unit_price. Lines without a product are not rolled up."""

    __tablename__ = "product_sales_daily"

    seller_id: Mapped[int] = mapped_column(
        ForeignKey("sellers.id", ondelete="CASCADE"), primary_key=True
    )
    date: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    product_id: Mapped[int] = mapped_column(
        ForeignKey("products.id", ondelete="CASCADE"), primary_key=True
    )
    orders: Mapped[int] = mapped_column(Integer, default=0)
    units: Mapped[int] = mapped_column(BigInteger, default=0)
    revenue: Mapped[int] = mapped_column(BigInteger, default=0)

    __table_args__ = (
        Index("ix_product_sales_daily_product", "product_id", "date"),
        {"sqlite_with_rowid": False},
    )


class KeywordVisitsDaily(Base):
    """Visits started on one local date with one raw search keyword ('' for none):
    count, conversions (visits whose order is the seller's and paid) and Σ revenue of
    those orders."""

    __tablename__ = "keyword_visits_daily"

    seller_id: Mapped[int] = mapped_column(
        ForeignKey("sellers.id", ondelete="CASCADE"), primary_key=True
    )
    date: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    keyword: Mapped[str] = mapped_column(String(200), primary_key=True)
    visits: Mapped[int] = mapped_column(Integer, default=0)
    conversions: Mapped[int] = mapped_column(Integer, default=0)
    revenue: Mapped[int] = mapped_column(BigInteger, default=0)

    __table_args__ = ({"sqlite_with_rowid": False},)


class ProductVisitsDaily(Base):
    """Visits that landed on one product on one local date, and those whose order is paid."""

    __tablename__ = "product_visits_daily"

    seller_id: Mapped[int] = mapped_column(
        ForeignKey("sellers.id", ondelete="CASCADE"), primary_key=True
    )
    date: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    product_id: Mapped[int] = mapped_column(
        ForeignKey("products.id", ondelete="CASCADE"), primary_key=True
    )
    visits: Mapped[int] = mapped_column(Integer, default=0)
    converted: Mapped[int] = mapped_column(Integer, default=0)

    __table_args__ = (
        Index("ix_product_visits_daily_product", "product_id", "date"),
        {"sqlite_with_rowid": False},
    )


class CustomerPurchasePack(Base):
    """Each customer's purchases on the seller's local days before `through_day`,
    packed (storage.customer_purchases); no pack (NULL) until one is built or after a
    bulk write. The row itself stays: writers lock it."""

    __tablename__ = "customer_purchase_packs"

    seller_id: Mapped[int] = mapped_column(
        ForeignKey("sellers.id", ondelete="CASCADE"), primary_key=True
    )
    timezone: Mapped[str | None] = mapped_column(String(64))
    through_day: Mapped[dt.date | None] = mapped_column(Date)
    customers: Mapped[int] = mapped_column(Integer, default=0)
    built_at: Mapped[dt.datetime | None]
    marks: Mapped[int] = mapped_column(Integer, default=0)  # writes that marked changes
    # last: SQLite reads a column after a 2 MB value through its overflow pages
    payload: Mapped[bytes | None] = mapped_column(LargeBinary)


class CustomerPurchaseChange(Base):
    """A customer with an order of a day the seller's pack covers written, changed or
    removed since it was built: read again from their orders until the next build."""

    __tablename__ = "customer_purchase_changes"

    seller_id: Mapped[int] = mapped_column(
        ForeignKey("sellers.id", ondelete="CASCADE"), primary_key=True
    )
    customer_id: Mapped[int] = mapped_column(primary_key=True)

    __table_args__ = ({"sqlite_with_rowid": False},)


class DeliveryStatus(StrEnum):
    """One alert to one chat (changed only by storage.outbox)."""

    PENDING = "pending"  # not tried yet, or back after a send that never left
    SENDING = "sending"  # claimed and committed just before its own send
    SENT = "sent"
    BLOCKED = "blocked"  # the chat blocked the bot
    FAILED = "failed"  # Telegram refused the message
    UNKNOWN = "unknown"  # in flight at a crash, or timed out after it left: not resent
    SKIPPED = "skipped"  # the chat was unlinked before its turn


DELIVERY_STATUS_CHECK = "status IN ({})".format(
    ", ".join(f"'{status}'" for status in DeliveryStatus)
)


class AlertDelivery(Base):
    """An alert's delivery to one linked chat (migration 0006): each chat has its own
    state, so a crash touches only the sends in flight and one chat holds up no other."""

    __tablename__ = "alert_deliveries"

    id: Mapped[int] = mapped_column(primary_key=True)
    alert_id: Mapped[int] = mapped_column(ForeignKey("alerts.id", ondelete="CASCADE"))
    chat_id: Mapped[int] = mapped_column(BigInteger)
    status: Mapped[DeliveryStatus] = mapped_column(
        Enum(
            DeliveryStatus,
            native_enum=False,
            create_constraint=False,  # the named CHECK below
            length=16,
            values_callable=lambda statuses: [status.value for status in statuses],
        ),
        default=DeliveryStatus.PENDING,
    )
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    claimed_at: Mapped[dt.datetime | None]  # the last move to `sending`
    sent_at: Mapped[dt.datetime | None]

    __table_args__ = (
        UniqueConstraint("alert_id", "chat_id", name="uq_alert_deliveries_alert_chat"),
        Index("ix_alert_deliveries_status", "status", "alert_id"),
        CheckConstraint(DELIVERY_STATUS_CHECK, name="ck_alert_deliveries_status"),
    )


class StoreMeta(Base):
    """Facts about this database itself, one row per key; `instance_id` is a random id
    made with the schema (migration 0006) that the vector index is bound to."""

    __tablename__ = "store_meta"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(String(255))


class SourceAccount(Base):
    """One seller's account on one platform (a live connector, storage.connectors):
    its credentials encrypted at rest (a Fernet token, storage.connectors.secrets),
    the cursor the next sync starts from, and how the last syncs went (migration 0007).

    `failing_since`: the first failed sync since the last success (None while the
    source is healthy); `paused_until`: a platform quota ran out, no sync before then;
    `stale_reported_at`: operators were told the data is stale (once per failure run).
    """

    __tablename__ = "source_accounts"

    id: Mapped[int] = mapped_column(primary_key=True)
    seller_id: Mapped[int] = mapped_column(ForeignKey("sellers.id", ondelete="CASCADE"))
    source: Mapped[str] = mapped_column(String(32))
    credentials: Mapped[str | None] = mapped_column(Text)
    cursor: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    connected_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    last_sync_at: Mapped[dt.datetime | None]
    last_success_at: Mapped[dt.datetime | None]
    last_error_key: Mapped[str | None] = mapped_column(String(32))
    last_error_message: Mapped[str | None] = mapped_column(Text)
    last_error_at: Mapped[dt.datetime | None]
    failing_since: Mapped[dt.datetime | None]
    paused_until: Mapped[dt.datetime | None]
    stale_reported_at: Mapped[dt.datetime | None]

    __table_args__ = (
        UniqueConstraint("seller_id", "source", name="uq_source_accounts_seller_source"),
    )


class AnswerStatus(StrEnum):
    """An approved answer on its way out (changed only by storage.inquiry_outbox)."""

    PENDING = "pending"  # approved, not posted yet
    POSTING = "posting"  # claimed and committed just before its own post
    POSTED = "posted"
    FAILED = "failed"  # the platform refused it (the draft is kept: the seller may retry)
    ANSWERED = "answered"  # the question was answered elsewhere first: not posted
    UNKNOWN = "unknown"  # cut off mid-post where the platform cannot be re-read: not resent


ANSWER_STATUS_CHECK = "status IN ({})".format(", ".join(f"'{status}'" for status in AnswerStatus))


class InquiryAnswer(Base):
    """The answer outbox (migration 0008): an approved answer is written here before it
    is posted; posting claims the row (pending -> posting, compare-and-set)."""

    __tablename__ = "inquiry_answers"

    id: Mapped[int] = mapped_column(primary_key=True)
    inquiry_id: Mapped[int] = mapped_column(ForeignKey("inquiries.id", ondelete="CASCADE"))
    seller_id: Mapped[int] = mapped_column(ForeignKey("sellers.id", ondelete="CASCADE"))
    text: Mapped[str] = mapped_column(Text)
    edited: Mapped[bool] = mapped_column(Boolean, default=False)
    auto: Mapped[bool] = mapped_column(Boolean, default=False)
    approved_by: Mapped[int | None] = mapped_column(BigInteger)  # the chat that approved
    status: Mapped[AnswerStatus] = mapped_column(
        _status_enum(AnswerStatus), default=AnswerStatus.PENDING
    )
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    claimed_at: Mapped[dt.datetime | None]
    posted_at: Mapped[dt.datetime | None]
    posted_ref: Mapped[str | None] = mapped_column(String(200))
    error: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (
        Index("ix_inquiry_answers_status", "status", "inquiry_id"),
        CheckConstraint(ANSWER_STATUS_CHECK, name="ck_inquiry_answers_status"),
    )


class InquiryCard(Base):
    """A message with an inquiry's draft in a seller's chat (its buttons act on it)."""

    __tablename__ = "inquiry_cards"

    id: Mapped[int] = mapped_column(primary_key=True)
    inquiry_id: Mapped[int] = mapped_column(ForeignKey("inquiries.id", ondelete="CASCADE"))
    chat_id: Mapped[int] = mapped_column(BigInteger)
    message_id: Mapped[int] = mapped_column(BigInteger)
    sent_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    __table_args__ = (Index("ix_inquiry_cards_inquiry", "inquiry_id"),)


class BusinessConnection(Base):
    """A Telegram Business account connected to the bot (`business_connection`
    updates): the seller it belongs to (the linked chat of its owner) and its rights."""

    __tablename__ = "business_connections"

    id: Mapped[str] = mapped_column(String(200), primary_key=True)  # Telegram's id
    seller_id: Mapped[int | None] = mapped_column(ForeignKey("sellers.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(BigInteger)
    user_chat_id: Mapped[int] = mapped_column(BigInteger)
    can_reply: Mapped[bool] = mapped_column(Boolean, default=False)
    is_enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class InquirySettings(Base):
    """A seller's inquiry switches: drafts to their chat (on by default) and answers
    without asking for FAQ-like questions (off by default)."""

    __tablename__ = "inquiry_settings"

    seller_id: Mapped[int] = mapped_column(
        ForeignKey("sellers.id", ondelete="CASCADE"), primary_key=True
    )
    drafts_enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    auto_answer: Mapped[bool] = mapped_column(Boolean, default=False)
