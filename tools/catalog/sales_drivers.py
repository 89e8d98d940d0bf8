"""sales_drivers: why sales fell (or rose) in a period: its sales against the
comparison window, the alerts raised for its days, and the products, campaigns
and search keywords that moved most in absolute terms."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

from pydantic import Field

from analytics.common import Result, Window
from tools.answer import Button, Chart
from tools.catalog._args import ButtonCode, PeriodArgs
from tools.catalog._base import Question, Tool, ToolRun, named, require_window
from tools.catalog._charts import MAX_CHART_ITEMS, major_units
from tools.catalog._labels import label
from tools.catalog._products import display_name
from tools.catalog._steps import same_period
from tools.catalog._summary import MAX_ITEMS, alert_item, compared_window, drop_empty, relative

if TYPE_CHECKING:
    from tools.context import TurnContext

MIN_CHART_ITEMS = 2  # fewer product movers than this: no chart


class SalesDriversArgs(PeriodArgs):
    limit: Annotated[int, ButtonCode("l")] = Field(
        3, ge=1, le=10, description="How many movers to list per dimension."
    )


def _against(c: Any) -> dict[str, Any] | None:
    if c is None:
        return None
    return drop_empty(
        {
            **compared_window(c),
            "covered": c.covered,
            "revenue": c.sales.revenue,
            "orders": c.sales.orders,
            "revenue_change": c.revenue.absolute,
            "revenue_change_rate": relative(c.revenue),
            "orders_change": c.orders.absolute,
        }
    )


def _product(m: Any) -> dict[str, Any]:
    return {
        "product_id": m.product_id,
        "name": m.name,
        "revenue_before": m.revenue.before,
        "revenue_after": m.revenue.after,
        "revenue_change": m.revenue.change,
    }


def _campaign(m: Any) -> dict[str, Any]:
    return {
        "campaign": m.name,
        "ad_revenue_before": m.revenue.before,
        "ad_revenue_after": m.revenue.after,
        "ad_revenue_change": m.revenue.change,
        "spend_before": m.spend.before,
        "spend_after": m.spend.after,
        "conversions_before": m.conversions.before,
        "conversions_after": m.conversions.after,
    }


def _keyword(m: Any) -> dict[str, Any]:
    return {
        "keyword": m.keyword,
        "visits_before": m.visits.before,
        "visits_after": m.visits.after,
        "visits_change": m.visits.change,
        "purchases_before": m.purchases.before,
        "purchases_after": m.purchases.after,
    }


class SalesDrivers(Tool[SalesDriversArgs]):
    name = "sales_drivers"
    code = "wy"
    schema = SalesDriversArgs
    default_period = "yesterday"
    example = {"start": "2026-11-26", "end": "2026-11-26", "limit": 5}

    def run(self, ctx: TurnContext, args: SalesDriversArgs, window: Window | None) -> Result:
        from analytics.drivers import sales_drivers

        with ctx.session() as session:
            return sales_drivers(session, ctx.store, require_window(window), args.limit)

    def read(self, question: Question) -> dict[str, Any]:
        return named(limit=question.limit())

    def summary(self, result: Any) -> dict[str, Any]:
        return drop_empty(
            {
                "start": result.start.isoformat(),
                "end": result.end.isoformat(),
                "so_far": result.so_far,
                "as_of": result.as_of.strftime("%H:%M") if result.so_far else None,
                "currency": result.currency,
                "revenue": result.sales.revenue,
                "orders": result.sales.orders,
                "direction": result.direction,
                "previous": _against(result.previous),
                "last_week": _against(result.last_week),
                "data_since": result.first_order.isoformat() if result.first_order else None,
                "alerts": [
                    alert_item(a.kind, a.local_date, a.evidence)
                    for a in result.alerts[: MAX_ITEMS * 2]
                ],
                "products": [_product(m) for m in result.products.drivers],
                # what moved the other way tempers the drivers: its change only
                "products_other_way": [
                    {"name": m.name, "revenue_change": m.revenue.change}
                    for m in result.products.offsets
                ],
                "campaigns": [_campaign(m) for m in result.campaigns.drivers],
                "campaigns_other_way": [
                    {"campaign": m.name, "ad_revenue_change": m.revenue.change}
                    for m in result.campaigns.offsets
                ],
                "keywords": [_keyword(m) for m in result.keywords.drivers],
                "keywords_other_way": [
                    {"keyword": m.keyword, "visits_change": m.visits.change}
                    for m in result.keywords.offsets
                ],
            }
        )

    def chart(self, run: ToolRun, ctx: TurnContext) -> Chart | None:
        result: Any = run.result
        movers = [*result.products.drivers, *result.products.offsets][:MAX_CHART_ITEMS]
        if len(movers) < MIN_CHART_ITEMS:
            return None
        lang, prompts, currency = ctx.lang, ctx.prompts, result.currency
        changes = [major_units(m.revenue.change, currency) for m in movers]
        return Chart(
            "barh",
            label(prompts, lang, "chart.revenue_change_by_product"),
            [display_name(m, lang) for m in movers],
            {label(prompts, lang, "series.revenue_change"): changes},
            label(prompts, lang, "unit.money", currency),
        )

    def details(self, run: ToolRun, ctx: TurnContext) -> Button | None:
        result: Any = run.result
        movers = [*result.products.drivers, *result.products.offsets]
        if not movers or not ctx.prompts.is_enabled("product_report"):
            return None
        first = movers[0]
        args = {"product_id": first.product_id, **same_period(run)}
        name = display_name(first, ctx.lang)
        return Button(label(ctx.prompts, ctx.lang, "details.product", name), "product_report", args)

    def tip(self, result: Any) -> str | None:
        fell = getattr(result, "direction", None) == "down"
        alerted = any(
            str(getattr(a, "kind", "")).startswith("sales") for a in getattr(result, "alerts", ())
        )
        return "sales_drop" if fell or alerted else None
