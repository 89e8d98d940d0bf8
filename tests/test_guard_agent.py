"""The answer guard on the model path: what the seller reads when the model's answer is
refused, over HTTP against the scripted OpenAI-compatible stub on the hand-built store
(today so far: 49,000원, 2 orders, 3 units; the same time yesterday 50,000원, -2.0%)."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from storage.db import session_factory
from storage.settings import Settings
from tests.advisor_store import NOW, build_store
from tests.openai_stub import OpenAIStub, Reply, running_stub
from tests.test_advisor import TODAY_KO
from tools.advisor import Advisor
from tools.prompts import PromptStore

SHOP = 1
TODAY = {"start": "2026-11-27", "end": "2026-11-27"}


@pytest.fixture
def stub() -> Iterator[OpenAIStub]:
    yield from running_stub()


@pytest.fixture
def advisor(sqlite_engine: Engine, stub: OpenAIStub) -> Iterator[Advisor]:
    sessions: sessionmaker[Session] = session_factory(sqlite_engine)
    with sessions() as session:
        build_store(session)
    settings = Settings(
        openai_api_key="sk-test",
        openai_base_url=stub.base_url,
        openai_model="stub-model",
        llm_timeout_seconds=5.0,
    )
    advisor = Advisor(sessions, settings, PromptStore())
    yield advisor
    advisor.close()


# the router reads this otherwise (ad_report), so the model's sales report is phrased by
# the model and checked by the guard (a question read as the router reads it is answered
# by the template after one model call: tests/test_agent_http.py)
FIGURES = "오늘 숫자 얼마야?"


def test_a_right_rounded_answer_is_shown(advisor: Advisor, stub: OpenAIStub) -> None:
    written = "오늘 매출은 약 4.9만 원(주문 2건)으로 어제 같은 시간보다 2% 적어요."
    stub.queue(Reply(tool_calls=[("sales_report", TODAY)]), Reply(content=written))
    answer = advisor.ask(FIGURES, seller_id=SHOP, now=NOW)
    assert (answer.mode, answer.text) == ("llm", written)


@pytest.mark.parametrize(
    "written",
    [
        "오늘 매출은 약 10만 원이에요.",  # 49,000 rounded far
        "오늘 매출은 49,000원으로 어제보다 2.0% 늘었어요.",  # it fell 2.0 %
        "오늘 주문은 3건이에요.",  # 3 is units, not orders
        "오늘 14건 주문이 들어왔어요.",  # 14 is the hour of 14:30
        "매출이 좋아요!",  # no figure for "얼마야?"
    ],
)
def test_a_plausible_wrong_answer_is_replaced_by_the_templated_one(
    advisor: Advisor, stub: OpenAIStub, written: str, caplog: pytest.LogCaptureFixture
) -> None:
    stub.queue(Reply(tool_calls=[("sales_report", TODAY)]), Reply(content=written))
    with caplog.at_level(logging.WARNING, logger="tools.advisor"):
        answer = advisor.ask(FIGURES, seller_id=SHOP, now=NOW)
    assert (answer.mode, answer.text) == ("llm", TODAY_KO)
    assert any("answer guard" in r.getMessage() for r in caplog.records)


def test_done_after_a_nonexistent_tool_is_replaced_by_the_offline_answer(
    advisor: Advisor, stub: OpenAIStub
) -> None:
    stub.queue(
        Reply(tool_calls=[("pause_all_ads", {"confirm": True})]),
        Reply(content="완료했어요."),
    )
    answer = advisor.ask("오늘 매출 어때?", seller_id=SHOP, now=NOW)
    assert answer.text == TODAY_KO
    assert answer.mode == "fallback"


def test_a_malformed_date_from_the_model_gets_the_offline_answer_not_the_apology(
    advisor: Advisor, stub: OpenAIStub
) -> None:
    bad = {"start": "2026-11-25' OR 1=1 --", "end": "2026-11-27"}
    stub.queue(
        Reply(tool_calls=[("sales_report", bad)]),
        Reply(content="2026-11-25' OR 1=1 -- 기간 매출은 49,000원이에요."),
    )
    answer = advisor.ask("오늘 매출 어때?", seller_id=SHOP, now=NOW)
    assert answer.text == TODAY_KO
    assert answer.mode == "fallback"
