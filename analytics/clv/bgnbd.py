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

from analytics.clv._optimize import minimize_log_params
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
    """Customers with x > 0, with what does not depend on the parameters computed once."""

    x: FloatArray
    t_x: FloatArray
    T: FloatArray
    values: FloatArray  # the distinct x
    inverse: npt.NDArray[np.intp]  # x = values[inverse]
    x_minus_1: FloatArray

    @classmethod
    def of(cls, x: FloatArray, t_x: FloatArray, T: FloatArray) -> _Repeaters:
        values, inverse = np.unique(x, return_inverse=True)
        return cls(x, t_x, T, values, inverse, x - 1)

    def terms(
        self, theta: FloatArray, *, gradient: bool = False
    ) -> tuple[FloatArray, FloatArray | None]:
        """Log-likelihood and (optionally) its gradient in (r, alpha, a, b).

        ln L = A1 + A2 + ln(e^A3 + e^A4) with
        A1 = lnΓ(r+x) − lnΓ(r) + r ln α,   A2 = ln B(a, b+x) − ln B(a, b),
        A3 = −(r+x) ln(α+T),               A4 = ln a − ln(b+x−1) − (r+x) ln(α+t_x).
        """
        r, alpha, a, b = theta
        x, t_x, T, values, inverse = self.x, self.t_x, self.T, self.values, self.inverse
        # x takes few distinct values: the special functions are evaluated once per value
        a1 = (special.gammaln(r + values) - special.gammaln(r))[inverse] + r * np.log(alpha)
        a2 = (special.betaln(a, b + values) - special.betaln(a, b))[inverse]
        rx = r + x
        log_at = np.log(alpha + T)
        log_atx = np.log(alpha + t_x)
        b_x1 = b + self.x_minus_1
        a3 = -rx * log_at
        a4 = np.log(a) - np.log(b_x1) - rx * log_atx
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
        d_alpha = r / alpha - rx * (w3 / (alpha + T) + w4 / (alpha + t_x))
        d_a = psi_ab[inverse] + w4 / a
        d_b = psi_b - w4 / b_x1
        return value, np.stack([d_r, d_alpha, d_a, d_b])


def _distinct(xs: FloatArray, txs: FloatArray, Ts: FloatArray) -> pd.DataFrame:
    """The distinct (x, t_x, T) rows and how many customers share each (hashing, not sorting)."""
    frame = pd.DataFrame({"x": xs, "t_x": txs, "T": Ts})
    counts = frame.groupby(["x", "t_x", "T"], sort=False).size()
    return counts.reset_index(name="weight")


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
    rows = _distinct(xs, txs / scale, Ts / scale)
    weight = rows["weight"].to_numpy(np.float64) / len(xs)
    row_x = rows["x"].to_numpy(np.float64)
    once = row_x == 0
    once_T, once_w = rows["T"].to_numpy(np.float64)[once], weight[once]
    repeaters = _Repeaters.of(
        row_x[~once], rows["t_x"].to_numpy(np.float64)[~once], rows["T"].to_numpy(np.float64)[~once]
    )
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
    total = float(np.sum(log_likelihood(params, xs, txs, Ts)))
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
    repeat = x > 0
    log_odds_dead = np.where(
        repeat,
        np.log(a)
        - np.log(b + np.where(repeat, x - 1, 0.0))
        + (r + x) * (np.log(alpha + T) - np.log(alpha + t_x)),
        -np.inf,
    )
    return np.asarray(special.expit(-log_odds_dead), dtype=np.float64)


def expected_purchases(
    params: BGNBDParams, t: ArrayLike, x: ArrayLike, t_x: ArrayLike, T: ArrayLike
) -> FloatArray:
    """E[X(T, T+t) | x, t_x, T]: expected purchases in the next `t` time units (paper eq. 10).

        (a+b+x−1)/(a−1) · [1 − ((α+T)/(α+T+t))^(r+x) · ₂F₁(r+x, b+x; a+b+x−1; z)] · P(alive),
        z = t/(α+T+t).

    Evaluated through Euler's transformation, ((1−z))^(r+x) ₂F₁(r+x, b+x; c; z) =
    (1−z)^(a−1) ₂F₁(a+b−1−r, a−1; c; z), whose parameters do not grow with x, so
    frequent buyers do not overflow the series. At a = 1 (a removable singularity)
    the value is the mean of a = 1 ± 1e-6.
    """
    xs, txs, Ts = _summary_arrays(x, t_x, T)
    horizon = _check_horizon(t)
    if abs(params.a - 1.0) < 1e-6:
        below = BGNBDParams(params.r, params.alpha, 1.0 - 1e-6, params.b)
        above = BGNBDParams(params.r, params.alpha, 1.0 + 1e-6, params.b)
        return (_expected(below, horizon, xs, txs, Ts) + _expected(above, horizon, xs, txs, Ts)) / 2
    return _expected(params, horizon, xs, txs, Ts)


def _expected(
    params: BGNBDParams, t: FloatArray, x: FloatArray, t_x: FloatArray, T: FloatArray
) -> FloatArray:
    r, alpha, a, b = params.r, params.alpha, params.a, params.b
    c = a + b + x - 1
    one_minus_z = (alpha + T) / (alpha + T + t)
    z = t / (alpha + T + t)
    with np.errstate(all="ignore"):
        hyp = special.hyp2f1(a + b - 1 - r, a - 1, c, z)
        bracket = 1.0 - one_minus_z ** (a - 1) * hyp
        value = c / (a - 1) * bracket * _probability_alive(params, x, t_x, T)
        bad = ~np.isfinite(value)
        if np.any(bad):
            # the untransformed series, where the transformed one failed
            direct = special.hyp2f1(r + x, b + x, c, z)
            fallback = c / (a - 1) * (1.0 - one_minus_z ** (r + x) * direct)
            fallback = fallback * _probability_alive(params, x, t_x, T)
            value = np.where(bad, fallback, value)
    if not np.all(np.isfinite(value)):
        raise FitError(f"expected purchases are not finite for {params}")
    return np.asarray(np.maximum(value, 0.0), dtype=np.float64)


def expected_purchases_new_customer(params: BGNBDParams, t: ArrayLike) -> FloatArray:
    """E[X(t)] for a customer just acquired (paper eq. 9): the conditional
    expectation with x = 0, t_x = 0, T = 0."""
    horizon = np.atleast_1d(_check_horizon(t))
    zeros = np.zeros_like(horizon)
    return _expected(params, horizon, zeros, zeros, zeros)
