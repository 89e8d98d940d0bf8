"""What the fast paths of the CLV models share must not change a figure: the
expectation's (x, T) factor evaluated once per distinct pair, identical customers
fitted once with a weight, the scored frame built in one concatenation."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import special

from analytics.clv import BGNBDParams, GammaGammaParams, bgnbd, gamma_gamma
from analytics.clv._optimize import row_groups
from analytics.clv.report import SegmentRules, score_customers

PUBLISHED = BGNBDParams(r=0.243, alpha=4.414, a=0.793, b=2.426)
# a = 787.6: at T = 19 Euler's transformed series is not finite, at T = 1000 it is
FALLBACK = BGNBDParams(r=2.27, alpha=0.08, a=787.6, b=0.2068)
CDNOW_SUMMARY = (
    Path(__file__).parent / "data" / "cdnow" / "cdnow_customers_summary_with_transactions.csv"
)


def _one_by_one(params: BGNBDParams, t: float, x: list, t_x: list, T: list) -> np.ndarray:
    return np.array(
        [
            bgnbd.expected_purchases(params, t, one, two, three)[0]
            for one, two, three in zip(x, t_x, T, strict=True)
        ]
    )


def _by_hand(params: BGNBDParams, t: float, x: float, t_x: float, T: float) -> float:
    """Paper eq. 10 with the untransformed ₂F₁ and eq. 13, one customer."""
    r, alpha, a, b = params.r, params.alpha, params.a, params.b
    z = t / (alpha + T + t)
    bracket = 1 - ((alpha + T) / (alpha + T + t)) ** (r + x) * special.hyp2f1(
        r + x, b + x, a + b + x - 1, z
    )
    odds_dead = a / (b + x - 1) * ((alpha + T) / (alpha + t_x)) ** (r + x) if x > 0 else 0.0
    return float((a + b + x - 1) / (a - 1) * bracket / (1 + odds_dead))


def test_row_groups_number_the_distinct_rows() -> None:
    x = np.array([1.0, 0.0, 1.0, 2.0, 1.0])
    T = np.array([5.0, 5.0, 5.0, 5.5, 5.5])  # not whole: hashed; x is counted
    groups, member = row_groups(x, T)
    # keys x·2 + code(T) = 2, 0, 2, 5, 3 renumbered in their order
    assert groups.tolist() == [1, 0, 1, 3, 2]
    assert x[member].tolist() == [0.0, 1.0, 1.0, 2.0]
    assert T[member].tolist() == [5.0, 5.0, 5.5, 5.5]


def test_expectation_once_per_pair_equals_each_customer_alone() -> None:
    # duplicates, one (x, T) with two t_x, and the published customer (1.226)
    x = [2, 2, 0, 2, 5, 0, 2]
    t_x = [30.43, 20.0, 0.0, 30.43, 38.0, 0.0, 30.43]
    T = [38.86, 38.86, 38.86, 38.86, 38.86, 20.0, 38.86]
    together = bgnbd.expected_purchases(PUBLISHED, 39, x, t_x, T)
    assert np.array_equal(together, _one_by_one(PUBLISHED, 39, x, t_x, T))
    assert round(float(together[0]), 3) == 1.226
    for got, one in zip(together, zip(x, t_x, T, strict=True), strict=True):
        assert got == pytest.approx(_by_hand(PUBLISHED, 39, *one), rel=1e-12)
    # a horizon per customer takes the elementwise path: the same numbers
    each = bgnbd.expected_purchases(PUBLISHED, np.full(len(x), 39.0), x, t_x, T)
    assert np.array_equal(together, each)


def test_expectation_at_a_equal_one_is_the_mean_either_side() -> None:
    at_one = BGNBDParams(r=0.243, alpha=4.414, a=1.0, b=2.426)
    below = BGNBDParams(r=0.243, alpha=4.414, a=1.0 - 1e-6, b=2.426)
    above = BGNBDParams(r=0.243, alpha=4.414, a=1.0 + 1e-6, b=2.426)
    x, t_x, T = [1, 1, 0, 3], [20.0, 20.0, 0.0, 35.0], [38.86, 38.86, 38.86, 38.86]
    together = bgnbd.expected_purchases(at_one, 39, x, t_x, T)
    assert np.array_equal(together, _one_by_one(at_one, 39, x, t_x, T))
    # as before: the mean of the elementwise expectations at a = 1 ∓ 1e-6
    arrays = [np.asarray(column, dtype=np.float64) for column in (x, t_x, T)]
    horizon = np.asarray(39.0)
    sides = bgnbd._expected(below, horizon, *arrays) + bgnbd._expected(above, horizon, *arrays)
    assert np.array_equal(together, sides / 2)
    assert together[0] == pytest.approx(_by_hand(below, 39, 1, 20.0, 38.86), rel=1e-5)
    p_alive, (thirty, ninety) = bgnbd.predict(at_one, (30.0, 90.0), x, t_x, T)
    assert np.array_equal(p_alive, bgnbd.probability_alive(at_one, x, t_x, T))
    assert np.array_equal(ninety, _one_by_one(at_one, 90, x, t_x, T))
    assert np.array_equal(thirty, _one_by_one(at_one, 30, x, t_x, T))


def test_expectation_falls_back_to_the_untransformed_series_per_pair() -> None:
    # T = 19: the transformed series overflows (the fallback); T = 1000: it does not
    x = [87, 3, 87, 0, 3, 87, 0]
    t_x = [18.0, 10.0, 18.0, 0.0, 900.0, 990.0, 0.0]
    T = [19.0, 19.0, 19.0, 19.0, 1000.0, 1000.0, 1000.0]
    together = bgnbd.expected_purchases(FALLBACK, 460, x, t_x, T)
    assert np.array_equal(together, _one_by_one(FALLBACK, 460, x, t_x, T))
    for got, one in zip(together, zip(x, t_x, T, strict=True), strict=True):
        assert got == pytest.approx(_by_hand(FALLBACK, 460, *one), rel=1e-11)
    # never bought again, the fallback factor itself: 0.9995980131248676 at T = 19
    assert together[3] == pytest.approx(0.9995980131248676, rel=1e-12)


def test_fitted_log_likelihoods_are_the_sums_over_every_customer() -> None:
    summary = pd.read_csv(CDNOW_SUMMARY)
    fit = bgnbd.fit(summary["x"], summary["t_x"], summary["T"])
    each = bgnbd.log_likelihood(fit.params, summary["x"], summary["t_x"], summary["T"])
    assert fit.log_likelihood == pytest.approx(float(np.sum(each)), rel=1e-12)
    assert fit.customers == 2357
    buyers = summary[summary["x"] > 0]
    spend = gamma_gamma.fit(buyers["x"], buyers["zbar"])
    each = gamma_gamma.log_likelihood(spend.params, buyers["x"], buyers["zbar"])
    assert spend.log_likelihood == pytest.approx(float(np.sum(each)), rel=1e-12)
    assert spend.customers == 946


def test_scored_frame_holds_the_models_figures_and_keeps_the_summary() -> None:
    summary = pd.DataFrame(
        {
            "x": [0, 1, 4, 4, 6],
            "t_x": [0.0, 195.0, 175.0, 20.0, 170.0],
            "T": [60.0, 200.0, 180.0, 180.0, 180.0],
            "monetary": [0.0, 12_000.0, 30_000.0, 25_000.0, 40_000.0],
        },
        index=pd.Index([11, 12, 13, 14, 15], name="customer_id"),
    )
    before = summary.copy()
    gg = GammaGammaParams(p=2.0, q=4.0, gamma=30_000.0)
    scored = score_customers(summary, PUBLISHED, gg, SegmentRules())
    pd.testing.assert_frame_equal(summary, before)
    assert list(scored.columns) == [
        *summary.columns,
        "p_alive",
        "expected_spend",
        "expected_purchases_30d",
        "expected_value_30d",
        "expected_purchases_90d",
        "expected_value_90d",
        "segment",
    ]
    x, t_x, T = summary["x"], summary["t_x"], summary["T"]
    assert np.array_equal(scored["p_alive"], bgnbd.probability_alive(PUBLISHED, x, t_x, T))
    for days in (30, 90):
        purchases = bgnbd.expected_purchases(PUBLISHED, days, x, t_x, T)
        assert np.array_equal(scored[f"expected_purchases_{days}d"], purchases)
        spend = gamma_gamma.expected_average_spend(gg, x, summary["monetary"])
        assert np.array_equal(scored[f"expected_value_{days}d"], purchases * spend)
    # 11 and 12 expect under 0.5 purchases in 90 days (0.29, 0.38); 13 and 15 bought
    # lately (P(alive) 0.86, 0.87), 14 last at day 20 of 180 (0.0013)
    assert scored["segment"].dtype == object
    assert scored["segment"].tolist() == [None, None, "regulars", "at_risk", "regulars"]
