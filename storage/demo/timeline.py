"""The store's clock: local hours of the history, the demand in each, and arrivals.

All instants are int64 epoch seconds (UTC). The history is every local hour of
the local dates [first_date, until's date]; the hour holding `until` is open
only up to it, and later hours are closed, so nothing is generated after `until`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import numpy as np

from storage.demo.profile import HOUR, expected_orders
from storage.demo.spec import SalesDrop, StoreSpec

Array = np.ndarray[Any, Any]


@dataclass(frozen=True, slots=True)
class Hours:
    """One entry per local hour of the history."""

    starts: Array  # epoch seconds of the hour's start
    day: Array  # 0-based day of the history
    weekday: Array  # Python weekday, Monday = 0
    hour: Array  # local hour 0..23
    open_fraction: Array  # share of the hour before `until` (1 in the past, 0 after)
    until: int  # epoch seconds of `until`
    days: int

    @property
    def start(self) -> int:
        return int(self.starts[0])


def local_hours(spec: StoreSpec) -> Hours:
    zone = spec.zone
    starts, days, weekdays, hours = [], [], [], []
    for index in range(spec.days):
        date = spec.first_date + dt.timedelta(days=index)
        for hour in range(24):
            local = dt.datetime.combine(date, dt.time(hour), tzinfo=zone)
            starts.append(int(local.timestamp()))
            days.append(index)
            weekdays.append(date.weekday())
            hours.append(hour)
    start_array = np.array(starts, dtype=np.int64)
    until = int(spec.until.timestamp())
    open_fraction = np.clip((until - start_array) / 3600.0, 0.0, 1.0)
    return Hours(
        starts=start_array,
        day=np.array(days, dtype=np.int64),
        weekday=np.array(weekdays, dtype=np.int64),
        hour=np.array(hours, dtype=np.int64),
        open_fraction=open_fraction,
        until=until,
        days=spec.days,
    )


def day_factors(spec: StoreSpec, rng: np.random.Generator) -> Array:
    """Demand multiplier of each day: slow growth times lognormal day-to-day noise (mean 1)."""
    position = np.arange(spec.days) / max(spec.days - 1, 1) - 0.5
    trend = np.exp(spec.growth * position)
    sigma = spec.day_noise
    noise = np.exp(rng.normal(-sigma * sigma / 2, sigma, size=spec.days)) if sigma > 0 else 1.0
    return np.asarray(trend * noise, dtype=np.float64)


def drop_per_hour(spec: StoreSpec, hours: Hours) -> Array:
    """The injected sales-drop fraction of each hour (0 when none is active)."""
    drop = np.zeros(len(hours.starts))
    for incident in spec.incidents:
        if isinstance(incident, SalesDrop):
            active = (hours.starts >= int(incident.starts_at.timestamp())) & (
                hours.starts < int(incident.ends_at.timestamp())
            )
            drop[active] = np.maximum(drop[active], incident.fraction)
    return drop


def expected_per_hour(spec: StoreSpec, hours: Hours, factors: Array, drop: Array) -> Array:
    """Expected orders in each hour (profile.expected_orders), cut at `until`."""
    weekday_hour = np.array(
        [[expected_orders(1.0, weekday, hour) for hour in range(24)] for weekday in range(7)]
    )
    base = spec.orders_per_day * factors[hours.day] * weekday_hour[hours.weekday, hours.hour]
    return np.asarray(base * (1.0 - drop) * hours.open_fraction, dtype=np.float64)


def arrivals(rng: np.random.Generator, hours: Hours, expected: Array) -> Array:
    """Sorted epoch seconds of a Poisson process with the given mean per hour,
    uniform inside each hour and strictly before `until`."""
    counts = rng.poisson(expected)
    starts = np.repeat(hours.starts, counts)
    span = np.repeat(np.minimum(3600, hours.until - hours.starts), counts)
    offsets = np.floor(rng.random(len(starts)) * span).astype(np.int64)
    return np.sort(starts + offsets)


def share_of_day_elapsed(local_time: dt.time) -> float:
    """Share of a day's demand (profile.HOUR) that falls before `local_time`."""
    hour = local_time.hour
    partial = (local_time.minute * 60 + local_time.second) / 3600.0
    return float(sum(HOUR[:hour]) + HOUR[hour] * partial)
