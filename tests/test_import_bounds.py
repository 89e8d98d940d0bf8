"""Import bounds: absurd prices, quantities, totals and dates are refused row by row.

Bounds (storage/importing/values.py, order_rows.py): a price at most 10^11 minor
units, a quantity at most 100,000, an order at most 10^15 minor units and 1,000,000
units, a date from 2000-01-01 to tomorrow in UTC. A file with any such row writes
nothing, and the CLI names each row without a traceback.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from bot.cli import main
from storage.importing import import_ads, import_orders
from storage.importing.order_rows import ParsedLine, ParsedOrder, bounded_orders
from storage.models import AdStatDaily, Order, OrderItem, Product
from storage.sellers import add_seller
from storage.settings import get_settings

HEADER = "order_id,ordered_at,status,sku,quantity,unit_price,stock\n"


def tomorrow() -> str:
    return (dt.datetime.now(dt.UTC).date() + dt.timedelta(days=1)).isoformat()


def bad_orders() -> str:
    many_units = "".join(f"U-1,2024-03-05 10:00,paid,U{n},100000,1,\n" for n in range(11))
    return (
        HEADER
        + "G-1,2024-03-05 10:00,paid,A,1,1000,\n"  # line 2: good
        + "P-1,2024-03-05 10:00,paid,A,1,99999999999999999999999,\n"  # 3
        + "D-1,0001-01-01 10:00,paid,A,1,1000,\n"  # 4
        + "D-2,9999-12-31 10:00,paid,A,1,1000,\n"  # 5
        + "Q-1,2024-03-05 10:00,paid,A,3000000000,3000000000,\n"  # 6
        + "N-1,2024-03-05 10:00,paid,A,1,-5,\n"  # 7
        + "T-1,2024-03-05 10:00,paid,A,100000,10000000001,\n"  # 8: 1.0000000001e15
        + "S-1,2024-03-05 10:00,paid,A,1,1000,1000000001\n"  # 9
        + many_units  # lines 10-20: the 11th line makes 1,100,000 units
    )


def expected_errors(source: str) -> list[str]:
    return [
        f"{source}:3: price above 100,000,000,000 KRW in column 'unit_price': "
        "'99999999999999999999999'",
        f"{source}:4: date before 2000-01-01 in column 'ordered_at': '0001-01-01 10:00'",
        f"{source}:5: date after {tomorrow()} in column 'ordered_at': '9999-12-31 10:00'",
        f"{source}:6: quantity above 100,000 in column 'quantity': '3000000000'",
        f"{source}:7: negative price in column 'unit_price': '-5'",
        f"{source}:8: order 'T-1' total above 1,000,000,000,000,000 KRW",
        f"{source}:9: stock above 1,000,000,000 in column 'stock': '1000000001'",
        f"{source}:20: order 'U-1' units above 1,000,000",
    ]


def stored(session: Session) -> tuple[int, int, int, int]:
    return (
        session.scalar(select(func.count()).select_from(Order)) or 0,
        session.scalar(select(func.count()).select_from(OrderItem)) or 0,
        session.scalar(select(func.count()).select_from(Product)) or 0,
        session.scalar(select(func.count()).select_from(AdStatDaily)) or 0,
    )


@pytest.fixture
def shop(sessions: sessionmaker[Session]) -> str:
    with sessions.begin() as session:
        add_seller(session, slug="shop")  # KRW, Asia/Seoul
    return "shop"


def test_each_out_of_bounds_value_is_named_and_nothing_is_written(
    sessions: sessionmaker[Session], shop: str
) -> None:
    report = import_orders(sessions, bad_orders().encode(), source="big.csv", seller=shop)

    assert [str(error) for error in report.errors] == expected_errors("big.csv")
    assert (report.ok, report.orders, report.summary()) == (False, 0, "nothing imported")
    with sessions() as session:
        assert stored(session) == (0, 0, 0, 0)


def test_values_at_the_bounds_are_stored_exactly(
    sessions: sessionmaker[Session], shop: str
) -> None:
    text = (
        HEADER
        # 100,000 × 10,000,000,000 = 10^15, the largest order total
        + "B-1,2000-01-01 00:00,paid,A,100000,10000000000,1000000000\n"
        + f"B-2,{tomorrow()} 23:59,paid,B,1,100000000000,\n"
    )
    report = import_orders(sessions, text.encode(), source="edge.csv", seller=shop)

    assert report.errors == ()
    assert (report.orders, report.lines) == (2, 2)
    with sessions() as session:
        rows = session.execute(
            select(Order.external_id, Order.revenue, Order.units).order_by(Order.external_id)
        ).all()
        assert [tuple(row) for row in rows] == [
            ("B-1", 10**15, 100_000),
            ("B-2", 10**11, 1),
        ]
        assert session.scalar(select(Product.stock).where(Product.sku == "A")) == 10**9


def test_an_order_total_is_checked_at_the_line_that_crosses_it() -> None:
    # the Smart Store parser checks its orders with the same function
    at = dt.datetime(2024, 3, 5, 1, tzinfo=dt.UTC)
    order = ParsedOrder(
        "X",
        2,
        at,
        "paid",
        None,
        None,
        (ParsedLine(2, "A", "A", 100_000, 10**10), ParsedLine(3, "B", "B", 1, 1)),
    )
    kept, errors = bounded_orders("ss.xlsx", [order], "KRW")
    assert kept == []
    assert [str(error) for error in errors] == [
        "ss.xlsx:3: order 'X' total above 1,000,000,000,000,000 KRW"
    ]


def test_ad_rows_are_bounded(sessions: sessionmaker[Session], shop: str) -> None:
    text = (
        "date,campaign,impressions,clicks,spend,conversions,conversion_revenue\n"
        "2024-03-05,Brand,100,10,5000,1,20000\n"
        "1999-12-31,Brand,100,10,5000,1,20000\n"
        "2024-03-06,Brand,10000000000001,10,5000,1,20000\n"
        "2024-03-07,Brand,100,10,100000000001,1,20000\n"
    )
    report = import_ads(sessions, text.encode(), source="ads.csv", seller=shop)

    assert [str(error) for error in report.errors] == [
        "ads.csv:3: date before 2000-01-01 in column 'date': '1999-12-31'",
        "ads.csv:4: impressions above 1,000,000,000,000 in column 'impressions': '10000000000001'",
        "ads.csv:5: spend above 100,000,000,000 KRW in column 'spend': '100000000001'",
    ]
    with sessions() as session:
        assert stored(session) == (0, 0, 0, 0)


@pytest.fixture
def cli_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    path = tmp_path / "cli.db"
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{path}")
    get_settings.cache_clear()
    yield path
    get_settings.cache_clear()


def test_cli_names_each_bad_row_without_a_traceback(
    cli_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["seller", "add", "shop"]) == 0
    capsys.readouterr()
    path = tmp_path / "big.csv"
    path.write_text(bad_orders(), encoding="utf-8")

    assert main(["import", "orders", str(path), "--seller", "shop"]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.splitlines() == [*expected_errors(str(path)), "nothing imported"]
