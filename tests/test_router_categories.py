"""Categories: a category word is matched like a product name and becomes the
`category` argument (tools read it through Question.category()); it is never taken
for a product name, a product named more fully wins over it, and a category the
catalogue lacks is asked about with the known categories as choices."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, update
from sqlalchemy.orm import Session, sessionmaker

from storage.db import session_factory
from storage.models import Product, TurnOutcome
from storage.settings import Settings
from tests.advisor_store import NOW, build_store
from tests.test_router import CAMPAIGNS, TZ
from tests.test_router import NOW as ROUTER_NOW
from tools.advisor import Advisor
from tools.answer import Button
from tools.prompts import PromptStore
from tools.router import Candidate, ProductRef, RouteResult, route

CATALOGUE = [
    ProductRef(1, "드립백 커피 20개입", "Drip Bag Coffee 20-pack", "COF-1", "커피"),
    ProductRef(2, "콜드브루 원액 1L", "Cold Brew 1L", "COF-2", "커피"),
    ProductRef(3, "녹차 티백 50개입", "Green Tea Bags", "TEA-1", "차"),
    ProductRef(4, "미니 가습기", "Mini Humidifier", "HUM-1", "가전"),
    ProductRef(5, "커피 그라인더", "Coffee Grinder", "GRD-1", "가전"),
    ProductRef(6, "블랙티 선물세트", "Black Tea Gift Set", "TEA-2", "차"),
]
LAST_7_DAYS = {"start": "2026-11-20", "end": "2026-11-26"}
LAST_WEEK = {"start": "2026-11-16", "end": "2026-11-22"}
TOP = {"metric": "revenue", "direction": "top", "limit": 5}


@pytest.fixture(scope="module")
def prompts() -> PromptStore:
    return PromptStore()


def ask(
    question: str,
    prompts: PromptStore,
    previous: RouteResult | None = None,
    catalogue: list[ProductRef] = CATALOGUE,
) -> RouteResult:
    return route(
        question,
        now=ROUTER_NOW,
        tz=TZ,
        catalogue=catalogue,
        campaigns=CAMPAIGNS,
        previous=previous,
        prompts=prompts,
    )


@pytest.mark.parametrize(
    ("question", "tool", "args"),
    [
        (
            "커피 카테고리 매출",
            "sales_report",
            {"category": "커피", **{"start": "2026-11-27", "end": "2026-11-27"}},
        ),
        ("가전 매출 지난주", "sales_report", {"category": "가전", **LAST_WEEK}),
        ("차 매출 지난주", "sales_report", {"category": "차", **LAST_WEEK}),  # one syllable
        ("가전 카테고리 베스트 지난주", "top_products", {**TOP, "category": "가전", **LAST_WEEK}),
        ("차 카테고리 베스트", "top_products", {**TOP, "category": "차", **LAST_7_DAYS}),
    ],
)
def test_a_category_word_becomes_the_category_argument(
    prompts: PromptStore, question: str, tool: str, args: dict[str, object]
) -> None:
    result = ask(question, prompts)
    assert (result.tool, result.args, result.error) == (tool, args, None), question
    assert result.outcome is TurnOutcome.ANSWERED


def test_a_product_named_more_fully_than_a_category_is_the_product(prompts: PromptStore) -> None:
    # "커피" alone is the category; "커피 그라인더" is the grinder (category 가전)
    grinder = ask("커피 그라인더 요즘 어때?", prompts)
    assert (grinder.tool, grinder.args) == ("product_report", {"product_id": 5, **LAST_7_DAYS})
    humidifier = ask("가습기 재고", prompts)
    assert humidifier.args["product_id"] == 4
    assert "category" not in humidifier.args


def test_a_category_the_catalogue_lacks_is_a_question_with_the_categories_as_choices(
    prompts: PromptStore,
) -> None:
    for question, query in (
        ("생수 카테고리 매출", "생수"),
        ("best sellers in the coffee category", "coffee"),
    ):
        result = ask(question, prompts)
        assert result.outcome is TurnOutcome.CLARIFY, question
        assert result.error is not None
        assert (result.error.key, result.error.params) == (
            "unknown_category",
            {"query": query, "candidates": ["가전", "차", "커피"]},
        )
        assert result.candidates == (
            Candidate("category", 0, "가전"),
            Candidate("category", 1, "차"),
            Candidate("category", 2, "커피"),
        )
    # the answer picks one, keeping what was asked
    asked = ask("생수 카테고리 매출", prompts)
    picked = ask("3번", prompts, asked)
    assert (picked.tool, picked.args["category"], picked.error) == (asked.tool, "커피", None)
    assert {k: v for k, v in picked.args.items() if k != "category"} == asked.args


def test_without_categories_a_named_category_is_still_not_a_product(prompts: PromptStore) -> None:
    # "커피 카테고리 매출" once answered with the drip-bag coffee's product report
    plain = [ProductRef(p.id, p.name, p.name_en, p.sku) for p in CATALOGUE]
    result = ask("커피 카테고리 매출", prompts, catalogue=plain)
    assert result.outcome is TurnOutcome.CLARIFY
    assert result.error is not None
    assert result.error.params == {"query": "커피", "candidates": []}
    assert "product_id" not in result.args


def test_sales_by_category_without_a_name_is_not_an_unknown_category(prompts: PromptStore) -> None:
    result = ask("카테고리별 매출", prompts)
    assert result.error is None
    assert "category" not in result.args


# -- the advisor on a store whose products have categories ------------------------------


@pytest.fixture
def advisor(sqlite_engine: Engine) -> Iterator[Advisor]:
    sessions: sessionmaker[Session] = session_factory(sqlite_engine)
    with sessions() as session:
        build_store(session)
        session.execute(update(Product).where(Product.id == 1).values(category="잼"))
        session.execute(update(Product).where(Product.id.in_((2, 3))).values(category="텀블러"))
        session.commit()
    advisor = Advisor(sessions, Settings(openai_api_key=None), PromptStore())
    yield advisor
    advisor.close()


def test_unknown_category_answer_lists_the_stores_categories(advisor: Advisor) -> None:
    answer = advisor.ask("커피 카테고리 매출", seller_id=1, chat_id=31, now=NOW)
    assert answer.outcome is TurnOutcome.CLARIFY
    assert (
        answer.text
        == '"커피" 카테고리는 없어요.\n있는 카테고리 중에서 골라 주세요:\n1. 잼\n2. 텀블러'
    )
    today = {"start": "2026-11-27", "end": "2026-11-27"}
    assert answer.candidates == [
        Button("잼", "sales_report", {**today, "category": "잼"}),
        Button("텀블러", "sales_report", {**today, "category": "텀블러"}),
    ]
    picked = advisor.ask("2번", seller_id=1, chat_id=31, now=NOW)
    assert picked.outcome is TurnOutcome.ANSWERED
    assert [(c.tool, c.args) for c in picked.calls] == [
        ("sales_report", {**today, "category": "텀블러"})
    ]


def test_category_question_runs_the_tool_on_that_category(advisor: Advisor) -> None:
    # last 7 days (Nov 20-26): tumbler 500 x2 on Nov 26 (50,000), thermal x1 on Nov 20 (18,000)
    answer = advisor.ask("텀블러 카테고리 베스트", seller_id=1, now=NOW)
    [call] = answer.calls
    assert (call.tool, call.args) == (
        "top_products",
        {**LAST_7_DAYS, **TOP, "category": "텀블러"},
    )
    items = [(i["product_id"], i["current"]["revenue"]) for i in call.result["items"]]
    assert items == [(2, 50_000), (3, 18_000)]


def test_words_naming_a_category_and_products_equally_stay_about_the_products(
    prompts: PromptStore,
) -> None:
    mugs = [
        ProductRef(1, "도자기 머그컵", "Ceramic Mug", None, "머그·컵"),
        ProductRef(2, "머그컵 선물세트 (2입)", "Mug Gift Set", None, "머그·컵"),
        ProductRef(3, "유리컵 2P 세트", "Glass Cup Set", None, "머그·컵"),
    ]
    products = ask("머그컵 어때?", prompts, catalogue=mugs)
    assert products.error is not None and products.error.key == "ambiguous_product"
    assert [c.id for c in products.candidates] == [1, 2]
    # saying it is a category makes it one
    category = ask("머그컵 카테고리 매출", prompts, catalogue=mugs)
    assert (category.tool, category.args, category.error) == (
        "sales_report",
        {"category": "머그·컵", "start": "2026-11-27", "end": "2026-11-27"},
        None,
    )
