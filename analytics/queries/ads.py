"""Reads for the ad report: `ad_stats_daily` summed per campaign over two date
ranges (the window and its comparison window) in one GROUP BY, one day's rows
(today's, incomplete), the first date of the seller's ad data (coverage), the
campaigns with their product's price and cost, and the seller's cost basis for
the average margin. Every read is a range scan on ix_ad_stats_seller_date.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import and_, case, exists, func, or_, select
from sqlalchemy.orm import Session

from storage.models import AdCampaign, AdStatDaily, Product

__all__ = [
    "AdSums",
    "CampaignRow",
    "CostBasis",
    "DateRange",
    "PeriodSums",
    "campaign_owner",
    "campaigns",
    "cost_basis",
    "day_sums",
    "first_ad_date",
    "has_ad_data",
    "period_sums",
]

DateRange = tuple[dt.date, dt.date]
"""Inclusive local dates (first, last)."""


@dataclass(frozen=True, slots=True)
class AdSums:
    """One campaign's (or all campaigns') daily ad stats summed over a period."""

    impressions: int = 0
    clicks: int = 0
    spend: int = 0
    conversions: int = 0
    revenue: int = 0
    """Conversion revenue."""

    def __add__(self, other: AdSums) -> AdSums:
        return AdSums(
            self.impressions + other.impressions,
            self.clicks + other.clicks,
            self.spend + other.spend,
            self.conversions + other.conversions,
            self.revenue + other.revenue,
        )


PeriodSums = dict[tuple[int, bool], AdSums]
"""{(campaign id, is the current period): sums}; a pair without data is absent."""


@dataclass(frozen=True, slots=True)
class CampaignRow:
    """A campaign and, when it advertises one, its product's price and cost."""

    id: int
    name: str
    channel: str | None
    product_id: int | None
    price: int | None
    cost: int | None


@dataclass(frozen=True, slots=True)
class CostBasis:
    """Σ (price − cost) and Σ price over the seller's products with a known cost and
    a positive price (both 0 when there is none)."""

    margin: int
    price: int


_SUMS = ("impressions", "clicks", "spend", "conversions", "conversion_revenue")


def campaign_owner(session: Session, campaign_id: int) -> int | None:
    """The seller id a campaign belongs to; None when there is no such campaign."""
    return session.scalar(select(AdCampaign.seller_id).where(AdCampaign.id == campaign_id))


def period_sums(
    session: Session,
    seller_id: int,
    campaign_id: int | None,
    current: DateRange,
    previous: DateRange | None,
) -> PeriodSums:
    """Sums per campaign over the current and the previous period's dates (one GROUP
    BY over both; the previous period ends before the current one starts; None: no
    previous period); one campaign's only when `campaign_id` is set."""
    start, end = current
    prior_start, prior_end = previous or (start, start - dt.timedelta(days=1))
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
        (row[0], bool(row[1])): AdSums(
            int(row[2]), int(row[3]), int(row[4]), int(row[5]), int(row[6])
        )
        for row in session.execute(query)
    }


def day_sums(
    session: Session, seller_id: int, campaign_id: int | None, day: dt.date
) -> dict[int, AdSums]:
    """Each campaign's row of one local date ({campaign id: sums}); one campaign's
    only when `campaign_id` is set."""
    query = select(AdStatDaily.campaign_id, *(getattr(AdStatDaily, c) for c in _SUMS)).where(
        AdStatDaily.seller_id == seller_id, AdStatDaily.date == day
    )
    if campaign_id is not None:
        query = query.where(AdStatDaily.campaign_id == campaign_id)
    return {
        int(row[0]): AdSums(int(row[1]), int(row[2]), int(row[3]), int(row[4]), int(row[5]))
        for row in session.execute(query)
    }


def first_ad_date(session: Session, seller_id: int) -> dt.date | None:
    """The first local date of the seller's ad statistics (any campaign); None without any."""
    first: dt.date | None = session.scalar(
        select(func.min(AdStatDaily.date)).where(AdStatDaily.seller_id == seller_id)
    )
    return first


def has_ad_data(session: Session, seller_id: int, campaign_id: int | None) -> bool:
    """Whether the seller (or that campaign of theirs) has any ad stats at all."""
    scope = [AdStatDaily.seller_id == seller_id]
    if campaign_id is not None:
        scope.append(AdStatDaily.campaign_id == campaign_id)
    return bool(session.scalar(select(exists().where(*scope))))


def campaigns(session: Session, ids: set[int]) -> list[CampaignRow]:
    """The campaigns with these ids, with their product's price and cost."""
    rows = session.execute(
        select(
            AdCampaign.id,
            AdCampaign.name,
            AdCampaign.channel,
            AdCampaign.product_id,
            Product.price,
            Product.cost,
        )
        .outerjoin(Product, Product.id == AdCampaign.product_id)
        .where(AdCampaign.id.in_(ids))
    )
    return [CampaignRow(*row) for row in rows]


def cost_basis(session: Session, seller_id: int) -> CostBasis:
    """The seller's products with a known cost and a positive price, summed."""
    margin, price = session.execute(
        select(func.sum(Product.price - Product.cost), func.sum(Product.price)).where(
            Product.seller_id == seller_id, Product.cost.is_not(None), Product.price > 0
        )
    ).one()
    return CostBasis(margin=int(margin or 0), price=int(price or 0))
