"""Reads for the sales report: the seller's orders summed per local hour or day
and status over a window, and whether the seller has any order at all.

A daily window's complete local days come from the `sales_daily` rollup, its
partial day (today so far, a comparison window cut at the same time) from
`orders` summed in SQL per (UTC time bucket, status): an index range scan on
ix_orders_seller_time. An hourly window is read from `orders` alone.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session

from analytics._rollups import day_start, span
from analytics._sql import bucket_key, bucket_step, time_bucket
from analytics.common import Store, Window
from storage.models import Order, SalesDaily

__all__ = ["BucketSums", "Granularity", "OrderSums", "has_orders", "order_sums"]

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
