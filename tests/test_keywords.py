"""Visit intent on a hand-built store, figures computed by hand, on both backends;
Korean keyword matching as plain functions.

The store (Asia/Seoul), week Mon 2026-11-09 .. Sun 11-15, asked Mon 11-16 09:00, min_visits 10:

  keyword spellings                     visits  paid conversions    revenue
  "소포장" ×6, "소 포장" ×5, "소포장 " ×1     12   0 (1 cancelled, 1 refunded order)   0
  "귤"                                    10   0                                   0
  "사과"                                  10   4 (+1 cancelled order)         80,000
  "텀블러"                                 4   1                              15,000
  (no keyword)                             5   1                              20,000

Keyword visits 36, conversions 5: average 5/36, low-conversion threshold 5/72.
Visits just outside the week and another seller's visits are not counted.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.orm import Session

from analytics.common import NoData, Store, Window
from analytics.keywords import KeywordReport, keyword_report
from analytics.korean import KeywordMatcher, Synonyms, compact, tokens
from storage.models import Order, Product, Seller
from tests.factories import local, make_order, make_product, make_seller, make_visit
from tools.prompts import PromptStore

SEOUL = ZoneInfo("Asia/Seoul")
# the shipped prompts/keyword_synonyms.yaml, as the tools pass it in
SHIPPED = PromptStore().keyword_synonyms()
WEEK = Window(dt.date(2026, 11, 9), dt.date(2026, 11, 15), local(2026, 11, 16, 9))


def approx(value: float) -> object:
    return pytest.approx(value, rel=1e-12)


def visits(
    session: Session,
    seller: Seller,
    count: int,
    keyword: str | None,
    orders: list[Order] | None = None,
    at: dt.datetime | None = None,
) -> None:
    """`count` visits on Wed 11-11 (or `at`), the first ones converted to `orders`."""
    for i in range(count):
        order = orders[i] if orders and i < len(orders) else None
        make_visit(session, seller, at or local(2026, 11, 11, 10), keyword=keyword, order=order)


def build_store(session: Session) -> tuple[Seller, dict[str, Product]]:
    seller = make_seller(session, "shop")
    apple = make_product(session, seller, "사과 1kg", 20_000, category="과일")
    tangerine = make_product(session, seller, "유기농 귤 5kg", 30_000, category="과일")
    tumbler = make_product(session, seller, "텀블러", 15_000, name_en="Tumbler")
    tumbler.options = "350ml / 700ml"
    at = local(2026, 11, 11, 10)

    def order(product: Product, status: str = "paid") -> Order:
        return make_order(session, seller, at, [(product, 1)], status=status)

    cancelled, refunded = order(apple, "cancelled"), order(apple, "refunded")
    visits(session, seller, 5, "소포장", [cancelled, refunded])
    visits(session, seller, 1, "소포장", at=local(2026, 11, 9, 0, 0))  # the week's first minute
    visits(session, seller, 5, "소 포장")
    visits(session, seller, 1, "소포장 ")
    visits(session, seller, 10, "귤")
    visits(
        session, seller, 10, "사과", [order(apple) for _ in range(4)] + [order(apple, "cancelled")]
    )
    visits(session, seller, 4, "텀블러", [order(tumbler)])
    visits(session, seller, 5, None, [order(apple)])
    visits(session, seller, 3, "", None)  # a blank search is no keyword
    # outside the week
    visits(session, seller, 2, "소포장", at=local(2026, 11, 8, 23, 59))
    visits(session, seller, 2, "소포장", at=local(2026, 11, 16, 0, 0))
    # another seller's shoppers
    other = make_seller(session, "other")
    theirs = make_product(session, other, "소포장 사과", 9_000)
    visits(session, other, 3, "소포장", [make_order(session, other, at, [(theirs, 1)])])
    session.commit()
    return seller, {"apple": apple, "tangerine": tangerine, "tumbler": tumbler}


def store_of(seller: Seller) -> Store:
    return Store(id=seller.id, timezone=SEOUL)


def test_keywords_grouped_by_spacing_with_paid_conversions_only(session: Session) -> None:
    seller, _ = build_store(session)
    report = keyword_report(session, store_of(seller), WEEK, min_visits=10, synonyms=SHIPPED)
    assert isinstance(report, KeywordReport)
    assert (report.start, report.end) == (dt.date(2026, 11, 9), dt.date(2026, 11, 15))
    assert (report.visits, report.conversions, report.conversion_rate) == (44, 6, approx(6 / 44))
    assert (report.keyword_visits, report.keyword_conversions) == (36, 5)
    assert report.keyword_conversion_rate == approx(5 / 36)
    assert report.low_rate_threshold == approx(5 / 72)
    assert (report.keyword_revenue, report.distinct_keywords) == (95_000, 4)
    assert [group.model_dump() for group in report.top] == [
        {
            "keyword": "소포장",
            "key": "소포장",
            "variants": ["소포장", "소 포장"],
            "visits": 12,
            "conversions": 0,
            "conversion_rate": 0.0,
            "revenue": 0,
        },
        {
            "keyword": "귤",
            "key": "귤",
            "variants": ["귤"],
            "visits": 10,
            "conversions": 0,
            "conversion_rate": 0.0,
            "revenue": 0,
        },
        {
            "keyword": "사과",
            "key": "사과",
            "variants": ["사과"],
            "visits": 10,
            "conversions": 4,
            "conversion_rate": approx(0.4),
            "revenue": 80_000,
        },
        {
            "keyword": "텀블러",
            "key": "텀블러",
            "variants": ["텀블러"],
            "visits": 4,
            "conversions": 1,
            "conversion_rate": approx(0.25),
            "revenue": 15_000,
        },
    ]
    short = keyword_report(
        session, store_of(seller), WEEK, min_visits=10, limit=2, synonyms=SHIPPED
    )
    assert isinstance(short, KeywordReport)
    assert [group.keyword for group in short.top] == ["소포장", "귤"]


def test_low_converting_keywords_and_what_the_lineup_lacks(session: Session) -> None:
    seller, products = build_store(session)
    report = keyword_report(session, store_of(seller), WEEK, min_visits=10, synonyms=SHIPPED)
    assert isinstance(report, KeywordReport)
    # 텀블러 converts at 1/4 but has only 4 visits; 사과 converts at 0.4
    small, tangerine = report.low_converting
    assert small.figures.keyword == "소포장"
    assert small.expected_conversions == approx(12 * 5 / 36)
    assert small.p_value == approx((31 / 36) ** 12)
    assert small.matching_products == []
    assert small.suggestion.model_dump() == {"key": "add_product", "params": {"keyword": "소포장"}}

    assert tangerine.figures.keyword == "귤"
    assert tangerine.p_value == approx((31 / 36) ** 10)
    assert [(m.product_id, m.matched_on) for m in tangerine.matching_products] == [
        (products["tangerine"].id, "name")
    ]
    assert tangerine.suggestion.model_dump() == {
        "key": "improve_page",
        "params": {
            "keyword": "귤",
            "product": "유기농 귤 5kg",
            "product_count": 1,
            "product_ids": [products["tangerine"].id],
        },
    }

    # with the default of 30 visits, no keyword has enough visits to be judged
    default = keyword_report(session, store_of(seller), WEEK, synonyms=SHIPPED)
    assert isinstance(default, KeywordReport)
    assert default.low_converting == []


def test_a_small_pack_product_found_through_a_synonym_turns_add_into_improve(
    session: Session,
) -> None:
    seller, _ = build_store(session)
    small = make_product(session, seller, "사과 소용량 500g", 11_000)
    session.commit()
    report = keyword_report(session, store_of(seller), WEEK, min_visits=10, synonyms=SHIPPED)
    assert isinstance(report, KeywordReport)
    assert report.low_converting[0].suggestion.model_dump() == {
        "key": "improve_page",
        "params": {
            "keyword": "소포장",
            "product": "사과 소용량 500g",
            "product_count": 1,
            "product_ids": [small.id],
        },
    }
    # without synonyms 소포장 does not find 소용량
    plain = keyword_report(session, store_of(seller), WEEK, min_visits=10, synonyms=Synonyms())
    assert isinstance(plain, KeywordReport)
    assert plain.low_converting[0].suggestion.key == "add_product"


def test_one_keyword_by_any_spelling(session: Session) -> None:
    seller, products = build_store(session)
    store = store_of(seller)
    report = keyword_report(
        session, store, WEEK, keyword="소 포장", min_visits=10, synonyms=SHIPPED
    )
    assert isinstance(report, KeywordReport)
    assert report.focus is not None
    assert (report.focus.figures.key, report.focus.figures.visits) == ("소포장", 12)
    assert report.focus.matching_products == []
    assert report.focus.low_converting is True
    assert report.focus.suggestion is not None
    assert report.focus.suggestion.key == "add_product"

    apples = keyword_report(session, store, WEEK, keyword="사과", min_visits=10, synonyms=SHIPPED)
    assert isinstance(apples, KeywordReport) and apples.focus is not None
    assert apples.focus.figures.conversions == 4
    assert apples.focus.low_converting is False and apples.focus.suggestion is None
    assert [(m.name, m.matched_on) for m in apples.focus.matching_products] == [
        ("사과 1kg", "name")
    ]
    fruit = keyword_report(session, store, WEEK, keyword="귤", min_visits=10, synonyms=SHIPPED)
    assert isinstance(fruit, KeywordReport) and fruit.focus is not None
    assert [m.product_id for m in fruit.focus.matching_products] == [products["tangerine"].id]

    assert keyword_report(session, store, WEEK, keyword="양말", synonyms=SHIPPED) == NoData(
        reason="no_visits", detail={"visits": 44, "keyword": "양말"}
    )


def test_an_order_placed_just_after_the_window_converts_its_visit(session: Session) -> None:
    seller = make_seller(session, "late")
    mug = make_product(session, seller, "머그컵", 12_000)
    late = make_order(session, seller, local(2026, 11, 16, 0, 10), [(mug, 2)])
    make_visit(session, seller, local(2026, 11, 15, 23, 50), keyword="머그", order=late)
    session.commit()
    report = keyword_report(session, store_of(seller), WEEK, synonyms=SHIPPED)
    assert isinstance(report, KeywordReport)
    assert (report.top[0].conversions, report.top[0].revenue) == (1, 24_000)


def test_no_visits(session: Session) -> None:
    seller = make_seller(session, "new")
    store = store_of(seller)
    assert keyword_report(session, store, WEEK, synonyms=SHIPPED) == NoData(
        reason="no_visits", detail={"visits": 0}
    )
    visits(session, seller, 3, None)
    session.commit()
    assert keyword_report(session, store, WEEK, synonyms=SHIPPED) == NoData(
        reason="no_visits", detail={"visits": 3}
    )
    future = Window(dt.date(2026, 11, 20), dt.date(2026, 11, 21), local(2026, 11, 16, 9))
    assert keyword_report(session, store, future, synonyms=SHIPPED) == NoData(
        reason="future_period", detail={"start": "2026-11-20"}
    )


# Korean matching, no database


def test_compact_and_tokens_ignore_spacing_case_width_and_punctuation() -> None:
    assert compact("소 포장") == compact("소포장") == "소포장"
    assert compact(" Small-Pack ") == compact("ＳＭＡＬＬ　ＰＡＣＫ") == "smallpack"
    assert tokens("유기농  귤, 5kg") == ("유기농", "귤", "5kg")


def test_matcher_by_substring_words_and_synonyms() -> None:
    synonyms = Synonyms.from_groups([["소포장", "소용량", "small pack"], ["x"]])
    assert synonyms.groups == (
        frozenset({"소포장", "소용량", "smallpack"}),
    )  # 1-word groups dropped

    small = KeywordMatcher.build("소 포장", synonyms)
    assert small.match({"name": "사과 소포장 1kg"}) == "name"
    assert small.match({"name": "사과", "options": "1kg / 소용량 500g"}) == "options"
    assert small.match({"name": "Apple", "name_en": "apple small pack"}) == "name_en"
    # the single syllable 소 of "소 포장" is not a word on its own
    assert small.match({"name": "소고기 포장육"}) is None

    # words in any order, across fields
    apple_small = KeywordMatcher.build("사과 소포장", synonyms)
    assert apple_small.match({"name": "소포장 사과"}) == "tokens"
    assert apple_small.match({"name": "사과", "category": "소용량"}) == "tokens"
    assert apple_small.match({"name": "사과 1kg"}) is None
    # a two-word synonym satisfies both its words
    assert (
        KeywordMatcher.build("사과 small pack", synonyms).match(
            {"name": "사과", "options": "소 용량"}
        )
        == "tokens"
    )
    assert KeywordMatcher.build("  ", synonyms).match({"name": "아무거나"}) is None


def test_the_shipped_synonym_file_is_read_through_the_prompt_loader(tmp_path: Path) -> None:
    assert SHIPPED.variants("소포장") >= {"소포장", "소용량", "smallpack"}
    assert PromptStore(tmp_path).keyword_synonyms() == Synonyms()  # no file: none
    (tmp_path / "keyword_synonyms.yaml").write_text("groups:\n  - [미니, 작은]\n", "utf-8")
    assert PromptStore(tmp_path).keyword_synonyms().variants("미니컵") == {"미니컵", "작은컵"}
