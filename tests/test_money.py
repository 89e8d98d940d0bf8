"""Every amount in the store's own currency: the `money` filter and the answer macros."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tools.prompts import DEFAULT_DIR, PromptStore, money, won


@pytest.mark.parametrize(
    ("value", "currency", "text"),
    [
        (1_234_500, "KRW", "1,234,500원"),
        (0, "KRW", "0원"),
        (-5_000, "KRW", "-5,000원"),
        (150_949_633, "GBP", "£1,509,496.33"),
        (150_949_633, "gbp", "£1,509,496.33"),
        (5, "EUR", "€0.05"),
        (-1_250, "USD", "-$12.50"),
        (98_000, "JPY", "¥98,000"),
        (123_456, "CHF", "1,234.56 CHF"),  # no symbol: the ISO code after the amount
        (1_234, "BHD", "1.234 BHD"),  # three decimals (ISO 4217)
        (1_234.5, "GBP", "£12.35"),  # a mean is rounded to the minor unit, halves up
        (-1_234.5, "GBP", "-£12.35"),
        (None, "GBP", "-"),
    ],
)
def test_money_writes_the_currency_with_its_own_minor_unit(
    value: float | None, currency: str, text: str
) -> None:
    assert money(value, currency) == text


def test_the_won_filter_stays_for_templates_that_still_use_it() -> None:
    assert won(1_234_500) == money(1_234_500) == "1,234,500원"


@pytest.fixture
def macros(tmp_path: Path) -> PromptStore:
    (tmp_path / "answers").mkdir()
    for lang in ("ko", "en"):
        name = f"answers/_macros.{lang}.j2"
        shutil.copyfile(DEFAULT_DIR / name, tmp_path / name)
        (tmp_path / f"answers/t.{lang}.j2").write_text(
            f'{{% import "answers/_macros.{lang}.j2" as m %}}'
            "{{ m.money(v, cur) }}{{ m.short(v, cur) }}",
            encoding="utf-8",
        )
    return PromptStore(tmp_path)


def test_an_english_inquiry_answer_writes_the_product_facts_in_won_like_its_draft() -> None:
    """The seller reads the facts line beside the draft the customer gets: both ₩12,900."""
    store = PromptStore(DEFAULT_DIR)
    result = {
        "inquiry": "How much is the Citron Tea 1kg?",
        "draft": "Hello, and thank you for your message.\nThe Citron Tea 1kg costs ₩12,900.",
        "checks": [],
        "product": {"name": "유자차 1kg", "price": 12_900, "stock": 30, "options": None},
        "currency": "KRW",
        "similar": [],
        "known": True,
    }
    text = store.render("answers/inquiry_draft", "en", result=result)
    assert "Product facts: 유자차 1kg · ₩12,900 · 30 in stock" in text.splitlines()
    assert "원" not in text


def test_the_macros_print_pounds_for_a_gbp_store_and_keep_the_won_shorthand(
    macros: PromptStore,
) -> None:
    assert macros.render("answers/t", "en", v=150_949_633, cur="GBP") == "£1,509,496.33"
    assert macros.render("answers/t", "ko", v=150_949_633, cur="GBP") == "£1,509,496.33"
    assert macros.render("answers/t", "en", v=150_949_633, cur="KRW") == (
        "₩150,949,633 (about 150.9M won)"
    )
    assert macros.render("answers/t", "ko", v=150_949_633, cur="KRW") == (
        "150,949,633원 (약 1.5억 원)"
    )
    assert macros.render("answers/t", "ko", v=1_234_500, cur="KRW") == "1,234,500원 (약 123만 원)"
