"""Analytics benchmark: every analysis on one seller with ~1,000,000 order lines
(a year of orders, visits and ads) among three smaller sellers, on SQLite and
PostgreSQL; p50/p95 for a 7-day and a 90-day window at random positions.

    .venv/bin/python bench/analytics.py [--lines 1000000] [--samples 40]
                                        [--backends sqlite,postgresql] [--raw] [--no-clv]

Each sample draws an as-of time uniformly over the last 250 days of the history
and a window of N local days ending today (so far, cut at that time) or
yesterday, half and half; products for product_report are drawn uniformly from
the catalogue. Every call runs in a fresh session, as a bot turn does. Timed:
sales_report, top_products (top, rising, falling), product_report, ad_report,
keyword_report, and customer_report (whole history, not windowed) without the
fit (customer_summary: the purchase-day query and the per-customer summary)
and with it. `--raw` also times the windowed analyses with the daily rollups
out of use (the raw-table path they had before; same answers, checked).
Then bench/clv.py's BG/NBD fit on 100,000 simulated customers.

Targets (issue 3): p95 under 50 ms (7-day) and 200 ms (90-day) for every
analysis except the BG/NBD fit; the fit for 100k customers under 3 s.
The big seller's visits cover the whole year at 25 % conversion (2.7M visits)
so that every window has visits; the database is loaded by the demo generator's
bulk path (bench/storage.py's loader settings) with the rollups refreshed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.util
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
from sqlalchemy import Engine, select, update
from sqlalchemy.orm import Session

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from analytics.ads import ad_report  # noqa: E402
from analytics.clv.report import customer_report  # noqa: E402
from analytics.clv.transactions import customer_summary  # noqa: E402
from analytics.common import NoData, Store, Window  # noqa: E402
from analytics.keywords import keyword_report  # noqa: E402
from analytics.products import product_report, top_products  # noqa: E402
from analytics.sales import sales_report  # noqa: E402
from storage.db import make_engine, session_factory, upgrade  # noqa: E402
from storage.demo import StoreSpec, generate_store  # noqa: E402
from storage.models import Product, Seller  # noqa: E402


def _bench_module(name: str) -> ModuleType:
    """bench/<name>.py as a module (bench/ is no package, and bench/storage.py would
    shadow the storage package by name)."""
    spec = importlib.util.spec_from_file_location(f"bench_{name}", ROOT / "bench" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


bench_storage = _bench_module("storage")
UNTIL: dt.datetime = bench_storage.UNTIL
DAYS: int = bench_storage.DAYS
SEOUL = ZoneInfo("Asia/Seoul")  # every bench seller's timezone (StoreSpec default)
RECENT = 250  # as-of times fall in the last RECENT days, so a previous 90-day window exists
CUSTOMER_SAMPLES = 3  # customer_report reads the whole history: a few samples suffice


def specs(lines: int) -> list[StoreSpec]:
    """bench/storage.py's stores; the big seller also has a year of visits to rank."""
    return bench_storage.specs(lines, with_visits=True, conversion=0.25, visit_days=None)


def load(engine: Engine, lines: int) -> int:
    """Generate and load every seller (rollups included); returns the big seller's id."""
    sessions = session_factory(engine)
    big_id = 0
    for index, spec in enumerate(specs(lines), start=1):
        started = time.perf_counter()
        with sessions.begin() as session:
            report = generate_store(session, spec, np.random.default_rng([2026, index]))
        print(
            f"  {spec.slug:<13} {report.orders:>8,} orders {report.lines:>9,} lines "
            f"{report.customers:>8,} customers {report.visits:>9,} visits "
            f"{report.ad_days:>6,} ad days  {time.perf_counter() - started:6.1f} s"
        )
        if spec.slug == "bench-big":
            big_id = report.seller_id
    return big_id


Analysis = Callable[[Session, Store, Window, int], Any]

WINDOWED: dict[str, Analysis] = {
    "sales_report": lambda s, store, w, _: sales_report(s, store, w),
    "top_products top": lambda s, store, w, _: top_products(s, store, w, "revenue", "top"),
    "top_products rising": lambda s, store, w, _: top_products(s, store, w, "revenue", "rising"),
    "top_products falling": lambda s, store, w, _: top_products(s, store, w, "revenue", "falling"),
    "product_report": lambda s, store, w, product: product_report(s, store, product, w),
    "ad_report": lambda s, store, w, _: ad_report(s, store, w),
    "keyword_report": lambda s, store, w, _: keyword_report(s, store, w),
}


def samples(days: int, count: int, products: list[int]) -> list[tuple[Window, int]]:
    rng = np.random.default_rng([days, count])
    today = UNTIL.astimezone(SEOUL)
    out = []
    for _ in range(count):
        now = today - dt.timedelta(seconds=float(rng.uniform(0, RECENT * 86_400)))
        end = now.date() - dt.timedelta(days=int(rng.integers(0, 2)))  # today or yesterday
        window = Window(end - dt.timedelta(days=days - 1), end, now)
        out.append((window, int(products[int(rng.integers(0, len(products)))])))
    return out


def timed(engine: Engine, call: Callable[[Session], Any]) -> tuple[float, Any]:
    with Session(engine) as session:
        began = time.perf_counter()
        result = call(session)
        return (time.perf_counter() - began) * 1000, result


def set_rollups(engine: Engine, seller_id: int, usable: bool) -> None:
    """Take the seller's rollups out of use (or back) by naming its timezone with an
    alias of the same rules: analytics then read every row raw."""
    with Session(engine) as session, session.begin():
        session.execute(
            update(Seller)
            .where(Seller.id == seller_id)
            .values(timezone="Asia/Seoul" if usable else "ROK")
        )


def p(values: list[float], q: float) -> float:
    return float(np.percentile(values, q))


def run(engine: Engine, label: str, args: argparse.Namespace) -> dict[str, list[float]]:
    print(f"\n== {label}")
    upgrade(engine)
    started = time.perf_counter()
    big_id = load(engine, args.lines)
    print(f"  load {time.perf_counter() - started:.1f} s (rollups included)")
    bench_storage.maintain(engine)
    print(f"  database size {bench_storage.size_bytes(engine) / 1e6:.0f} MB")
    store = Store(id=big_id, timezone=SEOUL)
    with Session(engine) as session:
        products = list(session.scalars(select(Product.id).where(Product.seller_id == big_id)))
    results: dict[str, list[float]] = {}
    modes = [("", True)] + ([(" [raw]", False)] if args.raw else [])
    answers: dict[tuple[str, int, int], Any] = {}
    for suffix, usable in modes:
        set_rollups(engine, big_id, usable)
        for days in (7, 90):
            drawn = samples(days, args.samples, products)
            for name, analysis in WINDOWED.items():
                timed(engine, lambda s, a=analysis, d=drawn: a(s, store, d[0][0], d[0][1]))
                timings = []
                for index, (window, product) in enumerate(drawn):
                    ms, answer = timed(
                        engine, lambda s, a=analysis, w=window, pid=product: a(s, store, w, pid)
                    )
                    timings.append(ms)
                    key = (name, days, index)
                    if key in answers and answers[key] != answer:
                        print(f"  !! {name} {days}-day sample {index}: raw answer differs")
                    answers.setdefault(key, answer)
                results[f"{name}{suffix} {days}"] = timings
                nodata = sum(
                    isinstance(a, NoData) for k, a in answers.items() if k[:2] == (name, days)
                )
                print(
                    f"  {name + suffix:<28} {days:>2}-day: p50 {p(timings, 50):7.1f} ms  "
                    f"p95 {p(timings, 95):7.1f} ms  max {max(timings):7.1f} ms"
                    + (f"  ({nodata} no-data answers)" if nodata and not suffix else "")
                )
    set_rollups(engine, big_id, True)
    summary_ms, report_ms = [], []
    for index in range(CUSTOMER_SAMPLES):
        as_of = UNTIL - dt.timedelta(days=30 * index, hours=3)
        ms, summary = timed(engine, lambda s, t=as_of: customer_summary(s, store, as_of=t))
        summary_ms.append(ms)
        ms, report = timed(engine, lambda s, t=as_of: customer_report(s, store, as_of=t))
        report_ms.append(ms)
    customers = len(summary)
    fitted = getattr(report, "customers_fitted", 0)
    results["customer_report without fit"] = summary_ms
    results["customer_report with fit"] = report_ms
    print(
        f"  customer_report ({customers:,} customers, {fitted:,} fitted; whole history, "
        f"{CUSTOMER_SAMPLES} as-of times): without the fit p50 {p(summary_ms, 50):.0f} ms "
        f"max {max(summary_ms):.0f} ms; with the fits p50 {p(report_ms, 50):.0f} ms "
        f"max {max(report_ms):.0f} ms"
    )
    return results


def table(all_results: dict[str, dict[str, list[float]]]) -> None:
    backends = list(all_results)
    print("\n== p50 / p95 in ms (targets: p95 < 50 ms at 7 days, < 200 ms at 90 days)")
    header = f"  {'analysis':<28}" + "".join(
        f" | {backend[:10]:>10} {days:>2}-day p50/p95" for backend in backends for days in (7, 90)
    )
    print(header)
    names = [n for n in next(iter(all_results.values())) if n.endswith(" 7")]
    for name in names:
        base = name[:-2]
        row = f"  {base:<28}"
        for backend in backends:
            for days in (7, 90):
                values = all_results[backend].get(f"{base} {days}")
                row += (
                    f" | {p(values, 50):>13.1f} / {p(values, 95):>6.1f}"
                    if values
                    else f" | {'-':>22}"
                )
        print(row)
    for name in ("customer_report without fit", "customer_report with fit"):
        figures = ", ".join(
            f"{backend} p50 {p(all_results[backend][name], 50):.0f} ms" for backend in backends
        )
        print(f"  {name:<28} (whole history, not windowed): {figures}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--samples", type=int, default=40)
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--raw", action="store_true", help="also time the raw-table path")
    parser.add_argument("--no-clv", dest="clv", action="store_false")
    args = parser.parse_args()
    backends = [b.strip() for b in args.backends.split(",") if b.strip()]
    print(
        f"analytics bench: one seller with ~{args.lines:,} order lines over {DAYS} days among "
        f"{len(bench_storage.SMALL_SELLERS)} smaller sellers; {args.samples} samples per "
        f"analysis and window; {os.cpu_count()} CPUs"
    )
    results: dict[str, dict[str, list[float]]] = {}
    if "sqlite" in backends:
        with tempfile.TemporaryDirectory(prefix="advisor_bench_") as folder:
            engine = make_engine(f"sqlite:///{folder}/bench.db")
            try:
                results["SQLite"] = run(engine, "SQLite (file, WAL)", args)
            finally:
                engine.dispose()
    if "postgresql" in backends:
        with bench_storage.postgres_database() as url:
            if url is not None:
                engine = make_engine(url)
                try:
                    results["PostgreSQL"] = run(engine, "PostgreSQL 127.0.0.1:5432", args)
                finally:
                    engine.dispose()
    if results:
        table(results)
    if args.clv:
        print("\n== BG/NBD fit, 100,000 customers (bench/clv.py)")
        _bench_module("clv").weeks(100_000, 1, 1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
