"""The BG/NBD model of repeat buying (Fader, Hardie & Lee 2005, "Counting Your
Customers the Easy Way", Marketing Science 24(2)), fitted by maximum likelihood.

Data contract: one row per customer, in one time unit of the caller's choice
(weeks for CDNOW, days for a store):

- ``x``: number of repeat purchases (purchase occasions after the first), integer >= 0;
- ``t_x``: time of the last purchase, measured from the first (0 when x = 0, > 0 otherwise);
- ``T``: time from the first purchase to the end of the calibration period (>= t_x).

The fitted ``alpha`` is in the same unit; so are the horizons ``t`` of the predictions.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy import special

from analytics.clv._optimize import distinct_values, minimize_log_params, row_groups
from analytics.clv.errors import FitError, InvalidSummaryError

FloatArray = npt.NDArray[np.float64]
ArrayLike = npt.ArrayLike

# The optimiser works on log-parameters inside these bounds (1e-6 .. 1e6 after
# rescaling time to its mean), so a degenerate optimum stays finite.


@dataclass(frozen=True, slots=True)
class BGNBDParams:
    """Purchase rate λ ~ Gamma(shape r, rate alpha); dropout p ~ Beta(a, b)."""

    r: float
    alpha: float
    a: float
    b: float

    def __post_init__(self) -> None:
        for name in ("r", "alpha", "a", "b"):
            value = getattr(self, name)
            if not (np.isfinite(value) and value > 0):
                raise InvalidSummaryError(f"BG/NBD parameter {name} must be > 0, got {value!r}")


@dataclass(frozen=True, slots=True)
class BGNBDFit:
    params: BGNBDParams
    log_likelihood: float
    customers: int
    iterations: int


def _summary_arrays(
    x: ArrayLike, t_x: ArrayLike, T: ArrayLike
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Validate (x, t_x, T) against the model's domain; return them as float arrays."""
    arrays = []
    for name, value in (("x", x), ("t_x", t_x), ("T", T)):
        array = np.atleast_1d(np.asarray(value, dtype=np.float64))
        if array.ndim != 1:
            raise InvalidSummaryError(f"{name} must be one-dimensional, got shape {array.shape}")
        if not np.all(np.isfinite(array)):
            raise InvalidSummaryError(f"{name} has missing or infinite values")
        arrays.append(array)
    xs, txs, Ts = arrays
    if not (len(xs) == len(txs) == len(Ts)):
        raise InvalidSummaryError(
            f"x, t_x and T differ in length ({len(xs)}, {len(txs)}, {len(Ts)})"
        )
    if np.any(xs < 0) or np.any(xs != np.round(xs)):
        raise InvalidSummaryError("x must be a whole number of repeat purchases >= 0")
    if np.any(txs < 0):
        raise InvalidSummaryError("t_x must be >= 0")
    if np.any(txs > Ts):
        first = int(np.argmax(txs > Ts))
        raise InvalidSummaryError(
            f"t_x must not exceed T (customer #{first}: t_x={txs[first]}, T={Ts[first]})"
        )
    if np.any((xs == 0) & (txs != 0)):
        raise InvalidSummaryError("a customer without repeat purchases (x = 0) must have t_x = 0")
    if np.any((xs > 0) & (txs == 0)):
        raise InvalidSummaryError("a customer with repeat purchases (x > 0) must have t_x > 0")
    return xs, txs, Ts


def _check_horizon(t: ArrayLike) -> FloatArray:
    horizon = np.asarray(t, dtype=np.float64)
    if not np.all(np.isfinite(horizon)) or np.any(horizon < 0):
        raise InvalidSummaryError(f"the horizon t must be finite and >= 0, got {t!r}")
    return horizon


def log_likelihood(params: BGNBDParams, x: ArrayLike, t_x: ArrayLike, T: ArrayLike) -> FloatArray:
    """Each customer's log-likelihood (paper eq. 6), the two terms added by log-sum-exp."""
    xs, txs, Ts = _summary_arrays(x, t_x, T)
    theta = np.array([params.r, params.alpha, params.a, params.b])
    value = np.empty(len(xs))
    once = xs == 0
    value[once], _ = _ll_once(theta, Ts[once])
    repeat = _Repeaters.of(xs[~once], txs[~once], Ts[~once])
    value[~once], _ = repeat.terms(theta)
    return value


def _ll_once(
    theta: FloatArray, T: FloatArray, *, gradient: bool = False
) -> tuple[FloatArray, FloatArray | None]:
    """Customers without repeat purchases (x = 0): ln L = r ln(α / (α+T))."""
    r, alpha = theta[0], theta[1]
    log_ratio = np.log(alpha) - np.log(alpha + T)
    value = r * log_ratio
    if not gradient:
        return value, None
    zeros = np.zeros_like(T)
    return value, np.stack([log_ratio, r / alpha - r / (alpha + T), zeros, zeros])


@dataclass(frozen=True, slots=True)
class _Repeaters:
    """Customers with x > 0, with what does not depend on the parameters computed once.
    x, T and t_x each take few distinct values: what depends on one of them alone is
    evaluated once per value and gathered (the same numbers, fewer evaluations)."""

    x: FloatArray
    values: FloatArray  # the distinct x
    inverse: npt.NDArray[np.intp]  # x = values[inverse]
    T_values: FloatArray
    T_which: npt.NDArray[np.intp]  # T = T_values[T_which]
    t_x_values: FloatArray
    t_x_which: npt.NDArray[np.intp]  # t_x = t_x_values[t_x_which]

    @classmethod
    def of(cls, x: FloatArray, t_x: FloatArray, T: FloatArray) -> _Repeaters:
        inverse, values = pd.factorize(x)
        T_which, T_values = pd.factorize(T)
        t_x_which, t_x_values = pd.factorize(t_x)
        return cls(x, values, inverse, T_values, T_which, t_x_values, t_x_which)

    def terms(
        self, theta: FloatArray, *, gradient: bool = False
    ) -> tuple[FloatArray, FloatArray | None]:
        """Log-likelihood and (optionally) its gradient in (r, alpha, a, b).

        ln L = A1 + A2 + ln(e^A3 + e^A4) with
        A1 = lnΓ(r+x) − lnΓ(r) + r ln α,   A2 = ln B(a, b+x) − ln B(a, b),
        A3 = −(r+x) ln(α+T),               A4 = ln a − ln(b+x−1) − (r+x) ln(α+t_x).
        """
        r, alpha, a, b = theta
        x, values, inverse = self.x, self.values, self.inverse
        a1 = (special.gammaln(r + values) - special.gammaln(r))[inverse] + r * np.log(alpha)
        a2 = (special.betaln(a, b + values) - special.betaln(a, b))[inverse]
        rx = r + x
        alpha_T = alpha + self.T_values
        alpha_t_x = alpha + self.t_x_values
        log_at = np.log(alpha_T)[self.T_which]
        log_atx = np.log(alpha_t_x)[self.t_x_which]
        b_x1 = b + (values - 1)
        a3 = -rx * log_at
        a4 = (np.log(a) - np.log(b_x1))[inverse] - rx * log_atx
        top = np.maximum(a3, a4)
        e3 = np.exp(a3 - top)
        e4 = np.exp(a4 - top)
        total = e3 + e4
        value = a1 + a2 + top + np.log(total)
        if not gradient:
            return value, None
        w3 = e3 / total
        w4 = 1.0 - w3
        psi_r = (special.digamma(r + values) - special.digamma(r))[inverse]
        psi_ab = special.digamma(a + b) - special.digamma(a + b + values)
        psi_b = (psi_ab + special.digamma(b + values) - special.digamma(b))[inverse]
        d_r = psi_r + np.log(alpha) - w3 * log_at - w4 * log_atx
        d_alpha = r / alpha - rx * (w3 / alpha_T[self.T_which] + w4 / alpha_t_x[self.t_x_which])
        d_a = psi_ab[inverse] + w4 / a
        d_b = psi_b - w4 / b_x1[inverse]
        return value, np.stack([d_r, d_alpha, d_a, d_b])


def fit(x: ArrayLike, t_x: ArrayLike, T: ArrayLike) -> BGNBDFit:
    """Maximum-likelihood (r, alpha, a, b) for the customers' (x, t_x, T).

    L-BFGS-B with the analytic gradient on log-parameters, time rescaled to its
    mean so every parameter starts near 1; identical customers are fitted once
    with a weight. Nelder-Mead polishes the result if L-BFGS-B stops early.
    Raises `FitError` when no customer repeat-purchased or nothing converges.
    """
    xs, txs, Ts = _summary_arrays(x, t_x, T)
    if len(xs) == 0:
        raise FitError("no customers to fit")
    if not np.any(xs > 0):
        raise FitError("no customer made a repeat purchase: the dropout process is unidentified")
    scale = float(np.mean(Ts)) or 1.0
    # identical customers are fitted once, weighted by how many share the row
    groups, member = row_groups(xs, txs, Ts)
    count = np.bincount(groups, minlength=member.size).astype(np.float64)
    weight = count / len(xs)
    row_x, row_tx, row_T = xs[member], txs[member], Ts[member]
    once = row_x == 0
    once_T, once_w = row_T[once] / scale, weight[once]
    repeaters = _Repeaters.of(row_x[~once], row_tx[~once] / scale, row_T[~once] / scale)
    repeat_w = weight[~once]

    def objective(phi: FloatArray) -> tuple[float, FloatArray]:
        theta = np.exp(phi)
        value0, grad0 = _ll_once(theta, once_T, gradient=True)
        value1, grad1 = repeaters.terms(theta, gradient=True)
        assert grad0 is not None and grad1 is not None
        # elementwise sums, not `@`: a BLAS call per evaluation stalls when its
        # threads compete for a busy machine's cores
        total = float(np.sum(once_w * value0) + np.sum(repeat_w * value1))
        grad = np.sum(grad0 * once_w, axis=1) + np.sum(grad1 * repeat_w, axis=1)
        return -total, -grad * theta

    rate = float(np.sum(xs)) / float(np.sum(Ts / scale)) if np.sum(Ts) > 0 else 1.0
    start = np.log([1.0, 1.0 / max(rate, 1e-6), 1.0, 3.0])
    theta, iterations = minimize_log_params(objective, start, "BG/NBD")
    params = BGNBDParams(
        r=float(theta[0]), alpha=float(theta[1] * scale), a=float(theta[2]), b=float(theta[3])
    )
    total = float(np.sum(count * log_likelihood(params, row_x, row_tx, row_T)))
    if not np.isfinite(total):
        raise FitError("BG/NBD fit ended at a non-finite log-likelihood")
    return BGNBDFit(params=params, log_likelihood=total, customers=len(xs), iterations=iterations)


def probability_alive(
    params: BGNBDParams, x: ArrayLike, t_x: ArrayLike, T: ArrayLike
) -> FloatArray:
    """P(alive | x, t_x, T) = 1 / (1 + δ(x>0) · a/(b+x−1) · ((α+T)/(α+t_x))^(r+x)) (paper eq. 13)."""
    xs, txs, Ts = _summary_arrays(x, t_x, T)
    return _probability_alive(params, xs, txs, Ts)


def _probability_alive(
    params: BGNBDParams, x: FloatArray, t_x: FloatArray, T: FloatArray
) -> FloatArray:
    r, alpha, a, b = params.r, params.alpha, params.a, params.b
    # ln a − ln(b+x−1) depends on x alone: once per distinct x; the rest in place
    values, which = distinct_values(x)
    with np.errstate(divide="ignore", invalid="ignore"):  # at x = 0, whose value is unused
        by_x = np.log(a) - np.log(b + (values - 1))
    log_odds_dead = np.log(alpha + T)
    log_odds_dead -= np.log(alpha + t_x)
    log_odds_dead *= r + x
    log_odds_dead += by_x[which]
    log_odds_dead[x <= 0] = -np.inf  # no repeat purchase: cannot have dropped out
    np.negative(log_odds_dead, out=log_odds_dead)
    return np.asarray(special.expit(log_odds_dead, out=log_odds_dead), dtype=np.float64)


def expected_purchases(
    params: BGNBDParams, t: ArrayLike, x: ArrayLike, t_x: ArrayLike, T: ArrayLike
) -> FloatArray:
    """E[X(T, T+t) | x, t_x, T]: expected purchases in the next `t` time units (paper eq. 10).

        (a+b+x−1)/(a−1) · [1 − ((α+T)/(α+T+t))^(r+x) · ₂F₁(r+x, b+x; a+b+x−1; z)] · P(alive),
        z = t/(α+T+t).

    Evaluated through Euler's transformation, ((1−z))^(r+x) ₂F₁(r+x, b+x; c; z) =
    (1−z)^(a−1) ₂F₁(a+b−1−r, a−1; c; z), whose parameters do not grow with x, so
    frequent buyers do not overflow the series. At a = 1 (a removable singularity)
    the value is the mean of a = 1 ± 1e-6. The factor before P(alive) depends on
    (x, T) alone: with one horizon it is evaluated once per distinct (x, T).
    """
    xs, txs, Ts = _summary_arrays(x, t_x, T)
    horizon = _check_horizon(t)
    if horizon.ndim == 0:
        _, (expected,) = _predict(params, (float(horizon),), xs, txs, Ts)
        return expected
    if abs(params.a - 1.0) < 1e-6:
        below, above = _beside_one(params)
        return (_expected(below, horizon, xs, txs, Ts) + _expected(above, horizon, xs, txs, Ts)) / 2
    return _expected(params, horizon, xs, txs, Ts)


def predict(
    params: BGNBDParams, horizons: tuple[float, ...], x: ArrayLike, t_x: ArrayLike, T: ArrayLike
) -> tuple[FloatArray, tuple[FloatArray, ...]]:
    """P(alive) and the expected purchases in each of `horizons`: the same numbers as
    `probability_alive` and `expected_purchases`, the customers checked and their
    distinct (x, T) found once for all horizons."""
    xs, txs, Ts = _summary_arrays(x, t_x, T)
    for horizon in horizons:
        _check_horizon(horizon)
    return _predict(params, tuple(float(h) for h in horizons), xs, txs, Ts)


def _beside_one(params: BGNBDParams) -> tuple[BGNBDParams, BGNBDParams]:
    """The parameters with a = 1 ∓ 1e-6, either side of the removable singularity."""
    return (
        BGNBDParams(params.r, params.alpha, 1.0 - 1e-6, params.b),
        BGNBDParams(params.r, params.alpha, 1.0 + 1e-6, params.b),
    )


def _predict(
    params: BGNBDParams, horizons: tuple[float, ...], x: FloatArray, t_x: FloatArray, T: FloatArray
) -> tuple[FloatArray, tuple[FloatArray, ...]]:
    alive = _probability_alive(params, x, t_x, T)
    groups, member = row_groups(x, T)
    pair_x, pair_T = x[member], T[member]

    def each(p: BGNBDParams, p_alive: FloatArray) -> list[FloatArray]:
        return [
            _factor(p, np.asarray(t, dtype=np.float64), pair_x, pair_T)[groups] * p_alive
            for t in horizons
        ]

    if abs(params.a - 1.0) < 1e-6:
        below, above = _beside_one(params)
        low = each(below, _probability_alive(below, x, t_x, T))
        high = each(above, _probability_alive(above, x, t_x, T))
        return alive, tuple((one + two) / 2 for one, two in zip(low, high, strict=True))
    return alive, tuple(each(params, alive))


def _factor(params: BGNBDParams, t: FloatArray, x: FloatArray, T: FloatArray) -> FloatArray:
    """The expectation before P(alive), (a+b+x−1)/(a−1) · [1 − …], clipped at 0; the
    untransformed series where the transformed one is not finite. Raises `FitError`
    where neither is."""
    r, alpha, a, b = params.r, params.alpha, params.a, params.b
    c = a + b + x - 1
    one_minus_z = (alpha + T) / (alpha + T + t)
    z = t / (alpha + T + t)
    with np.errstate(all="ignore"):
        hyp = special.hyp2f1(a + b - 1 - r, a - 1, c, z)
        factor = c / (a - 1) * (1.0 - one_minus_z ** (a - 1) * hyp)
        bad = ~np.isfinite(factor)
        if np.any(bad):
            # the untransformed series, where the transformed one failed
            factor = np.array(np.broadcast_to(factor, np.broadcast(factor, x, T, t).shape))
            x, T, c, z, one_minus_z = np.broadcast_arrays(x, T, c, z, one_minus_z)
            bad = ~np.isfinite(factor)
            direct = special.hyp2f1(r + x[bad], b + x[bad], c[bad], z[bad])
            factor[bad] = c[bad] / (a - 1) * (1.0 - one_minus_z[bad] ** (r + x[bad]) * direct)
    if not np.all(np.isfinite(factor)):
        raise FitError(f"expected purchases are not finite for {params}")
    return np.asarray(np.maximum(factor, 0.0), dtype=np.float64)


def _expected(
    params: BGNBDParams, t: FloatArray, x: FloatArray, t_x: FloatArray, T: FloatArray
) -> FloatArray:
    """Elementwise, for a horizon per customer."""
    return _factor(params, t, x, T) * _probability_alive(params, x, t_x, T)


def expected_purchases_new_customer(params: BGNBDParams, t: ArrayLike) -> FloatArray:
    """E[X(t)] for a customer just acquired (paper eq. 9): the conditional
    expectation with x = 0, t_x = 0, T = 0."""
    horizon = np.atleast_1d(_check_horizon(t))
    zeros = np.zeros_like(horizon)
    return _expected(params, horizon, zeros, zeros, zeros)
