"""Alert scan of many sellers: set-based against one seller at a time.

    .venv/bin/python bench/alert_scan.py [--sellers 10000] [--days 120]
        [--sqlite data/bench_alert_scan.db] [--pg postgresql+psycopg://postgres@127.0.0.1:5432/advisor_bench_alerts]
        [--no-pg] [--rebuild] [--per-seller-limit N]

Builds (once; reused while the seller count and days match) a database of
`--sellers` small sellers (1-20 orders a day, log-uniform; 90 % in Asia/Seoul,
the rest in New York and Berlin, so three timezone groups) with `--days` days
of orders following storage/demo/profile.py, yesterday's orders cut by 90 % for
2 % of them, and a third of them with one or two ad campaigns of daily stats.

Only `orders` rows are loaded, with `revenue`/`units` set directly: the scan
reads paid orders per seller and hour and never touches `order_items`, so lines
would only slow the load. Orders go in with one executemany per 500 sellers on
SQLite and COPY on PostgreSQL; sellers, campaigns and `ad_stats_daily` with
Core executemany.

Then times, at a fixed `now`, the hourly scan the scheduler runs (sales:
intraday today and yesterday's whole day; ads: yesterday):

- set-based: `scan_sales` + `scan_ads`, one query each for every seller, local
  hours derived in numpy per timezone group, detection vectorised;
- per seller: `scan_sales_per_seller` + `scan_ads_per_seller`, the same code
  with one query per seller (with `--per-seller-limit N`, the first N sellers,
  extrapolated linearly);

and prints both side by side with their ratio (wall time, and this process's CPU
time beside it: the database server's is not in it, and a shared machine inflates
wall times), on SQLite and on PostgreSQL where it is reachable. The two must find
the same alerts. The hourly rows come off the DB-API cursor straight into an int64
array (analytics._arrays), not as Row objects.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import scipy.stats  # noqa: F401 - detection imports it lazily: loaded before any timing
from sqlalchemy import Engine, create_engine, func, insert, select, text
from sqlalchemy.engine import make_url

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from analytics.detectors import (  # noqa: E402
    scan_ads,
    scan_ads_per_seller,
    scan_sales,
    scan_sales_per_seller,
)
from analytics.detectors.queries import hourly_orders  # noqa: E402
from storage.db import make_engine, session_factory, upgrade  # noqa: E402
from storage.demo.profile import HOUR, WEEKDAY  # noqa: E402
from storage.models import AdCampaign, AdStatDaily, Order, Seller  # noqa: E402

NOW = dt.datetime(2025, 6, 30, 15, 30, tzinfo=ZoneInfo("Asia/Seoul"))
ZONES = ("Asia/Seoul", "America/New_York", "Europe/Berlin")
CHUNK = 500  # sellers per insert batch


def _sizes(rng: np.random.Generator, sellers: int) -> np.ndarray[Any, Any]:
    return np.exp(rng.uniform(np.log(1), np.log(20), size=sellers))


def build(engine: Engine, sellers: int, days: int, seed: int = 1) -> None:
    """Fill an empty migrated database with the bench stores."""
    rng = np.random.default_rng(seed)
    sizes = _sizes(rng, sellers)
    zones = rng.choice(ZONES, size=sellers, p=(0.9, 0.05, 0.05))
    dropped = rng.random(sellers) < 0.02
    with engine.begin() as connection:
        connection.execute(
            insert(Seller),
            [
                {"id": i + 1, "slug": f"s{i + 1}", "name": f"s{i + 1}", "timezone": str(zones[i])}
                for i in range(sellers)
            ],
        )
    profile = np.asarray(HOUR)
    total = 0
    started = time.perf_counter()
    for first in range(0, sellers, CHUNK):
        rows: list[tuple[Any, ...]] = []
        for i in range(first, min(first + CHUNK, sellers)):
            rows += _orders(rng, i + 1, sizes[i], str(zones[i]), days, profile, bool(dropped[i]))
        _insert_orders(engine, rows)
        total += len(rows)
        print(f"\r  orders: {total:,} ({first + CHUNK:,}/{sellers:,} sellers)", end="", flush=True)
    print(f" in {time.perf_counter() - started:.0f} s")
    campaigns, stats = _ads(rng, sellers, days)
    with engine.begin() as connection:
        connection.execute(insert(AdCampaign), campaigns)
        connection.execute(insert(AdStatDaily), stats)
    print(f"  ad campaigns: {len(campaigns):,}, daily ad rows: {len(stats):,}")


def _orders(
    rng: np.random.Generator,
    seller: int,
    size: float,
    zone: str,
    days: int,
    profile: np.ndarray[Any, Any],
    dropped: bool,
) -> list[tuple[Any, ...]]:
    """(seller_id, external_id, ordered_at as UTC text, status, revenue, units) rows."""
    tz = ZoneInfo(zone)
    today = NOW.astimezone(tz).date()
    dates = [today - dt.timedelta(days=days - 1 - d) for d in range(days)]
    weekday = np.array([WEEKDAY[d.weekday()] for d in dates])
    rate = size * weekday[:, None] * profile[None, :]
    if dropped:
        rate[-2] *= 0.1  # yesterday: orders nearly stopped
    counts = rng.poisson(rate)
    day, hour = np.nonzero(counts)
    repeat = counts[day, hour]
    day, hour = np.repeat(day, repeat), np.repeat(hour, repeat)
    seconds = rng.integers(0, 3600, size=len(day))
    midnights = np.array(
        [dt.datetime.combine(d, dt.time(), tzinfo=tz).timestamp() for d in dates], dtype=np.int64
    )
    stamps = midnights[day] + hour * 3600 + seconds
    stamps = stamps[stamps < int(NOW.timestamp())]
    # SQLAlchemy's SQLite text format for UTC datetimes (PostgreSQL reads it too)
    text_stamps = np.char.replace(
        np.datetime_as_string(stamps.astype("datetime64[s]").astype("datetime64[us]")), "T", " "
    )
    units = rng.integers(1, 4, size=len(stamps))
    status = np.where(rng.random(len(stamps)) < 0.03, "cancelled", "paid")
    return list(
        zip(
            [seller] * len(stamps),
            [str(n) for n in range(len(stamps))],
            text_stamps.tolist(),
            status.tolist(),
            (units * 15_000).tolist(),
            units.tolist(),
            strict=True,
        )
    )


def _insert_orders(engine: Engine, rows: list[tuple[Any, ...]]) -> None:
    """executemany on SQLite; COPY on PostgreSQL (executemany there runs ~25 µs a row)."""
    columns = "seller_id, external_id, ordered_at, status, revenue, units"
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            raw = connection.connection.driver_connection
            with raw.cursor() as cursor:  # type: ignore[union-attr]
                with cursor.copy(f"COPY orders ({columns}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row((*row[:2], row[2] + "+00", *row[3:]))
        else:
            connection.exec_driver_sql(
                f"INSERT INTO orders ({columns}) VALUES (?, ?, ?, ?, ?, ?)", rows
            )


def _ads(
    rng: np.random.Generator, sellers: int, days: int
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    campaigns: list[dict[str, Any]] = []
    stats: list[dict[str, Any]] = []
    today = NOW.date()
    for seller in range(1, sellers + 1):
        if rng.random() >= 1 / 3:
            continue
        for _ in range(int(rng.integers(1, 3))):
            cid = len(campaigns) + 1
            campaigns.append(
                {
                    "id": cid,
                    "seller_id": seller,
                    "external_id": f"c{cid}",
                    "name": f"campaign {cid}",
                }
            )
            clicks_a_day = float(np.exp(rng.uniform(np.log(5), np.log(500))))
            impressions = rng.poisson(clicks_a_day / 0.02, size=days)
            ctr = np.full(days, 0.02)
            if rng.random() < 0.05:
                ctr[-2] *= 0.4  # yesterday's CTR collapses
            clicks = rng.binomial(impressions, ctr)
            conversions = rng.binomial(clicks, 0.04)
            for d in range(days):
                stats.append(
                    {
                        "seller_id": seller,
                        "campaign_id": cid,
                        "date": today - dt.timedelta(days=days - 1 - d),
                        "impressions": int(impressions[d]),
                        "clicks": int(clicks[d]),
                        "spend": int(clicks[d]) * 400,
                        "conversions": int(conversions[d]),
                        "conversion_revenue": int(conversions[d]) * 30_000,
                    }
                )
    return campaigns, stats


def prepare(engine: Engine, sellers: int, days: int, rebuild: bool) -> None:
    upgrade(engine)
    with engine.connect() as connection:
        have = connection.scalar(select(func.count()).select_from(Seller))
        span = connection.scalar(select(func.min(Order.ordered_at)))
    expected_start = NOW - dt.timedelta(days=days + 1)
    fresh = have == sellers and span is not None and span >= expected_start
    if fresh and not rebuild:
        print(f"  reusing the database with {sellers:,} sellers")
        return
    if have:
        print("  clearing the database")
        with engine.begin() as connection:
            for table in ("ad_stats_daily", "ad_campaigns", "orders", "sellers"):
                connection.execute(text(f"DELETE FROM {table}"))
    print(f"  building {sellers:,} sellers x {days} days")
    build(engine, sellers, days)
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("VACUUM ANALYZE"))
    else:
        with engine.begin() as connection:
            connection.execute(text("ANALYZE"))


def run(engine: Engine, label: str, per_seller_limit: int | None) -> None:
    sessions = session_factory(engine)
    with sessions() as session:
        orders = session.scalar(select(func.count()).select_from(Order))
        sellers = session.scalar(select(func.count()).select_from(Seller)) or 0
        print(f"[{label}] {sellers:,} sellers, {orders:,} orders")

        started, cpu = time.perf_counter(), time.process_time()
        rows = hourly_orders(session, start=NOW - dt.timedelta(days=58), stop=NOW)
        query_seconds, query_cpu = time.perf_counter() - started, time.process_time() - cpu

        started, cpu = time.perf_counter(), time.process_time()
        alerts = scan_sales(session, now=NOW) + scan_ads(session, now=NOW)
        set_seconds, set_cpu = time.perf_counter() - started, time.process_time() - cpu

        ids = sorted(session.scalars(select(Seller.id)))
        if per_seller_limit:
            ids = ids[:per_seller_limit]
        started, cpu = time.perf_counter(), time.process_time()
        single = scan_sales_per_seller(session, now=NOW, seller_ids=ids) + scan_ads_per_seller(
            session, now=NOW, seller_ids=ids
        )
        per_seconds, per_cpu = time.perf_counter() - started, time.process_time() - cpu
    scale = sellers / len(ids) if ids else 1.0
    subset = [a for a in alerts if a.seller_id in set(ids)]
    same = sorted(a.dedupe_key for a in subset) == sorted(a.dedupe_key for a in single)
    kinds: dict[str, int] = {}
    for alert in alerts:
        kinds[alert.kind] = kinds.get(alert.kind, 0) + 1
    print(
        f"  hourly paid-order aggregate over 58 days: {len(rows):,} rows in {query_seconds:.1f} s"
        f" (this process's CPU {query_cpu:.1f} s)"
    )
    print(
        f"  set-based scan:   {set_seconds:7.1f} s  (CPU {set_cpu:5.1f} s; "
        f"{len(alerts)} alerts: {kinds})"
    )
    note = f" (first {len(ids):,} sellers: {per_seconds:.1f} s, x{scale:.1f})" if scale > 1 else ""
    print(f"  one at a time:    {per_seconds * scale:7.1f} s  (CPU {per_cpu * scale:5.1f} s){note}")
    print(f"  ratio:            {per_seconds * scale / set_seconds:7.1f}x  (same alerts: {same})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sellers", type=int, default=10_000)
    parser.add_argument("--days", type=int, default=120)
    parser.add_argument("--sqlite", default="data/bench_alert_scan.db")
    parser.add_argument(
        "--pg", default="postgresql+psycopg://postgres@127.0.0.1:5432/advisor_bench_alerts"
    )
    parser.add_argument("--no-pg", action="store_true")
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--per-seller-limit", type=int, default=None)
    args = parser.parse_args()

    print(f"now = {NOW.isoformat()}")
    engine = make_engine(f"sqlite:///{Path(args.sqlite).resolve()}")
    prepare(engine, args.sellers, args.days, args.rebuild)
    run(engine, "sqlite", args.per_seller_limit)
    engine.dispose()

    if args.no_pg:
        return
    url = make_url(args.pg)
    try:
        admin = create_engine(
            url.set(database="postgres"),
            isolation_level="AUTOCOMMIT",
            connect_args={"connect_timeout": 3},
        )
        with admin.connect() as connection:
            exists = connection.scalar(
                text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": url.database}
            )
            if not exists:
                connection.execute(text(f'CREATE DATABASE "{url.database}"'))
        admin.dispose()
    except Exception as exc:  # noqa: BLE001 - unreachable server: report and stop
        print(f"[postgresql] skipped: {exc.__class__.__name__}: {exc}")
        return
    engine = make_engine(args.pg)
    prepare(engine, args.sellers, args.days, args.rebuild)
    run(engine, "postgresql", args.per_seller_limit)
    engine.dispose()


if __name__ == "__main__":
    main()
