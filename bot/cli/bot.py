"""`advisor bot`: run the Telegram bot (polling, or a webhook when TELEGRAM_WEBHOOK_URL is set)."""

from __future__ import annotations

import argparse
import logging
from typing import Any

from bot.cli._common import CliError, add_command
from storage.settings import Settings, get_settings


def register(subparsers: Any, help_text: str) -> None:
    parser = add_command(subparsers, "bot", _bot, help_text)
    parser.add_argument(
        "--max-rate",
        type=float,
        default=None,
        help="messages per second the bot may send overall (default 25; Telegram allows ~30)",
    )
    parser.add_argument(
        "--resend-unknown",
        action="store_true",
        help="send again the alert messages whose delivery is unknown (the bot stopped or "
        "Telegram timed out while they were being sent; they may arrive twice)",
    )
    parser.add_argument(
        "--quiet-hours",
        default=None,
        metavar="START-END",
        help="sellers' local hours when alerts wait (default 22-8)",
    )


def _bot(args: argparse.Namespace) -> int:
    from storage.db_lock import DatabaseBusy, exclusive

    settings = get_settings()
    try:  # before the slow imports, so a second bot on the same SQLite file stops at once
        with exclusive(settings.resolved_database_url, holder="advisor bot"):
            return _serve(args, settings)
    except DatabaseBusy as exc:
        raise CliError(str(exc)) from exc


def _serve(args: argparse.Namespace, settings: Settings) -> int:
    from dataclasses import replace

    from bot.app import BotConfigError, run
    from bot.services import BotOptions

    options = BotOptions()
    if args.max_rate is not None:
        if args.max_rate <= 0:
            raise CliError("--max-rate must be positive")
        options = replace(options, max_rate=args.max_rate)
    if args.quiet_hours:
        try:
            start, end = (int(part) for part in args.quiet_hours.split("-"))
        except ValueError as exc:
            raise CliError("--quiet-hours takes START-END hours, e.g. 22-8") from exc
        if not (0 <= start < 24 and 0 <= end < 24):
            raise CliError("--quiet-hours: hours are 0-23")
        options = replace(options, quiet_start=start, quiet_end=end)
    if not args.verbose:
        logging.getLogger().setLevel(logging.INFO)
        logging.getLogger("httpx").setLevel(logging.WARNING)
    try:
        run(settings, options, resend=args.resend_unknown)
    except BotConfigError as exc:
        raise CliError(str(exc)) from exc
    return 0
