"""Future regulars: BG/NBD and Gamma-Gamma against the published CDNOW figures,
the (x, t_x, T) summary against lifetimes' CDNOW summary, and the summary and
report built from hand-made stores on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import pytest
from scipy import integrate, stats
from sqlalchemy.orm import Session

from analytics.clv import (
    BGNBDParams,
    CustomerReport,
    FitError,
    GammaGammaParams,
    InvalidSummaryError,
    InvalidTransactionsError,
    ScoredStore,
    bgnbd,
    customer_report,
    customer_summary,
    gamma_gamma,
    purchase_days,
    score_store,
    summarize_transactions,
)
from analytics.common import NoData, Store
from storage.models import Customer, Seller
from storage.rollups import utc_offsets
from tests.factories import local, make_customer, make_order, make_product, make_seller

CDNOW = Path(__file__).parent / "data" / "cdnow"
CALIBRATION_END = dt.date(1997, 9, 30)  # 39 weeks after 1997-01-01
PUBLISHED = BGNBDParams(r=0.243, alpha=4.414, a=0.793, b=2.426)
SEOUL = ZoneInfo("Asia/Seoul")
BERLIN = ZoneInfo("Europe/Berlin")


@pytest.fixture(scope="module")
def cdnow_transactions() -> pd.DataFrame:
    raw = pd.read_csv(
        CDNOW / "CDNOW_sample.txt",
        sep=r"\s+",
        header=None,
        names=["master_id", "customer_id", "date", "cds", "amount"],
        dtype={"date": str},
    )
    raw["date"] = pd.to_datetime(raw["date"], format="%Y%m%d")
    return raw


@pytest.fixture(scope="module")
def cdnow_summary(cdnow_transactions: pd.DataFrame) -> pd.DataFrame:
    return summarize_transactions(cdnow_transactions, calibration_end=CALIBRATION_END, unit_days=7)


@pytest.fixture(scope="module")
def published_summary() -> pd.DataFrame:
    return pd.read_csv(CDNOW / "cdnow_customers_summary_with_transactions.csv").set_index("ID")


# ---------------------------------------------------------------- summary of CDNOW


def test_summary_of_cdnow_transactions_matches_lifetimes_summary(
    cdnow_summary: pd.DataFrame,
) -> None:
    published = pd.read_csv(CDNOW / "cdnow_customers_summary.csv").set_index("ID")
    assert len(cdnow_summary) == 2357
    assert list(cdnow_summary.index) == list(published.index)
    # weeks are days / 7; the published file rounds them to 2 decimals (days / 7 never
    # ends in an exact half at the third decimal, so rounding is unambiguous)
    assert (cdnow_summary["x"] == published["frequency"]).all()
    assert (cdnow_summary["t_x"].round(2) == published["recency"]).all()
    assert (cdnow_summary["T"].round(2) == published["T"]).all()
    assert int(cdnow_summary["x"].sum()) == 2457
    assert int((cdnow_summary["x"] > 0).sum()) == 946


def test_mean_repeat_spend_matches_published_zbar_to_the_cent(
    cdnow_summary: pd.DataFrame, published_summary: pd.DataFrame
) -> None:
    assert (cdnow_summary["x"] == published_summary["x"]).all()
    # zbar is rounded half-up to cents; 73 customers' means end in exactly half a cent
    # (e.g. customer 1: (29.73 + 14.96) / 2 = 22.345, published 22.35)
    difference = (cdnow_summary["monetary"] - published_summary["zbar"]).abs()
    assert difference.max() <= 0.005 + 1e-9
    assert cdnow_summary.loc[1, "monetary"] == pytest.approx(22.345)
    assert cdnow_summary.loc[1, "first_purchase"] == dt.date(1997, 1, 1)
    assert cdnow_summary.loc[1, "last_purchase"] == dt.date(1997, 8, 2)


# ---------------------------------------------------------------- BG/NBD on CDNOW


@pytest.mark.parametrize("source", ["own summary", "published summary"])
def test_bgnbd_fit_matches_published_parameters(
    source: str, cdnow_summary: pd.DataFrame, published_summary: pd.DataFrame
) -> None:
    data = cdnow_summary if source == "own summary" else published_summary
    fit = bgnbd.fit(data["x"], data["t_x"], data["T"])
    params = fit.params
    assert params.r == pytest.approx(0.243, rel=0.01)
    assert params.alpha == pytest.approx(4.414, rel=0.01)
    assert params.a == pytest.approx(0.793, rel=0.01)
    assert params.b == pytest.approx(2.426, rel=0.01)
    assert fit.log_likelihood == pytest.approx(-9582.4, abs=0.1)
    assert fit.customers == 2357


def test_conditional_expectation_matches_published_figure() -> None:
    expected = bgnbd.expected_purchases(PUBLISHED, 39, 2, 30.43, 38.86)
    assert round(float(expected[0]), 3) == 1.226


def test_conditional_expectation_with_fitted_parameters(
    cdnow_summary: pd.DataFrame,
) -> None:
    fit = bgnbd.fit(cdnow_summary["x"], cdnow_summary["t_x"], cdnow_summary["T"])
    expected = bgnbd.expected_purchases(fit.params, 39, 2, 30.43, 38.86)
    assert round(float(expected[0]), 3) == 1.226


def test_unconditional_expectation_matches_published_figures() -> None:
    full = BGNBDParams(r=0.24259, alpha=4.41360, a=0.79292, b=2.42589)
    got = bgnbd.expected_purchases_new_customer(full, [0.1429, 1, 3, 31.8571, 32])
    assert [round(float(v), 4) for v in got] == [0.0078, 0.0532, 0.1506, 1.0405, 1.0437]
    # the published 1.8576 at 78 weeks is 3e-4 below E[X(78)] computed independently of
    # the hypergeometric function: E[(1 − e^(−λpt))/p] over λ ~ Gamma(r, α), p ~ Beta(a, b);
    # the λ-expectation is 1 − (α/(α+pt))^r, leaving one integral over p: 1.85793
    at_78 = float(bgnbd.expected_purchases_new_customer(full, 78)[0])
    assert at_78 == pytest.approx(1.8576, abs=5e-4)
    numeric, _ = integrate.quad(
        lambda p: (
            (1 - (full.alpha / (full.alpha + p * 78)) ** full.r)
            / p
            * stats.beta.pdf(p, full.a, full.b)
        ),
        0,
        1,
    )
    assert at_78 == pytest.approx(numeric, abs=1e-6)
    assert at_78 == pytest.approx(1.85793, abs=1e-5)


def test_probability_alive_follows_the_paper() -> None:
    r, alpha, a, b = PUBLISHED.r, PUBLISHED.alpha, PUBLISHED.a, PUBLISHED.b
    # paper eq. 13 for x = 2, t_x = 30.43, T = 38.86
    by_hand = 1 / (1 + a / (b + 2 - 1) * ((alpha + 38.86) / (alpha + 30.43)) ** (r + 2))
    got = bgnbd.probability_alive(PUBLISHED, [0, 2, 2], [0, 30.43, 38.86], [38.86, 38.86, 38.86])
    assert got[0] == 1.0  # no repeat purchase: cannot have dropped out (the model's assumption)
    assert got[1] == pytest.approx(by_hand, rel=1e-12)
    assert got[2] == pytest.approx(1 / (1 + a / (b + 1)), rel=1e-12)  # bought at T


def test_expectation_stays_finite_for_heavy_buyers_and_at_a_equal_one() -> None:
    heavy = bgnbd.expected_purchases(PUBLISHED, 39, [50, 200], [38, 38.5], [38.86, 38.86])
    assert heavy[0] == pytest.approx(33.391198, rel=1e-6)
    assert heavy[1] == pytest.approx(135.057095, rel=1e-6)
    near = [bgnbd.BGNBDParams(0.243, 4.414, a, 2.426) for a in (1 - 1e-4, 1.0, 1 + 1e-4)]
    values = [float(bgnbd.expected_purchases(p, 39, 1, 20, 38.86)[0]) for p in near]
    assert values[1] == pytest.approx((values[0] + values[2]) / 2, rel=1e-5)


def test_bgnbd_input_errors() -> None:
    with pytest.raises(InvalidSummaryError, match="t_x must not exceed T"):
        bgnbd.fit([1, 0], [5.0, 0.0], [4.0, 3.0])
    with pytest.raises(InvalidSummaryError, match="x = 0"):
        bgnbd.fit([0], [1.0], [3.0])
    with pytest.raises(InvalidSummaryError, match="whole number"):
        bgnbd.fit([1.5], [1.0], [3.0])
    with pytest.raises(InvalidSummaryError, match="differ in length"):
        bgnbd.fit([1, 2], [1.0], [3.0])
    with pytest.raises(FitError, match="no customer made a repeat purchase"):
        bgnbd.fit([0, 0, 0], [0, 0, 0], [3.0, 4.0, 5.0])
    with pytest.raises(InvalidSummaryError, match="alpha must be > 0"):
        BGNBDParams(r=1, alpha=0, a=1, b=1)


# ---------------------------------------------------------------- Gamma-Gamma on CDNOW


@pytest.mark.parametrize("source", ["published zbar", "own monetary"])
def test_gamma_gamma_fit_matches_published_parameters(
    source: str, cdnow_summary: pd.DataFrame, published_summary: pd.DataFrame
) -> None:
    if source == "published zbar":
        buyers = published_summary[published_summary["x"] > 0]
        x, m = buyers["x"], buyers["zbar"]
    else:
        buyers = cdnow_summary[cdnow_summary["x"] > 0]
        x, m = buyers["x"], buyers["monetary"]
    fit = gamma_gamma.fit(x, m)
    assert fit.customers == 946
    assert fit.params.p == pytest.approx(6.25, rel=0.01)
    assert fit.params.q == pytest.approx(3.74, rel=0.01)
    assert fit.params.gamma == pytest.approx(15.44, rel=0.01)
    assert fit.log_likelihood == pytest.approx(-4055.92, abs=0.5)


def test_expected_average_spend_by_hand() -> None:
    params = GammaGammaParams(p=6.25, q=3.74, gamma=15.44)
    population = 6.25 * 15.44 / 2.74  # p γ / (q − 1) = 35.2190...
    own = (2.74 / (6.25 * 2 + 2.74)) * population + (6.25 * 2 / (6.25 * 2 + 2.74)) * 22.35
    got = gamma_gamma.expected_average_spend(params, [0, 2], [0.0, 22.35])
    assert got[0] == pytest.approx(population, rel=1e-12)
    assert got[1] == pytest.approx(own, rel=1e-12)
    assert got[1] == pytest.approx(24.6637, abs=1e-4)


def test_gamma_gamma_input_errors() -> None:
    with pytest.raises(InvalidSummaryError, match="m must be > 0"):
        gamma_gamma.fit([1, 2], [10.0, 0.0])
    with pytest.raises(InvalidSummaryError, match=">= 1"):
        gamma_gamma.fit([0, 2], [10.0, 5.0])
    with pytest.raises(FitError, match="mean spend is undefined"):
        _ = GammaGammaParams(p=1.0, q=0.8, gamma=1.0).population_mean_spend


# ---------------------------------------------------------------- summary, by hand


def test_summarize_small_frame_by_hand() -> None:
    transactions = pd.DataFrame(
        {
            "customer_id": ["a", "a", "a", "a", "b", "c", "c"],
            "date": [
                dt.date(2024, 1, 1),
                dt.date(2024, 1, 1),  # same day: one purchase of 15
                dt.date(2024, 1, 8),
                dt.date(2024, 2, 1),  # after the calibration end: ignored
                dt.date(2024, 1, 20),
                dt.date(2024, 1, 3),
                dt.date(2024, 1, 31),
            ],
            "amount": [10, 5, 30, 99, 7, 4, 8],
        }
    )
    got = summarize_transactions(transactions, calibration_end=dt.date(2024, 1, 31))
    expected = pd.DataFrame(
        {
            "x": [1, 0, 1],
            "t_x": [7.0, 0.0, 28.0],
            "T": [30.0, 11.0, 28.0],
            "monetary": [30.0, 0.0, 8.0],
            "first_purchase": [dt.date(2024, 1, 1), dt.date(2024, 1, 20), dt.date(2024, 1, 3)],
            "last_purchase": [dt.date(2024, 1, 8), dt.date(2024, 1, 20), dt.date(2024, 1, 31)],
        },
        index=pd.Index(["a", "b", "c"], name="customer_id"),
    )
    pd.testing.assert_frame_equal(got, expected, check_index_type=False)


def test_summarize_input_errors() -> None:
    frame = pd.DataFrame({"customer_id": [1], "date": ["2024-01-01"], "amount": [5]})
    with pytest.raises(InvalidTransactionsError, match="lack the column"):
        summarize_transactions(frame.drop(columns="amount"), calibration_end=dt.date(2024, 1, 2))
    with pytest.raises(InvalidTransactionsError, match="calibration_end must be a datetime.date"):
        summarize_transactions(frame, calibration_end=dt.datetime(2024, 1, 2, tzinfo=dt.UTC))
    with pytest.raises(InvalidTransactionsError, match=">= 0"):
        summarize_transactions(frame.assign(amount=-1), calibration_end=dt.date(2024, 1, 2))


def test_utc_offsets_find_daylight_saving_transitions() -> None:
    start = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
    segments = utc_offsets(BERLIN, start, dt.datetime(2024, 12, 31, tzinfo=dt.UTC))
    assert segments == [
        (start, 3600),
        (dt.datetime(2024, 3, 31, 1, 0, tzinfo=dt.UTC), 7200),
        (dt.datetime(2024, 10, 27, 1, 0, tzinfo=dt.UTC), 3600),
    ]
    assert utc_offsets(SEOUL, start, dt.datetime(2024, 12, 31, tzinfo=dt.UTC)) == [(start, 32400)]


# ---------------------------------------------------------------- summary from the orders table


def _store(seller: Seller, tz: ZoneInfo = SEOUL) -> Store:
    return Store(id=seller.id, timezone=tz)


def test_customer_summary_from_orders(session: Session) -> None:
    shop = make_seller(session, "shop")
    other = make_seller(session, "other")
    ten = make_product(session, shop, "ten", 10_000)
    five = make_product(session, shop, "five", 5_000)
    four = make_product(session, shop, "four", 4_000)
    theirs = make_product(session, other, "theirs", 1_000)
    a = make_customer(session, shop, "A")
    b = make_customer(session, shop, "B")
    c = make_customer(session, shop, "C")
    d = make_customer(session, shop, "D")
    f = make_customer(session, shop, "F")
    e = make_customer(session, other, "E")
    # A: 07:00 and 20:00 KST on Mar 1 fall on two UTC days but one local day: 15,000
    make_order(session, shop, local(2024, 3, 1, 7), [(ten, 1)], customer=a)
    make_order(session, shop, local(2024, 3, 1, 20), [(five, 1)], customer=a)
    make_order(session, shop, local(2024, 3, 5), [(ten, 3)], customer=a, status="cancelled")
    make_order(session, shop, local(2024, 3, 11), [(ten, 2)], customer=a)
    make_order(session, shop, local(2024, 3, 21, 0, 30), [(four, 1)], customer=a)
    make_order(session, shop, local(2024, 3, 25), [(ten, 3)], customer=a, status="refunded")
    make_order(session, shop, local(2024, 4, 1, 10), [(ten, 1)], customer=a)  # after as_of
    make_order(session, shop, local(2024, 3, 31, 17), [(five, 1), (ten, 1)], customer=b)
    make_order(session, shop, local(2024, 3, 10), [(ten, 1)], customer=c, status="cancelled")
    make_order(session, shop, local(2024, 3, 31, 19), [(ten, 1)], customer=d)  # after as_of
    make_order(session, shop, local(2024, 3, 30, 23, 59), [(four, 1)], customer=f)
    make_order(session, shop, local(2024, 3, 31, 0, 1), [(five, 2)], customer=f)
    make_order(session, shop, local(2024, 3, 15), [(ten, 1)])  # a guest: no customer
    make_order(session, other, local(2024, 3, 15), [(theirs, 1)], customer=e)
    make_order(session, other, local(2024, 3, 20), [(theirs, 1)], customer=e)
    session.commit()
    as_of = local(2024, 3, 31, 18)

    days = purchase_days(session, _store(shop), as_of=as_of)
    assert list(days.itertuples(index=False, name=None)) == [
        (a.id, dt.date(2024, 3, 1), 15_000),
        (a.id, dt.date(2024, 3, 11), 20_000),
        (a.id, dt.date(2024, 3, 21), 4_000),
        (b.id, dt.date(2024, 3, 31), 15_000),
        (f.id, dt.date(2024, 3, 30), 4_000),
        (f.id, dt.date(2024, 3, 31), 10_000),
    ]

    summary = customer_summary(session, _store(shop), as_of=as_of)
    expected = pd.DataFrame(
        {
            "x": [2, 0, 1],
            "t_x": [20.0, 0.0, 1.0],
            "T": [30.0, 0.0, 1.0],
            "monetary": [12_000.0, 0.0, 10_000.0],
            "first_purchase": [dt.date(2024, 3, 1), dt.date(2024, 3, 31), dt.date(2024, 3, 30)],
            "last_purchase": [dt.date(2024, 3, 21), dt.date(2024, 3, 31), dt.date(2024, 3, 31)],
        },
        index=pd.Index([a.id, b.id, f.id], name="customer_id"),
    )
    pd.testing.assert_frame_equal(summary, expected)


def test_local_days_follow_daylight_saving_time(session: Session) -> None:
    shop = make_seller(session, "berlin", timezone="Europe/Berlin")
    item = make_product(session, shop, "item", 1_000)
    g = make_customer(session, shop, "G")
    # 23:30 CET (UTC+1) on Jan 15; 00:30 and 23:30 CEST (UTC+2) on Jul 1
    make_order(session, shop, local(2024, 1, 15, 23, 30, tz=BERLIN), [(item, 1)], customer=g)
    make_order(session, shop, local(2024, 7, 1, 0, 30, tz=BERLIN), [(item, 2)], customer=g)
    make_order(session, shop, local(2024, 7, 1, 23, 30, tz=BERLIN), [(item, 3)], customer=g)
    session.commit()
    store = _store(shop, BERLIN)
    as_of = local(2024, 7, 10, 12, tz=BERLIN)
    days = purchase_days(session, store, as_of=as_of)
    assert list(days.itertuples(index=False, name=None)) == [
        (g.id, dt.date(2024, 1, 15), 1_000),
        (g.id, dt.date(2024, 7, 1), 5_000),
    ]
    summary = customer_summary(session, store, as_of=as_of)
    assert summary.loc[g.id, ["x", "t_x", "T", "monetary"]].tolist() == [1, 168.0, 177.0, 5000.0]


# ---------------------------------------------------------------- the report


def test_store_without_customers_says_so(session: Session) -> None:
    shop = make_seller(session, "empty")
    item = make_product(session, shop, "item", 1_000)
    make_order(session, shop, local(2024, 3, 1), [(item, 1)])  # a guest order only
    session.commit()
    got = customer_report(session, _store(shop), as_of=local(2024, 3, 31), segment="regulars")
    assert got == NoData(reason="no_customers", detail={"as_of": "2024-03-31T12:00:00+09:00"})


def test_tiny_store_has_too_few_customers(session: Session) -> None:
    shop = make_seller(session, "tiny")
    item = make_product(session, shop, "item", 1_000)
    for number in range(5):
        customer = make_customer(session, shop, f"c{number}")
        make_order(session, shop, local(2024, 3, 1 + number), [(item, 1)], customer=customer)
        if number < 2:
            make_order(session, shop, local(2024, 3, 20), [(item, 1)], customer=customer)
    session.commit()
    got = customer_report(session, _store(shop), as_of=local(2024, 3, 31))
    assert isinstance(got, NoData)
    assert got.reason == "too_few_customers"
    assert got.detail == {
        "customers": 5,
        "repeat_buyers": 2,
        "min_customers": 200,
        "min_repeat_buyers": 30,
        "why": "below the minimum for a stable fit",
    }


def test_report_input_errors(session: Session) -> None:
    store = _store(make_seller(session, "x"))
    with pytest.raises(ValueError, match="timezone-aware"):
        customer_report(session, store, as_of=dt.datetime(2024, 3, 31))
    with pytest.raises(ValueError, match="unknown segment"):
        customer_report(session, store, as_of=local(2024, 3, 31), segment="vip")  # type: ignore[arg-type]


def _simulated_purchase_days(seed: int, customers: int) -> list[list[int]]:
    """Each customer's purchase days (day numbers in 2024, 0 = Jan 1) drawn from a BG/NBD
    process: first purchase in the first 300 days, λ ~ Gamma(0.8, 40 days), dropout after
    each repeat purchase with p ~ Beta(0.6, 3)."""
    rng = np.random.default_rng(seed)
    result = []
    for _ in range(customers):
        day = int(rng.integers(0, 300))
        rate = rng.gamma(0.8, 1 / 40)
        dropout = rng.beta(0.6, 3)
        days = [day]
        clock = float(day)
        while True:
            clock += rng.exponential(1 / rate)
            if clock >= 366:
                break
            days.append(int(clock))
            if rng.random() < dropout:
                break
        result.append(sorted(set(days)))
    return result


def test_report_on_a_store_of_regulars(session: Session) -> None:
    shop = make_seller(session, "regulars")
    item = make_product(session, shop, "item", 10_000)
    jan1 = dt.date(2024, 1, 1)

    def buy(customer: Customer, day: dt.date, quantity: int = 1) -> None:
        at = local(day.year, day.month, day.day, 12)
        make_order(session, shop, at, [(item, quantity)], customer=customer)

    population = _simulated_purchase_days(seed=7, customers=260)
    for number, days in enumerate(population):
        customer = make_customer(session, shop, f"S{number:03d}")
        for day in days:
            buy(customer, jan1 + dt.timedelta(days=day), quantity=1 + number % 3)
    vip = make_customer(session, shop, "VIP")
    vip.name = "한지율"  # stored unmasked: shown masked
    for day in range(4, 365, 15):  # every 15 days from Jan 5 to Dec 30: 25 purchase days
        buy(vip, jan1 + dt.timedelta(days=day), quantity=5)
    buy(vip, dt.date(2024, 12, 30))  # a second order on Dec 30: 26 orders on 25 days
    buy(vip, dt.date(2025, 1, 1))  # after as_of: not counted
    lapsed = make_customer(session, shop, "LAPSED")
    lapsed.name = "John Smith"
    for day in range(1, 51):  # daily from Jan 2 to Feb 20: 50 purchase days, then gone
        buy(lapsed, jan1 + dt.timedelta(days=day), quantity=2)
    newbie = make_customer(session, shop, "NEWBIE")
    buy(newbie, dt.date(2024, 12, 20))  # two purchases in the last 12 days
    buy(newbie, dt.date(2024, 12, 29))
    session.commit()
    store = _store(shop)
    as_of = local(2024, 12, 31, 23)
    reports = {
        segment: customer_report(session, store, as_of=as_of, segment=segment, limit=5)
        for segment in ("regulars", "at_risk", "likely_regulars")
    }
    regulars, at_risk, likely = reports["regulars"], reports["at_risk"], reports["likely_regulars"]
    assert isinstance(regulars, CustomerReport)
    assert isinstance(at_risk, CustomerReport)
    assert isinstance(likely, CustomerReport)

    assert regulars.customers_fitted == 263
    assert regulars.repeat_buyers == sum(len(days) > 1 for days in population) + 3
    assert regulars.spend_customers_fitted == regulars.repeat_buyers
    assert regulars.calibration_end == as_of
    assert regulars.calibration_end_date == dt.date(2024, 12, 31)
    # the simulation's λ ~ Gamma(0.8, 40 days), loosely: 263 customers say little more
    assert 0.4 < regulars.bgnbd.r < 1.6
    assert 20 < regulars.bgnbd.alpha < 80
    assert at_risk.counts == regulars.counts == likely.counts
    assert sum(regulars.counts.model_dump().values()) <= 263

    vip_row = regulars.customers[0]
    assert (vip_row.customer, vip_row.name, vip_row.orders, vip_row.purchases) == (
        "VIP",
        "한*율",
        26,
        25,
    )
    assert vip_row.last_purchase == dt.date(2024, 12, 30)
    assert vip_row.expected_spend > 40_000  # spends 50,000 a day, the others 10,000-30,000
    values = [row.expected_value_90d for row in regulars.customers]
    assert values == sorted(values, reverse=True)
    assert all(row.purchases >= 4 and row.p_alive >= 0.5 for row in regulars.customers)

    lapsed_row = at_risk.customers[0]
    assert (lapsed_row.customer, lapsed_row.name, lapsed_row.orders, lapsed_row.purchases) == (
        "LAPSED",
        "J* S*",
        50,
        50,
    )
    assert lapsed_row.last_purchase == dt.date(2024, 2, 20)
    assert lapsed_row.p_alive < 0.01
    purchases = [row.purchases for row in at_risk.customers]
    assert purchases == sorted(purchases, reverse=True)
    assert all(row.purchases >= 4 and row.p_alive < 0.5 for row in at_risk.customers)

    newbie_row = likely.customers[0]
    assert (newbie_row.customer, newbie_row.name, newbie_row.orders, newbie_row.purchases) == (
        "NEWBIE",
        None,
        2,
        2,
    )
    assert newbie_row.last_purchase == dt.date(2024, 12, 29)
    expected = [row.expected_purchases_90d for row in likely.customers]
    assert expected == sorted(expected, reverse=True)
    assert all(row.purchases <= 2 and row.expected_purchases_90d >= 0.5 for row in likely.customers)

    for report in reports.values():
        assert isinstance(report, CustomerReport)
        assert len(report.customers) == 5
        for row in report.customers:
            assert 0 <= row.expected_purchases_30d <= row.expected_purchases_90d
            assert row.expected_value_30d <= row.expected_value_90d
            exact = row.expected_purchases_90d * row.expected_spend
            assert abs(row.expected_value_90d - exact) <= row.expected_purchases_90d / 2 + 0.5


def test_a_store_whose_maximum_lies_on_a_flat_ridge_is_fitted_not_refused(
    sqlite_template: Path, tmp_path: Path
) -> None:
    """The 90-day demo store (seed 2, as tests/test_web_demo.py seeds it) has hardly any
    dropout: BG/NBD's a and b grow together and the likelihood is flat along them.
    scipy's L-BFGS-B stops there with "ABNORMAL" and Nelder-Mead runs out of iterations
    walking the ridge, at the same likelihood: that is the fit, and the seller gets the
    report instead of "not enough customers" for 7,296 of them."""
    from storage.db import make_engine, session_factory
    from storage.demo import demo_spec, seed_stores

    seoul = ZoneInfo("Asia/Seoul")
    now = dt.datetime(2026, 11, 27, 14, 30, tzinfo=seoul).astimezone(dt.UTC)
    path = tmp_path / "demo.db"
    path.write_bytes(sqlite_template.read_bytes())
    engine = make_engine(f"sqlite:///{path}")
    try:
        with session_factory(engine).begin() as session:
            seed_stores(session, [demo_spec(now, days=90, orders_per_day=100)], seed=2)
            seller = session.query(Seller).filter(Seller.slug == "demo").one()
            store = Store(id=seller.id, timezone=seoul)
            as_of = dt.datetime(2026, 11, 27, 5, tzinfo=dt.UTC)  # the hour's start (14:00 KST)
            scored = score_store(session, store, as_of=as_of)
    finally:
        engine.dispose()
    assert isinstance(scored, ScoredStore), scored
    assert (scored.bg_fit.customers, scored.repeat_buyers) == (7_296, 895)
    assert round(scored.bg_fit.log_likelihood, 2) == -7_787.34
    assert scored.bg_fit.params.a > 1e5 and scored.bg_fit.params.b > 1e5  # on the ridge
