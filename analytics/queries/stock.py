"""Reads for the stock report: the seller's products with their stock, and the
units each sold (paid) over a recent range.

Units come from the `product_sales_daily` rollup for the range's complete local
days and from the paid orders' lines for its partial edges (the same split as
the product reports, analytics._rollups.span), in one GROUP BY per part.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from analytics._rollups import rollups_usable, span
from analytics.common import Store
from analytics.queries.products import product_sums
from storage.models import Product

__all__ = ["StockedProduct", "stocked_products", "units_sold"]


@dataclass(frozen=True, slots=True)
class StockedProduct:
    id: int
    name: str
    name_en: str | None
    sku: str
    category: str | None
    stock: int | None
    """None: the data does not say (an import without a stock column)."""


def stocked_products(session: Session, store: Store) -> list[StockedProduct]:
    """Every product of the seller with its stock, by id."""
    rows = session.execute(
        select(
            Product.id,
            Product.name,
            Product.name_en,
            Product.sku,
            Product.category,
            Product.stock,
        )
        .where(Product.seller_id == store.id)
        .order_by(Product.id)
    )
    return [StockedProduct(*row) for row in rows]


def units_sold(
    session: Session, store: Store, start: dt.datetime, stop: dt.datetime
) -> dict[int, int]:
    """Units of each product sold in paid orders placed in [start, stop) (products
    without a sale are left out)."""
    usable = rollups_usable(session, store)
    recent = span(session, store, start, stop, usable=usable)
    empty = span(session, store, start, start, usable=usable)
    sums = product_sums(session, store, recent, empty)
    return {pid: windows.current.units for pid, windows in sums.items() if windows.current.units}
