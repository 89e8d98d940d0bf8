"""The Gamma-Gamma model of spend per transaction (Fader, Hardie & Lee 2005,
"RFM and CLV: Using Iso-Value Curves for Customer Base Analysis"; Fader &
Hardie 2013, "The Gamma-Gamma Model of Monetary Value").

A customer's transaction values are Gamma(p, ν) around their mean p/ν, and ν ~
Gamma(q, γ) across customers. Data contract: per customer ``x`` = number of
repeat transactions and ``m`` = the mean value of those repeat transactions
(the first purchase is left out, as in the papers). The fit uses customers with
x >= 1 and m > 0; ``gamma`` is in the currency unit of ``m``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import special

from analytics.clv._optimize import minimize_log_params, row_groups
from analytics.clv.errors import FitError, InvalidSummaryError

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class GammaGammaParams:
    p: float
    q: float
    gamma: float

    def __post_init__(self) -> None:
        for name in ("p", "q", "gamma"):
            value = getattr(self, name)
            if not (np.isfinite(value) and value > 0):
                raise InvalidSummaryError(
                    f"Gamma-Gamma parameter {name} must be > 0, got {value!r}"
                )

    @property
    def population_mean_spend(self) -> float:
        """E[Z] = p·γ/(q−1), the expected spend of a transaction by an unseen customer."""
        if self.q <= 1:
            raise FitError(f"mean spend is undefined for q <= 1 (q = {self.q})")
        return self.p * self.gamma / (self.q - 1)


@dataclass(frozen=True, slots=True)
class GammaGammaFit:
    params: GammaGammaParams
    log_likelihood: float
    customers: int
    iterations: int


def _spend_arrays(
    x: npt.ArrayLike, m: npt.ArrayLike, *, fitting: bool
) -> tuple[FloatArray, FloatArray]:
    xs = np.atleast_1d(np.asarray(x, dtype=np.float64))
    ms = np.atleast_1d(np.asarray(m, dtype=np.float64))
    if xs.ndim != 1 or ms.shape != xs.shape:
        raise InvalidSummaryError(f"x and m must be 1-D and equally long ({xs.shape}, {ms.shape})")
    if not (np.all(np.isfinite(xs)) and np.all(np.isfinite(ms))):
        raise InvalidSummaryError("x and m must not have missing or infinite values")
    if np.any(xs != np.round(xs)) or np.any(xs < (1 if fitting else 0)):
        least = 1 if fitting else 0
        raise InvalidSummaryError(f"x must be a whole number of repeat purchases >= {least}")
    if fitting and np.any(ms <= 0):
        raise InvalidSummaryError("the mean repeat spend m must be > 0 for every fitted customer")
    if np.any(ms < 0):
        raise InvalidSummaryError("the mean repeat spend m must be >= 0")
    return xs, ms


def log_likelihood(params: GammaGammaParams, x: npt.ArrayLike, m: npt.ArrayLike) -> FloatArray:
    """Each repeat buyer's log-likelihood of their mean spend m over x transactions:

    lnΓ(px+q) − lnΓ(px) − lnΓ(q) + q ln γ + (px−1) ln m + px ln x − (px+q) ln(xm+γ).
    """
    xs, ms = _spend_arrays(x, m, fitting=True)
    value, _ = _Spenders.of(xs, ms).terms(np.array([params.p, params.q, params.gamma]))
    return value


@dataclass(frozen=True, slots=True)
class _Spenders:
    """Repeat buyers' (x, m) with what the likelihood needs of them that no parameter
    changes: ln m, ln x, and x's few distinct values (the Gamma functions of px are
    evaluated once per distinct x and gathered: the same numbers, far fewer calls)."""

    x: FloatArray
    m: FloatArray
    log_m: FloatArray
    log_x: FloatArray
    distinct_x: FloatArray
    which: npt.NDArray[np.intp]

    @classmethod
    def of(cls, x: FloatArray, m: FloatArray) -> _Spenders:
        distinct_x, which = np.unique(x, return_inverse=True)
        return cls(x, m, np.log(m), np.log(x), distinct_x, which)

    def terms(
        self, theta: FloatArray, *, gradient: bool = False
    ) -> tuple[FloatArray, FloatArray | None]:
        p, q, gamma = theta
        x, log_m, log_x = self.x, self.log_m, self.log_x
        px = p * x
        log_xm_g = np.log(x * self.m + gamma)
        distinct_px = p * self.distinct_x
        value = (
            special.gammaln(distinct_px + q)[self.which]
            - special.gammaln(distinct_px)[self.which]
            - special.gammaln(q)
            + q * np.log(gamma)
            + (px - 1) * log_m
            + px * log_x
            - (px + q) * log_xm_g
        )
        if not gradient:
            return value, None
        psi_pxq = special.digamma(distinct_px + q)[self.which]
        d_p = x * (psi_pxq - special.digamma(distinct_px)[self.which] + log_m + log_x - log_xm_g)
        d_q = psi_pxq - special.digamma(q) + np.log(gamma) - log_xm_g
        d_gamma = q / gamma - (px + q) / (x * self.m + gamma)
        return value, np.stack([d_p, d_q, d_gamma])


def fit(x: npt.ArrayLike, m: npt.ArrayLike) -> GammaGammaFit:
    """Maximum-likelihood (p, q, gamma) on repeat buyers' (x >= 1, m > 0).

    Spend is rescaled to its mean for the search (gamma scales with it, p and q
    do not). Raises `FitError` if nothing converges or the fitted q <= 1, where
    the expected spend the model is used for does not exist.
    """
    xs, ms = _spend_arrays(x, m, fitting=True)
    if len(xs) < 2:
        raise FitError(f"Gamma-Gamma needs at least 2 repeat buyers, got {len(xs)}")
    scale = float(np.mean(ms))
    n = len(xs)
    # customers with the same (x, m) are evaluated once, weighted by how many they are
    groups, member = row_groups(xs, ms)
    count = np.bincount(groups, minlength=member.size).astype(np.float64)
    row_x, row_m = xs[member], ms[member]
    spenders = _Spenders.of(row_x, row_m / scale)

    def objective(phi: npt.NDArray[np.float64]) -> tuple[float, FloatArray]:
        theta = np.exp(phi)
        value, grad = spenders.terms(theta, gradient=True)
        assert grad is not None
        return -float(np.sum(count * value)) / n, -(np.sum(grad * count, axis=1) / n) * theta

    start = np.log([1.0, 2.0, 1.0])
    theta, iterations = minimize_log_params(objective, start, "Gamma-Gamma")
    params = GammaGammaParams(p=float(theta[0]), q=float(theta[1]), gamma=float(theta[2] * scale))
    if params.q <= 1:
        raise FitError(f"Gamma-Gamma fit has q = {params.q:.3f} <= 1: mean spend is undefined")
    total = float(np.sum(count * log_likelihood(params, row_x, row_m)))
    if not np.isfinite(total):
        raise FitError("Gamma-Gamma fit ended at a non-finite log-likelihood")
    return GammaGammaFit(params=params, log_likelihood=total, customers=n, iterations=iterations)


def expected_average_spend(
    params: GammaGammaParams, x: npt.ArrayLike, m: npt.ArrayLike
) -> FloatArray:
    """E[Z | x, m] = (q−1)/(px+q−1) · pγ/(q−1) + px/(px+q−1) · m: a weighted mean of the
    population mean and the customer's own mean; x = 0 gives the population mean."""
    xs, ms = _spend_arrays(x, m, fitting=False)
    population = params.population_mean_spend
    p, q = params.p, params.q
    weight = p * xs / (p * xs + q - 1)
    return np.asarray((1 - weight) * population + weight * ms, dtype=np.float64)
