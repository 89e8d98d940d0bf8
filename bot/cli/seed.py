"""`advisor seed`: build the demo store (and N-1 more sellers) in the configured database.

Deterministic: the same --seed and arguments (including --until) give the same
rows. Everything is written in one transaction; if a slug exists already
(`demo`, `seller-0002`, ...) nothing is written and the command says which.
With --roll-forward (what `make demo` runs) existing stores are kept when their
data is current and rebuilt up to --until when it is stale (storage.demo.roll).
"""

from __future__ import annotations

import argparse
import datetime as dt
import time
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session, sessionmaker

from bot.cli._common import CliError, add_command, advisor_command, open_database, refresh_index
from storage.demo import StoreReport, StoreSpec, seed_specs, seed_stores
from storage.demo.roll import Rolled, roll_forward
from storage.settings import get_settings


def register(subparsers: Any, help_text: str) -> None:
    parser = add_command(subparsers, "seed", _seed, help_text)
    parser.add_argument("--sellers", type=int, default=1, help="sellers to create (default 1)")
    parser.add_argument("--days", type=int, default=365, help="days of history (default 365)")
    parser.add_argument(
        "--until",
        help="end of the history, ISO-8601 (default now; without an offset it is read in "
        "DEFAULT_TIMEZONE)",
    )
    parser.add_argument("--seed", type=int, default=42, help="random seed (default 42)")
    parser.add_argument(
        "--roll-forward",
        action="store_true",
        help="keep current stores, rebuild stale ones up to now (links and chats kept), "
        "create missing ones",
    )
    parser.add_argument(
        "--orders-per-day",
        type=float,
        default=200.0,
        help="mean orders a day of the demo seller (default 200)",
    )


def parse_until(text: str | None, timezone: str) -> dt.datetime:
    """An aware datetime: now when `text` is None; a naive time is read in `timezone`."""
    if text is None:
        return dt.datetime.now(dt.UTC).replace(microsecond=0)
    try:
        value = dt.datetime.fromisoformat(text.strip())
    except ValueError as exc:
        raise CliError(f"--until: not an ISO-8601 date or time: {text!r}") from exc
    if value.tzinfo is None:
        value = value.replace(tzinfo=ZoneInfo(timezone))
    return value.astimezone(dt.UTC)


_HOUR = dt.timedelta(hours=1)


def _seed(args: argparse.Namespace) -> int:
    settings = get_settings()
    if args.sellers < 1:
        raise CliError("--sellers must be at least 1")
    if args.days < 1:
        raise CliError("--days must be at least 1")
    if args.orders_per_day <= 0:
        raise CliError("--orders-per-day must be positive")
    until = parse_until(args.until, settings.default_timezone)
    specs = seed_specs(
        until=until,
        sellers=args.sellers,
        days=args.days,
        seed=args.seed,
        orders_per_day=args.orders_per_day,
    )
    local_until = until.astimezone(ZoneInfo(specs[0].timezone))
    print(
        f"seeding {len(specs)} seller(s): {args.days} days up to "
        f"{local_until:%Y-%m-%d %H:%M} {specs[0].timezone}, seed {args.seed}"
    )
    started = time.perf_counter()
    _, sessions = open_database(settings)

    if args.roll_forward:
        written = _roll(sessions, specs, until, args.seed, started)
    else:
        written = _seed_new(sessions, specs, args.seed, started)
    for slug in written:
        refresh_index(sessions, slug, settings)
    print(f"done in {time.perf_counter() - started:.1f} s; next: {advisor_command()} demo")
    return 0


def _seed_new(
    sessions: sessionmaker[Session], specs: list[StoreSpec], seed: int, started: float
) -> list[str]:
    def report(store: StoreReport) -> None:
        print(
            f"  {store.slug:<12} {store.orders:>8,} orders {store.lines:>9,} lines "
            f"{store.customers:>7,} customers {store.products:>3} products "
            f"{store.visits:>9,} visits {store.campaigns} campaigns "
            f"{store.incidents} incidents  ({time.perf_counter() - started:.1f} s)"
        )

    with sessions.begin() as session:
        seed_stores(session, specs, seed=seed, on_store=report)
    return [spec.slug for spec in specs]


def _roll(
    sessions: sessionmaker[Session],
    specs: list[StoreSpec],
    until: dt.datetime,
    seed: int,
    started: float,
) -> list[str]:
    """The slugs created or rebuilt."""

    def report(rolled: Rolled) -> None:
        behind = "" if rolled.behind is None else f" (was {rolled.behind / _HOUR:,.1f} h behind)"
        print(
            f"  {rolled.slug:<12} {rolled.action}{behind}  ({time.perf_counter() - started:.1f} s)"
        )

    with sessions.begin() as session:
        rolled = roll_forward(session, specs, now=until, seed=seed, on_store=report)
    return [store.slug for store in rolled if store.action != "current"]
