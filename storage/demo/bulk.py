"""Bulk loading of generated columns, inside the caller's transaction.

The generator produces whole columns (numpy arrays or lists); this module writes
them with the fastest path each backend offers, bypassing per-row ORM work:
SQLite gets one `executemany` on the DBAPI connection (timestamps converted by
SQLite itself from epoch seconds, into the same text format SQLAlchemy writes),
PostgreSQL gets `COPY ... FROM STDIN`. Ids are assigned by the caller
(`reserve_ids`), and PostgreSQL's id sequences are moved past them afterwards
(`sync_sequences`).

Column conventions: `UTCDateTime` columns take int64 epoch seconds (UTC);
integer and time columns take int arrays, where a negative value in a
nullable column means NULL; `Date` columns take `datetime.date` objects; text columns take
lists of str or None.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

import numpy as np
from sqlalchemy import Date, Table, func, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from storage.models import UTCDateTime

ColumnData = np.ndarray[Any, Any] | Sequence[Any]

_SQLITE_TIME = "strftime('%Y-%m-%d %H:%M:%S', ?, 'unixepoch') || '.000000'"


def reserve_ids(session: Session, table: Table, count: int) -> np.ndarray[Any, Any]:
    """`count` fresh ids above the table's current maximum."""
    current = session.scalar(select(func.coalesce(func.max(table.c.id), 0))) or 0
    return np.arange(current + 1, current + 1 + count, dtype=np.int64)


def sync_sequences(session: Session, tables: Sequence[Table]) -> None:
    """On PostgreSQL, move each table's id sequence to its maximum id."""
    if session.get_bind().dialect.name != "postgresql":
        return
    for table in tables:
        session.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                f"COALESCE((SELECT MAX(id) FROM {table.name}), 0) + 1, false)"
            )
        )


@contextmanager
def foreign_key_checks_off(session: Session) -> Iterator[bool]:
    """While loading rows that are consistent by construction, skip PostgreSQL's
    per-row foreign-key triggers (session_replication_role = replica, as pg_restore
    --disable-triggers does). Needs a role allowed to set it; otherwise, and on other
    backends, the checks stay on. Yields whether they were turned off."""
    if session.get_bind().dialect.name != "postgresql":
        yield False
        return
    try:
        with session.begin_nested():
            session.execute(text("SET LOCAL session_replication_role = replica"))
        off = True
    except DBAPIError:
        off = False
    try:
        yield off
    finally:
        if off:
            session.execute(text("SET LOCAL session_replication_role = origin"))


def insert_columns(session: Session, table: Table, columns: Mapping[str, ColumnData]) -> int:
    """Insert rows given column-wise; returns the number of rows written."""
    names = list(columns)
    if not names:
        return 0
    lengths = {len(values) for values in columns.values()}
    if len(lengths) != 1:
        raise ValueError(f"columns of {table.name} differ in length: {sorted(lengths)}")
    count = lengths.pop()
    if count == 0:
        return 0
    dialect = session.get_bind().dialect.name
    connection = session.connection()
    dbapi = connection.connection.driver_connection
    if dialect == "sqlite":
        placeholders = ", ".join(
            _SQLITE_TIME if isinstance(table.c[name].type, UTCDateTime) else "?" for name in names
        )
        lists = [_as_list(table, name, columns[name], dialect) for name in names]
        sql = f"INSERT INTO {table.name} ({', '.join(names)}) VALUES ({placeholders})"
        cursor = dbapi.cursor()  # type: ignore[union-attr]
        try:
            cursor.executemany(sql, zip(*lists, strict=True))
        finally:
            cursor.close()
    elif dialect == "postgresql":
        lists = [_as_list(table, name, columns[name], dialect) for name in names]
        with dbapi.cursor() as cursor:  # type: ignore[union-attr]
            with cursor.copy(f"COPY {table.name} ({', '.join(names)}) FROM STDIN") as copy:
                for row in zip(*lists, strict=True):
                    copy.write_row(row)
    else:
        rows = [
            dict(zip(names, values, strict=True))
            for values in zip(
                *[_as_objects(table, name, columns[name]) for name in names], strict=True
            )
        ]
        connection.execute(table.insert(), rows)
    return count


def _as_list(table: Table, name: str, values: ColumnData, dialect: str) -> list[Any]:
    column = table.c[name]
    if isinstance(column.type, UTCDateTime):
        seconds = np.asarray(values, dtype=np.int64)
        missing = seconds < 0
        if dialect == "sqlite":
            stamps: list[Any] = seconds.tolist()
        else:
            text_stamps = np.datetime_as_string(seconds.astype("datetime64[s]"), unit="s")
            stamps = [f"{stamp}Z" for stamp in text_stamps.tolist()]
        if missing.any():
            for index in np.flatnonzero(missing).tolist():
                stamps[index] = None
        return stamps
    if isinstance(column.type, Date):
        return [None if day is None else day.isoformat() for day in values]
    return _plain(column, values)


def _as_objects(table: Table, name: str, values: ColumnData) -> list[Any]:
    """Python values for the generic (Core executemany) path."""
    column = table.c[name]
    if isinstance(column.type, UTCDateTime):
        return [
            dt.datetime.fromtimestamp(second, tz=dt.UTC) if second >= 0 else None
            for second in np.asarray(values, dtype=np.int64).tolist()
        ]
    return _plain(column, values)


def _plain(column: Any, values: ColumnData) -> list[Any]:
    """Python values of a non-time column; -1 in a nullable integer column means NULL."""
    if isinstance(values, np.ndarray):
        if values.dtype.kind in "iu" and column.nullable:
            objects = values.astype(object)
            objects[values < 0] = None
            return objects.tolist()  # type: ignore[no-any-return]
        return values.tolist()  # type: ignore[no-any-return]
    return list(values)
