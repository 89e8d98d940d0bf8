"""What sells: the top, rising and falling products of a window, and one
product's trend, visits, conversion and days of stock left.

Data contract: `order_items` of the seller's paid `orders` in the window and
its comparison window (Window.previous(): the calendar's when the window
carries one, else the equal-length window before; today so far meets the same
hours), summed per product in SQL: complete local days
from the `product_sales_daily` rollup (storage.rollups) in one GROUP BY over
both windows, the partial days (today so far, the previous window's cut day)
from the lines. For one product, its daily rollup rows and landing visits
(`product_visits_daily`) for complete days, and its lines summed per UTC time
bucket and its landing `visits` counted in SQL for partial days and one-day
(hourly) windows. Lines whose product was deleted (product_id NULL) are not
ranked.

Figures: revenue = Σ quantity × unit_price, units = Σ quantity, orders =
paid orders containing the product. A change is current − previous and
current / previous − 1 (None when the previous figure is 0).

Rising and falling rank products by the absolute change of the chosen metric
(revenue, units, or the refunded and cancelled amount), biggest first (ties: the
larger relative change, then the product id), so a 110,000원 product at −66 %
does not hide one that lost 3,748,500원. A change on a handful of sales is
noise ("1 sold → 4 sold" is not +300 % news), so a product is compared only
when it sold at least `min_previous_units` (default 5) in the previous window
and at least `min_total_units` (default 10) in both windows together (refunds:
units refunded or cancelled).

Refunds (metric "refunds"): the lines of the seller's cancelled and refunded
orders placed in the window (placed, as the sales report counts them), summed
per product: amount = Σ quantity × unit_price, units, and the orders by status;
read from the lines (the rollups hold paid sales only).

Category: with `category`, only the products whose `category` equals it
(ignoring case and surrounding spaces) are ranked and totalled; the total's
orders are then the paid orders with one of them. An unknown category is
NoData("unknown_category") naming the seller's categories.

Conversion = landing visits whose order is paid / landing visits on the
product. Days of stock left = current stock / the product's average units per
day over the 14 × 24 hours before `window.now` (None without sales in that
time, and None when the stock is unknown: a product imported without a stock
column has `stock` None, never 0; 0 when out of stock).

Every result names its comparison window (`compared`: the basis from
analytics.periods, its dates and the time it is cut at when the window is still
running), so an answer says against which dates it compares.

The reads are in analytics.queries.products; the ranking, the one-product
figures and the stock outlook are pure functions of the rows read
(`choose_products`, `window_total`, `ranked_products`, `product_period`,
`product_change`, `stock_outlook`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Literal, TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from analytics._rollups import rollups_usable, span
from analytics._sql import series_starts
from analytics.common import NoData, Result, Store, Window
from analytics.queries.products import (
    ProductActivity,
    ProductName,
    ProductWindows,
    RefundSums,
    category_products,
    known_categories,
    paid_orders,
    paid_orders_of,
    product_activity,
    product_facts,
    product_names,
    product_sums,
    recent_units,
    refund_sums,
)
from analytics.queries.sales import OrderSums, has_orders
from analytics.sales import Bucket, Change, change, delta, ratio

__all__ = [
    "MIN_PREVIOUS_UNITS",
    "MIN_TOTAL_UNITS",
    "RECENT_DAYS",
    "Compared",
    "ProductChange",
    "ProductFigures",
    "ProductPeriod",
    "ProductRanking",
    "ProductReport",
    "RankedProduct",
    "RefundFigures",
    "StockOutlook",
    "choose_products",
    "compared",
    "refund_windows",
    "product_change",
    "product_period",
    "product_report",
    "ranked_products",
    "stock_outlook",
    "top_products",
    "window_total",
]

Metric = Literal["revenue", "units", "refunds"]
Granularity = Literal["hour", "day"]
Direction = Literal["top", "rising", "falling"]

MIN_PREVIOUS_UNITS = 5
MIN_TOTAL_UNITS = 10
RECENT_DAYS = 14
MAX_STOCKOUT_DAYS = 3650  # a stock-out further away than this has no date


class ProductFigures(Result):
    revenue: int
    units: int
    orders: int


class RefundFigures(Result):
    """Cancelled and refunded lines: amount (Σ quantity × unit price), units, and the
    orders by status (an order counts once per product)."""

    amount: int
    units: int
    orders: int
    cancelled_orders: int
    refunded_orders: int


class Compared(Result):
    """The window a result is compared with and why (an analytics.periods basis:
    previous_month, previous_week, previous_day, previous_period, explicit...; or
    same_time_yesterday for today so far), worded by prompts/answers/_compare."""

    basis: str
    start: dt.date
    end: dt.date
    cut_at: dt.datetime | None
    """Local time it stops at when the result's window is still running (today so
    far); None for whole days."""


class RankedProduct(Result):
    product_id: int
    name: str
    name_en: str | None = None
    sku: str
    current: ProductFigures
    previous: ProductFigures
    revenue_change: Change
    units_change: Change
    share: float | None
    """The product's part of the window's metric total over all products ranked
    (revenue, units, or refunded and cancelled amount)."""
    refunds: RefundFigures | None = None
    """metric "refunds": its cancelled and refunded lines in the window."""
    previous_refunds: RefundFigures | None = None
    refunds_change: Change | None = None
    """metric "refunds": the change of the refunded and cancelled amount."""


class ProductRanking(Result):
    kind: Literal["product_ranking"] = "product_ranking"
    metric: Metric
    direction: Direction
    currency: str
    start: dt.date
    end: dt.date
    previous_start: dt.date
    previous_end: dt.date
    compared: Compared
    so_far: bool
    category: str | None = None
    """The category ranked (as the catalogue spells it); None: every product."""
    items: list[RankedProduct]
    """At most `limit` products; for rising/falling only those with enough volume and a
    change in that direction (may be empty: nothing sold enough to compare)."""
    total: ProductFigures
    """All products (of the category) in the window; orders: the paid orders placed
    in it (with one of the category's products)."""
    refunds_total: RefundFigures | None = None
    """metric "refunds": all products' (of the category) cancelled and refunded lines;
    orders: an order with two products counts for each."""
    products_sold: int
    """Products with a sale in the window (refunds: with a refund or cancellation)."""
    eligible: int
    """Products compared (rising/falling: meeting the minimum volume; top: products_sold)."""
    min_previous_units: int
    min_total_units: int


def _figures(sums: OrderSums) -> ProductFigures:
    return ProductFigures(revenue=sums.revenue, units=sums.units, orders=sums.orders)


def _value(sums: OrderSums, metric: Metric) -> int:
    """The ranked figure; for refunds the sums are refund sums (revenue: the amount)."""
    return sums.units if metric == "units" else sums.revenue


def _refund_figures(sums: RefundSums) -> RefundFigures:
    return RefundFigures(
        amount=sums.amount,
        units=sums.units,
        orders=sums.orders,
        cancelled_orders=sums.cancelled_orders,
        refunded_orders=sums.refunded_orders,
    )


def refund_windows(
    current: Mapping[int, RefundSums], previous: Mapping[int, RefundSums]
) -> dict[int, ProductWindows]:
    """Refund sums of both windows as the windows a ranking compares (revenue: the
    refunded and cancelled amount; units; orders: refunded and cancelled orders)."""

    def sums(found: RefundSums | None) -> OrderSums:
        found = found or RefundSums()
        return OrderSums(orders=found.orders, revenue=found.amount, units=found.units)

    return {
        pid: ProductWindows(sums(current.get(pid)), sums(previous.get(pid)))
        for pid in sorted(set(current) | set(previous))
    }


def compared(window: Window, previous: Window, tz: ZoneInfo) -> Compared:
    """The comparison window `previous` of `window` as a result names it: today so far
    against the day before cut at the same time is "same_time_yesterday", as the
    sales report says it."""
    running = window.end >= window.now.astimezone(tz).date()
    basis = window.basis
    if running and window.days == 1 and basis in ("previous_day", "previous_period"):
        basis = "same_time_yesterday"
    return Compared(
        basis=basis,
        start=previous.start,
        end=previous.end,
        cut_at=previous.now.astimezone(tz) if running else None,
    )


@dataclass(frozen=True, slots=True)
class Choice:
    """The products a ranking shows, in order, and how many it looked at."""

    chosen: tuple[int, ...]
    """At most `limit` product ids, best first."""
    sold: int
    """Products with a sale in the current window."""
    eligible: int
    """top: the products sold; rising/falling: those with enough volume to compare."""


# ---------------------------------------------------------------- ranking figures
# Pure: per-product sums (analytics.queries.products) in, the ranking out.


def choose_products(
    sums: Mapping[int, ProductWindows],
    metric: Metric,
    direction: Direction,
    limit: int,
    *,
    min_previous_units: int = MIN_PREVIOUS_UNITS,
    min_total_units: int = MIN_TOTAL_UNITS,
) -> Choice:
    """top: the products sold, most `metric` first (ties by id). rising/falling: the
    products with at least `min_previous_units` before and `min_total_units` in both
    windows whose metric moved that way, biggest absolute change first (ties: the
    bigger relative change, then id)."""
    sold = [pid for pid, windows in sums.items() if windows.current.units > 0]
    if direction == "top":
        ranked = sorted(sold, key=lambda pid: (-_value(sums[pid].current, metric), pid))
        return Choice(tuple(ranked[:limit]), len(sold), len(sold))
    eligible = [
        pid
        for pid, windows in sums.items()
        if windows.previous.units >= min_previous_units
        and windows.current.units + windows.previous.units >= min_total_units
        and _value(windows.previous, metric) > 0
    ]

    def relative(pid: int) -> float:
        return _value(sums[pid].current, metric) / _value(sums[pid].previous, metric) - 1

    def absolute(pid: int) -> int:
        return _value(sums[pid].current, metric) - _value(sums[pid].previous, metric)

    sign = 1 if direction == "rising" else -1
    ranked = sorted(
        (pid for pid in eligible if sign * absolute(pid) > 0),
        key=lambda pid: (-sign * absolute(pid), -sign * relative(pid), pid),
    )
    return Choice(tuple(ranked[:limit]), len(sold), len(eligible))


def window_total(sums: Mapping[int, ProductWindows], paid: int) -> ProductFigures:
    """All products' revenue and units in the current window; orders: `paid`, the paid
    orders placed in it (an order with two products counts once)."""
    return ProductFigures(
        revenue=sum(windows.current.revenue for windows in sums.values()),
        units=sum(windows.current.units for windows in sums.values()),
        orders=paid,
    )


def ranked_products(
    chosen: Sequence[int],
    sums: Mapping[int, ProductWindows],
    names: Mapping[int, ProductName],
    total: ProductFigures,
    metric: Metric,
    refunds: tuple[Mapping[int, RefundSums], Mapping[int, RefundSums]] | None = None,
) -> list[RankedProduct]:
    """The chosen products with their figures, changes and share of the total
    (products without a name, i.e. not the seller's, are left out). metric
    "refunds": `refunds` holds the current and previous refund sums, and the share
    is of the current refunded and cancelled amount of all products in it."""
    items = []
    now, before = refunds if refunds is not None else ({}, {})
    whole = (
        sum(found.amount for found in now.values())
        if metric == "refunds"
        else (total.units if metric == "units" else total.revenue)
    )
    for pid in chosen:
        if pid not in names:
            continue
        windows = sums.get(pid, ProductWindows())
        refund, earlier = now.get(pid, RefundSums()), before.get(pid, RefundSums())
        value = refund.amount if metric == "refunds" else _value(windows.current, metric)
        items.append(
            RankedProduct(
                product_id=pid,
                name=names[pid].name,
                name_en=names[pid].name_en,
                sku=names[pid].sku,
                current=_figures(windows.current),
                previous=_figures(windows.previous),
                revenue_change=delta(windows.current.revenue, windows.previous.revenue),
                units_change=delta(windows.current.units, windows.previous.units),
                share=ratio(value, whole),
                refunds=_refund_figures(refund) if metric == "refunds" else None,
                previous_refunds=_refund_figures(earlier) if metric == "refunds" else None,
                refunds_change=delta(refund.amount, earlier.amount)
                if metric == "refunds"
                else None,
            )
        )
    return items


# ---------------------------------------------------------------- ranking


def _clamped(store: Store, window: Window) -> Window:
    """The window with local now and no day after today."""
    now = window.now.astimezone(store.timezone)
    return replace(window, end=min(window.end, now.date()), now=now)


def top_products(
    session: Session,
    store: Store,
    window: Window,
    metric: Metric = "revenue",
    direction: Direction = "top",
    limit: int = 5,
    *,
    category: str | None = None,
    min_previous_units: int = MIN_PREVIOUS_UNITS,
    min_total_units: int = MIN_TOTAL_UNITS,
) -> ProductRanking | NoData:
    """The best-selling products of `window` by revenue, units or refunded and
    cancelled amount, or those rising or falling most against its comparison window
    (`window.previous()`), of every product or of one `category`.

    NoData reasons: future_period, unknown_category (no product of the seller has it),
    no_orders (the seller never had an order), empty_period (no paid sale and no
    refund in the window, nor, for rising/falling, before it).
    """
    if metric not in ("revenue", "units", "refunds"):
        raise ValueError(f"unknown metric {metric!r}")
    if direction not in ("top", "rising", "falling"):
        raise ValueError(f"unknown direction {direction!r}")
    if limit < 1:
        raise ValueError(f"limit must be at least 1, got {limit}")
    if window.start > window.now.astimezone(store.timezone).date():
        return NoData(reason="future_period", detail={"start": window.start.isoformat()})
    spelled, members = None, None
    if category is not None:
        spelled, members = category_products(session, store, category)
        if not members:
            known = ", ".join(known_categories(session, store))
            return NoData(reason="unknown_category", detail={"category": category, "known": known})
    window = _clamped(store, window)
    # The comparison window: the window's own (the calendar's, analytics.periods), or
    # the window of equal length just before (today so far meets the same hours).
    previous = window.previous()

    tz = store.timezone
    usable = rollups_usable(session, store)
    current_span = span(session, store, *window.utc_bounds(tz), usable=usable)
    previous_span = span(session, store, *previous.utc_bounds(tz), usable=usable)
    sums = _only(product_sums(session, store, current_span, previous_span), members)
    refunds = None
    ranked = sums
    if metric == "refunds":
        refunds = (
            _only(refund_sums(session, store, *window.utc_bounds(tz)), members),
            _only(refund_sums(session, store, *previous.utc_bounds(tz)), members),
        )
        ranked = refund_windows(*refunds)
    choice = choose_products(
        ranked,
        metric,
        direction,
        limit,
        min_previous_units=min_previous_units,
        min_total_units=min_total_units,
    )
    sold = any(windows.current.units for windows in sums.values())
    if not ((sold or choice.sold) if direction == "top" else (sums or ranked)):
        if not has_orders(session, store):
            return NoData(reason="no_orders")
        return NoData(
            reason="empty_period",
            detail={"start": window.start.isoformat(), "end": window.end.isoformat()},
        )
    if members is None:
        paid = paid_orders(session, store, current_span)
    else:
        paid = paid_orders_of(session, store, *window.utc_bounds(tz), members)
    total = window_total(sums, paid)
    names = product_names(session, store, choice.chosen)
    return ProductRanking(
        metric=metric,
        direction=direction,
        currency=store.currency,
        start=window.start,
        end=window.end,
        previous_start=previous.start,
        previous_end=previous.end,
        compared=compared(window, previous, tz),
        so_far=window.end >= window.now.date(),
        category=spelled,
        items=ranked_products(choice.chosen, sums, names, total, metric, refunds),
        total=total,
        refunds_total=None
        if refunds is None
        else _refund_figures(sum(refunds[0].values(), RefundSums())),
        products_sold=choice.sold,
        eligible=choice.eligible,
        min_previous_units=min_previous_units,
        min_total_units=min_total_units,
    )


T = TypeVar("T")


def _only(sums: dict[int, T], members: set[int] | None) -> dict[int, T]:
    """`sums` of the products in `members` (all of them when None)."""
    return sums if members is None else {pid: v for pid, v in sums.items() if pid in members}


# ---------------------------------------------------------------- one product


class ProductPeriod(Result):
    """One window's figures for one product."""

    start: dt.date
    end: dt.date
    revenue: int
    units: int
    orders: int
    visits: int
    """Visits that landed on the product's page."""
    converted_visits: int
    """Of those, visits that ended in a paid order."""
    conversion_rate: float | None


class ProductChange(Result):
    revenue: Change
    units: Change
    orders: Change
    visits: Change
    conversion_rate: Change | None


class ProductReport(Result):
    kind: Literal["product_report"] = "product_report"
    product_id: int
    name: str
    name_en: str | None = None
    sku: str
    price: int
    stock: int | None
    """Units on hand; None when the data does not say (never read as 0)."""
    currency: str
    as_of: dt.datetime
    so_far: bool
    current: ProductPeriod
    previous: ProductPeriod
    compared: Compared
    change: ProductChange
    granularity: Literal["hour", "day"]
    series: list[Bucket]
    """The product's zero-filled local hours (one-day window) or days."""
    recent_units_per_day: float
    """Average units a day over the RECENT_DAYS × 24 hours before `as_of`."""
    recent_days: int
    days_of_stock_left: float | None
    """stock / recent_units_per_day; None without recent sales or with unknown stock,
    0 when out of stock."""
    stockout_date: dt.date | None
    """The local date stock runs out at the recent rate (as_of + days of stock left);
    None without a rate, with unknown stock or beyond ten years."""


@dataclass(frozen=True, slots=True)
class StockOutlook:
    """How long the stock lasts at the recent sales rate."""

    units_per_day: float
    days_left: float | None
    """stock / units_per_day; None without recent sales or with unknown stock (None),
    0 when out of stock."""
    stockout_date: dt.date | None
    """now + days_left; None without a rate or beyond MAX_STOCKOUT_DAYS."""


# ---------------------------------------------------------------- one product's figures
# Pure: one product's sums and visits (analytics.queries.products) in, figures out.


def product_period(
    activity: ProductActivity, window: Window, tz: ZoneInfo, granularity: Granularity
) -> tuple[ProductPeriod, list[Bucket]]:
    """The product's figures in `window` and its zero-filled local hours (one-day
    window, up to window.now) or days."""
    start, stop = window.utc_bounds(tz)
    last = min(window.end, window.now.date())
    series = []
    for local in series_starts(window.start, last, start, stop, tz, granularity):
        sums = activity.buckets.get(local.astimezone(dt.UTC), OrderSums())
        series.append(
            Bucket(start=local, revenue=sums.revenue, units=sums.units, orders=sums.orders)
        )
    buckets = activity.buckets.values()
    figures = ProductPeriod(
        start=window.start,
        end=window.end,
        revenue=sum(sums.revenue for sums in buckets),
        units=sum(sums.units for sums in buckets),
        orders=sum(sums.orders for sums in buckets),
        visits=activity.visits,
        converted_visits=activity.converted,
        conversion_rate=ratio(activity.converted, activity.visits),
    )
    return figures, series


def product_change(current: ProductPeriod, previous: ProductPeriod) -> ProductChange:
    return ProductChange(
        revenue=delta(current.revenue, previous.revenue),
        units=delta(current.units, previous.units),
        orders=delta(current.orders, previous.orders),
        visits=delta(current.visits, previous.visits),
        conversion_rate=change(current.conversion_rate, previous.conversion_rate),
    )


def stock_outlook(
    stock: int | None, units: int, now: dt.datetime, days: int = RECENT_DAYS
) -> StockOutlook:
    """Days of stock left at the rate of `units` sold over the `days` before `now`,
    and the local date it runs out (neither when `stock` is unknown)."""
    rate = units / days
    days_left: float | None
    if stock is None:
        days_left = None
    elif stock <= 0:
        days_left = 0.0
    elif rate > 0:
        days_left = stock / rate
    else:
        days_left = None
    stockout = None
    if days_left is not None and days_left <= MAX_STOCKOUT_DAYS:
        stockout = (now + dt.timedelta(days=days_left)).date()
    return StockOutlook(units_per_day=rate, days_left=days_left, stockout_date=stockout)


# ---------------------------------------------------------------- one product's report


def product_report(
    session: Session, store: Store, product_id: int, window: Window
) -> ProductReport | NoData:
    """One product's sales, trend, landing visits and conversion for `window` against
    the previous window, and days of stock left at its recent sales rate.

    NoData reasons: unknown_product (no such product, or another seller's),
    future_period.
    """
    product = product_facts(session, store, product_id)
    if product is None:
        return NoData(reason="unknown_product", detail={"product_id": product_id})
    if window.start > window.now.astimezone(store.timezone).date():
        return NoData(reason="future_period", detail={"start": window.start.isoformat()})
    window = _clamped(store, window)
    # The comparison window: the window's own (the calendar's, analytics.periods), or
    # the window of equal length just before.
    previous_window = window.previous()

    tz = store.timezone
    granularity: Granularity = "hour" if window.days == 1 else "day"
    usable = rollups_usable(session, store)
    current, series = product_period(
        product_activity(session, store, product_id, window, granularity, usable),
        window,
        tz,
        granularity,
    )
    previous, _ = product_period(
        product_activity(session, store, product_id, previous_window, granularity, usable),
        previous_window,
        tz,
        granularity,
    )
    now = window.now
    recent = recent_units(
        session, store, product_id, now - dt.timedelta(days=RECENT_DAYS), now, usable
    )
    outlook = stock_outlook(product.stock, recent, now)
    return ProductReport(
        product_id=product.id,
        name=product.name,
        name_en=product.name_en,
        sku=product.sku,
        price=product.price,
        stock=product.stock,
        currency=store.currency,
        as_of=now,
        so_far=window.end >= now.date(),
        current=current,
        previous=previous,
        compared=compared(window, previous_window, tz),
        change=product_change(current, previous),
        granularity=granularity,
        series=series,
        recent_units_per_day=outlook.units_per_day,
        recent_days=RECENT_DAYS,
        days_of_stock_left=outlook.days_left,
        stockout_date=outlook.stockout_date,
    )
