"""The demand shape the demo generator draws from, shared with the detector bench
so detectors are evaluated on the same process that fills the demo store.

Expected orders in one local hour = orders_per_day × WEEKDAY[weekday] × HOUR[hour]
× (1 − drop) while an injected drop is active. Both factor tables average to 1
(WEEKDAY over a week, HOUR sums to 1 over a day), so orders_per_day is the mean.
"""

from __future__ import annotations

# Monday..Sunday: busier early in the week, a dip on Saturday, recovery Sunday evening.
_WEEKDAY_RAW = (1.12, 1.08, 1.04, 1.00, 0.95, 0.80, 1.01)
WEEKDAY: tuple[float, ...] = tuple(w * 7 / sum(_WEEKDAY_RAW) for w in _WEEKDAY_RAW)

# Hour of day (local): quiet at night, lunch and evening peaks (typical Korean e-commerce).
_HOUR_RAW = (
    1.2, 0.7, 0.4, 0.3, 0.25, 0.3, 0.6, 1.2, 2.2, 3.4, 4.4, 5.0,
    5.6, 5.2, 4.8, 4.6, 4.6, 4.8, 5.0, 5.6, 6.6, 7.2, 6.2, 3.2,
)  # fmt: skip
HOUR: tuple[float, ...] = tuple(h / sum(_HOUR_RAW) for h in _HOUR_RAW)


def expected_orders(orders_per_day: float, weekday: int, hour: int, drop: float = 0.0) -> float:
    """Expected orders in local hour `hour` of a day with Python weekday `weekday`."""
    return orders_per_day * WEEKDAY[weekday] * HOUR[hour] * (1.0 - drop)
