"""The tool catalogue: one file per tool, each holding everything about it.

    CATALOG["top_products"].schema / .run(ctx, args) / .summary(result) / .chart(run, ctx)
        / .buttons(run, ctx) / .tip(result) / .read(question) / .defaults()

Adding a tool is one new file here (a `Tool` subclass), its answer templates in
prompts/answers/<name>.<lang>.j2 and its entry in prompts/tools.yaml; the
registry, renderer, router, button codec and bot commands read this catalogue.
tests/test_catalog.py walks it.
"""

from __future__ import annotations

from typing import Any

from analytics.common import NoData
from tools.catalog._args import ButtonCode, PeriodArgs, ToolArgs
from tools.catalog._base import Question, Tool, ToolRun
from tools.catalog.ad_report import AdReport
from tools.catalog.advice import Advice
from tools.catalog.alerts_report import AlertsReport
from tools.catalog.customer_report import CustomerReport
from tools.catalog.inquiry_draft import InquiryDraft
from tools.catalog.product_report import ProductReport
from tools.catalog.sales_drivers import SalesDrivers
from tools.catalog.sales_report import SalesReport
from tools.catalog.search_keywords import SearchKeywords
from tools.catalog.stock_report import StockReport
from tools.catalog.top_products import TopProducts

__all__ = [
    "ARG_SCHEMAS",
    "CATALOG",
    "ButtonCode",
    "PeriodArgs",
    "Question",
    "Tool",
    "ToolArgs",
    "ToolRun",
    "by_code",
    "summary_of",
]

_TOOLS: tuple[Tool[Any], ...] = (
    SalesReport(),
    TopProducts(),
    ProductReport(),
    StockReport(),
    AdReport(),
    CustomerReport(),
    SearchKeywords(),
    AlertsReport(),
    InquiryDraft(),
    Advice(),
    SalesDrivers(),
)

CATALOG: dict[str, Tool[Any]] = {tool.name: tool for tool in _TOOLS}
_BY_CODE: dict[str, Tool[Any]] = {tool.code: tool for tool in _TOOLS}

# the public argument contract (operators, traces and regression sets use these names)
ARG_SCHEMAS: dict[str, type[ToolArgs]] = {tool.name: tool.schema for tool in _TOOLS}


def by_code(code: str) -> Tool[Any] | None:
    """The tool whose button code is `code`."""
    return _BY_CODE.get(code)


def summary_of(run: ToolRun) -> dict[str, Any]:
    """The key figures of a run's result as a small JSON-able dict (what the model
    reads and what a conversation turn stores as the call's result)."""
    if isinstance(run.result, NoData):
        return {"no_data": run.result.reason, **run.result.detail}
    return CATALOG[run.tool].summary(run.result)
