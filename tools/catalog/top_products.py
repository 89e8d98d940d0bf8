"""top_products: the best sellers, or the biggest risers and fallers, of a period;
by revenue, units, or refunded and cancelled amount; of every product or one category."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import Field

from analytics.common import Result, Window
from tools.answer import Button, Chart
from tools.catalog._args import CATEGORY_CODE, ButtonCode, PeriodArgs
from tools.catalog._base import Question, Tool, ToolRun, named, require_window
from tools.catalog._charts import MAX_CHART_ITEMS, major_units
from tools.catalog._labels import label
from tools.catalog._products import compared_summary, display_name
from tools.catalog._steps import same_period
from tools.catalog._summary import drop_empty, relative, rounded

if TYPE_CHECKING:
    from tools.context import TurnContext


class TopProductsArgs(PeriodArgs):
    metric: Annotated[
        Literal["revenue", "units", "refunds"],
        ButtonCode("m", {"revenue": "r", "units": "u", "refunds": "x"}),
    ] = Field(
        "revenue",
        description="Rank by revenue, units sold, or refunds (refunded + cancelled amount).",
    )
    direction: Annotated[
        Literal["top", "rising", "falling"],
        ButtonCode("d", {"top": "t", "rising": "r", "falling": "f"}),
    ] = Field(
        "top",
        description="top sellers, or the biggest risers/fallers (by the absolute change) "
        "against the comparison period.",
    )
    limit: Annotated[int, ButtonCode("l")] = Field(
        5, ge=1, le=50, description="How many products to list."
    )
    category: Annotated[str | None, CATEGORY_CODE] = Field(
        None,
        max_length=100,
        description="Only products of this category (as the catalogue names it, any case).",
    )


def _value(item: Any, metric: str) -> int:
    if metric == "refunds":
        return int(item.refunds.amount)
    return int(item.current.units if metric == "units" else item.current.revenue)


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
                category=args.category,
            )

    def read(self, question: Question) -> dict[str, Any]:
        return named(
            limit=question.limit(),
            metric=question.metric(),
            direction=question.direction(),
            category=question.category(),
        )

    def summary(self, result: Any) -> dict[str, Any]:
        metric = result.metric
        key = {"revenue": "revenue_change", "units": "units_change"}.get(metric, "refunds_change")
        refunds_total = result.refunds_total
        return drop_empty(
            {
                "start": result.start.isoformat(),
                "end": result.end.isoformat(),
                "compared_with": compared_summary(result.compared),
                "metric": metric,
                "direction": result.direction,
                "ranked_by": "value" if result.direction == "top" else "absolute_change",
                "category": result.category,
                "currency": result.currency,
                "items": [
                    drop_empty(
                        {
                            "rank": rank,
                            "product_id": item.product_id,
                            "name": item.name,
                            "name_en": item.name_en,
                            "revenue": item.current.revenue,
                            "units": item.current.units,
                            "refunded_and_cancelled_amount": item.refunds.amount
                            if item.refunds
                            else None,
                            "refunded_orders": item.refunds.refunded_orders
                            if item.refunds
                            else None,
                            "cancelled_orders": item.refunds.cancelled_orders
                            if item.refunds
                            else None,
                            "change": relative(getattr(item, key)),
                            "change_absolute": getattr(item, key).absolute
                            if getattr(item, key) is not None
                            else None,
                            "share_of_" + metric: rounded(item.share),
                        }
                    )
                    for rank, item in enumerate(result.items, start=1)
                ],
                "total_revenue": result.total.revenue,
                "total_units": result.total.units,
                "total_refunded_and_cancelled": refunds_total.amount if refunds_total else None,
                "products_sold": result.products_sold,
            }
        )

    def chart(self, run: ToolRun, ctx: TurnContext) -> Chart | None:
        result: Any = run.result
        if not result.items:
            return None
        lang, prompts, metric = ctx.lang, ctx.prompts, result.metric
        items = result.items[:MAX_CHART_ITEMS]
        if metric == "units":
            values = [float(_value(i, metric)) for i in items]
            unit = label(prompts, lang, "unit.units")
        else:
            values = [major_units(_value(i, metric), result.currency) for i in items]
            unit = label(prompts, lang, "unit.money", result.currency)
        return Chart(
            "barh",
            label(prompts, lang, f"chart.top_{metric}"),
            [display_name(i, lang) for i in items],
            {label(prompts, lang, f"series.{metric}"): values},
            unit,
        )

    def details(self, run: ToolRun, ctx: TurnContext) -> Button | None:
        result: Any = run.result
        if not result.items or not ctx.prompts.is_enabled("product_report"):
            return None
        first = result.items[0]
        args = {"product_id": first.product_id, **same_period(run)}
        name = display_name(first, ctx.lang)
        return Button(label(ctx.prompts, ctx.lang, "details.product", name), "product_report", args)

    def tip(self, result: Any) -> str | None:
        falling = getattr(result, "direction", None) == "falling"
        sales = getattr(result, "metric", None) != "refunds"  # fewer refunds is good news
        return "falling_products" if falling and sales and getattr(result, "items", None) else None
