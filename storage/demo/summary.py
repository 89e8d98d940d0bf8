"""A short factual summary of one store, for `advisor demo` and the chat's welcome."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from storage.models import AdCampaign, Customer, Incident, Inquiry, Order, Product, Visit
from storage.sellers import get_seller


@dataclass(frozen=True, slots=True)
class IncidentNote:
    kind: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    details: dict[str, Any]


@dataclass(frozen=True, slots=True)
class StoreSummary:
    slug: str
    name: str
    timezone: str
    currency: str
    first_order_at: dt.datetime | None
    last_order_at: dt.datetime | None
    orders: int  # every status
    paid_orders: int
    recent_days: int
    recent_paid_orders: int  # in the `recent_days` days up to last_order_at
    recent_revenue: int
    products: int
    customers: int
    campaigns: int
    visits: int
    inquiries: int
    incidents: tuple[IncidentNote, ...]


def summarize_store(session: Session, slug: str = "demo", recent_days: int = 30) -> StoreSummary:
    """Counts, date range and the paid revenue of the last `recent_days` days of data
    (ending at the latest order, so an old demo file still shows a full window)."""
    seller = get_seller(session, slug)

    def count(model: Any) -> int:
        return session.scalar(select(func.count()).where(model.seller_id == seller.id)) or 0

    first, last, orders, paid = session.execute(
        select(
            func.min(Order.ordered_at),
            func.max(Order.ordered_at),
            func.count(),
            func.count().filter(Order.status == "paid"),
        ).where(Order.seller_id == seller.id)
    ).one()
    first_at = _aware(first)
    last_at = _aware(last)
    recent_orders, recent_revenue = 0, 0
    if last_at is not None:
        row = session.execute(
            select(func.count(), func.coalesce(func.sum(Order.revenue), 0)).where(
                Order.seller_id == seller.id,
                Order.status == "paid",
                Order.ordered_at > last_at - dt.timedelta(days=recent_days),
                Order.ordered_at <= last_at,
            )
        ).one()
        recent_orders, recent_revenue = int(row[0]), int(row[1])
    incidents = tuple(
        IncidentNote(i.kind, i.starts_at, i.ends_at, dict(i.details))
        for i in session.scalars(
            select(Incident).where(Incident.seller_id == seller.id).order_by(Incident.id)
        )
    )
    return StoreSummary(
        slug=seller.slug,
        name=seller.name,
        timezone=seller.timezone,
        currency=seller.currency,
        first_order_at=first_at,
        last_order_at=last_at,
        orders=int(orders),
        paid_orders=int(paid),
        recent_days=recent_days,
        recent_paid_orders=recent_orders,
        recent_revenue=recent_revenue,
        products=count(Product),
        customers=count(Customer),
        campaigns=count(AdCampaign),
        visits=count(Visit),
        inquiries=count(Inquiry),
        incidents=incidents,
    )


def _aware(value: dt.datetime | None) -> dt.datetime | None:
    """Aggregates bypass the column type on SQLite; normalise to aware UTC."""
    if value is None:
        return None
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    if value.tzinfo is None:
        return value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC)
