"""Dense local-time series built from aggregated rows.

The database groups paid orders by seller and UTC hour; sellers keep their own
timezone, so the local hour of each bucket is found here, with one offset
lookup per UTC hour per timezone (daylight saving included). A zone whose
offset is not a whole number of hours (Asia/Kolkata, +05:30) gets each UTC hour
bucket assigned to the local hour in which it starts: its local hours are
approximate by the odd 30 or 45 minutes.

Ad statistics are already daily in the seller's local dates.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
from numpy.typing import NDArray

IntArray = NDArray[np.int64]
_EPOCH = dt.date(1970, 1, 1)


@dataclass(frozen=True, slots=True)
class LocalSeries:
    """Hourly paid orders and revenue of sellers sharing one timezone.

    `counts[s, d, h]` is the number of paid orders of seller `seller_ids[s]` in
    local hour h of the local date `first_date + d days`; `revenue` the same in
    minor units. Days before `valid_from[s]` are unknown (before the seller's
    first order in the fetched range), not zero.
    """

    zone: str
    seller_ids: IntArray
    first_date: dt.date
    counts: IntArray
    revenue: IntArray
    valid_from: IntArray

    @property
    def days(self) -> int:
        return int(self.counts.shape[1])

    def date_of(self, day: int) -> dt.date:
        return self.first_date + dt.timedelta(days=int(day))

    def index_of(self, date: dt.date) -> int:
        return (date - self.first_date).days


def utc_hour_offsets(zone: str, first_hour: int, last_hour: int) -> IntArray:
    """UTC offset in seconds for each UTC epoch hour in [first_hour, last_hour]."""
    tz = ZoneInfo(zone)
    hours = range(first_hour, last_hour + 1)
    offsets = [
        int(
            dt.datetime.fromtimestamp(h * 3600, tz=dt.UTC)
            .astimezone(tz)
            .utcoffset()
            .total_seconds()  # type: ignore[union-attr]
        )
        for h in hours
    ]
    return np.asarray(offsets, dtype=np.int64)


def local_series(
    zone: str,
    seller_ids: IntArray | list[int],
    rows: IntArray,
    *,
    first_date: dt.date,
    days: int,
) -> LocalSeries:
    """Build the dense series of `seller_ids` from `rows` = (seller_id, UTC epoch
    hour, orders, revenue) as an (n, 4) int64 array. Rows of other sellers and
    outside the `days` local dates from `first_date` are ignored."""
    ids = np.unique(np.asarray(seller_ids, dtype=np.int64))
    n_sellers = len(ids)
    counts = np.zeros(n_sellers * days * 24, dtype=np.int64)
    revenue = np.zeros(n_sellers * days * 24, dtype=np.int64)
    if len(rows) and n_sellers:
        position = np.searchsorted(ids, rows[:, 0])
        position = np.minimum(position, n_sellers - 1)
        mine = ids[position] == rows[:, 0]
        rows = rows[mine]
        position = position[mine]
    if len(rows) and n_sellers:
        utc_hour = rows[:, 1]
        first_hour, last_hour = int(utc_hour.min()), int(utc_hour.max())
        offsets = utc_hour_offsets(zone, first_hour, last_hour)
        local_hour = (utc_hour * 3600 + offsets[utc_hour - first_hour]) // 3600
        day = local_hour // 24 - (first_date - _EPOCH).days
        inside = (day >= 0) & (day < days)
        flat = (position[inside] * days + day[inside]) * 24 + local_hour[inside] % 24
        # two UTC hours can share a local hour when clocks go back: add them
        counts += np.bincount(flat, weights=rows[inside, 2], minlength=counts.size).astype(np.int64)
        revenue += np.bincount(flat, weights=rows[inside, 3], minlength=revenue.size).astype(
            np.int64
        )
    shaped = counts.reshape(n_sellers, days, 24)
    active = shaped.sum(axis=2) > 0
    valid_from = np.where(active.any(axis=1), active.argmax(axis=1), days).astype(np.int64)
    return LocalSeries(
        zone=zone,
        seller_ids=ids,
        first_date=first_date,
        counts=shaped,
        revenue=revenue.reshape(n_sellers, days, 24),
        valid_from=valid_from,
    )


def as_rows(values: Any, width: int) -> IntArray:
    """Fetched tuples → an (n, width) int64 array, without a Python loop per cell."""
    from itertools import chain

    data = list(values)
    flat = np.fromiter(chain.from_iterable(data), dtype=np.int64, count=len(data) * width)
    return flat.reshape(len(data), width)
