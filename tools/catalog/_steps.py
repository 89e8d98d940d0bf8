"""Next-step buttons every dated tool offers: other periods and the previous period."""

from __future__ import annotations

from typing import TYPE_CHECKING

from analytics.periods import PeriodError, default_period
from tools.answer import Button
from tools.catalog._labels import label

if TYPE_CHECKING:
    from tools.catalog._base import ToolRun
    from tools.context import TurnContext

SWITCH_PERIODS = ("today", "yesterday", "last_week", "last_month")


def period_buttons(run: ToolRun, ctx: TurnContext) -> list[tuple[tuple[str, str], Button]]:
    """Switch-period buttons with their span today. A button carries the period's name
    (`period` argument), not its dates, so "어제" pressed tomorrow means that day's
    yesterday; `Advisor.run` resolves it at press time."""
    if "start" not in run.args:
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


def previous_button(run: ToolRun, ctx: TurnContext) -> Button | None:
    """The run's comparison window as a button: the same calendar rule the answer
    compares with (last month -> the month before, this week so far -> last week's
    same days)."""
    if run.period is None or "start" not in run.args:
        return None
    compared = run.period.window(ctx.now, ctx.tz).previous()
    args = {**run.args, "start": compared.start.isoformat(), "end": compared.end.isoformat()}
    return Button(label(ctx.prompts, ctx.lang, "previous_period"), run.tool, args)


def same_period(run: ToolRun) -> dict[str, str | None]:
    """The run's start and end, for a details button over the same days."""
    return {"start": run.args.get("start"), "end": run.args.get("end")}
