"""Future regulars: one seller's customers scored by BG/NBD and Gamma-Gamma.

Time unit: days. The calibration period of each customer runs from their first
paid purchase day to the local date of `as_of`; predictions are for the next
30 and 90 days. A purchase is a purchase day (several paid orders on one local
day are one occasion), so `purchases` and the expectations count days; `orders`
counts the paid orders themselves. Money is in the store's currency (its minor
unit), rounded to whole units. Names are masked (analytics.masking).

Segments (thresholds in `SegmentRules`, carried in the result for audit):

- ``likely_regulars``: at most `likely_max_repeat` (1) repeat purchase days so
  far, and at least `likely_min_expected_90d` (0.5) expected purchases in the
  next 90 days; ranked by expected purchases in 90 days.
- ``regulars``: at least `regular_min_repeat` (3) repeat purchase days (4
  purchase days in all) and P(alive) >= `alive_threshold` (0.5); ranked by
  expected value in 90 days.
- ``at_risk``: the same purchase history but P(alive) < `alive_threshold`:
  more likely gone than not; ranked by purchases so far, then the lowest P(alive).

A store needs `MIN_CUSTOMERS` (200) customers and `MIN_REPEAT_BUYERS` (30) repeat
buyers for a stable fit; below that, or when either fit fails, the answer is
`NoData(reason="too_few_customers")` with the counts, never a guess.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd
from sqlalchemy.orm import Session

from analytics.clv import bgnbd, gamma_gamma
from analytics.clv.errors import FitError
from analytics.clv.transactions import customer_summary
from analytics.common import NoData, Result, Store
from analytics.masking import mask_name
from analytics.queries.customers import CustomerFacts, customer_facts
from storage.purchases import EPOCH

Segment = Literal["likely_regulars", "regulars", "at_risk"]
SEGMENTS: tuple[Segment, ...] = ("likely_regulars", "regulars", "at_risk")
MIN_CUSTOMERS = 200
MIN_REPEAT_BUYERS = 30
HORIZONS_DAYS = (30, 90)


class SegmentRules(Result):
    likely_max_repeat: int = 1
    likely_min_expected_90d: float = 0.5
    regular_min_repeat: int = 3
    alive_threshold: float = 0.5


class BGNBDParameters(Result):
    """Purchase rate ~ Gamma(r, alpha) with alpha in days; dropout ~ Beta(a, b)."""

    r: float
    alpha: float
    a: float
    b: float
    log_likelihood: float


class GammaGammaParameters(Result):
    """Spend per purchase day ~ Gamma(p, ν), ν ~ Gamma(q, gamma); gamma in the store's currency."""

    p: float
    q: float
    gamma: float
    log_likelihood: float


class SegmentCounts(Result):
    likely_regulars: int
    regulars: int
    at_risk: int


class CustomerOutlook(Result):
    customer: str  # the store's own customer id (external id)
    name: str | None = None  # masked (analytics.masking): 한*율; None when none is stored
    orders: int  # paid orders up to as_of (two on one day are two)
    purchases: int  # purchase days up to as_of, the first included (the model's unit)
    last_purchase: dt.date  # local date
    p_alive: float
    expected_purchases_30d: float
    expected_purchases_90d: float
    expected_spend: int  # expected spend per purchase day (Gamma-Gamma), currency units
    expected_value_30d: int
    expected_value_90d: int


class CustomerReport(Result):
    kind: Literal["customer_report"] = "customer_report"
    store_id: int
    currency: str
    calibration_end: dt.datetime  # the as-of time
    calibration_end_date: dt.date  # its local date, the last day counted
    time_unit: Literal["day"] = "day"
    bgnbd: BGNBDParameters
    gamma_gamma: GammaGammaParameters
    customers_fitted: int
    repeat_buyers: int
    spend_customers_fitted: int
    segment: Segment
    rules: SegmentRules
    counts: SegmentCounts
    customers: tuple[CustomerOutlook, ...]


def _too_few(summary: pd.DataFrame, repeat_buyers: int, why: str) -> NoData:
    return NoData(
        reason="too_few_customers",
        detail={
            "customers": len(summary),
            "repeat_buyers": repeat_buyers,
            "min_customers": MIN_CUSTOMERS,
            "min_repeat_buyers": MIN_REPEAT_BUYERS,
            "why": why,
        },
    )


def score_customers(
    summary: pd.DataFrame,
    bg: bgnbd.BGNBDParams,
    gg: gamma_gamma.GammaGammaParams,
    rules: SegmentRules,
) -> pd.DataFrame:
    """Add p_alive, expected purchases and value in 30/90 days, expected spend and the
    segment (None outside the three) to a day-unit customer summary."""
    x = summary["x"].to_numpy()
    p_alive, expected = bgnbd.predict(
        bg, tuple(float(days) for days in HORIZONS_DAYS), x, summary["t_x"], summary["T"]
    )
    spend = gamma_gamma.expected_average_spend(gg, x, summary["monetary"])
    columns: dict[str, Any] = {"p_alive": p_alive, "expected_spend": spend}
    for days, purchases in zip(HORIZONS_DAYS, expected, strict=True):
        columns[f"expected_purchases_{days}d"] = purchases
        columns[f"expected_value_{days}d"] = purchases * spend
    likely = (x <= rules.likely_max_repeat) & (
        columns["expected_purchases_90d"] >= rules.likely_min_expected_90d
    )
    frequent = x >= rules.regular_min_repeat
    alive = p_alive >= rules.alive_threshold
    segment = np.full(len(x), None, dtype=object)
    segment[frequent & ~alive] = "at_risk"
    segment[frequent & alive] = "regulars"
    segment[likely] = "likely_regulars"
    columns["segment"] = pd.Series(segment, index=summary.index, dtype="object")
    # one concatenation, not a copy of the summary and a column at a time (each copied)
    added = pd.DataFrame(columns, index=summary.index, copy=False)
    return pd.concat([summary, added], axis=1)


def _top(scored: pd.DataFrame, segment: Segment, limit: int) -> pd.DataFrame:
    """The first `limit` customers of `segment` in its ranking, ties by internal id.
    Only the segment's ranking keys are sorted (numpy, stable), not the whole frame."""
    if segment == "likely_regulars":
        keys, ascending = ["expected_purchases_90d", "expected_value_90d"], [False, False]
    elif segment == "regulars":
        keys, ascending = ["expected_value_90d", "p_alive"], [False, False]
    else:
        keys, ascending = ["x", "p_alive"], [False, True]
    members = np.flatnonzero((scored["segment"] == segment).to_numpy())
    columns = [scored[key].to_numpy()[members] for key in keys]
    columns.append(scored.index.to_numpy()[members])
    ranking = [
        column if up else -column for column, up in zip(columns, [*ascending, True], strict=True)
    ]
    order = np.lexsort(ranking[::-1])  # lexsort's last key is the primary one
    return scored.iloc[members[order[:limit]]]


@dataclass(frozen=True)
class ScoredStore:
    """Both models fitted on a store's customers at `as_of`, every customer scored.

    Fitting is the slow part of a customer report; a caller that answers several
    questions about one store (the advisor) may keep this and reuse it.
    """

    store_id: int
    as_of: dt.datetime
    rules: SegmentRules
    scored: pd.DataFrame
    bg_fit: bgnbd.BGNBDFit
    gg_fit: gamma_gamma.GammaGammaFit
    repeat_buyers: int


def score_store(
    session: Session, store: Store, *, as_of: dt.datetime, rules: SegmentRules | None = None
) -> ScoredStore | NoData:
    """Fit BG/NBD and Gamma-Gamma on the store's customers up to `as_of` and score each."""
    if as_of.tzinfo is None:
        raise ValueError("as_of must be timezone-aware")
    rules = rules or SegmentRules()
    summary = customer_summary(session, store, as_of=as_of, dates=False)
    if summary.empty:
        return NoData(reason="no_customers", detail={"as_of": as_of.isoformat()})
    repeat_buyers = int((summary["x"] > 0).sum())
    if len(summary) < MIN_CUSTOMERS or repeat_buyers < MIN_REPEAT_BUYERS:
        return _too_few(summary, repeat_buyers, "below the minimum for a stable fit")
    try:
        bg_fit = bgnbd.fit(summary["x"], summary["t_x"], summary["T"])
        spenders = summary[(summary["x"] > 0) & (summary["monetary"] > 0)]
        gg_fit = gamma_gamma.fit(spenders["x"], spenders["monetary"])
        scored = score_customers(summary, bg_fit.params, gg_fit.params, rules)
    except FitError as exc:
        return _too_few(summary, repeat_buyers, f"fit failed: {exc}")
    return ScoredStore(store.id, as_of, rules, scored, bg_fit, gg_fit, repeat_buyers)


def customer_report(
    session: Session,
    store: Store,
    *,
    as_of: dt.datetime,
    segment: Segment = "likely_regulars",
    limit: int = 10,
    rules: SegmentRules | None = None,
    scored_store: ScoredStore | NoData | None = None,
) -> CustomerReport | NoData:
    """Fit BG/NBD and Gamma-Gamma on the store's customers up to `as_of` and list the top
    `limit` customers of `segment`, with every segment's size and the fitted parameters.
    `scored_store` (from `score_store` for this store) skips the fit."""
    if as_of.tzinfo is None:
        raise ValueError("as_of must be timezone-aware")
    if segment not in SEGMENTS:
        raise ValueError(f"unknown segment {segment!r}; expected one of {', '.join(SEGMENTS)}")
    if limit < 1:
        raise ValueError(f"limit must be >= 1, got {limit}")
    if scored_store is None:
        scored_store = score_store(session, store, as_of=as_of, rules=rules)
    if isinstance(scored_store, NoData):
        return scored_store
    if scored_store.store_id != store.id:
        raise ValueError("scored_store belongs to another store")
    scored, bg_fit, gg_fit = scored_store.scored, scored_store.bg_fit, scored_store.gg_fit
    rules, repeat_buyers, as_of = scored_store.rules, scored_store.repeat_buyers, scored_store.as_of

    top = _top(scored, segment, limit)
    facts = customer_facts(session, store.id, [int(i) for i in top.index], as_of=as_of)
    counts = scored["segment"].value_counts()
    bg, gg = bg_fit.params, gg_fit.params
    return CustomerReport(
        store_id=store.id,
        currency=store.currency,
        calibration_end=as_of,
        calibration_end_date=as_of.astimezone(store.timezone).date(),
        bgnbd=BGNBDParameters(
            r=bg.r, alpha=bg.alpha, a=bg.a, b=bg.b, log_likelihood=bg_fit.log_likelihood
        ),
        gamma_gamma=GammaGammaParameters(
            p=gg.p, q=gg.q, gamma=gg.gamma, log_likelihood=gg_fit.log_likelihood
        ),
        customers_fitted=bg_fit.customers,
        repeat_buyers=repeat_buyers,
        spend_customers_fitted=gg_fit.customers,
        segment=segment,
        rules=rules,
        counts=SegmentCounts(**{name: int(counts.get(name, 0)) for name in SEGMENTS}),
        customers=tuple(
            _outlook(row, facts.get(int(internal_id)) or CustomerFacts(str(internal_id), None, 0))
            for internal_id, row in top.iterrows()
        ),
    )


def _outlook(row: Any, facts: CustomerFacts) -> CustomerOutlook:
    """One scored customer (a row of `score_customers`) as the report lists it."""
    return CustomerOutlook(
        customer=facts.external_id,
        name=mask_name(facts.name),
        orders=facts.orders,
        purchases=int(row.x) + 1,
        last_purchase=EPOCH + dt.timedelta(days=int(row.last_day)),
        p_alive=float(row.p_alive),
        expected_purchases_30d=float(row.expected_purchases_30d),
        expected_purchases_90d=float(row.expected_purchases_90d),
        expected_spend=round(float(row.expected_spend)),
        expected_value_30d=round(float(row.expected_value_30d)),
        expected_value_90d=round(float(row.expected_value_90d)),
    )
