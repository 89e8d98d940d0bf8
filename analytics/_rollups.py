"""Where an analysis reads its rows from: the daily rollups (storage.rollups) for
the complete local days of a range, the raw tables for its partial edges (today
so far, a comparison window cut at the same time of day, a rolling 14 × 24 hours).

The rollups are kept in the seller's stored timezone; a Store in another zone
(a caller asking in a different timezone) reads everything raw, which gives the
same figures, only slower.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from analytics.common import Store
from storage.rollups import Span, day_bounds, rollup_timezone, split_span

__all__ = ["Span", "day_start", "rollups_usable", "span"]


def rollups_usable(session: Session, store: Store) -> bool:
    """True when the seller's rollups are kept in the store's timezone."""
    return rollup_timezone(session, store.id) == store.timezone.key


def span(
    session: Session,
    store: Store,
    start: dt.datetime,
    stop: dt.datetime,
    *,
    usable: bool | None = None,
) -> Span:
    """[start, stop) split into rollup days and raw edges; `usable` None looks it up."""
    if usable is None:
        usable = rollups_usable(session, store)
    return split_span(store.timezone, start, stop, days=usable)


def day_start(day: dt.date, store: Store) -> dt.datetime:
    """The UTC instant a local date starts at (the key daily series are matched by)."""
    return day_bounds(day, store.timezone)[0]
