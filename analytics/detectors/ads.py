"""Ad-efficiency drops: a campaign's CTR, CVR or ROAS on one day against its
recent days, tested on counts so that a small campaign's noise is not news.

Each metric is a count over an exposure, tested like orders against a baseline:

    CTR:  clicks       given the day's impressions
    CVR:  conversions  given the day's clicks
    ROAS: conversions  given the day's spend

The baseline rate is pooled over the previous `baseline_days` days with
activity (exposure > 0), without the day of the highest and the day of the
lowest rate (one odd day does not move it). The expected count is exposure ×
baseline rate; the p-value is the lower tail of a negative binomial that
carries the baseline's own uncertainty (exposure / baseline exposure) and the
campaign's day-to-day variation beyond Poisson, estimated from the same
baseline days (`stats.lower_tail`, `stats.excess_dispersion`). Clicks out of
impressions are binomial; the Poisson tail used instead is a little wider for
rates this small, so the test errs towards silence. 3 clicks where 5 were
expected has p ≈ 0.27: not an alert.

ROAS is revenue over spend, and revenue is money, not a count: its noise
depends on basket sizes nobody models well. So the test is on conversions per
won spent (a count, which catches both a CVR collapse and a CPC rise) and an
alert also needs the day's ROAS itself to be at least `min_drop` below the
baseline ROAS. A fall in basket value alone is not alerted (conservative).

An alert needs p < `alpha` (0.001) and at least `min_drop` (20 %) fewer than
expected. Days with no exposure (a paused campaign) are not tested. On
simulated campaigns of 3-3,000 clicks a day (bench/detectors.py) that is under
0.25 false alerts per campaign-quarter for the three metrics together; a CTR
drop of 30 % is found at 1,000 clicks a day, 60 % at 100, while at 10 clicks a
day nothing short of a collapse is distinguishable from noise.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from analytics.detectors.alerts import AdAlertKind, AdDropEvidence, Alert
from analytics.detectors.series import IntArray
from analytics.detectors.stats import FloatArray, excess_dispersion, lower_tail

Metric = Literal["ctr", "cvr", "roas"]
METRICS: tuple[Metric, ...] = ("ctr", "cvr", "roas")
KINDS: dict[Metric, AdAlertKind] = {
    "ctr": "ad_ctr_drop",
    "cvr": "ad_cvr_drop",
    "roas": "ad_roas_drop",
}


@dataclass(frozen=True, slots=True)
class AdDetectorConfig:
    baseline_days: int = 14
    min_baseline_days: int = 7
    trim: int = 1  # leave out the highest- and the lowest-rate day
    alpha: float = 0.001
    min_drop: float = 0.2


@dataclass(frozen=True, slots=True)
class AdSeries:
    """Daily stats per campaign: arrays (C, D), day d is `first_date + d`."""

    campaign_ids: IntArray
    seller_ids: IntArray
    first_date: dt.date
    impressions: IntArray
    clicks: IntArray
    spend: IntArray
    conversions: IntArray
    revenue: IntArray
    names: tuple[str | None, ...] = ()

    def date_of(self, day: int) -> dt.date:
        return self.first_date + dt.timedelta(days=int(day))

    def parts(self, metric: Metric) -> tuple[IntArray, IntArray]:
        """(count, exposure) tested for a metric."""
        if metric == "ctr":
            return self.clicks, self.impressions
        if metric == "cvr":
            return self.conversions, self.clicks
        return self.conversions, self.spend


def ad_series(
    rows: IntArray,
    dates: list[dt.date],
    *,
    first_date: dt.date,
    days: int,
    names: dict[int, str] | None = None,
) -> AdSeries:
    """Dense daily arrays from rows (campaign_id, seller_id, impressions, clicks,
    spend, conversions, revenue) with their dates; dates outside the `days`
    from `first_date` are ignored, missing days are zero (no activity)."""
    campaigns, position = np.unique(rows[:, 0], return_inverse=True)
    day = np.array([(d - first_date).days for d in dates], dtype=np.int64)
    inside = (day >= 0) & (day < days)
    sellers = np.zeros(len(campaigns), dtype=np.int64)
    sellers[position] = rows[:, 1]
    columns = []
    for column in range(2, 7):
        dense = np.zeros((len(campaigns), days), dtype=np.int64)
        dense[position[inside], day[inside]] = rows[inside, column]
        columns.append(dense)
    impressions, clicks, spend, conversions, revenue = columns
    return AdSeries(
        campaign_ids=campaigns.astype(np.int64),
        seller_ids=sellers,
        first_date=first_date,
        impressions=impressions,
        clicks=clicks,
        spend=spend,
        conversions=conversions,
        revenue=revenue,
        names=tuple((names or {}).get(int(c)) for c in campaigns),
    )


@dataclass(frozen=True, slots=True)
class RateTests:
    """Arrays (C, n) for the target days."""

    count: FloatArray
    exposure: FloatArray
    rate: FloatArray  # baseline count per unit exposure
    expected: FloatArray  # exposure × rate
    p_value: FloatArray
    baseline_count: FloatArray
    baseline_exposure: FloatArray
    baseline_days: NDArray[np.int64]
    dispersion: FloatArray
    kept: NDArray[np.bool_]  # (C, n, baseline_days): which baseline days were used

    @property
    def change(self) -> FloatArray:
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(self.expected > 0, self.count / self.expected - 1.0, 0.0)


def rate_test(
    count: IntArray, exposure: IntArray, days: IntArray, config: AdDetectorConfig
) -> RateTests:
    """Test count[:, d] against the baseline rate of the days before each target d."""
    days = np.asarray(days, dtype=np.int64)
    back = days[:, None] - np.arange(1, config.baseline_days + 1)  # (n, B)
    inside = back >= 0
    x = np.where(inside, np.asarray(count, dtype=np.float64)[:, np.clip(back, 0, None)], 0.0)
    e = np.where(inside, np.asarray(exposure, dtype=np.float64)[:, np.clip(back, 0, None)], 0.0)
    active = e > 0
    n_active = active.sum(axis=-1)
    with np.errstate(divide="ignore", invalid="ignore"):
        daily = np.where(active, x / np.where(active, e, 1.0), np.nan)
    kept = active.copy()
    trim_rows = n_active >= 2 * config.trim + 3
    for _ in range(config.trim):
        candidate = kept.copy()
        high = np.where(candidate, daily, -np.inf).argmax(axis=-1)
        np.put_along_axis(candidate, high[..., None], False, axis=-1)
        low = np.where(candidate, daily, np.inf).argmin(axis=-1)
        np.put_along_axis(candidate, low[..., None], False, axis=-1)
        kept = np.where(trim_rows[..., None], candidate, kept)
    base_x = np.where(kept, x, 0.0).sum(axis=-1)
    base_e = np.where(kept, e, 0.0).sum(axis=-1)
    enough = n_active >= config.min_baseline_days
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = np.where(enough & (base_e > 0), base_x / np.where(base_e > 0, base_e, 1.0), 0.0)
    day_x = np.asarray(count, dtype=np.float64)[:, days]
    day_e = np.asarray(exposure, dtype=np.float64)[:, days]
    expected = day_e * rate
    # every active day, the trimmed ones too: leaving out the extremes would
    # understate the spread (outliers are handled inside excess_dispersion)
    dispersion = excess_dispersion(
        np.where(active, x, np.nan),
        np.where(active, e * rate[..., None], np.nan),
        groups=1,
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(base_e > 0, day_e / np.where(base_e > 0, base_e, 1.0), 0.0)
    p_value = lower_tail(
        day_x, np.where(day_e > 0, expected, 0.0), dispersion=dispersion, baseline_share=share
    )
    return RateTests(
        count=day_x,
        exposure=day_e,
        rate=rate,
        expected=expected,
        p_value=p_value,
        baseline_count=base_x,
        baseline_exposure=base_e,
        baseline_days=kept.sum(axis=-1).astype(np.int64),
        dispersion=dispersion,
        kept=kept,
    )


@dataclass(frozen=True, slots=True)
class AdReplay:
    days: IntArray
    tests: dict[Metric, RateTests]
    roas_expected: FloatArray  # baseline ROAS (C, n)
    roas_actual: FloatArray

    def fired(self, metric: Metric, config: AdDetectorConfig) -> NDArray[np.bool_]:
        tests = self.tests[metric]
        fired = (tests.p_value < config.alpha) & (tests.change <= -config.min_drop)
        if metric == "roas":
            fired &= self.roas_actual <= (1.0 - config.min_drop) * self.roas_expected
        return fired


def replay_ads(series: AdSeries, days: IntArray, config: AdDetectorConfig) -> AdReplay:
    """Every metric's test on each target day (arrays (C, n))."""
    days = np.asarray(days, dtype=np.int64)
    tests = {m: rate_test(*series.parts(m), days, config) for m in METRICS}
    roas = tests["roas"]
    back = days[:, None] - np.arange(1, config.baseline_days + 1)
    revenue = np.where(back >= 0, series.revenue[:, np.clip(back, 0, None)], 0)
    base_revenue = np.where(roas.kept, revenue, 0).sum(axis=-1)
    with np.errstate(divide="ignore", invalid="ignore"):
        expected = np.where(
            roas.baseline_exposure > 0, base_revenue / np.maximum(roas.baseline_exposure, 1), 0.0
        )
        spend = series.spend[:, days].astype(np.float64)
        actual = np.where(spend > 0, series.revenue[:, days] / np.maximum(spend, 1), 0.0)
    return AdReplay(days=days, tests=tests, roas_expected=expected, roas_actual=actual)


def ad_alerts(
    series: AdSeries,
    *,
    days: IntArray,
    config: AdDetectorConfig,
    detected_at: dt.datetime | None = None,
    zone: dt.tzinfo | None = None,
) -> list[Alert]:
    """Alerts for the complete target days. `detected_at` is the scan time; None
    stamps each with the local midnight after its day in `zone` (replay)."""
    days = np.asarray(days, dtype=np.int64)
    if len(series.campaign_ids) == 0 or len(days) == 0:
        return []
    replay = replay_ads(series, days, config)
    alerts = []
    for metric in METRICS:
        tests = replay.tests[metric]
        for c, i in zip(*np.nonzero(replay.fired(metric, config)), strict=True):
            day = int(days[i])
            date = series.date_of(day)
            if metric == "roas":
                expected_rate = float(replay.roas_expected[c, i])
                actual_rate = float(replay.roas_actual[c, i])
            else:
                expected_rate = float(tests.rate[c, i])
                actual_rate = float(tests.count[c, i] / tests.exposure[c, i])
            stamp = detected_at
            if stamp is None:
                midnight = dt.datetime.combine(date + dt.timedelta(days=1), dt.time(), tzinfo=zone)
                stamp = midnight.astimezone(dt.UTC)
            evidence = AdDropEvidence(
                campaign_id=int(series.campaign_ids[c]),
                campaign_name=series.names[c] if series.names else None,
                metric=metric,
                expected=float(f"{expected_rate:.4g}"),
                actual=float(f"{actual_rate:.4g}"),
                change=round(actual_rate / expected_rate - 1.0, 4) if expected_rate else 0.0,
                p_value=float(f"{float(tests.p_value[c, i]):.3g}"),
                count_expected=round(float(tests.expected[c, i]), 2),
                count_actual=int(tests.count[c, i]),
                exposure=int(tests.exposure[c, i]),
                baseline_count=int(tests.baseline_count[c, i]),
                baseline_exposure=int(tests.baseline_exposure[c, i]),
                baseline_days=int(tests.baseline_days[c, i]),
                baseline_start=series.date_of(day - config.baseline_days),
                baseline_end=series.date_of(day - 1),
                dispersion=round(float(tests.dispersion[c, i]), 6),
            )
            alerts.append(
                Alert(
                    kind=KINDS[metric],
                    seller_id=int(series.seller_ids[c]),
                    local_date=date,
                    detected_at=stamp,
                    evidence=evidence,
                )
            )
    return alerts
