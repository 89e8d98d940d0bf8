"""Naver Commerce API sync: a 100k product order backfill and an incremental round.

    .venv/bin/python bench/sync.py [--product-orders 100000] [--sellers 1000]
        [--changes 20] [--workers 50] [--limit 2] [--database-url URL]

Both parts run against the local Commerce API (tests/emulators/naver_commerce.py)
in this process, and write through the sync engine (storage.connectors.sync) into a
fresh SQLite file (or `--database-url`, e.g. PostgreSQL), migrated by Alembic; on
SQLite the threads of the round take turns for the transactions (one writer).

1. Backfill: one seller with `--product-orders` product orders paid over the
   90-day window (7 in 10 orders of one product, the rest of two; 5% cancelled,
   3% returned), read by payment time in 24-hour windows of 300-row pages, unpaced
   (to time our side: mapping and writing). Printed: seconds, product orders a
   second, the process's peak memory above what it held before the sync (the
   emulator's data lives in this process too), the calls, and how long those calls
   take at Naver's 2 calls a second per API (the backfill's real floor).
2. Incremental round: `--sellers` sellers (each its own application) already
   synced; then each gets `--changes` changes (3 in 4 new payments, 1 in 4 returns
   of an older order) and the round syncs all of them on `--workers` threads, each
   seller's calls paced at 2 in any 1.1 s per API (storage.connectors.naver_commerce.
   client.LIMIT) on the real clock, while the emulator refuses calls
   above `--limit` a second per application and API (429 GW.RATE_LIMIT). Printed:
   the round's seconds, calls and calls a second over all sellers, the busiest second
   of any one application and API (must stay at or under the limit) and the 429s.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import resource
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import func, select  # noqa: E402

from storage.connectors import sync  # noqa: E402
from storage.connectors.naver_commerce import NaverCommerceSource  # noqa: E402
from storage.connectors.naver_commerce.client import LIMIT  # noqa: E402
from storage.db import make_engine, session_factory, upgrade  # noqa: E402
from storage.models import Order, OrderItem, Seller  # noqa: E402
from tests.emulators._http import serve  # noqa: E402
from tests.emulators.naver_commerce import Item, NaverCommerce  # noqa: E402

PRODUCTS = [(str(100 + n), f"상품 {n}", 5_000 + 500 * n) for n in range(40)]


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def item(rng: random.Random) -> Item:
    product_id, name, price = rng.choice(PRODUCTS)
    return Item(product_id, name, rng.choice((1, 1, 1, 2, 3)), price)


class OneWriter:
    """Sessions of a SQLite file for many threads: one transaction at a time (SQLite
    has one writer; the calls between pages run in parallel, outside of it)."""

    def __init__(self, sessions: Any) -> None:
        self.sessions, self.lock = sessions, threading.RLock()

    @contextmanager
    def begin(self) -> Iterator[Any]:
        with self.lock, self.sessions.begin() as session:
            yield session

    @contextmanager
    def __call__(self) -> Iterator[Any]:
        with self.lock, self.sessions() as session:
            yield session


def make_sessions(url: str | None):  # type: ignore[no-untyped-def]
    if url is None:
        url = f"sqlite:///{tempfile.mkdtemp(prefix='bench-sync-')}/store.db"
    engine = make_engine(url)
    upgrade(engine)
    sessions = session_factory(engine)
    return OneWriter(sessions) if url.startswith("sqlite") else sessions


def new_seller(sessions, slug: str) -> int:  # type: ignore[no-untyped-def]
    with sessions.begin() as session:
        seller = Seller(slug=slug, name=slug)
        session.add(seller)
        session.flush()
        return seller.id


def backfill(args: argparse.Namespace) -> None:
    rng = random.Random(7)
    now = dt.datetime.now(dt.UTC)
    api = NaverCommerce()
    client_id, secret = api.add_app()
    made = number = 0
    span = dt.timedelta(days=89).total_seconds()
    while made < args.product_orders:
        number += 1
        at = now - dt.timedelta(seconds=rng.uniform(60, span))
        items = [item(rng) for _ in range(1 if rng.random() < 0.7 else 2)]
        ids = api.pay(
            client_id, f"B{number:08d}", items, at=at, orderer=(f"buyer{number % 9000}", "구매자")
        )
        made += len(ids)
        roll = rng.random()
        if roll < 0.05:
            api.change(
                client_id, ids[0], "CANCELED", at=at + dt.timedelta(hours=1), claim="CANCEL_DONE"
            )
        elif roll < 0.08:
            api.change(
                client_id, ids[-1], "RETURNED", at=at + dt.timedelta(days=3), claim="RETURN_DONE"
            )
    sessions = make_sessions(args.database_url)
    seller_id = new_seller(sessions, "big")
    with serve(api):
        source = NaverCommerceSource(client_id, secret, base_url=api.url, pacer=None)
        before = peak_mb()
        started = time.perf_counter()
        report = sync(sessions, seller_id, source, now=now)
        seconds = time.perf_counter() - started
        peak = peak_mb()
    with sessions() as session:
        orders = session.scalar(select(func.count()).select_from(Order))
        lines = session.scalar(select(func.count()).select_from(OrderItem))
    calls = source.client.requests
    print(
        f"backfill: {made:,} product orders ({number:,} Naver orders) -> {orders:,} store orders, {lines:,} lines"
    )
    print(f"  {seconds:.1f} s, {made / seconds:,.0f} product orders/s, {report.pages} pages")
    print(f"  peak memory {peak:,.0f} MB ({peak - before:+,.0f} MB during the sync)")
    print(
        f"  {calls} calls; at {LIMIT.rate:.2f} calls/s per API the API alone takes >= {calls / LIMIT.rate:.0f} s"
    )


def incremental(args: argparse.Namespace) -> None:
    rng = random.Random(11)
    api = NaverCommerce(rate_limit=args.limit)
    sessions = make_sessions(args.database_url)
    start = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=10)
    sellers = []
    for number in range(args.sellers):
        client_id, secret = api.add_app()
        for old in range(5):
            api.pay(
                client_id,
                f"S{number}-old{old}",
                [item(rng)],
                at=start - dt.timedelta(hours=20 + old),
            )
        sellers.append((new_seller(sessions, f"s{number}"), client_id, secret))
    http = httpx.Client(timeout=30, limits=httpx.Limits(max_connections=args.workers * 2))
    with serve(api):

        def setup(seller: tuple[int, str, str]) -> None:
            seller_id, client_id, secret = seller
            source = NaverCommerceSource(
                client_id, secret, base_url=api.url, backfill_days=1, http=http, pacer=None
            )
            assert sync(sessions, seller_id, source, now=start).ok

        with ThreadPoolExecutor(args.workers) as pool:
            list(pool.map(setup, sellers))
        now = dt.datetime.now(dt.UTC)
        returns = args.changes // 4
        for number, (_, client_id, _) in enumerate(sellers):
            for new in range(args.changes - returns):
                api.pay(
                    client_id,
                    f"S{number}-new{new}",
                    [item(rng)],
                    at=start + dt.timedelta(seconds=1 + new),
                )
            for old in range(returns):
                api.change(
                    client_id,
                    f"S{number}-old{old}-1",
                    "RETURNED",
                    at=start + dt.timedelta(seconds=30 + old),
                    claim="RETURN_DONE",
                )
        api.calls.clear()
        api.refused = 0
        clients = []

        def round_(seller: tuple[int, str, str]) -> None:
            seller_id, client_id, secret = seller
            source = NaverCommerceSource(
                client_id, secret, base_url=api.url, backfill_days=1, http=http
            )
            clients.append(source.client)
            report = sync(sessions, seller_id, source, now=now)
            assert report.ok, report.summary()

        started = time.perf_counter()
        with ThreadPoolExecutor(args.workers) as pool:
            list(pool.map(round_, sellers))
        seconds = time.perf_counter() - started
    calls = sum(client.requests for client in clients)
    busiest = 0
    for times in api.calls.values():
        times.sort()
        low = 0
        for high, at in enumerate(times):
            while times[low] <= at - 1.0:
                low += 1
            busiest = max(busiest, high - low + 1)
    with sessions() as session:
        refunded = session.scalar(
            select(func.count()).select_from(Order).where(Order.status == "refunded")
        )
    print(f"incremental: {args.sellers} sellers x {args.changes} changes on {args.workers} threads")
    print(
        f"  {seconds:.1f} s for the round, {calls:,} calls, {calls / seconds:,.0f} calls/s over all sellers"
    )
    print(
        f"  busiest second of one application and API: {busiest} calls (limit {args.limit:g}); 429s: {api.refused}"
    )
    print(f"  {refunded:,} refunded orders written ({args.sellers * returns:,} returns)")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--product-orders", type=int, default=100_000)
    parser.add_argument("--sellers", type=int, default=1000)
    parser.add_argument("--changes", type=int, default=20)
    parser.add_argument("--workers", type=int, default=50)
    parser.add_argument("--limit", type=float, default=LIMIT.calls)
    parser.add_argument("--database-url")
    parser.add_argument("--only", choices=("backfill", "incremental"))
    args = parser.parse_args()
    if args.only != "incremental":
        backfill(args)
    if args.only != "backfill":
        incremental(args)


if __name__ == "__main__":
    main()
