"""Ad campaigns and their daily statistics, as an ad platform reports them.

Each campaign has its own CTR and CVR, and a CPC chosen so that its ROAS lands
on a target: 3.8-8 for healthy campaigns, 0.9-1.3 for the losing one (far below
break-even at any margin under 70%). Impressions follow the weekday profile
and the store's demand; today is reported up to `until`. An injected collapse
multiplies one campaign's CTR or CVR by (1 - fraction) on its days.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import numpy as np

from storage.demo.catalog import Theme
from storage.demo.orders import Catalog
from storage.demo.profile import WEEKDAY
from storage.demo.spec import AdCollapse, StoreSpec
from storage.demo.timeline import share_of_day_elapsed

Array = np.ndarray[Any, Any]
PRODUCT_CHANNELS = ("search", "shopping")


@dataclass(frozen=True, slots=True)
class Campaign:
    name: str
    channel: str
    product: int  # catalog index, -1 for a store-wide campaign
    start_day: int
    end_day: int  # exclusive
    base_impressions: float
    ctr: float
    cpc: float
    cvr: float
    order_value: float
    target_roas: float
    losing: bool


@dataclass(frozen=True, slots=True)
class AdDays:
    campaign: Array  # campaign index
    date: list[dt.date]
    impressions: Array
    clicks: Array
    spend: Array
    conversions: Array
    conversion_revenue: Array

    @property
    def count(self) -> int:
        return len(self.campaign)


def build_campaigns(
    theme: Theme,
    catalog: Catalog,
    spec: StoreSpec,
    mean_order_value: float,
    rng: np.random.Generator,
) -> list[Campaign]:
    count = int(rng.integers(3, 7))
    popularity = catalog.weights.mean(axis=0)
    top = np.argsort(-popularity, kind="stable")[:10]
    campaigns = []
    for index in range(count):
        name, channel = theme.campaigns[index % len(theme.campaigns)]
        product = int(rng.choice(top)) if channel in PRODUCT_CHANNELS else -1
        start, end = 0, spec.days
        if index >= 2:
            start = int(rng.integers(0, max(1, spec.days // 2)))
        if index == 3 and spec.days >= 28:
            end = max(start + 7, int(spec.days * 0.75))  # paused a while ago
        search_like = channel in PRODUCT_CHANNELS
        ctr = rng.uniform(0.01, 0.04) if search_like else rng.uniform(0.004, 0.012)
        cvr = rng.uniform(0.02, 0.07) if search_like else rng.uniform(0.01, 0.04)
        order_value = catalog.prices[product] * 1.25 if product >= 0 else mean_order_value
        losing = spec.losing_campaign and index == 1
        roas = rng.uniform(0.9, 1.3) if losing else rng.uniform(3.8, 8.0)
        cpc = float(np.clip(round(cvr * order_value / roas), 70, 3000))
        cvr = roas * cpc / order_value  # keeps ROAS on target when the CPC was clipped
        campaigns.append(
            Campaign(
                name=name,
                channel=channel,
                product=product,
                start_day=start,
                end_day=end,
                base_impressions=spec.orders_per_day * rng.uniform(25, 90),
                ctr=float(ctr),
                cpc=cpc,
                cvr=float(cvr),
                order_value=float(order_value),
                target_roas=float(cvr * order_value / cpc),
                losing=losing,
            )
        )
    return campaigns


def build_ad_days(
    spec: StoreSpec, campaigns: list[Campaign], day_factors: Array, rng: np.random.Generator
) -> AdDays:
    zone = spec.zone
    until_local = spec.until.astimezone(zone)
    today_share = share_of_day_elapsed(until_local.time())
    pairs = [
        (c, d)
        for c, campaign in enumerate(campaigns)
        for d in range(campaign.start_day, campaign.end_day)
    ]
    campaign_of = np.array([c for c, _ in pairs], dtype=np.int64)
    day_of = np.array([d for _, d in pairs], dtype=np.int64)
    dates = [spec.first_date + dt.timedelta(days=int(d)) for d in day_of]
    weekday = np.array([WEEKDAY[date.weekday()] for date in dates])
    share = np.where(day_of == spec.days - 1, today_share, 1.0)

    ctr = np.array([c.ctr for c in campaigns])[campaign_of]
    cvr = np.array([c.cvr for c in campaigns])[campaign_of]
    for incident in spec.incidents:
        if isinstance(incident, AdCollapse) and incident.campaign < len(campaigns):
            midnights = np.array(
                [dt.datetime.combine(date, dt.time(), tzinfo=zone).timestamp() for date in dates]
            )
            hit = (
                (campaign_of == incident.campaign)
                & (midnights >= incident.starts_at.timestamp())
                & (midnights < incident.ends_at.timestamp())
            )
            if incident.metric == "ctr":
                ctr[hit] *= 1.0 - incident.fraction
            else:
                cvr[hit] *= 1.0 - incident.fraction

    base = np.array([c.base_impressions for c in campaigns])[campaign_of]
    noise = np.exp(rng.normal(0.0, 0.15, size=len(pairs)))
    impressions = np.rint(base * weekday * day_factors[day_of] * noise * share).astype(np.int64)
    clicks = rng.binomial(impressions, ctr)
    cpc = np.array([c.cpc for c in campaigns])[campaign_of]
    spend = np.rint(clicks * cpc * np.exp(rng.normal(0.0, 0.05, size=len(pairs)))).astype(np.int64)
    conversions = rng.binomial(clicks, np.minimum(cvr, 1.0))
    order_value = np.array([c.order_value for c in campaigns])[campaign_of]
    value = rng.gamma(np.maximum(conversions, 1) * 4.0, 0.25) * order_value
    revenue = np.where(conversions > 0, np.rint(value / 10.0) * 10, 0).astype(np.int64)
    keep = impressions > 0
    return AdDays(
        campaign=campaign_of[keep],
        date=[date for date, kept in zip(dates, keep.tolist(), strict=True) if kept],
        impressions=impressions[keep],
        clicks=clicks[keep],
        spend=spend[keep],
        conversions=conversions[keep],
        conversion_revenue=revenue[keep],
    )
