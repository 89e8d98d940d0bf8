"""What the seller reads from the product tools: rankings by units state the share
of units, rising and falling rank by the absolute change, refunds rank by the
refunded and cancelled amount, a category narrows the ranking, every answer names
the dates it compares with, English answers use English names, and a GBP store's
chart is in pounds.

NOW is Friday 2026-11-27 14:30 in Seoul. Last week is Mon 16 - Sun 22 (compared
with the week before, Mon 9 - Sun 15):

    product (category)        last week                       the week before
    그라인더 100,000 (Coffee)  6 units 600,000 in 2 orders    10 units 1,000,000
    가습기 10,000 (Home)       4 units 40,000                 12 units 120,000
    필터 1,000 (coffee)        30 units 30,000 in 2 orders    20 units 20,000
    paid orders last week: 4 (one has the grinder and the filter)
    refunds last week: 그라인더 cancelled ×1 (100,000) and refunded ×2 (200,000),
                       가습기 refunded ×1 (10,000); the week before: 그라인더
                       cancelled ×1 (100,000)
    today 10:00 그라인더 ×1; yesterday 11:00 ×2 and 16:00 ×5 (after the cut at 14:30)
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from storage.db import session_factory
from storage.settings import Settings
from tests.factories import local, make_order, make_product, make_seller
from tools.advisor import Advisor
from tools.prompts import PromptStore

NOW = local(2026, 11, 27, 14, 30)
LAST_WEEK = {"start": "2026-11-16", "end": "2026-11-22"}


def build(session: Session) -> None:
    shop = make_seller(session, "shop")
    grinder = make_product(
        session, shop, "그라인더", 100_000, category="Coffee", name_en="Coffee Grinder"
    )
    humidifier = make_product(session, shop, "가습기", 10_000, category="Home")
    filters = make_product(session, shop, "필터", 1_000, category="coffee")
    # last week
    make_order(session, shop, local(2026, 11, 16, 10), [(grinder, 2)])
    make_order(session, shop, local(2026, 11, 17, 10), [(grinder, 4), (filters, 10)])
    make_order(session, shop, local(2026, 11, 18, 10), [(humidifier, 4)])
    make_order(session, shop, local(2026, 11, 19, 10), [(filters, 20)])
    make_order(session, shop, local(2026, 11, 18, 12), [(grinder, 1)], status="cancelled")
    make_order(session, shop, local(2026, 11, 20, 12), [(grinder, 2)], status="refunded")
    make_order(session, shop, local(2026, 11, 21, 12), [(humidifier, 1)], status="refunded")
    # the week before
    make_order(session, shop, local(2026, 11, 10, 10), [(grinder, 10)])
    make_order(session, shop, local(2026, 11, 11, 10), [(humidifier, 12)])
    make_order(session, shop, local(2026, 11, 12, 10), [(filters, 20)])
    make_order(session, shop, local(2026, 11, 10, 12), [(grinder, 1)], status="cancelled")
    # today so far and yesterday
    make_order(session, shop, local(2026, 11, 27, 10), [(grinder, 1)])
    make_order(session, shop, local(2026, 11, 26, 11), [(grinder, 2)])
    make_order(session, shop, local(2026, 11, 26, 16), [(grinder, 5)])
    # a store selling in pounds (prices in pence)
    uk = make_seller(session, "uk", currency="GBP", timezone="Europe/London")
    tea = make_product(session, uk, "홍차", 1_250, name_en="Black Tea")
    make_order(session, uk, local(2026, 11, 18, 12), [(tea, 3)])
    session.commit()


@pytest.fixture
def advisor(sqlite_engine: Engine) -> Iterator[Advisor]:
    sessions: sessionmaker[Session] = session_factory(sqlite_engine)
    with sessions() as session:
        build(session)
    advisor = Advisor(sessions, Settings(openai_api_key=None), PromptStore())
    yield advisor
    advisor.close()


def _top(advisor: Advisor, lang: str, seller: int = 1, **args: object) -> str:
    answer = advisor.run(
        "top_products", {**LAST_WEEK, **args}, seller_id=seller, lang=lang, now=NOW
    )
    return answer.text


def test_falling_products_rank_by_the_money_lost_and_name_the_week_compared(
    advisor: Advisor,
) -> None:
    # the grinder lost 400,000 (−40 %), the humidifier 80,000 (−66.7 %): the grinder leads
    assert _top(advisor, "ko", direction="falling") == (
        "지난주(11월 16일~22일), 전주(11월 9일~15일) 대비 매출이 가장 많이 줄어든 상품이에요"
        "(줄어든 금액 순).\n"
        "1. 그라인더: 600,000원 · 6개 (-400,000원, -40.0%)\n"
        "2. 가습기: 40,000원 · 4개 (-80,000원, -66.7%)"
    )
    assert _top(advisor, "en", direction="falling") == (
        "Products whose revenue fell most for last week (Nov 16-22) vs the week before "
        "(Nov 9-15), ranked by the change in money:\n"
        "1. Coffee Grinder: ₩600,000 · 6 units (-₩400,000, -40.0%)\n"
        "2. 가습기: ₩40,000 · 4 units (-₩80,000, -66.7%)"
    )


def test_a_ranking_by_units_states_the_share_of_units(advisor: Advisor) -> None:
    # 30 of the 40 units are filters (75.0 %); by revenue they would be 30,000 / 670,000
    assert _top(advisor, "en", metric="units") == (
        "Top products by units sold for last week (Nov 16-22):\n"
        "1. 필터: 30 units · ₩30,000 (+50.0%)\n"
        "2. Coffee Grinder: 6 units · ₩600,000 (-40.0%)\n"
        "3. 가습기: 4 units · ₩40,000 (-66.7%)\n"
        "All 3 products sold: 40 units; the top one is 75.0% of the units\n"
        "Changes in brackets are vs the week before (Nov 9-15)."
    )
    assert _top(advisor, "ko", metric="units").splitlines()[-2:] == [
        "전체 3개 상품 판매량 40개, 1위 판매량 비중 75.0%",
        "괄호 안 변화율은 전주(11월 9일~15일) 대비예요.",
    ]


def test_refunds_rank_by_the_refunded_and_cancelled_amount(advisor: Advisor) -> None:
    # grinder 100,000 + 2 × 100,000 = 300,000 (the week before 100,000: +200 %);
    # humidifier 10,000 (nothing the week before); 300,000 / 310,000 = 96.8 %
    assert _top(advisor, "ko", metric="refunds") == (
        "지난주(11월 16일~22일) 취소·환불이 많은 상품이에요(취소·환불된 주문 금액 순).\n"
        "1. 그라인더: 취소·환불 300,000원 · 주문 2건(취소 1건, 환불 1건) · 3개 (+200.0%)\n"
        "2. 가습기: 취소·환불 10,000원 · 주문 1건(취소 0건, 환불 1건) · 1개\n"
        "전체 취소·환불 310,000원, 1위 비중 96.8% (취소·환불은 매출에서 빠져요)\n"
        "괄호 안 변화율은 전주(11월 9일~15일) 대비예요."
    )
    assert _top(advisor, "en", metric="refunds").splitlines()[1] == (
        "1. Coffee Grinder: ₩300,000 refunded or cancelled · 2 orders (1 cancelled, "
        "1 refunded) · 3 units (+200.0%)"
    )


@pytest.mark.parametrize(
    ("question", "lang"),
    [("지난주 환불 많이 된 상품", "ko"), ("most returned items last week", "en")],
)
def test_refund_words_ask_for_the_refunds_ranking(
    advisor: Advisor, question: str, lang: str
) -> None:
    answer = advisor.ask(question, seller_id=1, lang=lang, now=NOW)
    assert [(c.tool, c.args) for c in answer.calls] == [
        (
            "top_products",
            {**LAST_WEEK, "metric": "refunds", "direction": "top", "limit": 5},
        )
    ]


def test_a_category_ranks_and_totals_its_products_only(advisor: Advisor) -> None:
    answer = advisor.run(
        "top_products", {**LAST_WEEK, "category": "COFFEE"}, seller_id=1, lang="ko", now=NOW
    )

    # "Coffee" and "coffee" are one category: the grinder and the filters, 630,000 in all
    assert answer.text == (
        "지난주(11월 16일~22일) 'Coffee' 카테고리 매출 상위 상품이에요.\n"
        "1. 그라인더: 600,000원 · 6개 (-40.0%)\n"
        "2. 필터: 30,000원 · 30개 (+50.0%)\n"
        "'Coffee' 카테고리 전체 2개 상품 매출 630,000원, 1위 매출 비중 95.2%\n"
        "괄호 안 변화율은 전주(11월 9일~15일) 대비예요."
    )
    result = answer.calls[0].result
    # its paid orders: the three with the grinder or the filters (not the humidifier's)
    assert (result["total"]["revenue"], result["total"]["orders"]) == (630_000, 3)
    unknown = advisor.run(
        "top_products", {**LAST_WEEK, "category": "커피"}, seller_id=1, lang="ko", now=NOW
    )
    assert unknown.text == "'커피' 카테고리의 상품을 찾지 못했어요. 있는 카테고리: Coffee, Home"


def test_one_product_names_the_week_and_the_cut_time_it_compares_with(
    advisor: Advisor,
) -> None:
    week = advisor.run(
        "product_report", {"product_id": 1, **LAST_WEEK}, seller_id=1, lang="en", now=NOW
    )
    assert week.text.splitlines()[:2] == [
        "Coffee Grinder · last week (Nov 16-22)",
        "Revenue ₩600,000 (-40.0% vs the week before (Nov 9-15)) · 6 units sold · 2 orders",
    ]
    today = {"product_id": 1, "start": "2026-11-27", "end": "2026-11-27"}
    korean = advisor.run("product_report", today, seller_id=1, lang="ko", now=NOW)
    # today until 14:30: 100,000 against yesterday until 14:30: 200,000 (16:00 is after)
    assert korean.text.splitlines()[:2] == [
        "그라인더 · 오늘 (14:30 기준)",
        "매출 100,000원 (어제 같은 시간 대비 -50.0%) · 1개 판매 · 주문 1건",
    ]


def test_a_pound_store_charts_pounds(advisor: Advisor) -> None:
    answer = advisor.run("top_products", LAST_WEEK, seller_id=2, lang="en", now=NOW)

    assert answer.text.splitlines()[1] == "1. Black Tea: £37.50 · 3 units"
    assert answer.chart is not None
    assert (answer.chart.labels, answer.chart.series, answer.chart.y_label) == (
        ["Black Tea"],
        {"Revenue": [37.5]},
        "GBP",
    )


def test_a_category_named_in_a_question_reaches_the_ranking(advisor: Advisor) -> None:
    answer = advisor.ask("best sellers in the home category last week", seller_id=1, now=NOW)

    assert [(c.tool, c.args) for c in answer.calls] == [
        (
            "top_products",
            {**LAST_WEEK, "metric": "revenue", "direction": "top", "limit": 5, "category": "Home"},
        )
    ]
    assert answer.text.splitlines()[:2] == [
        "Top products in 'Home' by revenue for last week (Nov 16-22):",
        "1. 가습기: ₩40,000 · 4 units (-66.7%)",
    ]
