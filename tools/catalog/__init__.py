"""The tool catalogue: one file per tool, each holding everything about it.

    CATALOG["top_products"].schema / .run(ctx, args) / .summary(result) / .chart(run, ctx)
        / .buttons(run, ctx) / .tip(result) / .read(question) / .defaults()

Adding a tool is one new file here (a `Tool` subclass), its line in `_INDEX`
below, its answer templates in prompts/answers/<name>.<lang>.j2 and its entry in
prompts/tools.yaml; the registry, renderer, router, button codec and bot commands
read this catalogue. tests/test_catalog.py walks it.

A tool's module is imported when the tool is first looked up (`CATALOG[name]`),
not when the catalogue is: a cold `advisor ask` about sales loads the sales tool
and none of the others (the alerts report alone pulls in the nudges, the outbox
and NumPy). Listing the names (`list(CATALOG)`, in prompts/tools.yaml order) and
what the router and the advisor decide on before a tool runs (`entry(name)`: which
tools are about one product, which take the seller's own words, which read the
vector index) need no import; tests/test_import_graph.py checks that `_INDEX`
agrees with the tools' classes.
"""

from __future__ import annotations

import importlib
import threading
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from analytics.common import NoData
from tools.catalog._args import ButtonCode, PeriodArgs, ToolArgs
from tools.catalog._base import Question, Tool, ToolRun

__all__ = [
    "ARG_SCHEMAS",
    "CATALOG",
    "ButtonCode",
    "Entry",
    "PeriodArgs",
    "Question",
    "Tool",
    "ToolArgs",
    "ToolRun",
    "by_code",
    "entry",
    "summary_of",
]

V = TypeVar("V")


@dataclass(frozen=True, slots=True)
class Entry:
    """What is known of a tool without importing it: the `Tool` subclass in
    tools.catalog.<name>, and its `entity`, `free_text` and `retrieval` (see
    tools.catalog._base)."""

    cls: str
    entity: str | None = None
    free_text: bool = False
    retrieval: bool = False


_INDEX: dict[str, Entry] = {
    "sales_report": Entry("SalesReport"),
    "top_products": Entry("TopProducts"),
    "product_report": Entry("ProductReport", entity="product"),
    "stock_report": Entry("StockReport"),
    "ad_report": Entry("AdReport"),
    "customer_report": Entry("CustomerReport"),
    "search_keywords": Entry("SearchKeywords"),
    "alerts_report": Entry("AlertsReport"),
    "inquiry_draft": Entry("InquiryDraft", free_text=True, retrieval=True),
    "advice": Entry("Advice", free_text=True, retrieval=True),
    "sales_drivers": Entry("SalesDrivers"),
}


class _Lazy(Mapping[str, V]):
    """Tool name -> `load(name)`, loaded on the first lookup and kept (thread-safe: the
    bot runs tools on worker threads); the names are the index's, importing nothing."""

    def __init__(self, index: Mapping[str, Entry], load: Callable[[str], V]) -> None:
        self._index, self._load = index, load
        self._loaded: dict[str, V] = {}
        self._lock = threading.Lock()

    def __getitem__(self, name: str) -> V:
        if name in self._loaded:
            return self._loaded[name]
        if name not in self._index:
            raise KeyError(name)  # an unknown tool, as a dict
        with self._lock:
            if name not in self._loaded:
                self._loaded[name] = self._load(name)
            return self._loaded[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._index)

    def __len__(self) -> int:
        return len(self._index)

    def __contains__(self, name: object) -> bool:
        return name in self._index


def _tool(name: str) -> Tool[Any]:
    module = importlib.import_module(f"{__name__}.{name}")
    tool: Tool[Any] = getattr(module, _INDEX[name].cls)()
    return tool


CATALOG: Mapping[str, Tool[Any]] = _Lazy(_INDEX, _tool)

# the public argument contract (operators, traces and regression sets use these names)
ARG_SCHEMAS: Mapping[str, type[ToolArgs]] = _Lazy(_INDEX, lambda name: CATALOG[name].schema)


def entry(name: str) -> Entry:
    """What the catalogue knows of tool `name` without importing it (KeyError if unknown)."""
    return _INDEX[name]


def by_code(code: str) -> Tool[Any] | None:
    """The tool whose button code is `code` (imports every tool: the bot's button
    codec reads all the codes anyway)."""
    return next((tool for tool in CATALOG.values() if tool.code == code), None)


def summary_of(run: ToolRun) -> dict[str, Any]:
    """The key figures of a run's result as a small JSON-able dict (what the model
    reads and what a conversation turn stores as the call's result)."""
    if isinstance(run.result, NoData):
        return {"no_data": run.result.reason, **run.result.detail}
    return CATALOG[run.tool].summary(run.result)
