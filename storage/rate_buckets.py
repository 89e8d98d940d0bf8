"""Token buckets in PostgreSQL: one rate shared by every process on the database.

    wait = take(connection, "telegram", rate=25.0, burst=5)   # 0.0: go; else sleep and retry

A bucket is one row (`name`, `tokens`, `stamp`); `take` refills it for the time since
`stamp` on the database's clock, up to `burst`, and takes one token, in ONE `UPDATE`
whose `WHERE` checks a whole token is there (a compare-and-set: the row lock orders
concurrent takers, so no two processes spend the same token). When none is there it
answers how long until one is. The queue's schema installer (bot.jobs) creates the
table on PostgreSQL, and so does `install` (the connectors' shared pacer,
storage.connectors.pacing, on its first call); the embedded SQLite setup has one
process and needs none.
"""

from __future__ import annotations

from sqlalchemy import Connection, text

TABLE_DDL = """
CREATE TABLE IF NOT EXISTS advisor_rate_buckets (
    name text PRIMARY KEY,
    tokens double precision NOT NULL,
    stamp double precision NOT NULL
)
"""

_NOW = "extract(epoch from clock_timestamp())"
_FILLED = f"LEAST(:burst, tokens + ({_NOW} - stamp) * :rate)"

_TAKE = text(
    f"UPDATE advisor_rate_buckets SET tokens = {_FILLED} - 1, stamp = {_NOW} "
    f"WHERE name = :name AND {_FILLED} >= 1 RETURNING tokens"
)
_CREATE = text(
    f"INSERT INTO advisor_rate_buckets (name, tokens, stamp) VALUES (:name, :burst, {_NOW}) "
    "ON CONFLICT (name) DO NOTHING"
)
_LEVEL = text(f"SELECT {_FILLED} FROM advisor_rate_buckets WHERE name = :name")
_DRAIN = text(f"UPDATE advisor_rate_buckets SET tokens = 0, stamp = {_NOW} WHERE name = :name")
# pg_advisory_lock key of every installer of our shared tables (this one, and the job
# queue's, bot.jobs.queue.install_schema): two creating a table at once would collide
INSTALL_LOCK = 726_153_016


def install(connection: Connection) -> None:
    """Create the table when missing (under INSTALL_LOCK: two processes creating it at
    once would collide on the type's name). Commits on `connection`."""
    with connection.begin():
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": INSTALL_LOCK})
        connection.execute(text(TABLE_DDL))


def take(connection: Connection, name: str, *, rate: float, burst: float) -> float:
    """Take one token of bucket `name` (`rate` a second, at most `burst` saved up):
    0.0 when taken, else the seconds until one is there (take nothing, try again then).
    Commits on `connection` (autocommit is fine)."""
    params = {"name": name, "rate": rate, "burst": max(1.0, burst)}
    with connection.begin():
        if connection.execute(_TAKE, params).first() is not None:
            return 0.0
        level = connection.execute(_LEVEL, params).scalar()
        if level is None:  # a new bucket: full
            connection.execute(_CREATE, params)
            return 0.0 if connection.execute(_TAKE, params).first() is not None else 1.0 / rate
    return max(0.001, (1.0 - float(level)) / rate)


def drain(connection: Connection, name: str) -> None:
    """Spend every token of bucket `name` (the platform refused a call as too many:
    the next taker waits a whole interval). Commits on `connection`."""
    with connection.begin():
        connection.execute(_DRAIN, {"name": name})
