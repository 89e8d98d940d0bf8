"""The sales report: revenue, orders, units, average order value and
cancellations for a window, against the previous window of equal length; for
today (so far) also against the same time yesterday and the same time on the
same weekday last week (the real-time report); with an hourly series for a
one-day window and a daily one otherwise, for charts.

Data contract: a daily window's complete local days are read from the
`sales_daily` rollup (orders, revenue, units per local date and status; see
storage.rollups), its partial day (today so far, or the comparison window cut
at the same time) from `orders` rows (seller, ordered_at UTC, status, cached
revenue and units) summed in SQL per (UTC time bucket, status), an index range
scan on ix_orders_seller_time. A one-day window (hourly series) is read from
`orders` alone. The few hundred rows are placed in local hours and days here.

Figures (money: integer minor units; ratios: floats, None when undefined):

    revenue   = Σ quantity × unit_price over the lines of paid orders
              = Σ orders.revenue where status = 'paid'
    orders    = paid orders; units = Σ quantity over their lines
    average order value = revenue / orders, rounded half up (None without orders)
    cancellation rate   = (cancelled + refunded orders) / all orders placed
                          (None when no orders were placed)

Cancelled and refunded orders never count as sales; their count and amount are
reported separately. A change is current − previous and current / previous − 1
(None when the previous figure is 0).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import Literal

from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session

from analytics._rollups import day_start, span
from analytics._sql import bucket_key, bucket_step, series_starts, time_bucket
from analytics.common import NoData, Result, Store, Window
from storage.models import Order, SalesDaily

__all__ = [
    "Bucket",
    "Change",
    "Comparison",
    "SalesChange",
    "SalesReport",
    "SalesTotals",
    "change",
    "delta",
    "ratio",
    "round_half_up",
    "sales_report",
]

Basis = Literal[
    "previous_period", "same_time_yesterday", "same_time_last_week", "same_weekday_last_week"
]
Granularity = Literal["hour", "day"]


def round_half_up(numerator: int, denominator: int) -> int:
    """numerator / denominator rounded to the nearest integer, halves away from zero."""
    sign = -1 if (numerator < 0) != (denominator < 0) else 1
    return sign * ((2 * abs(numerator) + abs(denominator)) // (2 * abs(denominator)))


def ratio(numerator: float, denominator: float) -> float | None:
    return numerator / denominator if denominator else None


class Change(Result):
    """current − previous, and current / previous − 1 (−0.25 is 25 % down; None when
    the previous figure is 0)."""

    absolute: int | float
    relative: float | None


def delta(current: int | float, previous: int | float) -> Change:
    """The change from `previous` to `current`."""
    return Change(
        absolute=current - previous, relative=current / previous - 1 if previous else None
    )


def change(current: int | float | None, previous: int | float | None) -> Change | None:
    """The change between two figures; None when either is undefined."""
    if current is None or previous is None:
        return None
    return delta(current, previous)


class SalesTotals(Result):
    revenue: int
    orders: int
    """Paid orders."""
    units: int
    average_order_value: int | None
    placed_orders: int
    """All orders placed in the window: paid, cancelled and refunded."""
    cancelled_orders: int
    refunded_orders: int
    cancelled_amount: int
    refunded_amount: int
    cancellation_rate: float | None
    """(cancelled + refunded) / placed orders."""


class SalesChange(Result):
    revenue: Change
    orders: Change
    units: Change
    average_order_value: Change | None
    cancellation_rate: Change | None
    """In rate points: 0.05 → 0.08 is absolute 0.03."""


class Bucket(Result):
    """One hour or one day of the series; `start` is local (the seller's timezone)."""

    start: dt.datetime
    revenue: int
    orders: int
    units: int


class Comparison(Result):
    """The same figures for a comparison window, and the change to the report's window."""

    basis: Basis
    start: dt.date
    end: dt.date
    cut_at: dt.datetime | None
    """Local time the comparison window stops at when it is cut like today (same time
    yesterday, same time last week); None for whole days."""
    totals: SalesTotals
    change: SalesChange
    series: list[Bucket]


class SalesReport(Result):
    kind: Literal["sales_report"] = "sales_report"
    currency: str
    timezone: str
    start: dt.date
    end: dt.date
    days: int
    as_of: dt.datetime
    """The local time the report was computed for (Window.now in the seller's timezone)."""
    so_far: bool
    """The window runs to today and is cut at `as_of`."""
    totals: SalesTotals
    previous: Comparison
    """The window of equal length just before (for today: the same time yesterday)."""
    last_week: Comparison | None
    """One-day windows only: the same weekday a week earlier (for today: cut at the
    same time, so today so far meets the same hours last week)."""
    granularity: Granularity
    series: list[Bucket]
    """Zero-filled local hours (one-day window) or days, up to `as_of`."""
    empty: bool
    """No order of any status was placed in the window."""


# ---------------------------------------------------------------- queries


@dataclass(frozen=True, slots=True)
class _Figures:
    """Summed order rows of one status in one local bucket."""

    orders: int = 0
    revenue: int = 0
    units: int = 0


_BucketRows = dict[tuple[dt.datetime, str], _Figures]


def _bucket_rows(
    session: Session, store: Store, window: Window, granularity: Granularity
) -> tuple[_BucketRows, dt.datetime, dt.datetime]:
    """Orders per (local hour or day start, status) in the window, and its UTC bounds:
    complete days from the rollup (daily windows), the rest from `orders`."""
    tz = store.timezone
    start, stop = window.utc_bounds(tz)
    rows: _BucketRows = {}
    if stop <= start:
        return rows, start, stop
    parts = span(session, store, start, stop, usable=None if granularity == "day" else False)
    merged: defaultdict[tuple[dt.datetime, str], list[int]] = defaultdict(lambda: [0, 0, 0])

    def add(key: tuple[dt.datetime, str], count: int, revenue: int, units: int) -> None:
        figures = merged[key]
        figures[0] += int(count)
        figures[1] += int(revenue)
        figures[2] += int(units)

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
    for key, (count, revenue, units) in merged.items():
        rows[key] = _Figures(count, revenue, units)
    return rows, start, stop


def _totals(rows: _BucketRows) -> SalesTotals:
    by_status: defaultdict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for (_, status), figures in rows.items():
        summed = by_status[status]
        summed[0] += figures.orders
        summed[1] += figures.revenue
        summed[2] += figures.units
    paid, cancelled, refunded = (by_status[s] for s in ("paid", "cancelled", "refunded"))
    placed = paid[0] + cancelled[0] + refunded[0]
    return SalesTotals(
        revenue=paid[1],
        orders=paid[0],
        units=paid[2],
        average_order_value=round_half_up(paid[1], paid[0]) if paid[0] else None,
        placed_orders=placed,
        cancelled_orders=cancelled[0],
        refunded_orders=refunded[0],
        cancelled_amount=cancelled[1],
        refunded_amount=refunded[1],
        cancellation_rate=ratio(cancelled[0] + refunded[0], placed),
    )


def _series(
    rows: _BucketRows,
    store: Store,
    window: Window,
    granularity: Granularity,
    start: dt.datetime,
    stop: dt.datetime,
) -> list[Bucket]:
    tz = store.timezone
    last = min(window.end, window.now.astimezone(tz).date())
    starts = series_starts(window.start, last, start, stop, tz, granularity)
    series = []
    for local in starts:
        paid = rows.get((local.astimezone(dt.UTC), "paid"), _Figures())
        series.append(
            Bucket(start=local, revenue=paid.revenue, orders=paid.orders, units=paid.units)
        )
    return series


def _change(current: SalesTotals, previous: SalesTotals) -> SalesChange:
    return SalesChange(
        revenue=delta(current.revenue, previous.revenue),
        orders=delta(current.orders, previous.orders),
        units=delta(current.units, previous.units),
        average_order_value=change(current.average_order_value, previous.average_order_value),
        cancellation_rate=change(current.cancellation_rate, previous.cancellation_rate),
    )


def _compare(
    session: Session,
    store: Store,
    window: Window,
    basis: Basis,
    totals: SalesTotals,
    granularity: Granularity,
    cut: bool,
) -> Comparison:
    rows, start, stop = _bucket_rows(session, store, window, granularity)
    other = _totals(rows)
    return Comparison(
        basis=basis,
        start=window.start,
        end=window.end,
        cut_at=window.now.astimezone(store.timezone) if cut else None,
        totals=other,
        change=_change(totals, other),
        series=_series(rows, store, window, granularity, start, stop),
    )


def sales_report(session: Session, store: Store, window: Window) -> SalesReport | NoData:
    """Sales for `window` against the previous window of equal length; for one day
    also against the same weekday last week; for today cut at the same time.

    NoData reasons: future_period (the window starts after today), no_orders (the
    seller has never had an order). A window without orders is a report of zeros
    with `empty` set.
    """
    tz = store.timezone
    now = window.now.astimezone(tz)
    today = now.date()
    if window.start > today:
        return NoData(reason="future_period", detail={"start": window.start.isoformat()})
    # local now, so the shifts below keep the local time of day; no days after today
    window = Window(window.start, min(window.end, today), now)
    granularity: Granularity = "hour" if window.days == 1 else "day"
    so_far = window.end >= today

    rows, start, stop = _bucket_rows(session, store, window, granularity)
    totals = _totals(rows)
    empty = totals.placed_orders == 0
    if empty and not session.scalar(select(exists().where(Order.seller_id == store.id))):
        return NoData(reason="no_orders")

    one_day_today = granularity == "hour" and so_far
    previous = _compare(
        session,
        store,
        window.previous(),
        "same_time_yesterday" if one_day_today else "previous_period",
        totals,
        granularity,
        cut=so_far,
    )
    last_week = None
    if granularity == "hour":
        week = dt.timedelta(days=7)
        last_week = _compare(
            session,
            store,
            Window(window.start - week, window.end - week, now - week),
            "same_time_last_week" if so_far else "same_weekday_last_week",
            totals,
            granularity,
            cut=so_far,
        )
    return SalesReport(
        currency=store.currency,
        timezone=str(tz),
        start=window.start,
        end=window.end,
        days=window.days,
        as_of=now,
        so_far=so_far,
        totals=totals,
        previous=previous,
        last_week=last_week,
        granularity=granularity,
        series=_series(rows, store, window, granularity, start, stop),
        empty=empty,
    )
