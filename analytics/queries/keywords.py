"""Reads for the keyword report: visits per raw search keyword in a window with
their paid conversions and revenue, and the seller's product texts to match
keywords against.

Complete local days come from the `keyword_visits_daily` rollup, the partial
day (today so far) from `visits` LEFT JOIN `orders` by id (the order counts
when it is the seller's and paid).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session

from analytics._rollups import span
from analytics.common import Store, Window
from storage.models import KeywordVisitsDaily, Order, Product, Visit

__all__ = ["KeywordRow", "ProductText", "keyword_rows", "product_texts"]


@dataclass(frozen=True, slots=True)
class KeywordRow:
    """Visits with one raw search keyword, summed."""

    keyword: str | None
    """As typed; '' or None stands for a visit without a search keyword."""
    visits: int
    conversions: int
    """Visits whose order is paid."""
    revenue: int
    """Revenue of those orders."""


@dataclass(frozen=True, slots=True)
class ProductText:
    """A product's texts a keyword can match."""

    id: int
    name: str
    price: int
    name_en: str | None = None
    category: str | None = None
    options: str | None = None


def keyword_rows(session: Session, store: Store, window: Window) -> list[KeywordRow]:
    """The window's visits per raw keyword; a keyword may come twice (rollup days and
    the partial day)."""
    parts = span(session, store, *window.utc_bounds(store.timezone))
    rows: list[KeywordRow] = []
    if parts.first_day is not None:
        daily = (
            select(
                KeywordVisitsDaily.keyword,
                func.sum(KeywordVisitsDaily.visits),
                func.sum(KeywordVisitsDaily.conversions),
                func.sum(KeywordVisitsDaily.revenue),
            )
            .where(
                KeywordVisitsDaily.seller_id == store.id,
                KeywordVisitsDaily.date >= parts.first_day,
                KeywordVisitsDaily.date <= parts.last_day,
            )
            .group_by(KeywordVisitsDaily.keyword)
        )
        rows.extend(
            KeywordRow(raw, int(count), int(converted), int(revenue))
            for raw, count, converted, revenue in session.execute(daily)
        )
    # the order is looked up by id (the seller is checked on the row found), so a
    # planner short of statistics never probes the seller's orders once per visit
    own = Order.seller_id == store.id
    for start, stop in parts.edges:
        edge = (
            select(
                Visit.search_keyword,
                func.count(),
                func.count(case((own, Order.id))),
                func.coalesce(func.sum(case((own, Order.revenue))), 0),
            )
            .select_from(Visit)
            .outerjoin(Order, and_(Order.id == Visit.order_id, Order.status == "paid"))
            .where(Visit.seller_id == store.id, Visit.started_at >= start, Visit.started_at < stop)
            .group_by(Visit.search_keyword)
        )
        rows.extend(
            KeywordRow(raw, int(count), int(converted), int(revenue))
            for raw, count, converted, revenue in session.execute(edge)
        )
    return rows


def product_texts(session: Session, seller_id: int) -> list[ProductText]:
    """The seller's products, by id."""
    rows = session.execute(
        select(
            Product.id,
            Product.name,
            Product.price,
            Product.name_en,
            Product.category,
            Product.options,
        )
        .where(Product.seller_id == seller_id)
        .order_by(Product.id)
    )
    return [ProductText(*row) for row in rows]
