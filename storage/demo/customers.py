"""Who placed each order: a BG/NBD-like repeat-purchase process.

Each customer has a purchase rate λ ~ Gamma(r, 1/α) (per day) and a drop-out
probability p ~ Beta(a, b). After every purchase the customer leaves for good
with probability p; otherwise the next purchase is due an Exp(λ) time later.
Orders arrive from the store's seasonal process (timeline.arrivals); each goes
to the customer whose next purchase is most overdue, or to a new customer when
nobody is due. This keeps the store's hourly shape exactly while giving
one-time buyers, regulars, and regulars who drift away.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass
from typing import Any

import numpy as np

from storage.demo.catalog import GIVEN_FIRST, GIVEN_LAST, SURNAMES

Array = np.ndarray[Any, Any]
DAY = 86_400.0


@dataclass(frozen=True, slots=True)
class RepeatProcess:
    r: float = 0.5
    alpha: float = 60.0  # mean λ = r / alpha: one purchase in 120 days
    a: float = 1.3
    b: float = 1.7  # mean drop-out probability a / (a + b) = 0.43


def assign_customers(
    times: Array, rng: np.random.Generator, process: RepeatProcess = RepeatProcess()
) -> tuple[Array, int]:
    """Customer number (0-based, in order of first purchase) of each order, and the count.

    `times` are sorted epoch seconds."""
    count = len(times)
    rates = rng.gamma(process.r, 1.0 / process.alpha, size=count)
    drop_out = rng.beta(process.a, process.b, size=count)
    survive_draw = rng.random(count)
    gaps = rng.exponential(1.0, size=count)
    days = (times / DAY).tolist()
    customer_of = np.empty(count, dtype=np.int64)
    due: list[tuple[float, int]] = []
    new = 0
    rate_list = rates.tolist()
    drop_list = drop_out.tolist()
    draw_list = survive_draw.tolist()
    gap_list = gaps.tolist()
    for index, day in enumerate(days):
        if due and due[0][0] <= day:
            customer = heapq.heappop(due)[1]
        else:
            customer = new
            new += 1
        customer_of[index] = customer
        if draw_list[index] >= drop_list[customer]:
            heapq.heappush(due, (day + gap_list[index] / rate_list[customer], customer))
    return customer_of, new


def customer_names(rng: np.random.Generator, count: int) -> list[str]:
    """Masked Korean names as shops display them, e.g. 김*준."""
    surname = rng.integers(0, len(SURNAMES), size=count)
    first = rng.integers(0, len(GIVEN_FIRST), size=count)
    last = rng.integers(0, len(GIVEN_LAST), size=count)
    two_syllables = rng.random(count) < 0.85
    return [
        f"{SURNAMES[s]}*{GIVEN_LAST[g]}" if short else f"{SURNAMES[s]}{GIVEN_FIRST[f]}*"
        for s, f, g, short in zip(
            surname.tolist(), first.tolist(), last.tolist(), two_syllables.tolist(), strict=True
        )
    ]
