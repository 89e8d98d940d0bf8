"""Ad efficiency: per campaign and in total, against the previous period and
against the ROAS at which the ads pay for themselves.

Data contract: `ad_stats_daily` rows (campaign, local date, impressions, clicks,
spend, conversions, conversion revenue) summed with one GROUP BY in SQL over the
window's local dates and the previous window's. A window that runs to today is
cut at today's date (today's row so far is included) and the previous window
at the same weekday, so "this week so far" compares with the same days of last
week. Daily rows carry no hours: today's partial row meets a whole day a week
earlier.

Figures (ratios are floats and None when their denominator is 0; money is an
integer in the store's minor unit):

    CTR  = clicks / impressions          CPC = spend / clicks (rounded to 1)
    CVR  = conversions / clicks          CPA = spend / conversions (rounded to 1)
    ROAS = conversion revenue / spend    (2.5 means 250 %)

Break-even ROAS = 1 / margin: at that ROAS the gross margin on the ad's sales
equals its spend. The margin is, in this order:

1. `product_cost`: the campaign's product has a price and a known cost:
   margin = (price − cost) / price;
2. `seller_average`: otherwise the seller's products with a known cost, weighted
   by price, Σ(price − cost) / Σ price (a basket of one of each such product);
3. `default`: otherwise `default_margin` (30 % unless configured).

A campaign loses money when it spent and its ROAS is below break-even, i.e.
revenue × margin < spend; its estimated loss is spend − revenue × margin.
Products sold at or below cost (margin ≤ 0) have no break-even ROAS (None):
every won of their ad spend is lost. The total's break-even uses the
revenue-weighted margin of its campaigns, so the total loses money exactly
when the summed estimated profit is negative.

The reads are in analytics.queries.ads; everything above is computed by pure
functions of the rows read (`ad_figures`, `ad_change`, `seller_margin`,
`campaign_margin`, `campaign_ads`, `ad_total`, `losing_campaigns`).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from fractions import Fraction
from typing import Literal

from sqlalchemy.orm import Session

from analytics.common import NoData, Result, Store, Window
from analytics.queries.ads import (
    AdSums,
    CampaignRow,
    CostBasis,
    PeriodSums,
    campaign_owner,
    campaigns,
    cost_basis,
    has_ad_data,
    period_sums,
)

MarginSource = Literal["product_cost", "seller_average", "default"]


class AdFigures(Result):
    """One period's sums and ratios for a campaign or the total."""

    spend: int
    impressions: int
    clicks: int
    conversions: int
    revenue: int
    ctr: float | None
    cpc: int | None
    cvr: float | None
    roas: float | None
    cpa: int | None


class AdChange(Result):
    """Relative change against the previous period (current / previous − 1, so
    −0.25 is 25 % down); None when the previous figure is 0 or None."""

    spend: float | None
    impressions: float | None
    clicks: float | None
    conversions: float | None
    revenue: float | None
    ctr: float | None
    cpc: float | None
    cvr: float | None
    roas: float | None
    cpa: float | None


class CampaignAds(Result):
    campaign_id: int
    name: str
    channel: str | None
    product_id: int | None
    current: AdFigures
    previous: AdFigures
    change: AdChange
    margin: float
    margin_source: MarginSource
    break_even_roas: float | None
    estimated_profit: int
    """round(revenue × margin) − spend over the current period; negative is a loss."""
    loses_money: bool


class LosingCampaign(Result):
    campaign_id: int
    name: str
    spend: int
    revenue: int
    roas: float | None
    break_even_roas: float | None
    estimated_loss: int
    """spend − round(revenue × margin), current period."""


class AdTotal(Result):
    current: AdFigures
    previous: AdFigures
    change: AdChange
    break_even_roas: float | None
    estimated_profit: int
    loses_money: bool


class AdReport(Result):
    kind: Literal["ad_report"] = "ad_report"
    currency: str
    start: dt.date
    end: dt.date
    previous_start: dt.date
    previous_end: dt.date
    campaigns: list[CampaignAds]
    """Campaigns with data in either period, most spend first."""
    total: AdTotal
    losing: list[LosingCampaign]
    """Campaigns that lost money in the current period, biggest loss first."""
    seller_margin: float | None
    """The price-weighted margin of the seller's products with a known cost."""
    default_margin: float


Margin = tuple[Fraction, MarginSource]


# ---------------------------------------------------------------- figures
# Pure: summed ad stats and campaign rows (analytics.queries.ads) in, figures out.


def round_money(value: Fraction) -> int:
    """Nearest integer, halves away from zero (money in the minor unit)."""
    return (
        math.floor(value + Fraction(1, 2)) if value >= 0 else -math.floor(-value + Fraction(1, 2))
    )


def _ratio(numerator: int, denominator: int) -> float | None:
    return numerator / denominator if denominator else None


def ad_figures(sums: AdSums) -> AdFigures:
    """A period's sums and the ratios CTR, CPC, CVR, ROAS and CPA over them."""
    return AdFigures(
        spend=sums.spend,
        impressions=sums.impressions,
        clicks=sums.clicks,
        conversions=sums.conversions,
        revenue=sums.revenue,
        ctr=_ratio(sums.clicks, sums.impressions),
        cpc=round_money(Fraction(sums.spend, sums.clicks)) if sums.clicks else None,
        cvr=_ratio(sums.conversions, sums.clicks),
        roas=_ratio(sums.revenue, sums.spend),
        cpa=round_money(Fraction(sums.spend, sums.conversions)) if sums.conversions else None,
    )


def _relative(current: float | None, previous: float | None) -> float | None:
    if current is None or not previous:
        return None
    return current / previous - 1


def ad_change(current: AdFigures, previous: AdFigures) -> AdChange:
    """Every figure's relative change from the previous period."""
    return AdChange(
        **{
            name: _relative(getattr(current, name), getattr(previous, name))
            for name in AdChange.model_fields
        }
    )


def seller_margin(basis: CostBasis) -> Fraction | None:
    """Σ(price − cost) / Σ price over the seller's products with a known cost; None
    without such a product."""
    if not basis.price:
        return None
    return Fraction(basis.margin, basis.price)


def fallback_margin(seller: Fraction | None, default_margin: float) -> Margin:
    """The margin of a campaign without a costed product: the seller's average, else
    the default."""
    if seller is not None:
        return seller, "seller_average"
    return Fraction(default_margin), "default"


def campaign_margin(campaign: CampaignRow, fallback: Margin) -> Margin:
    """The campaign's product margin (price − cost) / price when both are known."""
    if campaign.price and campaign.cost is not None:
        return Fraction(campaign.price - campaign.cost, campaign.price), "product_cost"
    return fallback


def _break_even(margin: Fraction) -> float | None:
    return float(1 / margin) if margin > 0 else None


def campaign_ads(
    campaign: CampaignRow, current: AdSums, previous: AdSums, margin: Margin
) -> CampaignAds:
    """One campaign's figures, change, break-even ROAS and estimated profit."""
    rate, source = margin
    gross = current.revenue * rate
    now_figures, before_figures = ad_figures(current), ad_figures(previous)
    return CampaignAds(
        campaign_id=campaign.id,
        name=campaign.name,
        channel=campaign.channel,
        product_id=campaign.product_id,
        current=now_figures,
        previous=before_figures,
        change=ad_change(now_figures, before_figures),
        margin=float(rate),
        margin_source=source,
        break_even_roas=_break_even(rate),
        estimated_profit=round_money(gross - current.spend),
        loses_money=current.spend > 0 and gross < current.spend,
    )


def ad_total(current: AdSums, previous: AdSums, gross: Fraction, fallback: Fraction) -> AdTotal:
    """All campaigns together; `gross` is Σ revenue × margin over the campaigns'
    current period, so the break-even uses their revenue-weighted margin (`fallback`
    without revenue)."""
    margin = gross / current.revenue if current.revenue else fallback
    now_figures, before_figures = ad_figures(current), ad_figures(previous)
    return AdTotal(
        current=now_figures,
        previous=before_figures,
        change=ad_change(now_figures, before_figures),
        break_even_roas=_break_even(margin),
        estimated_profit=round_money(gross - current.spend),
        loses_money=current.spend > 0 and gross < current.spend,
    )


def campaign_table(
    rows: Sequence[CampaignRow], sums: PeriodSums, fallback: Margin
) -> tuple[list[CampaignAds], AdTotal]:
    """Every campaign's figures, most spend first, and the total over all sums."""
    zero = AdSums()
    table: list[CampaignAds] = []
    gross = Fraction(0)  # Σ revenue × margin over the current period
    for campaign in rows:
        margin = campaign_margin(campaign, fallback)
        current = sums.get((campaign.id, True), zero)
        gross += current.revenue * margin[0]
        table.append(campaign_ads(campaign, current, sums.get((campaign.id, False), zero), margin))
    table.sort(key=lambda row: (-row.current.spend, row.campaign_id))
    now_sums = sum((value for (_, is_current), value in sums.items() if is_current), zero)
    before_sums = sum((value for (_, is_current), value in sums.items() if not is_current), zero)
    return table, ad_total(now_sums, before_sums, gross, fallback[0])


def losing_campaigns(table: Sequence[CampaignAds]) -> list[LosingCampaign]:
    """The campaigns that lost money, biggest estimated loss first."""
    return sorted(
        (
            LosingCampaign(
                campaign_id=row.campaign_id,
                name=row.name,
                spend=row.current.spend,
                revenue=row.current.revenue,
                roas=row.current.roas,
                break_even_roas=row.break_even_roas,
                estimated_loss=-row.estimated_profit,
            )
            for row in table
            if row.loses_money
        ),
        key=lambda lost: (-lost.estimated_loss, lost.campaign_id),
    )


# ---------------------------------------------------------------- the report


def ad_report(
    session: Session,
    store: Store,
    window: Window,
    *,
    campaign_id: int | None = None,
    default_margin: float = 0.30,
) -> AdReport | NoData:
    """Spend, CTR, CPC, CVR, ROAS, CPA per campaign and in total for `window`, against
    its comparison window (`window.previous()`) and against break-even ROAS.

    NoData reasons: unknown_campaign (not this seller's), future_period, no_ads (the
    seller, or the campaign, has no ad data at all), empty_period (ad data exists,
    but none in this window or the previous one).
    """
    if not 0 < default_margin <= 1:
        raise ValueError(f"default_margin must be in (0, 1], got {default_margin}")
    if campaign_id is not None and campaign_owner(session, campaign_id) != store.id:
        return NoData(reason="unknown_campaign", detail={"campaign_id": campaign_id})

    today = window.now.astimezone(store.timezone).date()
    if window.start > today:
        return NoData(reason="future_period", detail={"start": window.start.isoformat()})
    # The comparison window, chosen here: the window's own (the calendar's, else equal length).
    prior = window.previous()
    end = min(window.end, today)
    prior_end = min(prior.end, prior.now.astimezone(store.timezone).date())

    sums = period_sums(
        session, store.id, campaign_id, (window.start, end), (prior.start, prior_end)
    )
    if not sums:
        detail: dict[str, str | int | float] = (
            {"campaign_id": campaign_id} if campaign_id is not None else {}
        )
        if not has_ad_data(session, store.id, campaign_id):
            return NoData(reason="no_ads", detail=detail)
        return NoData(
            reason="empty_period",
            detail={**detail, "start": window.start.isoformat(), "end": end.isoformat()},
        )

    rows = campaigns(session, {key[0] for key in sums})
    average = seller_margin(cost_basis(session, store.id))
    table, total = campaign_table(rows, sums, fallback_margin(average, default_margin))
    return AdReport(
        currency=store.currency,
        start=window.start,
        end=end,
        previous_start=prior.start,
        previous_end=prior_end,
        campaigns=table,
        total=total,
        losing=losing_campaigns(table),
        seller_margin=float(average) if average is not None else None,
        default_margin=default_margin,
    )
