"""Each customer's purchases as arrays: first and last purchase day, purchase days, the
first day's amount and the total (`Purchases`), built from purchase days, extended by
later days, with some customers replaced, and packed small for storage
(storage.customer_purchases keeps them per seller; analytics.clv models them).
Days are local days counted from 1970-01-01.
"""

from __future__ import annotations

import datetime as dt
import zlib
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from storage.arrays import IntArray

EPOCH = dt.date(1970, 1, 1)
_PACKED_BYTES = 4 * 4 + 2 * 8  # per customer, before zlib
_FIELDS = ("customer", "first_day", "last_day", "days", "first_amount", "total")


@dataclass(frozen=True)
class Purchases:
    """Per customer (internal id, ascending): first and last purchase day (days since
    1970-01-01, local), purchase days, the first day's amount and the total amount
    (the store's minor unit) of their paid orders."""

    customer: IntArray
    first_day: IntArray
    last_day: IntArray
    days: IntArray
    first_amount: npt.NDArray[Any]
    total: npt.NDArray[Any]

    def __len__(self) -> int:
        return len(self.customer)

    @classmethod
    def empty(cls) -> Purchases:
        return cls(*(np.empty(0, dtype=np.int64) for _ in _FIELDS))

    @classmethod
    def of_days(cls, customer: IntArray, day: IntArray, amount: npt.NDArray[Any]) -> Purchases:
        """From purchase days (one row per customer and day, sorted by customer and day)."""
        if len(customer) == 0:
            return cls.empty()
        new = np.ones(len(customer), dtype=bool)
        new[1:] = customer[1:] != customer[:-1]
        heads = np.flatnonzero(new)
        ends = np.append(heads[1:], len(customer)) - 1
        return cls(
            customer[heads],
            day[heads],
            day[ends],
            ends - heads + 1,
            amount[heads],
            np.add.reduceat(amount, heads),
        )

    def then(self, later: Purchases) -> Purchases:
        """These purchases followed by `later`'s, every one of which is on a later day."""
        if len(later) == 0:
            return self
        if len(self) == 0:
            return later
        at = np.searchsorted(self.customer, later.customer)
        at_clipped = np.minimum(at, len(self) - 1)
        known = self.customer[at_clipped] == later.customer
        last_day, days, total = self.last_day.copy(), self.days.copy(), self.total.copy()
        where = at_clipped[known]
        last_day[where] = later.last_day[known]
        days[where] += later.days[known]
        total[where] += later.total[known]
        merged = Purchases(self.customer, self.first_day, last_day, days, self.first_amount, total)
        return merged._with(later._rows(~known))

    def replaced(self, customers: IntArray, again: Purchases) -> Purchases:
        """These purchases with those of `customers` (ascending) replaced by `again`'s
        (theirs read again; a customer with none left drops out)."""
        return self._rows(~np.isin(self.customer, customers))._with(again)

    def _rows(self, which: npt.NDArray[np.bool_]) -> Purchases:
        return Purchases(*(getattr(self, f)[which] for f in _FIELDS))

    def _with(self, others: Purchases) -> Purchases:
        """These and `others` (other customers, ascending) in one ascending order: each
        inserted at its place (one pass over the arrays, not a sort)."""
        if len(others) == 0:
            return self
        at = np.searchsorted(self.customer, others.customer)
        return Purchases(*(np.insert(getattr(self, f), at, getattr(others, f)) for f in _FIELDS))

    def dumps(self) -> bytes:
        """Packed small: customer ids as steps from the one before (they ascend), days
        as 32-bit, amounts as 64-bit integers, then zlib at its fastest level (2.3 MB at
        418k customers instead of 20 MB: PostgreSQL sends a bytea as hex text, 0.17 s
        for 20 MB against 0.03 s for this with its decompression)."""
        steps = np.diff(self.customer, prepend=0)
        narrow = [steps, self.first_day, self.last_day, self.days]
        parts = [column.astype("<i4").tobytes() for column in narrow]
        parts += [column.astype("<i8").tobytes() for column in (self.first_amount, self.total)]
        return zlib.compress(b"".join(parts), 1)

    @classmethod
    def loads(cls, payload: bytes) -> Purchases:
        raw = zlib.decompress(payload)
        count = len(raw) // _PACKED_BYTES
        columns, offset = [], 0
        for dtype in ("<i4",) * 4 + ("<i8",) * 2:
            column = np.frombuffer(raw, dtype=dtype, count=count, offset=offset)
            columns.append(column.astype(np.int64))
            offset += column.nbytes
        columns[0] = np.cumsum(columns[0])
        return cls(*columns)


def daily_totals(
    customer: IntArray, day: IntArray, amount: npt.NDArray[Any]
) -> tuple[IntArray, IntArray, npt.NDArray[Any]]:
    """Rows of (customer key, day, amount) in any order → one row per customer and day
    (a purchase occasion: the day's amounts add up), sorted by customer and day."""
    if len(customer) > 1:
        step = np.diff(customer)
        if np.any(step < 0) or np.any((step == 0) & (np.diff(day) < 0)):
            order = np.lexsort((day, customer))
            customer, day, amount = customer[order], day[order], amount[order]
    new_day = np.ones(len(customer), dtype=bool)
    new_day[1:] = (customer[1:] != customer[:-1]) | (day[1:] != day[:-1])
    starts = np.flatnonzero(new_day)
    if len(starts) == len(customer):
        return customer, day, amount
    return customer[starts], day[starts], np.add.reduceat(amount, starts)
