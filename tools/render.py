"""Templated answers: a tool result to the text, chart and buttons a seller sees.

Text comes from prompts/answers/<tool>.<lang>.j2 (a `NoData` from
prompts/answers/no_data.<lang>.j2), rendered with

    result   the result as JSON (model_dump(mode="json"))
    args     the tool's contract arguments
    period   {key, start, end, days} for dated tools (key: today, yesterday,
             day_before_yesterday, this_week, last_week, this_month, last_month,
             this_year, last_year, last_n_days, date, range), else None
    today    the seller's local date (ISO)
    tool     the tool name

Short labels (buttons, chart titles and series) come from
prompts/answers/_labels.<lang>.j2, rendered with `key` (and `subject`).
Numbers are formatted by the templates (filters number, won, percent,
signed_percent; macros in prompts/answers/_macros.<lang>.j2).
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field
from typing import Any

from analytics.common import NoData
from analytics.periods import PeriodError, default_period
from tools.answer import Button, Chart
from tools.context import TurnContext
from tools.prompts import PromptStore
from tools.registry import ToolRun

log = logging.getLogger(__name__)

DATED = frozenset(
    {
        "sales_report",
        "top_products",
        "product_report",
        "ad_report",
        "search_keywords",
        "alerts_report",
    }
)
_NAMED = (
    "today",
    "yesterday",
    "day_before_yesterday",
    "this_week",
    "last_week",
    "this_month",
    "last_month",
    "this_year",
    "last_year",
)
SWITCH_PERIODS = ("today", "yesterday", "last_week", "last_month")
MAX_CHART_ITEMS = 10


@dataclass(frozen=True, slots=True)
class Rendered:
    text: str
    chart: Chart | None = None
    buttons: list[Button] = field(default_factory=list)


def label(prompts: PromptStore, lang: str, key: str, subject: str = "") -> str:
    """A short label from answers/_labels.<lang>.j2 (`subject`: the product, campaign
    or keyword a label names)."""
    return prompts.render("answers/_labels", lang, key=key, subject=subject)


def period_of(ctx: TurnContext, start: str | dt.date, end: str | dt.date) -> dict[str, Any]:
    """{key, start, end, days} naming the period the way the templates say it."""
    first = dt.date.fromisoformat(str(start))
    last = dt.date.fromisoformat(str(end))
    days = (last - first).days + 1
    key = "date" if days == 1 else "range"
    for name in _NAMED:
        period = default_period(name, now=ctx.now, tz=ctx.tz)
        if (period.start, period.end) == (first, last):
            key = name
            break
    else:
        if days > 1 and last == ctx.today - dt.timedelta(days=1):
            key = "last_n_days"
    return {"key": key, "start": first.isoformat(), "end": last.isoformat(), "days": days}


def _period_from(run: ToolRun, ctx: TurnContext) -> dict[str, Any] | None:
    if run.tool not in DATED or "start" not in run.args:
        return None
    start = getattr(run.result, "start", None) or run.args["start"]
    end = getattr(run.result, "end", None) or run.args["end"]
    return period_of(ctx, start, end)


def context_for(run: ToolRun, ctx: TurnContext) -> dict[str, Any]:
    """The variables an answer template gets (see the module docstring)."""
    result: dict[str, Any] = run.result.model_dump(mode="json")
    return {
        "result": result,
        "args": dict(run.args),
        "period": _period_from(run, ctx),
        "today": ctx.today.isoformat(),
        "tool": run.tool,
    }


def render_text(run: ToolRun, ctx: TurnContext) -> str:
    context = context_for(run, ctx)
    if isinstance(run.result, NoData):
        return ctx.prompts.render(
            "answers/no_data",
            ctx.lang,
            reason=run.result.reason,
            detail=dict(run.result.detail),
            tool=run.tool,
            args=context["args"],
            period=context["period"],
            today=context["today"],
        )
    return ctx.prompts.render(f"answers/{run.tool}", ctx.lang, **context)


def render(run: ToolRun, ctx: TurnContext) -> Rendered:
    """Text, chart and next-step buttons for one tool run."""
    text = render_text(run, ctx)
    if isinstance(run.result, NoData):
        return Rendered(text, None, [button for _, button in _period_buttons(run, ctx)])
    return Rendered(text, chart_for(run, ctx), buttons_for(run, ctx))


# -- charts --------------------------------------------------------------------------


def _bucket_label(start: str, hourly: bool) -> str:
    moment = dt.datetime.fromisoformat(start)
    return f"{moment:%H}:00" if hourly else f"{moment.month}/{moment.day}"


def _fit(values: list[float], length: int) -> list[float]:
    return (values + [0.0] * length)[:length]


def chart_for(run: ToolRun, ctx: TurnContext) -> Chart | None:
    result: Any = run.result
    lang, prompts = ctx.lang, ctx.prompts
    kind = getattr(result, "kind", None)
    if kind == "sales_report" and len(result.series) > 1:
        hourly = result.granularity == "hour"
        labels = [_bucket_label(b.start.isoformat(), hourly) for b in result.series]
        series = {label(prompts, lang, "series.current"): [float(b.revenue) for b in result.series]}
        basis = result.previous.basis
        series[label(prompts, lang, f"series.{basis}")] = _fit(
            [float(b.revenue) for b in result.previous.series], len(labels)
        )
        return Chart(
            "line",
            label(prompts, lang, "chart.sales_trend"),
            labels,
            series,
            label(prompts, lang, f"unit.{result.currency}"),
        )
    if kind == "product_report" and len(result.series) > 1:
        hourly = result.granularity == "hour"
        return Chart(
            "line",
            label(prompts, lang, "chart.product_trend", result.name),
            [_bucket_label(b.start.isoformat(), hourly) for b in result.series],
            {label(prompts, lang, "series.units"): [float(b.units) for b in result.series]},
            label(prompts, lang, "unit.units"),
        )
    if kind == "product_ranking" and result.items:
        metric = result.metric
        items = result.items[:MAX_CHART_ITEMS]
        values = [
            float(i.current.revenue if metric == "revenue" else i.current.units) for i in items
        ]
        return Chart(
            "barh",
            label(prompts, lang, f"chart.top_{metric}"),
            [i.name for i in items],
            {label(prompts, lang, f"series.{metric}"): values},
            label(prompts, lang, "unit.KRW" if metric == "revenue" else "unit.units"),
        )
    if kind == "ad_report":
        campaigns = [c for c in result.campaigns if c.current.roas is not None][:MAX_CHART_ITEMS]
        if not campaigns:
            return None
        series = {
            label(prompts, lang, "series.roas"): [
                round(c.current.roas * 100, 1) for c in campaigns
            ],
            label(prompts, lang, "series.break_even_roas"): [
                round((c.break_even_roas or 0) * 100, 1) for c in campaigns
            ],
        }
        return Chart(
            "bar",
            label(prompts, lang, "chart.roas"),
            [c.name for c in campaigns],
            series,
            label(prompts, lang, "unit.percent"),
        )
    if kind == "keyword_report" and result.top:
        top = result.top[:MAX_CHART_ITEMS]
        return Chart(
            "bar",
            label(prompts, lang, "chart.keyword_conversion"),
            [k.keyword for k in top],
            {
                label(prompts, lang, "series.conversion_rate"): [
                    round(k.conversion_rate * 100, 1) for k in top
                ]
            },
            label(prompts, lang, "unit.percent"),
        )
    return None


# -- buttons -------------------------------------------------------------------------


def _period_buttons(run: ToolRun, ctx: TurnContext) -> list[tuple[tuple[str, str], Button]]:
    """Switch-period buttons with their span today. A button carries the period's name
    (`period` argument), not its dates, so "어제" pressed tomorrow means that day's
    yesterday; `Advisor.run` resolves it at press time."""
    if run.tool not in DATED or "start" not in run.args:
        return []
    current = (run.args["start"], run.args["end"])
    kept = {name: value for name, value in run.args.items() if name not in ("start", "end")}
    buttons = []
    for key in SWITCH_PERIODS:
        try:
            period = default_period(key, now=ctx.now, tz=ctx.tz)
        except PeriodError:
            continue
        span = (period.start.isoformat(), period.end.isoformat())
        if span == current:
            continue
        button = Button(
            label(ctx.prompts, ctx.lang, f"period.{key}"), run.tool, {**kept, "period": key}
        )
        buttons.append((span, button))
    return buttons


def _previous_button(run: ToolRun, ctx: TurnContext) -> Button | None:
    if run.tool not in DATED or "start" not in run.args:
        return None
    start = dt.date.fromisoformat(run.args["start"])
    end = min(dt.date.fromisoformat(run.args["end"]), ctx.today)
    days = (end - start).days + 1
    shift = dt.timedelta(days=days)
    args = {
        **run.args,
        "start": (start - shift).isoformat(),
        "end": (end - shift).isoformat(),
    }
    return Button(label(ctx.prompts, ctx.lang, "previous_period"), run.tool, args)


def _details_button(run: ToolRun, ctx: TurnContext) -> Button | None:
    result: Any = run.result
    prompts, lang = ctx.prompts, ctx.lang
    period = {"start": run.args.get("start"), "end": run.args.get("end")}
    kind = getattr(result, "kind", None)
    if kind == "sales_report" and not result.empty and prompts.is_enabled("top_products"):
        args = {**period, "metric": "revenue", "direction": "top", "limit": 5}
        return Button(label(prompts, lang, "details.by_product"), "top_products", args)
    if kind == "product_ranking" and result.items and prompts.is_enabled("product_report"):
        first = result.items[0]
        args = {"product_id": first.product_id, **period}
        return Button(label(prompts, lang, "details.product", first.name), "product_report", args)
    if kind == "product_report" and prompts.is_enabled("top_products"):
        args = {**period, "metric": "revenue", "direction": "top", "limit": 5}
        return Button(label(prompts, lang, "details.ranking"), "top_products", args)
    if kind == "ad_report" and result.losing and "campaign_id" not in run.args:
        worst = result.losing[0]
        args = {**period, "campaign_id": worst.campaign_id}
        return Button(label(prompts, lang, "details.campaign", worst.name), "ad_report", args)
    if kind == "keyword_report" and result.low_converting and "keyword" not in run.args:
        word = result.low_converting[0].figures.keyword
        args = {**period, "keyword": word}
        return Button(label(prompts, lang, "details.keyword", word), "search_keywords", args)
    return None


def _segment_buttons(run: ToolRun, ctx: TurnContext) -> list[Button]:
    current = run.args.get("segment")
    return [
        Button(
            label(ctx.prompts, ctx.lang, f"segment.{segment}"),
            "customer_report",
            {"segment": segment, "limit": run.args.get("limit", 10)},
        )
        for segment in ("likely_regulars", "regulars", "at_risk")
        if segment != current
    ]


def buttons_for(run: ToolRun, ctx: TurnContext) -> list[Button]:
    """The natural next steps: other periods, the previous period, details."""
    if run.tool == "customer_report":
        return _segment_buttons(run, ctx)
    periods = _period_buttons(run, ctx)
    buttons = [button for _, button in periods]
    previous = _previous_button(run, ctx)
    if previous is not None and previous.args["start"] not in (span[0] for span, _ in periods):
        buttons.append(previous)
    details = _details_button(run, ctx)
    if details is not None:
        buttons.append(details)
    return buttons


def no_result_text(prompts: PromptStore, lang: str, key: str, **params: Any) -> str:
    """A message from prompts/messages.<lang>.yaml: `key` is "help", "unknown" or an
    error key (without "errors.")."""
    if key in ("help", "unknown"):
        return prompts.message(key, lang, tools=prompts.help_tools(lang))
    if prompts.has_message(f"errors.{key}", lang):
        return prompts.message(f"errors.{key}", lang, **params)
    log.warning("no message errors.%s; answering with the help list", key)
    return prompts.message("unknown", lang, tools=prompts.help_tools(lang))
