"""Campaigns whose conversion rate or ROAS dropped against their own baseline: the
ad report's flags, found by the test the ad alerts use.

Each complete day of the report's window is tested exactly as the alert scan
tests a day (analytics.detectors.ads: `replay_ads` and `AdReplay.fired`, the
configuration `analytics.detectors.scan.ADS`): conversions given the day's
clicks (CVR) and conversions given the day's spend (ROAS, which also needs the
day's ROAS at least `min_drop` below the baseline ROAS), against the campaign's
previous `baseline_days` days with activity, the best and the worst day left out;
p < `alpha` and at least `min_drop` below what the baseline predicts. CTR is not
flagged here (the question is about efficiency after the click).

A campaign is flagged for a metric when the test fires on at least one day of the
window. Its figures:

    before = the baseline rate of the first day the test fired (the alert's
             `expected`: Σ conversions / Σ clicks, or Σ revenue / Σ spend, over
             the kept baseline days)
    after  = the same rate pooled over the days from that first day to the
             window's last complete day (Σ conversions / Σ clicks, or
             Σ revenue / Σ spend), so days after the drop that the test did not
             flag on their own still count
    change = after / before − 1

Pure: a daily `AdSeries` in, typed flags out (`ad_drops`); the read is
analytics.detectors.queries.daily_ad_stats.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

import numpy as np

from analytics.common import Result
from analytics.detectors.ads import AdDetectorConfig, AdSeries, replay_ads
from analytics.detectors.series import IntArray

__all__ = ["FLAGGED", "AdDrop", "MetricDrop", "ad_drops", "checkable"]

DropMetric = Literal["cvr", "roas"]
FLAGGED: tuple[DropMetric, ...] = ("cvr", "roas")


class MetricDrop(Result):
    metric: DropMetric
    before: float
    """The baseline rate on the first day the test fired: CVR (a fraction) or ROAS
    (revenue / spend)."""
    after: float
    """The rate pooled from `since` to `until`."""
    change: float
    """after / before − 1 (−0.8 is 80 % lower)."""
    since: dt.date
    """The first day the test fired."""
    until: dt.date
    """The window's last complete day."""
    days_flagged: int
    """Days from `since` to `until` on which the test fired."""
    p_value: float
    """The test's p-value on `since`."""
    baseline_start: dt.date
    baseline_end: dt.date


class AdDrop(Result):
    """One campaign whose CVR or ROAS dropped significantly."""

    campaign_id: int
    name: str | None
    metrics: list[MetricDrop]


def _rate(numerator: int, denominator: int) -> float:
    return numerator / denominator if denominator else 0.0


def ad_drops(series: AdSeries, days: IntArray, config: AdDetectorConfig) -> list[AdDrop]:
    """The campaigns of `series` whose CVR or ROAS test fires on any of `days`
    (consecutive day indices, ascending), in the order of `series`."""
    days = np.asarray(days, dtype=np.int64)
    if len(series.campaign_ids) == 0 or len(days) == 0:
        return []
    replay = replay_ads(series, days, config)
    until = series.date_of(int(days[-1]))
    found: list[AdDrop] = []
    for c, campaign_id in enumerate(series.campaign_ids):
        metrics: list[MetricDrop] = []
        for metric in FLAGGED:
            fired = replay.fired(metric, config)[c]
            if not fired.any():
                continue
            first = int(np.argmax(fired))
            tests = replay.tests[metric]
            since = days[first:]
            if metric == "cvr":
                before = float(tests.rate[c, first])
                after = _rate(
                    int(series.conversions[c, since].sum()), int(series.clicks[c, since].sum())
                )
            else:
                before = float(replay.roas_expected[c, first])
                after = _rate(
                    int(series.revenue[c, since].sum()), int(series.spend[c, since].sum())
                )
            day = int(days[first])
            metrics.append(
                MetricDrop(
                    metric=metric,
                    before=before,
                    after=after,
                    change=after / before - 1.0 if before else 0.0,
                    since=series.date_of(day),
                    until=until,
                    days_flagged=int(fired[first:].sum()),
                    p_value=float(tests.p_value[c, first]),
                    baseline_start=series.date_of(day - config.baseline_days),
                    baseline_end=series.date_of(day - 1),
                )
            )
        if metrics:
            name = series.names[c] if series.names else None
            found.append(AdDrop(campaign_id=int(campaign_id), name=name, metrics=metrics))
    return found


def checkable(series: AdSeries, days: IntArray, config: AdDetectorConfig) -> int:
    """How many campaigns of `series` could be tested on at least one of `days`: they
    had clicks on `min_baseline_days` of the `baseline_days` before it (with fewer the
    test cannot fire, so "nothing dropped" would claim too much)."""
    days = np.asarray(days, dtype=np.int64)
    if len(series.campaign_ids) == 0 or len(days) == 0:
        return 0
    active = (series.clicks > 0).astype(np.int64)
    running = np.concatenate([np.zeros((len(active), 1), np.int64), active.cumsum(axis=1)], axis=1)
    counts = running[:, days] - running[:, np.maximum(days - config.baseline_days, 0)]
    return int((counts >= config.min_baseline_days).any(axis=1).sum())
