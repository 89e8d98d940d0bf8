"""Customer-model fits are computed once per store and clock hour."""

from __future__ import annotations

import datetime as dt

from analytics.common import NoData
from tools.fit_cache import FitCache

NOW = dt.datetime(2026, 11, 27, 5, 42, 13, tzinfo=dt.UTC)


def test_one_fit_per_store_and_hour_calibrated_at_the_hour() -> None:
    cache = FitCache(max_entries=2)
    calls: list[tuple[int, dt.datetime]] = []

    def fit(store_id: int):  # type: ignore[no-untyped-def]
        def run(as_of: dt.datetime) -> NoData:
            calls.append((store_id, as_of))
            return NoData(reason="too_few_customers")

        return run

    hour = dt.datetime(2026, 11, 27, 5, tzinfo=dt.UTC)
    cache.get(1, NOW, fit(1))
    cache.get(1, NOW + dt.timedelta(minutes=10), fit(1))
    assert calls == [(1, hour)]
    cache.get(2, NOW, fit(2))
    cache.get(1, NOW + dt.timedelta(minutes=20), fit(1))  # next hour: a new fit
    assert calls == [(1, hour), (2, hour), (1, hour + dt.timedelta(hours=1))]
    cache.get(1, NOW, fit(1))  # evicted (max 2 entries): fitted again
    assert len(calls) == 4
