"""A re-import updates what changed (issue 11, item 6): an order whose status,
time or lines changed since the last export is updated with its cached totals
and the rollups of its old and new local days; the report counts it; the
`import orders --help` lists every header name a format recognises."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from bot.cli import main
from storage.importing import ParsedLine, ParsedOrder, ParsedOrders, import_orders, write_orders
from storage.importing.formats import FORMATS
from storage.models import Customer, Order, OrderItem, Product, Seller
from storage.sellers import add_seller
from storage.settings import get_settings
from tests.factories import SEOUL
from tests.test_rollups import expected_rollups, generated, rollup_rows

D = dt.date
HEADER = "order_id,ordered_at,status,sku,product_name,quantity,unit_price,customer\n"
FIRST = HEADER + (
    "A-1,2026-11-18 10:00,paid,MUG,머그컵,2,12000,\n"  # 24,000 on 11-18
    "A-2,2026-11-18 23:30,paid,CUP,컵,1,25000,\n"  # 37,000 on 11-18
    "A-2,2026-11-18 23:30,paid,MUG,머그컵,1,12000,\n"
    "A-3,2026-11-19 09:00,paid,MUG,머그컵,1,12000,\n"  # 12,000 on 11-19
)
LATER = HEADER + (
    "A-1,2026-11-18 10:00,paid,MUG,머그컵,2,12000,\n"  # unchanged
    "A-2,2026-11-18 23:30,환불,CUP,컵,1,25000,\n"  # refunded since
    "A-2,2026-11-18 23:30,환불,MUG,머그컵,1,12000,\n"
    "A-3,2026-11-20 00:10,paid,MUG,머그컵,1,12000,kim@example.com\n"  # time corrected, buyer
    "A-4,2026-11-20 10:00,paid,CUP,컵,2,25000,\n"  # new: 50,000 on 11-20
)


def seller_id(sessions: sessionmaker[Session]) -> int:
    with sessions() as session:
        found = session.scalar(select(Seller.id).where(Seller.slug == "shop"))
        assert found is not None
        return found


def test_a_later_export_updates_the_orders_that_changed(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        add_seller(session, slug="shop")
    first = import_orders(sessions, FIRST.encode(), source="first.csv", seller="shop")
    assert (first.orders, first.updated) == (3, 0)
    shop = seller_id(sessions)
    with sessions() as session:
        assert rollup_rows(session, shop)["sales"] == [
            (D(2026, 11, 18), "paid", 2, 61_000, 4),
            (D(2026, 11, 19), "paid", 1, 12_000, 1),
        ]

    later = import_orders(sessions, LATER.encode(), source="later.csv", seller="shop")
    assert (later.orders, later.updated, later.already_imported) == (1, 2, 1)
    assert later.summary() == (
        "imported 1 order (1 line), 0 new products, 1 new customer; "
        "updated 2 orders whose status or lines changed; skipped 1 already imported"
    )
    with sessions() as session:
        rows = rollup_rows(session, shop)
        assert rows == expected_rollups(session, shop, SEOUL)
        assert rows["sales"] == [
            (D(2026, 11, 18), "paid", 1, 24_000, 2),
            (D(2026, 11, 18), "refunded", 1, 37_000, 2),  # A-2 left revenue
            (D(2026, 11, 20), "paid", 2, 62_000, 3),  # A-3 moved from 11-19, and A-4
        ]
        a3 = session.scalar(select(Order).where(Order.external_id == "A-3"))
        assert a3 is not None
        assert a3.ordered_at == dt.datetime(2026, 11, 19, 15, 10, tzinfo=dt.UTC)
        assert a3.customer_id == session.scalar(
            select(Customer.id).where(Customer.external_id == "kim@example.com")
        )

    again = import_orders(sessions, LATER.encode(), source="later.csv", seller="shop")
    assert again.summary() == (
        "imported 0 orders (0 lines), 0 new products, 0 new customers; skipped 4 already imported"
    )


def test_a_partial_refund_in_a_later_export_changes_the_orders_lines(
    sessions: sessionmaker[Session],
) -> None:
    with sessions.begin() as session:
        add_seller(session, slug="shop")
    import_orders(sessions, FIRST.encode(), source="first.csv", seller="shop")
    # A-2's mug was returned: the export lists its cup only (25,000 of 37,000)
    partial = HEADER + "A-2,2026-11-18 23:30,paid,CUP,컵,1,25000,\n"
    report = import_orders(sessions, partial.encode(), source="partial.csv", seller="shop")
    assert (report.updated, report.already_imported) == (1, 0)
    shop = seller_id(sessions)
    with sessions() as session:
        a2 = session.scalar(select(Order).where(Order.external_id == "A-2"))
        assert a2 is not None and (a2.revenue, a2.units) == (25_000, 1)
        rows = rollup_rows(session, shop)
        assert rows == expected_rollups(session, shop, SEOUL)
        assert rows["sales"][0] == (D(2026, 11, 18), "paid", 2, 49_000, 3)


@pytest.fixture
def cli_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    get_settings.cache_clear()
    yield tmp_path
    get_settings.cache_clear()


def test_the_import_help_lists_every_recognised_header_name(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit):
        main(["import", "orders", "--help"])
    text = capsys.readouterr().out
    assert "    unit_price     unit_price, price, 단가, 판매가" in text
    assert "  shopify:\n    order_id       Name\n" in text
    assert "pending -> skipped (not completed)" in text
    for fmt in FORMATS.values():  # every alias of every format, one line per field
        width = max(len(field) for field in fmt.columns)
        for field, names in fmt.columns.items():
            assert f"\n    {field:<{width}}  {', '.join(names)}\n" in text


def test_the_cli_reports_updated_orders(cli_db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (cli_db / "first.csv").write_text(FIRST, encoding="utf-8")
    (cli_db / "later.csv").write_text(LATER, encoding="utf-8")
    assert main(["seller", "add", "shop"]) == 0
    assert main(["import", "orders", str(cli_db / "first.csv"), "--seller", "shop"]) == 0
    capsys.readouterr()
    assert main(["import", "orders", str(cli_db / "later.csv"), "--seller", "shop"]) == 0
    assert capsys.readouterr().out.splitlines()[0] == (
        "imported 1 order (1 line), 0 new products, 1 new customer; "
        "updated 2 orders whose status or lines changed; skipped 1 already imported"
    )


@pytest.mark.parametrize("zone", ["Asia/Seoul", "Europe/Berlin"])  # Berlin: DST ends 10-25
def test_updating_orders_of_a_generated_store_keeps_the_rollups_exact(
    sessions: sessionmaker[Session], zone: str
) -> None:
    """Every fifth order re-read with a new status, every seventh with its last line
    dropped (a partial refund), every eleventh an hour later: the rollups still equal
    the raw rows regrouped, and every order's cached totals its lines' sums."""
    shop = generated(sessions, zone)
    with sessions() as session:
        orders = session.scalars(
            select(Order).where(Order.seller_id == shop).order_by(Order.id)
        ).all()
        skus = {pid: sku for pid, sku in session.execute(select(Product.id, Product.sku))}
        changed = []
        for number, stored in enumerate(orders):
            if number % 5 and number % 7 and number % 11:
                continue
            items = session.execute(
                select(OrderItem.product_id, OrderItem.quantity, OrderItem.unit_price)
                .where(OrderItem.order_id == stored.id)
                .order_by(OrderItem.line_no)
            ).all()
            lines = tuple(
                ParsedLine(0, skus[product_id], skus[product_id], quantity, price)
                for product_id, quantity, price in items
            )
            status = stored.status
            if number % 5 == 0:
                status = {"paid": "refunded", "refunded": "cancelled", "cancelled": "paid"}[status]
            if number % 7 == 0 and len(lines) > 1:
                lines = lines[:-1]
            at = stored.ordered_at + dt.timedelta(hours=1 if number % 11 == 0 else 0)
            changed.append(ParsedOrder(stored.external_id, 0, at, status, None, None, lines))
    with sessions.begin() as session:
        report = write_orders(session, shop, ParsedOrders("reread", tuple(changed), 0, ()))
    assert report.orders == 0 and report.updated > 100
    with sessions() as session:
        assert rollup_rows(session, shop) == expected_rollups(session, shop, ZoneInfo(zone))
        mismatched = session.execute(
            select(Order.id)
            .join(OrderItem, OrderItem.order_id == Order.id)
            .where(Order.seller_id == shop)
            .group_by(Order.id, Order.revenue, Order.units)
            .having(
                (func.sum(OrderItem.quantity * OrderItem.unit_price) != Order.revenue)
                | (func.sum(OrderItem.quantity) != Order.units)
            )
        ).all()
        assert mismatched == []


@pytest.mark.parametrize("zone", ["Asia/Seoul", "Europe/Berlin"])  # Berlin: DST ends 10-25
def test_new_orders_imported_into_a_generated_store_add_to_its_rollups_exactly(
    sessions: sessionmaker[Session], zone: str
) -> None:
    """1,200 new orders (past SQLite's 500-order statements) on the days of a generated
    store's orders and visits, its products and new ones, paid and not, some with two
    lines of one product: their sums are added to those days' rollups, which still
    equal the raw rows regrouped."""
    shop = generated(sessions, zone)
    with sessions() as session:
        skus = sorted(
            s for s in session.scalars(select(Product.sku).where(Product.seller_id == shop))
        )
        before = session.scalar(
            select(func.count()).select_from(Order).where(Order.seller_id == shop)
        )
    rows = [HEADER.strip()]
    start = dt.datetime(2026, 10, 20, 0, 30)
    for n in range(1_200):
        at = (start + dt.timedelta(minutes=37 * n)).strftime("%Y-%m-%d %H:%M")
        status = ("paid", "paid", "cancelled", "refunded")[n % 4]
        sku = skus[n % len(skus)] if n % 6 else f"NEW-{n % 4}"
        rows.append(f"N-{n},{at},{status},{sku},{sku},{1 + n % 3},{1_000 + n},c{n % 50}")
        if n % 5 == 0:  # the same product again: the order counts once for it
            rows.append(f"N-{n},{at},{status},{sku},{sku},1,{2_000 + n},c{n % 50}")
    data = ("\n".join(rows) + "\n").encode()
    with sessions() as session:
        name = session.scalar(select(Seller.slug).where(Seller.id == shop))
    assert name is not None
    report = import_orders(sessions, data, source="new.csv", seller=name)
    assert (report.orders, report.lines, report.new_products) == (1_200, 1_440, 2)
    with sessions() as session:
        assert rollup_rows(session, shop) == expected_rollups(session, shop, ZoneInfo(zone))
        count = session.scalar(
            select(func.count()).select_from(Order).where(Order.seller_id == shop)
        )
        assert count == (before or 0) + 1_200
