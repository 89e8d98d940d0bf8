"""The store-wide stock report on a hand-built store, on SQLite and PostgreSQL: days of
stock left at the rate of the 14 × 24 hours before now, about to sell out, sold out,
unknown stock counted and left out, a category; the seller's answer in Korean and
English, its chart and its next step; questions that route to it.

NOW is Friday 2026-11-27 14:30 in Seoul; the rate is taken over Nov 13 14:30 - now.

    product (category)   stock  units in the 14 days          per day  days left
    원두 (Coffee)            6  4 + 5 + 5 = 14                    1.0  6.0  -> Dec 3
    드립백 (coffee)          0  7                                 0.5  sold out
    머그 (Kitchen)          70  20 + 8 = 28 (a cancelled 50 not)  2.0  35.0 -> Jan 1
    스푼 (Kitchen)           9  none                              0    idle
    텀블러                 None  3                               unknown (sold)
    컵홀더                 None  none                            unknown
    Outside the 14 days: 원두 ×10 on Nov 13 14:00 and ×9 today at 15:00 (after now).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from analytics.common import NoData, Store
from analytics.products import ProductReport
from analytics.stock import StockReport, stock_report
from storage.db import session_factory
from storage.settings import Settings
from tests.factories import SEOUL, local, make_order, make_product, make_seller
from tools.advisor import Advisor
from tools.answer import Button
from tools.catalog import CATALOG
from tools.prompts import PromptStore

NOW = local(2026, 11, 27, 14, 30)
D = dt.date


def build(session: Session) -> None:
    shop = make_seller(session, "shop")
    beans = make_product(session, shop, "원두", 15_000, stock=6, category="Coffee")
    drip = make_product(
        session, shop, "드립백", 1_000, stock=0, category="coffee", name_en="Drip Bags"
    )
    mug = make_product(session, shop, "머그", 12_000, stock=70, category="Kitchen", name_en="Mug")
    make_product(session, shop, "스푼", 3_000, stock=9, category="Kitchen")
    tumbler = make_product(session, shop, "텀블러", 20_000, stock=None)
    make_product(session, shop, "컵홀더", 2_000, stock=None)
    make_order(session, shop, local(2026, 11, 13, 14, 0), [(beans, 10)])  # before the 14 days
    make_order(session, shop, local(2026, 11, 13, 15, 0), [(beans, 4)])
    make_order(session, shop, local(2026, 11, 20, 10, 0), [(beans, 5)])
    make_order(session, shop, local(2026, 11, 27, 14, 0), [(beans, 5)])
    make_order(session, shop, local(2026, 11, 27, 15, 0), [(beans, 9)])  # after now
    make_order(session, shop, local(2026, 11, 25, 10, 0), [(drip, 7)])
    make_order(session, shop, local(2026, 11, 16, 10, 0), [(mug, 20)])
    make_order(session, shop, local(2026, 11, 26, 10, 0), [(mug, 8)])
    make_order(session, shop, local(2026, 11, 24, 10, 0), [(mug, 50)], status="cancelled")
    make_order(session, shop, local(2026, 11, 22, 10, 0), [(tumbler, 3)])
    other = make_seller(session, "other")
    theirs = make_product(session, other, "대접", 50_000, stock=1, category="Coffee")
    make_order(session, other, local(2026, 11, 26, 10, 0), [(theirs, 40)])
    session.commit()


@pytest.fixture
def store(session: Session) -> Store:
    build(session)
    return Store(id=1, timezone=SEOUL)


def _report(session: Session, store: Store, **kwargs: object) -> StockReport:
    report = stock_report(session, store, NOW, **kwargs)  # type: ignore[arg-type]
    assert isinstance(report, StockReport)
    return report


def test_products_by_days_of_stock_left(session: Session, store: Store) -> None:
    report = _report(session, store)

    assert [
        (i.name, i.stock, i.units, i.units_per_day, i.days_left, i.stockout_date, i.status)
        for i in report.items
    ] == [
        ("드립백", 0, 7, 0.5, 0.0, D(2026, 11, 27), "out_of_stock"),
        ("원두", 6, 14, 1.0, 6.0, D(2026, 12, 3), "selling_out"),
        ("머그", 70, 28, 2.0, 35.0, D(2027, 1, 1), "in_stock"),
        ("스푼", 9, 0, 0.0, None, None, "idle"),
    ]
    assert (report.products, report.out_of_stock, report.selling_out) == (6, 1, 1)
    assert (report.in_stock, report.idle) == (1, 1)
    assert (report.unknown_stock, report.unknown_selling) == (2, 1)  # 텀블러 sold, 컵홀더 not
    assert (report.recent_days, report.soon_days) == (14, 7)
    assert report.recent_start == local(2026, 11, 13, 14, 30)


def test_a_category_any_case_a_limit_and_an_unknown_category(
    session: Session, store: Store
) -> None:
    coffee = _report(session, store, category=" COFFEE ", limit=1)

    # "Coffee" and "coffee" are one category; the other seller's "Coffee" is not ours
    assert coffee.category == "Coffee"
    assert [item.name for item in coffee.items] == ["드립백"]
    assert (coffee.products, coffee.out_of_stock, coffee.selling_out, coffee.unknown_stock) == (
        2,
        1,
        1,
        0,
    )
    assert stock_report(session, store, NOW, category="커피") == NoData(
        reason="unknown_category", detail={"category": "커피", "known": "Coffee, Kitchen"}
    )
    newcomer = make_seller(session, "new")
    assert stock_report(session, Store(id=newcomer.id, timezone=SEOUL), NOW) == NoData(
        reason="no_orders"
    )


# -- the seller's answer ---------------------------------------------------------------


@pytest.fixture
def advisor(sqlite_engine: Engine) -> Iterator[Advisor]:
    sessions: sessionmaker[Session] = session_factory(sqlite_engine)
    with sessions() as session:
        build(session)
    advisor = Advisor(sessions, Settings(openai_api_key=None), PromptStore())
    yield advisor
    advisor.close()


def test_about_to_sell_out_in_korean(advisor: Advisor) -> None:
    answer = advisor.ask("품절 임박 상품 있어?", seller_id=1, now=NOW)

    assert [(c.tool, c.args) for c in answer.calls] == [("stock_report", {"limit": 10})]
    assert answer.text == (
        "재고 현황 (14:30 기준, 최근 14일 판매 속도로 계산)\n"
        "품절 1개 · 7일 안에 품절 예상 1개\n"
        "1. 드립백: 품절 (최근 14일 7개 판매)\n"
        "2. 원두: 재고 6개 · 하루 1.0개 → 약 6.0일분 (12월 3일쯤 품절 예상)\n"
        "3. 머그: 재고 70개 · 하루 2.0개 → 약 35.0일분 (2027년 1월 1일쯤 품절 예상)\n"
        "4. 스푼: 재고 9개 · 최근 14일 판매 없음\n"
        "재고 수량을 알 수 없는 상품 2개(그중 최근 판매된 상품 1개)는 목록에서 뺐어요. "
        "재고가 포함된 파일을 가져오면 함께 계산해 드릴게요."
    )
    # the chart: days left of the products that have them; idle ones have none
    assert answer.chart is not None
    assert (answer.chart.labels, answer.chart.series) == (
        ["드립백", "원두", "머그"],
        {"남은 일수": [0.0, 6.0, 35.0]},
    )
    # the next step: the first product's report over the last 7 days
    assert (
        Button(
            "드립백 자세히",
            "product_report",
            {"product_id": 2, "start": "2026-11-20", "end": "2026-11-26"},
        )
        in answer.buttons
    )


def test_about_to_sell_out_in_english_with_english_names(advisor: Advisor) -> None:
    answer = advisor.ask("are any products about to sell out?", seller_id=1, now=NOW)

    assert [(c.tool, c.args) for c in answer.calls] == [("stock_report", {"limit": 10})]
    assert answer.text == (
        "Stock as of 14:30, at the sales rate of the last 14 days\n"
        "1 out of stock · 1 may sell out within 7 days\n"
        "1. Drip Bags: out of stock (7 sold in the last 14 days)\n"
        "2. 원두: 6 in stock · 1.0 a day → about 6.0 days left (runs out around Dec 3)\n"
        "3. Mug: 70 in stock · 2.0 a day → about 35.0 days left (runs out around Jan 1, 2027)\n"
        "4. 스푼: 9 in stock · no sales in the last 14 days\n"
        "2 products with unknown stock are not listed (1 of them sold recently): "
        "import a file with stock to include them."
    )


def test_one_product_with_unknown_stock_says_so_instead_of_sold_out(advisor: Advisor) -> None:
    week = {"product_id": 5, "start": "2026-11-20", "end": "2026-11-26"}

    korean = advisor.run("product_report", week, seller_id=1, lang="ko", now=NOW)
    english = advisor.run("product_report", week, seller_id=1, lang="en", now=NOW)

    assert korean.text.splitlines()[-1] == (
        "재고 수량은 데이터에 없어 알 수 없어요. 재고가 포함된 파일을 가져오면 남은 일수를 "
        "계산해 드릴게요."
    )
    assert "품절" not in korean.text
    assert english.text.splitlines()[-1] == (
        "Stock unknown: the store data has no stock figure for it. "
        "Import a file with stock to see how many days it lasts."
    )
    result = korean.calls[0].result
    assert (result["stock"], result["days_of_stock_left"], result["stockout_date"]) == (
        None,
        None,
        None,
    )
    # the figures a model reads say the stock is unknown, not 0
    summary = CATALOG["product_report"].summary(ProductReport(**result))
    assert summary["stock_known"] is False and "stock" not in summary


def test_a_category_named_in_a_question_narrows_the_stock_report(advisor: Advisor) -> None:
    answer = advisor.ask("Kitchen 카테고리 품절 임박 상품 있어?", seller_id=1, now=NOW)

    assert [(c.tool, c.args) for c in answer.calls] == [
        ("stock_report", {"limit": 10, "category": "Kitchen"})
    ]
    assert answer.text == (
        "'Kitchen' 카테고리 재고 현황 (14:30 기준, 최근 14일 판매 속도로 계산)\n"
        "7일 안에 품절될 상품은 없어요.\n"
        "1. 머그: 재고 70개 · 하루 2.0개 → 약 35.0일분 (2027년 1월 1일쯤 품절 예상)\n"
        "2. 스푼: 재고 9개 · 최근 14일 판매 없음"
    )
