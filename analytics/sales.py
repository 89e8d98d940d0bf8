"""The sales report: revenue, orders, units, average order value and
cancellations for a window, against its comparison window (the calendar's:
analytics.periods; the equal-length window before when it has none); for
today (so far) also against the same time yesterday and the same time on the
same weekday last week (the real-time report); with an hourly series for a
one-day window and a daily one otherwise, for charts.

Data contract: a daily window's complete local days are read from the
`sales_daily` rollup (orders, revenue, units per local date and status; see
storage.rollups), its partial day (today so far, or the comparison window cut
at the same time) from `orders` rows (seller, ordered_at UTC, status, cached
revenue and units) summed in SQL per (UTC time bucket, status), an index range
scan on ix_orders_seller_time. A one-day window (hourly series) is read from
`orders` alone. The few hundred rows are placed in local hours and days. The
reads are in analytics.queries.sales; the figures below are pure functions of
the rows read (`sales_totals`, `sales_series`, `sales_change`, `comparison`).

Figures (money: integer minor units; ratios: floats, None when undefined):

    revenue   = Σ quantity × unit_price over the lines of paid orders
              = Σ orders.revenue where status = 'paid'
    orders    = paid orders; units = Σ quantity over their lines
    average order value = revenue / orders, rounded half up (None without orders)
    cancellation rate   = (cancelled + refunded orders) / all orders placed
                          (None when no orders were placed)

Cancelled and refunded orders never count as sales; their count and amount are
reported separately, with their share of the amount ordered (반품률, "refund
rate", is by amount):

    ordered amount  = Σ amount of every order placed in the window, any status
                      (paid + cancelled + refunded)
    cancelled share = cancelled amount / ordered amount
    refunded share  = refunded amount / ordered amount   (None when nothing was ordered)

An order counts in the window it was placed in, with its status as of now: an
order placed in November and refunded in December is November's refund.

A change is current − previous and current / previous − 1 (None when the
previous figure is 0).

Coverage (analytics.coverage): the sales data starts on the local date of the
seller's first order (`data_start`). A comparison window that starts before it
is not `covered`: its figures are what the data holds, but every relative change
against it is None, so no percentage is shown ("올해 매출" against a last year
that holds a month of data).

Category (`category`, matched like analytics.products does: the same text, letter
case and surrounding spaces aside; "Coffee" and "coffee" are one category): only
the lines of products in that category count: revenue = Σ quantity × unit_price of those lines of paid
orders, orders = distinct paid orders with at least one such line, units = Σ
their quantity; cancelled and refunded amounts and the ordered amount likewise
over those lines. An order with a mug and a tumbler counts once in "cups" and
only the cups' lines make its revenue. Read from the raw lines, not the rollups
(analytics.queries.sales.category_sums).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Literal, cast
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from analytics._sql import series_starts
from analytics.common import NoData, Result, Store, Window
from analytics.coverage import covers
from analytics.queries.products import category_products, known_categories
from analytics.queries.sales import (
    BucketSums,
    Granularity,
    OrderSums,
    category_sums,
    first_order_date,
    has_orders,
    order_sums,
)

__all__ = [
    "Bucket",
    "Change",
    "Comparison",
    "SalesChange",
    "SalesReport",
    "SalesTotals",
    "change",
    "comparison",
    "delta",
    "ratio",
    "round_half_up",
    "sales_change",
    "sales_report",
    "sales_series",
    "sales_totals",
]

Basis = Literal[
    "previous_period",
    "previous_day",
    "previous_week",
    "previous_weekend",
    "previous_month",
    "previous_quarter",
    "previous_half",
    "previous_year",
    "same_time_yesterday",
    "same_time_last_week",
    "same_weekday_last_week",
    "explicit",
    "same_time_last_year",
]


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
    ordered_amount: int
    """Σ amount of every order placed: paid, cancelled and refunded."""
    cancelled_share: float | None
    """cancelled_amount / ordered_amount (None when nothing was ordered)."""
    refunded_share: float | None
    """refunded_amount / ordered_amount (None when nothing was ordered)."""


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
    covered: bool
    """The data starts on or before `start`; when not, every relative change is None."""
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
    category: str | None
    """Only the lines of products in this category (as stored); None: the whole store."""
    data_start: dt.date | None
    """The local date of the seller's first order: where the data starts."""
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


# ---------------------------------------------------------------- figures
# Pure: summed order rows (analytics.queries.sales) in, typed figures out.


def sales_totals(sums: BucketSums) -> SalesTotals:
    """The window's totals from its orders per (bucket, status): paid orders are the
    sales, cancelled and refunded ones are counted and summed apart."""
    by_status: dict[str, OrderSums] = {}
    for (_, status), figures in sums.items():
        by_status[status] = by_status.get(status, OrderSums()) + figures
    paid, cancelled, refunded = (
        by_status.get(status, OrderSums()) for status in ("paid", "cancelled", "refunded")
    )
    placed = paid.orders + cancelled.orders + refunded.orders
    ordered = paid.revenue + cancelled.revenue + refunded.revenue
    return SalesTotals(
        revenue=paid.revenue,
        orders=paid.orders,
        units=paid.units,
        average_order_value=round_half_up(paid.revenue, paid.orders) if paid.orders else None,
        placed_orders=placed,
        cancelled_orders=cancelled.orders,
        refunded_orders=refunded.orders,
        cancelled_amount=cancelled.revenue,
        refunded_amount=refunded.revenue,
        cancellation_rate=ratio(cancelled.orders + refunded.orders, placed),
        ordered_amount=ordered,
        cancelled_share=ratio(cancelled.revenue, ordered),
        refunded_share=ratio(refunded.revenue, ordered),
    )


def sales_series(
    sums: BucketSums, window: Window, tz: ZoneInfo, granularity: Granularity
) -> list[Bucket]:
    """Paid sales per local hour (the hours of the window up to window.now) or per
    local day (the window's days up to today), zero-filled."""
    start, stop = window.utc_bounds(tz)
    last = min(window.end, window.now.astimezone(tz).date())
    series = []
    for local in series_starts(window.start, last, start, stop, tz, granularity):
        paid = sums.get((local.astimezone(dt.UTC), "paid"), OrderSums())
        series.append(
            Bucket(start=local, revenue=paid.revenue, orders=paid.orders, units=paid.units)
        )
    return series


def sales_change(
    current: SalesTotals, previous: SalesTotals, *, covered: bool = True
) -> SalesChange:
    """The change from a comparison window's totals to the report window's; without
    relative changes when the data does not cover the comparison window."""
    found = SalesChange(
        revenue=delta(current.revenue, previous.revenue),
        orders=delta(current.orders, previous.orders),
        units=delta(current.units, previous.units),
        average_order_value=change(current.average_order_value, previous.average_order_value),
        cancellation_rate=change(current.cancellation_rate, previous.cancellation_rate),
    )
    if covered:
        return found

    def absolute(c: Change | None) -> Change | None:
        return None if c is None else Change(absolute=c.absolute, relative=None)

    return SalesChange(
        revenue=Change(absolute=found.revenue.absolute, relative=None),
        orders=Change(absolute=found.orders.absolute, relative=None),
        units=Change(absolute=found.units.absolute, relative=None),
        average_order_value=absolute(found.average_order_value),
        cancellation_rate=absolute(found.cancellation_rate),
    )


def comparison(
    sums: BucketSums,
    window: Window,
    basis: Basis,
    totals: SalesTotals,
    tz: ZoneInfo,
    granularity: Granularity,
    *,
    cut: bool,
    covered: bool = True,
) -> Comparison:
    """A comparison window's figures (`sums` read over `window`) against the report's
    `totals`; `cut`: the window stops at its own now, like today so far; `covered`:
    the data starts by the window's first day (else no relative change)."""
    other = sales_totals(sums)
    return Comparison(
        basis=basis,
        start=window.start,
        end=window.end,
        cut_at=window.now.astimezone(tz) if cut else None,
        covered=covered,
        totals=other,
        change=sales_change(totals, other, covered=covered),
        series=sales_series(sums, window, tz, granularity),
    )


# ---------------------------------------------------------------- the report


def sales_report(
    session: Session, store: Store, window: Window, *, category: str | None = None
) -> SalesReport | NoData:
    """Sales for `window` against its comparison window (`window.previous()`); for one day
    also against the same weekday last week; for today cut at the same time. With
    `category`, only the lines of products in that category (module docstring).

    NoData reasons: future_period (the window starts after today), no_orders (the
    seller has never had an order), unknown_category (no product of the seller is in
    `category`). A window without orders is a report of zeros with `empty` set.
    """
    tz = store.timezone
    now = window.now.astimezone(tz)
    today = now.date()
    if window.start > today:
        return NoData(reason="future_period", detail={"start": window.start.isoformat()})
    # local now, so the shifts below keep the local time of day; no days after today
    window = replace(window, end=min(window.end, today), now=now)
    granularity: Granularity = "hour" if window.days == 1 else "day"
    so_far = window.end >= today

    # The comparison windows, chosen here and nowhere else: the window's own
    # comparison (the calendar's, analytics.periods; without one the window of equal
    # length just before; today so far: the same time yesterday) and, for one day,
    # the same weekday a week earlier (cut at the same time when so far).
    previous_window = window.previous()
    by_calendar = window.basis in ("previous_day", "previous_period")  # not one the question named
    previous_basis = cast(
        Basis,
        "same_time_yesterday" if granularity == "hour" and so_far and by_calendar else window.basis,
    )
    last_week_window: Window | None = None
    week = dt.timedelta(days=7)
    # one day's second baseline, unless the comparison the question named is that day
    if granularity == "hour" and previous_window.start != window.start - week:
        last_week_window = Window(window.start - week, window.end - week, now - week)
    last_week_basis: Basis = "same_time_last_week" if so_far else "same_weekday_last_week"

    spelled: str | None = None
    members: set[int] = set()
    if category is not None:
        spelled, members = category_products(session, store, category)
        if not members:
            known = ", ".join(known_categories(session, store))
            return NoData(reason="unknown_category", detail={"category": category, "known": known})

    def read(over: Window) -> BucketSums:
        if spelled is None:
            return order_sums(session, store, over, granularity)
        return category_sums(session, store, over, granularity, members)

    sums = read(window)
    totals = sales_totals(sums)
    empty = totals.placed_orders == 0
    if empty and not has_orders(session, store):
        return NoData(reason="no_orders")
    data_start = first_order_date(session, store)

    def compare(other: Window, basis: Basis) -> Comparison:
        return comparison(
            read(other),
            other,
            basis,
            totals,
            tz,
            granularity,
            cut=so_far,
            covered=covers(data_start, other.start),
        )

    return SalesReport(
        currency=store.currency,
        timezone=str(tz),
        start=window.start,
        end=window.end,
        days=window.days,
        as_of=now,
        so_far=so_far,
        category=spelled,
        data_start=data_start,
        totals=totals,
        previous=compare(previous_window, previous_basis),
        last_week=None if last_week_window is None else compare(last_week_window, last_week_basis),
        granularity=granularity,
        series=sales_series(sums, window, tz, granularity),
        empty=empty,
    )
