"""search_keywords: on-site search keywords that brought visitors, their conversion,
and what the lineup lacks for those who left without buying."""

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
from tools.catalog._summary import MAX_ITEMS, drop_empty, rounded

if TYPE_CHECKING:
    from tools.context import TurnContext


class SearchKeywordsArgs(PeriodArgs):
    keyword: Annotated[str | None, ButtonCode("k")] = Field(
        None, max_length=100, description="One search keyword, or omit for all."
    )


def _figures(f: Any) -> dict[str, Any]:
    return {
        "keyword": f.keyword,
        "visits": f.visits,
        "conversions": f.conversions,
        "conversion_rate": rounded(f.conversion_rate),
    }


class SearchKeywords(Tool[SearchKeywordsArgs]):
    name = "search_keywords"
    code = "sk"
    schema = SearchKeywordsArgs
    default_period = "last_7_days"
    example = {"start": "2026-11-20", "end": "2026-11-26", "keyword": "소포장"}

    def run(self, ctx: TurnContext, args: SearchKeywordsArgs, window: Window | None) -> Result:
        from analytics.keywords import keyword_report

        synonyms = ctx.prompts.keyword_synonyms()
        with ctx.session() as session:
            return keyword_report(
                session,
                ctx.store,
                require_window(window),
                keyword=args.keyword,
                synonyms=synonyms,
            )

    def read(self, question: Question) -> dict[str, Any]:
        keyword = question.keyword()
        return {} if keyword is None else {"keyword": keyword}

    def summary(self, result: Any) -> dict[str, Any]:
        focus = None
        if result.focus is not None:
            focus = {
                **_figures(result.focus.figures),
                "low_converting": result.focus.low_converting,
                "matching_products": [p.name for p in result.focus.matching_products[:3]],
                "suggestion": result.focus.suggestion.key if result.focus.suggestion else None,
            }
        return drop_empty(
            {
                "start": result.start.isoformat(),
                "end": result.end.isoformat(),
                "keyword_visits": result.keyword_visits,
                "keyword_conversion_rate": rounded(result.keyword_conversion_rate),
                "top": [_figures(f) for f in result.top[:MAX_ITEMS]],
                "low_converting": [
                    {
                        **_figures(low.figures),
                        "matching_products": [p.name for p in low.matching_products[:3]],
                        "suggestion": low.suggestion.key,
                    }
                    for low in result.low_converting[:3]
                ],
                "focus": drop_empty(focus) if focus else None,
            }
        )

    def chart(self, run: ToolRun, ctx: TurnContext) -> Chart | None:
        result: Any = run.result
        if not result.top:
            return None
        lang, prompts = ctx.lang, ctx.prompts
        top = result.top[:MAX_CHART_ITEMS]
        return Chart(
            "bar",
            label(prompts, lang, "chart.keyword_conversion"),
            [k.keyword for k in top],
            {
                label(prompts, lang, "series.conversion_rate"): [
                    round(k.conversion_rate * 100, 1) for k in top
                ]
            },
            label(prompts, lang, "unit.percent"),
        )

    def details(self, run: ToolRun, ctx: TurnContext) -> Button | None:
        result: Any = run.result
        if not result.low_converting or "keyword" in run.args:
            return None
        word = result.low_converting[0].figures.keyword
        args = {**same_period(run), "keyword": word}
        return Button(label(ctx.prompts, ctx.lang, "details.keyword", word), self.name, args)

    def tip(self, result: Any) -> str | None:
        keys = [
            getattr(getattr(item, "suggestion", None), "key", None)
            for item in getattr(result, "low_converting", ())
        ]
        if "add_product" in keys:
            return "keyword_gap"
        return "low_conversion" if keys else None
