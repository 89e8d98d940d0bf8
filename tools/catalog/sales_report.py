"""sales_report: revenue, orders, units and average order value for a period,
against the previous period (today so far: also the same time yesterday and
last week)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from analytics.common import Result, Window
from tools.answer import Button, Chart
from tools.catalog._args import PeriodArgs
from tools.catalog._base import Tool, ToolRun, require_window
from tools.catalog._charts import fit, series_labels
from tools.catalog._labels import label
from tools.catalog._steps import same_period
from tools.catalog._summary import at_most, dig, drop_empty, relative, rounded

if TYPE_CHECKING:
    from tools.context import TurnContext

SALES_DROP = 0.2  # revenue at least this far below the previous window: the sales_drop tip


class SalesReportArgs(PeriodArgs):
    pass


def _compared(c: Any) -> dict[str, Any] | None:
    if c is None:
        return None
    return drop_empty(
        {
            "basis": c.basis,
            "start": c.start.isoformat(),
            "end": c.end.isoformat(),
            "until": c.cut_at.strftime("%H:%M") if c.cut_at else None,
            "revenue": c.totals.revenue,
            "orders": c.totals.orders,
            "revenue_change": relative(c.change.revenue),
            "orders_change": relative(c.change.orders),
        }
    )


class SalesReport(Tool[SalesReportArgs]):
    name = "sales_report"
    code = "sr"
    schema = SalesReportArgs
    default_period = "today"
    example = {"start": "2026-11-20", "end": "2026-11-26"}

    def run(self, ctx: TurnContext, args: SalesReportArgs, window: Window | None) -> Result:
        from analytics.sales import sales_report

        with ctx.session() as session:
            return sales_report(session, ctx.store, require_window(window))

    def summary(self, result: Any) -> dict[str, Any]:
        t = result.totals
        return drop_empty(
            {
                "start": result.start.isoformat(),
                "end": result.end.isoformat(),
                "so_far": result.so_far,
                "as_of": result.as_of.strftime("%H:%M") if result.so_far else None,
                "currency": result.currency,
                "revenue": t.revenue,
                "orders": t.orders,
                "units": t.units,
                "average_order_value": t.average_order_value,
                "cancelled_or_refunded": t.cancelled_orders + t.refunded_orders,
                "cancellation_rate": rounded(t.cancellation_rate),
                "previous": _compared(result.previous),
                "last_week": _compared(result.last_week),
            }
        )

    def chart(self, run: ToolRun, ctx: TurnContext) -> Chart | None:
        result: Any = run.result
        if len(result.series) <= 1:
            return None
        lang, prompts = ctx.lang, ctx.prompts
        labels = series_labels(result)
        series = {label(prompts, lang, "series.current"): [float(b.revenue) for b in result.series]}
        series[label(prompts, lang, f"series.{result.previous.basis}")] = fit(
            [float(b.revenue) for b in result.previous.series], len(labels)
        )
        return Chart(
            "line",
            label(prompts, lang, "chart.sales_trend"),
            labels,
            series,
            label(prompts, lang, f"unit.{result.currency}"),
        )

    def details(self, run: ToolRun, ctx: TurnContext) -> Button | None:
        result: Any = run.result
        if result.empty or not ctx.prompts.is_enabled("top_products"):
            return None
        args = {**same_period(run), "metric": "revenue", "direction": "top", "limit": 5}
        return Button(label(ctx.prompts, ctx.lang, "details.by_product"), "top_products", args)

    def tip(self, result: Any) -> str | None:
        drop = dig(result, "previous", "change", "revenue", "relative")
        return "sales_drop" if at_most(drop, -SALES_DROP) else None
