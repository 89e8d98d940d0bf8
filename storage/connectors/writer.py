"""One connector page -> the database, through the importers' write path.

`write_page` writes, inside the caller's transaction: the page's products first
(so its orders' lines find them), then its orders (`storage.importing.write_orders`:
upserted by external id, a re-read order whose status or lines changed is updated
with its days' rollups), then its ad days (`write_ads`: a restated day replaces the
stored one), then its keyword clicks as search-keyword visits
(storage.connectors.keyword_visits: a restated day replaces its count).

Products are matched within the seller by SKU, else by name (as order lines are);
a missing one is created (price 0 when the platform gave none). A given stock,
price, name, English name or category replaces the stored one; a stock of None
leaves the stored figure as it is (unknown stays unknown, never 0).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.connectors._source import Page, ProductStock
from storage.connectors.keyword_visits import write_keyword_days
from storage.importing import ParsedAds, ParsedOrders
from storage.models import Product

SKU_LENGTH = 100


@dataclass(frozen=True, slots=True)
class PageCounts:
    """What one page changed."""

    orders: int = 0  # new orders
    updated: int = 0  # orders whose status, time, customer or lines changed
    unchanged: int = 0  # orders read again as they were
    products_created: int = 0
    products_updated: int = 0
    ad_days: int = 0  # campaign-days added or restated
    keyword_days: int = 0  # keyword-days whose click count changed


class PageWriteError(ValueError):
    """A page the store cannot take (e.g. two campaigns by one name without ids)."""


def _sku(product: ProductStock) -> str:
    return product.sku or product.name[:SKU_LENGTH]


def write_products(
    session: Session, seller_id: int, products: Sequence[ProductStock]
) -> tuple[int, int]:
    """Create or update the seller's products; (created, updated)."""
    latest = {(_sku(product), product.sku is None): product for product in products}
    if not latest:
        return 0, 0
    stored = list(
        session.scalars(
            select(Product)
            .where(
                Product.seller_id == seller_id,
                Product.sku.in_(sorted({sku for sku, _ in latest}))
                | Product.name.in_(
                    sorted({p.name for (_, by_name), p in latest.items() if by_name})
                ),
            )
            .order_by(Product.id)
        )
    )
    by_sku = {product.sku: product for product in stored}
    by_name: dict[str, Product] = {}
    for product in stored:
        by_name.setdefault(product.name, product)  # lowest id wins, as for order lines
    created = updated = 0
    for (sku, by_name_only), given in latest.items():
        found = (by_name.get(given.name) if by_name_only else None) or by_sku.get(sku)
        if found is None:
            found = Product(
                seller_id=seller_id,
                sku=sku,
                name=given.name,
                price=given.price or 0,
                stock=given.stock,
                name_en=given.name_en,
                category=given.category,
            )
            session.add(found)
            by_sku[sku] = found
            created += 1
            continue
        before = (found.name, found.price, found.stock, found.name_en, found.category)
        found.name = given.name or found.name
        for field in ("price", "stock", "name_en", "category"):
            value = getattr(given, field)
            if value is not None:
                setattr(found, field, value)
        if (found.name, found.price, found.stock, found.name_en, found.category) != before:
            updated += 1
    session.flush()
    return created, updated


def write_page(session: Session, seller_id: int, page: Page, *, source: str) -> PageCounts:
    """Write one page (see the module docstring); the caller owns the transaction."""
    # the writers load the PostgreSQL driver (COPY): not on every start of the advisor, which
    # reads accounts' freshness through this package
    from storage.importing import write_ads, write_orders

    created, updated_products = write_products(session, seller_id, page.products)
    orders = write_orders(session, seller_id, ParsedOrders(source, page.orders, 0, ()))
    ad_days = 0
    if page.ad_days:
        ads = write_ads(session, seller_id, ParsedAds(source, page.ad_days, ()))
        if ads.errors:
            raise PageWriteError("; ".join(error.reason for error in ads.errors))
        ad_days = ads.added + ads.updated
    keyword_days = 0
    if page.keyword_days or page.keyword_dates:
        keyword_days = write_keyword_days(
            session, seller_id, page.keyword_days, dates=page.keyword_dates
        )
    return PageCounts(
        orders=orders.orders,
        updated=orders.updated,
        unchanged=orders.already_imported,
        products_created=created,
        products_updated=updated_products,
        ad_days=ad_days,
        keyword_days=keyword_days,
    )
