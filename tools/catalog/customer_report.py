"""customer_report: customers likely to buy again (BG/NBD + Gamma-Gamma), current
regulars, and regulars drifting away."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import Field

from analytics.common import Result, Window
from tools.answer import Button
from tools.catalog._args import ButtonCode, ToolArgs
from tools.catalog._base import Question, Tool, ToolRun, named
from tools.catalog._labels import label
from tools.catalog._summary import MAX_ITEMS, rounded

if TYPE_CHECKING:
    from tools.context import TurnContext

Segment = Literal["likely_regulars", "regulars", "at_risk"]
SEGMENTS: tuple[Segment, ...] = ("likely_regulars", "regulars", "at_risk")


class CustomerReportArgs(ToolArgs):
    segment: Annotated[
        Segment, ButtonCode("g", {"likely_regulars": "l", "regulars": "r", "at_risk": "a"})
    ] = Field(
        "likely_regulars",
        description="likely_regulars: new customers likely to come back; regulars: current "
        "regulars; at_risk: regulars drifting away.",
    )
    limit: Annotated[int, ButtonCode("l")] = Field(
        10, ge=1, le=50, description="How many customers to list."
    )


class CustomerReport(Tool[CustomerReportArgs]):
    name = "customer_report"
    code = "cr"
    schema = CustomerReportArgs
    example = {"segment": "at_risk", "limit": 20}

    def run(self, ctx: TurnContext, args: CustomerReportArgs, window: Window | None) -> Result:
        from analytics.clv import customer_report
        from tools.fit_cache import calibration_end

        with ctx.session() as session:
            if ctx.fits is None:
                return customer_report(
                    session, ctx.store, as_of=ctx.now, segment=args.segment, limit=args.limit
                )
            fitted = ctx.fits.scored(session, ctx.store, ctx.now)
            return customer_report(
                session,
                ctx.store,
                as_of=calibration_end(ctx.now),
                segment=args.segment,
                limit=args.limit,
                scored_store=fitted,
            )

    def read(self, question: Question) -> dict[str, Any]:
        return named(limit=question.limit(), segment=question.segment())

    def summary(self, result: Any) -> dict[str, Any]:
        return {
            "segment": result.segment,
            "as_of": result.calibration_end_date.isoformat(),
            "customers_fitted": result.customers_fitted,
            "segment_sizes": result.counts.model_dump(),
            "customers": [
                {
                    "customer": c.customer,
                    **({"name": c.name} if c.name else {}),  # masked
                    "orders": c.orders,
                    "purchase_days": c.purchases,
                    "last_purchase": c.last_purchase.isoformat(),
                    "p_alive": rounded(c.p_alive, 2),
                    "expected_purchases_90d": rounded(c.expected_purchases_90d, 1),
                    "expected_value_90d": c.expected_value_90d,
                }
                for c in result.customers[: MAX_ITEMS * 2]
            ],
        }

    def buttons(self, run: ToolRun, ctx: TurnContext) -> list[Button]:
        """The other segments."""
        current = run.args.get("segment")
        return [
            Button(
                label(ctx.prompts, ctx.lang, f"segment.{segment}"),
                self.name,
                {"segment": segment, "limit": run.args.get("limit", 10)},
            )
            for segment in SEGMENTS
            if segment != current
        ]

    def tip(self, result: Any) -> str | None:
        if not getattr(result, "customers", None):
            return None
        segment = getattr(result, "segment", None)
        return {"at_risk": "at_risk_customers", "likely_regulars": "likely_regulars"}.get(
            str(segment)
        )
