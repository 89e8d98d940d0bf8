"""Maximum likelihood over positive parameters, optimised on their logarithms.

The optimiser runs with one BLAS thread: its vectors have three or four entries,
so more threads only spin on the other core of a small machine that is also
serving the bot (CPU time spent, no wall time saved).

`row_groups` numbers the distinct rows of a few columns, so that the models
evaluate what customers share (a likelihood, a hypergeometric function) once.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy import optimize

from analytics.clv.errors import FitError

LOG_BOUND = 6 * np.log(10)  # parameters stay within [1e-6, 1e6]

IntArray = npt.NDArray[np.intp]
Objective = Callable[[npt.NDArray[np.float64]], tuple[float, npt.NDArray[np.float64]]]


@functools.cache
def _blas() -> Any:
    """The process's BLAS libraries (found once, after scipy loaded its own)."""
    from threadpoolctl import ThreadpoolController

    return ThreadpoolController().select(user_api="blas")


RIDGE_TOLERANCE = 1e-7  # relative: two optimisers' likelihoods this close are one maximum


def _on_a_ridge(first: float, second: float) -> bool:
    """Both optimisers stopped short at the same likelihood: the maximum lies along a
    flat ridge (BG/NBD with hardly any dropout: a and b grow together towards the
    bound, the predictions unchanged along it). scipy's L-BFGS-B then stops with
    "ABNORMAL" in its line search and Nelder-Mead walks the ridge until its iterations
    run out; a demo store of 7,296 customers did this (0.437338179 vs 0.437338178 a
    customer), so the point reached is the fit."""
    if not (np.isfinite(first) and np.isfinite(second)):
        return False
    return abs(first - second) <= RIDGE_TOLERANCE * max(1.0, abs(first))


def minimize_log_params(
    objective: Objective, start: npt.ArrayLike, model: str
) -> tuple[npt.NDArray[np.float64], int]:
    """Minimise `objective` (negative log-likelihood and its gradient over log-parameters)
    with L-BFGS-B, polishing with Nelder-Mead when it stops short; returns the parameters
    (not their logs) and the iterations used. Raises FitError when neither converges."""
    initial = np.clip(np.asarray(start, dtype=float), -LOG_BOUND + 1, LOG_BOUND - 1)
    bounds = [(-LOG_BOUND, LOG_BOUND)] * initial.size
    with np.errstate(all="ignore"), _blas().limit(limits=1):
        result = optimize.minimize(
            objective,
            initial,
            jac=True,
            method="L-BFGS-B",
            bounds=bounds,
            options={"maxiter": 2000, "ftol": 1e-14, "gtol": 1e-9},
        )
        iterations = int(result.nit)
        if not result.success or not np.all(np.isfinite(result.x)):
            polish = optimize.minimize(
                lambda phi: objective(np.clip(phi, -LOG_BOUND, LOG_BOUND))[0],
                result.x if np.all(np.isfinite(result.x)) else initial,
                method="Nelder-Mead",
                options={"maxiter": 4000, "xatol": 1e-8, "fatol": 1e-12},
            )
            iterations += int(polish.nit)
            if not np.all(np.isfinite(polish.x)) or not (
                polish.success or _on_a_ridge(result.fun, polish.fun)
            ):
                raise FitError(f"{model} maximum likelihood did not converge: {result.message}")
            result = polish
    return np.exp(np.clip(result.x, -LOG_BOUND, LOG_BOUND)), iterations


def _dense_limit(rows: int) -> int:
    """The longest range of codes counted in an array rather than hashed."""
    return max(4 * rows, 1 << 16)


def distinct_values(values: npt.NDArray[np.float64]) -> tuple[npt.NDArray[np.float64], IntArray]:
    """(uniques, codes) with values = uniques[codes]. Whole numbers in a short range are
    coded by their offset from the least (no hashing) and `uniques` is that whole range,
    some of it perhaps unused; anything else is hashed (pandas.factorize)."""
    if values.size:
        low, high = float(values.min()), float(values.max())
        if high - low < _dense_limit(values.size) and np.all(values == np.trunc(values)):
            uniques = low + np.arange(int(high - low) + 1, dtype=np.float64)
            return uniques, (values - low).astype(np.intp)
    codes, found = pd.factorize(values)
    return np.asarray(found, dtype=np.float64), codes.astype(np.intp, copy=False)


def _compress(key: IntArray, span: int) -> tuple[IntArray, int]:
    """Renumber `key` (in 0 .. span-1) to 0 .. count-1, keeping the order of the keys."""
    if span <= _dense_limit(key.size):
        present = np.zeros(span, dtype=bool)
        present[key] = True
        used = np.flatnonzero(present)
        renumber = np.empty(span, dtype=np.intp)
        renumber[used] = np.arange(used.size, dtype=np.intp)
        return renumber[key], used.size
    codes, uniques = pd.factorize(key)
    return codes.astype(np.intp, copy=False), len(uniques)


def row_groups(*columns: npt.NDArray[np.float64]) -> tuple[IntArray, IntArray]:
    """Each row's group (0 .. groups-1): rows with equal values in every column share one.
    Returns the groups and, for each group, one row that is in it. Counting or hashing,
    never sorting; groups are numbered in the order of their values' codes."""
    uniques, key = distinct_values(columns[0])
    span = uniques.size
    for column in columns[1:]:
        uniques, codes = distinct_values(column)
        count = uniques.size
        if span * count > _dense_limit(key.size):
            key, span = _compress(key, span)
        key = key * count + codes
        span *= count
    groups, count = _compress(key, span)
    member = np.empty(count, dtype=np.intp)
    member[groups] = np.arange(groups.size, dtype=np.intp)  # any row of a group will do
    return groups, member
