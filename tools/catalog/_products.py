"""Helpers the product tools share (top_products, product_report, stock_report)."""

from __future__ import annotations

from typing import Any


def display_name(item: Any, lang: str) -> str:
    """A product's name in the answer's language: its English name in English answers
    where it has one."""
    english = getattr(item, "name_en", None)
    return str(english) if lang == "en" and english else str(item.name)


def compared_summary(compared: Any) -> dict[str, Any]:
    """The comparison window a result names (basis, dates, cut time), for the model."""
    return {
        "basis": compared.basis,
        "start": compared.start.isoformat(),
        "end": compared.end.isoformat(),
        **({"cut_at": compared.cut_at.isoformat()} if compared.cut_at else {}),
    }
