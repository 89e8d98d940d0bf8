"""Templated answers: a tool result to the text, chart and buttons a seller sees.

Text comes from prompts/answers/<tool>.<lang>.j2 (a `NoData` from
prompts/answers/no_data.<lang>.j2), rendered with

    result   the result as JSON (model_dump(mode="json"))
    args     the tool's contract arguments
    period   {key, start, end, days} of the run's typed period for dated tools
             (key: an analytics.periods key: today, yesterday, this_week,
             last_week, week, this_month, last_month, month, quarter, this_year,
             last_n_days, date, range...), else None
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
from tools.answer import Button, Chart
from tools.catalog import CATALOG, ToolRun
from tools.catalog._steps import period_buttons
from tools.context import TurnContext
from tools.prompts import PromptStore

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Rendered:
    text: str
    chart: Chart | None = None
    buttons: list[Button] = field(default_factory=list)


def _period_from(run: ToolRun) -> dict[str, Any] | None:
    """{key, start, end, days} of the run's typed period, with the result's own dates
    (a period running past today ends today)."""
    if run.period is None:
        return None
    start = str(getattr(run.result, "start", None) or run.period.start)
    end = str(getattr(run.result, "end", None) or run.period.end)
    days = (dt.date.fromisoformat(end) - dt.date.fromisoformat(start)).days + 1
    return {"key": run.period.key, "start": start, "end": end, "days": days}


def context_for(run: ToolRun, ctx: TurnContext) -> dict[str, Any]:
    """The variables an answer template gets (see the module docstring)."""
    result: dict[str, Any] = run.result.model_dump(mode="json")
    return {
        "result": result,
        "args": dict(run.args),
        "period": _period_from(run),
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
        return Rendered(text, None, [b for _, b in period_buttons(run, ctx)])
    return Rendered(text, chart_for(run, ctx), buttons_for(run, ctx))


def chart_for(run: ToolRun, ctx: TurnContext) -> Chart | None:
    return CATALOG[run.tool].chart(run, ctx)


def buttons_for(run: ToolRun, ctx: TurnContext) -> list[Button]:
    """The natural next steps after a run (other periods, the previous period, details)."""
    return CATALOG[run.tool].buttons(run, ctx)


def no_result_text(prompts: PromptStore, lang: str, key: str, **params: Any) -> str:
    """A message from prompts/messages.<lang>.yaml: `key` is "help", "unknown" or an
    error key (without "errors.")."""
    if key in ("help", "unknown"):
        return prompts.message(key, lang, tools=prompts.help_tools(lang))
    if prompts.has_message(f"errors.{key}", lang):
        return prompts.message(f"errors.{key}", lang, **params)
    log.warning("no message errors.%s; answering with the help list", key)
    return prompts.message("unknown", lang, tools=prompts.help_tools(lang))
