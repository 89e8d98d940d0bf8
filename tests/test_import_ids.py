"""The ids of inserted orders come back with the insert, not by reading them back.

Reading 500 ids at a time back by external id scanned a seller's orders on PostgreSQL
(373.6 s against SQLite's 19.6 s for one file, issue 13); every line must still hang
under its own order.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, event, select
from sqlalchemy.orm import Session, sessionmaker

from storage.importing import import_orders
from storage.models import Order, OrderItem, Product
from storage.sellers import add_seller


def test_new_order_ids_are_not_read_back_and_lines_keep_their_orders(
    engine: Engine, sessions: sessionmaker[Session]
) -> None:
    with sessions.begin() as session:
        add_seller(session, slug="shop")
    # 1,200 orders: past the 500-key chunk of the old read-back
    rows = ["order_id,ordered_at,status,customer,sku,quantity,unit_price"]
    rows += [f"O{i},2024-03-05 10:00,paid,c{i},S{i},{1 + i % 3},{100 + i}" for i in range(1_200)]
    statements: list[str] = []

    def capture(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        statements.append(" ".join(statement.split()))

    event.listen(engine, "before_cursor_execute", capture)
    try:
        report = import_orders(sessions, "\n".join(rows).encode(), source="ids.csv", seller="shop")
    finally:
        event.remove(engine, "before_cursor_execute", capture)

    assert (report.orders, report.lines, report.new_products) == (1_200, 1_200, 1_200)
    assert [s for s in statements if s.startswith("SELECT orders.external_id, orders.id")] == []
    with sessions() as session:
        found = session.execute(
            select(Order.id, Order.external_id, Product.sku, OrderItem.quantity, Order.revenue)
            .join(OrderItem, OrderItem.order_id == Order.id)
            .join(Product, Product.id == OrderItem.product_id)
        ).all()
    assert sorted((ext, sku, qty, rev) for _, ext, sku, qty, rev in found) == sorted(
        (f"O{i}", f"S{i}", 1 + i % 3, (1 + i % 3) * (100 + i)) for i in range(1_200)
    )
    # ids follow the file's order, as report.order_ids lists them
    assert list(report.order_ids) == sorted(report.order_ids)
    by_id = {order_id: ext for order_id, ext, *_ in found}
    assert [by_id[order_id] for order_id in report.order_ids] == [f"O{i}" for i in range(1_200)]
