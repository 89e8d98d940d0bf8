"""`advisor worker`: run the queued jobs (sync, scans, delivery, inquiry drafts) on PostgreSQL."""

from __future__ import annotations

import argparse
from typing import Any

from bot.cli._common import CliError, add_command


def register(subparsers: Any, help_text: str) -> None:
    parser = add_command(subparsers, "worker", _worker, help_text)
    parser.add_argument(
        "--concurrency", type=int, default=4, help="jobs run at once in this process (default 4)"
    )
    parser.add_argument(
        "--max-rate",
        type=float,
        default=None,
        help="messages per second all workers together may send (default 25; Telegram allows ~30)",
    )
    parser.add_argument(
        "--heartbeat",
        type=float,
        default=10.0,
        metavar="SECONDS",
        help="seconds between heartbeats; a worker silent for 3 of them is dead and its "
        "jobs run again elsewhere (default 10)",
    )


def _worker(args: argparse.Namespace) -> int:
    import asyncio
    from dataclasses import replace

    from bot.jobs import logs
    from bot.jobs.worker import serve
    from bot.services import BotOptions
    from storage.settings import get_settings

    if args.concurrency < 1:
        raise CliError("--concurrency must be at least 1")
    if args.heartbeat <= 0:
        raise CliError("--heartbeat must be positive")
    options = BotOptions()
    if args.max_rate is not None:
        if args.max_rate <= 0:
            raise CliError("--max-rate must be positive")
        options = replace(options, max_rate=args.max_rate)
    logs.configure(verbose=args.verbose)
    settings = get_settings()
    asyncio.run(
        serve(settings, concurrency=args.concurrency, heartbeat=args.heartbeat, options=options)
    )
    return 0
