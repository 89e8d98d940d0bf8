"""What sells: the top, rising and falling products of a window, and one
product's trend, visits, conversion and days of stock left.

Data contract: `order_items` of the seller's paid `orders` in the window and
the previous window of equal length (Window.previous(); today so far meets
the same hours yesterday), summed per product in SQL: complete local days
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

Rising and falling rank products by the relative change of the chosen metric
(ties: the larger absolute change first). A change on a handful of sales is
noise ("1 sold → 4 sold" is not +300 % news), so a product is compared only
when it sold at least `min_previous_units` (default 5) in the previous window
and at least `min_total_units` (default 10) in both windows together.

Conversion = landing visits whose order is paid / landing visits on the
product. Days of stock left = current stock / the product's average units per
day over the 14 × 24 hours before `window.now` (None without sales in that
time; 0 when out of stock).
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from sqlalchemy import ColumnElement, case, distinct, exists, func, literal, or_, select
from sqlalchemy.orm import Session

from analytics._rollups import Span, day_start, rollups_usable, span
from analytics._sql import bucket_key, bucket_step, series_starts, time_bucket
from analytics.common import NoData, Result, Store, Window
from analytics.sales import Bucket, Change, change, delta, ratio
from storage.models import (
    Order,
    OrderItem,
    Product,
    ProductSalesDaily,
    ProductVisitsDaily,
    SalesDaily,
    Visit,
)

__all__ = [
    "MIN_PREVIOUS_UNITS",
    "MIN_TOTAL_UNITS",
    "RECENT_DAYS",
    "ProductChange",
    "ProductFigures",
    "ProductPeriod",
    "ProductRanking",
    "ProductReport",
    "RankedProduct",
    "product_report",
    "top_products",
]

Metric = Literal["revenue", "units"]
Direction = Literal["top", "rising", "falling"]

MIN_PREVIOUS_UNITS = 5
MIN_TOTAL_UNITS = 10
RECENT_DAYS = 14
MAX_STOCKOUT_DAYS = 3650  # a stock-out further away than this has no date


class ProductFigures(Result):
    revenue: int
    units: int
    orders: int


class RankedProduct(Result):
    product_id: int
    name: str
    sku: str
    current: ProductFigures
    previous: ProductFigures
    revenue_change: Change
    units_change: Change
    share: float | None
    """The product's part of the window's metric total over all products."""


class ProductRanking(Result):
    kind: Literal["product_ranking"] = "product_ranking"
    metric: Metric
    direction: Direction
    currency: str
    start: dt.date
    end: dt.date
    previous_start: dt.date
    previous_end: dt.date
    so_far: bool
    items: list[RankedProduct]
    """At most `limit` products; for rising/falling only those with enough volume and a
    change in that direction (may be empty: nothing sold enough to compare)."""
    total: ProductFigures
    """All products in the window; orders: the paid orders placed in it."""
    products_sold: int
    """Products with a sale in the window."""
    eligible: int
    """Products compared (rising/falling: meeting the minimum volume; top: products_sold)."""
    min_previous_units: int
    min_total_units: int


def _window_bounds(store: Store, window: Window) -> tuple[Window, dt.date, Window]:
    """The window with local now and no day after today, today, and the previous window."""
    now = window.now.astimezone(store.timezone)
    today = now.date()
    current = Window(window.start, min(window.end, today), now)
    return current, today, current.previous()


def _has_orders(session: Session, store: Store) -> bool:
    return bool(session.scalar(select(exists().where(Order.seller_id == store.id))))


def _plus(figures: ProductFigures, revenue: int, units: int, orders: int) -> ProductFigures:
    return ProductFigures(
        revenue=figures.revenue + revenue,
        units=figures.units + units,
        orders=figures.orders + orders,
    )


_ProductRow = tuple[int, bool, int, int, int]
"""(product id, in the current window, revenue, units, paid orders containing it)."""


def _product_sums(
    session: Session, store: Store, current: Span, previous: Span
) -> list[_ProductRow]:
    """Per product and window: complete days from `product_sales_daily` (one range
    scan over both windows' days), the partial edges from the paid orders' lines.
    Per-day order counts add up: an order falls on exactly one day."""
    rows: list[_ProductRow] = []
    ranges = [
        (parts.first_day, parts.last_day)
        for parts in (previous, current)
        if parts.first_day is not None and parts.last_day is not None
    ]
    if ranges:
        is_current = (
            ProductSalesDaily.date >= current.first_day
            if current.first_day is not None
            else literal(False)
        ).label("is_current")
        query = (
            select(
                ProductSalesDaily.product_id,
                is_current,
                func.sum(ProductSalesDaily.revenue),
                func.sum(ProductSalesDaily.units),
                func.sum(ProductSalesDaily.orders),
            )
            .where(
                ProductSalesDaily.seller_id == store.id,
                ProductSalesDaily.date >= ranges[0][0],
                ProductSalesDaily.date <= ranges[-1][1],
                or_(*[ProductSalesDaily.date.between(first, last) for first, last in ranges]),
            )
            .group_by(ProductSalesDaily.product_id, is_current)
        )
        rows.extend(
            (int(pid), bool(flag), int(revenue), int(units), int(orders))
            for pid, flag, revenue, units, orders in session.execute(query)
        )
    for flag, parts in ((False, previous), (True, current)):
        for start, stop in parts.edges:
            lines = (
                select(
                    OrderItem.product_id,
                    func.sum(OrderItem.quantity * OrderItem.unit_price),
                    func.sum(OrderItem.quantity),
                    func.count(distinct(Order.id)),
                )
                .join(Order, Order.id == OrderItem.order_id)
                .where(
                    Order.seller_id == store.id,
                    Order.status == "paid",
                    Order.ordered_at >= start,
                    Order.ordered_at < stop,
                    OrderItem.product_id.is_not(None),
                )
                .group_by(OrderItem.product_id)
            )
            rows.extend(
                (int(pid or 0), flag, int(revenue), int(units), int(orders))
                for pid, revenue, units, orders in session.execute(lines)
            )
    return rows


def _paid_orders(session: Session, store: Store, parts: Span) -> int:
    """Paid orders placed in a split window."""
    total = 0
    if parts.first_day is not None:
        total += int(
            session.scalar(
                select(func.coalesce(func.sum(SalesDaily.orders), 0)).where(
                    SalesDaily.seller_id == store.id,
                    SalesDaily.status == "paid",
                    SalesDaily.date >= parts.first_day,
                    SalesDaily.date <= parts.last_day,
                )
            )
            or 0
        )
    for start, stop in parts.edges:
        total += int(
            session.scalar(
                select(func.count()).where(
                    Order.seller_id == store.id,
                    Order.status == "paid",
                    Order.ordered_at >= start,
                    Order.ordered_at < stop,
                )
            )
            or 0
        )
    return total


def top_products(
    session: Session,
    store: Store,
    window: Window,
    metric: Metric = "revenue",
    direction: Direction = "top",
    limit: int = 5,
    *,
    min_previous_units: int = MIN_PREVIOUS_UNITS,
    min_total_units: int = MIN_TOTAL_UNITS,
) -> ProductRanking | NoData:
    """The best-selling products of `window` by revenue or units, or those rising or
    falling most against the previous window of equal length.

    NoData reasons: future_period, no_orders (the seller never had an order),
    empty_period (no paid sale in the window, nor, for rising/falling, before it).
    """
    if metric not in ("revenue", "units"):
        raise ValueError(f"unknown metric {metric!r}")
    if direction not in ("top", "rising", "falling"):
        raise ValueError(f"unknown direction {direction!r}")
    if limit < 1:
        raise ValueError(f"limit must be at least 1, got {limit}")
    if window.start > window.now.astimezone(store.timezone).date():
        return NoData(reason="future_period", detail={"start": window.start.isoformat()})
    window, _, previous = _window_bounds(store, window)
    tz = store.timezone
    usable = rollups_usable(session, store)
    current_span = span(session, store, *window.utc_bounds(tz), usable=usable)
    previous_span = span(session, store, *previous.utc_bounds(tz), usable=usable)
    zero = ProductFigures(revenue=0, units=0, orders=0)
    sums: dict[int, tuple[ProductFigures, ProductFigures]] = {}
    for pid, is_current, revenue, units, orders in _product_sums(
        session, store, current_span, previous_span
    ):
        now_, before = sums.get(pid, (zero, zero))
        if is_current:
            now_ = _plus(now_, revenue, units, orders)
        else:
            before = _plus(before, revenue, units, orders)
        sums[pid] = (now_, before)
    sold = {pid: figures for pid, figures in sums.items() if figures[0].units > 0}
    if not (sold if direction == "top" else sums):
        if not _has_orders(session, store):
            return NoData(reason="no_orders")
        return NoData(
            reason="empty_period",
            detail={"start": window.start.isoformat(), "end": window.end.isoformat()},
        )
    total = ProductFigures(
        revenue=sum(f[0].revenue for f in sums.values()),
        units=sum(f[0].units for f in sums.values()),
        orders=_paid_orders(session, store, current_span),
    )

    def value(figures: ProductFigures) -> int:
        return figures.revenue if metric == "revenue" else figures.units

    if direction == "top":
        candidates = sorted(sold, key=lambda pid: (-value(sold[pid][0]), pid))
    else:
        eligible_ids = [
            pid
            for pid, (now_, before) in sums.items()
            if before.units >= min_previous_units
            and now_.units + before.units >= min_total_units
            and value(before) > 0
        ]

        def relative(pid: int) -> float:
            now_, before = sums[pid]
            return value(now_) / value(before) - 1

        sign = 1 if direction == "rising" else -1
        candidates = sorted(
            (pid for pid in eligible_ids if sign * relative(pid) > 0),
            key=lambda pid: (
                -sign * relative(pid),
                -sign * (value(sums[pid][0]) - value(sums[pid][1])),
                pid,
            ),
        )
    chosen = candidates[:limit]
    names = {
        row.id: row
        for row in session.execute(
            select(Product.id, Product.name, Product.sku).where(
                Product.id.in_(chosen), Product.seller_id == store.id
            )
        )
    }
    items = [
        RankedProduct(
            product_id=pid,
            name=names[pid].name,
            sku=names[pid].sku,
            current=sums[pid][0],
            previous=sums[pid][1],
            revenue_change=delta(sums[pid][0].revenue, sums[pid][1].revenue),
            units_change=delta(sums[pid][0].units, sums[pid][1].units),
            share=ratio(value(sums[pid][0]), value(total)),
        )
        for pid in chosen
        if pid in names
    ]
    return ProductRanking(
        metric=metric,
        direction=direction,
        currency=store.currency,
        start=window.start,
        end=window.end,
        previous_start=previous.start,
        previous_end=previous.end,
        so_far=window.end >= window.now.date(),
        items=items,
        total=total,
        products_sold=len(sold),
        eligible=len(sold) if direction == "top" else len(eligible_ids),
        min_previous_units=min_previous_units,
        min_total_units=min_total_units,
    )


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
    sku: str
    price: int
    stock: int
    currency: str
    as_of: dt.datetime
    so_far: bool
    current: ProductPeriod
    previous: ProductPeriod
    change: ProductChange
    granularity: Literal["hour", "day"]
    series: list[Bucket]
    """The product's zero-filled local hours (one-day window) or days."""
    recent_units_per_day: float
    """Average units a day over the RECENT_DAYS × 24 hours before `as_of`."""
    recent_days: int
    days_of_stock_left: float | None
    """stock / recent_units_per_day; None without recent sales, 0 when out of stock."""
    stockout_date: dt.date | None
    """The local date stock runs out at the recent rate (as_of + days of stock left);
    None without a rate or beyond ten years."""


def _product_lines(
    store: Store, product_id: int, start: dt.datetime, stop: dt.datetime
) -> list[ColumnElement[bool]]:
    """The where-clause of one product's paid lines ordered in [start, stop)."""
    return [
        Order.seller_id == store.id,
        Order.status == "paid",
        Order.ordered_at >= start,
        Order.ordered_at < stop,
        OrderItem.product_id == product_id,
    ]


def _product_days(
    store: Store,
    product_id: int,
    model: type[ProductSalesDaily] | type[ProductVisitsDaily],
    parts: Span,
) -> list[ColumnElement[bool]]:
    """The where-clause of one product's rollup rows on a span's complete days."""
    return [
        model.seller_id == store.id,
        model.product_id == product_id,
        model.date >= parts.first_day,
        model.date <= parts.last_day,
    ]


def _product_period(
    session: Session,
    store: Store,
    product_id: int,
    window: Window,
    granularity: Literal["hour", "day"],
    usable: bool,
) -> tuple[ProductPeriod, list[Bucket]]:
    tz = store.timezone
    start, stop = window.utc_bounds(tz)
    parts = span(session, store, start, stop, usable=usable and granularity == "day")
    # an order falls in exactly one bucket, so per-bucket order counts add up
    by_key: dict[dt.datetime, list[int]] = {}

    def add(key: dt.datetime, revenue: int, units: int, orders: int) -> None:
        summed = by_key.setdefault(key, [0, 0, 0])
        summed[0] += int(revenue)
        summed[1] += int(units)
        summed[2] += int(orders)

    visits = converted = 0
    if parts.first_day is not None:
        for day, revenue, units, orders in session.execute(
            select(
                ProductSalesDaily.date,
                ProductSalesDaily.revenue,
                ProductSalesDaily.units,
                ProductSalesDaily.orders,
            ).where(*_product_days(store, product_id, ProductSalesDaily, parts))
        ):
            add(day_start(day, store), revenue, units, orders)
        day_visits, day_converted = session.execute(
            select(
                func.coalesce(func.sum(ProductVisitsDaily.visits), 0),
                func.coalesce(func.sum(ProductVisitsDaily.converted), 0),
            ).where(*_product_days(store, product_id, ProductVisitsDaily, parts))
        ).one()
        visits += int(day_visits)
        converted += int(day_converted)
    paid_order = select(Order.id).where(Order.id == Visit.order_id, Order.status == "paid")
    for edge_start, edge_stop in parts.edges:
        step = bucket_step(tz, edge_start, edge_stop)
        bucket = time_bucket(session, Order.ordered_at, step)
        for number, revenue, units, orders in session.execute(
            select(
                bucket,
                func.sum(OrderItem.quantity * OrderItem.unit_price),
                func.sum(OrderItem.quantity),
                func.count(distinct(Order.id)),
            )
            .join(Order, Order.id == OrderItem.order_id)
            .where(*_product_lines(store, product_id, edge_start, edge_stop))
            .group_by(bucket)
        ):
            add(bucket_key(number, step, tz, granularity), revenue, units, orders)
        edge_visits, edge_converted = session.execute(
            select(
                func.count(),
                func.coalesce(func.sum(case((paid_order.exists(), 1), else_=0)), 0),
            ).where(
                Visit.seller_id == store.id,
                Visit.landing_product_id == product_id,
                Visit.started_at >= edge_start,
                Visit.started_at < edge_stop,
            )
        ).one()
        visits += int(edge_visits)
        converted += int(edge_converted)
    last = min(window.end, window.now.date())
    series = []
    for local in series_starts(window.start, last, start, stop, tz, granularity):
        revenue, units, orders = by_key.get(local.astimezone(dt.UTC), [0, 0, 0])
        series.append(Bucket(start=local, revenue=revenue, units=units, orders=orders))
    figures = ProductPeriod(
        start=window.start,
        end=window.end,
        revenue=sum(v[0] for v in by_key.values()),
        units=sum(v[1] for v in by_key.values()),
        orders=sum(v[2] for v in by_key.values()),
        visits=visits,
        converted_visits=converted,
        conversion_rate=ratio(converted, visits),
    )
    return figures, series


def _recent_units(
    session: Session, store: Store, product_id: int, now: dt.datetime, usable: bool
) -> int:
    """Units of the product sold in the RECENT_DAYS × 24 hours before `now`: complete
    local days from the rollup, the two partial edges from the lines."""
    parts = span(session, store, now - dt.timedelta(days=RECENT_DAYS), now, usable=usable)
    units = 0
    if parts.first_day is not None:
        units += int(
            session.scalar(
                select(func.coalesce(func.sum(ProductSalesDaily.units), 0)).where(
                    *_product_days(store, product_id, ProductSalesDaily, parts)
                )
            )
            or 0
        )
    for start, stop in parts.edges:
        units += int(
            session.scalar(
                select(func.coalesce(func.sum(OrderItem.quantity), 0))
                .join(Order, Order.id == OrderItem.order_id)
                .where(*_product_lines(store, product_id, start, stop))
            )
            or 0
        )
    return units


def product_report(
    session: Session, store: Store, product_id: int, window: Window
) -> ProductReport | NoData:
    """One product's sales, trend, landing visits and conversion for `window` against
    the previous window, and days of stock left at its recent sales rate.

    NoData reasons: unknown_product (no such product, or another seller's),
    future_period.
    """
    product = session.get(Product, product_id)
    if product is None or product.seller_id != store.id:
        return NoData(reason="unknown_product", detail={"product_id": product_id})
    if window.start > window.now.astimezone(store.timezone).date():
        return NoData(reason="future_period", detail={"start": window.start.isoformat()})
    window, today, previous_window = _window_bounds(store, window)
    granularity: Literal["hour", "day"] = "hour" if window.days == 1 else "day"
    usable = rollups_usable(session, store)
    current, series = _product_period(session, store, product_id, window, granularity, usable)
    previous, _ = _product_period(session, store, product_id, previous_window, granularity, usable)

    now = window.now
    rate = _recent_units(session, store, product_id, now, usable) / RECENT_DAYS
    days_left: float | None
    if product.stock <= 0:
        days_left = 0.0
    elif rate > 0:
        days_left = product.stock / rate
    else:
        days_left = None
    stockout = None
    if days_left is not None and days_left <= MAX_STOCKOUT_DAYS:
        stockout = (now + dt.timedelta(days=days_left)).date()
    return ProductReport(
        product_id=product.id,
        name=product.name,
        sku=product.sku,
        price=product.price,
        stock=product.stock,
        currency=store.currency,
        as_of=now,
        so_far=window.end >= today,
        current=current,
        previous=previous,
        change=ProductChange(
            revenue=delta(current.revenue, previous.revenue),
            units=delta(current.units, previous.units),
            orders=delta(current.orders, previous.orders),
            visits=delta(current.visits, previous.visits),
            conversion_rate=change(current.conversion_rate, previous.conversion_rate),
        ),
        granularity=granularity,
        series=series,
        recent_units_per_day=rate,
        recent_days=RECENT_DAYS,
        days_of_stock_left=days_left,
        stockout_date=stockout,
    )
