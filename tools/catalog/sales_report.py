"""sales_report: revenue, orders, units and average order value for a period,
against its comparison window (today so far: also the same time yesterday and
last week), with cancelled and refunded orders and their share of the amount
ordered; of the whole store or of one product category."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

from pydantic import Field

from analytics.common import Result, Window
from tools.answer import Button, Chart
from tools.catalog._args import CATEGORY_CODE, PeriodArgs
from tools.catalog._base import Question, Tool, ToolRun, named, require_window
from tools.catalog._charts import fit, major_units, series_labels
from tools.catalog._labels import label
from tools.catalog._steps import same_period
from tools.catalog._summary import at_most, compared_window, dig, drop_empty, relative, rounded

if TYPE_CHECKING:
    from tools.context import TurnContext

SALES_DROP = 0.2  # revenue at least this far below the previous window: the sales_drop tip


class SalesReportArgs(PeriodArgs):
    category: Annotated[str | None, CATEGORY_CODE] = Field(
        None,
        max_length=100,
        description=(
            "Only this product category (as the catalogue names it, any case): revenue "
            "from its products' order lines, orders that contain one of them."
        ),
    )


def _compared(c: Any) -> dict[str, Any] | None:
    if c is None:
        return None
    return drop_empty(
        {
            **compared_window(c),
            "covered": None if c.covered else False,
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
    example = {"start": "2026-11-20", "end": "2026-11-26", "category": "원두"}

    def run(self, ctx: TurnContext, args: SalesReportArgs, window: Window | None) -> Result:
        from analytics.sales import sales_report

        with ctx.session() as session:
            return sales_report(session, ctx.store, require_window(window), category=args.category)

    def read(self, question: Question) -> dict[str, Any]:
        return named(category=question.category())

    def summary(self, result: Any) -> dict[str, Any]:
        t = result.totals
        return drop_empty(
            {
                "start": result.start.isoformat(),
                "end": result.end.isoformat(),
                "so_far": result.so_far,
                "as_of": result.as_of.strftime("%H:%M") if result.so_far else None,
                "currency": result.currency,
                "category": result.category,
                "data_starts": result.data_start.isoformat() if result.data_start else None,
                "revenue": t.revenue,
                "orders": t.orders,
                "units": t.units,
                "average_order_value": t.average_order_value,
                "ordered_amount": t.ordered_amount,
                "cancelled_or_refunded": t.cancelled_orders + t.refunded_orders,
                "cancelled_orders": t.cancelled_orders,
                "cancelled_amount": t.cancelled_amount,
                "cancelled_share_of_ordered": rounded(t.cancelled_share),
                "refunded_orders": t.refunded_orders,
                "refunded_amount": t.refunded_amount,
                "refunded_share_of_ordered": rounded(t.refunded_share),
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
        currency = result.currency
        series = {
            label(prompts, lang, "series.current"): [
                major_units(b.revenue, currency) for b in result.series
            ]
        }
        series[label(prompts, lang, f"series.{result.previous.basis}")] = fit(
            [major_units(b.revenue, currency) for b in result.previous.series], len(labels)
        )
        return Chart(
            "line",
            label(prompts, lang, "chart.sales_trend"),
            labels,
            series,
            label(prompts, lang, "unit.money", currency),
        )

    def details(self, run: ToolRun, ctx: TurnContext) -> Button | None:
        result: Any = run.result
        if result.empty or not ctx.prompts.is_enabled("top_products"):
            return None
        args = {**same_period(run), "metric": "revenue", "direction": "top", "limit": 5}
        if result.category:
            args["category"] = result.category
        return Button(label(ctx.prompts, ctx.lang, "details.by_product"), "top_products", args)

    def tip(self, result: Any) -> str | None:
        drop = dig(result, "previous", "change", "revenue", "relative")
        return "sales_drop" if at_most(drop, -SALES_DROP) else None
