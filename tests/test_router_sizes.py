"""A size is not a name (issue 13 §6): "진정 토너 200ml 매출 어때?" in a store that sells
"디퓨저 200ml" and "진정 앰플 30ml" but no toner is answered "not found", never about the
diffuser (matched on "200ml" alone) or the ampoule (on "진정" next to "토너")."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine

from storage.db import session_factory
from storage.settings import Settings
from tests.advisor_store import NOW
from tests.factories import local, make_order, make_product, make_seller
from tools.advisor import Advisor
from tools.prompts import PromptStore
from tools.router import ProductRef, RouteResult, route

SEOUL = ZoneInfo("Asia/Seoul")
CATALOGUE = [
    ProductRef(1, "디퓨저 200ml", "Diffuser 200ml", "DF-200"),
    ProductRef(2, "진정 앰플 30ml", "Calming Ampoule 30ml", "AM-30"),
    ProductRef(3, "수분 크림 50ml", "Moisture Cream 50ml", "CR-50"),
    ProductRef(4, "제주 감귤 5kg", "Jeju Tangerines 5kg", "TAN-5"),
    ProductRef(5, "제주 감귤 10kg", "Jeju Tangerines 10kg", "TAN-10"),
]
WEEK = {"start": "2026-11-20", "end": "2026-11-26"}


def _route(question: str, previous: RouteResult | None = None) -> RouteResult:
    return route(
        question,
        now=dt.datetime(2026, 11, 27, 14, 30, tzinfo=SEOUL),
        tz=SEOUL,
        catalogue=CATALOGUE,
        campaigns=[],
        previous=previous,
        prompts=PromptStore(),
    )


@pytest.mark.parametrize(
    ("question", "query"),
    [
        ("진정 토너 200ml 매출 어때?", "진정 토너 200ml"),
        ("토너 200ml 매출 어때?", "토너 200ml"),
        ("진정 토너 매출 어때?", "진정 토너"),
        ("How are Toner 200ml sales?", "Toner 200ml"),
    ],
)
def test_a_product_the_catalogue_lacks_is_not_another_sharing_its_size(
    question: str, query: str
) -> None:
    routed = _route(question)
    assert "product_id" not in routed.args
    assert routed.error is not None
    assert (routed.error.key, routed.error.params["query"]) == ("unplaced", query)


def test_names_with_their_sizes_still_pick_the_product() -> None:
    assert _route("디퓨저 200ml 매출 어때?").args == {"product_id": 1, **WEEK}
    assert _route("진정 앰플 요즘 어때?").args == {"product_id": 2, **WEEK}
    assert _route("감귤 10kg 어때?").args == {"product_id": 5, **WEEK}
    # a size alone picks among the products of the previous question
    first = _route("감귤 5kg 어때?")
    assert first.args == {"product_id": 4, **WEEK}
    assert _route("10kg는?", previous=first).args == {"product_id": 5, **WEEK}
    # ...but not out of the blue
    assert "product_id" not in _route("200ml 요즘 어때?").args


@pytest.fixture
def advisor(sqlite_engine: Engine, tmp_path: Path) -> Iterator[Advisor]:
    sessions = session_factory(sqlite_engine)
    with sessions() as session:
        shop = make_seller(session, "shop", name="향기 상점")
        diffuser = make_product(session, shop, "디퓨저 200ml", 25_000, sku="DF-200")
        make_product(session, shop, "진정 앰플 30ml", 32_000, sku="AM-30")
        make_order(session, shop, local(2026, 11, 25, 10), [(diffuser, 2)])
        session.commit()
    advisor = Advisor(sessions, Settings(openai_api_key=None, data_dir=tmp_path), PromptStore())
    yield advisor
    advisor.close()


def test_the_seller_reads_not_found_not_the_diffuser(advisor: Advisor) -> None:
    answer = advisor.ask("진정 토너 200ml 매출 어때?", seller_id=1, now=NOW)
    assert (answer.outcome.value, answer.calls) == ("clarify", [])
    assert answer.text == (
        '"진정 토너 200ml"(이)가 무엇인지 잘 모르겠어요. 상품이라면 상품명이나 SKU로 물어봐 주세요.\n'
        "매출 현황을(를) 보시려면 아래 버튼을 눌러 주세요."
    )
    assert [(b.label, b.tool) for b in answer.buttons] == [("매출 현황", "sales_report")]


def test_the_product_resolver_does_not_match_on_a_size_either(advisor: Advisor) -> None:
    """The router finds no product in "토너 200ml"; the resolver it asks next (vector
    search and lexical re-rank) must not settle on the diffuser: did-you-mean only."""
    answer = advisor.ask("토너 200ml 요즘 어때?", seller_id=1, now=NOW)
    assert (answer.outcome.value, answer.calls) == ("clarify", [])
    assert (
        answer.text
        == '"토너 200ml"(이)라는 상품을 찾지 못했어요.\n혹시 이 상품인가요?\n1. 디퓨저 200ml'
    )
    assert [(b.label, b.args["product_id"]) for b in answer.candidates] == [("디퓨저 200ml", 1)]
