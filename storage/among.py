"""Conditions `column IN values` for many values, on either database.

PostgreSQL takes one `column = ANY(array)` (one round trip, one plan); SQLite one IN
list per CHUNK values (its limit on bound parameters). Used by the order import
(storage.importing.order_writer) and the customer purchases read again
(storage.customer_purchases).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, any_, literal
from sqlalchemy.orm import InstrumentedAttribute, Session

CHUNK = 500
T = TypeVar("T")


def chunks(items: Sequence[T], size: int = CHUNK) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def among(
    session: Session, column: InstrumentedAttribute[Any], values: Sequence[Any]
) -> Iterator[ColumnElement[bool]]:
    """Conditions `column IN values`, together covering all of `values`, each value in
    one of them, in the order of `values`; none when `values` is empty."""
    if not values:
        return
    if session.get_bind().dialect.name == "postgresql":
        # here, not at import: a sales question loads no PostgreSQL dialect on SQLite
        from sqlalchemy.dialects.postgresql import ARRAY

        yield column == any_(literal(list(values), ARRAY(column.type)))
        return
    for chunk in chunks(values):
        yield column.in_(chunk)
