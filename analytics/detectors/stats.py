"""Count statistics the detectors share: a robust baseline, a dispersion estimate
and a lower-tail test, all vectorised over any leading shape.

The model: a count X (orders in a window, clicks on a day) is Poisson around its
expected value μ with extra day-to-day variation φ, so Var X = μ + φμ² (a
negative binomial, i.e. gamma-Poisson). μ itself is estimated from a baseline,
and that estimate is uncertain, which widens the predictive distribution:

    Var(X − μ̂) = (μ + φμ²)(1 + e),   e = exposure today / effective baseline exposure

(for sales e = 1 / effective number of baseline weeks). The p-value is the lower
tail of the negative binomial with that mean and variance. With φ = 0 and no
baseline uncertainty it is exactly the Poisson tail; the binomial tail of a small
rate (clicks out of impressions) is a little thinner than the Poisson one, so
using Poisson there errs on the side of not alerting.
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]

# E[Z² | |Z| < c] for a standard normal Z: makes the mean of the kept z² consistent.
_CLIP = 2.5
_CONFIDENCE = 0.8
# 1 − 2c·pdf(c)/(2Φ(c) − 1) with 2Φ(c) − 1 = erf(c/√2): computed with math, and scipy is
# imported inside the tests below, so the tools that load this module start without scipy
_NORMAL_PDF_AT_CLIP = math.exp(-(_CLIP**2) / 2) / math.sqrt(2 * math.pi)
_TRUNCATED_Z2 = 1 - 2 * _CLIP * _NORMAL_PDF_AT_CLIP / math.erf(_CLIP / math.sqrt(2))


def trimmed_mean(values: NDArray[Any], trim: int = 1) -> tuple[FloatArray, FloatArray]:
    """Mean over the last axis without its `trim` lowest and highest values.

    NaN marks a missing value. Trimming applies only when at least 2·trim + 3
    values remain (five for trim = 1); otherwise the plain mean is used.
    Returns (mean, effective n): the number of values whose plain mean would be
    as precise as this trimmed mean for normal data (asymptotic variance of the
    trimmed mean), used for the baseline uncertainty. NaN mean where no value.
    """
    data = np.asarray(values, dtype=np.float64)
    valid = ~np.isnan(data)
    n = valid.sum(axis=-1)
    ordered = np.sort(data, axis=-1)  # NaN sorts last
    sums = np.concatenate(
        [np.zeros((*data.shape[:-1], 1)), np.cumsum(np.nan_to_num(ordered), axis=-1)], axis=-1
    )
    cut = np.where(n >= 2 * trim + 3, trim, 0)
    upper = np.take_along_axis(sums, (n - cut)[..., None], axis=-1)[..., 0]
    lower = np.take_along_axis(sums, cut[..., None], axis=-1)[..., 0]
    kept = n - 2 * cut
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(kept > 0, (upper - lower) / np.maximum(kept, 1), np.nan)
        effective = np.where(n > 0, n / _trimmed_variance_factor(cut / np.maximum(n, 1)), 0.0)
    return mean, effective


def _trimmed_variance_factor(gamma: NDArray[Any]) -> FloatArray:
    """n·Var(trimmed mean)/σ² for normal data, trimming a share `gamma` at each end."""
    from scipy import stats

    g = np.clip(np.asarray(gamma, dtype=np.float64), 0.0, 0.45)
    c = stats.norm.isf(np.where(g > 0, g, 0.5))
    inner = 2 * stats.norm.cdf(c) - 1 - 2 * c * stats.norm.pdf(c) + 2 * g * c**2
    return np.where(g > 0, inner / (1 - 2 * g) ** 2, 1.0)


def excess_dispersion(
    observed: NDArray[Any],
    expected: NDArray[Any],
    *,
    groups: int = 1,
    confidence: float = _CONFIDENCE,
) -> FloatArray:
    """φ in Var X = μ + φμ², from residuals over the last axis (NaN = missing).

    Standardised residuals z = (x − μ)/√μ beyond ±2.5 robust standard deviations
    (from their median absolute value, at least Poisson's) are left out, so
    past incidents and promotion days do not pass for everyday noise; the mean
    of the remaining z² is made consistent for normal data truncated at ±2.5
    and for the `groups` centres estimated from the same values (n/(n − groups)).
    E z² = 1 + φμ gives φ̂ = (mean z² − 1)/mean μ, floored at 0.

    A variance read off a few weeks of days is itself uncertain, and an
    underestimate turns into false alerts; so φ̂ is raised to its one-sided
    `confidence` upper bound, φ̂ · dof / χ²(1 − confidence; dof), dof = n − groups
    (×1.2 for 49 sales days, ×1.5 for 13 ad days at 80 %). A Poisson series
    (φ̂ = 0) stays Poisson.
    """
    from scipy import stats

    x = np.asarray(observed, dtype=np.float64)
    mu = np.asarray(expected, dtype=np.float64)
    usable = ~np.isnan(x) & ~np.isnan(mu) & (mu > 0)
    with np.errstate(invalid="ignore", divide="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN rows: no data, φ = 0
        z = np.where(usable, (x - mu) / np.sqrt(np.where(usable, mu, 1.0)), np.nan)
        # a robust first guess of the scale (MAD), never below Poisson's
        spread = np.maximum(1.4826 * np.nanmedian(np.abs(z), axis=-1), 1.0)
        limit = _CLIP * np.nan_to_num(spread, nan=1.0)
        kept = usable & (np.abs(np.nan_to_num(z)) <= limit[..., None])
        count = kept.sum(axis=-1)
        dof = np.maximum(count - groups, 1)
        z2 = np.where(kept, np.nan_to_num(z) ** 2, 0.0).sum(axis=-1)
        scale = z2 / dof / _TRUNCATED_Z2
        mean_mu = np.where(kept, mu, 0.0).sum(axis=-1) / np.maximum(count, 1)
        phi = np.where((count >= groups + 2) & (mean_mu > 0), (scale - 1.0) / mean_mu, 0.0)
        cautious = dof / stats.chi2.ppf(1.0 - confidence, dof)
    return np.maximum(phi, 0.0) * cautious


def lower_tail(
    actual: NDArray[Any],
    expected: NDArray[Any],
    *,
    dispersion: NDArray[Any] | float = 0.0,
    baseline_share: NDArray[Any] | float = 0.0,
) -> FloatArray:
    """P(X ≤ actual) for X with mean `expected` and variance
    (μ + φμ²)(1 + baseline_share): the negative binomial with that mean and
    variance (Poisson when both φ and baseline_share are 0). 1 where μ ≤ 0 or
    μ is NaN (nothing expected: nothing to miss)."""
    from scipy import stats

    x = np.asarray(actual, dtype=np.float64)
    mu = np.asarray(expected, dtype=np.float64)
    phi = np.asarray(dispersion, dtype=np.float64)
    share = np.asarray(baseline_share, dtype=np.float64)
    x, mu, phi, share = np.broadcast_arrays(x, mu, phi, share)
    ok = ~np.isnan(mu) & (mu > 0)
    safe_mu = np.where(ok, mu, 1.0)
    excess = safe_mu * share + phi * safe_mu**2 * (1.0 + share)  # Var − μ
    poisson = excess <= 1e-12 * safe_mu
    with np.errstate(divide="ignore", invalid="ignore"):
        size = np.where(poisson, 1.0, safe_mu**2 / np.where(poisson, 1.0, excess))
        negbin = stats.nbinom.cdf(x, size, size / (size + safe_mu))
    p = np.where(poisson, stats.poisson.cdf(x, safe_mu), negbin)
    return np.where(ok, np.clip(p, 0.0, 1.0), 1.0)
