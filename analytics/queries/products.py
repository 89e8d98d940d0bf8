"""Reads for the product reports: paid sales per product over a window and its
comparison window, the window's paid orders, product names; for one product,
its facts, its paid sales per local hour or day with its landing visits, and
its units sold over a recent range; the cancelled and refunded lines per product;
the products of a category.

Complete local days come from the `product_sales_daily`, `product_visits_daily`
and `sales_daily` rollups, the partial edges from the paid orders' lines and
the `visits` rows. Lines whose product was deleted (product_id NULL) are not
read.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import ColumnElement, case, distinct, func, literal, or_, select
from sqlalchemy.orm import Session

from analytics._rollups import Span, day_start, span
from analytics._sql import bucket_key, bucket_step, time_bucket
from analytics.common import Store, Window
from analytics.queries.sales import Granularity, OrderSums
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
    "ProductActivity",
    "ProductFacts",
    "ProductName",
    "ProductWindows",
    "RefundSums",
    "category_products",
    "known_categories",
    "paid_orders",
    "paid_orders_of",
    "product_activity",
    "product_facts",
    "product_names",
    "product_sums",
    "recent_units",
    "refund_sums",
]


@dataclass(frozen=True, slots=True)
class ProductWindows:
    """One product's paid sales in the current and the previous window: revenue
    (Σ quantity × unit price), units (Σ quantity), orders (paid orders with it)."""

    current: OrderSums = OrderSums()
    previous: OrderSums = OrderSums()


@dataclass(frozen=True, slots=True)
class ProductName:
    id: int
    name: str
    sku: str
    name_en: str | None = None


@dataclass(frozen=True, slots=True)
class ProductFacts:
    id: int
    name: str
    sku: str
    price: int
    stock: int | None
    """None: the data does not say (an import without a stock column)."""
    name_en: str | None = None


@dataclass(frozen=True, slots=True)
class RefundSums:
    """One product's cancelled and refunded lines in a window: amount (Σ quantity ×
    unit price), units, and the orders with it by status."""

    amount: int = 0
    units: int = 0
    cancelled_orders: int = 0
    refunded_orders: int = 0

    @property
    def orders(self) -> int:
        return self.cancelled_orders + self.refunded_orders

    def __add__(self, other: RefundSums) -> RefundSums:
        return RefundSums(
            self.amount + other.amount,
            self.units + other.units,
            self.cancelled_orders + other.cancelled_orders,
            self.refunded_orders + other.refunded_orders,
        )


@dataclass(frozen=True, slots=True)
class ProductActivity:
    """One product in one window: paid sales per bucket and landing visits."""

    buckets: dict[dt.datetime, OrderSums]
    """{UTC instant a local hour or day starts at: the product's paid sales in it}."""
    visits: int
    """Visits that landed on the product's page."""
    converted: int
    """Of those, visits whose order is paid."""


def _paid_lines(start: dt.datetime, stop: dt.datetime) -> list[ColumnElement[bool]]:
    return [Order.status == "paid", Order.ordered_at >= start, Order.ordered_at < stop]


def product_sums(
    session: Session, store: Store, current: Span, previous: Span
) -> dict[int, ProductWindows]:
    """Paid sales per product that sold in either window: complete days from
    `product_sales_daily` (one range scan over both windows' days), the partial
    edges from the lines. Per-day order counts add up: an order falls on one day."""
    sums: dict[int, ProductWindows] = {}

    def add(pid: int, is_current: bool, revenue: int, units: int, orders: int) -> None:
        found = sums.get(pid, ProductWindows())
        more = OrderSums(orders=int(orders), revenue=int(revenue), units=int(units))
        sums[pid] = (
            ProductWindows(found.current + more, found.previous)
            if is_current
            else ProductWindows(found.current, found.previous + more)
        )

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
        for pid, flag, revenue, units, orders in session.execute(query):
            add(int(pid), bool(flag), revenue, units, orders)
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
                    *_paid_lines(start, stop),
                    OrderItem.product_id.is_not(None),
                )
                .group_by(OrderItem.product_id)
            )
            for line_pid, revenue, units, orders in session.execute(lines):
                add(int(line_pid or 0), flag, revenue, units, orders)
    return sums


def paid_orders(session: Session, store: Store, parts: Span) -> int:
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
                select(func.count()).where(Order.seller_id == store.id, *_paid_lines(start, stop))
            )
            or 0
        )
    return total


def paid_orders_of(
    session: Session, store: Store, start: dt.datetime, stop: dt.datetime, ids: Iterable[int]
) -> int:
    """Paid orders placed in [start, stop) with a line of one of the products `ids`."""
    wanted = list(ids)
    if not wanted:
        return 0
    return int(
        session.scalar(
            select(func.count(distinct(Order.id)))
            .join(OrderItem, OrderItem.order_id == Order.id)
            .where(
                Order.seller_id == store.id,
                *_paid_lines(start, stop),
                OrderItem.product_id.in_(wanted),
            )
        )
        or 0
    )


def refund_sums(
    session: Session, store: Store, start: dt.datetime, stop: dt.datetime
) -> dict[int, RefundSums]:
    """Per product, the lines of the seller's cancelled and refunded orders placed in
    [start, stop) (by when the order was placed, as the sales report counts them)."""
    sums: dict[int, RefundSums] = {}
    rows = session.execute(
        select(
            OrderItem.product_id,
            Order.status,
            func.sum(OrderItem.quantity * OrderItem.unit_price),
            func.sum(OrderItem.quantity),
            func.count(distinct(Order.id)),
        )
        .join(Order, Order.id == OrderItem.order_id)
        .where(
            Order.seller_id == store.id,
            Order.status.in_(("cancelled", "refunded")),
            Order.ordered_at >= start,
            Order.ordered_at < stop,
            OrderItem.product_id.is_not(None),
        )
        .group_by(OrderItem.product_id, Order.status)
    )
    for pid, status, amount, units, orders in rows:
        cancelled = int(orders) if status == "cancelled" else 0
        more = RefundSums(int(amount), int(units), cancelled, int(orders) - cancelled)
        sums[int(pid or 0)] = sums.get(int(pid or 0), RefundSums()) + more
    return sums


def category_products(session: Session, store: Store, category: str) -> tuple[str, set[int]]:
    """The seller's products whose category equals `category` ignoring case and
    surrounding spaces, and the category as the catalogue spells it (its oldest
    product's spelling; "" and no ids when none has it)."""
    wanted = category.strip().casefold()
    spelled, ids = "", set()
    rows = session.execute(
        select(Product.id, Product.category)
        .where(Product.seller_id == store.id, Product.category.is_not(None))
        .order_by(Product.id)
    )
    for pid, name in rows:
        if name is not None and name.strip().casefold() == wanted:
            spelled = spelled or name.strip()
            ids.add(int(pid))
    return spelled, ids


def known_categories(session: Session, store: Store) -> list[str]:
    """The seller's product categories, one spelling each (its oldest product's;
    "Coffee" and "coffee" are one category), sorted ignoring case."""
    spelled: dict[str, str] = {}
    rows = session.scalars(
        select(Product.category)
        .where(Product.seller_id == store.id, Product.category.is_not(None))
        .order_by(Product.id)
    )
    for name in rows:
        if name and name.strip():
            spelled.setdefault(name.strip().casefold(), name.strip())
    return [spelled[key] for key in sorted(spelled)]


def product_names(session: Session, store: Store, ids: Iterable[int]) -> dict[int, ProductName]:
    """The seller's products among `ids` (another seller's are left out)."""
    rows = session.execute(
        select(Product.id, Product.name, Product.sku, Product.name_en).where(
            Product.id.in_(list(ids)), Product.seller_id == store.id
        )
    )
    return {pid: ProductName(pid, name, sku, name_en) for pid, name, sku, name_en in rows}


def product_facts(session: Session, store: Store, product_id: int) -> ProductFacts | None:
    """The product's name, SKU, price and stock; None when it is not the seller's."""
    product = session.get(Product, product_id)
    if product is None or product.seller_id != store.id:
        return None
    return ProductFacts(
        product.id, product.name, product.sku, product.price, product.stock, product.name_en
    )


def _one_product(
    store: Store, product_id: int, start: dt.datetime, stop: dt.datetime
) -> list[ColumnElement[bool]]:
    """The where-clause of one product's paid lines ordered in [start, stop)."""
    return [
        Order.seller_id == store.id,
        *_paid_lines(start, stop),
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


def product_activity(
    session: Session,
    store: Store,
    product_id: int,
    window: Window,
    granularity: Granularity,
    usable: bool,
) -> ProductActivity:
    """One product's paid sales per local hour or day and its landing visits in
    `window`; complete days from the rollups when `usable` and daily."""
    tz = store.timezone
    start, stop = window.utc_bounds(tz)
    parts = span(session, store, start, stop, usable=usable and granularity == "day")
    # an order falls in exactly one bucket, so per-bucket order counts add up
    buckets: dict[dt.datetime, OrderSums] = {}

    def add(key: dt.datetime, revenue: int, units: int, orders: int) -> None:
        more = OrderSums(orders=int(orders), revenue=int(revenue), units=int(units))
        buckets[key] = buckets.get(key, OrderSums()) + more

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
            .where(*_one_product(store, product_id, edge_start, edge_stop))
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
    return ProductActivity(buckets, visits, converted)


def recent_units(
    session: Session,
    store: Store,
    product_id: int,
    start: dt.datetime,
    stop: dt.datetime,
    usable: bool,
) -> int:
    """Units of the product sold (paid) in [start, stop): complete local days from the
    rollup, the two partial edges from the lines."""
    parts = span(session, store, start, stop, usable=usable)
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
    for edge_start, edge_stop in parts.edges:
        units += int(
            session.scalar(
                select(func.coalesce(func.sum(OrderItem.quantity), 0))
                .join(Order, Order.id == OrderItem.order_id)
                .where(*_one_product(store, product_id, edge_start, edge_stop))
            )
            or 0
        )
    return units
