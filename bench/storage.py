"""Storage benchmark: load a seller with ~1,000,000 order lines among three smaller
sellers, then time "paid revenue and order count of one seller over a 7-day and a
90-day window" on SQLite and PostgreSQL.

    .venv/bin/python bench/storage.py [--lines 1000000] [--queries 200]
                                      [--backends sqlite,postgresql]

Prints load time (the demo generator's bulk path, daily rollups refreshed at the
end of each seller), database size, the query plan, and p50/p95 latency of the
query the product uses, `storage.rollups.revenue_and_orders`: complete local days
from the `sales_daily` rollup, the two partial edge days from `orders` (windows
start and stop at random instants); beside it the same question answered from
`orders` alone (one index range scan on ix_orders_seller_time), and a check that
both give the same answers.
Then (--import-lines, default 100,000; 0 skips it) times `storage.importing.import_orders`,
the path `advisor import orders` takes, on a generated generic CSV of that many lines:
once into the big seller (its orders already loaded) and once into a new seller; wall
time, and the CPU time of this process and of the PostgreSQL server's backends.
Targets: 1M lines load in under 60 s; p95 under 20 ms for both windows; the import
on PostgreSQL at least as fast as on SQLite.
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
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
from sqlalchemy import Engine, create_engine, event, func, select, text
from sqlalchemy.orm import Session

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from storage.db import make_engine, session_factory, upgrade  # noqa: E402
from storage.demo import BEAUTY, CAMPING, DEMO, PETS, StoreSpec, generate_store  # noqa: E402
from storage.importing import import_orders  # noqa: E402
from storage.models import Order  # noqa: E402
from storage.rollups import revenue_and_orders  # noqa: E402
from storage.sellers import add_seller  # noqa: E402

PG_ADMIN_URL = os.environ.get(
    "BENCH_PG_ADMIN_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
UNTIL = dt.datetime(2026, 11, 20, 15, 0, tzinfo=dt.UTC)
DAYS = 365
LINES_PER_ORDER = 1.502  # mean distinct lines per generated order (measured)
SMALL_SELLERS = ((PETS, 50.0), (BEAUTY, 120.0), (CAMPING, 300.0))


def specs(lines: int, **big_options: Any) -> list[StoreSpec]:
    """The bench stores: one big seller of `lines` order lines (its spec options
    overridable) in the middle of the id range of three smaller ones."""
    options: dict[str, Any] = {"with_visits": False, **big_options}
    big = StoreSpec(
        slug="bench-big",
        until=UNTIL,
        days=DAYS,
        orders_per_day=lines / LINES_PER_ORDER / DAYS,
        theme=DEMO,
        **options,
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


SEOUL = ZoneInfo("Asia/Seoul")  # every bench seller's timezone (StoreSpec default)


def captured_statements(engine: Engine, run: Any) -> list[tuple[str, Any]]:
    """The SQL statements (and parameters) `run()` sends to the database."""
    statements: list[tuple[str, Any]] = []

    def capture(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        statements.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", capture)
    try:
        run()
    finally:
        event.remove(engine, "before_cursor_execute", capture)
    return statements


def show_plan(engine: Engine, seller_id: int) -> None:
    """EXPLAIN the statement revenue_and_orders sends for a 90-day window cut mid-day."""
    start = UNTIL - dt.timedelta(days=100, hours=5)
    stop = start + dt.timedelta(days=90)
    with Session(engine) as session:
        statements = captured_statements(
            engine, lambda: revenue_and_orders(session, seller_id, SEOUL, start, stop)
        )
        statement, parameters = statements[-1]  # the timezone check comes first
        prefix = "EXPLAIN QUERY PLAN " if engine.dialect.name == "sqlite" else "EXPLAIN "
        connection = session.connection()
        plan = [str(row[-1]) for row in connection.exec_driver_sql(prefix + statement, parameters)]
    text_plan = " ".join(plan)
    print(
        "  plan of revenue_and_orders (90-day window): "
        f"edges from orders by {'ix_orders_seller_time' if 'ix_orders_seller_time' in text_plan else 'NO INDEX'}, "
        f"days from sales_daily by {'its primary key' if 'sales_daily' in text_plan else 'NOTHING'}"
    )
    for line in plan:
        print(f"    {line}")


def windows(window_days: int, count: int) -> list[tuple[dt.datetime, dt.datetime]]:
    """Random windows of `window_days` days starting at any instant of the history."""
    rng = np.random.default_rng(window_days)
    first = UNTIL - dt.timedelta(days=DAYS)
    span = (UNTIL - first).total_seconds() - window_days * 86_400
    starts = [first + dt.timedelta(seconds=float(offset)) for offset in rng.uniform(0, span, count)]
    return [(start, start + dt.timedelta(days=window_days)) for start in starts]


def time_queries(engine: Engine, seller_id: int, window_days: int, count: int) -> None:
    ranges = windows(window_days, count)
    product, plain, mismatches = [], [], 0
    with Session(engine) as session:
        revenue_and_orders(session, seller_id, SEOUL, *ranges[0])  # warm the caches
        session.execute(revenue_query(seller_id, *ranges[0])).one()
        for start, stop in ranges:
            began = time.perf_counter()
            answer = revenue_and_orders(session, seller_id, SEOUL, start, stop)
            product.append((time.perf_counter() - began) * 1000)
            began = time.perf_counter()
            revenue, orders = session.execute(revenue_query(seller_id, start, stop)).one()
            plain.append((time.perf_counter() - began) * 1000)
            mismatches += answer != (int(revenue), int(orders))
    for label, timings in (("rollup days + raw edges", product), ("orders only (before)", plain)):
        p50, p95 = np.percentile(timings, [50, 95])
        print(
            f"  {window_days:>2}-day window, {count} queries, {label:<24}: p50 {p50:6.2f} ms  "
            f"p95 {p95:6.2f} ms  max {max(timings):6.2f} ms"
        )
    print(f"     answers equal to the orders-only query: {'all' if not mismatches else 'NO'}")


def import_file(lines: int, prefix: str) -> bytes:
    """A generic order CSV of `lines` lines, two lines an order, 500 products, 5,000
    customers, spread over the bench year in the seller's time."""
    rows = ["order_id,ordered_at,status,sku,product_name,quantity,unit_price,customer"]
    start = UNTIL - dt.timedelta(days=DAYS)
    step = dt.timedelta(days=DAYS) / max(lines, 1)
    for n in range(lines):
        order = n // 2
        at = (start + step * (2 * order)).strftime("%Y-%m-%d %H:%M:%S")
        sku = f"IMP-{(n * 7) % 500:03d}"
        rows.append(
            f"{prefix}-{order},{at},paid,{sku},Imported {sku},{1 + n % 3},{1000 + n % 90 * 100},"
            f"c{order % 5000}@example.com"
        )
    return ("\n".join(rows) + "\n").encode()


def server_cpu(engine: Engine) -> float | None:
    """CPU seconds used so far by the PostgreSQL backends of the bench database, read
    from /proc (a server on this machine; None elsewhere, and for SQLite)."""
    if engine.dialect.name != "postgresql":
        return None
    with engine.connect() as connection:
        pids = connection.scalars(
            text("SELECT pid FROM pg_stat_activity WHERE datname = current_database()")
        ).all()
    ticks = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return None
        ticks += int(fields[11]) + int(fields[12])  # utime, stime
    return ticks / os.sysconf("SC_CLK_TCK")


def time_import(engine: Engine, lines: int) -> None:
    """`import_orders` of a generated file into the big seller and into a new one: wall
    time, and CPU time of this process and (PostgreSQL on this machine) of the server,
    which a machine shared with other work inflates less than wall time."""
    sessions = session_factory(engine)
    with sessions.begin() as session:
        add_seller(session, slug="bench-new")
    for slug in ("bench-big", "bench-new"):
        data = import_file(lines, f"IMP-{slug}")
        server_before = server_cpu(engine)
        started, cpu_started = time.perf_counter(), time.process_time()
        report = import_orders(sessions, data, source="bench.csv", seller=slug)
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
        server_after = server_cpu(engine)
        assert report.ok, report.errors[:3]
        server = (
            f" + server {server_after - server_before:5.1f} s"
            if server_before is not None and server_after is not None
            else ""
        )
        print(
            f"  import into {slug:<10} {report.orders:>8,} orders {report.lines:>9,} lines "
            f"{elapsed:7.1f} s (CPU: this process {cpu:5.1f} s{server})"
        )


def run(engine: Engine, label: str, lines: int, queries: int, import_lines: int = 0) -> None:
    print(f"\n== {label}")
    upgrade(engine)
    started = time.perf_counter()
    big_id, big_lines = load(engine, lines)
    loaded = time.perf_counter() - started
    maintain(engine)
    print(
        f"  load: {loaded:.1f} s for all sellers, rollups included (big seller: "
        f"{big_lines:,} lines); database size {size_bytes(engine) / 1e6:.0f} MB"
    )
    show_plan(engine, big_id)
    for window in (7, 90):
        time_queries(engine, big_id, window, queries)
    if import_lines:
        time_import(engine, import_lines)


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
    parser.add_argument("--import-lines", type=int, default=100_000)
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
                run(engine, "SQLite (file, WAL)", args.lines, args.queries, args.import_lines)
            finally:
                engine.dispose()
    if "postgresql" in backends:
        with postgres_database() as url:
            if url is not None:
                engine = make_engine(url)
                try:
                    run(
                        engine,
                        "PostgreSQL 127.0.0.1:5432",
                        args.lines,
                        args.queries,
                        args.import_lines,
                    )
                finally:
                    engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
