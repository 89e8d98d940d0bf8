"""top_products: the best sellers, or the biggest risers and fallers, of a period."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import Field

from analytics.common import Result, Window
from tools.answer import Button, Chart
from tools.catalog._args import ButtonCode, PeriodArgs
from tools.catalog._base import Question, Tool, ToolRun, named, require_window
from tools.catalog._charts import MAX_CHART_ITEMS
from tools.catalog._labels import label
from tools.catalog._steps import same_period
from tools.catalog._summary import drop_empty, relative, rounded

if TYPE_CHECKING:
    from tools.context import TurnContext


class TopProductsArgs(PeriodArgs):
    metric: Annotated[
        Literal["revenue", "units"], ButtonCode("m", {"revenue": "r", "units": "u"})
    ] = Field("revenue", description="Rank by revenue or units sold.")
    direction: Annotated[
        Literal["top", "rising", "falling"],
        ButtonCode("d", {"top": "t", "rising": "r", "falling": "f"}),
    ] = Field(
        "top", description="top sellers, or the biggest risers/fallers against the previous period."
    )
    limit: Annotated[int, ButtonCode("l")] = Field(
        5, ge=1, le=50, description="How many products to list."
    )


class TopProducts(Tool[TopProductsArgs]):
    name = "top_products"
    code = "tp"
    schema = TopProductsArgs
    default_period = "last_7_days"
    example = {"start": "2026-11-20", "end": "2026-11-26", "metric": "units", "limit": 3}

    def run(self, ctx: TurnContext, args: TopProductsArgs, window: Window | None) -> Result:
        from analytics.products import top_products

        with ctx.session() as session:
            return top_products(
                session,
                ctx.store,
                require_window(window),
                args.metric,
                args.direction,
                args.limit,
            )

    def read(self, question: Question) -> dict[str, Any]:
        return named(
            limit=question.limit(), metric=question.metric(), direction=question.direction()
        )

    def summary(self, result: Any) -> dict[str, Any]:
        key = "revenue_change" if result.metric == "revenue" else "units_change"
        return drop_empty(
            {
                "start": result.start.isoformat(),
                "end": result.end.isoformat(),
                "metric": result.metric,
                "direction": result.direction,
                "currency": result.currency,
                "items": [
                    drop_empty(
                        {
                            "rank": rank,
                            "product_id": item.product_id,
                            "name": item.name,
                            "revenue": item.current.revenue,
                            "units": item.current.units,
                            "change": relative(getattr(item, key)),
                            "share": rounded(item.share),
                        }
                    )
                    for rank, item in enumerate(result.items, start=1)
                ],
                "total_revenue": result.total.revenue,
                "total_units": result.total.units,
                "products_sold": result.products_sold,
            }
        )

    def chart(self, run: ToolRun, ctx: TurnContext) -> Chart | None:
        result: Any = run.result
        if not result.items:
            return None
        lang, prompts, metric = ctx.lang, ctx.prompts, result.metric
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

    def details(self, run: ToolRun, ctx: TurnContext) -> Button | None:
        result: Any = run.result
        if not result.items or not ctx.prompts.is_enabled("product_report"):
            return None
        first = result.items[0]
        args = {"product_id": first.product_id, **same_period(run)}
        return Button(
            label(ctx.prompts, ctx.lang, "details.product", first.name), "product_report", args
        )

    def tip(self, result: Any) -> str | None:
        falling = getattr(result, "direction", None) == "falling"
        return "falling_products" if falling and getattr(result, "items", None) else None
