"""Reads for the sales report: the seller's orders summed per local hour or day
and status over a window, the same for the lines of one product category, the
seller's first order date (coverage) and whether the seller has any order at all.

A daily window's complete local days come from the `sales_daily` rollup, its
partial day (today so far, a comparison window cut at the same time) from
`orders` summed in SQL per (UTC time bucket, status): an index range scan on
ix_orders_seller_time. An hourly window is read from `orders` alone.

A category's figures are not in any rollup (`sales_daily` has no product,
`product_sales_daily` only paid lines and counts an order once per product), so
`category_sums` reads the raw lines: the window's orders (index range scan on
ix_orders_seller_time) and their lines by order (uq_order_items_order_line) whose
product is one of the category's, grouped per (UTC time bucket, status) in SQL. Its cost
grows with the orders in the window (a year of a 200-orders-a-day store is about
73,000 orders and their lines), where the rollup read grows with its days.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass
from typing import Literal

from sqlalchemy import distinct, exists, func, select
from sqlalchemy.orm import Session

from analytics._rollups import day_start, span
from analytics._sql import bucket_key, bucket_step, time_bucket
from analytics.common import Store, Window
from storage.models import Order, OrderItem, SalesDaily

__all__ = [
    "BucketSums",
    "Granularity",
    "OrderSums",
    "category_sums",
    "first_order_date",
    "has_orders",
    "order_sums",
]

Granularity = Literal["hour", "day"]


@dataclass(frozen=True, slots=True)
class OrderSums:
    """Orders summed: their count, revenue (minor unit) and units."""

    orders: int = 0
    revenue: int = 0
    units: int = 0

    def __add__(self, other: OrderSums) -> OrderSums:
        return OrderSums(
            self.orders + other.orders, self.revenue + other.revenue, self.units + other.units
        )


BucketSums = dict[tuple[dt.datetime, str], OrderSums]
"""{(UTC instant a local hour or day starts at, order status): sums}."""


def order_sums(
    session: Session, store: Store, window: Window, granularity: Granularity
) -> BucketSums:
    """The seller's orders placed in `window` (cut at window.now) per local hour
    ("hour") or local day ("day") and status: complete days from the rollup (daily
    windows only), the rest from `orders`."""
    tz = store.timezone
    start, stop = window.utc_bounds(tz)
    sums: BucketSums = {}
    if stop <= start:
        return sums
    parts = span(session, store, start, stop, usable=None if granularity == "day" else False)

    def add(key: tuple[dt.datetime, str], count: int, revenue: int, units: int) -> None:
        sums[key] = sums.get(key, OrderSums()) + OrderSums(int(count), int(revenue), int(units))

    if parts.first_day is not None:
        daily = select(
            SalesDaily.date,
            SalesDaily.status,
            SalesDaily.orders,
            SalesDaily.revenue,
            SalesDaily.units,
        ).where(
            SalesDaily.seller_id == store.id,
            SalesDaily.date >= parts.first_day,
            SalesDaily.date <= parts.last_day,
        )
        for day, status, count, revenue, units in session.execute(daily):
            add((day_start(day, store), status), count, revenue, units)
    for edge_start, edge_stop in parts.edges:
        step = bucket_step(tz, edge_start, edge_stop)
        bucket = time_bucket(session, Order.ordered_at, step)
        query = (
            select(
                bucket,
                Order.status,
                func.count(),
                func.coalesce(func.sum(Order.revenue), 0),
                func.coalesce(func.sum(Order.units), 0),
            )
            .where(
                Order.seller_id == store.id,
                Order.ordered_at >= edge_start,
                Order.ordered_at < edge_stop,
            )
            .group_by(bucket, Order.status)
        )
        for number, status, count, revenue, units in session.execute(query):
            add((bucket_key(number, step, tz, granularity), status), count, revenue, units)
    return sums


def has_orders(session: Session, store: Store) -> bool:
    """Whether the seller has ever had an order (of any status)."""
    return bool(session.scalar(select(exists().where(Order.seller_id == store.id))))


def first_order_date(session: Session, store: Store) -> dt.date | None:
    """The local date of the seller's first order (any status): where the sales data
    starts. None without any order. One index lookup (ix_orders_seller_time)."""
    first = session.scalar(select(func.min(Order.ordered_at)).where(Order.seller_id == store.id))
    if first is None:
        return None
    if first.tzinfo is None:  # SQLite returns naive UTC
        first = first.replace(tzinfo=dt.UTC)
    return first.astimezone(store.timezone).date()


def category_sums(
    session: Session,
    store: Store,
    window: Window,
    granularity: Granularity,
    products: Collection[int],
) -> BucketSums:
    """The lines of `products` (a category's, analytics.queries.products.category_products)
    in the seller's orders placed in `window` (cut at window.now), per local hour or day
    and order status: orders = distinct orders with such a line, revenue = Σ quantity ×
    unit_price of those lines, units = Σ quantity. Read from the raw rows (module
    docstring)."""
    tz = store.timezone
    start, stop = window.utc_bounds(tz)
    sums: BucketSums = {}
    if stop <= start:
        return sums
    step = bucket_step(tz, start, stop)
    bucket = time_bucket(session, Order.ordered_at, step)
    query = (
        select(
            bucket,
            Order.status,
            func.count(distinct(Order.id)),
            func.coalesce(func.sum(OrderItem.quantity * OrderItem.unit_price), 0),
            func.coalesce(func.sum(OrderItem.quantity), 0),
        )
        .join(OrderItem, OrderItem.order_id == Order.id)
        .where(
            Order.seller_id == store.id,
            Order.ordered_at >= start,
            Order.ordered_at < stop,
            OrderItem.product_id.in_(sorted(products)),
        )
        .group_by(bucket, Order.status)
    )
    for number, status, count, revenue, units in session.execute(query):
        key = (bucket_key(number, step, tz, granularity), status)
        sums[key] = sums.get(key, OrderSums()) + OrderSums(int(count), int(revenue), int(units))
    return sums
