"""The ad report's flags: a campaign whose conversion rate or ROAS dropped against
its own baseline, by the ad alert's test, on hand-built days.

Campaign 1 "텀블러 검색" runs steadily from 2026-11-06: every day 10,000
impressions, 1,000 clicks, 100,000 spent, 50 conversions, 500,000 revenue (CVR 5 %,
ROAS 5.0). From Nov 24 its conversions collapse to 10 a day and its revenue to
100,000 (CVR 1 %, ROAS 1.0). Campaign 2 "브랜드" is small and noisy: 20 clicks,
1 conversion a day, none on Nov 25. The report covers the last 7 days,
Nov 20-26, asked on Nov 27.

By hand, the alert's test on Nov 24 (analytics.detectors.ads): the 14 baseline
days Nov 10-23 are all alike, so the best and the worst day left out leave 12 days,
12,000 clicks and 600 conversions: a baseline CVR of 0.05, no variation beyond
Poisson (φ = 0). 1,000 clicks predict 50 conversions; the baseline's own
uncertainty is 1,000 / 12,000 = 1/12 of it, so the count is negative binomial with
mean 50 and variance 50 × 13/12: size 50 / (1/12) = 600, p = 600 / 650 = 12/13.
P(X ≤ 10) is far below 0.001, and 10 is 80 % under 50: flagged. Conversions per won
spent fire the same way, and the day's ROAS 1.0 is below 0.8 × 5.0. Nov 25 and 26
fire too (the collapsed days in their baselines are left out as the worst day or
are outliers). Figures since Nov 24: CVR 30 / 3,000 = 0.01, ROAS 300,000 / 300,000
= 1.0. The small campaign's zero on Nov 25 expects 1: P(X = 0) ≈ 0.37, not flagged.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from scipy import stats
from sqlalchemy.orm import Session

from analytics.ad_drops import AdDrop, ad_drops, checkable
from analytics.ads import AdReport, ad_report
from analytics.common import Store, Window
from analytics.detectors.ads import ad_series
from analytics.detectors.scan import ADS
from tests.factories import SEOUL, local, make_ad_day, make_campaign, make_seller

FIRST = dt.date(2026, 11, 6)
COLLAPSE = dt.date(2026, 11, 24)
LAST = dt.date(2026, 11, 26)
NOW = local(2026, 11, 27, 9)
P_NOV_24 = float(stats.nbinom.cdf(10, 600, 12 / 13))


def rows() -> list[tuple[int, dt.date, int, int, int, int, int]]:
    """(campaign, date, impressions, clicks, spend, conversions, revenue) per day."""
    days = [FIRST + dt.timedelta(days=i) for i in range((LAST - FIRST).days + 1)]
    table = []
    for d in days:
        collapsed = d >= COLLAPSE
        table.append(
            (
                1,
                d,
                10_000,
                1_000,
                100_000,
                10 if collapsed else 50,
                100_000 if collapsed else 500_000,
            )
        )
        quiet = d == dt.date(2026, 11, 25)
        table.append((2, d, 400, 20, 4_000, 0 if quiet else 1, 0 if quiet else 30_000))
    return table


def check(found: list[AdDrop], campaign_id: int) -> None:
    """Only the collapsed campaign, with both metrics' figures worked out above."""
    assert [(drop.campaign_id, drop.name) for drop in found] == [(campaign_id, "텀블러 검색")]
    cvr, roas = found[0].metrics
    for drop in (cvr, roas):
        assert (drop.since, drop.until, drop.days_flagged) == (COLLAPSE, LAST, 3)
        assert (drop.baseline_start, drop.baseline_end) == (
            dt.date(2026, 11, 10),
            dt.date(2026, 11, 23),
        )
        assert drop.p_value == pytest.approx(P_NOV_24, rel=1e-9)
        assert drop.change == pytest.approx(-0.8)
    assert (cvr.metric, cvr.before, cvr.after) == ("cvr", pytest.approx(0.05), pytest.approx(0.01))
    assert (roas.metric, roas.before, roas.after) == (
        "roas",
        pytest.approx(5.0),
        pytest.approx(1.0),
    )


def test_the_collapse_is_flagged_by_the_alerts_test_on_a_daily_series() -> None:
    table = rows()
    data = np.array([(c, 7, i, k, s, v, r) for c, _, i, k, s, v, r in table], dtype=np.int64)
    start = dt.date(2026, 11, 20) - dt.timedelta(days=ADS.baseline_days)  # Nov 6
    series = ad_series(
        data,
        [d for _, d, *_ in table],
        first_date=start,
        days=21,
        names={1: "텀블러 검색", 2: "브랜드"},
    )
    assert P_NOV_24 < ADS.alpha

    found = ad_drops(series, np.arange(14, 21), ADS)

    check(found, 1)
    # both campaigns had clicks on all 14 baseline days: both were tested
    assert checkable(series, np.arange(14, 21), ADS) == 2
    # with 6 days of history before Nov 20 (fewer than the 7 the test needs) neither is,
    # until Nov 21
    assert checkable(series, np.arange(6, 7), ADS) == 0
    assert checkable(series, np.arange(6, 8), ADS) == 2


def test_the_ad_report_flags_the_campaign_with_its_figures_before_and_after(
    session: Session,
) -> None:
    seller = make_seller(session, "shop")
    campaigns = {
        1: make_campaign(session, seller, "텀블러 검색"),
        2: make_campaign(session, seller, "브랜드"),
    }
    for c, d, impressions, clicks, spend, conversions, revenue in rows():
        make_ad_day(
            session,
            campaigns[c],
            d,
            impressions=impressions,
            clicks=clicks,
            spend=spend,
            conversions=conversions,
            conversion_revenue=revenue,
        )
    session.commit()
    window = Window(dt.date(2026, 11, 20), LAST, NOW)

    report = ad_report(session, Store(id=seller.id, timezone=SEOUL), window)

    assert isinstance(report, AdReport)
    check(report.drops, campaigns[1].id)
    assert report.drops_checked == 2
    # the small campaign asked about alone: nothing flagged
    alone = ad_report(
        session, Store(id=seller.id, timezone=SEOUL), window, campaign_id=campaigns[2].id
    )
    assert isinstance(alone, AdReport) and alone.drops == []
