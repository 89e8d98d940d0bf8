"""Query results read straight into numpy: for the analyses that pull hundreds of
thousands of rows (a store's purchase days, every seller's hourly orders).

SQLAlchemy compiles the query and binds its parameters; the rows are then taken
from the DB-API cursor in chunks (tuples, no Row objects) and packed into an int64
array chunk by chunk, so few Python objects are alive at once and the garbage
collector has little to walk.
"""

from __future__ import annotations

from itertools import chain
from typing import Any

import numpy as np
import numpy.typing as npt
from sqlalchemy import Executable
from sqlalchemy.orm import Session

IntArray = npt.NDArray[np.int64]
CHUNK = 20_000  # rows per fetchmany


def int_rows(session: Session, query: Executable, width: int) -> IntArray:
    """Run `query` (every column an integer, none NULL) on the session's connection;
    its rows as an (n, width) int64 array."""
    result: Any = session.connection().execute(query)
    try:
        return pack_rows(result.cursor, width)
    finally:
        result.close()


def pack_rows(cursor: Any, width: int) -> IntArray:
    """Every remaining row of a DB-API cursor (integers) as an (n, width) int64 array."""
    parts = []
    while rows := cursor.fetchmany(CHUNK):
        parts.append(
            np.fromiter(chain.from_iterable(rows), dtype=np.int64, count=len(rows) * width)
        )
    flat = np.concatenate(parts) if parts else np.empty(0, dtype=np.int64)
    return flat.reshape(-1, width)
