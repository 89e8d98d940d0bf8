"""`advisor scheduler`: defer each seller's sync, scan and delivery to the job queue."""

from __future__ import annotations

import argparse
from typing import Any

from bot.cli._common import CliError, add_command


def register(subparsers: Any, help_text: str) -> None:
    parser = add_command(subparsers, "scheduler", _scheduler, help_text)
    parser.add_argument(
        "--every",
        type=float,
        default=None,
        metavar="SECONDS",
        help="seconds between rounds (default SYNC_EVERY_MINUTES, 10 minutes)",
    )
    parser.add_argument(
        "--deliver-every",
        type=float,
        default=60.0,
        metavar="SECONDS",
        help="seconds between deliveries of waiting alerts and the inquiry loop (default 60)",
    )
    parser.add_argument("--once", action="store_true", help="defer one round, then exit")


def _scheduler(args: argparse.Namespace) -> int:
    import asyncio

    from bot.cli._common import open_database
    from bot.jobs import install_schema, logs, make_app
    from bot.jobs.schedule import run
    from storage.settings import get_settings

    settings = get_settings()
    every = args.every if args.every is not None else settings.sync_every_minutes * 60.0
    if every <= 0 or args.deliver_every <= 0:
        raise CliError("--every and --deliver-every must be positive")
    logs.configure(verbose=args.verbose)
    install_schema(settings.resolved_database_url)
    engine, sessions = open_database(settings)

    async def main() -> None:
        app = make_app(settings, min_size=1, max_size=2)
        async with app.open_async():
            await run(app, sessions, every=every, deliver_every=args.deliver_every, once=args.once)

    try:
        asyncio.run(main())
    finally:
        engine.dispose()
    return 0
