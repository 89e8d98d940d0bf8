"""A comparison the seller names, through the advisor to the words of the answer,
on the hand-built store of tests/advisor_store.py (NOW: Friday 2026-11-27 14:30).

November so far (Nov 1-27 until 14:30): today 24,000 + 25,000 (the 15:00 order is
after now), Nov 26 50,000 + 12,000, Nov 20 18,000 -> 129,000원 in 5 orders.
October's same days until 14:30 (Oct 1-27): Oct 5 36,000 + Oct 20 25,000 -> 61,000원
in 2 orders; 129,000 / 61,000 - 1 = +111.5% (October is the calendar's own comparison,
so it is named as the month before). October against November (Nov 1-27, a month
of another length, whole days): 61,000 / 129,000 - 1 = -52.7%.
Today so far 49,000원 against last Friday (Nov 20) until 14:30: 18,000원 -> +172.2%.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from storage.db import session_factory
from storage.settings import Settings
from tests.advisor_store import NOW, build_store
from tools.advisor import Advisor
from tools.prompts import PromptStore

SHOP = 1


@pytest.fixture
def advisor(sqlite_engine: Engine) -> Iterator[Advisor]:
    sessions: sessionmaker[Session] = session_factory(sqlite_engine)
    with sessions() as session:
        build_store(session)
    advisor = Advisor(sessions, Settings(openai_api_key=None), PromptStore())
    yield advisor
    advisor.close()


@pytest.mark.parametrize(
    ("question", "line"),
    [
        ("이번달 vs 10월 매출", "전월(10월 1일~27일 14:30까지) 대비 +111.5% (61,000원, 주문 2건)"),
        (
            "sales this month vs October",
            "+111.5% vs the month before (Oct 1-27 until 14:30) (₩61,000, 2 orders)",
        ),
        ("10월 vs 11월 매출", "11월 1일~27일 대비 -52.7% (129,000원, 주문 5건)"),
        ("October vs November sales", "-52.7% vs Nov 1-27 (₩129,000, 5 orders)"),
        ("오늘 매출 지난 금요일 대비", "11월 20일 14:30까지 대비 +172.2% (18,000원, 주문 1건)"),
    ],
)
def test_the_answer_compares_with_the_period_the_seller_named(
    advisor: Advisor, question: str, line: str
) -> None:
    answer = advisor.ask(question, seller_id=SHOP, now=NOW)
    assert line in answer.text.splitlines(), answer.text


def test_a_named_day_a_week_back_is_not_compared_twice(advisor: Advisor) -> None:
    answer = advisor.ask("오늘 매출 지난 금요일 대비", seller_id=SHOP, now=NOW)
    lines = answer.text.splitlines()
    assert "11월 20일 14:30까지 대비 +172.2% (18,000원, 주문 1건)" in lines
    assert not [line for line in lines if "지난주 같은 요일" in line]  # the same day, once
    # an ordinary today still has both baselines
    today = advisor.ask("오늘 매출", seller_id=SHOP, now=NOW).text
    assert "어제 같은 시간 대비" in today and "지난주 같은 요일 같은 시간 대비" in today
