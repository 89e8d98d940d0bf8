"""stock_report: every product by the days its stock lasts, those about to sell out
and sold out, and how many have a stock the data does not know."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

from pydantic import Field

from analytics.common import Result, Window
from analytics.periods import default_period
from tools.answer import Button, Chart
from tools.catalog._args import CATEGORY_CODE, ButtonCode, ToolArgs
from tools.catalog._base import Question, Tool, ToolRun, named
from tools.catalog._charts import MAX_CHART_ITEMS
from tools.catalog._labels import label
from tools.catalog._products import display_name
from tools.catalog._summary import drop_empty, rounded
from tools.catalog.product_report import ProductReport

if TYPE_CHECKING:
    from tools.context import TurnContext

MAX_CHART_DAYS = 60.0  # a bar longer than this many days is drawn at this length


class StockReportArgs(ToolArgs):
    limit: Annotated[int, ButtonCode("l")] = Field(
        10, ge=1, le=50, description="How many products to list, fewest days of stock first."
    )
    category: Annotated[str | None, CATEGORY_CODE] = Field(
        None,
        max_length=100,
        description="Only products of this category (as the catalogue names it, any case).",
    )


class StockReport(Tool[StockReportArgs]):
    name = "stock_report"
    code = "st"
    schema = StockReportArgs
    example = {"limit": 5, "category": "커피"}

    def run(self, ctx: TurnContext, args: StockReportArgs, window: Window | None) -> Result:
        from analytics.stock import stock_report

        with ctx.session() as session:
            return stock_report(
                session, ctx.store, ctx.now, category=args.category, limit=args.limit
            )

    def read(self, question: Question) -> dict[str, Any]:
        return named(limit=question.limit(), category=question.category())

    def summary(self, result: Any) -> dict[str, Any]:
        return drop_empty(
            {
                "as_of": result.as_of.isoformat(),
                "rate_over_days": result.recent_days,
                "selling_out_within_days": result.soon_days,
                "category": result.category,
                "products": result.products,
                "out_of_stock": result.out_of_stock,
                "selling_out": result.selling_out,
                "in_stock": result.in_stock,
                "no_recent_sales": result.idle,
                "unknown_stock": result.unknown_stock,
                "unknown_stock_selling": result.unknown_selling,
                "items": [
                    drop_empty(
                        {
                            "product_id": item.product_id,
                            "name": item.name,
                            "name_en": item.name_en,
                            "stock": item.stock,
                            "units_per_day": rounded(item.units_per_day, 2),
                            "days_left": rounded(item.days_left, 1),
                            "stockout_date": item.stockout_date.isoformat()
                            if item.stockout_date
                            else None,
                            "status": item.status,
                        }
                    )
                    for item in result.items
                ],
            }
        )

    def chart(self, run: ToolRun, ctx: TurnContext) -> Chart | None:
        result: Any = run.result
        items = [i for i in result.items if i.days_left is not None][:MAX_CHART_ITEMS]
        if not items:
            return None
        lang, prompts = ctx.lang, ctx.prompts
        return Chart(
            "barh",
            label(prompts, lang, "chart.days_of_stock"),
            [display_name(i, lang) for i in items],
            {
                label(prompts, lang, "series.days_of_stock"): [
                    min(float(i.days_left), MAX_CHART_DAYS) for i in items
                ]
            },
            label(prompts, lang, "unit.days"),
        )

    def details(self, run: ToolRun, ctx: TurnContext) -> Button | None:
        result: Any = run.result
        if not result.items or not ctx.prompts.is_enabled("product_report"):
            return None
        first = result.items[0]
        key = ProductReport.default_period or "last_7_days"
        week = default_period(key, now=ctx.now, tz=ctx.tz)
        args = {
            "product_id": first.product_id,
            "start": week.start.isoformat(),
            "end": week.end.isoformat(),
        }
        name = display_name(first, ctx.lang)
        return Button(label(ctx.prompts, ctx.lang, "details.product", name), "product_report", args)

    def tip(self, result: Any) -> str | None:
        soon = getattr(result, "selling_out", 0) or getattr(result, "out_of_stock", 0)
        return "low_stock" if soon else None
