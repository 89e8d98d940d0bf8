"""Parsed orders -> the database, in bulk.

Idempotent: an order whose external id the seller already has is skipped and
counted as already imported, so re-importing a file adds nothing. Products are
found by SKU within the seller (or by name when the export has no SKU) and
customers by their id or e-mail; missing ones are created from the row.
A created product's stock is the file's `stock` cell, else unknown (NULL);
every product the file gives a stock for gets it, also when its orders were
imported before (the row of its latest order wins).

Orders are inserted in batches rather than one `storage.writes.add_order` call
each (100,000 lines in seconds, not minutes), with the same rules: lines numbered
from 1 in file order and the cached totals from `storage.writes.order_totals`,
so orders.revenue and orders.units equal their lines' sums. The daily rollups
of the local dates the new orders fall on are refreshed in the same transaction.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, TypeVar, cast
from zoneinfo import ZoneInfo

from sqlalchemy import Table, bindparam, insert, select, update
from sqlalchemy.orm import Session

from storage.importing.order_rows import ParsedLine, ParsedOrder, ParsedOrders
from storage.importing.report import OrdersReport
from storage.models import Customer, Order, OrderItem, Product, Seller
from storage.rollups import local_date, refresh_rollups
from storage.writes import Line, order_totals

CHUNK = 500
BATCH = 2_000
T = TypeVar("T")


def _chunks(items: Sequence[T], size: int = CHUNK) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _insert_rows(session: Session, model: Any, rows: Sequence[dict[str, Any]]) -> None:
    """Plain executemany: SQLite's and psycopg's (pipelined) fastest bulk path."""
    table = cast(Table, model.__table__)
    for chunk in _chunks(rows, BATCH):
        session.execute(insert(table), list(chunk))


def _insert(session: Session, model: Any, rows: list[dict[str, Any]], key: str) -> list[int]:
    """Insert rows in bulk; their new ids in the order of `rows`, read back by `key`
    (unique within the seller): RETURNING in parameter order costs a statement per row."""
    _insert_rows(session, model, rows)
    column = getattr(model, key)
    ids: dict[str, int] = {}
    for chunk in _chunks([row[key] for row in rows]):
        found = session.execute(
            select(column, model.id).where(
                model.seller_id == rows[0]["seller_id"], column.in_(chunk)
            )
        )
        ids.update({value: row_id for value, row_id in found})
    return [ids[row[key]] for row in rows]


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


def _product_key(line: ParsedLine) -> tuple[str, str]:
    return ("sku", line.sku) if line.sku is not None else ("name", line.product_name)


def _products(
    session: Session, seller_id: int, lines: Sequence[ParsedLine], *, create: bool = True
) -> tuple[dict[tuple[str, str], int], list[int]]:
    """Product id per line key, creating missing products (name and price from their
    first line, stock unknown) unless `create` is false; and the ids created. A line
    without a SKU matches a product by name, or by a SKU equal to that name, which is
    what a created one gets."""
    first: dict[tuple[str, str], ParsedLine] = {}
    for line in lines:
        first.setdefault(_product_key(line), line)
    by_sku: dict[str, int] = {}
    skus = sorted({line.sku or line.product_name[:100] for line in first.values()})
    for chunk in _chunks(skus):
        rows = session.execute(
            select(Product.sku, Product.id).where(
                Product.seller_id == seller_id, Product.sku.in_(chunk)
            )
        )
        by_sku.update({sku: product_id for sku, product_id in rows})
    by_name: dict[str, int] = {}
    names = sorted(name for kind, name in first if kind == "name")
    for chunk in _chunks(names):
        rows = session.execute(
            select(Product.name, Product.id)
            .where(Product.seller_id == seller_id, Product.name.in_(chunk))
            .order_by(Product.id.desc())
        )
        by_name.update({name: product_id for name, product_id in rows})  # lowest id wins

    found: dict[tuple[str, str], int] = {}
    missing: dict[str, ParsedLine] = {}
    for key, line in first.items():
        sku = line.sku or line.product_name[:100]
        product_id = by_name.get(line.product_name) if key[0] == "name" else None
        product_id = product_id or by_sku.get(sku)
        if product_id is not None:
            found[key] = product_id
        else:
            missing.setdefault(sku, line)
    if not create:
        return found, []
    created = _insert(
        session,
        Product,
        [
            {
                "seller_id": seller_id,
                "sku": sku,
                "name": line.product_name,
                "price": line.unit_price,
                "stock": None,
            }
            for sku, line in missing.items()
        ],
        "sku",
    )
    by_sku.update(zip(missing, created, strict=True))
    for key, line in first.items():
        found.setdefault(key, by_sku[line.sku or line.product_name[:100]])
    return found, created


def _stock_levels(orders: Sequence[ParsedOrder]) -> dict[tuple[str, str], ParsedLine]:
    """Per product key, the line whose stock cell counts: of the lines with one, the
    line of the latest order (ties: the later row)."""
    levels: dict[tuple[str, str], ParsedLine] = {}
    for order in sorted(orders, key=lambda order: (order.ordered_at, order.line)):
        for line in order.lines:
            if line.stock is not None:
                levels[_product_key(line)] = line
    return levels


def _update_stock(session: Session, seller_id: int, orders: Sequence[ParsedOrder]) -> int:
    """Set the stock of every product the file gives one for (created or not, its
    orders new or already imported); how many products it was set for."""
    levels = _stock_levels(orders)
    if not levels:
        return 0
    ids, _ = _products(session, seller_id, list(levels.values()), create=False)
    rows = [
        {"product_id": ids[key], "new_stock": line.stock}
        for key, line in levels.items()
        if key in ids
    ]
    if rows:
        table = cast(Table, Product.__table__)
        statement = (
            update(table)
            .where(table.c.id == bindparam("product_id"))
            .values(stock=bindparam("new_stock"))
        )
        session.execute(statement, rows)
    return len(rows)


def _customers(
    session: Session, seller_id: int, orders: Sequence[ParsedOrder]
) -> tuple[dict[str, int], int]:
    """Customer id per key, creating missing customers; and how many were created."""
    names: dict[str, str | None] = {}
    for order in orders:
        if order.customer is not None:
            names.setdefault(order.customer, order.customer_name)
    by_key: dict[str, int] = {}
    for chunk in _chunks(sorted(names)):
        rows = session.execute(
            select(Customer.external_id, Customer.id).where(
                Customer.seller_id == seller_id, Customer.external_id.in_(chunk)
            )
        )
        by_key.update({key: customer_id for key, customer_id in rows})
    missing = [key for key in names if key not in by_key]
    created = _insert(
        session,
        Customer,
        [{"seller_id": seller_id, "external_id": key, "name": names[key]} for key in missing],
        "external_id",
    )
    by_key.update(zip(missing, created, strict=True))
    return by_key, len(created)


def _refresh_days(session: Session, seller_id: int, orders: Sequence[ParsedOrder]) -> None:
    """Bring the daily rollups of the local dates the new orders fall on up to date."""
    if not orders:
        return
    zone = ZoneInfo(session.get_one(Seller, seller_id).timezone)
    refresh_rollups(session, seller_id, {local_date(order.ordered_at, zone) for order in orders})


def write_orders(session: Session, seller_id: int, parsed: ParsedOrders) -> OrdersReport:
    """Write the orders the seller does not have yet; the caller owns the transaction."""
    if parsed.errors:
        raise ValueError("refusing to write orders from a file with errors")
    existing = _existing_orders(session, seller_id, [order.external_id for order in parsed.orders])
    new_orders = [order for order in parsed.orders if order.external_id not in existing]
    products, new_products = _products(
        session, seller_id, [line for order in new_orders for line in order.lines]
    )
    customers, new_customers = _customers(session, seller_id, new_orders)

    order_ids: list[int] = []
    line_count = 0
    for batch in _chunks(new_orders, BATCH):
        lines = [
            [
                Line(products[_product_key(line)], line.quantity, line.unit_price)
                for line in order.lines
            ]
            for order in batch
        ]
        rows = []
        for order, order_lines in zip(batch, lines, strict=True):
            revenue, units = order_totals(order_lines)
            rows.append(
                {
                    "seller_id": seller_id,
                    "external_id": order.external_id,
                    "customer_id": customers[order.customer] if order.customer else None,
                    "ordered_at": order.ordered_at,
                    "status": order.status,
                    "revenue": revenue,
                    "units": units,
                }
            )
        ids = _insert(session, Order, rows, "external_id")
        items = [
            {
                "order_id": order_id,
                "line_no": number,
                "product_id": line.product_id,
                "quantity": line.quantity,
                "unit_price": line.unit_price,
            }
            for order_id, order_lines in zip(ids, lines, strict=True)
            for number, line in enumerate(order_lines, start=1)
        ]
        _insert_rows(session, OrderItem, items)
        order_ids.extend(ids)
        line_count += len(items)
    _refresh_days(session, seller_id, new_orders)
    stock_updates = _update_stock(session, seller_id, parsed.orders)
    return OrdersReport(
        source=parsed.source,
        orders=len(order_ids),
        lines=line_count,
        new_products=len(new_products),
        new_customers=new_customers,
        already_imported=len(existing),
        not_completed=parsed.not_completed,
        order_ids=tuple(order_ids),
        new_product_ids=tuple(new_products),
        stock_updates=stock_updates,
    )
