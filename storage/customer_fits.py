"""Customer fits' parameters in PostgreSQL, shared by every process on the database.

A worker's background refresh (bot.jobs.tasks `advisor:fit`) fits a store and saves
here the fitted parameters (a small JSON text: BG/NBD's r, alpha, a, b and
Gamma-Gamma's p, q, gamma) with the calibration end and the data version they were
fitted on (tools.fit_cache); the bot answering the seller's question finds them and
scores the customers with them instead of fitting again. One row per store: the
latest fit. The queue's schema installer (bot.jobs) creates the table on
PostgreSQL; on SQLite one process answers and refreshes, and its memory is enough.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

TABLE_DDL = """
CREATE TABLE IF NOT EXISTS advisor_customer_fits (
    seller_id integer PRIMARY KEY,
    as_of timestamptz NOT NULL,
    version text NOT NULL,
    params text NOT NULL,
    fitted_at timestamptz NOT NULL DEFAULT now()
)
"""

_PRESENT = text("SELECT to_regclass('advisor_customer_fits') IS NOT NULL")
_LOAD = text(
    "SELECT params FROM advisor_customer_fits "
    "WHERE seller_id = :seller AND as_of = :as_of AND version = :version"
)
_SAVE = text(
    "INSERT INTO advisor_customer_fits (seller_id, as_of, version, params) "
    "VALUES (:seller, :as_of, :version, :params) "
    "ON CONFLICT (seller_id) DO UPDATE SET as_of = excluded.as_of, "
    "version = excluded.version, params = excluded.params, fitted_at = now()"
)


def present(session: Session) -> bool:
    """The table is there: PostgreSQL after `advisor db upgrade` (never on SQLite)."""
    if session.get_bind().dialect.name != "postgresql":
        return False
    return bool(session.scalar(_PRESENT))


def load(session: Session, seller_id: int, as_of: dt.datetime, version: str) -> str | None:
    """The parameters fitted for the store as of `as_of` on data `version`, if saved."""
    found = session.scalar(_LOAD, {"seller": seller_id, "as_of": as_of, "version": version})
    return None if found is None else str(found)


def save(session: Session, seller_id: int, as_of: dt.datetime, version: str, params: str) -> None:
    """Keep them as the store's latest fit, committed at once on a connection of its
    own (the caller's session only reads)."""
    bind = session.get_bind()
    assert isinstance(bind, Engine), "a session bound to an engine"
    with bind.begin() as connection:
        connection.execute(
            _SAVE, {"seller": seller_id, "as_of": as_of, "version": version, "params": params}
        )
