"""Labels and figures that misled (issue 10, section 6): amounts in the store's own
currency, customers by masked name with their order count, conversion rates that
say which visits they count, and alerts_report listing the alerts actually sent.

Besides the advisor's hand-built store (tests/advisor_store.py, KRW), a GBP store
"tea-house" (id 3, Seoul time, asked at NOW = Fri 2026-11-27 14:30), by hand:

    today     09:55 visit searching "teapot" -> order at 10:00: teapot x1 £1,509,471.33
              10:50 visit searching "earl grey" -> order at 11:00: earl grey x2 £25.00
              three more "earl grey" visits and two visits without a search, no order
              -> sales £1,509,496.33 (150,949,633 pence), 2 orders, 3 units
              -> search visits 5 of 7, 2 converted: 40.0 % of search visits,
                 28.6 % of all visits; "earl grey" 1 of 4 (25.0 %), "teapot" 1 of 1
    outbox    a whole-day sales alert for Wed Nov 25 (130 orders, usually 221.0,
              -41.2 %; £15,600.00, usually £26,520.00) sent Thu Nov 26 09:01, and an
              ad alert for Nov 25 still pending (not sent: not listed as sent)
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import Engine, update
from sqlalchemy.orm import Session, sessionmaker

from analytics.masking import mask_name
from storage.db import session_factory
from storage.models import Alert, AlertStatus
from storage.outbox import record_alert
from storage.settings import Settings
from tests.advisor_store import NOW, build_store
from tests.factories import local, make_order, make_product, make_seller, make_visit
from tests.test_nudges import _ad, _drop
from tools.advisor import Advisor
from tools.catalog._charts import major_units
from tools.catalog._labels import label
from tools.prompts import PromptStore

SHOP, TEA_HOUSE = 1, 3
WEEK = {"start": "2026-11-20", "end": "2026-11-26"}
TODAY = {"start": "2026-11-27", "end": "2026-11-27"}


def _tea_house(session: Session) -> None:
    seller = make_seller(session, "tea-house", name="Tea House", currency="GBP")
    assert seller.id == TEA_HOUSE
    teapot = make_product(session, seller, "Teapot", 150_947_133, sku="POT")
    tea = make_product(session, seller, "Earl Grey", 1_250, sku="EG")
    pot_order = make_order(session, seller, local(2026, 11, 27, 10, 0), [(teapot, 1)])
    tea_order = make_order(session, seller, local(2026, 11, 27, 11, 0), [(tea, 2)])
    make_visit(session, seller, local(2026, 11, 27, 9, 55), keyword="teapot", order=pot_order)
    make_visit(session, seller, local(2026, 11, 27, 10, 50), keyword="earl grey", order=tea_order)
    for minute in (5, 15, 25):
        make_visit(session, seller, local(2026, 11, 27, 12, minute), keyword="earl grey")
    for minute in (35, 45):
        make_visit(session, seller, local(2026, 11, 27, 12, minute))
    drop = {**_drop("2026-11-25"), "expected": 221.0, "actual": 130, "change": -0.4118,
            "expected_revenue": 2_652_000, "actual_revenue": 1_560_000,
            "quiet_since_hour": None, "expected_since_quiet": None, "currency": "GBP"}  # fmt: skip
    record_alert(session, seller_id=TEA_HOUSE, kind="sales_drop_day",
                 dedupe_key=f"sales_drop:{TEA_HOUSE}:2026-11-25", evidence=drop,
                 detected_at=local(2026, 11, 26, 9, 0))  # fmt: skip
    session.execute(
        update(Alert)
        .where(Alert.seller_id == TEA_HOUSE)
        .values(status=AlertStatus.SENT, sent_at=local(2026, 11, 26, 9, 1))
    )
    record_alert(session, seller_id=TEA_HOUSE, kind="ad_ctr_drop", dedupe_key="tea-ctr",
                 evidence={**_ad("2026-11-25"), "currency": "GBP"},
                 detected_at=local(2026, 11, 26, 9, 0))  # fmt: skip
    session.commit()


@pytest.fixture
def advisor(sqlite_engine: Engine) -> Iterator[Advisor]:
    factory: sessionmaker[Session] = session_factory(sqlite_engine)
    with factory() as session:
        build_store(session)
        _tea_house(session)
    advisor = Advisor(factory, Settings(openai_api_key=None), PromptStore())
    yield advisor
    advisor.close()


def _text(advisor: Advisor, tool: str, args: dict[str, Any], seller: int, lang: str) -> str:
    return advisor.run(tool, args, seller_id=seller, lang=lang, now=NOW).text


# -- the store's own currency --------------------------------------------------------


def test_a_gbp_stores_sales_answer_is_in_pounds_with_no_won(advisor: Advisor) -> None:
    en = _text(advisor, "sales_report", TODAY, TEA_HOUSE, "en")
    ko = _text(advisor, "sales_report", TODAY, TEA_HOUSE, "ko")
    assert en.splitlines()[0] == "Sales today (as of 14:30): £1,509,496.33"
    assert ko.splitlines()[0] == "오늘 매출 (14:30 기준): £1,509,496.33"
    for text in (en, ko):
        assert "won" not in text and "원" not in text, text


def test_a_krw_stores_sales_answer_keeps_the_won_shorthand(advisor: Advisor) -> None:
    en = _text(advisor, "sales_report", TODAY, SHOP, "en")
    assert en.splitlines()[0] == "Sales today (as of 14:30): ₩49,000"


def test_chart_amounts_are_in_the_major_unit_and_labelled_with_the_currency() -> None:
    assert major_units(150_949_633, "GBP") == 1_509_496.33
    assert (major_units(49_000, "KRW"), major_units(980, "JPY")) == (49_000.0, 980.0)
    prompts = PromptStore()
    units = [label(prompts, lang, "unit.money", c) for lang in ("ko", "en") for c in ("KRW", "GBP")]
    assert units == ["원", "GBP", "KRW", "GBP"]


def test_a_gbp_stores_sales_chart_plots_pounds(advisor: Advisor) -> None:
    week = {"start": "2026-11-20", "end": "2026-11-26"}
    chart = advisor.run("sales_report", week, seller_id=TEA_HOUSE, lang="en", now=NOW).chart
    assert chart is not None and chart.y_label == "GBP"
    answer = advisor.run("sales_report", week, seller_id=TEA_HOUSE, lang="en", now=NOW)
    (total,) = [c.result["totals"]["revenue"] for c in answer.calls]
    assert sum(next(iter(chart.series.values()))) == pytest.approx(total / 100)


# -- alerts_report: the alerts sent, with their figures ---------------------------------


def test_alerts_report_lists_the_alerts_sent_with_their_figures(advisor: Advisor) -> None:
    assert _text(advisor, "alerts_report", WEEK, TEA_HOUSE, "en") == (
        "Alerts sent for the last 7 days (Nov 20-26): 1\n"
        "• Nov 25 sales drop: 130 orders all day (usually 221.0, -41.2%), "
        "revenue £15,600.00 (usually £26,520.00) · sent Nov 26 09:01"
    )
    assert _text(advisor, "alerts_report", WEEK, TEA_HOUSE, "ko") == (
        "최근 7일(11월 20일~26일) 보낸 알림 1건:\n"
        "• 11월 25일 매출 감소: 하루 주문 130건 (평소 221.0건, -41.2%), "
        "매출 £15,600.00 (평소 £26,520.00) · 11월 26일 09:01 발송"
    )
    # another seller's sent alerts are not this one's
    assert _text(advisor, "alerts_report", WEEK, SHOP, "ko") == (
        "최근 7일(11월 20일~26일) 특별한 이상은 없었어요."
    )


# -- conversion rates say which visits they count ------------------------------------


def test_search_keywords_name_the_visits_a_conversion_rate_counts(advisor: Advisor) -> None:
    assert _text(advisor, "search_keywords", TODAY, TEA_HOUSE, "en") == (
        "Search visits for today: 5 of 7 visits · conversion of search visits 40.0% "
        "(of all visits 28.6%)\n"
        "Top searches:\n"
        "1. earl grey: 4 visits · conversion of these visits 25.0%\n"
        "2. teapot: 1 visit · conversion of these visits 100.0%"
    )
    assert _text(advisor, "search_keywords", TODAY, TEA_HOUSE, "ko") == (
        "오늘 검색 유입 5회(전체 방문 7회 중) · 검색 방문 전환율 40.0% (전체 방문 전환율 28.6%)\n"
        "많이 찾은 검색어:\n"
        "1. earl grey: 방문 4회 · 이 검색 방문의 전환율 25.0%\n"
        "2. teapot: 방문 1회 · 이 검색 방문의 전환율 100.0%"
    )


# -- customers by masked name, with their orders -------------------------------------


@pytest.mark.parametrize(
    ("stored", "shown"),
    [
        ("한지율", "한*율"),
        ("남궁민수", "남*수"),  # one "*" whatever the length
        ("김준", "김*"),
        ("김*준", "김*준"),  # masked already (a shop's export, the demo)
        ("김민*", "김민*"),
        ("John Smith", "J* S*"),
        ("  한지율 ", "한*율"),
        ("", None),
        (None, None),
    ],
)
def test_customer_names_are_masked(stored: str | None, shown: str | None) -> None:
    assert mask_name(stored) == shown


def _customer(name: str | None, customer: str, orders: int, days: int) -> dict[str, Any]:
    return {
        "customer": customer, "name": name, "orders": orders, "purchases": days,
        "last_purchase": "2026-11-25", "p_alive": 0.8, "expected_purchases_30d": 0.5,
        "expected_purchases_90d": 1.25, "expected_spend": 1_250, "expected_value_30d": 625,
        "expected_value_90d": 1_563,
    }  # fmt: skip


def test_customers_are_shown_by_masked_name_with_orders_and_purchase_days() -> None:
    result = {
        "segment": "regulars", "currency": "GBP", "calibration_end_date": "2026-11-27",
        "customers_fitted": 240, "counts": {"likely_regulars": 0, "regulars": 2, "at_risk": 0},
        "customers": [_customer("한*율", "C-1", 5, 4), _customer(None, "C-2", 1, 1)],
    }  # fmt: skip
    context = {"result": result, "args": {}, "period": None, "today": "2026-11-27"}
    prompts = PromptStore()
    assert prompts.render("answers/customer_report", "ko", tool="customer_report", **context) == (
        "지금의 단골 고객: 2명 (11월 27일까지 구매한 고객 240명 분석)\n"
        "1. 한*율 (C-1): 주문 5건(구매한 날 4일) · 마지막 11월 25일 · 아직 고객일 확률 80.0% "
        "· 90일 예상 구매일 1.2일 (£15.63)\n"
        "2. C-2: 주문 1건(구매한 날 1일) · 마지막 11월 25일 · 아직 고객일 확률 80.0% "
        "· 90일 예상 구매일 1.2일 (£15.63)"
    )
    assert prompts.render("answers/customer_report", "en", tool="customer_report", **context) == (
        "Your current regulars: 2 (from 240 customers who bought up to Nov 27)\n"
        "1. 한*율 (C-1): 5 orders on 4 days · last Nov 25 · still active 80.0% "
        "· expected 1.2 purchase days in 90 days (£15.63)\n"
        "2. C-2: 1 order on 1 day · last Nov 25 · still active 80.0% "
        "· expected 1.2 purchase days in 90 days (£15.63)"
    )
