"""Argument schemas of the tools: a public contract (operators, traces and
regression sets use these names). `start`/`end` are inclusive ISO dates in the
seller's timezone. The seller is never an argument: it is bound from the chat.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

_START = "First day, inclusive, ISO date (YYYY-MM-DD) in the store's timezone."
_END = "Last day, inclusive, ISO date (YYYY-MM-DD). Today means today so far."


class ToolArgs(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PeriodArgs(ToolArgs):
    start: dt.date = Field(description=_START)
    end: dt.date = Field(description=_END)

    @model_validator(mode="after")
    def _ordered(self) -> PeriodArgs:
        if self.end < self.start:
            raise ValueError("end is before start")
        return self


class SalesReportArgs(PeriodArgs):
    pass


class TopProductsArgs(PeriodArgs):
    metric: Literal["revenue", "units"] = Field(
        "revenue", description="Rank by revenue or units sold."
    )
    direction: Literal["top", "rising", "falling"] = Field(
        "top", description="top sellers, or the biggest risers/fallers against the previous period."
    )
    limit: int = Field(5, ge=1, le=50, description="How many products to list.")


class ProductReportArgs(PeriodArgs):
    product_id: int = Field(description="Product id from the catalogue (see resolve hints).")


class AdReportArgs(PeriodArgs):
    campaign_id: int | None = Field(
        None, description="One campaign's id, or omit for all campaigns."
    )


class CustomerReportArgs(ToolArgs):
    segment: Literal["likely_regulars", "regulars", "at_risk"] = Field(
        "likely_regulars",
        description="likely_regulars: new customers likely to come back; regulars: current "
        "regulars; at_risk: regulars drifting away.",
    )
    limit: int = Field(10, ge=1, le=50, description="How many customers to list.")


class SearchKeywordsArgs(PeriodArgs):
    keyword: str | None = Field(
        None, max_length=100, description="One search keyword, or omit for all."
    )


class AlertsReportArgs(PeriodArgs):
    pass


class InquiryDraftArgs(ToolArgs):
    inquiry: str = Field(
        min_length=1, max_length=2000, description="The customer's question, verbatim."
    )


class AdviceArgs(ToolArgs):
    topic: str = Field(min_length=1, max_length=500, description="What the seller wants advice on.")


ARG_SCHEMAS: dict[str, type[ToolArgs]] = {
    "sales_report": SalesReportArgs,
    "top_products": TopProductsArgs,
    "product_report": ProductReportArgs,
    "ad_report": AdReportArgs,
    "customer_report": CustomerReportArgs,
    "search_keywords": SearchKeywordsArgs,
    "alerts_report": AlertsReportArgs,
    "inquiry_draft": InquiryDraftArgs,
    "advice": AdviceArgs,
}
