"""The `advisor` command: a thin CLI over the library.

`COMMANDS` names each command, the module in this package that adds it with
`register(subparsers, help_text)`, and its one-line help. Only the module of the
command being run is imported, so `advisor --help` and a question start without
loading what the other commands need (connectors, importers, the demo generator).
A command handler takes the parsed args and returns an exit code.
Domain errors (`CliError` and the `ValueError` subclasses the layers raise)
become one clean line on stderr, never a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
from collections.abc import Collection, Sequence
from typing import NamedTuple

from bot.cli._common import CliError, advisor_command


class Command(NamedTuple):
    module: str  # in bot.cli
    help: str


COMMANDS: dict[str, Command] = {
    "ask": Command(
        "ask", "answer one question (or one per stdin line with QUESTION -) for a seller"
    ),
    "bot": Command(
        "bot",
        "run the Telegram bot: answers questions, sends alerts (TELEGRAM_BOT_TOKEN in .env; "
        "TELEGRAM_WEBHOOK_URL for webhook mode, polling otherwise)",
    ),
    "chat": Command("chat", "chat with the advisor in the terminal"),
    "connect": Command(
        "connect",
        "link a seller's store or ad account (credentials checked, then stored encrypted)",
    ),
    "db": Command("db", "database schema migrations"),
    "demo": Command("demo", "summarise the demo store and what to try"),
    "import": Command("imports", "import order exports and daily ad stats from CSV files"),
    "index": Command(
        "index", "rebuild and inspect the vector index (products, inquiries, playbook)"
    ),
    "link-code": Command(
        "link",
        "print a one-time code (valid 24 h, single use) that links a Telegram chat to a seller",
    ),
    "prompts": Command("prompts", "validate the prompts/ files operators edit"),
    "seed": Command("seed", "generate the demo store (slug demo) and other sellers"),
    "seller": Command("seller", "add and list sellers"),
    "sync": Command(
        "sync",
        "bring connected sellers' data up to date from their platforms (`advisor sync status`: "
        "each account's last success, cursor and last error)",
    ),
    "jobs": Command("jobs", "the job queue (PostgreSQL): queued, running and failed jobs by kind"),
    "scheduler": Command(
        "scheduler",
        "defer every seller's sync, scan and delivery to the job queue, round after round "
        "(PostgreSQL; safe to run twice: a job already waiting is not deferred again)",
    ),
    "web": Command(
        "web",
        "run the Telegram Mini App dashboard (WEBAPP_LISTEN:WEBAPP_PORT, default "
        "127.0.0.1:8090); --dev adds a login without Telegram from 127.0.0.1",
    ),
    "worker": Command(
        "worker",
        "run queued jobs: store sync, alert scans, delivery, inquiry drafts (PostgreSQL "
        "DATABASE_URL; start as many as you like, beside `advisor scheduler`)",
    ),
}


def build_parser(commands: Collection[str] | None = None) -> argparse.ArgumentParser:
    """The parser with the `commands` (default: every one) registered in full; the
    others are listed by name and help only."""
    parser = argparse.ArgumentParser(
        prog="advisor", description="Store Advisor: store analytics for small sellers."
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug output")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name, command in COMMANDS.items():
        if commands is None or name in commands:
            module = importlib.import_module(f"{__name__}.{command.module}")
            module.register(subparsers, command.help)
        else:
            subparsers.add_parser(name, help=command.help)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    words = list(sys.argv[1:] if argv is None else argv)
    command = next((word for word in words if not word.startswith("-")), None)
    args = build_parser({command} if command else ()).parse_args(words)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    try:
        return int(args.handler(args) or 0)
    except (CliError, ValueError, LookupError) as exc:
        from storage.sellers import NoSellersError  # loaded by then: the command used it

        hint = f"\n{_how_to_fill()}" if isinstance(exc, NoSellersError) else ""
        print(f"advisor: {exc}{hint}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


def _how_to_fill() -> str:
    """Which database was opened, and how to put a store in it."""
    from sqlalchemy import make_url

    from storage.settings import get_settings

    url = make_url(get_settings().resolved_database_url).render_as_string(hide_password=True)
    command = advisor_command()
    return (
        f"  database: {url} (DATABASE_URL, from the environment or .env)\n"
        f"  demo store: make demo (or {command} seed)\n"
        f"  your own store: {command} seller add SLUG, then "
        f"{command} import orders FILE.csv --seller SLUG"
    )


if __name__ == "__main__":
    sys.exit(main())
