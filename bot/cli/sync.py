"""`advisor sync [--seller SLUG] [--source NAME] [--watch]` and `advisor sync status`.

A sync reads each connected account's pages after its cursor and writes them
(storage.connectors.sync); a backfill (an account's first sync) shows a progress
bar. `--watch` syncs every SYNC_EVERY_MINUTES as its own process, for deployments
where the bot does not sync (SYNC_EVERY_MINUTES=0 in the bot's environment).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import logging
import sys
import time
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session, sessionmaker
from tqdm import tqdm

from bot.cli._common import add_command, open_database
from storage.connectors import SyncReport, accounts, registry, sync_all
from storage.connectors.accounts import AccountRef
from storage.connectors.sync import Progress
from storage.models import SourceAccount, utcnow
from storage.sellers import get_seller, list_sellers
from storage.settings import get_settings

log = logging.getLogger(__name__)
CURSOR_WIDTH = 60


def register(subparsers: Any, help_text: str) -> None:
    parser = add_command(subparsers, "sync", _sync, help_text)
    parser.add_argument("action", nargs="?", choices=("status",), help="show the accounts' state")
    parser.add_argument("--seller", help="only this seller (slug)")
    parser.add_argument("--source", choices=registry.names(), help="only this platform")
    parser.add_argument(
        "--watch",
        action="store_true",
        help="keep syncing every SYNC_EVERY_MINUTES (Ctrl-C stops)",
    )


class _Bar:
    """A progress bar for a backfill, made on its first page."""

    def __init__(self, ref: AccountRef) -> None:
        self.ref = ref
        self.bar: tqdm[Any] | None = None

    def __call__(self, report: SyncReport) -> None:
        if not report.backfill:
            return
        if self.bar is None:
            self.bar = tqdm(
                desc=f"{self.ref.seller_slug} {self.ref.source} backfill", unit=" pages"
            )
        self.bar.update(1)
        self.bar.set_postfix(orders=report.orders, ad_days=report.ad_days, refresh=False)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def _round(
    sessions: sessionmaker[Session], args: argparse.Namespace, seller_id: int | None
) -> bool:
    """One sync of every chosen account, a line each; whether all succeeded."""
    settings = get_settings()
    bars: list[_Bar] = []

    def progress(ref: AccountRef) -> Progress:
        bar = _Bar(ref)
        bars.append(bar)
        return bar

    try:
        reports = sync_all(
            sessions,
            registry.builder(settings),
            now=utcnow(),
            seller_id=seller_id,
            source=args.source,
            progress=progress,
        )
    finally:
        for bar in bars:
            bar.close()
    slugs = _slugs(sessions)
    if not reports:
        print("no connected accounts" + (f" for {args.seller}" if args.seller else ""))
    for report in reports:
        print(
            f"{slugs.get(report.seller_id, report.seller_id)} {report.source}: {report.summary()}"
        )
    return all(report.ok for report in reports)


def _slugs(sessions: sessionmaker[Session]) -> dict[int, str]:
    with sessions() as session:
        return {seller.id: seller.slug for seller in list_sellers(session)}


def _sync(args: argparse.Namespace) -> int:
    settings = get_settings()
    _, sessions = open_database(settings)
    seller_id = None
    if args.seller:
        with sessions() as session:
            seller_id = get_seller(session, args.seller).id
    if args.action == "status":
        return _status(sessions, seller_id)
    if not args.watch:
        return 0 if _round(sessions, args, seller_id) else 1
    every = max(settings.sync_every_minutes, 1) * 60
    while True:
        _round(sessions, args, seller_id)
        sys.stdout.flush()
        time.sleep(every)


def _cursor(cursor: dict[str, Any] | None) -> str:
    if cursor is None:
        return "none (the next sync backfills)"
    text = ", ".join(
        f"{key}={json.dumps(value, ensure_ascii=False)}" for key, value in cursor.items()
    )
    return text if len(text) <= CURSOR_WIDTH else text[: CURSOR_WIDTH - 1] + "…"


def _at(value: dt.datetime | None, zone: ZoneInfo) -> str:
    return value.astimezone(zone).strftime("%Y-%m-%d %H:%M") if value is not None else "never"


def _status(sessions: sessionmaker[Session], seller_id: int | None) -> int:
    with sessions() as session:
        rows = accounts.status_rows(session, seller_id=seller_id)
        zones = {seller.id: seller.zone for seller in list_sellers(session)}
        if not rows:
            print("no connected accounts (connect one with `advisor connect`)")
            return 0
        for slug, account in rows:
            print(_status_line(slug, account, zones[account.seller_id]))
    return 0


def _status_line(slug: str, account: SourceAccount, zone: ZoneInfo) -> str:
    state = "connected" if account.credentials is not None else "no credentials"
    if not account.enabled:
        state = "disabled"
    lines = [
        f"{slug} {account.source} ({state}, {zone.key})",
        f"  last success: {_at(account.last_success_at, zone)}",
        f"  cursor: {_cursor(account.cursor)}",
    ]
    if account.failing_since is not None:
        lines.append(f"  failing since: {_at(account.failing_since, zone)}")
    if account.paused_until is not None:
        lines.append(f"  paused by quota until: {_at(account.paused_until, zone)}")
    if account.last_error_key is not None:
        lines.append(
            f"  last error: {account.last_error_key} at {_at(account.last_error_at, zone)}: "
            f"{account.last_error_message}"
        )
    return "\n".join(lines)
