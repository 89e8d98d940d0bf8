"""The store-wide stock report: every product by the days its stock lasts at its
recent sales rate, those about to sell out and those sold out, and how many
products have a stock the data does not know.

Data contract: the seller's `products` (stock NULL: unknown, e.g. imported
without a stock column; never read as 0) and the units of each sold in paid
orders over the RECENT_DAYS × 24 hours before `now` (analytics.queries.stock:
complete local days from the `product_sales_daily` rollup, the partial edges
from the lines). That is the same rate and the same rule as one product's
report (analytics.products.stock_outlook), so the product report a seller
opens from this list shows the same days.

Figures, per product with a known stock:

    units per day  = units sold in the 14 × 24 hours before now / 14
    days left      = stock / units per day (none without a sale in that time)
    runs out on    = the local date now + days left (none beyond ten years)

Status: out_of_stock (stock ≤ 0), selling_out (0 < days left ≤ SOON_DAYS: it
sells out within a week at its recent rate), in_stock (more days left), idle
(stock > 0 and no sale in the recent time: no days to compute).

Listed, at most `limit`: out of stock first (the faster sellers first), then by
days left, fewest first; idle products come last (by stock, fewest first).
With `category`, only the products whose category equals it (ignoring case
and surrounding spaces); an unknown category is NoData("unknown_category").
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Literal, get_args

from sqlalchemy.orm import Session

from analytics.common import NoData, Result, Store
from analytics.products import RECENT_DAYS, stock_outlook
from analytics.queries.products import category_products, known_categories
from analytics.queries.stock import StockedProduct, stocked_products, units_sold

__all__ = ["SOON_DAYS", "StockItem", "StockReport", "stock_items", "stock_report"]

SOON_DAYS = 7  # at most this many days left: about to sell out (the product report's week)

Status = Literal["out_of_stock", "selling_out", "in_stock", "idle"]


class StockItem(Result):
    product_id: int
    name: str
    name_en: str | None
    sku: str
    category: str | None
    stock: int
    units: int
    """Units sold in the recent time."""
    units_per_day: float
    days_left: float | None
    """stock / units_per_day; 0 when out of stock; None when idle."""
    stockout_date: dt.date | None
    status: Status


class StockReport(Result):
    kind: Literal["stock_report"] = "stock_report"
    as_of: dt.datetime
    recent_days: int
    recent_start: dt.datetime
    """Local start of the recent time the rate is taken over (as_of − recent_days)."""
    soon_days: int
    category: str | None
    """The category looked at (as the catalogue spells it); None: every product."""
    items: list[StockItem]
    """At most `limit`: out of stock, then fewest days left, then idle."""
    products: int
    """Products looked at (of the category)."""
    out_of_stock: int
    selling_out: int
    in_stock: int
    idle: int
    unknown_stock: int
    """Products whose stock the data does not know (left out of the list)."""
    unknown_selling: int
    """Of those, the ones that sold in the recent time."""


def _status(stock: int, days_left: float | None, soon_days: int) -> Status:
    if stock <= 0:
        return "out_of_stock"
    if days_left is None:
        return "idle"
    return "selling_out" if days_left <= soon_days else "in_stock"


def stock_items(
    products: Sequence[StockedProduct],
    units: Mapping[int, int],
    now: dt.datetime,
    *,
    days: int = RECENT_DAYS,
    soon_days: int = SOON_DAYS,
) -> list[StockItem]:
    """Every product with a known stock, with its rate, days left and status, in
    the report's order (see the module docstring). Pure."""
    items = []
    for product in products:
        if product.stock is None:
            continue
        sold = units.get(product.id, 0)
        outlook = stock_outlook(product.stock, sold, now, days)
        items.append(
            StockItem(
                product_id=product.id,
                name=product.name,
                name_en=product.name_en,
                sku=product.sku,
                category=product.category,
                stock=product.stock,
                units=sold,
                units_per_day=outlook.units_per_day,
                days_left=outlook.days_left,
                stockout_date=outlook.stockout_date,
                status=_status(product.stock, outlook.days_left, soon_days),
            )
        )

    def order(item: StockItem) -> tuple[int, float, float, int]:
        if item.status == "out_of_stock":
            return (0, 0.0, -item.units_per_day, item.product_id)
        if item.days_left is None:
            return (2, float(item.stock), 0.0, item.product_id)
        return (1, item.days_left, 0.0, item.product_id)

    return sorted(items, key=order)


def stock_report(
    session: Session,
    store: Store,
    now: dt.datetime,
    *,
    category: str | None = None,
    limit: int = 10,
    soon_days: int = SOON_DAYS,
) -> StockReport | NoData:
    """Days of stock left for every product (of `category`) at its recent sales rate.

    NoData reasons: unknown_category (no product of the seller has it), no_orders
    (the seller has no product yet: products come with the first orders).
    """
    if limit < 1:
        raise ValueError(f"limit must be at least 1, got {limit}")
    local_now = now.astimezone(store.timezone)
    products = stocked_products(session, store)
    spelled = None
    if category is not None:
        spelled, members = category_products(session, store, category)
        if not members:
            known = ", ".join(known_categories(session, store))
            return NoData(reason="unknown_category", detail={"category": category, "known": known})
        products = [product for product in products if product.id in members]
    if not products:
        return NoData(reason="no_orders")
    start = local_now - dt.timedelta(days=RECENT_DAYS)
    units = units_sold(session, store, start, local_now)
    items = stock_items(products, units, local_now, soon_days=soon_days)
    unknown = [product for product in products if product.stock is None]
    count = {status: sum(item.status == status for item in items) for status in get_args(Status)}
    return StockReport(
        as_of=local_now,
        recent_days=RECENT_DAYS,
        recent_start=start,
        soon_days=soon_days,
        category=spelled,
        items=items[:limit],
        products=len(products),
        out_of_stock=count["out_of_stock"],
        selling_out=count["selling_out"],
        in_stock=count["in_stock"],
        idle=count["idle"],
        unknown_stock=len(unknown),
        unknown_selling=sum(1 for product in unknown if units.get(product.id)),
    )
