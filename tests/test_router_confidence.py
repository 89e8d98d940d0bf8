"""An unrelated analysis is never presented as the answer: a product named only by a
colour or material word next to words nothing places ("black hoodie sales" where
the catalogue has a black tea gift set and no hoodie) is not taken for that product,
and the store-wide guess is offered as a button, not given as the answer."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from storage.db import session_factory
from storage.models import TurnOutcome
from storage.settings import Settings
from tests.advisor_store import NOW, build_store
from tools.advisor import Advisor
from tools.answer import Button
from tools.prompts import PromptStore
from tools.router import ProductRef, RouteResult, route

TZ = ZoneInfo("Asia/Seoul")
FRIDAY = dt.datetime(2026, 11, 20, 14, 30, tzinfo=TZ)
CATALOGUE = [
    ProductRef(1, "블랙티 선물세트", "Black Tea Gift Set"),
    ProductRef(2, "화이트 머그", "White Mug"),
    ProductRef(3, "미니 가습기", "Mini Humidifier"),
]


def ask(question: str) -> RouteResult:
    return route(
        question, now=FRIDAY, tz=TZ, catalogue=CATALOGUE, campaigns=[], prompts=PromptStore()
    )


@pytest.mark.parametrize(
    ("question", "query", "label"),
    [
        ("black hoodie sales", "black hoodie", "Sales report"),
        ("블랙 후드티 매출", "블랙 후드티", "매출 현황"),
    ],
)
def test_a_colour_word_next_to_an_unknown_name_is_not_the_product(
    question: str, query: str, label: str
) -> None:
    result = ask(question)
    assert result.outcome is TurnOutcome.CLARIFY
    assert result.error is not None
    assert (result.error.key, result.error.params) == ("unplaced", {"query": query, "label": label})
    assert (result.tool, result.args) == (
        "sales_report",
        {"start": "2026-11-20", "end": "2026-11-20"},
    )


@pytest.mark.parametrize(
    "question", ["how is the black tea doing", "블랙 재고", "화이트 머그 재고"]
)
def test_a_colour_word_alone_or_with_the_rest_of_the_name_is_still_the_product(
    question: str,
) -> None:
    result = ask(question)
    assert (result.tool, result.error, result.outcome) == (
        "product_report",
        None,
        TurnOutcome.ANSWERED,
    )
    assert result.args["product_id"] in (1, 2)


def test_black_friday_is_a_day_not_the_black_tea() -> None:
    result = ask("sales on black friday")
    assert (result.tool, result.error) == ("sales_report", None)
    assert "product_id" not in result.args


@pytest.fixture
def advisor(sqlite_engine: Engine) -> Iterator[Advisor]:
    sessions: sessionmaker[Session] = session_factory(sqlite_engine)
    with sessions() as session:
        build_store(session)
    advisor = Advisor(sessions, Settings(openai_api_key=None), PromptStore())
    yield advisor
    advisor.close()


def test_the_seller_is_asked_and_offered_the_guess(advisor: Advisor) -> None:
    # "스텐" (stainless) alone would name the stainless tumbler; "후드티" names nothing
    ko = advisor.ask("스텐 후드티 매출", seller_id=1, now=NOW)
    assert (ko.outcome, ko.calls) == (TurnOutcome.CLARIFY, [])
    assert ko.text == (
        '"스텐 후드티"(이)가 무엇인지 잘 모르겠어요. 상품이라면 상품명이나 SKU로 물어봐 주세요.\n'
        "매출 현황을(를) 보시려면 아래 버튼을 눌러 주세요."
    )
    assert ko.buttons == [
        Button("매출 현황", "sales_report", {"start": "2026-11-27", "end": "2026-11-27"})
    ]
    en = advisor.ask("stainless hoodie sales last week", seller_id=1, now=NOW)
    assert en.text == (
        'I\'m not sure what "stainless hoodie" means here. If it is a product, please ask '
        "with its name or SKU.\nFor Sales report, press the button below."
    )
    assert en.buttons == [
        Button("Sales report", "sales_report", {"start": "2026-11-16", "end": "2026-11-22"})
    ]
    # with the rest of the name it is the tumbler
    tumbler = advisor.ask("스텐 텀블러 재고", seller_id=1, now=NOW)
    assert [(c.tool, c.args["product_id"]) for c in tumbler.calls] == [("product_report", 2)]
