"""Fitted customer models kept for an hour per store.

A customer report refits BG/NBD and Gamma-Gamma on every customer of the store,
which takes a second on a year of orders. The models describe months of buying,
so the advisor fits once per store per clock hour (calibration end = the start
of that hour) and answers every customer question in that hour from the fit.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import TYPE_CHECKING, TypeAlias

if TYPE_CHECKING:  # analytics.clv loads scipy and pandas; a sales question needs neither
    from analytics.clv import ScoredStore
    from analytics.common import NoData

Fitted: TypeAlias = "ScoredStore | NoData"


class FitCache:
    def __init__(self, max_entries: int = 64) -> None:
        self._entries: OrderedDict[tuple[int, dt.datetime], Fitted] = OrderedDict()
        self._lock = threading.Lock()
        self._max = max_entries

    @staticmethod
    def calibration_end(now: dt.datetime) -> dt.datetime:
        return now.replace(minute=0, second=0, microsecond=0)

    def get(self, store_id: int, now: dt.datetime, fit: Callable[[dt.datetime], Fitted]) -> Fitted:
        """The fit for `store_id` at the start of `now`'s hour, computed once."""
        key = (store_id, self.calibration_end(now))
        with self._lock:
            if key in self._entries:
                self._entries.move_to_end(key)
                return self._entries[key]
        fitted = fit(key[1])
        with self._lock:
            self._entries[key] = fitted
            while len(self._entries) > self._max:
                self._entries.popitem(last=False)
        return fitted
