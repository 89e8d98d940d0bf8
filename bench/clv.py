"""BG/NBD and Gamma-Gamma fit times on simulated customers; prints the figures.

    .venv/bin/python -P bench/clv.py [--customers 100000] [--seed 1] [--repeats 3]

1. Weeks, continuous times (the paper's setting): customers simulated from the
   CDNOW parameters, T uniform in 27-39 weeks; the BG/NBD fit time (target
   under 3 s for 100k customers) and the recovered parameters.
2. A store in days: purchase days and KRW amounts simulated per customer, then
   the report's pipeline without the database: summarize_transactions, the
   BG/NBD and Gamma-Gamma fits, and scoring every customer (P(alive), expected
   purchases in 30/90 days, expected spend).
"""

from __future__ import annotations

import argparse
import datetime as dt
import time
from collections.abc import Callable
from typing import TypeVar

import numpy as np
import pandas as pd

from analytics.clv import bgnbd, gamma_gamma, summarize_transactions
from analytics.clv.report import SegmentRules, score_customers

T = TypeVar("T")


def simulate_bgnbd(
    rng: np.random.Generator,
    n: int,
    params: bgnbd.BGNBDParams,
    T: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """(x, t_x) of n customers observed for T: λ ~ Gamma(r, α), p ~ Beta(a, b); the
    customer drops out after each repeat purchase with probability p."""
    lam = rng.gamma(params.r, 1 / params.alpha, n)
    p = rng.beta(params.a, params.b, n)
    arrivals = rng.poisson(lam * T)  # purchases in (0, T] had the customer stayed
    lifetime = rng.geometric(np.clip(p, 1e-12, 1))  # the repeat purchase after which they leave
    x = np.minimum(arrivals, lifetime)
    # the x-th of `arrivals` uniform arrival times in (0, T]
    t_x = np.where(x > 0, T * rng.beta(np.maximum(x, 1), arrivals - x + 1), 0.0)
    return x.astype(np.float64), t_x


def timed(func: Callable[[], T], repeats: int) -> tuple[T, float]:
    best = float("inf")
    result: T | None = None
    for _ in range(repeats):
        start = time.perf_counter()
        result = func()
        best = min(best, time.perf_counter() - start)
    assert result is not None
    return result, best


def weeks(n: int, seed: int, repeats: int) -> None:
    truth = bgnbd.BGNBDParams(r=0.243, alpha=4.414, a=0.793, b=2.426)
    rng = np.random.default_rng(seed)
    T = rng.uniform(27, 39, n)
    x, t_x = simulate_bgnbd(rng, n, truth, T)
    fit, seconds = timed(lambda: bgnbd.fit(x, t_x, T), repeats)
    print(f"1. BG/NBD, {n:,} customers in weeks (continuous times, all rows distinct)")
    print(f"   repeat buyers {int((x > 0).sum()):,}, repeat purchases {int(x.sum()):,}")
    print(f"   fit time {seconds:.3f} s (best of {repeats}), {fit.iterations} iterations")
    for name in ("r", "alpha", "a", "b"):
        true, got = getattr(truth, name), getattr(fit.params, name)
        print(
            f"   {name:>5}: true {true:8.4f}  fitted {got:8.4f}  ({(got / true - 1) * 100:+.1f}%)"
        )


def store_days(n: int, seed: int, repeats: int) -> None:
    truth = bgnbd.BGNBDParams(r=0.8, alpha=40.0, a=0.6, b=3.0)
    spend_truth = gamma_gamma.GammaGammaParams(p=6.0, q=4.0, gamma=15_000.0)
    rng = np.random.default_rng(seed)
    end = dt.date(2024, 12, 31)
    first = rng.integers(0, 366, n)  # first purchase day in 2024
    T = (365 - first).astype(np.float64) + 1.0  # continuous time to the end of Dec 31
    lam = rng.gamma(truth.r, 1 / truth.alpha, n)
    p = rng.beta(truth.a, truth.b, n)
    arrivals = rng.poisson(lam * T)
    x = np.minimum(arrivals, rng.geometric(p))
    owner = np.repeat(np.arange(n), arrivals)
    times = rng.uniform(0, 1, len(owner)) * T[owner]
    order = np.lexsort((times, owner))
    owner, times = owner[order], times[order]
    rank = np.arange(len(owner)) - np.repeat(np.cumsum(arrivals) - arrivals, arrivals)
    keep = rank < x[owner]  # the purchases before dropping out
    nu = rng.gamma(spend_truth.q, 1 / spend_truth.gamma, n)
    customers = np.concatenate([np.arange(n), owner[keep]])
    offsets = np.concatenate([np.zeros(n), np.floor(times[keep])]).astype(np.int64)
    days = first[customers] + offsets
    amounts = np.round(rng.gamma(spend_truth.p, 1 / nu[customers])).astype(np.int64)
    transactions = pd.DataFrame(
        {
            "customer_id": customers,
            "date": np.datetime64("2024-01-01") + days.astype("timedelta64[D]"),
            "amount": amounts,
        }
    )
    print(f"\n2. A store in days: {n:,} customers, {len(transactions):,} purchases in 2024")
    summary, seconds = timed(lambda: summarize_transactions(transactions, calibration_end=end), 1)
    print(f"   summarize_transactions {seconds:.3f} s")
    distinct = len(summary[["x", "t_x", "T"]].drop_duplicates())
    fit, seconds = timed(lambda: bgnbd.fit(summary["x"], summary["t_x"], summary["T"]), repeats)
    print(
        f"   BG/NBD fit {seconds:.3f} s (best of {repeats}; {distinct:,} distinct (x, t_x, T)),"
        f" {fit.iterations} iterations"
    )
    for name in ("r", "alpha", "a", "b"):
        true, got = getattr(truth, name), getattr(fit.params, name)
        print(
            f"   {name:>5}: true {true:8.4f}  fitted {got:8.4f}  ({(got / true - 1) * 100:+.1f}%)"
        )
    spenders = summary[(summary["x"] > 0) & (summary["monetary"] > 0)]
    gg, seconds = timed(lambda: gamma_gamma.fit(spenders["x"], spenders["monetary"]), repeats)
    print(f"   Gamma-Gamma fit {seconds:.3f} s on {len(spenders):,} repeat buyers")
    for name in ("p", "q", "gamma"):
        true, got = getattr(spend_truth, name), getattr(gg.params, name)
        print(
            f"   {name:>5}: true {true:8.1f}  fitted {got:8.1f}  ({(got / true - 1) * 100:+.1f}%)"
        )
    print("   (whole-day purchase times and same-day merging bias the day-unit fit a little)")
    scored, seconds = timed(
        lambda: score_customers(summary, fit.params, gg.params, SegmentRules()), repeats
    )
    print(f"   scoring {len(scored):,} customers {seconds:.3f} s")
    print(f"   segments {scored['segment'].value_counts().to_dict()}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    weeks(args.customers, args.seed, args.repeats)
    store_days(args.customers, args.seed, args.repeats)


if __name__ == "__main__":
    main()
