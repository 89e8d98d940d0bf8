"""Absurd periods are not answered as today (issue 13 §6): the seller reads what was
understood and why it cannot be used (analytics.periods' PeriodError keys `future` and
`too_long`, worded in prompts/messages.<lang>.yaml), and nothing runs."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine

from storage.db import session_factory
from storage.settings import Settings
from tests.advisor_store import NOW, build_store
from tools.advisor import Advisor
from tools.prompts import PromptStore


@pytest.fixture
def advisor(sqlite_engine: Engine) -> Iterator[Advisor]:
    sessions = session_factory(sqlite_engine)
    with sessions() as session:
        build_store(session)
    advisor = Advisor(sessions, Settings(openai_api_key=None), PromptStore())
    yield advisor
    advisor.close()


@pytest.mark.parametrize(
    ("question", "text"),
    [
        (
            "2099년 매출 어때?",
            '"2099년"은(는) 아직 오지 않은 기간이에요. 오늘까지의 기간으로 물어봐 주세요.',
        ),
        (
            "지난 10000일 매출 알려줘",
            '기간이 너무 길어요("지난 10000일"). 3,660일 이내로 물어봐 주세요.',
        ),
        (
            "How were sales in 2099?",
            '"in 2099" hasn\'t happened yet. Please ask about a period up to today.',
        ),
        (
            "sales for the last 10000 days",
            'That period is too long ("last 10000 days"). Please ask about at most 3,660 days.',
        ),
    ],
)
def test_an_absurd_period_is_named_back_and_nothing_runs(
    advisor: Advisor, question: str, text: str
) -> None:
    answer = advisor.ask(question, seller_id=1, now=NOW)
    assert (answer.text, answer.calls, answer.outcome.value) == (text, [], "clarify")
