"""Keyword grouping, the low-conversion rule, product matching and suggestions on
hand-built rows, without a database.

Rows of one window: "소포장" 40 visits (1 paid, 15,000) and "소 포장" 20 (none) are
one keyword of 60 visits; "텀블러" 50 (10, 200,000) and "  텀블러 " 10 (2, 40,000)
one spelling of 60; "머그" 10 visits (none); visits without a keyword: 100 (7,
70,000), 20 with '' and 5 with blanks. Keyword visits 130, conversions 13: the
average is 10 %, so below 5 % with at least 30 visits is low-converting.
"""

from __future__ import annotations

import pytest

from analytics.keywords import (
    catalogue,
    group_keywords,
    low_converting,
    matching_products,
    suggest,
)
from analytics.korean import Synonyms
from analytics.queries.keywords import KeywordRow, ProductText

ROWS = [
    KeywordRow("소포장", 40, 1, 15_000),
    KeywordRow("텀블러", 50, 10, 200_000),
    KeywordRow(None, 100, 7, 70_000),
    KeywordRow("소 포장", 20, 0, 0),
    KeywordRow("  텀블러 ", 10, 2, 40_000),
    KeywordRow("머그", 10, 0, 0),
    KeywordRow("", 20, 0, 0),
    KeywordRow("  ", 5, 0, 0),
]
PRODUCTS = [
    ProductText(1, "원두 200g", 9_000, category="커피"),
    ProductText(2, "스텐 텀블러", 20_000, name_en="Steel Tumbler", options="500ml"),
    ProductText(3, "머그컵", 12_000, category="컵"),
    ProductText(4, "드립백 소용량", 7_000),
]
SMALL_PACK = Synonyms.from_groups([["소포장", "소용량", "small pack"]])


def test_groups_merge_spellings_and_keep_every_visit() -> None:
    groups = group_keywords(ROWS)

    assert (groups.visits, groups.conversions) == (255, 20)
    assert (groups.keyword_visits, groups.keyword_conversions) == (130, 13)
    assert groups.keyword_revenue == 255_000  # 15,000 + 240,000
    assert groups.sums == {
        "소포장": (60, 1, 15_000),
        "텀블러": (60, 12, 240_000),
        "머그": (10, 0, 0),
    }
    assert groups.ranked() == ["소포장", "텀블러", "머그"]  # 60, 60 (by form), 10


def test_figures_name_the_most_used_spelling() -> None:
    groups = group_keywords(ROWS)

    small = groups.figures("소포장")
    assert (small.keyword, small.variants) == ("소포장", ["소포장", "소 포장"])
    assert (small.visits, small.conversions, small.revenue) == (60, 1, 15_000)
    assert small.conversion_rate == 1 / 60
    tumbler = groups.figures("텀블러")
    assert tumbler.variants == ["텀블러"]  # blanks collapsed: one spelling
    assert tumbler.conversion_rate == 0.2


def test_low_converting_needs_volume_and_half_the_average() -> None:
    groups = group_keywords(ROWS)

    # 1/60 = 1.7 % < 5 % with 60 visits
    assert groups.is_low("소포장", min_visits=30)
    # 12/60 = 20 %: above the average
    assert not groups.is_low("텀블러", min_visits=30)
    # 0 % but only 10 visits
    assert not groups.is_low("머그", min_visits=30)
    assert groups.is_low("머그", min_visits=10)
    assert not groups.is_low("소포장", min_visits=61)


def test_low_converting_evidence() -> None:
    group = group_keywords(ROWS).figures("소포장")

    low = low_converting(group, 0.1, [])

    assert low.expected_conversions == pytest.approx(6.0)  # 60 × 10 %
    # P(X ≤ 1 | 60, 0.1) = 0.9^60 + 60 × 0.1 × 0.9^59 = 6.9 × 0.9^59
    assert low.p_value == pytest.approx(6.9 * 0.9**59)
    assert low.suggestion.key == "add_product"
    assert low.suggestion.params == {"keyword": "소포장"}


def test_catalogue_is_compact_and_skips_empty_fields() -> None:
    entries = catalogue(PRODUCTS[:2])

    assert entries == [
        (1, "원두 200g", 9_000, {"name": "원두200g", "category": "커피"}),
        (
            2,
            "스텐 텀블러",
            20_000,
            {"name": "스텐텀블러", "name_en": "steeltumbler", "options": "500ml"},
        ),
    ]


def test_matching_by_field_then_id_and_through_synonyms() -> None:
    entries = catalogue(PRODUCTS)

    tumbler = matching_products(["텀블러"], entries, Synonyms())
    assert [(m.product_id, m.matched_on) for m in tumbler] == [(2, "name")]
    english = matching_products(["steel tumbler"], entries, Synonyms())
    assert [(m.product_id, m.matched_on) for m in english] == [(2, "name_en")]
    # "소 포장" names no product, but its synonym 소용량 does
    assert matching_products(["소 포장"], entries, Synonyms()) == []
    small = matching_products(["소 포장"], entries, SMALL_PACK)
    assert [(m.product_id, m.name, m.price) for m in small] == [(4, "드립백 소용량", 7_000)]


def test_improve_page_when_products_match() -> None:
    group = group_keywords(ROWS).figures("소포장")
    found = matching_products(group.variants, catalogue(PRODUCTS), SMALL_PACK)

    suggestion = suggest(group, found)

    assert suggestion.key == "improve_page"
    assert suggestion.params == {
        "keyword": "소포장",
        "product": "드립백 소용량",
        "product_count": 1,
        "product_ids": [4],
    }
