"""Storage benchmark: load a seller with ~1,000,000 order lines among three smaller
sellers, then time "paid revenue and order count of one seller over a 7-day and a
90-day window" on SQLite and PostgreSQL.

    .venv/bin/python bench/storage.py [--lines 1000000] [--queries 200]
                                      [--backends sqlite,postgresql]

Prints load time, database size, the query plan, and p50/p95 query latency; then,
as a what-if, the same question answered from an hourly rollup table built ad hoc
(full hours from the rollup, the two partial edge hours from orders).
Targets: 1M lines load in under 60 s; p95 under 20 ms for both windows.
PostgreSQL uses a throwaway database advisor_bench_<random> at 127.0.0.1:5432,
dropped afterwards; it is skipped with a message when unreachable.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
from sqlalchemy import Engine, bindparam, create_engine, func, select, text

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from storage.db import make_engine, session_factory, upgrade  # noqa: E402
from storage.demo import BEAUTY, CAMPING, DEMO, PETS, StoreSpec, generate_store  # noqa: E402
from storage.models import Order, UTCDateTime  # noqa: E402

PG_ADMIN_URL = os.environ.get(
    "BENCH_PG_ADMIN_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
UNTIL = dt.datetime(2026, 11, 20, 15, 0, tzinfo=dt.UTC)
DAYS = 365
LINES_PER_ORDER = 1.502  # mean distinct lines per generated order (measured)
SMALL_SELLERS = ((PETS, 50.0), (BEAUTY, 120.0), (CAMPING, 300.0))


def specs(lines: int) -> list[StoreSpec]:
    big = StoreSpec(
        slug="bench-big",
        until=UNTIL,
        days=DAYS,
        orders_per_day=lines / LINES_PER_ORDER / DAYS,
        theme=DEMO,
        with_visits=False,
    )
    small = [
        StoreSpec(
            slug=f"bench-{theme.key}",
            until=UNTIL,
            days=DAYS,
            orders_per_day=per_day,
            theme=theme,
            with_visits=False,
        )
        for theme, per_day in SMALL_SELLERS
    ]
    return [small[0], big, *small[1:]]  # the big seller in the middle of the id range


def load(engine: Engine, lines: int) -> tuple[int, int]:
    """Generate and load every seller; returns (big seller id, its line count)."""
    sessions = session_factory(engine)
    big_id, big_lines = 0, 0
    for index, spec in enumerate(specs(lines), start=1):
        started = time.perf_counter()
        with sessions.begin() as session:
            report = generate_store(session, spec, np.random.default_rng([2026, index]))
        elapsed = time.perf_counter() - started
        print(
            f"  {spec.slug:<15} {report.orders:>9,} orders {report.lines:>10,} lines "
            f"{report.customers:>8,} customers  {elapsed:6.1f} s"
        )
        if spec.slug == "bench-big":
            big_id, big_lines = report.seller_id, report.lines
    return big_id, big_lines


def maintain(engine: Engine) -> None:
    if engine.dialect.name == "sqlite":
        with engine.connect() as connection:
            connection.exec_driver_sql("ANALYZE")
            connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
            connection.commit()
    else:
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql("VACUUM ANALYZE")


def size_bytes(engine: Engine) -> int:
    if engine.dialect.name == "sqlite":
        path = Path(str(engine.url.database))
        return sum(p.stat().st_size for p in path.parent.glob(path.name + "*"))
    with engine.connect() as connection:
        return int(connection.scalar(text("SELECT pg_database_size(current_database())")) or 0)


def revenue_query(seller_id: int, start: dt.datetime, stop: dt.datetime):  # type: ignore[no-untyped-def]
    return select(func.coalesce(func.sum(Order.revenue), 0), func.count()).where(
        Order.seller_id == seller_id,
        Order.ordered_at >= start,
        Order.ordered_at < stop,
        Order.status == "paid",
    )


QUERY_SQL = (
    "SELECT COALESCE(SUM(revenue), 0), COUNT(*) FROM orders WHERE seller_id = :s "
    "AND ordered_at >= :a AND ordered_at < :b AND status = 'paid'"
)


def show_plan(engine: Engine, seller_id: int) -> None:
    prefix = "EXPLAIN QUERY PLAN " if engine.dialect.name == "sqlite" else "EXPLAIN "
    statement = text(prefix + QUERY_SQL).bindparams(
        bindparam("a", type_=UTCDateTime()), bindparam("b", type_=UTCDateTime())
    )
    params = {"s": seller_id, "a": UNTIL - dt.timedelta(days=7), "b": UNTIL}
    with engine.connect() as connection:
        plan = [str(row[-1]) for row in connection.execute(statement, params)]
    uses_index = any("ix_orders_seller_time" in line for line in plan)
    print(f"  plan ({'index range scan on ix_orders_seller_time' if uses_index else 'NO INDEX'}):")
    for line in plan:
        print(f"    {line}")


def time_queries(engine: Engine, seller_id: int, window_days: int, count: int) -> list[float]:
    rng = np.random.default_rng(window_days)
    first = UNTIL - dt.timedelta(days=DAYS)
    span = (UNTIL - first).total_seconds() - window_days * 86_400
    timings = []
    with engine.connect() as connection:
        connection.execute(revenue_query(seller_id, first, UNTIL)).one()  # warm the cache
        for offset in rng.uniform(0, span, size=count):
            start = first + dt.timedelta(seconds=float(offset))
            stop = start + dt.timedelta(days=window_days)
            began = time.perf_counter()
            connection.execute(revenue_query(seller_id, start, stop)).one()
            timings.append((time.perf_counter() - began) * 1000)
    return timings


def run(engine: Engine, label: str, lines: int, queries: int, rollup: bool) -> None:
    print(f"\n== {label}")
    upgrade(engine)
    started = time.perf_counter()
    big_id, big_lines = load(engine, lines)
    loaded = time.perf_counter() - started
    maintain(engine)
    print(
        f"  load: {loaded:.1f} s for all sellers (big seller: {big_lines:,} lines); "
        f"database size {size_bytes(engine) / 1e6:.0f} MB"
    )
    show_plan(engine, big_id)
    for window in (7, 90):
        timings = time_queries(engine, big_id, window, queries)
        p50, p95 = np.percentile(timings, [50, 95])
        print(
            f"  {window:>2}-day window, {queries} queries: p50 {p50:.2f} ms  p95 {p95:.2f} ms  "
            f"max {max(timings):.2f} ms"
        )
    if rollup:
        rollup_what_if(engine, big_id, queries)


# What-if: the same question answered from an hourly rollup of paid orders (not in the
# schema; built here only to measure what such a table would buy). Full hours come from
# the rollup, the two partial edge hours from orders.
ROLLUP_SQL = {
    "sqlite": (
        "CREATE TABLE bench_order_hours (seller_id INTEGER, hour TEXT, orders INTEGER, "
        "revenue INTEGER, PRIMARY KEY (seller_id, hour)) WITHOUT ROWID",
        "INSERT INTO bench_order_hours SELECT seller_id, substr(ordered_at, 1, 13) || "
        "':00:00.000000', COUNT(*), SUM(revenue) FROM orders WHERE status = 'paid' GROUP BY 1, 2",
    ),
    "postgresql": (
        "CREATE TABLE bench_order_hours (seller_id INTEGER, hour TIMESTAMPTZ, orders INTEGER, "
        "revenue BIGINT, PRIMARY KEY (seller_id, hour))",
        "INSERT INTO bench_order_hours SELECT seller_id, date_trunc('hour', ordered_at), "
        "COUNT(*), SUM(revenue) FROM orders WHERE status = 'paid' GROUP BY 1, 2",
    ),
}
ROLLUP_QUERY = """
SELECT SUM(r), SUM(n) FROM (
  SELECT COALESCE(SUM(revenue), 0) AS r, COUNT(*) AS n FROM orders
   WHERE seller_id = :s AND ordered_at >= :a AND ordered_at < :ha AND status = 'paid'
  UNION ALL
  SELECT COALESCE(SUM(revenue), 0), COUNT(*) FROM orders
   WHERE seller_id = :s AND ordered_at >= :hb AND ordered_at < :b AND status = 'paid'
  UNION ALL
  SELECT COALESCE(SUM(revenue), 0), COALESCE(SUM(orders), 0) FROM bench_order_hours
   WHERE seller_id = :s AND hour >= :ha AND hour < :hb
) parts
"""


def rollup_what_if(engine: Engine, seller_id: int, count: int) -> None:
    create, fill = ROLLUP_SQL[engine.dialect.name]
    began = time.perf_counter()
    with engine.begin() as connection:
        connection.exec_driver_sql(create)
        connection.exec_driver_sql(fill)
        connection.exec_driver_sql("ANALYZE bench_order_hours")
    built = time.perf_counter() - began
    statement = text(ROLLUP_QUERY).bindparams(
        *(bindparam(name, type_=UTCDateTime()) for name in ("a", "b", "ha", "hb"))
    )
    print(f"  what-if hourly rollup of paid orders (built in {built:.1f} s, not in the schema):")
    first = UNTIL - dt.timedelta(days=DAYS)
    with engine.connect() as connection:
        for window in (7, 90):
            rng = np.random.default_rng(window)
            span = (UNTIL - first).total_seconds() - window * 86_400
            timings, mismatches = [], 0
            for offset in rng.uniform(0, span, size=count):
                start = first + dt.timedelta(seconds=float(offset))
                stop = start + dt.timedelta(days=window)
                params = {
                    "s": seller_id,
                    "a": start,
                    "b": stop,
                    "ha": _hour_ceil(start),
                    "hb": stop.replace(minute=0, second=0, microsecond=0),
                }
                began = time.perf_counter()
                revenue, orders = connection.execute(statement, params).one()
                timings.append((time.perf_counter() - began) * 1000)
                if len(timings) <= 10:  # the answer must equal the plain query's
                    plain = connection.execute(revenue_query(seller_id, start, stop)).one()
                    mismatches += (int(revenue), int(orders)) != (int(plain[0]), int(plain[1]))
            p50, p95 = np.percentile(timings, [50, 95])
            print(
                f"  {window:>2}-day window, {count} queries: p50 {p50:.2f} ms  p95 {p95:.2f} ms  "
                f"(answers equal to the plain query: {'yes' if not mismatches else 'NO'})"
            )


def _hour_ceil(moment: dt.datetime) -> dt.datetime:
    floor = moment.replace(minute=0, second=0, microsecond=0)
    return floor if floor == moment else floor + dt.timedelta(hours=1)


@contextmanager
def postgres_database() -> Iterator[str | None]:
    name = f"advisor_bench_{uuid.uuid4().hex[:10]}"
    try:
        admin = create_engine(
            PG_ADMIN_URL, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 3}
        )
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # noqa: BLE001 - unreachable server: skip with the reason
        print(f"\n== PostgreSQL skipped: 127.0.0.1:5432 unreachable ({exc.__class__.__name__})")
        yield None
        return
    try:
        yield PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument(
        "--no-rollup",
        dest="rollup",
        action="store_false",
        help="skip the what-if measurement with an hourly rollup table",
    )
    args = parser.parse_args()
    backends = [b.strip() for b in args.backends.split(",") if b.strip()]
    print(
        f"storage bench: one seller with ~{args.lines:,} order lines over {DAYS} days "
        f"among {len(SMALL_SELLERS)} smaller sellers; {os.cpu_count()} CPUs"
    )
    if "sqlite" in backends:
        with tempfile.TemporaryDirectory(prefix="advisor_bench_") as folder:
            engine = make_engine(f"sqlite:///{folder}/bench.db")
            try:
                run(engine, "SQLite (file, WAL)", args.lines, args.queries, args.rollup)
            finally:
                engine.dispose()
    if "postgresql" in backends:
        with postgres_database() as url:
            if url is not None:
                engine = make_engine(url)
                try:
                    run(engine, "PostgreSQL 127.0.0.1:5432", args.lines, args.queries, args.rollup)
                finally:
                    engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
