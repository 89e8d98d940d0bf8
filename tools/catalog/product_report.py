"""product_report: one product's sales trend, visits, conversion and stock."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

from pydantic import Field

from analytics.common import Result, Window
from tools.answer import Button, Chart
from tools.catalog._args import ButtonCode, PeriodArgs
from tools.catalog._base import Tool, ToolRun, require_window
from tools.catalog._charts import series_labels
from tools.catalog._labels import label
from tools.catalog._products import compared_summary, display_name
from tools.catalog._steps import same_period
from tools.catalog._summary import at_most, dig, drop_empty, relative, rounded

if TYPE_CHECKING:
    from tools.context import TurnContext

LOW_STOCK_DAYS = 7.0  # at most this many days of stock left: the low_stock tip
MIN_VISITS = 50  # with at least this many visits and a conversion rate
CONVERSION_DROP = 0.3  # this far below the previous period's: the low_conversion tip


class ProductReportArgs(PeriodArgs):
    product_id: Annotated[int, ButtonCode("p")] = Field(
        description="Product id from the catalogue (see resolve hints)."
    )


class ProductReport(Tool[ProductReportArgs]):
    name = "product_report"
    code = "pr"
    schema = ProductReportArgs
    default_period = "last_7_days"
    example = {"product_id": 101, "start": "2026-11-20", "end": "2026-11-26"}
    entity = "product"

    def run(self, ctx: TurnContext, args: ProductReportArgs, window: Window | None) -> Result:
        from analytics.products import product_report

        with ctx.session() as session:
            return product_report(session, ctx.store, args.product_id, require_window(window))

    def summary(self, result: Any) -> dict[str, Any]:
        cur = result.current
        return drop_empty(
            {
                "product_id": result.product_id,
                "name": result.name,
                "name_en": result.name_en,
                "price": result.price,
                "stock": result.stock,
                "stock_known": result.stock is not None,
                "currency": result.currency,
                "start": cur.start.isoformat(),
                "end": cur.end.isoformat(),
                "compared_with": compared_summary(result.compared),
                "revenue": cur.revenue,
                "units": cur.units,
                "orders": cur.orders,
                "visits": cur.visits,
                "conversion_rate": rounded(cur.conversion_rate),
                "revenue_change": relative(result.change.revenue),
                "units_change": relative(result.change.units),
                "visits_change": relative(result.change.visits),
                "units_per_day": rounded(result.recent_units_per_day, 1),
                "days_of_stock_left": rounded(result.days_of_stock_left, 1),
                "stockout_date": result.stockout_date.isoformat() if result.stockout_date else None,
            }
        )

    def chart(self, run: ToolRun, ctx: TurnContext) -> Chart | None:
        result: Any = run.result
        if len(result.series) <= 1:
            return None
        lang, prompts = ctx.lang, ctx.prompts
        return Chart(
            "line",
            label(prompts, lang, "chart.product_trend", display_name(result, lang)),
            series_labels(result),
            {label(prompts, lang, "series.units"): [float(b.units) for b in result.series]},
            label(prompts, lang, "unit.units"),
        )

    def details(self, run: ToolRun, ctx: TurnContext) -> Button | None:
        if not ctx.prompts.is_enabled("top_products"):
            return None
        args = {**same_period(run), "metric": "revenue", "direction": "top", "limit": 5}
        return Button(label(ctx.prompts, ctx.lang, "details.ranking"), "top_products", args)

    def tip(self, result: Any) -> str | None:
        if at_most(getattr(result, "days_of_stock_left", None), LOW_STOCK_DAYS):
            return "low_stock"
        visits = dig(result, "current", "visits")
        change = dig(result, "change", "conversion_rate", "relative")
        if isinstance(visits, int) and visits >= MIN_VISITS and at_most(change, -CONVERSION_DROP):
            return "low_conversion"
        return None
