"""Series-level simulation of sellers and ad campaigns with injected incidents.

Orders follow storage/demo/profile.py, the demand shape the demo generator
(storage/demo) draws from, so the detectors are evaluated on the same process
that fills the demo store: expected orders in local hour h of a day with
weekday w = orders_per_day × WEEKDAY[w] × HOUR[h] × (1 − drop). Counts are
Poisson around that, or gamma-Poisson with a day-level demand factor of
variance `dispersion` (0.0025 ≈ the generator's 5 % day-to-day noise).

Incidents are placed after a clean warm-up, separated by clean stretches:

- sales: "day" (one whole local day), "days" (2–4 whole days), "from_hour"
  (from a random hour between 06:00 and 20:00 to the end of that day);
- ads: the CTR or the CVR of a campaign falls, or its CPC rises (so its ROAS
  falls), by the drop, for 1–3 days.

Drops are drawn from DROPS (20 % to 80 %). Nothing here reads the database.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from storage.demo.profile import HOUR, WEEKDAY

DROPS = (0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8)
FIRST_DATE = dt.date(2025, 1, 6)  # a Monday


@dataclass(frozen=True, slots=True)
class Incident:
    """Affects unit `unit` in the local hours [start, end) counted from day 0, 00:00."""

    unit: int
    start: int
    end: int
    drop: float
    shape: str  # sales: day | days | from_hour; ads: ctr | cvr | cpc

    @property
    def first_day(self) -> int:
        return self.start // 24

    @property
    def last_day(self) -> int:
        return (self.end - 1) // 24


@dataclass(frozen=True, slots=True)
class SalesSimulation:
    orders_per_day: NDArray[np.float64]  # (S,)
    counts: NDArray[np.int64]  # (S, D, 24) local hours
    expected: NDArray[np.float64]  # (S, D, 24) the rate the counts were drawn from
    incidents: tuple[Incident, ...]
    warmup_days: int
    first_date: dt.date

    @property
    def days(self) -> int:
        return int(self.counts.shape[1])

    def affected_days(self) -> NDArray[np.bool_]:
        affected = np.zeros(self.counts.shape[:2], dtype=bool)
        for incident in self.incidents:
            affected[incident.unit, incident.first_day : incident.last_day + 1] = True
        return affected


@dataclass(frozen=True, slots=True)
class AdSimulation:
    clicks_per_day: NDArray[np.float64]  # (C,)
    impressions: NDArray[np.int64]  # (C, D)
    clicks: NDArray[np.int64]
    conversions: NDArray[np.int64]
    spend: NDArray[np.int64]
    revenue: NDArray[np.int64]
    incidents: tuple[Incident, ...]
    warmup_days: int

    @property
    def days(self) -> int:
        return int(self.clicks.shape[1])


def _weekdays(days: int) -> NDArray[np.int64]:
    return (np.arange(days) + FIRST_DATE.weekday()) % 7


def _place(
    rng: np.random.Generator,
    unit: int,
    *,
    days: int,
    warmup: int,
    every: float,
    shapes: tuple[str, ...],
    weights: tuple[float, ...],
    drops: tuple[float, ...],
) -> list[Incident]:
    incidents = []
    day = warmup + int(rng.integers(0, max(1, int(every))))
    while True:
        shape = str(rng.choice(shapes, p=weights))
        drop = float(rng.choice(drops))
        if shape == "from_hour":
            start, end = day * 24 + int(rng.integers(6, 21)), (day + 1) * 24
        elif shape == "days":
            start, end = day * 24, (day + int(rng.integers(2, 5))) * 24
        elif shape in ("ctr", "cvr", "cpc"):
            start, end = day * 24, (day + int(rng.integers(1, 4))) * 24
        else:
            start, end = day * 24, (day + 1) * 24
        if end > days * 24:
            return incidents
        incidents.append(Incident(unit=unit, start=start, end=end, drop=drop, shape=shape))
        day = (end - 1) // 24 + 1 + int(rng.integers(int(every / 2), int(every * 1.5) + 1))


def simulate_sales(
    sizes: NDArray[Any] | list[float],
    *,
    days: int,
    seed: int,
    dispersion: float = 0.0,
    warmup_days: int = 63,
    every: float = 21.0,
    drops: tuple[float, ...] = DROPS,
) -> SalesSimulation:
    """Hourly orders of one seller per entry of `sizes` (orders a day)."""
    rng = np.random.default_rng(seed)
    sizes = np.asarray(sizes, dtype=np.float64)
    profile = np.asarray(WEEKDAY)[_weekdays(days)][:, None] * np.asarray(HOUR)[None, :]
    rate = sizes[:, None, None] * profile[None, :, :]
    if dispersion > 0:
        factor = rng.gamma(1.0 / dispersion, dispersion, size=(len(sizes), days))
        rate = rate * factor[:, :, None]
    incidents: list[Incident] = []
    for unit in range(len(sizes)):
        incidents += _place(
            rng,
            unit,
            days=days,
            warmup=warmup_days,
            every=every,
            shapes=("day", "days", "from_hour"),
            weights=(0.4, 0.3, 0.3),
            drops=drops,
        )
    hourly = rate.reshape(len(sizes), days * 24).copy()
    for incident in incidents:
        hourly[incident.unit, incident.start : incident.end] *= 1.0 - incident.drop
    rate = hourly.reshape(len(sizes), days, 24)
    counts = rng.poisson(rate)
    return SalesSimulation(
        orders_per_day=sizes,
        counts=counts.astype(np.int64),
        expected=rate,
        incidents=tuple(incidents),
        warmup_days=warmup_days,
        first_date=FIRST_DATE,
    )


def simulate_ads(
    sizes: NDArray[Any] | list[float],
    *,
    days: int,
    seed: int,
    ctr: float = 0.02,
    cvr: float = 0.04,
    cpc: float = 400.0,
    order_value: float = 30_000.0,
    noise: float = 0.0,
    warmup_days: int = 21,
    every: float = 21.0,
    drops: tuple[float, ...] = DROPS,
) -> AdSimulation:
    """Daily stats of one campaign per entry of `sizes` (clicks a day). `noise` is
    the sd of a lognormal day-to-day factor on CTR, CVR and impressions."""
    rng = np.random.default_rng(seed)
    sizes = np.asarray(sizes, dtype=np.float64)
    shape = (len(sizes), days)
    ctr_factor = np.ones(shape)
    cvr_factor = np.ones(shape)
    cpc_factor = np.ones(shape)
    incidents: list[Incident] = []
    for unit in range(len(sizes)):
        placed = _place(
            rng,
            unit,
            days=days,
            warmup=warmup_days,
            every=every,
            shapes=("ctr", "cvr", "cpc"),
            weights=(1 / 3, 1 / 3, 1 / 3),
            drops=drops,
        )
        for incident in placed:
            span = slice(incident.first_day, incident.last_day + 1)
            if incident.shape == "ctr":
                ctr_factor[unit, span] *= 1.0 - incident.drop
            elif incident.shape == "cvr":
                cvr_factor[unit, span] *= 1.0 - incident.drop
            else:
                cpc_factor[unit, span] /= 1.0 - incident.drop
        incidents += placed

    def wobble() -> NDArray[np.float64]:
        if noise <= 0:
            return np.ones(shape)
        return np.exp(rng.normal(-noise * noise / 2, noise, size=shape))

    weekday = np.asarray(WEEKDAY)[_weekdays(days)][None, :]
    impressions = rng.poisson(sizes[:, None] / ctr * weekday * wobble())
    clicks = rng.binomial(impressions, np.clip(ctr * ctr_factor * wobble(), 0, 1))
    conversions = rng.binomial(clicks, np.clip(cvr * cvr_factor * wobble(), 0, 1))
    cost = cpc * np.exp(rng.normal(0, 0.1, size=shape)) * cpc_factor
    spend = np.rint(clicks * cost).astype(np.int64)
    revenue = np.where(
        conversions > 0,
        rng.gamma(np.maximum(conversions, 1) * 2.0, order_value / 2.0),
        0.0,
    )
    return AdSimulation(
        clicks_per_day=sizes,
        impressions=impressions.astype(np.int64),
        clicks=clicks.astype(np.int64),
        conversions=conversions.astype(np.int64),
        spend=spend,
        revenue=np.rint(revenue).astype(np.int64),
        incidents=tuple(incidents),
        warmup_days=warmup_days,
    )
