"""Parsed orders -> the database, in bulk; orders are upserted by their external id.

Idempotent: an order the seller already has, read again with the same status,
time, customer and lines, is left alone and counted as already imported, so
re-importing a file (or re-reading a connector page) changes nothing. Read again
with another status (paid -> cancelled or refunded), other lines (a partial
refund as the source maps it: fewer units, a line gone), another time or a
customer it lacked, it is UPDATED: its status and time, its lines replaced, its
cached totals recomputed, and the rollups of the local dates it was on and is on
now (and of the visits it converted) refreshed. Read again with no lines at all (a
connector that moved every line of it to other orders, e.g. Naver's refunded part
of an order), it is REMOVED, with the same refresh; an unknown order with no lines
is not written. Products are
found by SKU within the seller (or by name when the export has no SKU) and
customers by their id or e-mail; missing ones are created from the row.
A created product's stock is the file's `stock` cell, else unknown (NULL);
every product the file gives a stock for gets it, also when its orders were
imported before (the row of its latest order wins).

Orders are inserted in batches rather than one `storage.writes.add_order` call
each (100,000 lines in seconds, not minutes), with the same rules: lines numbered
from 1 in file order and the cached totals from `storage.writes.order_totals`,
so orders.revenue and orders.units equal their lines' sums. In the same
transaction, the new orders' sums are added to the daily rollups of their local
dates (`storage.rollups.record_orders`, grouped in SQL; the dates' other orders
are not read again) and the rollups of the local dates the updated and removed
orders were and are on are refreshed.

On PostgreSQL, rows go in by COPY, keys are looked up with one `= ANY(array)` per
list instead of a query per 500 keys, and the new rows' foreign keys are checked
once for the import rather than by a trigger per row where the role allows it
(`storage.importing.foreign_keys`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, cast
from zoneinfo import ZoneInfo

from psycopg import sql as psycopg_sql
from sqlalchemy import (
    ColumnElement,
    Table,
    bindparam,
    delete,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.orm import Session

from storage import customer_purchases
from storage.among import among as _among
from storage.among import chunks as _chunks
from storage.importing.foreign_keys import checked_here
from storage.importing.order_rows import ParsedLine, ParsedOrder, ParsedOrders
from storage.importing.report import OrdersReport
from storage.models import Customer, Order, OrderItem, Product, Seller, Visit
from storage.rollups import local_date, record_orders, refresh_rollups
from storage.writes import Line, order_totals

BATCH = 2_000


def _insert_rows(session: Session, model: Any, rows: Sequence[dict[str, Any]]) -> None:
    """Bulk insert: COPY on PostgreSQL, plain executemany on SQLite (each backend's
    fastest path); every row has the same keys."""
    table = cast(Table, model.__table__)
    if not rows:
        return
    if session.get_bind().dialect.name == "postgresql":
        _copy_rows(session, table, rows)
        return
    for chunk in _chunks(rows, BATCH):
        session.execute(insert(table), list(chunk))


def _copy_rows(session: Session, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """COPY the rows into `table` on the session's own connection and transaction, with
    the Python-side column defaults an INSERT would apply (e.g. created_at)."""
    names = list(rows[0])
    defaults: dict[str, Any] = {}
    for column in table.columns:
        default = column.default
        if column.name in names or default is None or column.server_default is not None:
            continue
        if default.is_scalar:
            defaults[column.name] = default.arg  # type: ignore[attr-defined]
        elif default.is_callable:
            defaults[column.name] = default.arg(None)  # type: ignore[attr-defined]
    names += list(defaults)
    rows = [{**row, **defaults} for row in rows] if defaults else rows
    statement = psycopg_sql.SQL("COPY {} ({}) FROM STDIN").format(
        psycopg_sql.Identifier(table.name),
        psycopg_sql.SQL(", ").join(psycopg_sql.Identifier(name) for name in names),
    )
    connection = session.connection().connection.driver_connection
    assert connection is not None
    with connection.cursor() as cursor, cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row([row[name] for name in names])


def _insert(session: Session, model: Any, rows: list[dict[str, Any]]) -> list[int]:
    """Insert rows in bulk; their new ids in the order of `rows`, with no query reading
    them back by key (one per 500 ids scanned a seller's orders on PostgreSQL).

    PostgreSQL: the ids are drawn from the table's sequence in one query (which also
    names the sequence) and inserted with the rows by plain pipelined executemany (psycopg parses a multi-row
    INSERT ... RETURNING client-side, slower than the insert itself). SQLite (>= 3.35):
    INSERT ... RETURNING in SQLAlchemy's "insertmanyvalues" batches, sorted by
    parameter order."""
    if not rows:
        return []
    table = cast(Table, model.__table__)
    if session.get_bind().dialect.name == "postgresql":
        sequence = func.pg_get_serial_sequence(table.name, "id")  # in the same query
        numbers = select(func.nextval(sequence)).select_from(func.generate_series(1, len(rows)))
        new_ids = sorted(session.scalars(numbers))
        _insert_rows(
            session,
            model,
            [{**row, "id": row_id} for row, row_id in zip(rows, new_ids, strict=True)],
        )
        return new_ids
    statement = insert(table).returning(table.c.id, sort_by_parameter_order=True)
    ids: list[int] = []
    for chunk in _chunks(rows, BATCH):
        ids.extend(session.scalars(statement, list(chunk)).all())
    return ids


@dataclass(frozen=True, slots=True)
class _Stored:
    """An order as the database has it: what a re-read order is compared with."""

    id: int
    ordered_at: dt.datetime
    status: str
    customer_id: int | None
    lines: tuple[tuple[int | None, int, int], ...]  # (product_id, quantity, unit_price)


def _stored_orders(
    session: Session, seller_id: int, external_ids: Sequence[str]
) -> dict[str, _Stored]:
    """The seller's orders with these external ids, with their lines in line order."""
    heads: dict[int, tuple[str, dt.datetime, str, int | None]] = {}
    for among in _among(session, Order.external_id, external_ids):
        heads.update(
            (order_id, (external_id, at, status, customer_id))
            for order_id, external_id, at, status, customer_id in session.execute(
                select(
                    Order.id, Order.external_id, Order.ordered_at, Order.status, Order.customer_id
                ).where(Order.seller_id == seller_id, among)
            )
        )
    lines: dict[int, list[tuple[int | None, int, int]]] = {order_id: [] for order_id in heads}
    for among in _among(session, OrderItem.order_id, sorted(heads)):
        rows = session.execute(
            select(
                OrderItem.order_id, OrderItem.product_id, OrderItem.quantity, OrderItem.unit_price
            )
            .where(among)
            .order_by(OrderItem.order_id, OrderItem.line_no)
        )
        for order_id, product_id, quantity, unit_price in rows:
            lines[order_id].append((product_id, quantity, unit_price))
    return {
        external_id: _Stored(order_id, at, status, customer_id, tuple(lines[order_id]))
        for order_id, (external_id, at, status, customer_id) in heads.items()
    }


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
    for among in _among(session, Product.sku, skus):
        rows = session.execute(
            select(Product.sku, Product.id).where(Product.seller_id == seller_id, among)
        )
        by_sku.update({sku: product_id for sku, product_id in rows})
    by_name: dict[str, int] = {}
    names = sorted(name for kind, name in first if kind == "name")
    for among in _among(session, Product.name, names):
        rows = session.execute(
            select(Product.name, Product.id)
            .where(Product.seller_id == seller_id, among)
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
    for among in _among(session, Customer.external_id, sorted(names)):
        rows = session.execute(
            select(Customer.external_id, Customer.id).where(Customer.seller_id == seller_id, among)
        )
        by_key.update({key: customer_id for key, customer_id in rows})
    missing = [key for key in names if key not in by_key]
    created = _insert(
        session,
        Customer,
        [{"seller_id": seller_id, "external_id": key, "name": names[key]} for key in missing],
    )
    by_key.update(zip(missing, created, strict=True))
    return by_key, len(created)


def _refresh_days(session: Session, seller_id: int, instants: Iterable[dt.datetime]) -> None:
    """Bring the daily rollups of the local dates of these instants up to date."""
    instants = list(instants)
    if not instants:
        return
    zone = ZoneInfo(session.get_one(Seller, seller_id).timezone)
    refresh_rollups(session, seller_id, {local_date(at, zone) for at in instants})


@dataclass(frozen=True, slots=True)
class _Change:
    stored: _Stored
    order: ParsedOrder
    lines: list[Line]
    customer_id: int | None

    @property
    def lines_changed(self) -> bool:
        now = tuple((line.product_id, line.quantity, line.unit_price) for line in self.lines)
        return now != self.stored.lines


def _changes(
    known: Sequence[ParsedOrder],
    stored: dict[str, _Stored],
    products: dict[tuple[str, str], int],
    customers: dict[str, int],
) -> list[_Change]:
    """The re-read orders that differ from what is stored."""
    changes = []
    for order in known:
        before = stored[order.external_id]
        lines = [
            Line(products[_product_key(line)], line.quantity, line.unit_price)
            for line in order.lines
        ]
        customer_id = customers[order.customer] if order.customer else before.customer_id
        change = _Change(before, order, lines, customer_id)
        if (
            order.status != before.status
            or order.ordered_at != before.ordered_at
            or customer_id != before.customer_id
            or change.lines_changed
        ):
            changes.append(change)
    return changes


def _update_orders(session: Session, changes: Sequence[_Change]) -> list[dt.datetime]:
    """Write the changed orders (status, time, customer, lines and cached totals); the
    instants whose local dates' rollups must be refreshed: each order's old and new
    time, and the start of every visit it converted."""
    if not changes:
        return []
    relined = [change for change in changes if change.lines_changed]
    for among in _among(session, OrderItem.order_id, [change.stored.id for change in relined]):
        session.execute(delete(OrderItem).where(among))
    _insert_rows(
        session,
        OrderItem,
        [
            {
                "order_id": change.stored.id,
                "line_no": number,
                "product_id": line.product_id,
                "quantity": line.quantity,
                "unit_price": line.unit_price,
            }
            for change in relined
            for number, line in enumerate(change.lines, start=1)
        ],
    )
    rows = []
    for change in changes:
        revenue, units = order_totals(change.lines)
        rows.append(
            {
                "order_id": change.stored.id,
                "new_status": change.order.status,
                "new_ordered_at": change.order.ordered_at,
                "new_customer_id": change.customer_id,
                "new_revenue": revenue,
                "new_units": units,
            }
        )
    table = cast(Table, Order.__table__)
    session.execute(
        update(table)
        .where(table.c.id == bindparam("order_id"))
        .values(
            status=bindparam("new_status"),
            ordered_at=bindparam("new_ordered_at", type_=table.c.ordered_at.type),
            customer_id=bindparam("new_customer_id"),
            revenue=bindparam("new_revenue"),
            units=bindparam("new_units"),
        ),
        rows,
    )
    instants = [change.stored.ordered_at for change in changes]
    instants += [change.order.ordered_at for change in changes]
    for among in _among(session, Visit.order_id, [change.stored.id for change in changes]):
        instants.extend(session.scalars(select(Visit.started_at).where(among)))
    return instants


def _remove_orders(session: Session, gone: Sequence[_Stored]) -> list[dt.datetime]:
    """Delete orders a source re-read with no lines left (a connector's order whose
    every line moved to another order, e.g. all refunded); the instants whose local
    dates' rollups must be refreshed (as `_update_orders`)."""
    ids = [order.id for order in gone]
    instants = [order.ordered_at for order in gone]
    for chunk in _chunks(ids):
        instants.extend(session.scalars(select(Visit.started_at).where(Visit.order_id.in_(chunk))))
        session.execute(update(Visit).where(Visit.order_id.in_(chunk)).values(order_id=None))
        session.execute(delete(OrderItem).where(OrderItem.order_id.in_(chunk)))
        session.execute(delete(Order).where(Order.id.in_(chunk)))
    return instants


def _inserted(session: Session, order_ids: Sequence[int]) -> Iterable[ColumnElement[bool]]:
    """Conditions selecting exactly the orders this import just inserted (`order_ids`).
    SQLite: their id range, one range scan instead of an IN list per 500
    ids: a SQLite database has one writer at a time, so from this transaction's first
    insert on, every new id is above all others and the range holds no other order.
    PostgreSQL: one `= ANY(array)` (others may insert ids between them meanwhile)."""
    if session.get_bind().dialect.name == "sqlite":
        return [Order.id.between(min(order_ids), max(order_ids))]
    return _among(session, Order.id, order_ids)


def _insert_orders(
    session: Session,
    seller_id: int,
    new_orders: Sequence[ParsedOrder],
    products: dict[tuple[str, str], int],
    customers: dict[str, int],
) -> tuple[list[int], int]:
    """Insert new orders and their lines and add them to the rollups (their foreign keys
    checked at once where possible: `foreign_keys.checked_here`); their ids, in order,
    and how many lines."""
    if not new_orders:
        return [], 0
    lines = [
        [Line(products[_product_key(line)], line.quantity, line.unit_price) for line in order.lines]
        for order in new_orders
    ]
    customer_ids = {customers[order.customer] for order in new_orders if order.customer}
    product_ids = {
        line.product_id for order_lines in lines for line in order_lines if line.product_id
    }
    order_ids: list[int] = []
    line_count = 0
    # PostgreSQL: one batch, so one COPY of orders and one of lines (each round trip
    # costs most when the server waits for a CPU); SQLite: BATCH orders at a time
    size = len(new_orders) if session.get_bind().dialect.name == "postgresql" else BATCH
    with checked_here(session, seller_id, customer_ids, product_ids):
        for start in range(0, len(new_orders), size):
            batch_lines = lines[start : start + size]
            rows = []
            for order, order_lines in zip(
                new_orders[start : start + size], batch_lines, strict=True
            ):
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
            ids = _insert(session, Order, rows)
            items = [
                {
                    "order_id": order_id,
                    "line_no": number,
                    "product_id": line.product_id,
                    "quantity": line.quantity,
                    "unit_price": line.unit_price,
                }
                for order_id, order_lines in zip(ids, batch_lines, strict=True)
                for number, line in enumerate(order_lines, start=1)
            ]
            _insert_rows(session, OrderItem, items)
            order_ids.extend(ids)
            line_count += len(items)
        times = [order.ordered_at for order in new_orders]
        selections = _inserted(session, order_ids)
        record_orders(session, seller_id, selections, min(times), max(times))
    return order_ids, line_count


def write_orders(session: Session, seller_id: int, parsed: ParsedOrders) -> OrdersReport:
    """Insert the orders the seller does not have yet and update those that changed
    (see the module docstring); the caller owns the transaction."""
    if parsed.errors:
        raise ValueError("refusing to write orders from a file with errors")
    # one order per external id: a later copy in the same batch is the newer state
    orders = list({order.external_id: order for order in parsed.orders}.values())
    stored = _stored_orders(session, seller_id, [order.external_id for order in orders])
    gone = [stored.pop(o.external_id) for o in orders if not o.lines and o.external_id in stored]
    removed = _remove_orders(session, gone)
    orders = [order for order in orders if order.lines]
    new_orders = [order for order in orders if order.external_id not in stored]
    known = [order for order in orders if order.external_id in stored]
    products, new_products = _products(
        session, seller_id, [line for order in [*new_orders, *known] for line in order.lines]
    )
    customers, new_customers = _customers(session, seller_id, [*new_orders, *known])
    changes = _changes(known, stored, products, customers)

    order_ids, line_count = _insert_orders(session, seller_id, new_orders, products, customers)
    # after record_orders: a refresh recounts its dates, new orders included
    _refresh_days(session, seller_id, _update_orders(session, changes) + removed)
    if gone or changes:  # each customer's purchases: theirs before and after
        customer_purchases.changed(
            session,
            seller_id,
            [(order.ordered_at, order.customer_id) for order in gone]
            + [(c.stored.ordered_at, c.stored.customer_id) for c in changes]
            + [(c.order.ordered_at, c.customer_id) for c in changes],
        )
    stock_updates = _update_stock(session, seller_id, orders)
    return OrdersReport(
        source=parsed.source,
        orders=len(order_ids),
        lines=line_count,
        new_products=len(new_products),
        new_customers=new_customers,
        already_imported=len(known) - len(changes),
        not_completed=parsed.not_completed,
        order_ids=tuple(order_ids),
        new_product_ids=tuple(new_products),
        stock_updates=stock_updates,
        updated=len(changes) + len(removed),
        updated_ids=tuple(change.stored.id for change in changes),
    )
