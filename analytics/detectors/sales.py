"""Sales-drop detection on hourly order counts, vectorised over sellers and days.

Two checks, both on the number of paid orders (a count, so its noise is known):

- intraday: today's orders in the local hours [0, h) against the same hours on
  the same weekday of the last `weeks` weeks, run by the hourly scan at hour h;
- whole day: a complete day against the same weekday of the last `weeks` weeks.

Why this baseline. Demand has a strong weekly and daily cycle, so a window is
compared only with the same window on the same weekday: the cycle cancels with
no model to fit. The expected count is the trimmed mean of the 8 weekly values
(the highest and the lowest dropped): one odd past week, a promotion spike or an
earlier incident, is discarded whole, while the other six keep nearly all the
precision of a plain mean (effective 7.5 weeks, against about 5 for a median).
A seasonal model fitted per seller would be more efficient but has to be robust
to the same outliers, and a fit per seller and hour costs far more in a scan of
ten thousand sellers than sorting eight numbers.

The test. Orders in a window are Poisson around their expected value with some
extra day-to-day variation; the variation is estimated per seller from the
last 8 weeks of daily totals (each day against its weekday's trimmed mean,
outlying days left out so that one bad day does not inflate it; see
`stats.excess_dispersion`). The p-value is the lower tail of the negative
binomial whose variance also carries the baseline's own uncertainty
(`stats.lower_tail`). With Poisson noise and a baseline of λ orders, a drop d
is separable when d·√λ is about 4 (for one false alert a quarter).

Thresholds (tuned with bench/detectors.py on simulated sellers of 5-2,000
orders a day with injected drops): the whole-day check alerts at p < 0.01; an
intraday check at p < 0.0002, because 23 hourly looks a day at a growing
window would otherwise add up to more false alerts than the day check. Together
they give about 0.3 false alerts per seller-quarter (at most 0.65 at any size),
and find 95 % of whole-day drops where d·√λ ≥ 4.2 or so (30 % at 200 a day,
50 % at 70 a day), half of them during the day itself.

An alert needs the p-value below its threshold and at least `min_drop` fewer
orders than expected: for a seller with 2,000 orders a day a 6 % dip is
statistically real but not news, and real demand drifts by that much.

Dedupe: see `alerts`; the intraday and whole-day alerts of one local date share
a key, so a seller hears about a bad day once.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import numpy as np
from numpy.typing import NDArray

from analytics.detectors.alerts import Alert, SalesAlertKind, SalesDropEvidence
from analytics.detectors.series import IntArray, LocalSeries
from analytics.detectors.stats import FloatArray, excess_dispersion, lower_tail, trimmed_mean


@dataclass(frozen=True, slots=True)
class SalesDetectorConfig:
    weeks: int = 8  # baseline: the same weekday in each of the last `weeks` weeks
    min_weeks: int = 4  # fewer weeks of history: no verdict
    trim: int = 1  # drop the highest and lowest weekly value
    alpha_intraday: float = 0.0002  # p-value threshold of each hourly check
    alpha_day: float = 0.01  # p-value threshold of the whole-day check
    min_drop: float = 0.15  # and at least this much below expected

    @property
    def lookback_days(self) -> int:
        """Days of history a check of day d reads: d − 7·weeks … d − 1."""
        return 7 * self.weeks


@dataclass(frozen=True, slots=True)
class DropTests:
    """Vectorised results of one family of checks (any common shape)."""

    actual: FloatArray
    expected: FloatArray
    p_value: FloatArray
    weeks_used: NDArray[np.int64]

    @property
    def change(self) -> FloatArray:
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(self.expected > 0, self.actual / self.expected - 1.0, 0.0)

    def fired(self, alpha: float, min_drop: float) -> NDArray[np.bool_]:
        return (self.p_value < alpha) & (self.change <= -min_drop)


def weekly_stack(
    values: NDArray[np.int64] | FloatArray,
    days: IntArray,
    valid_from: IntArray,
    weeks: int,
    lag: int = 7,
) -> FloatArray:
    """values (S, D, ...) → (S, len(days), ..., weeks): the value `lag`·k days before
    each target day, k = 1..weeks (most recent first); NaN where that day is
    before the series or before the seller's first data."""
    back = np.asarray(days, dtype=np.int64)[:, None] - lag * np.arange(1, weeks + 1)
    gathered = np.asarray(values, dtype=np.float64)[:, np.clip(back, 0, None)]
    known = back[None, :, :] >= np.asarray(valid_from)[:, None, None]
    known &= back[None, :, :] >= 0
    gathered = np.where(known.reshape(known.shape + (1,) * (gathered.ndim - 3)), gathered, np.nan)
    return np.moveaxis(gathered, 2, -1)


def drop_test(
    actual: NDArray[np.int64] | FloatArray,
    baseline: FloatArray,
    dispersion: FloatArray | float,
    config: SalesDetectorConfig,
) -> DropTests:
    """Lower-tail test of `actual` against the trimmed mean of `baseline` (last axis)."""
    expected, effective = trimmed_mean(baseline, config.trim)
    used = (~np.isnan(baseline)).sum(axis=-1)
    enough = used >= config.min_weeks
    expected = np.where(enough, expected, np.nan)
    with np.errstate(divide="ignore"):
        share = np.where(effective > 0, 1.0 / np.maximum(effective, 1e-9), 0.0)
    p_value = lower_tail(actual, expected, dispersion=dispersion, baseline_share=share)
    return DropTests(
        actual=np.asarray(actual, dtype=np.float64),
        expected=np.nan_to_num(expected, nan=0.0),
        p_value=p_value,
        weeks_used=used.astype(np.int64),
    )


def day_dispersion(
    day_totals: NDArray[np.int64], days: IntArray, valid_from: IntArray, config: SalesDetectorConfig
) -> FloatArray:
    """φ per seller and target day from the `weeks`·7 days before it: each day
    against the trimmed mean of its weekday (S, len(days))."""
    groups = []
    for lag in range(1, 8):  # the seven weekdays before the target day
        stack = weekly_stack(day_totals, np.asarray(days) - lag + 7, valid_from, config.weeks)
        groups.append(stack)
    history = np.stack(groups, axis=-2)  # (S, n, 7, weeks)
    centre, _ = trimmed_mean(history, config.trim)
    observed = history.reshape(*history.shape[:-2], -1)
    expected = np.broadcast_to(centre[..., None], history.shape).reshape(observed.shape)
    return excess_dispersion(observed, expected, groups=7)


@dataclass(frozen=True, slots=True)
class SalesReplay:
    """Every check of `days`: intraday at hours 1..23 (windows [0, h)) and whole day.

    `intraday` has shape (S, n, 23) (index h − 1 is the check at hour h),
    `day` (S, n); `dispersion` (S, n) is the φ both used.
    """

    days: IntArray
    intraday: DropTests
    day: DropTests
    dispersion: FloatArray

    def first_alert_hour(self, config: SalesDetectorConfig, last_hour: IntArray) -> IntArray:
        """(S, n): the first hour h in 1..23 whose intraday check fires, 24 when only
        the whole-day check does, −1 when none. `last_hour` (n,) is the last
        intraday hour scanned for each day (23 for complete days); a day whose
        last hour is below 24 is still running and gets no whole-day check."""
        fired = self.intraday.fired(config.alpha_intraday, config.min_drop)
        hours = np.arange(1, 24)
        fired &= hours[None, None, :] <= np.asarray(last_hour)[None, :, None]
        first = np.where(fired.any(axis=2), fired.argmax(axis=2) + 1, -1)
        whole = self.day.fired(config.alpha_day, config.min_drop)
        whole &= (np.asarray(last_hour) >= 24)[None, :]
        return np.where((first < 0) & whole, 24, first).astype(np.int64)


def replay_sales(
    counts: NDArray[np.int64], valid_from: IntArray, days: IntArray, config: SalesDetectorConfig
) -> SalesReplay:
    """Run every hourly and whole-day check of the target `days` of counts (S, D, 24)."""
    days = np.asarray(days, dtype=np.int64)
    cumulative = np.cumsum(counts, axis=2)
    totals = cumulative[:, :, 23]
    dispersion = day_dispersion(totals, days, valid_from, config)
    windows = cumulative[:, :, :23]
    intraday = drop_test(
        windows[:, days, :],
        weekly_stack(windows, days, valid_from, config.weeks),
        dispersion[:, :, None],
        config,
    )
    day = drop_test(
        totals[:, days], weekly_stack(totals, days, valid_from, config.weeks), dispersion, config
    )
    return SalesReplay(days=days, intraday=intraday, day=day, dispersion=dispersion)


def scan_alerts(
    series: LocalSeries,
    *,
    today: int,
    hour: int,
    detected_at: dt.datetime,
    config: SalesDetectorConfig,
) -> list[Alert]:
    """The checks an hourly scan at local `hour` of day index `today` runs: the
    intraday check of today's hours [0, hour) (none at hour 0) and the
    whole-day check of yesterday."""
    if series.counts.shape[0] == 0:
        return []
    replay = replay_sales(series.counts, series.valid_from, np.array([today - 1, today]), config)
    alerts = []
    whole = replay.day.fired(config.alpha_day, config.min_drop)[:, 0]
    for s in np.nonzero(whole)[0]:
        alerts.append(_alert(series, replay, int(s), 0, 24, config, detected_at))
    if hour >= 1:
        fired = replay.intraday.fired(config.alpha_intraday, config.min_drop)[:, 1, hour - 1]
        for s in np.nonzero(fired)[0]:
            alerts.append(_alert(series, replay, int(s), 1, hour, config, detected_at))
    return alerts


def replay_alerts(
    series: LocalSeries, *, days: IntArray, last_hour: IntArray, config: SalesDetectorConfig
) -> list[Alert]:
    """What hourly scans would have sent for the target `days`: per seller and day
    the first check that fires, stamped with the time it would have run (hour h
    of the day for an intraday check, the next local midnight for the whole
    day). `last_hour[i]` is the last hour scanned on `days[i]`: the current
    local hour for today, 24 for a complete day (whose whole-day check runs too).
    """
    days = np.asarray(days, dtype=np.int64)
    if series.counts.shape[0] == 0 or len(days) == 0:
        return []
    replay = replay_sales(series.counts, series.valid_from, days, config)
    first = replay.first_alert_hour(config, np.asarray(last_hour, dtype=np.int64))
    return [
        _alert(series, replay, int(s), int(i), int(first[s, i]), config, None)
        for s, i in zip(*np.nonzero(first > 0), strict=True)
    ]


def _alert(
    series: LocalSeries,
    replay: SalesReplay,
    s: int,
    i: int,
    hour: int,
    config: SalesDetectorConfig,
    detected_at: dt.datetime | None,
) -> Alert:
    day = int(replay.days[i])
    date = series.date_of(day)
    kind: SalesAlertKind = "sales_drop_day" if hour == 24 else "sales_drop_intraday"
    tests = replay.day if hour == 24 else replay.intraday
    at = (s, i) if hour == 24 else (s, i, hour - 1)
    weeks = [day - 7 * k for k in range(1, config.weeks + 1)]
    weeks = [w for w in weeks if w >= max(0, int(series.valid_from[s]))]
    hourly = series.counts[s]
    money = series.revenue[s]
    baseline = tuple(int(hourly[w, :hour].sum()) for w in weeks)
    revenue_baseline = np.array([money[w, :hour].sum() for w in weeks], dtype=np.float64)
    expected_revenue, _ = trimmed_mean(revenue_baseline, config.trim)
    today = hourly[day, :hour]
    ordered = np.nonzero(today)[0]
    quiet = int(ordered[-1]) + 1 if len(ordered) else 0
    quiet_since: int | None = None
    expected_quiet: float | None = None
    if quiet < hour:
        quiet_since = quiet
        usual = np.array([hourly[w, quiet:hour].sum() for w in weeks], dtype=np.float64)
        expected_quiet = round(float(trimmed_mean(usual, config.trim)[0]), 2)
    if detected_at is None:
        stamp = dt.datetime.combine(date, dt.time(), tzinfo=ZoneInfo(series.zone))
        detected_at = (stamp + dt.timedelta(hours=hour)).astimezone(dt.UTC)
    evidence = SalesDropEvidence(
        from_hour=0,
        to_hour=hour,
        expected=round(float(tests.expected[at]), 2),
        actual=int(tests.actual[at]),
        change=round(float(tests.change[at]), 4),
        p_value=float(f"{float(tests.p_value[at]):.3g}"),
        baseline=baseline,
        baseline_dates=tuple(series.date_of(w) for w in weeks),
        dispersion=round(float(replay.dispersion[s, i]), 6),
        expected_revenue=int(round(float(expected_revenue))),
        actual_revenue=int(money[day, :hour].sum()),
        quiet_since_hour=quiet_since,
        expected_since_quiet=expected_quiet,
    )
    return Alert(
        kind=kind,
        seller_id=int(series.seller_ids[s]),
        local_date=date,
        detected_at=detected_at,
        evidence=evidence,
    )
