"""The SQL the detectors read: set-based aggregates over all sellers at once.

- paid orders per seller and UTC hour (one GROUP BY over the covering index
  ix_orders_seller_time); local hours are derived in numpy (`series`);
- ad_stats_daily rows per campaign over a date range (already daily);
- the sellers to scan and their timezones.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import numpy as np
from sqlalchemy import BigInteger, and_, false, func, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.functions import FunctionElement

from analytics.detectors.series import IntArray, as_rows
from storage.arrays import int_rows
from storage.models import AdCampaign, AdStatDaily, Order, Seller


class hour_bucket(FunctionElement[Any]):  # noqa: N801 - SQL function style
    """The GROUP BY key of a UTC timestamp's hour: cheap to compute per row.

    SQLite: the text 'YYYY-MM-DD HH' (timestamps are stored as UTC text);
    PostgreSQL: whole hours since the epoch."""

    name = "hour_bucket"
    inherit_cache = True


class bucket_epoch_hour(FunctionElement[int]):  # noqa: N801 - SQL function style
    """Whole hours since 1970-01-01 UTC of an `hour_bucket`'s timestamp (computed
    once per group on SQLite, where the bucket is text)."""

    type = BigInteger()
    name = "bucket_epoch_hour"
    inherit_cache = True


def _column(element: FunctionElement[Any], compiler: Any, **kw: Any) -> str:
    (column,) = list(element.clauses)
    return str(compiler.process(column, **kw))


@compiles(hour_bucket, "sqlite")
def _bucket_sqlite(element: hour_bucket, compiler: Any, **kw: Any) -> str:
    return f"substr({_column(element, compiler, **kw)}, 1, 13)"


@compiles(bucket_epoch_hour, "sqlite")
def _epoch_sqlite(element: bucket_epoch_hour, compiler: Any, **kw: Any) -> str:
    hour = f"substr({_column(element, compiler, **kw)}, 1, 13) || ':00'"
    return f"CAST(ROUND((julianday({hour}) - 2440587.5) * 24) AS INTEGER)"


@compiles(hour_bucket, "postgresql")
@compiles(bucket_epoch_hour, "postgresql")
def _epoch_postgresql(element: FunctionElement[Any], compiler: Any, **kw: Any) -> str:
    column = _column(element, compiler, **kw)
    return f"CAST(FLOOR(EXTRACT(EPOCH FROM {column}) / 3600) AS BIGINT)"


def hourly_orders(
    session: Session,
    *,
    start: dt.datetime,
    stop: dt.datetime,
    seller_ids: Sequence[int] | None = None,
) -> IntArray:
    """(seller_id, UTC epoch hour, paid orders, revenue) for ordered_at in [start, stop),
    as an (n, 4) int64 array; all sellers when `seller_ids` is None."""
    query = (
        select(
            Order.seller_id,
            bucket_epoch_hour(Order.ordered_at),
            func.count(),
            func.cast(func.coalesce(func.sum(Order.revenue), 0), BigInteger),
        )
        .where(Order.status == "paid", Order.ordered_at >= start, Order.ordered_at < stop)
        .group_by(Order.seller_id, hour_bucket(Order.ordered_at))
    )
    if seller_ids is not None:
        query = query.where(_in(Order.seller_id, seller_ids))
    return int_rows(session, query, 4)  # millions of rows: off the cursor, no Row objects


def daily_ad_stats(
    session: Session,
    *,
    start: dt.date,
    end: dt.date,
    seller_ids: Sequence[int] | None = None,
) -> tuple[IntArray, list[dt.date]]:
    """ad_stats_daily rows with start <= date <= end: an (n, 7) int64 array of
    (campaign_id, seller_id, impressions, clicks, spend, conversions, revenue)
    and the rows' dates."""
    query = select(
        AdStatDaily.campaign_id,
        AdStatDaily.seller_id,
        AdStatDaily.impressions,
        AdStatDaily.clicks,
        AdStatDaily.spend,
        AdStatDaily.conversions,
        AdStatDaily.conversion_revenue,
        AdStatDaily.date,
    ).where(AdStatDaily.date >= start, AdStatDaily.date <= end)
    if seller_ids is not None:
        query = query.where(_in(AdStatDaily.seller_id, seller_ids))
    rows = session.execute(query).all()
    dates = [row[7] for row in rows]
    return as_rows((row[:7] for row in rows), 7), dates


def campaign_names(session: Session, campaign_ids: Sequence[int]) -> dict[int, str]:
    if not campaign_ids:
        return {}
    query = select(AdCampaign.id, AdCampaign.name).where(_in(AdCampaign.id, campaign_ids))
    return {int(cid): str(name) for cid, name in session.execute(query)}


def seller_zones(session: Session, seller_ids: Sequence[int] | None = None) -> dict[int, str]:
    """Seller id → timezone name: the given sellers, or every active seller with
    alerts switched on when `seller_ids` is None."""
    query = select(Seller.id, Seller.timezone)
    if seller_ids is None:
        query = query.where(and_(Seller.active.is_(True), Seller.alerts_enabled.is_(True)))
    else:
        query = query.where(_in(Seller.id, seller_ids))
    return {int(sid): str(zone) for sid, zone in session.execute(query)}


def _in(column: Any, ids: Sequence[int]) -> Any:
    unique = [int(i) for i in np.unique(np.asarray(list(ids), dtype=np.int64))]
    if not unique:
        return false()
    return column == unique[0] if len(unique) == 1 else column.in_(unique)
