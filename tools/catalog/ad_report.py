"""ad_report: spend, CTR, CPC, CVR, ROAS and CPA per campaign against the comparison
period (today's incomplete row left out of it) and break-even ROAS; which campaigns
lose money, and which dropped in conversion rate or ROAS against their own baseline
(the ad alerts' test)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

from pydantic import Field

from analytics.common import Result, Window
from tools.answer import Button, Chart
from tools.catalog._args import ButtonCode, PeriodArgs
from tools.catalog._base import Question, Tool, ToolRun, require_window
from tools.catalog._charts import MAX_CHART_ITEMS
from tools.catalog._labels import label
from tools.catalog._steps import same_period
from tools.catalog._summary import MAX_ITEMS, at_most, dig, drop_empty, relative, rounded

if TYPE_CHECKING:
    from tools.context import TurnContext

DEFAULT_MARGIN = 0.30  # when the seller's settings name none
LOW_CTR_DROP = 0.2  # total CTR at least this far below the previous period: the ad_low_ctr tip


class AdReportArgs(PeriodArgs):
    campaign_id: Annotated[int | None, ButtonCode("c")] = Field(
        None, description="One campaign's id, or omit for all campaigns."
    )


def _figures(f: Any) -> dict[str, Any]:
    return drop_empty(
        {
            "spend": f.spend,
            "revenue": f.revenue,
            "roas": rounded(f.roas, 2),
            "ctr": rounded(f.ctr),
            "cvr": rounded(f.cvr),
            "cpc": f.cpc,
            "cpa": f.cpa,
        }
    )


class AdReport(Tool[AdReportArgs]):
    name = "ad_report"
    code = "ar"
    schema = AdReportArgs
    default_period = "last_7_days"
    example = {"start": "2026-11-20", "end": "2026-11-26", "campaign_id": 7}

    def run(self, ctx: TurnContext, args: AdReportArgs, window: Window | None) -> Result:
        from analytics.ads import ad_report

        with ctx.session() as session:
            return ad_report(
                session,
                ctx.store,
                require_window(window),
                campaign_id=args.campaign_id,
                default_margin=ctx.settings.default_margin or DEFAULT_MARGIN,
            )

    def read(self, question: Question) -> dict[str, Any]:
        campaign = question.campaign_id()
        return {} if campaign is None else {"campaign_id": campaign}

    def summary(self, result: Any) -> dict[str, Any]:
        compared_end = result.compared_end
        return drop_empty(
            {
                "start": result.start.isoformat(),
                "end": result.end.isoformat(),
                "currency": result.currency,
                "today_incomplete": result.partial_day.isoformat() if result.partial_day else None,
                "compared": None
                if compared_end is None
                else {
                    "basis": result.previous_basis,
                    "current": [result.start.isoformat(), compared_end.isoformat()],
                    "previous": [
                        result.previous_start.isoformat(),
                        result.previous_end.isoformat(),
                    ],
                },
                "ad_data_starts": None if result.covered else result.data_start.isoformat(),
                "total": {
                    **_figures(result.total.current),
                    **drop_empty(
                        {
                            "roas_change": relative(result.total.change.roas),
                            "spend_change": relative(result.total.change.spend),
                            "break_even_roas": rounded(result.total.break_even_roas, 2),
                            "estimated_profit": result.total.estimated_profit,
                        }
                    ),
                },
                "campaigns": [
                    {
                        "campaign_id": c.campaign_id,
                        "name": c.name,
                        **_figures(c.current),
                        **drop_empty(
                            {
                                "roas_change": relative(c.change.roas),
                                "break_even_roas": rounded(c.break_even_roas, 2),
                                "loses_money": c.loses_money or None,
                            }
                        ),
                    }
                    for c in result.campaigns[: MAX_ITEMS + 3]
                ],
                "losing": [
                    {
                        "campaign_id": x.campaign_id,
                        "name": x.name,
                        "estimated_loss": x.estimated_loss,
                    }
                    for x in result.losing[:MAX_ITEMS]
                ],
                "efficiency_drops": [
                    {
                        "campaign_id": d.campaign_id,
                        "name": d.name,
                        **{
                            x.metric: {
                                "before": rounded(x.before),
                                "after": rounded(x.after),
                                "change": rounded(x.change),
                                "since": x.since.isoformat(),
                            }
                            for x in d.metrics
                        },
                    }
                    for d in result.drops[:MAX_ITEMS]
                ],
            }
        )

    def chart(self, run: ToolRun, ctx: TurnContext) -> Chart | None:
        result: Any = run.result
        campaigns = [c for c in result.campaigns if c.current.roas is not None][:MAX_CHART_ITEMS]
        if not campaigns:
            return None
        lang, prompts = ctx.lang, ctx.prompts
        series = {
            label(prompts, lang, "series.roas"): [
                round(c.current.roas * 100, 1) for c in campaigns
            ],
            label(prompts, lang, "series.break_even_roas"): [
                round((c.break_even_roas or 0) * 100, 1) for c in campaigns
            ],
        }
        return Chart(
            "bar",
            label(prompts, lang, "chart.roas"),
            [c.name for c in campaigns],
            series,
            label(prompts, lang, "unit.percent"),
        )

    def details(self, run: ToolRun, ctx: TurnContext) -> Button | None:
        result: Any = run.result
        worst = result.losing[0] if result.losing else (result.drops or [None])[0]
        if worst is None or "campaign_id" in run.args:
            return None
        args = {**same_period(run), "campaign_id": worst.campaign_id}
        return Button(
            label(ctx.prompts, ctx.lang, "details.campaign", worst.name), "ad_report", args
        )

    def tip(self, result: Any) -> str | None:
        if getattr(result, "losing", None):
            return "ad_low_roas"
        if at_most(dig(result, "total", "change", "ctr"), -LOW_CTR_DROP):
            return "ad_low_ctr"
        return None
