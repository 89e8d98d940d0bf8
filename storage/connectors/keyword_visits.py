"""Keyword ad clicks -> search-keyword visits (the visit-intent report's input).

Naver's Commerce API gives keyword inflow only to brand stores on paid plans, so
for most Smart Store sellers the Search Ad keywords are the only record of what
visitors searched for. A page's `keyword_days` (storage.connectors.KeywordDay: one
keyword text, one local day, its clicks) become, per keyword and day, exactly that
many `visits` rows:

    started_at        the local day's start (00:00 in the seller's timezone, as UTC)
    search_keyword    the ad keyword as registered
    landing_product_id, order_id   NULL (the ad platform links a click to neither)

A restated day replaces its count: visits are added or removed (rows of that exact
shape only, so visits from other sources are never touched) and the day's rollups
(`keyword_visits_daily`, storage.rollups) are recomputed from the raw rows, keeping
the rollups-equal-raw-rows invariant. Ad clicks count as keyword visits and never as
converted ones (an ad conversion has no order id to link); ad conversions stay in
the ad figures (`ad_stats_daily`).

Written by the Search Ad connector's author (storage.connectors.searchad), moved
here so the sync engine writes `Page.keyword_days` itself.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from zoneinfo import ZoneInfo

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from storage.connectors._source import KeywordDay
from storage.models import Visit
from storage.rollups import day_bounds, refresh_rollups, rollup_timezone

KEYWORD_LENGTH = 200


def write_keyword_days(
    session: Session,
    seller_id: int,
    days: Iterable[KeywordDay],
    *,
    dates: Iterable[dt.date] = (),
) -> int:
    """Make the ad-click visits of each (day, keyword) match `days` (see the module
    docstring); a keyword stored on one of `dates` but absent from `days` drops to 0.
    Returns the number of keyword-days whose count changed. The caller owns the
    transaction."""
    wanted: dict[tuple[dt.date, str], int] = {}
    for day in days:
        key = (day.date, day.keyword.strip()[:KEYWORD_LENGTH])
        if key[1]:
            wanted[key] = wanted.get(key, 0) + max(day.clicks, 0)
    covered = sorted({*dates, *(date for date, _ in wanted)})
    if not covered:
        return 0
    zone = rollup_timezone(session, seller_id)
    if zone is None:
        raise ValueError(f"no seller with id {seller_id}")
    tz = ZoneInfo(zone)
    starts = {date: day_bounds(date, tz)[0] for date in covered}
    by_start = {start: date for date, start in starts.items()}
    stored: dict[tuple[dt.date, str], list[int]] = {}
    rows = session.execute(
        select(Visit.id, Visit.started_at, Visit.search_keyword).where(
            Visit.seller_id == seller_id,
            Visit.started_at.in_(list(starts.values())),
            Visit.search_keyword.is_not(None),
            Visit.landing_product_id.is_(None),
            Visit.order_id.is_(None),
        )
    )
    for visit_id, started_at, keyword in rows:
        date = by_start.get(started_at)
        if date is not None:
            stored.setdefault((date, keyword or ""), []).append(visit_id)
    changed_days: set[dt.date] = set()
    changed = 0
    surplus: list[int] = []
    additions: list[dict[str, object]] = []
    for key in sorted({*wanted, *stored}):
        have, want = stored.get(key, []), wanted.get(key, 0)
        if len(have) == want:
            continue
        changed += 1
        changed_days.add(key[0])
        if len(have) > want:
            surplus += sorted(have)[want:]
        else:
            row = {"seller_id": seller_id, "started_at": starts[key[0]], "search_keyword": key[1]}
            additions += [row] * (want - len(have))
    for chunk in range(0, len(surplus), 500):
        session.execute(delete(Visit).where(Visit.id.in_(surplus[chunk : chunk + 500])))
    if additions:
        session.execute(insert(Visit), additions)
    if changed_days:
        refresh_rollups(session, seller_id, sorted(changed_days))
    return changed
