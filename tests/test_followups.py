"""Follow-ups: ordinals pick from the last list, "그 전주" / "the week before" shifts the
last period, "3개만" keeps tool and period, "차트도" repeats the last answer with its
chart; two products side by side run twice, two periods compare exactly."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from analytics.periods import find_period
from storage.db import session_factory
from storage.models import ConversationTurn, TurnOutcome
from storage.settings import Settings
from tests.advisor_store import NOW, build_store
from tests.test_router import CAMPAIGNS, CATALOGUE, TZ, ask
from tests.test_router import NOW as ROUTER_NOW
from tools.advisor import Advisor
from tools.prompts import PromptStore
from tools.router import Candidate, ProductRef, RouteResult, route

LAST_WEEK = {"start": "2026-11-16", "end": "2026-11-22"}
WEEK_BEFORE = {"start": "2026-11-09", "end": "2026-11-15"}
LAST_7_DAYS = {"start": "2026-11-20", "end": "2026-11-26"}
LISTED = (
    Candidate("product", 122, "드립백 커피 20개입"),
    Candidate("product", 107, "스테인리스 텀블러 500ml"),
    Candidate("product", 119, "미니 가습기"),
)


@pytest.fixture(scope="module")
def prompts() -> PromptStore:
    return PromptStore()


def listed_last_week(prompts: PromptStore) -> RouteResult:
    """ "지난주 베스트 상품" as the advisor hands it back: with the products it listed."""
    top = ask("지난주 베스트 상품", prompts)
    assert (top.tool, top.args["start"]) == ("top_products", "2026-11-16")
    return dataclasses.replace(top, listed=LISTED)


# -- ordinals ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("question", "product_id"),
    [
        ("그 중에 두번째 상품 자세히", 107),
        ("2번째 거", 107),
        ("첫번째 상품 어때?", 122),
        ("show me the second one", 107),
        ("the 3rd", 119),
    ],
)
def test_an_ordinal_picks_from_the_last_list_for_the_same_period(
    prompts: PromptStore, question: str, product_id: int
) -> None:
    result = ask(question, prompts, listed_last_week(prompts))
    assert (result.tool, result.args, result.error) == (
        "product_report",
        {"product_id": product_id, **LAST_WEEK},
        None,
    )
    assert result.period_key == "last_week"
    assert result.outcome is TurnOutcome.ANSWERED


def test_a_place_the_list_does_not_have_is_asked_about(prompts: PromptStore) -> None:
    result = ask("5번째 거", prompts, listed_last_week(prompts))
    assert result.outcome is TurnOutcome.CLARIFY
    assert result.error is not None
    assert (result.error.key, result.error.params) == (
        "not_in_list",
        {"count": 3, "candidates": [c.label for c in LISTED]},
    )
    assert result.candidates == LISTED
    # choosing from it answers for the list's period
    picked = ask("1번", prompts, result)
    assert (picked.tool, picked.args) == ("product_report", {"product_id": 122, **LAST_WEEK})


def test_an_ordinal_without_a_list_is_not_guessed(prompts: PromptStore) -> None:
    sales = ask("지난주 매출", prompts)
    result = ask("두번째 상품 자세히", prompts, sales)
    assert result.error is not None
    assert (result.error.key, result.error.params) == (
        "not_in_list",
        {"count": 0, "candidates": []},
    )


def test_a_week_of_a_month_is_not_an_ordinal(prompts: PromptStore) -> None:
    result = ask("11월 둘째 주 매출", prompts, listed_last_week(prompts))
    assert result.tool == "sales_report"
    assert result.args == {"start": "2026-11-09", "end": "2026-11-15"}


# -- the period before, fewer items, a chart --------------------------------------------


@pytest.mark.parametrize("question", ["그 전주는?", "the week before", "전주는?"])
def test_the_week_before_shifts_the_last_period(prompts: PromptStore, question: str) -> None:
    result = ask(question, prompts, ask("지난주 베스트 상품", prompts))
    assert (result.tool, result.args) == (
        "top_products",
        {"metric": "revenue", "direction": "top", "limit": 5, **WEEK_BEFORE},
    )
    assert result.followup


def test_the_month_before_of_a_product_report(prompts: PromptStore) -> None:
    jam = ask("딸기잼 지난달 어땠어?", prompts)
    assert jam.args == {"product_id": 105, "start": "2026-10-01", "end": "2026-10-31"}
    result = ask("그 전달은?", prompts, jam)
    assert (result.tool, result.args) == (
        "product_report",
        {"product_id": 105, "start": "2026-09-01", "end": "2026-09-30"},
    )


@pytest.mark.parametrize("question", ["3개만", "only top 3", "top 3 only"])
def test_fewer_items_keeps_the_tool_and_period(prompts: PromptStore, question: str) -> None:
    result = ask(question, prompts, ask("지난주 베스트 상품", prompts))
    assert (result.tool, result.args) == (
        "top_products",
        {"metric": "revenue", "direction": "top", "limit": 3, **LAST_WEEK},
    )


@pytest.mark.parametrize("question", ["차트도", "with a chart", "그래프로", "차트로 보여줘"])
def test_a_chart_request_repeats_the_last_answer(prompts: PromptStore, question: str) -> None:
    ads = ask("광고비 잘 쓰고 있어?", prompts)
    assert (ads.tool, ads.args, ads.chart) == ("ad_report", LAST_7_DAYS, False)
    result = ask(question, prompts, ads)
    assert (result.tool, result.args, result.period, result.chart) == (
        "ad_report",
        LAST_7_DAYS,
        ads.period,
        True,
    )


def test_a_chart_word_changes_nothing_else_in_the_question(prompts: PromptStore) -> None:
    # once read as today's ads
    result = ask("광고비 잘 쓰고 있어? 차트도", prompts)
    assert (result.tool, result.args, result.chart) == ("ad_report", LAST_7_DAYS, True)


# -- side by side --------------------------------------------------------------------


def test_two_products_side_by_side_run_for_each(prompts: PromptStore) -> None:
    catalogue = [*CATALOGUE, ProductRef(131, "커피 그라인더", "Coffee Grinder", "GRD-01")]
    october = {"start": "2026-10-01", "end": "2026-10-31"}
    for question in ("가습기 vs 그라인더 지난달", "humidifier vs grinder last month"):
        result = route(
            question,
            now=ROUTER_NOW,
            tz=TZ,
            catalogue=catalogue,
            campaigns=CAMPAIGNS,
            prompts=prompts,
        )
        assert (result.tool, result.args, result.error) == (
            "product_report",
            {"product_id": 119, **october},
            None,
        ), question
        assert result.also == ({"product_id": 131, **october},)


@pytest.mark.parametrize("question", ["November vs October", "11월이랑 10월 비교"])
def test_two_months_compare_exactly_as_named(prompts: PromptStore, question: str) -> None:
    result = ask(question, prompts)
    assert (result.tool, result.args) == (
        "sales_report",
        {"start": "2026-11-01", "end": "2026-11-27"},
    )
    # the period reaches the registry as find_period read it, comparison included
    named = find_period(question, now=ROUTER_NOW, tz=TZ)
    assert named is not None and named.versus is not None
    assert result.period == named
    assert result.period is not None and result.period.versus == named.versus
    assert (named.versus.start, named.versus.end) == (dt.date(2026, 10, 1), dt.date(2026, 10, 31))


# -- the advisor: what the seller reads, what is stored ---------------------------------


@pytest.fixture
def sessions(sqlite_engine: Engine) -> sessionmaker[Session]:
    factory = session_factory(sqlite_engine)
    with factory() as session:
        build_store(session)
    return factory


@pytest.fixture
def advisor(sessions: sessionmaker[Session]) -> Iterator[Advisor]:
    advisor = Advisor(sessions, Settings(openai_api_key=None), PromptStore())
    yield advisor
    advisor.close()


def test_the_second_product_of_the_last_list(
    advisor: Advisor, sessions: sessionmaker[Session]
) -> None:
    # last 7 days: tumbler 500 50,000 · thermal 18,000 · jam 12,000
    top = advisor.ask("최근 7일 베스트 상품", seller_id=1, chat_id=41, now=NOW)
    assert top.text.splitlines()[1:4] == [
        "1. 스테인리스 텀블러 500ml: 50,000원 · 2개",
        "2. 보온 텀블러 350ml: 18,000원 · 1개",
        "3. 수제 딸기잼 300g: 12,000원 · 1개",
    ]
    with sessions() as session:
        record = session.scalars(
            select(ConversationTurn.tool_calls).where(ConversationTurn.chat_id == 41)
        ).one()[0]
    assert record["listed"] == [
        {"id": 2, "label": "스테인리스 텀블러 500ml"},
        {"id": 3, "label": "보온 텀블러 350ml"},
        {"id": 1, "label": "수제 딸기잼 300g"},
    ]
    second = advisor.ask("그 중에 두번째 상품 자세히", seller_id=1, chat_id=41, now=NOW)
    assert [(c.tool, c.args) for c in second.calls] == [
        ("product_report", {**LAST_7_DAYS, "product_id": 3})
    ]
    assert second.text.startswith(
        "보온 텀블러 350ml · 최근 7일(11월 20일~26일)\n매출 18,000원 · 1개 판매"
    )
    fifth = advisor.ask("5번째 거", seller_id=1, chat_id=41, now=NOW)
    assert fifth.outcome is TurnOutcome.CLARIFY
    assert fifth.text == (
        "지난 목록에는 3개만 있었어요. 어느 상품인가요?\n"
        "1. 스테인리스 텀블러 500ml\n2. 보온 텀블러 350ml\n3. 수제 딸기잼 300g"
    )


def test_chart_follow_up_answers_the_same_with_its_chart(advisor: Advisor) -> None:
    ads = advisor.ask("광고비 잘 쓰고 있어?", seller_id=1, chat_id=42, now=NOW)
    again = advisor.ask("차트도", seller_id=1, chat_id=42, now=NOW)
    assert [(c.tool, c.args) for c in again.calls] == [("ad_report", LAST_7_DAYS)]
    assert again.text == ads.text
    assert again.chart is not None and again.chart == ads.chart


def test_two_products_answered_one_after_the_other(advisor: Advisor) -> None:
    october = {"start": "2026-10-01", "end": "2026-10-31"}
    both = advisor.ask("딸기잼 vs 보온 텀블러 지난달", seller_id=1, now=NOW)
    assert both.outcome is TurnOutcome.ANSWERED
    assert [(c.tool, c.args) for c in both.calls] == [
        ("product_report", {**october, "product_id": 1}),
        ("product_report", {**october, "product_id": 3}),
    ]
    jam = advisor.ask("딸기잼 지난달", seller_id=1, now=NOW)
    thermal = advisor.ask("보온 텀블러 지난달", seller_id=1, now=NOW)
    assert both.text == jam.text + "\n\n" + thermal.text
    # October: jam 3 units on Oct 5 (36,000원); the thermal tumbler sold nothing
    assert jam.text.splitlines()[:2] == [
        "수제 딸기잼 300g · 지난달(10월 1일~31일)",
        "매출 36,000원 · 3개 판매 · 주문 1건",
    ]
    assert thermal.text.splitlines()[1].startswith("매출 0원 ")
