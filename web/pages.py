"""The dashboard's pages: each is a list of tool runs through tools.registry, the
same runs the chat makes, so a figure on a page is the figure the chat states.

A page names its tools and their contract arguments; the period comes from the
switch (a named period key, resolved at request time in the seller's timezone,
as the chat's period buttons are). Each panel keeps the typed result, its
`summary` (the key figures the model reads) and the chat's own answer text.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from typing import Any

from analytics.periods import Period, PeriodError, default_period
from tools import registry
from tools.catalog import CATALOG, ToolRun, summary_of
from tools.context import TurnContext
from tools.templated import render_text

PERIODS = (
    "today",
    "yesterday",
    "this_week",
    "last_week",
    "this_month",
    "last_month",
    "last_7_days",
    "last_30_days",
)
"""The period switch: the keys a request may name (anything else is refused)."""


@dataclass(frozen=True, slots=True)
class Panel:
    key: str  # its heading in prompts/web/texts.<lang>.yaml: panels.<key>
    tool: str
    args: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Page:
    name: str
    default_period: str | None  # None: the page is not dated (no switch)
    panels: tuple[Panel, ...]


PAGES: dict[str, Page] = {
    page.name: page
    for page in (
        Page("today", "today", (Panel("sales", "sales_report"),)),
        Page(
            "products",
            "last_7_days",
            (
                Panel("top", "top_products", {"direction": "top", "limit": 5}),
                Panel("rising", "top_products", {"direction": "rising", "limit": 5}),
                Panel("falling", "top_products", {"direction": "falling", "limit": 5}),
                Panel("stock", "stock_report", {"limit": 10}),
            ),
        ),
        Page("ads", "last_7_days", (Panel("ads", "ad_report"),)),
        Page(
            "customers",
            None,
            (
                Panel("likely_regulars", "customer_report", {"segment": "likely_regulars"}),
                Panel("at_risk", "customer_report", {"segment": "at_risk"}),
            ),
        ),
        Page("keywords", "last_7_days", (Panel("keywords", "search_keywords"),)),
        Page("alerts", "last_7_days", (Panel("alerts", "alerts_report"),)),
    )
}

_TAG = re.compile(r"<[^<>]*>")


@dataclass(frozen=True, slots=True)
class PanelView:
    panel: Panel
    run: ToolRun | None  # None: the tool is disabled in prompts/tools.yaml
    summary: dict[str, Any]
    chat_text: str  # what the chat answers for the same run, as plain text

    @property
    def no_data(self) -> bool:
        return self.run is None or self.run.no_data


@dataclass(frozen=True, slots=True)
class PageView:
    page: Page
    period: Period | None
    panels: tuple[PanelView, ...]


class UnknownPageError(LookupError):
    pass


def resolve_period(page: Page, key: str | None, ctx: TurnContext) -> Period | None:
    """The page's period: `key` when it is one of PERIODS, else the page's default."""
    if page.default_period is None:
        return None
    chosen = key if key in PERIODS else page.default_period
    try:
        return default_period(chosen, now=ctx.now, tz=ctx.tz)
    except PeriodError:
        return default_period(page.default_period, now=ctx.now, tz=ctx.tz)


def plain(text: str) -> str:
    """The chat's Telegram-HTML answer as the text a user reads (tags dropped)."""
    return html.unescape(_TAG.sub("", text))


def run_panel(ctx: TurnContext, panel: Panel, period: Period | None) -> PanelView:
    tool = CATALOG[panel.tool]
    args = dict(panel.args)
    if tool.dated and period is not None:
        args.update(start=period.start.isoformat(), end=period.end.isoformat())
    try:
        run = registry.run(ctx, panel.tool, args, period if tool.dated else None)
    except registry.ToolUnavailableError:
        return PanelView(panel, None, {}, "")
    return PanelView(panel, run, summary_of(run), plain(render_text(run, ctx)))


def build_page(ctx: TurnContext, name: str, period_key: str | None) -> PageView:
    page = PAGES.get(name)
    if page is None:
        raise UnknownPageError(name)
    period = resolve_period(page, period_key, ctx)
    return PageView(page, period, tuple(run_panel(ctx, p, period) for p in page.panels))
