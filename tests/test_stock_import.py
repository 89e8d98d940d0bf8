"""Stock the store data does not know is unknown (NULL), never 0: the order import
without a stock column, with blank cells, with a stock column, and a later import
that brings stock for products imported before; migration 0005 on an old database.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select, text
from sqlalchemy.orm import Session, sessionmaker

from storage.db import make_engine, upgrade
from storage.importing import OrdersReport, import_orders
from storage.models import Product
from storage.sellers import add_seller

HEADER = "order_id,ordered_at,status,sku,product_name,quantity,unit_price"
NO_STOCK = (
    f"{HEADER}\n"
    "A-1,2026-11-20 10:00,paid,MUG,머그컵,2,12000\n"
    "A-2,2026-11-21 10:00,paid,SPOON,스푼,1,3000\n"
)
WITH_STOCK = (
    f"{HEADER},재고\n"
    "A-1,2026-11-20 10:00,paid,MUG,머그컵,2,12000,40\n"  # already imported: stock still read
    "B-1,2026-11-25 10:00,paid,MUG,머그컵,1,12000,37\n"  # the later order wins
    "B-0,2026-11-24 10:00,paid,MUG,머그컵,1,12000,38\n"
    "B-2,2026-11-25 11:00,paid,SPOON,스푼,1,3000,\n"  # blank: the spoon stays unknown
    "B-3,2026-11-25 12:00,paid,PLATE,접시,1,8000,0\n"  # a new product, sold out
    "B-4,2026-11-25 13:00,paid,BOWL,대접,1,9000,\n"  # a new product, stock unknown
)


@pytest.fixture
def shop(sessions: sessionmaker[Session]) -> str:
    with sessions.begin() as session:
        add_seller(session, slug="shop")
    return "shop"


def _import(sessions: sessionmaker[Session], data: str) -> OrdersReport:
    return import_orders(sessions, data.encode(), source="orders.csv", seller="shop")


def _stock(session: Session) -> dict[str, int | None]:
    return {sku: stock for sku, stock in session.execute(select(Product.sku, Product.stock))}


def test_products_imported_without_a_stock_column_have_unknown_stock(
    sessions: sessionmaker[Session], shop: str
) -> None:
    report = _import(sessions, NO_STOCK)

    assert (report.orders, report.new_products, report.stock_updates) == (2, 2, 0)
    with sessions() as session:
        assert _stock(session) == {"MUG": None, "SPOON": None}


def test_a_later_import_with_stock_sets_it_blank_cells_leave_it_unknown(
    sessions: sessionmaker[Session], shop: str
) -> None:
    _import(sessions, NO_STOCK)

    report = _import(sessions, WITH_STOCK)

    # B-0..B-4 are new, A-1 was imported before; MUG and PLATE get a stock
    assert (report.orders, report.already_imported, report.new_products) == (5, 1, 2)
    assert report.stock_updates == 2
    assert report.summary().endswith("; stock set for 2 products")
    with sessions() as session:
        assert _stock(session) == {"MUG": 37, "SPOON": None, "PLATE": 0, "BOWL": None}


def test_a_bad_stock_cell_is_a_row_error(sessions: sessionmaker[Session], shop: str) -> None:
    report = _import(sessions, f"{HEADER},stock\nA-1,2026-11-20 10:00,paid,MUG,머그컵,2,12000,-3\n")

    assert [str(error) for error in report.errors] == [
        "orders.csv:2: negative stock in column 'stock': '-3'"
    ]


def test_migration_0005_reads_the_old_default_zero_as_unknown(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    upgrade(engine, "0004")
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO sellers (id, slug, name, timezone, currency, active, alerts_enabled,"
                " digest_enabled, created_at) VALUES (1, 's', 's', 'Asia/Seoul', 'KRW', 1, 1, 1,"
                " '2026-11-01 00:00:00')"
            )
        )
        for sku, stock in (("IMPORTED", 0), ("COUNTED", 12)):
            connection.execute(
                text(
                    "INSERT INTO products (seller_id, sku, name, price, stock, created_at) "
                    "VALUES (1, :sku, :sku, 1000, :stock, '2026-11-01 00:00:00')"
                ),
                {"sku": sku, "stock": stock},
            )

    upgrade(engine, "0005")

    with engine.connect() as connection:
        rows = connection.execute(text("SELECT sku, stock FROM products ORDER BY sku")).all()
        assert [tuple(row) for row in rows] == [("COUNTED", 12), ("IMPORTED", None)]
    engine.dispose()
