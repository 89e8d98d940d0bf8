"""What to generate: one store's size, period and injected incidents.

Times are aware datetimes; the history covers the local dates
[until - days + 1, until] in the store's timezone, and the last day stops at
`until` (today so far). An empty `incidents` tuple gives clean data.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal
from zoneinfo import ZoneInfo

from storage.demo.catalog import DEMO, OTHER_THEMES, Theme


@dataclass(frozen=True, slots=True)
class SalesDrop:
    """Orders (and visits) fall by `fraction` in every local hour starting in [starts_at, ends_at)."""

    starts_at: dt.datetime
    ends_at: dt.datetime
    fraction: float


@dataclass(frozen=True, slots=True)
class AdCollapse:
    """Campaign number `campaign` (0-based, in generation order) loses `fraction` of its
    CTR or CVR on the local dates whose midnight falls in [starts_at, ends_at)."""

    campaign: int
    metric: Literal["ctr", "cvr"]
    fraction: float
    starts_at: dt.datetime
    ends_at: dt.datetime


@dataclass(frozen=True, slots=True)
class KeywordGap:
    """Visitors search `keyword` (no product carries it) from `starts_at` on: it takes
    `share` of the on-site searches and none of those visits buys."""

    keyword: str
    share: float
    starts_at: dt.datetime


InjectedIncident = SalesDrop | AdCollapse | KeywordGap


@dataclass(frozen=True, slots=True)
class StoreSpec:
    """One store to generate. `orders_per_day` is the mean over the history."""

    slug: str
    until: dt.datetime
    days: int = 365
    orders_per_day: float = 200.0
    name: str | None = None  # default: the theme's shop name
    theme: Theme = DEMO
    timezone: str = "Asia/Seoul"
    currency: str = "KRW"
    incidents: tuple[InjectedIncident, ...] = ()
    growth: float = 0.2  # log growth of demand over the history (0 = flat)
    day_noise: float = 0.05  # sd of a lognormal day-to-day demand factor (0 = pure Poisson)
    conversion: float = 0.03  # share of visits that end in an order
    losing_campaign: bool = True  # one campaign's ROAS far below break-even
    with_visits: bool = True
    visit_days: int | None = 90  # visits of the last N days only (None: the whole history)
    with_ads: bool = True
    inquiries: int | None = None  # default: scaled with orders_per_day, 200 at 200/day
    low_stock_products: int = 3  # products left with a few days of stock

    def __post_init__(self) -> None:
        if self.until.tzinfo is None:
            raise ValueError("StoreSpec.until must be timezone-aware")
        if self.days < 1:
            raise ValueError(f"days must be at least 1, got {self.days}")
        if self.orders_per_day <= 0:
            raise ValueError(f"orders per day must be positive, got {self.orders_per_day}")
        if not 0 < self.conversion < 1:
            raise ValueError(f"conversion must be in (0, 1), got {self.conversion}")
        ZoneInfo(self.timezone)
        for incident in self.incidents:
            if incident.starts_at.tzinfo is None:
                raise ValueError("incident times must be timezone-aware")
            if isinstance(incident, SalesDrop | AdCollapse):
                if incident.ends_at.tzinfo is None or incident.ends_at <= incident.starts_at:
                    raise ValueError("an incident must end after it starts")
                if not 0 < incident.fraction <= 1:
                    raise ValueError(f"drop fraction must be in (0, 1], got {incident.fraction}")
            if isinstance(incident, KeywordGap) and not 0 < incident.share < 1:
                raise ValueError(f"keyword share must be in (0, 1), got {incident.share}")

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def first_date(self) -> dt.date:
        return self.until.astimezone(self.zone).date() - dt.timedelta(days=self.days - 1)

    @property
    def starts_at(self) -> dt.datetime:
        """Local midnight of the first day, as UTC."""
        return dt.datetime.combine(self.first_date, dt.time(), tzinfo=self.zone).astimezone(dt.UTC)


def _local_midnight(day: dt.date, zone: ZoneInfo) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tzinfo=zone)


def demo_spec(until: dt.datetime, *, days: int = 365, orders_per_day: float = 200.0) -> StoreSpec:
    """The `demo` seller with its standard incidents, placed relative to `until`:
    a 40% sales drop over yesterday (local), an 80% CVR collapse of the first campaign
    over the five days before today, and the keyword "소포장" (no small packs in the
    lineup) searched from 60 days before today (or the first day of a shorter history)."""
    zone = ZoneInfo("Asia/Seoul")
    today = until.astimezone(zone).date()
    first = today - dt.timedelta(days=days - 1)
    incidents: list[InjectedIncident] = []
    if days >= 2:
        yesterday = today - dt.timedelta(days=1)
        incidents.append(
            SalesDrop(_local_midnight(yesterday, zone), _local_midnight(today, zone), 0.4)
        )
    collapse_start = max(first, today - dt.timedelta(days=5))
    if collapse_start < today:
        incidents.append(
            AdCollapse(
                0, "cvr", 0.8, _local_midnight(collapse_start, zone), _local_midnight(today, zone)
            )
        )
    gap_start = max(first, today - dt.timedelta(days=60))
    incidents.append(KeywordGap("소포장", 0.12, _local_midnight(gap_start, zone)))
    return StoreSpec(
        slug="demo",
        until=until,
        days=days,
        orders_per_day=orders_per_day,
        theme=DEMO,
        incidents=tuple(incidents),
        inquiries=None,
    )


def other_spec(
    index: int, until: dt.datetime, *, days: int, orders_per_day: float, scale: float
) -> StoreSpec:
    """Seller number `index` (2, 3, ...): slug `seller-000N`, a theme in turn, a size of
    `scale` × orders_per_day, and one sales drop on a day chosen from `index`."""
    zone = ZoneInfo("Asia/Seoul")
    today = until.astimezone(zone).date()
    incidents: tuple[InjectedIncident, ...] = ()
    if days >= 10:
        back = 2 + (index * 7) % min(days - 2, 60)
        day = today - dt.timedelta(days=back)
        incidents = (
            SalesDrop(
                _local_midnight(day, zone), _local_midnight(day + dt.timedelta(1), zone), 0.5
            ),
        )
    theme = OTHER_THEMES[(index - 2) % len(OTHER_THEMES)]
    return StoreSpec(
        slug=f"seller-{index:04d}",
        until=until,
        days=days,
        orders_per_day=max(1.0, orders_per_day * scale),
        theme=theme,
        incidents=incidents,
        growth=0.1 * ((index % 3) - 1),
        losing_campaign=index % 2 == 0,
    )
