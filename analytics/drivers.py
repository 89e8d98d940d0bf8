"""Why sales moved: a window's sales against its comparison window, the alerts
raised for its days, and what moved most in absolute terms — products by
revenue, ad campaigns by conversion revenue, search keywords by visits.

Data contract (every read in analytics.queries.drivers, most of them the other
reports' own): the seller's orders per status over the window, its comparison
window (`Window.previous()`: the calendar's, a day with the day before) and, for
one day, the same weekday a week earlier (today so far: cut at the same time;
left out when the comparison window is already that day); paid sales per product
over the window and over its comparison window, each read on its own (a named
comparison window may come after the window); ad stats per campaign over their
whole local days; visits per search keyword; the outbox rows (`alerts`) detected
from the window's first day until two days after its last.

Figures (money: integer minor units):

    sales       = paid revenue and paid orders (analytics.sales: cancelled and
                  refunded orders never count)
    change      = current − previous, and current / previous − 1 (None when the
                  previous figure is 0)
    a move      = before, after and after − before of one figure of one product
                  (revenue, units), campaign (conversion revenue, spend,
                  conversions) or keyword (visits, purchases: visits whose order
                  is paid; spellings merged as in analytics.keywords)

The direction is the sign of the revenue change ("down", "up", "flat"). Per
dimension the *drivers* are the items whose ranking figure (product revenue,
campaign conversion revenue, keyword visits) moved the same way as the revenue,
the largest absolute change first (ties: the next figures' absolute change, then
the id or keyword); the *offsets* moved the other way, ranked alike. When the
revenue did not change, every item that moved is a driver. At most `limit` of
each.

Honesty rules: a comparison window that starts before the seller's first order
is not *covered*: its relative changes are None and no movers are named against
it (everything would look new). Ad stats are daily rows without hours, so a day
still running (today, or the comparison window's last day cut at the same time)
is left out of the ad comparison on both sides; a window of today alone has
none. Alerts are the outbox rows whose evidence names a day of the window
(however their delivery went), sales alerts first; digests are not alerts.

The reads are in analytics.queries.drivers; everything above is computed by pure
functions of the rows read (`rank_movers`, `rank_products`, `product_movers`,
`campaign_windows`, `rank_campaigns`, `campaign_movers`, `keyword_movers`,
`raised_alerts`, `ad_days`, `against`); coverage and the ad days' rules are
analytics.coverage's (`covers`, `daily_spans`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Annotated, Generic, Literal, TypeVar, cast, get_args
from zoneinfo import ZoneInfo

from pydantic import Field, ValidationError
from sqlalchemy.orm import Session

from analytics.common import NoData, Result, Store, Window
from analytics.coverage import DailySpans, covers, daily_spans
from analytics.detectors.alerts import AdDropEvidence, AlertKind, SalesDropEvidence
from analytics.keywords import KeywordGroups, group_keywords
from analytics.queries.ads import AdSums, CampaignRow, PeriodSums
from analytics.queries.drivers import (
    OutboxAlert,
    ad_sums,
    campaign_rows,
    first_order_date,
    has_ads,
    keyword_visits,
    names_of_products,
    outbox_alerts,
    sales_per_product,
    sales_sums,
)
from analytics.queries.products import ProductName, ProductWindows
from analytics.sales import Basis, Change, SalesTotals, delta, sales_totals

__all__ = [
    "DEFAULT_LIMIT",
    "AdDays",
    "Against",
    "CampaignMover",
    "Direction",
    "KeywordMover",
    "Move",
    "Movers",
    "ProductMover",
    "RaisedAlert",
    "Ranking",
    "SalesDrivers",
    "SalesFigures",
    "ad_days",
    "against",
    "campaign_movers",
    "campaign_windows",
    "direction_of",
    "keyword_movers",
    "move",
    "product_movers",
    "raised_alerts",
    "rank_campaigns",
    "rank_movers",
    "rank_products",
    "sales_drivers",
]

DEFAULT_LIMIT = 3

Direction = Literal["down", "up", "flat"]
ALERT_KINDS = frozenset(get_args(AlertKind))

K = TypeVar("K", int, str)
M = TypeVar("M")


class SalesFigures(Result):
    revenue: int
    orders: int
    """Paid orders."""


class Against(Result):
    """The window's sales against one comparison window."""

    basis: Basis
    start: dt.date
    end: dt.date
    cut_at: dt.datetime | None
    """Local time the comparison window stops at when it is cut like today."""
    covered: bool
    """The seller's data goes back to the comparison window's first day; when it
    does not, the change is no evidence of anything."""
    sales: SalesFigures
    revenue: Change
    orders: Change


class Move(Result):
    """One figure before and after, and after − before."""

    before: int
    after: int
    change: int


class ProductMover(Result):
    product_id: int
    name: str
    sku: str
    name_en: str | None = None
    revenue: Move
    units: Move


class CampaignMover(Result):
    campaign_id: int
    name: str
    revenue: Move
    """Conversion revenue the ad platform attributes to the campaign."""
    spend: Move
    conversions: Move


class KeywordMover(Result):
    keyword: str
    """The spelling most visitors used (in the window, else in the comparison window)."""
    visits: Move
    purchases: Move
    """Visits with this keyword whose order is paid."""


class Movers(Result, Generic[M]):
    drivers: list[M] = []
    """Moved the way the revenue did (every mover when it did not move), largest first."""
    offsets: list[M] = []
    """Moved the other way, largest first."""


class AdDays(Result):
    """The whole local days of ad stats compared."""

    start: dt.date
    end: dt.date
    previous_start: dt.date
    previous_end: dt.date


class RaisedAlert(Result):
    """An alert of the outbox for a day of the window."""

    kind: AlertKind
    local_date: dt.date
    evidence: Annotated[SalesDropEvidence | AdDropEvidence, Field(discriminator="family")]


class SalesDrivers(Result):
    kind: Literal["sales_drivers"] = "sales_drivers"
    currency: str
    start: dt.date
    end: dt.date
    days: int
    as_of: dt.datetime
    """The local time the analysis was computed for."""
    so_far: bool
    """The window runs to today and is cut at `as_of`."""
    sales: SalesFigures
    direction: Direction
    """Of the revenue against `previous`."""
    previous: Against
    """The window's comparison window (a day: the day before)."""
    last_week: Against | None
    """One-day windows: the same weekday a week earlier (today: the same time), unless
    `previous` is already that day (this week on a Monday)."""
    first_order: dt.date | None
    """The local date of the seller's first order (how far back the data goes)."""
    alerts: list[RaisedAlert]
    products: Movers[ProductMover]
    campaigns: Movers[CampaignMover]
    keywords: Movers[KeywordMover]
    ad_days: AdDays | None
    """The ad stats' days compared; None when no whole day is (today alone)."""
    has_ads: bool
    """The seller has ad stats at all."""
    limit: int


# ---------------------------------------------------------------- movers
# Pure: rows in, the ranked movers out.


@dataclass(frozen=True, slots=True)
class Ranking(Generic[K]):
    """The keys a dimension shows: drivers and offsets, largest first."""

    drivers: tuple[K, ...] = ()
    offsets: tuple[K, ...] = ()


def move(before: int, after: int) -> Move:
    return Move(before=before, after=after, change=after - before)


def direction_of(change: int | float) -> Direction:
    return "down" if change < 0 else "up" if change > 0 else "flat"


def rank_movers(changes: Mapping[K, Sequence[int]], direction: Direction, limit: int) -> Ranking[K]:
    """Keys whose first change is not 0, split by its sign against `direction`
    (flat: all are drivers), each part by the largest absolute first change, then
    the following changes' absolute values, then the key; at most `limit` each."""
    if limit < 1:
        raise ValueError(f"limit must be at least 1, got {limit}")

    def order(key: K) -> tuple[tuple[int, ...], K]:
        return tuple(-abs(value) for value in changes[key]), key

    moved = sorted((key for key, values in changes.items() if values[0]), key=order)
    if direction == "flat":
        return Ranking(tuple(moved[:limit]))
    sign = -1 if direction == "down" else 1
    drivers = [key for key in moved if sign * changes[key][0] > 0]
    offsets = [key for key in moved if sign * changes[key][0] < 0]
    return Ranking(tuple(drivers[:limit]), tuple(offsets[:limit]))


def rank_products(
    sums: Mapping[int, ProductWindows], direction: Direction, limit: int
) -> Ranking[int]:
    """Products by their revenue change (ties: units)."""
    changes = {
        pid: (w.current.revenue - w.previous.revenue, w.current.units - w.previous.units)
        for pid, w in sums.items()
    }
    return rank_movers(changes, direction, limit)


def product_movers(
    ranking: Ranking[int], sums: Mapping[int, ProductWindows], names: Mapping[int, ProductName]
) -> Movers[ProductMover]:
    """The ranked products with their figures (a product without a name, i.e. not
    the seller's, is left out)."""

    def mover(pid: int) -> ProductMover:
        w = sums[pid]
        return ProductMover(
            product_id=pid,
            name=names[pid].name,
            sku=names[pid].sku,
            name_en=names[pid].name_en,
            revenue=move(w.previous.revenue, w.current.revenue),
            units=move(w.previous.units, w.current.units),
        )

    return Movers[ProductMover](
        drivers=[mover(pid) for pid in ranking.drivers if pid in names],
        offsets=[mover(pid) for pid in ranking.offsets if pid in names],
    )


def campaign_windows(sums: PeriodSums) -> dict[int, tuple[AdSums, AdSums]]:
    """{campaign id: (current sums, previous sums)} for every campaign with stats
    in either range."""
    ids = {cid for cid, _ in sums}
    return {cid: (sums.get((cid, True), AdSums()), sums.get((cid, False), AdSums())) for cid in ids}


def rank_campaigns(
    windows: Mapping[int, tuple[AdSums, AdSums]], direction: Direction, limit: int
) -> Ranking[int]:
    """Campaigns by their conversion revenue change (ties: spend, conversions)."""
    changes = {
        cid: (
            now.revenue - before.revenue,
            now.spend - before.spend,
            now.conversions - before.conversions,
        )
        for cid, (now, before) in windows.items()
    }
    return rank_movers(changes, direction, limit)


def campaign_movers(
    ranking: Ranking[int],
    windows: Mapping[int, tuple[AdSums, AdSums]],
    rows: Iterable[CampaignRow],
) -> Movers[CampaignMover]:
    names = {row.id: row.name for row in rows}

    def mover(cid: int) -> CampaignMover:
        now, before = windows[cid]
        return CampaignMover(
            campaign_id=cid,
            name=names.get(cid, str(cid)),
            revenue=move(before.revenue, now.revenue),
            spend=move(before.spend, now.spend),
            conversions=move(before.conversions, now.conversions),
        )

    return Movers[CampaignMover](
        drivers=[mover(cid) for cid in ranking.drivers],
        offsets=[mover(cid) for cid in ranking.offsets],
    )


def keyword_movers(
    now: KeywordGroups, before: KeywordGroups, direction: Direction, limit: int
) -> Movers[KeywordMover]:
    """Search keywords (merged by compact form) by their visits change (ties:
    purchases)."""
    keys = set(now.sums) | set(before.sums)
    figures = {key: (now.sums.get(key, (0, 0, 0)), before.sums.get(key, (0, 0, 0))) for key in keys}
    changes = {key: (a[0] - b[0], a[1] - b[1]) for key, (a, b) in figures.items()}
    ranking = rank_movers(changes, direction, limit)

    def mover(key: str) -> KeywordMover:
        after, earlier = figures[key]
        spelled = (now if key in now.sums else before).figures(key).keyword
        return KeywordMover(
            keyword=spelled,
            visits=move(earlier[0], after[0]),
            purchases=move(earlier[1], after[1]),
        )

    return Movers[KeywordMover](
        drivers=[mover(key) for key in ranking.drivers],
        offsets=[mover(key) for key in ranking.offsets],
    )


# ---------------------------------------------------------------- sales, alerts, ad days


def against(
    totals: SalesTotals,
    other: SalesTotals,
    window: Window,
    basis: Basis,
    tz: ZoneInfo,
    *,
    cut: bool,
    covered: bool,
) -> Against:
    """The sales `totals` against a comparison window's `other` totals (no relative
    change when the window is not `covered`)."""
    return Against(
        basis=basis,
        start=window.start,
        end=window.end,
        cut_at=window.now.astimezone(tz) if cut else None,
        covered=covered,
        sales=SalesFigures(revenue=other.revenue, orders=other.orders),
        revenue=_change(totals.revenue, other.revenue, covered),
        orders=_change(totals.orders, other.orders, covered),
    )


def _change(current: int, previous: int, covered: bool) -> Change:
    """The change; against a comparison window the data does not cover, no relative one."""
    found = delta(current, previous)
    return found if covered else Change(absolute=found.absolute, relative=None)


def raised_alerts(rows: Iterable[OutboxAlert], start: dt.date, end: dt.date) -> list[RaisedAlert]:
    """The alerts among outbox rows whose evidence names a day in [start, end]:
    sales alerts first, each kind by day; rows of another kind (digests) or with evidence
    that does not fit their kind are left out."""
    found = []
    for row in rows:
        if row.kind not in ALERT_KINDS:
            continue
        try:
            day = dt.date.fromisoformat(str(row.evidence.get("local_date")))
            alert = RaisedAlert.model_validate(
                {"kind": row.kind, "local_date": day, "evidence": row.evidence}
            )
        except (ValueError, ValidationError):
            continue
        if start <= day <= end:
            found.append(alert)
    return sorted(found, key=lambda a: (a.evidence.family != "sales", a.local_date, a.kind))


def ad_days(spans: DailySpans) -> AdDays | None:
    """The ad days compared: the window's complete days and the comparison window's
    matching ones (analytics.coverage.daily_spans leaves a running day out on both
    sides); None when either side has none."""
    if spans.current is None or spans.previous is None:
        return None
    (start, end), (previous_start, previous_end) = spans.current, spans.previous
    return AdDays(start=start, end=end, previous_start=previous_start, previous_end=previous_end)


# ---------------------------------------------------------------- the analysis


def sales_drivers(
    session: Session, store: Store, window: Window, limit: int = DEFAULT_LIMIT
) -> SalesDrivers | NoData:
    """The window's sales against its comparison window (one day: also the same
    weekday last week), the alerts raised for its days, and the products,
    campaigns and search keywords that moved most.

    NoData reasons: future_period (the window starts after today), no_orders (the
    seller has never had an order).
    """
    if limit < 1:
        raise ValueError(f"limit must be at least 1, got {limit}")
    tz = store.timezone
    now = window.now.astimezone(tz)
    today = now.date()
    if window.start > today:
        return NoData(reason="future_period", detail={"start": window.start.isoformat()})
    first_day = first_order_date(session, store)
    if first_day is None:
        return NoData(reason="no_orders")
    window = replace(window, end=min(window.end, today), now=now)
    so_far = window.end >= today
    one_day = window.days == 1

    # The comparison windows: the window's own (the calendar's) and, for one day,
    # the same weekday a week earlier (cut at the same time when so far).
    previous = window.previous()
    by_calendar = window.basis in ("previous_day", "previous_period")  # not one the question named
    basis = cast(
        Basis, "same_time_yesterday" if one_day and so_far and by_calendar else window.basis
    )
    totals = sales_totals(sales_sums(session, store, window))

    def compare(other: Window, basis: Basis) -> Against:
        other_totals = sales_totals(sales_sums(session, store, other))
        return against(
            totals,
            other_totals,
            other,
            basis,
            tz,
            cut=so_far,
            covered=covers(first_day, other.start),
        )

    versus = compare(previous, basis)
    last_week = None
    week = dt.timedelta(days=7)
    if one_day and previous.start != window.start - week:  # not already the week before
        last_week = compare(
            Window(window.start - week, window.end - week, now - week),
            "same_time_last_week" if so_far else "same_weekday_last_week",
        )
    direction = direction_of(versus.revenue.absolute)

    products = Movers[ProductMover]()
    campaigns = Movers[CampaignMover]()
    keywords = Movers[KeywordMover]()
    days = ad_days(daily_spans(window, tz))
    if versus.covered:
        sums = sales_per_product(session, store, window, previous)
        ranked = rank_products(sums, direction, limit)
        names = names_of_products(session, store, {*ranked.drivers, *ranked.offsets})
        products = product_movers(ranked, sums, names)
        if days is not None:
            windows = campaign_windows(
                ad_sums(
                    session,
                    store,
                    (days.start, days.end),
                    (days.previous_start, days.previous_end),
                )
            )
            chosen = rank_campaigns(windows, direction, limit)
            rows = campaign_rows(session, {*chosen.drivers, *chosen.offsets})
            campaigns = campaign_movers(chosen, windows, rows)
        keywords = keyword_movers(
            group_keywords(keyword_visits(session, store, window)),
            group_keywords(keyword_visits(session, store, previous)),
            direction,
            limit,
        )

    return SalesDrivers(
        currency=store.currency,
        start=window.start,
        end=window.end,
        days=window.days,
        as_of=now,
        so_far=so_far,
        sales=SalesFigures(revenue=totals.revenue, orders=totals.orders),
        direction=direction,
        previous=versus,
        last_week=last_week,
        first_order=first_day,
        alerts=raised_alerts(
            outbox_alerts(session, store, window.start, window.end), window.start, window.end
        ),
        products=products,
        campaigns=campaigns,
        keywords=keywords,
        ad_days=days,
        has_ads=has_ads(session, store),
        limit=limit,
    )
