"""A store without a connected source (imported by hand, or a demo not rolled forward):
an answer about a period that runs past its last order says when the order data ends,
so 0원 "today" is never read as a quiet day."""

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

NOW = local(2026, 12, 7, 10, 0)  # Monday morning in Seoul; the last order was Saturday


@pytest.fixture
def advisor(sqlite_engine: Engine) -> Iterator[tuple[Advisor, int]]:
    factory: sessionmaker[Session] = session_factory(sqlite_engine)
    with factory.begin() as session:
        seller = make_seller(session, "shop")
        jam = make_product(session, seller, "딸기잼 500g", 12_000)
        make_order(session, seller, local(2026, 12, 4, 11, 0), [(jam, 2)])
        make_order(session, seller, local(2026, 12, 5, 14, 5), [(jam, 1)])
        seller_id = seller.id
    advisor = Advisor(factory, Settings(openai_api_key=None), PromptStore())
    yield advisor, seller_id
    advisor.close()


def test_today_after_the_last_order_says_when_the_data_ends(advisor: tuple[Advisor, int]) -> None:
    adv, seller = advisor
    ko = adv.ask("오늘 매출 어때?", seller_id=seller, now=NOW)
    en = adv.ask("how are sales today?", seller_id=seller, now=NOW)
    assert ko.text.endswith("\n\n주문 데이터는 12월 5일 14:05까지 있어요.")
    assert en.text.endswith("\n\nThe order data ends on Dec 5 at 14:05.")


def test_a_period_the_data_covers_has_no_such_note(advisor: tuple[Advisor, int]) -> None:
    adv, seller = advisor
    run = adv.run("sales_report", {"start": "2026-12-04", "end": "2026-12-05"}, seller_id=seller,
                  lang="ko", now=NOW)  # fmt: skip
    assert "36,000원" in run.text
    assert "주문 데이터는" not in run.text
    # the last 7 full days end yesterday (Dec 6), a day the data does not reach
    week = adv.ask("최근 일주일 매출", seller_id=seller, now=NOW)
    assert week.text.endswith("주문 데이터는 12월 5일 14:05까지 있어요.")
