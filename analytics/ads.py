"""Ad efficiency: per campaign and in total, against the comparison window and
against the ROAS at which the ads pay for themselves; which campaigns' conversion
rate or ROAS dropped against their own baseline (analytics.ad_drops).

Data contract: `ad_stats_daily` rows (campaign, local date, impressions, clicks,
spend, conversions, conversion revenue) summed with one GROUP BY in SQL over the
window's local dates and the comparison window's.

Partial days (analytics.coverage.daily_spans): the rows are daily and carry no
hours, so today's row is incomplete. A window that runs to today shows today's
row so far in its figures (`current`) and says so (`partial_day`), but its
comparison leaves today out on both sides: `compared` (the window's complete
days, up to `compared_end`) against the comparison window without its last day
(the counterpart of today). "This month so far" on Dec 7 compares Dec 1-6 with
Nov 1-6; a window of today alone has no comparison.

Coverage (analytics.coverage.covers): the seller's ad data starts on the first
date of its ad statistics (`data_start`); a comparison window starting before
that day is not `covered`, and its changes are all None (no percentage).

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
from collections.abc import Mapping, Sequence
from fractions import Fraction
from typing import Literal

import numpy as np
from sqlalchemy.orm import Session

from analytics.ad_drops import AdDrop, ad_drops, checkable
from analytics.common import NoData, Result, Store, Window
from analytics.coverage import DateRange, covers, daily_spans
from analytics.detectors.ads import ad_series
from analytics.detectors.queries import daily_ad_stats
from analytics.detectors.scan import ADS
from analytics.queries.ads import (
    AdSums,
    CampaignRow,
    CostBasis,
    PeriodSums,
    campaign_owner,
    campaigns,
    cost_basis,
    day_sums,
    first_ad_date,
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
    """Relative change against the previous period (compared / previous − 1, so
    −0.25 is 25 % down); None when the previous figure is 0 or None, and every
    figure None when there is no comparison (a comparison window the data does not
    cover, or a window of today alone)."""

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
    """The window's days up to today, today's incomplete row included."""
    compared: AdFigures
    """The current side of the comparison: the window's complete days (equal to
    `current` unless the window includes today)."""
    previous: AdFigures
    change: AdChange
    """compared against previous."""
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
    compared: AdFigures
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
    """The last day shown: today when the window runs to it."""
    partial_day: dt.date | None = None
    """Today, when the window includes it: its row is incomplete and left out of the
    comparison on both sides."""
    compared_end: dt.date | None = None
    """The last day of the comparison's current side (start..compared_end); None
    when nothing is compared (a window of today alone)."""
    previous_basis: str = "previous_period"
    """Why the comparison window was chosen (analytics.periods: previous_month...)."""
    previous_start: dt.date
    previous_end: dt.date
    data_start: dt.date | None = None
    """The first date of the seller's ad statistics."""
    covered: bool = True
    """The comparison window starts on or after `data_start`; when not, every change
    is None."""
    campaigns: list[CampaignAds]
    """Campaigns with data in either period, most spend first."""
    total: AdTotal
    losing: list[LosingCampaign]
    """Campaigns that lost money in the current period, biggest loss first."""
    seller_margin: float | None
    """The price-weighted margin of the seller's products with a known cost."""
    default_margin: float
    drops: list[AdDrop] = []
    """Campaigns whose CVR or ROAS dropped significantly against their own baseline
    on a complete day of the window (analytics.ad_drops), in campaign-table order."""
    drops_checked: int = 0
    """Campaigns with enough baseline days to be tested at all (analytics.ad_drops.checkable):
    "no campaign dropped" means something only when this is above 0."""


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


def ad_change(current: AdFigures, previous: AdFigures, *, comparable: bool = True) -> AdChange:
    """Every figure's relative change from the previous period; all None when the
    periods are not `comparable` (analytics.coverage)."""
    return AdChange(
        **{
            name: _relative(getattr(current, name), getattr(previous, name)) if comparable else None
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
    campaign: CampaignRow,
    current: AdSums,
    previous: AdSums,
    margin: Margin,
    *,
    compared: AdSums | None = None,
    comparable: bool = True,
) -> CampaignAds:
    """One campaign's figures, change, break-even ROAS and estimated profit;
    `compared`: the current side of the comparison when it is not all of `current`
    (the window's complete days)."""
    rate, source = margin
    gross = current.revenue * rate
    now_figures, before_figures = ad_figures(current), ad_figures(previous)
    side = now_figures if compared is None else ad_figures(compared)
    return CampaignAds(
        campaign_id=campaign.id,
        name=campaign.name,
        channel=campaign.channel,
        product_id=campaign.product_id,
        current=now_figures,
        compared=side,
        previous=before_figures,
        change=ad_change(side, before_figures, comparable=comparable),
        margin=float(rate),
        margin_source=source,
        break_even_roas=_break_even(rate),
        estimated_profit=round_money(gross - current.spend),
        loses_money=current.spend > 0 and gross < current.spend,
    )


def ad_total(
    current: AdSums,
    previous: AdSums,
    gross: Fraction,
    fallback: Fraction,
    *,
    compared: AdSums | None = None,
    comparable: bool = True,
) -> AdTotal:
    """All campaigns together; `gross` is Σ revenue × margin over the campaigns'
    current period, so the break-even uses their revenue-weighted margin (`fallback`
    without revenue)."""
    margin = gross / current.revenue if current.revenue else fallback
    now_figures, before_figures = ad_figures(current), ad_figures(previous)
    side = now_figures if compared is None else ad_figures(compared)
    return AdTotal(
        current=now_figures,
        compared=side,
        previous=before_figures,
        change=ad_change(side, before_figures, comparable=comparable),
        break_even_roas=_break_even(margin),
        estimated_profit=round_money(gross - current.spend),
        loses_money=current.spend > 0 and gross < current.spend,
    )


def campaign_table(
    rows: Sequence[CampaignRow],
    sums: PeriodSums,
    fallback: Margin,
    *,
    today: Mapping[int, AdSums] | None = None,
    comparable: bool = True,
) -> tuple[list[CampaignAds], AdTotal]:
    """Every campaign's figures, most spend first, and the total over all sums.

    `sums` holds the compared periods (the window's complete days and the comparison
    window's); `today`: each campaign's incomplete row of today when the window
    includes it, added to the current figures but not to the compared ones."""
    zero = AdSums()
    partial = today or {}
    table: list[CampaignAds] = []
    gross = Fraction(0)  # Σ revenue × margin over the current period
    for campaign in rows:
        margin = campaign_margin(campaign, fallback)
        compared = sums.get((campaign.id, True), zero)
        current = compared + partial.get(campaign.id, zero)
        gross += current.revenue * margin[0]
        previous = sums.get((campaign.id, False), zero)
        table.append(
            campaign_ads(
                campaign,
                current,
                previous,
                margin,
                compared=compared if today is not None else None,
                comparable=comparable,
            )
        )
    table.sort(key=lambda row: (-row.current.spend, row.campaign_id))
    compared_sums = sum((value for (_, is_current), value in sums.items() if is_current), zero)
    before_sums = sum((value for (_, is_current), value in sums.items() if not is_current), zero)
    now_sums = compared_sums + sum(partial.values(), zero)
    total = ad_total(
        now_sums,
        before_sums,
        gross,
        fallback[0],
        compared=compared_sums if today is not None else None,
        comparable=comparable,
    )
    return table, total


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

    tz = store.timezone
    today = window.now.astimezone(tz).date()
    if window.start > today:
        return NoData(reason="future_period", detail={"start": window.start.isoformat()})
    # The comparison window, chosen here: the window's own (the calendar's, else equal
    # length), today left out on both sides when the window includes it.
    prior = window.previous()
    spans = daily_spans(window, tz)
    sums: PeriodSums = {}
    if spans.current is not None:
        sums = period_sums(session, store.id, campaign_id, spans.current, spans.previous)
    partial: dict[int, AdSums] | None = None
    if spans.partial_day is not None:
        partial = day_sums(session, store.id, campaign_id, spans.partial_day)
    end = spans.shown[1]
    if not sums and not partial:
        detail: dict[str, str | int | float] = (
            {"campaign_id": campaign_id} if campaign_id is not None else {}
        )
        if not has_ad_data(session, store.id, campaign_id):
            return NoData(reason="no_ads", detail=detail)
        return NoData(
            reason="empty_period",
            detail={**detail, "start": window.start.isoformat(), "end": end.isoformat()},
        )

    previous = spans.previous or (prior.start, min(prior.end, prior.now.astimezone(tz).date()))
    data_start = first_ad_date(session, store.id)
    covered = covers(data_start, previous[0])
    comparable = covered and spans.previous is not None
    ids = {key[0] for key in sums} | set(partial or {})
    rows = campaigns(session, ids)
    average = seller_margin(cost_basis(session, store.id))
    table, total = campaign_table(
        rows,
        sums,
        fallback_margin(average, default_margin),
        today=partial,
        comparable=comparable,
    )
    names = {row.campaign_id: row.name for row in table}
    drops, tested = _drops(session, store.id, names, spans.current)
    return AdReport(
        currency=store.currency,
        start=window.start,
        end=end,
        partial_day=spans.partial_day,
        compared_end=spans.current[1] if spans.current and spans.previous else None,
        previous_basis=window.basis,
        previous_start=previous[0],
        previous_end=previous[1],
        data_start=data_start,
        covered=covered,
        campaigns=table,
        total=total,
        losing=losing_campaigns(table),
        seller_margin=float(average) if average is not None else None,
        default_margin=default_margin,
        drops=drops,
        drops_checked=tested,
    )


def _drops(
    session: Session, seller_id: int, names: dict[int, str], days: DateRange | None
) -> tuple[list[AdDrop], int]:
    """The campaigns (of `names`) whose CVR or ROAS test fires on one of `days` (the
    window's complete days), read with the baseline days before them; and how many
    could be tested."""
    if days is None or not names:
        return [], 0
    first, last = days
    start = first - dt.timedelta(days=ADS.baseline_days)
    rows, dates = daily_ad_stats(session, start=start, end=last, seller_ids=[seller_id])
    mine = np.isin(rows[:, 0], list(names))
    if not mine.any():
        return [], 0
    span = (last - start).days + 1
    series = ad_series(
        rows[mine],
        [d for d, keep in zip(dates, mine, strict=True) if keep],
        first_date=start,
        days=span,
        names=names,
    )
    tested_days = np.arange(ADS.baseline_days, span)
    found = ad_drops(series, tested_days, ADS)
    order = {campaign_id: i for i, campaign_id in enumerate(names)}
    return sorted(found, key=lambda drop: order[drop.campaign_id]), checkable(
        series, tested_days, ADS
    )
