"""Database-facing detection: scans of many sellers, one seller, or a window.

Set-based: one GROUP BY query returns every scanned seller's paid orders per
UTC hour over the lookback (8 weeks + today), one query returns the ad stats;
sellers are grouped by timezone and detection runs vectorised over each group.
The `*_per_seller` variants run the same code one seller at a time (one query
each); they exist to measure what the set-based scan saves (bench/alert_scan.py).

A scan at `now` runs, per seller, the intraday check of today's complete local
hours [0, h), the whole-day check of yesterday and the ad checks of yesterday.
`now` is always a parameter: nothing here reads the clock.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from zoneinfo import ZoneInfo

import numpy as np
from sqlalchemy.orm import Session

from analytics.common import NoData, Store, Window
from analytics.detectors.ads import AdDetectorConfig, ad_alerts, ad_series
from analytics.detectors.alerts import AdDropEvidence, Alert, AlertsReport
from analytics.detectors.queries import campaign_names, daily_ad_stats, hourly_orders, seller_zones
from analytics.detectors.sales import SalesDetectorConfig, replay_alerts, scan_alerts
from analytics.detectors.series import local_series

SALES = SalesDetectorConfig()
ADS = AdDetectorConfig()


def _utc(now: dt.datetime) -> dt.datetime:
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    return now.astimezone(dt.UTC)


def _by_zone(zones: dict[int, str]) -> dict[str, list[int]]:
    groups: dict[str, list[int]] = defaultdict(list)
    for seller_id, zone in zones.items():
        groups[zone].append(seller_id)
    return groups


def _local_today(now: dt.datetime, zone: str) -> dt.datetime:
    return now.astimezone(ZoneInfo(zone))


def _midnight_utc(date: dt.date, zone: str) -> dt.datetime:
    return dt.datetime.combine(date, dt.time(), tzinfo=ZoneInfo(zone)).astimezone(dt.UTC)


def _sales_scan(
    session: Session,
    *,
    now: dt.datetime,
    zones: dict[int, str],
    restrict: bool,
    config: SalesDetectorConfig,
) -> list[Alert]:
    if not zones:
        return []
    days = config.lookback_days + 2  # the baseline weeks of yesterday, yesterday, today
    plan = {}
    for zone in _by_zone(zones):
        local = _local_today(now, zone)
        plan[zone] = (local.date() - dt.timedelta(days=days - 1), local.hour)
    start = min(_midnight_utc(first, zone) for zone, (first, _) in plan.items())
    rows = hourly_orders(
        session, start=start, stop=now, seller_ids=list(zones) if restrict else None
    )
    alerts: list[Alert] = []
    for zone, ids in _by_zone(zones).items():
        first, hour = plan[zone]
        series = local_series(zone, ids, rows, first_date=first, days=days)
        alerts += scan_alerts(series, today=days - 1, hour=hour, detected_at=now, config=config)
    return alerts


def _ads_scan(
    session: Session,
    *,
    now: dt.datetime,
    zones: dict[int, str],
    restrict: bool,
    config: AdDetectorConfig,
) -> list[Alert]:
    if not zones:
        return []
    yesterdays = {
        zone: _local_today(now, zone).date() - dt.timedelta(days=1) for zone in _by_zone(zones)
    }
    span = config.baseline_days + 1
    start = min(yesterdays.values()) - dt.timedelta(days=config.baseline_days)
    rows, dates = daily_ad_stats(
        session,
        start=start,
        end=max(yesterdays.values()),
        seller_ids=list(zones) if restrict else None,
    )
    alerts: list[Alert] = []
    for zone, ids in _by_zone(zones).items():
        mine = np.isin(rows[:, 1], ids)
        if not mine.any():
            continue
        first = yesterdays[zone] - dt.timedelta(days=config.baseline_days)
        series = ad_series(
            rows[mine],
            [d for d, m in zip(dates, mine, strict=True) if m],
            first_date=first,
            days=span,
        )
        found = ad_alerts(series, days=np.array([span - 1]), config=config, detected_at=now)
        alerts += _named(session, found)
    return alerts


def _named(session: Session, alerts: list[Alert]) -> list[Alert]:
    """Fill in campaign names of ad alerts (one small query for the few that fired)."""
    ids = [a.evidence.campaign_id for a in alerts if isinstance(a.evidence, AdDropEvidence)]
    names = campaign_names(session, ids)
    named = []
    for alert in alerts:
        if isinstance(alert.evidence, AdDropEvidence):
            evidence = alert.evidence.model_copy(
                update={"campaign_name": names.get(alert.evidence.campaign_id)}
            )
            alert = alert.model_copy(update={"evidence": evidence})
        named.append(alert)
    return named


def _ordered(alerts: Iterable[Alert]) -> list[Alert]:
    return sorted(alerts, key=lambda a: (a.seller_id, a.local_date, a.kind, a.dedupe_key))


def scan_sales(
    session: Session,
    *,
    now: dt.datetime,
    seller_ids: Sequence[int] | None = None,
    config: SalesDetectorConfig = SALES,
    zones: Mapping[int, str] | None = None,
) -> list[Alert]:
    """Sales-drop alerts of every seller as of `now`, set-based (one query).

    `seller_ids`: those sellers; None: every active seller with alerts on. `zones`:
    their timezone names when the caller read them already (no query for them)."""
    now = _utc(now)
    if zones is None:
        zones = seller_zones(session, seller_ids)
    return _ordered(
        _sales_scan(
            session, now=now, zones=dict(zones), restrict=seller_ids is not None, config=config
        )
    )


def scan_ads(
    session: Session,
    *,
    now: dt.datetime,
    seller_ids: Sequence[int] | None = None,
    config: AdDetectorConfig = ADS,
    zones: Mapping[int, str] | None = None,
) -> list[Alert]:
    """Ad-efficiency alerts for yesterday of every seller's campaigns, set-based
    (`seller_ids` and `zones` as in `scan_sales`)."""
    now = _utc(now)
    if zones is None:
        zones = seller_zones(session, seller_ids)
    return _ordered(
        _ads_scan(
            session, now=now, zones=dict(zones), restrict=seller_ids is not None, config=config
        )
    )


def scan(
    session: Session, *, now: dt.datetime, seller_ids: Sequence[int] | None = None
) -> list[Alert]:
    """Both scans: what the scheduler runs each hour."""
    return _ordered(
        scan_sales(session, now=now, seller_ids=seller_ids)
        + scan_ads(session, now=now, seller_ids=seller_ids)
    )


def scan_sales_per_seller(
    session: Session,
    *,
    now: dt.datetime,
    seller_ids: Sequence[int] | None = None,
    config: SalesDetectorConfig = SALES,
) -> list[Alert]:
    """The same as `scan_sales`, one query and one detection per seller."""
    return _per_seller(
        session,
        now,
        seller_ids,
        lambda zones, at: _sales_scan(session, now=at, zones=zones, restrict=True, config=config),
    )


def scan_ads_per_seller(
    session: Session,
    *,
    now: dt.datetime,
    seller_ids: Sequence[int] | None = None,
    config: AdDetectorConfig = ADS,
) -> list[Alert]:
    """The same as `scan_ads`, one query and one detection per seller."""
    return _per_seller(
        session,
        now,
        seller_ids,
        lambda zones, at: _ads_scan(session, now=at, zones=zones, restrict=True, config=config),
    )


def _per_seller(
    session: Session,
    now: dt.datetime,
    seller_ids: Sequence[int] | None,
    scan_one: Callable[[dict[int, str], dt.datetime], list[Alert]],
) -> list[Alert]:
    """Run `scan_one` for each seller on its own (the bench's comparison with a set scan)."""
    at = _utc(now)
    alerts: list[Alert] = []
    for seller_id, zone in seller_zones(session, seller_ids).items():
        alerts += scan_one({seller_id: zone}, at)
    return _ordered(alerts)


def detect_for_seller(session: Session, store: Store, now: dt.datetime) -> list[Alert]:
    """The alerts a scan at `now` finds for one store ("any alerts right now?")."""
    now = _utc(now)
    zones = {store.id: store.timezone.key}
    alerts = _sales_scan(session, now=now, zones=zones, restrict=True, config=SALES)
    alerts += _ads_scan(session, now=now, zones=zones, restrict=True, config=ADS)
    return _ordered(alerts)


def alerts_report(session: Session, store: Store, window: Window) -> AlertsReport | NoData:
    """The alerts for the local dates of `window` (cut at its `now`), recomputed:
    per day the first sales check that fires (an intraday check at the hour it
    would have run, or the whole-day check after midnight) and the ad checks of
    each complete day. Two queries over the window plus its 8-week baseline."""
    zone = store.timezone.key
    local_now = window.now.astimezone(store.timezone)
    today = local_now.date()
    if window.start > today:
        return NoData(reason="future_period", detail={"start": window.start.isoformat()})
    end = min(window.end, today)
    first = window.start - dt.timedelta(days=SALES.lookback_days)
    days = (today - first).days + 1
    rows = hourly_orders(
        session, start=_midnight_utc(first, zone), stop=window.now, seller_ids=[store.id]
    )
    series = local_series(zone, [store.id], rows, first_date=first, days=days)
    targets = np.arange(series.index_of(window.start), series.index_of(end) + 1)
    last_hour = np.where(targets == days - 1, local_now.hour, 24)
    alerts = replay_alerts(series, days=targets, last_hour=last_hour, config=SALES)

    ad_end = min(end, today - dt.timedelta(days=1))
    ad_start = window.start - dt.timedelta(days=ADS.baseline_days)
    ad_rows, dates = daily_ad_stats(session, start=ad_start, end=today, seller_ids=[store.id])
    if not len(rows) and not len(ad_rows):
        return NoData(reason="no_orders")
    if ad_end >= window.start and len(ad_rows):
        span = (ad_end - ad_start).days + 1
        ads = ad_series(ad_rows, dates, first_date=ad_start, days=span)
        ad_days = np.arange((window.start - ad_start).days, span)
        found = ad_alerts(ads, days=ad_days, config=ADS, zone=store.timezone)
        alerts += _named(session, found)
    ordered = sorted(alerts, key=lambda a: (a.local_date, a.detected_at, a.kind))
    return AlertsReport(seller_id=store.id, start=window.start, end=end, alerts=tuple(ordered))
