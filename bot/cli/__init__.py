"""The `advisor` command: a thin CLI over the library.

Each module in this package that defines `register(subparsers)` adds its
subcommands; a command handler takes the parsed args and returns an exit code.
Domain errors (`CliError` and the `ValueError` subclasses the layers raise)
become one clean line on stderr, never a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import pkgutil
import sys
from collections.abc import Sequence

from bot.cli._common import CliError, advisor_command
from storage.sellers import NoSellersError


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="advisor", description="Store Advisor: store analytics for small sellers."
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug output")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for module_info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if module_info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{module_info.name}")
        register = getattr(module, "register", None)
        if register is not None:
            register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    try:
        return int(args.handler(args) or 0)
    except NoSellersError as exc:
        print(f"advisor: {exc}\n{_how_to_fill()}", file=sys.stderr)
        return 2
    except (CliError, ValueError, LookupError) as exc:
        print(f"advisor: {exc}", file=sys.stderr)
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
