"""Parsed orders -> the database, through `storage.writes.add_order`.

Idempotent: an order whose external id the seller already has is skipped and
counted as already imported, so re-importing a file adds nothing. Products are
found by SKU within the seller (or by name when the export has no SKU) and
customers by their id or e-mail; missing ones are created from the row.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.importing.order_rows import ParsedLine, ParsedOrders
from storage.importing.report import OrdersReport
from storage.models import Customer, Order, Product
from storage.writes import Line, add_order

CHUNK = 500
T = TypeVar("T")


def _chunks(items: Sequence[T]) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), CHUNK):
        yield items[start : start + CHUNK]


def _existing_orders(session: Session, seller_id: int, external_ids: Sequence[str]) -> set[str]:
    found: set[str] = set()
    for chunk in _chunks(external_ids):
        found.update(
            session.scalars(
                select(Order.external_id).where(
                    Order.seller_id == seller_id, Order.external_id.in_(chunk)
                )
            )
        )
    return found


class _Products:
    """The seller's products by SKU and by name, creating missing ones on demand."""

    def __init__(self, session: Session, seller_id: int, lines: Iterable[ParsedLine]) -> None:
        self.session, self.seller_id = session, seller_id
        self.by_sku: dict[str, int] = {}
        self.by_name: dict[str, int] = {}
        self.created: list[int] = []
        skus = sorted({line.sku or line.product_name[:100] for line in lines})
        names = sorted({line.product_name for line in lines if line.sku is None})
        for chunk in _chunks(skus):
            rows = session.execute(
                select(Product.sku, Product.id).where(
                    Product.seller_id == seller_id, Product.sku.in_(chunk)
                )
            )
            self.by_sku.update({sku: product_id for sku, product_id in rows})
        for chunk in _chunks(names):
            rows = session.execute(
                select(Product.name, Product.id)
                .where(Product.seller_id == seller_id, Product.name.in_(chunk))
                .order_by(Product.id.desc())
            )
            self.by_name.update({name: product_id for name, product_id in rows})

    def id_for(self, line: ParsedLine) -> int:
        if line.sku is None and line.product_name in self.by_name:
            return self.by_name[line.product_name]
        sku = line.sku or line.product_name[:100]
        product_id = self.by_sku.get(sku)
        if product_id is None:
            product = Product(
                seller_id=self.seller_id, sku=sku, name=line.product_name, price=line.unit_price
            )
            self.session.add(product)
            self.session.flush()
            product_id = self.by_sku[sku] = product.id
            self.created.append(product_id)
        return product_id


class _Customers:
    def __init__(self, session: Session, seller_id: int, keys: Sequence[str]) -> None:
        self.session, self.seller_id = session, seller_id
        self.by_key: dict[str, int] = {}
        self.created = 0
        for chunk in _chunks(keys):
            rows = session.execute(
                select(Customer.external_id, Customer.id).where(
                    Customer.seller_id == seller_id, Customer.external_id.in_(chunk)
                )
            )
            self.by_key.update({key: customer_id for key, customer_id in rows})

    def id_for(self, key: str, name: str | None) -> int:
        customer_id = self.by_key.get(key)
        if customer_id is None:
            customer = Customer(seller_id=self.seller_id, external_id=key, name=name)
            self.session.add(customer)
            self.session.flush()
            customer_id = self.by_key[key] = customer.id
            self.created += 1
        return customer_id


def write_orders(session: Session, seller_id: int, parsed: ParsedOrders) -> OrdersReport:
    """Write the orders the seller does not have yet; the caller owns the transaction."""
    if parsed.errors:
        raise ValueError("refusing to write orders from a file with errors")
    existing = _existing_orders(session, seller_id, [order.external_id for order in parsed.orders])
    new_orders = [order for order in parsed.orders if order.external_id not in existing]
    products = _Products(session, seller_id, (line for order in new_orders for line in order.lines))
    customers = _Customers(
        session, seller_id, sorted({order.customer for order in new_orders if order.customer})
    )
    order_ids: list[int] = []
    line_count = 0
    for order in new_orders:
        customer_id = (
            customers.id_for(order.customer, order.customer_name) if order.customer else None
        )
        lines = [
            Line(products.id_for(line), line.quantity, line.unit_price) for line in order.lines
        ]
        stored = add_order(
            session,
            seller_id=seller_id,
            external_id=order.external_id,
            ordered_at=order.ordered_at,
            status=order.status,
            lines=lines,
            customer_id=customer_id,
        )
        order_ids.append(stored.id)
        line_count += len(lines)
    session.flush()
    return OrdersReport(
        source=parsed.source,
        orders=len(order_ids),
        lines=line_count,
        new_products=len(products.created),
        new_customers=customers.created,
        already_imported=len(existing),
        not_completed=parsed.not_completed,
        order_ids=tuple(order_ids),
        new_product_ids=tuple(products.created),
    )
