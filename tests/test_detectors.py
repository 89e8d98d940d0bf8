"""Anomaly detectors: exact behaviour on constructed series, a small version of
the evaluation bars on simulated sellers, and the scans on both databases."""

from __future__ import annotations

import dataclasses
import datetime as dt
from zoneinfo import ZoneInfo

import numpy as np
import pytest
from scipy import stats
from sqlalchemy.orm import Session

from analytics.common import NoData, Store, Window
from analytics.detectors import (
    AdDropEvidence,
    AlertsReport,
    SalesDetectorConfig,
    SalesDropEvidence,
    alerts_report,
    detect_for_seller,
    scan_ads,
    scan_ads_per_seller,
    scan_sales,
    scan_sales_per_seller,
)
from analytics.detectors.ads import AdDetectorConfig, AdSeries, ad_alerts
from analytics.detectors.sales import drop_test, replay_alerts, scan_alerts
from analytics.detectors.series import LocalSeries, local_series
from bench._simulate import simulate_ads, simulate_sales
from bench.detectors import score_ads, score_sales
from storage.demo.profile import HOUR
from storage.outbox import record_alert
from tests.factories import (
    local,
    make_ad_day,
    make_campaign,
    make_order,
    make_product,
    make_seller,
)

SALES = SalesDetectorConfig()
ADS = AdDetectorConfig()
# Effective number of baseline weeks of the 8-week mean trimmed by one at each end:
# 8 / [(0.75 − 2cφ(c) + 2·(1/8)·c²) / 0.75²] with c = Φ⁻¹(7/8) = 1.150349,
# φ(c) = 0.205936: 8 / (0.607024 / 0.5625) = 8 / 1.079154 = 7.4132.
K_EFF = 7.4132
FIRST = dt.date(2025, 1, 1)  # a Wednesday
DAYS = 7 * 8 + 2  # eight baseline weeks, yesterday, today


def negbin_tail(actual: int, expected: float) -> float:
    """P(X ≤ actual) with Var X = μ(1 + 1/K_EFF): a clean (φ = 0) baseline."""
    size = expected * K_EFF
    return float(stats.nbinom.cdf(actual, size, size / (size + expected)))


def series_of(days: list[list[int]], seller_id: int = 7, zone: str = "Asia/Seoul") -> LocalSeries:
    counts = np.array([days], dtype=np.int64)
    return LocalSeries(
        zone=zone,
        seller_ids=np.array([seller_id]),
        first_date=FIRST,
        counts=counts,
        revenue=counts * 10_000,
        valid_from=np.array([0]),
    )


def steady(hourly: list[int], today: list[int], days: int = DAYS) -> LocalSeries:
    return series_of([hourly] * (days - 1) + [today])


# ---------------------------------------------------------------- sales, pure


def test_a_clean_series_gives_no_alert_at_any_hour() -> None:
    rng = np.random.default_rng(11)
    rate = 200 * np.asarray(HOUR)
    clean = series_of(rng.poisson(rate, size=(DAYS, 24)).tolist())
    for hour in range(24):
        assert scan_alerts(clean, today=DAYS - 1, hour=hour, detected_at=_NOW, config=SALES) == []


def test_a_half_drop_at_200_a_day_is_caught_intraday_at_11() -> None:
    usual = [round(200 * share) for share in HOUR]  # 3, 2, 1, 1, 1, 1, 1, 3, 5, 8, 11, 12, ...
    halved = [count // 2 for count in usual]
    series = steady(usual, halved)
    # by 10:00: 26 expected, 9 placed, p = 0.00023, just above the 0.0002 threshold
    assert scan_alerts(series, today=DAYS - 1, hour=10, detected_at=_NOW, config=SALES) == []
    (alert,) = scan_alerts(series, today=DAYS - 1, hour=11, detected_at=_NOW, config=SALES)
    evidence = alert.evidence
    assert isinstance(evidence, SalesDropEvidence)
    assert alert.kind == "sales_drop_intraday"
    assert alert.local_date == FIRST + dt.timedelta(days=DAYS - 1)
    assert (evidence.from_hour, evidence.to_hour) == (0, 11)
    assert evidence.expected == 37.0  # 3+2+1+1+1+1+1+3+5+8+11
    assert evidence.actual == 14  # 1+1+0+0+0+0+0+1+2+4+5
    assert evidence.change == round(14 / 37 - 1, 4)
    assert evidence.p_value == pytest.approx(negbin_tail(14, 37.0), rel=1e-2)
    assert evidence.baseline == (37,) * 8
    assert evidence.dispersion == 0.0
    assert evidence.expected_revenue == 370_000 and evidence.actual_revenue == 140_000


def test_one_odd_past_week_does_not_cause_an_alert() -> None:
    usual = [0] * 9 + [10] * 10 + [0] * 5  # 100 orders a day, 09:00-19:00
    promotion = [0] * 9 + [50] * 10 + [0] * 5  # one week five times busier
    days = [usual] * DAYS
    days[DAYS - 1 - 21] = promotion  # the same weekday three weeks before today
    series = series_of(days)
    assert scan_alerts(series, today=DAYS - 1, hour=20, detected_at=_NOW, config=SALES) == []
    # a plain mean would expect (7·100 + 500) / 8 = 150 and see a 33 % drop
    baseline = np.array([[100.0] * 7 + [500.0]])
    assert drop_test(np.array([100]), baseline, 0.0, SALES).expected.tolist() == [100.0]


def test_no_orders_since_11_is_told_in_the_sellers_terms() -> None:
    usual = [0] * 9 + [6] * 12 + [0] * 3  # 6 an hour, 09:00-21:00
    today = [0] * 9 + [6, 6] + [0] * 13
    (alert,) = scan_alerts(
        steady(usual, today), today=DAYS - 1, hour=16, detected_at=_NOW, config=SALES
    )
    evidence = alert.evidence
    assert isinstance(evidence, SalesDropEvidence)
    assert (evidence.expected, evidence.actual) == (42.0, 12)  # 7 hours × 6; 2 hours × 6
    assert evidence.quiet_since_hour == 11
    assert evidence.expected_since_quiet == 30.0  # 11:00-16:00, 5 hours × 6


def test_a_day_with_no_orders_at_all_is_quiet_since_midnight() -> None:
    usual = [0] * 9 + [6] * 12 + [0] * 3
    series = series_of([usual] * (DAYS - 2) + [[0] * 24, [0] * 24])
    alerts = scan_alerts(series, today=DAYS - 1, hour=0, detected_at=_NOW, config=SALES)
    (alert,) = alerts
    assert alert.kind == "sales_drop_day"
    evidence = alert.evidence
    assert isinstance(evidence, SalesDropEvidence)
    assert (evidence.actual, evidence.expected, evidence.change) == (0, 72.0, -1.0)
    assert (evidence.quiet_since_hour, evidence.expected_since_quiet) == (0, 72.0)


def test_intraday_and_whole_day_alerts_of_a_day_share_one_dedupe_key() -> None:
    usual = [0] * 9 + [6] * 12 + [0] * 3
    series = series_of([usual] * (DAYS - 1) + [[0] * 24])
    day = DAYS - 1
    replayed = replay_alerts(series, days=np.array([day]), last_hour=np.array([24]), config=SALES)
    (first,) = replayed
    assert first.kind == "sales_drop_intraday"  # found during the day, before midnight
    # none of 6 by 10:00: p = (6K/(6K + 6))^(6K) = 0.0036; none of 12 by 11:00:
    # p = (12K/(12K + 12))^(12K) = 1.3e-5 < 0.0002, so the 11:00 scan finds it first
    assert first.evidence.to_hour == 11  # type: ignore[union-attr]
    assert first.detected_at == dt.datetime(2025, 2, 27, 2, 0, tzinfo=dt.UTC)  # 11:00 KST
    next_morning = series_of([usual] * (DAYS - 1) + [[0] * 24, [0] * 24])
    whole = scan_alerts(next_morning, today=DAYS, hour=0, detected_at=_NOW, config=SALES)
    assert [a.kind for a in whole] == ["sales_drop_day"]
    assert whole[0].local_date == first.local_date == dt.date(2025, 2, 27)
    assert first.dedupe_key == whole[0].dedupe_key == "sales_drop:7:2025-02-27"


def test_fewer_than_four_weeks_of_history_give_no_verdict() -> None:
    usual = [0] * 9 + [6] * 12 + [0] * 3
    young = series_of([[0] * 24] * (DAYS - 22) + [usual] * 21 + [[0] * 24])
    young = dataclasses.replace(young, valid_from=np.array([DAYS - 22]))  # 3 weeks of data
    assert scan_alerts(young, today=DAYS - 1, hour=23, detected_at=_NOW, config=SALES) == []
    older = series_of([[0] * 24] * (DAYS - 29) + [usual] * 28 + [[0] * 24])
    older = dataclasses.replace(older, valid_from=np.array([DAYS - 29]))  # 4 weeks
    alerts = scan_alerts(older, today=DAYS - 1, hour=23, detected_at=_NOW, config=SALES)
    assert [(a.kind, a.evidence.baseline) for a in alerts] == [  # type: ignore[union-attr]
        ("sales_drop_intraday", (72, 72, 72, 72))
    ]


def test_local_hours_follow_each_sellers_timezone() -> None:
    # 2025-03-01 00:00 UTC is 09:00 in Seoul and 19:00 on Feb 28 in New York (EST)
    hour = int(dt.datetime(2025, 3, 1, tzinfo=dt.UTC).timestamp()) // 3600
    rows = np.array([[1, hour, 3, 300], [2, hour, 5, 500]], dtype=np.int64)
    seoul = local_series("Asia/Seoul", [1], rows, first_date=dt.date(2025, 2, 28), days=2)
    york = local_series("America/New_York", [2], rows, first_date=dt.date(2025, 2, 28), days=2)
    assert seoul.counts[0, 1, 9] == 3 and seoul.counts.sum() == 3
    assert york.counts[0, 0, 19] == 5 and york.counts.sum() == 5
    assert york.revenue[0, 0, 19] == 500
    assert seoul.valid_from.tolist() == [1] and york.valid_from.tolist() == [0]


# ------------------------------------------------------------------ ads, pure


def ad_days(days: list[tuple[int, int, int, int, int]]) -> AdSeries:
    """(impressions, clicks, spend, conversions, revenue) per day, one campaign."""
    data = np.array(days, dtype=np.int64).T[:, None, :]
    return AdSeries(
        campaign_ids=np.array([31]),
        seller_ids=np.array([7]),
        first_date=FIRST,
        impressions=data[0],
        clicks=data[1],
        spend=data[2],
        conversions=data[3],
        revenue=data[4],
        names=("spring sale",),
    )


def test_three_clicks_instead_of_five_on_a_small_campaign_is_not_an_alert() -> None:
    series = ad_days([(250, 5, 2_000, 0, 0)] * 14 + [(250, 3, 1_200, 0, 0)])
    assert ad_alerts(series, days=np.array([14]), config=ADS, detected_at=_NOW) == []
    # even with the baseline taken as exact the lower tail is P(X ≤ 3 | 5) = 0.265
    assert stats.poisson.cdf(3, 5) == pytest.approx(0.265, abs=1e-3)


def test_a_ctr_collapse_on_a_big_campaign_is_an_alert() -> None:
    usual = (100_000, 2_000, 800_000, 80, 2_400_000)
    series = ad_days([usual] * 14 + [(100_000, 1_000, 400_000, 40, 1_200_000)])
    alerts = ad_alerts(series, days=np.array([14]), config=ADS, detected_at=_NOW)
    (alert,) = [a for a in alerts if a.kind == "ad_ctr_drop"]
    evidence = alert.evidence
    assert isinstance(evidence, AdDropEvidence)
    assert (evidence.metric, evidence.expected, evidence.actual) == ("ctr", 0.02, 0.01)
    assert evidence.change == -0.5
    assert (evidence.count_expected, evidence.count_actual, evidence.exposure) == (
        2000,
        1000,
        100_000,
    )
    # 14 days less the highest- and lowest-rate day (ties: any one of them)
    assert (evidence.baseline_days, evidence.baseline_count) == (12, 24_000)
    assert evidence.baseline_exposure == 1_200_000
    assert evidence.p_value < 1e-50
    assert evidence.campaign_name == "spring sale"
    assert alert.dedupe_key == f"ad_ctr_drop:7:31:{(FIRST + dt.timedelta(days=14)).isoformat()}"
    # conversions per click and per won are unchanged (40 / 1,000 = 80 / 2,000): no CVR or ROAS alert
    assert [a.kind for a in alerts] == ["ad_ctr_drop"]


def test_roas_alert_needs_fewer_conversions_per_won_and_a_lower_roas() -> None:
    usual = (50_000, 1_000, 500_000, 40, 1_500_000)  # ROAS 3.0
    pricier = (50_000, 1_000, 1_000_000, 40, 1_500_000)  # CPC doubled: ROAS 1.5
    (alert,) = ad_alerts(
        ad_days([usual] * 14 + [pricier]), days=np.array([14]), config=ADS, detected_at=_NOW
    )
    evidence = alert.evidence
    assert isinstance(evidence, AdDropEvidence)
    assert (alert.kind, evidence.expected, evidence.actual, evidence.change) == (
        "ad_roas_drop",
        3.0,
        1.5,
        -0.5,
    )
    assert (evidence.count_expected, evidence.count_actual) == (80.0, 40)
    # bigger baskets make up for it: conversions per won fell, ROAS did not
    richer = (50_000, 1_000, 1_000_000, 40, 3_000_000)
    series = ad_days([usual] * 14 + [richer])
    assert ad_alerts(series, days=np.array([14]), config=ADS, detected_at=_NOW) == []


def test_a_paused_campaign_is_not_an_alert() -> None:
    series = ad_days([(100_000, 2_000, 800_000, 80, 2_400_000)] * 14 + [(0, 0, 0, 0, 0)])
    assert ad_alerts(series, days=np.array([14]), config=ADS, detected_at=_NOW) == []


# ------------------------------------------------- a small version of the bars


def test_small_evaluation_meets_the_false_alert_and_recall_bars() -> None:
    sizes = [5, 20, 70, 70, 100, 200, 200, 300, 500, 1000, 2000, 2000]
    sim = simulate_sales(sizes, days=420, seed=3, drops=(0.3, 0.5, 0.8))
    score = score_sales(sim, SALES)
    assert score.false_per_quarter() <= 1.0
    whole = ("day", "days")
    recall_30, count_30 = score.recall(whole, drop=0.3, min_size=200)
    recall_50, count_50 = score.recall(whole, drop=0.5, min_size=70)
    assert count_30 >= 20 and recall_30 >= 0.95
    assert count_50 >= 20 and recall_50 >= 0.95
    # the truth for a small seller: 80 % of 5 orders a day is 4 orders, not separable
    assert score.recall(whole, drop=0.8, size=5)[0] < 0.5

    ads = simulate_ads([10, 100, 1000, 3000], days=400, seed=4, drops=(0.5,))
    ad_score = score_ads(ads, ADS)
    assert ad_score.false_per_quarter() <= 1.0
    assert ad_score.recall(("ctr",), min_size=1000)[0] >= 0.95
    assert ad_score.recall(("ctr",), size=10)[0] < 0.2


# ------------------------------------------------------------- the databases

_NOW = dt.datetime(2025, 3, 20, 0, 0, tzinfo=dt.UTC)
SEOUL = ZoneInfo("Asia/Seoul")


def _seed_store(session: Session) -> tuple[int, int, int]:
    """A Seoul shop with 8 paid orders a day at 10:00-17:00 for 8 weeks; yesterday
    (Wed 2025-03-19) one paid order and one cancelled; a New York shop with a
    clean 4 orders a day; a campaign whose CTR halves yesterday."""
    shop = make_seller(session, "shop")
    product = make_product(session, shop, "tea", 12_000)
    today = dt.date(2025, 3, 20)
    for back in range(1, 58):
        day = today - dt.timedelta(days=back)
        hours = [10] if back == 1 else range(10, 18)
        for hour in hours:
            make_order(session, shop, local(day.year, day.month, day.day, hour, 15), [(product, 1)])
    yesterday = today - dt.timedelta(days=1)
    make_order(session, shop, local(2025, 3, 19, 14), [(product, 5)], status="cancelled")

    york = make_seller(session, "york", timezone="America/New_York")
    tz = ZoneInfo("America/New_York")
    mug = make_product(session, york, "mug", 9_000)
    for back in range(0, 58):
        day = today - dt.timedelta(days=back)
        for hour in (9, 11, 13, 15):
            make_order(session, york, local(day.year, day.month, day.day, hour, tz=tz), [(mug, 1)])

    campaign = make_campaign(session, shop, "tea search")
    for back in range(1, 16):
        day = today - dt.timedelta(days=back)
        clicks = 600 if day == yesterday else 1_200
        make_ad_day(session, campaign, day, impressions=60_000, clicks=clicks,
                    spend=clicks * 300, conversions=clicks // 25,
                    conversion_revenue=clicks // 25 * 12_000)  # fmt: skip
    session.flush()
    return shop.id, york.id, campaign.id


def test_scans_find_the_drop_day_with_its_evidence(session: Session) -> None:
    shop, york, campaign = _seed_store(session)
    now = local(2025, 3, 20, 8, 30)  # the morning scan in Seoul
    alerts = scan_sales(session, now=now)
    (alert,) = alerts
    assert (alert.seller_id, alert.kind, alert.local_date) == (
        shop,
        "sales_drop_day",
        dt.date(2025, 3, 19),
    )
    assert alert.detected_at == now.astimezone(dt.UTC)
    evidence = alert.evidence
    assert isinstance(evidence, SalesDropEvidence)
    assert (evidence.expected, evidence.actual) == (8.0, 1)  # the cancelled order never counts
    assert evidence.change == -0.875
    assert evidence.p_value == pytest.approx(negbin_tail(1, 8.0), rel=1e-2)
    assert evidence.baseline == (8,) * 8
    assert evidence.baseline_dates[0] == dt.date(2025, 3, 12)
    assert evidence.baseline_dates[-1] == dt.date(2025, 1, 22)
    assert (evidence.expected_revenue, evidence.actual_revenue) == (96_000, 12_000)
    assert (evidence.quiet_since_hour, evidence.expected_since_quiet) == (11, 7.0)
    assert alert.dedupe_key == f"sales_drop:{shop}:2025-03-19"
    assert scan_sales_per_seller(session, now=now) == alerts
    stored = alert.outbox_evidence()
    assert (stored["kind"], stored["local_date"], stored["actual"]) == (
        "sales_drop_day",
        "2025-03-19",
        1,
    )
    assert stored["baseline_dates"][0] == "2025-03-12"
    # the next hourly scan finds the same day again: the outbox keeps one alert
    later = scan_sales(session, now=now + dt.timedelta(hours=1))
    assert [a.dedupe_key for a in later] == [alert.dedupe_key]
    for found in (alert, later[0]):
        new = record_alert(
            session,
            seller_id=found.seller_id,
            kind=found.kind,
            dedupe_key=found.dedupe_key,
            evidence=found.outbox_evidence(),
            detected_at=found.detected_at,
        )
        assert new is (found is alert)
    assert scan_sales(session, now=now, seller_ids=[york]) == []

    (ad,) = scan_ads(session, now=now)
    evidence_ad = ad.evidence
    assert isinstance(evidence_ad, AdDropEvidence)
    assert (ad.kind, evidence_ad.campaign_id, evidence_ad.campaign_name) == (
        "ad_ctr_drop",
        campaign,
        "tea search",
    )
    assert (evidence_ad.expected, evidence_ad.actual, evidence_ad.change) == (0.02, 0.01, -0.5)
    assert (evidence_ad.count_expected, evidence_ad.count_actual) == (1200.0, 600)
    assert evidence_ad.baseline_start == dt.date(2025, 3, 5)
    assert evidence_ad.baseline_end == dt.date(2025, 3, 18)
    assert evidence_ad.baseline_days == 12  # 14 days less the highest- and lowest-rate one
    assert scan_ads_per_seller(session, now=now) == [ad]

    store = Store(id=shop, timezone=SEOUL)
    assert [a.kind for a in detect_for_seller(session, store, now)] == [
        "ad_ctr_drop",
        "sales_drop_day",
    ]


def test_alerts_report_lists_each_day_once(session: Session) -> None:
    shop, york, _ = _seed_store(session)
    now = local(2025, 3, 20, 8, 30)
    report = alerts_report(
        session,
        Store(id=shop, timezone=SEOUL),
        Window(dt.date(2025, 3, 14), dt.date(2025, 3, 20), now),
    )
    assert isinstance(report, AlertsReport)
    assert (report.start, report.end) == (dt.date(2025, 3, 14), dt.date(2025, 3, 20))
    # 1 of 8 is not sure enough for an hourly check (p = 0.004): the midnight check finds it
    assert [(a.kind, a.local_date) for a in report.alerts] == [
        ("ad_ctr_drop", dt.date(2025, 3, 19)),
        ("sales_drop_day", dt.date(2025, 3, 19)),
    ]
    sales = report.alerts[1]
    assert sales.detected_at == local(2025, 3, 20, 0).astimezone(dt.UTC)  # the midnight check
    clean = alerts_report(
        session, Store(id=york, timezone=ZoneInfo("America/New_York")),
        Window(dt.date(2025, 3, 13), dt.date(2025, 3, 19), now),
    )  # fmt: skip
    assert isinstance(clean, AlertsReport) and clean.alerts == ()
    nobody = make_seller(session, "empty")
    empty = alerts_report(
        session,
        Store(id=nobody.id, timezone=SEOUL),
        Window(dt.date(2025, 3, 14), dt.date(2025, 3, 20), now),
    )
    assert empty == NoData(reason="no_orders")
