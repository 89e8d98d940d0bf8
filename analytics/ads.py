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
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable
from fractions import Fraction
from typing import Literal

from sqlalchemy import and_, case, exists, func, or_, select
from sqlalchemy.orm import Session

from analytics.common import NoData, Result, Store, Window
from storage.models import AdCampaign, AdStatDaily, Product

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


_SUMS = ("impressions", "clicks", "spend", "conversions", "conversion_revenue")


def ad_report(
    session: Session,
    store: Store,
    window: Window,
    *,
    campaign_id: int | None = None,
    default_margin: float = 0.30,
) -> AdReport | NoData:
    """Spend, CTR, CPC, CVR, ROAS, CPA per campaign and in total for `window`, against
    the previous window of equal length and against break-even ROAS.

    NoData reasons: unknown_campaign (not this seller's), future_period, no_ads (the
    seller, or the campaign, has no ad data at all), empty_period (ad data exists,
    but none in this window or the previous one).
    """
    if not 0 < default_margin <= 1:
        raise ValueError(f"default_margin must be in (0, 1], got {default_margin}")
    if campaign_id is not None:
        owner = session.scalar(select(AdCampaign.seller_id).where(AdCampaign.id == campaign_id))
        if owner != store.id:
            return NoData(reason="unknown_campaign", detail={"campaign_id": campaign_id})

    today = window.now.astimezone(store.timezone).date()
    if window.start > today:
        return NoData(reason="future_period", detail={"start": window.start.isoformat()})
    prior = window.previous()
    end = min(window.end, today)
    prior_end = min(prior.end, prior.now.astimezone(store.timezone).date())

    sums = _period_sums(session, store.id, campaign_id, window.start, end, prior.start, prior_end)
    if not sums:
        scope = [AdStatDaily.seller_id == store.id]
        if campaign_id is not None:
            scope.append(AdStatDaily.campaign_id == campaign_id)
        detail: dict[str, str | int | float] = (
            {"campaign_id": campaign_id} if campaign_id is not None else {}
        )
        if not session.scalar(select(exists().where(*scope))):
            return NoData(reason="no_ads", detail=detail)
        return NoData(
            reason="empty_period",
            detail={**detail, "start": window.start.isoformat(), "end": end.isoformat()},
        )

    campaigns = session.execute(
        select(
            AdCampaign.id,
            AdCampaign.name,
            AdCampaign.channel,
            AdCampaign.product_id,
            Product.price,
            Product.cost,
        )
        .outerjoin(Product, Product.id == AdCampaign.product_id)
        .where(AdCampaign.id.in_({key[0] for key in sums}))
    ).all()
    seller_margin = _seller_margin(session, store.id)
    fallback: tuple[Fraction, MarginSource] = (
        (seller_margin, "seller_average")
        if seller_margin is not None
        else (Fraction(default_margin), "default")
    )

    zero = (0, 0, 0, 0, 0)
    rows: list[CampaignAds] = []
    gross_total = Fraction(0)  # Σ revenue × margin over the current period
    for cid, name, channel, product_id, price, cost in campaigns:
        margin, source = (
            (Fraction(price - cost, price), "product_cost")
            if price and cost is not None
            else fallback
        )
        current, previous = sums.get((cid, True), zero), sums.get((cid, False), zero)
        gross = current[4] * margin
        gross_total += gross
        rows.append(
            CampaignAds(
                campaign_id=cid,
                name=name,
                channel=channel,
                product_id=product_id,
                current=_figures(current),
                previous=_figures(previous),
                change=_change(_figures(current), _figures(previous)),
                margin=float(margin),
                margin_source=source,
                break_even_roas=float(1 / margin) if margin > 0 else None,
                estimated_profit=_round(gross - current[2]),
                loses_money=current[2] > 0 and gross < current[2],
            )
        )
    rows.sort(key=lambda row: (-row.current.spend, row.campaign_id))

    now_sums = _add(value for (_, is_current), value in sums.items() if is_current)
    before_sums = _add(value for (_, is_current), value in sums.items() if not is_current)
    total_margin = gross_total / now_sums[4] if now_sums[4] else fallback[0]
    total = AdTotal(
        current=_figures(now_sums),
        previous=_figures(before_sums),
        change=_change(_figures(now_sums), _figures(before_sums)),
        break_even_roas=float(1 / total_margin) if total_margin > 0 else None,
        estimated_profit=_round(gross_total - now_sums[2]),
        loses_money=now_sums[2] > 0 and gross_total < now_sums[2],
    )
    losing = sorted(
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
            for row in rows
            if row.loses_money
        ),
        key=lambda lost: (-lost.estimated_loss, lost.campaign_id),
    )
    return AdReport(
        currency=store.currency,
        start=window.start,
        end=end,
        previous_start=prior.start,
        previous_end=prior_end,
        campaigns=rows,
        total=total,
        losing=losing,
        seller_margin=float(seller_margin) if seller_margin is not None else None,
        default_margin=default_margin,
    )


Sums = tuple[int, int, int, int, int]
"""(impressions, clicks, spend, conversions, conversion revenue)."""


def _period_sums(
    session: Session,
    seller_id: int,
    campaign_id: int | None,
    start: dt.date,
    end: dt.date,
    prior_start: dt.date,
    prior_end: dt.date,
) -> dict[tuple[int, bool], Sums]:
    """{(campaign id, is current period): sums}, one GROUP BY over both periods."""
    is_current = case((AdStatDaily.date >= start, 1), else_=0).label("is_current")
    query = (
        select(
            AdStatDaily.campaign_id,
            is_current,
            *(func.sum(getattr(AdStatDaily, column)) for column in _SUMS),
        )
        .where(
            AdStatDaily.seller_id == seller_id,
            or_(
                and_(AdStatDaily.date >= start, AdStatDaily.date <= end),
                and_(AdStatDaily.date >= prior_start, AdStatDaily.date <= prior_end),
            ),
        )
        .group_by(AdStatDaily.campaign_id, is_current)
    )
    if campaign_id is not None:
        query = query.where(AdStatDaily.campaign_id == campaign_id)
    return {
        (row[0], bool(row[1])): (
            int(row[2]),
            int(row[3]),
            int(row[4]),
            int(row[5]),
            int(row[6]),
        )
        for row in session.execute(query)
    }


def _seller_margin(session: Session, seller_id: int) -> Fraction | None:
    """Σ(price − cost) / Σ price over the seller's products with a known cost."""
    margin, price = session.execute(
        select(func.sum(Product.price - Product.cost), func.sum(Product.price)).where(
            Product.seller_id == seller_id, Product.cost.is_not(None), Product.price > 0
        )
    ).one()
    if not price:
        return None
    return Fraction(int(margin), int(price))


def _add(values: Iterable[Sums]) -> Sums:
    totals = [0, 0, 0, 0, 0]
    for value in values:
        for i, number in enumerate(value):
            totals[i] += number
    return (totals[0], totals[1], totals[2], totals[3], totals[4])


def _round(value: Fraction) -> int:
    """Nearest integer, halves away from zero (money in the minor unit)."""
    return (
        math.floor(value + Fraction(1, 2)) if value >= 0 else -math.floor(-value + Fraction(1, 2))
    )


def _ratio(numerator: int, denominator: int) -> float | None:
    return numerator / denominator if denominator else None


def _figures(sums: Sums) -> AdFigures:
    impressions, clicks, spend, conversions, revenue = sums
    return AdFigures(
        spend=spend,
        impressions=impressions,
        clicks=clicks,
        conversions=conversions,
        revenue=revenue,
        ctr=_ratio(clicks, impressions),
        cpc=_round(Fraction(spend, clicks)) if clicks else None,
        cvr=_ratio(conversions, clicks),
        roas=_ratio(revenue, spend),
        cpa=_round(Fraction(spend, conversions)) if conversions else None,
    )


def _relative(current: float | None, previous: float | None) -> float | None:
    if current is None or not previous:
        return None
    return current / previous - 1


def _change(current: AdFigures, previous: AdFigures) -> AdChange:
    return AdChange(
        **{
            name: _relative(getattr(current, name), getattr(previous, name))
            for name in AdChange.model_fields
        }
    )
