"""What the model reads of a tool's summary (tools.model_view): the product name in the
turn's language, and only the ids a next step takes."""

from __future__ import annotations

from tools.model_view import model_view

LISTING = {
    "start": "2026-11-20",
    "items": [
        {"product_id": 2, "name": "스테인리스 텀블러", "name_en": "Stainless Tumbler", "units": 3},
        {"product_id": 5, "name": "유자차", "name_en": None, "units": 1},
    ],
    "losing": [{"campaign_id": 7, "campaign": "텀블러 검색광고", "estimated_loss": 103_371}],
}


def test_a_korean_turn_reads_the_korean_names_and_the_ids_its_next_step_takes() -> None:
    assert model_view(LISTING, "ko", {"product_id"}) == {
        "start": "2026-11-20",
        "items": [
            {"product_id": 2, "name": "스테인리스 텀블러", "units": 3},
            {"product_id": 5, "name": "유자차", "units": 1},
        ],
        "losing": [{"campaign": "텀블러 검색광고", "estimated_loss": 103_371}],
    }


def test_an_english_turn_reads_the_english_name_where_there_is_one_and_no_ids() -> None:
    assert model_view(LISTING, "en") == {
        "start": "2026-11-20",
        "items": [
            {"name_en": "Stainless Tumbler", "units": 3},
            {"name": "유자차", "units": 1},
        ],
        "losing": [{"campaign": "텀블러 검색광고", "estimated_loss": 103_371}],
    }
