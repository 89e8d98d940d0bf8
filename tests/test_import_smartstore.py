"""Smart Store Center order exports (issue 11, item 4) and Naver statuses in CSV files.

The workbooks are built here with openpyxl and encrypted with msoffcrypto-tool's own
encryption (ECMA-376 agile, as Naver's download is), so no binary fixture is kept.
Every figure below is worked out by hand from the rows written in this file; the
seller is in Asia/Seoul (UTC+9) and sells in KRW.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator, Sequence
from pathlib import Path
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from msoffcrypto.format.ooxml import OOXMLFile
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from bot.cli import main
from storage.importing import OrdersReport, RowError, import_orders
from storage.importing.files import parse_order_file
from storage.models import Customer, Order, OrderItem, Product
from storage.sellers import add_seller
from storage.settings import get_settings
from tests.test_rollups import expected_rollups, rollup_rows

SEOUL = ZoneInfo("Asia/Seoul")
PASSWORD = "스토어1234!"
D = dt.date

GUIDE = [
    ["주문내역 다운로드 (발주/발송관리)"],
    ["* 개인정보가 포함되어 있으니 취급에 주의하세요."],
    [],
]
HEADER = [
    "상품주문번호", "주문번호", "배송방법", "구매자명", "구매자ID", "수취인명", "주문상태",
    "주문세부상태", "결제일", "상품번호", "상품명", "옵션정보", "수량", "옵션가격", "상품가격",
    "최종 상품별 할인액", "최종 상품별 총 주문금액", "판매자 상품코드", "정산예정금액", "유입경로",
    "주문일시",
]  # fmt: skip
KST = dt.datetime  # naive cells: the seller's wall clock, as Naver writes them


def row(
    po: str,
    order: str,
    buyer: tuple[str, str],
    status: tuple[str, str],
    paid: object,
    product: tuple[str, str, str],
    qty: int,
    price: int,
    discount: int,
    total: int,
) -> list[object]:
    number, name, code = product
    return [
        po, order, "택배", buyer[1], buyer[0], "수령인", status[0], status[1], paid,
        number, name, "색상: 흰색", qty, 0, price, discount, total, code,
        round(total * 0.95), "네이버쇼핑", paid or "2026-11-21 11:00:00",
    ]  # fmt: skip


KIM, LEE, PARK = ("kim01", "김하나"), ("lee02", "이둘"), ("park03", "박셋")
MUG, COASTER, TUMBLER = ("1001", "머그컵", "MUG"), ("1002", "컵받침", ""), ("1003", "텀블러", "TMB")
# 2026112010001: a mug on its way and a cancelled coaster; 2026112010002: 3 tumblers
# delivered for 10,000 after a 500 discount; 2026112010003: one mug decided, one returned
# (its time is a text cell); 2026112010004 awaits payment; 2026112010005 is paid with a
# cancellation only requested.
ROWS = [
    row("2026112050001", "2026112010001", KIM, ("배송중", "배송중"), KST(2026, 11, 20, 10, 15),
        MUG, 2, 12_000, 1_000, 23_000),
    row("2026112050002", "2026112010001", KIM, ("취소", "취소완료"), KST(2026, 11, 20, 10, 15),
        COASTER, 1, 5_000, 0, 5_000),
    row("2026112050003", "2026112010002", LEE, ("배송완료", "배송완료"), KST(2026, 11, 20, 23, 40),
        TUMBLER, 3, 3_500, 500, 10_000),
    row("2026112050005", "2026112010003", KIM, ("반품", "반품완료"), "2026-11-21 09:00:00",
        MUG, 1, 12_000, 0, 12_000),
    row("2026112050004", "2026112010003", KIM, ("구매확정", "구매확정"), "2026-11-21 09:00:00",
        MUG, 1, 12_000, 0, 12_000),
    row("2026112050006", "2026112010004", PARK, ("결제대기", ""), None, MUG, 1, 12_000, 0, 12_000),
    row("2026112050007", "2026112010005", PARK, ("결제완료", "취소요청"), KST(2026, 11, 21, 12, 0),
        MUG, 1, 12_000, 0, 12_000),
]  # fmt: skip
UNUSED = (
    "배송방법, 수취인명, 옵션정보, 옵션가격, 상품가격, 최종 상품별 할인액, 정산예정금액, "
    "유입경로, 주문일시"
)


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=dt.UTC)


def workbook(rows: Sequence[Sequence[object]]) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    for cells in rows:
        sheet.append(list(cells))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def encrypt(plain: bytes, password: str) -> bytes:
    out = io.BytesIO()
    OOXMLFile(io.BytesIO(plain)).encrypt(password, out)
    return out.getvalue()


@pytest.fixture(scope="module")
def export() -> bytes:
    """The Smart Store download: guide rows, the header, product orders; encrypted."""
    return encrypt(workbook([*GUIDE, HEADER, *ROWS]), PASSWORD)


@pytest.fixture
def shop(sessions: sessionmaker[Session]) -> int:
    with sessions.begin() as session:
        return add_seller(session, slug="shop").id


def stored(session: Session) -> dict[str, tuple[str, int, int, dt.datetime, str | None]]:
    rows = session.execute(
        select(Order.external_id, Order.status, Order.revenue, Order.units, Order.ordered_at)
        .add_columns(Customer.external_id)
        .outerjoin(Customer, Customer.id == Order.customer_id)
    )
    return {r[0]: (r[1], r[2], r[3], r[4], r[5]) for r in rows}


def lines(session: Session, external_id: str) -> list[tuple[int, str, int, int]]:
    rows = session.execute(
        select(OrderItem.line_no, Product.sku, OrderItem.quantity, OrderItem.unit_price)
        .join(Order, Order.id == OrderItem.order_id)
        .join(Product, Product.id == OrderItem.product_id)
        .where(Order.external_id == external_id)
        .order_by(OrderItem.line_no)
    )
    return [tuple(r) for r in rows]  # type: ignore[misc]


def smartstore(
    sessions: sessionmaker[Session], data: bytes, source: str = "orders.xlsx", **kwargs: object
) -> OrdersReport:
    return import_orders(sessions, data, source=source, seller="shop", **kwargs)  # type: ignore[arg-type]


ORDERS_AFTER_FIRST = {
    # 23,000 paid for 2 mugs (12,000 each, 1,000 off): 11,500 a mug; the coaster left
    "2026112010001": ("paid", 23_000, 2, utc(2026, 11, 20, 1, 15), "kim01"),
    "2026112010001:cancel": ("cancelled", 5_000, 1, utc(2026, 11, 20, 1, 15), "kim01"),
    "2026112010002": ("paid", 10_000, 3, utc(2026, 11, 20, 14, 40), "lee02"),
    "2026112010003": ("paid", 12_000, 1, utc(2026, 11, 21, 0, 0), "kim01"),
    "2026112010003:refund": ("refunded", 12_000, 1, utc(2026, 11, 21, 0, 0), "kim01"),
    # 취소요청: the claim is not done, the sale stands
    "2026112010005": ("paid", 12_000, 1, utc(2026, 11, 21, 3, 0), "park03"),
}


def test_an_encrypted_export_with_guide_rows_imports_every_product_order(
    sessions: sessionmaker[Session], shop: int, export: bytes
) -> None:
    report = smartstore(sessions, export, password=PASSWORD)

    assert report.errors == ()
    assert report.summary() == (
        "imported 6 orders (7 lines), 3 new products, 3 new customers; "
        "skipped 0 already imported, 1 not completed (pending, authorized, partially paid)\n"
        f"not used: {UNUSED}"
    )
    with sessions() as session:
        assert stored(session) == ORDERS_AFTER_FIRST
        assert lines(session, "2026112010001") == [(1, "MUG", 2, 11_500)]
        # no seller code: the product number is the SKU
        assert lines(session, "2026112010001:cancel") == [(1, "1002", 1, 5_000)]
        # 3 tumblers for 10,000: 2 at 3,333 and 1 at 3,334
        assert lines(session, "2026112010002") == [(1, "TMB", 2, 3_333), (2, "TMB", 1, 3_334)]
        paid = session.execute(
            select(func.sum(Order.revenue), func.sum(Order.units)).where(Order.status == "paid")
        ).one()
        assert tuple(paid) == (23_000 + 10_000 + 12_000 + 12_000, 2 + 3 + 1 + 1)
        customers = session.execute(select(Customer.external_id, Customer.name))
        assert sorted(customers) == [("kim01", "김하나"), ("lee02", "이둘"), ("park03", "박셋")]
        # the daily rollups: the cancelled coaster and the returned mug are not paid sales
        assert rollup_rows(session, shop)["sales"] == [
            (D(2026, 11, 20), "cancelled", 1, 5_000, 1),
            (D(2026, 11, 20), "paid", 2, 33_000, 5),
            (D(2026, 11, 21), "paid", 2, 24_000, 2),
            (D(2026, 11, 21), "refunded", 1, 12_000, 1),
        ]
        assert rollup_rows(session, shop) == expected_rollups(session, shop, SEOUL)

    again = smartstore(sessions, export, password=PASSWORD)
    assert (again.orders, again.updated, again.already_imported) == (0, 0, 6)


def test_a_later_export_with_a_return_takes_the_line_out_of_revenue(
    sessions: sessionmaker[Session], shop: int
) -> None:
    smartstore(sessions, workbook([HEADER, *ROWS]))
    later = [list(cells) for cells in ROWS]
    later[2][6:8] = ["반품", "반품완료"]  # the tumblers came back

    report = smartstore(sessions, workbook([HEADER, *later]))

    assert (report.orders, report.updated, report.already_imported) == (1, 1, 5)
    with sessions() as session:
        now = stored(session)
        assert "2026112010002" not in now
        assert now["2026112010002:refund"] == (
            "refunded", 10_000, 3, utc(2026, 11, 20, 14, 40), "lee02"
        )  # fmt: skip
        assert rollup_rows(session, shop)["sales"][1] == (D(2026, 11, 20), "paid", 1, 23_000, 2)
        assert rollup_rows(session, shop) == expected_rollups(session, shop, SEOUL)


OLD_HEADER = [
    "상품주문번호", "주문번호", "구매자명", "구매자ID", "주문상태", "주문세부상태", "결제일",
    "상품번호", "상품명", "옵션정보", "수량", "옵션가격", "상품가격", "상품별 할인액",
    "판매자 부담 할인액", "상품별 총 주문금액", "판매자 상품코드", "정산예정금액", "유입경로",
]  # fmt: skip


def test_the_older_column_names_are_read_too(sessions: sessionmaker[Session], shop: int) -> None:
    old = [
        ["2024030550001", "2024030510001", "김하나", "kim01", "배송완료", "", "2024.03.05 14:22",
         "1001", "머그컵", "", "2", "0", "12,000", "2,000", "0", "22,000", "MUG", "20,900", "검색"],
    ]  # fmt: skip

    report = smartstore(sessions, workbook([["안내"], OLD_HEADER, *old]), "old.xlsx")

    assert report.errors == ()
    assert report.unused_columns == (
        "옵션정보", "옵션가격", "상품가격", "상품별 할인액", "판매자 부담 할인액", "정산예정금액",
        "유입경로",
    )  # fmt: skip
    with sessions() as session:
        assert stored(session) == {
            "2024030510001": ("paid", 22_000, 2, utc(2024, 3, 5, 5, 22), "kim01"),
        }
        assert lines(session, "2024030510001") == [(1, "MUG", 2, 11_000)]


def test_without_a_total_column_the_price_is_computed_and_the_order_time_read(
    sessions: sessionmaker[Session], shop: int
) -> None:
    # (12,000 + 1,000 option) x 2 - 2,000 discount = 24,000: 12,000 a unit
    csv = (
        "상품주문번호,주문번호,구매자ID,주문상태,주문일시,상품번호,상품명,수량,옵션가격,상품가격,"
        "최종 상품별 할인액\n"
        '1,10,kim01,구매확정,2026-11-20 10:00,1001,머그컵,2,"1,000","12,000","2,000"\n'
    )

    report = smartstore(sessions, csv.encode("cp949"), "orders.csv", format_name="smartstore")

    assert (report.errors, report.unused_columns) == ((), ())
    with sessions() as session:
        assert stored(session) == {"10": ("paid", 24_000, 2, utc(2026, 11, 20, 1, 0), "kim01")}


def test_a_wrong_or_missing_password_is_one_clear_error_and_nothing_is_written(
    sessions: sessionmaker[Session], shop: int, export: bytes
) -> None:
    wrong = smartstore(sessions, export, password="guess")
    missing = smartstore(sessions, export)

    assert [str(error) for error in wrong.errors] == [
        "orders.xlsx: wrong password for the encrypted workbook (nothing imported)"
    ]
    assert [str(error) for error in missing.errors] == [
        "orders.xlsx: the workbook is password-protected: give the password you chose when "
        "downloading it (--password, or type it when asked)"
    ]
    assert wrong.summary() == missing.summary() == "nothing imported"
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(Order)) == 0


def test_bad_rows_are_named_by_their_sheet_row(sessions: sessionmaker[Session], shop: int) -> None:
    bad = [list(cells) for cells in ROWS[:3]]
    bad[1][6:8] = ["배송보류중", ""]  # not a status Naver writes
    bad[2][0] = "2026112050001"  # the first product order again
    data = workbook([*GUIDE, HEADER, *bad])

    report = smartstore(sessions, data)

    assert report.errors == (
        RowError("orders.xlsx", 6, "unknown status in column '주문상태': '배송보류중'"),
        RowError("orders.xlsx", 7, "repeats line 5 in column '상품주문번호': '2026112050001'"),
    )
    no_header = smartstore(sessions, workbook([["주문번호", "상품명"], ["1", "머그컵"]]))
    assert [str(error) for error in no_header.errors] == [
        "orders.xlsx:1: no header row with the columns 상품주문번호 and 주문번호 "
        "(not a Smart Store order export?)"
    ]


@pytest.mark.parametrize(
    ("status", "detail", "stored_as"),
    [
        ("결제완료", "신규주문", "paid"),
        ("배송중", "", "paid"),
        ("배송완료", "", "paid"),
        ("구매확정", "", "paid"),
        ("교환", "교환완료", "paid"),
        ("반품", "수거중", "paid"),  # a return on its way back: not refunded yet
        ("취소", "", "cancelled"),
        ("결제완료", "취소완료", "cancelled"),
        ("반품", "", "refunded"),
        ("배송완료", "반품완료", "refunded"),
        ("결제대기", "", None),
        ("취소", "미결제취소", None),
    ],
)
def test_naver_statuses(status: str, detail: str, stored_as: str | None) -> None:
    csv = (
        "상품주문번호,주문번호,주문상태,주문세부상태,결제일,상품번호,수량,최종 상품별 총 주문금액\n"
        f"1,10,{status},{detail},2026-11-20 10:00,1001,1,5000\n"
    )
    parsed = parse_order_file(
        csv.encode(), "s.csv", timezone=SEOUL, currency="KRW", format_name="smartstore"
    )
    assert parsed.errors == ()
    statuses = {order.external_id: order.status for order in parsed.orders}
    if stored_as is None:
        assert (statuses, parsed.not_completed) == ({}, 1)
    else:
        suffix = {"paid": "", "cancelled": ":cancel", "refunded": ":refund"}[stored_as]
        expected = {f"10{suffix}": stored_as}
        if suffix:  # the order's paid part, empty: it removes one stored before
            expected["10"] = "cancelled"
        assert statuses == expected


def test_a_generic_csv_reads_naver_statuses_and_buyers_and_lists_unused_columns(
    sessions: sessionmaker[Session], shop: int
) -> None:
    csv = (
        "주문번호,주문일시,주문상태,상품코드,상품명,수량,단가,구매자ID,구매자명,정산예정금액,유입경로\n"
        "G-1,2026-11-20 10:00,배송중,MUG,머그컵,2,12000,kim01,김하나,22800,검색\n"
        "G-2,2026-11-20 11:00,배송완료,MUG,머그컵,1,12000,lee02,이둘,11400,광고\n"
        "G-3,2026-11-20 12:00,구매확정,MUG,머그컵,1,12000,kim01,김하나,11400,검색\n"
        "G-4,2026-11-20 13:00,결제대기,MUG,머그컵,1,12000,park03,박셋,11400,검색\n"
        "G-5,2026-11-20 14:00,취소완료,MUG,머그컵,1,12000,park03,박셋,0,검색\n"
    )

    report = smartstore(sessions, csv.encode("cp949"), "generic.csv")

    assert report.summary() == (
        "imported 4 orders (4 lines), 1 new product, 3 new customers; "
        "skipped 0 already imported, 1 not completed (pending, authorized, partially paid)\n"
        "not used: 정산예정금액, 유입경로"
    )
    with sessions() as session:
        assert stored(session) == {
            "G-1": ("paid", 24_000, 2, utc(2026, 11, 20, 1, 0), "kim01"),
            "G-2": ("paid", 12_000, 1, utc(2026, 11, 20, 2, 0), "lee02"),
            "G-3": ("paid", 12_000, 1, utc(2026, 11, 20, 3, 0), "kim01"),
            "G-5": ("cancelled", 12_000, 1, utc(2026, 11, 20, 5, 0), "park03"),
        }
        assert session.scalar(select(Customer.name).where(Customer.external_id == "lee02")) == (
            "이둘"
        )


@pytest.fixture
def cli_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    get_settings.cache_clear()
    yield tmp_path
    get_settings.cache_clear()


def test_cli_asks_for_the_password_without_echo_and_never_prints_it(
    cli_db: Path, export: bytes, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    path = cli_db / "스마트스토어_주문.xlsx"
    path.write_bytes(export)
    asked: list[str] = []
    monkeypatch.setattr("getpass.getpass", lambda prompt: asked.append(prompt) or PASSWORD)
    assert main(["seller", "add", "shop"]) == 0
    capsys.readouterr()

    wrong = ["import", "orders", str(path), "--seller", "shop", "--password", "guess"]
    assert main(wrong) == 1
    assert capsys.readouterr().err == (
        f"{path}: wrong password for the encrypted workbook (nothing imported)\nnothing imported\n"
    )
    assert asked == []

    assert main(["import", "orders", str(path), "--seller", "shop", "--format", "smartstore"]) == 0
    out = capsys.readouterr()
    assert asked == ["password of 스마트스토어_주문.xlsx: "]
    # the wrong password wrote nothing: every order is new now
    assert out.out.splitlines()[:2] == [
        "imported 6 orders (7 lines), 3 new products, 3 new customers; "
        "skipped 0 already imported, 1 not completed (pending, authorized, partially paid)",
        f"not used: {UNUSED}",
    ]
    assert PASSWORD not in out.out + out.err
