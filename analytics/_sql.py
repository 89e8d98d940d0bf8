"""Small SQL helpers shared by the analyses: time buckets that work the same on
SQLite and PostgreSQL, and their mapping to the seller's local hours and days.

Timestamps are stored in UTC (SQLite: "YYYY-MM-DD HH:MM:SS.ffffff" text;
PostgreSQL: timestamptz). Neither database is asked to convert to the seller's
timezone (SQLite cannot): rows are grouped by a UTC time bucket in SQL and the
buckets are placed in local hours and days in Python. The bucket is an hour
when every offset the zone uses in the window is a whole number of hours
(Asia/Seoul, Europe/Berlin with DST), else a quarter hour (Asia/Kolkata +5:30,
Asia/Kathmandu +5:45), so a bucket never straddles a local hour.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import BigInteger, ColumnElement, Integer, String, cast, extract, func
from sqlalchemy.orm import InstrumentedAttribute, Session

HOUR = 3600
QUARTER_HOUR = 900


def dialect_name(session: Session) -> str:
    return session.get_bind().dialect.name


def time_bucket(
    session: Session, column: InstrumentedAttribute[dt.datetime], step: int
) -> ColumnElement[Any]:
    """A SQL expression naming the UTC hour (step HOUR) or quarter hour (QUARTER_HOUR)
    of a UTC timestamp column; `bucket_start` turns its value into the instant.

    SQLite: the stored text cut to "YYYY-MM-DD HH" (or "YYYY-MM-DD HH:MM" with the
    minutes floored to 00/15/30/45): cutting text is twice as fast as strftime.
    PostgreSQL: the UTC hour from date_trunc, or floor(epoch / 900) for quarter hours."""
    if step not in (HOUR, QUARTER_HOUR):
        raise ValueError(f"unsupported bucket step {step}")
    if dialect_name(session) == "sqlite":
        if step == HOUR:
            return func.substr(column, 1, 13).label("bucket")
        quarter = cast(func.substr(column, 15, 2), Integer) // 15 * 2 + 1
        minutes = func.substr("00153045", quarter, 2, type_=String)
        return func.substr(column, 1, 14, type_=String).concat(minutes).label("bucket")
    if step == HOUR:
        return func.date_trunc("hour", func.timezone("UTC", column)).label("bucket")
    seconds = cast(func.floor(extract("epoch", column)), BigInteger)
    return (seconds // step).label("bucket")


def bucket_step(tz: ZoneInfo, start: dt.datetime, stop: dt.datetime) -> int:
    """HOUR when every UTC offset of `tz` between start and stop is whole hours, else
    QUARTER_HOUR. Offsets change a few times a year at most, so checking each day
    (plus both ends) sees every offset in use."""
    instant = start
    while True:
        offset = instant.astimezone(tz).utcoffset()
        if offset is not None and offset.total_seconds() % HOUR:
            return QUARTER_HOUR
        if instant >= stop:
            return HOUR
        instant = min(instant + dt.timedelta(days=1), stop)


def bucket_start(bucket: str | int | dt.datetime, step: int) -> dt.datetime:
    """The UTC instant a `time_bucket` value starts at."""
    if isinstance(bucket, dt.datetime):
        return bucket.replace(tzinfo=dt.UTC)
    if isinstance(bucket, str):
        text = bucket if len(bucket) > 13 else bucket + ":00"
        return dt.datetime.fromisoformat(text).replace(tzinfo=dt.UTC)
    return dt.datetime.fromtimestamp(int(bucket) * step, dt.UTC)


def local_hour_start(instant: dt.datetime, tz: ZoneInfo) -> dt.datetime:
    """The start of the local hour containing `instant`, as an aware local datetime."""
    return instant.astimezone(tz).replace(minute=0, second=0, microsecond=0)


def local_hours(start: dt.datetime, stop: dt.datetime, tz: ZoneInfo) -> Iterator[dt.datetime]:
    """Local hour starts of the hours overlapping [start, stop) (UTC instants), in order.

    A day with a DST change has 23 or 25 of them."""
    instant = start
    while instant < stop:
        yield local_hour_start(instant, tz)
        instant += dt.timedelta(hours=1)


def local_dates(first: dt.date, last: dt.date) -> Iterator[dt.date]:
    day = first
    while day <= last:
        yield day
        day += dt.timedelta(days=1)


def bucket_key(
    bucket: str | int | dt.datetime, step: int, tz: ZoneInfo, granularity: str
) -> dt.datetime:
    """The UTC instant of the local hour ("hour") or local day ("day") start that a
    `time_bucket` value falls in: the key `series_starts` buckets are matched by."""
    local = local_hour_start(bucket_start(bucket, step), tz)
    if granularity == "day":
        local = dt.datetime.combine(local.date(), dt.time(), tzinfo=tz)
    return local.astimezone(dt.UTC)


def series_starts(
    first: dt.date,
    last: dt.date,
    start: dt.datetime,
    stop: dt.datetime,
    tz: ZoneInfo,
    granularity: str,
) -> list[dt.datetime]:
    """Local starts of a zero-filled series: the hours overlapping the UTC bounds
    [start, stop), or the local dates first..last."""
    if granularity == "hour":
        return list(local_hours(start, stop, tz))
    return [dt.datetime.combine(day, dt.time(), tzinfo=tz) for day in local_dates(first, last)]
