"""Which tools the model is offered (tools.offer, tools.router.ranked_tools) and the
compact schemas it reads."""

from __future__ import annotations

import json

from tests.tokens import count
from tools.catalog import CATALOG
from tools.offer import compact_schema, offered, tool_schema
from tools.prompts import PromptStore
from tools.router import ranked_tools

ALL = list(CATALOG)


def _ranked(question: str) -> list[str]:
    return [name for name, _ in ranked_tools(question, prompts=PromptStore())]


def test_the_classifier_ranks_the_tool_a_question_is_about_first() -> None:
    assert _ranked("오늘 매출 어때?")[0] == "sales_report"
    assert _ranked("Are my ads worth the money?")[0] == "ad_report"
    assert _ranked("재고 부족한 상품 있어?")[0] == "stock_report"
    assert len(_ranked("오늘 매출 어때?")) == len(ALL)  # every enabled tool, ranked


def test_the_offer_is_the_routers_pick_the_best_ranked_the_last_tool_and_a_listings_next_step() -> (
    None
):
    ranked = ["sales_report", "top_products", "sales_drivers", "ad_report", "advice"]
    assert offered("sales_report", None, ranked, ALL) == [
        "sales_report",
        "top_products",
        "product_report",  # what "the best seller, in detail" runs next
        "sales_drivers",
    ]
    # a follow-up keeps the last turn's tool on offer; the router's pick is offered
    # even when the classifier ranks it low (a named product)
    assert offered("product_report", "ad_report", ranked, ALL) == [
        "sales_report",
        "top_products",
        "product_report",
        "ad_report",
        "sales_drivers",
    ]
    # nothing placed: the best five
    assert offered(None, None, ranked, ALL) == [
        "sales_report",
        "top_products",
        "product_report",
        "ad_report",
        "advice",
        "sales_drivers",
    ]
    # a disabled tool is never offered
    enabled = [name for name in ALL if name != "top_products"]
    assert "top_products" not in offered("sales_report", None, ranked, enabled)


def test_a_compact_schema_keeps_types_enums_bounds_and_defaults() -> None:
    sales = compact_schema(CATALOG["sales_report"].schema.model_json_schema())
    assert sales["required"] == ["start", "end"]
    assert sales["properties"]["start"] == {"format": "date", "type": "string"}
    category = sales["properties"]["category"]
    assert category["type"] == "string" and "anyOf" not in category and "default" not in category
    top = compact_schema(CATALOG["top_products"].schema.model_json_schema())["properties"]
    assert top["metric"]["enum"] == ["revenue", "units", "refunds"]
    assert top["metric"]["default"] == "revenue"
    assert (top["limit"]["minimum"], top["limit"]["maximum"]) == (1, 50)
    assert "title" not in json.dumps(top)


def test_all_compact_schemas_together_are_under_a_thousand_tokens() -> None:
    parameters = [
        tool_schema(name, "", tool.schema.model_json_schema()) for name, tool in CATALOG.items()
    ]
    assert count(json.dumps(parameters, separators=(",", ":"))) < 1_000
