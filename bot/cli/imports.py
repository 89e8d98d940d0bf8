"""`advisor import orders|ads FILE --seller SLUG`: load real store data into a seller."""

from __future__ import annotations

import argparse
import getpass
import sys
from pathlib import Path
from typing import Any

from bot.cli._common import CliError, add_command, add_group, open_database, refresh_index
from storage.importing import (
    ORDER_FIELDS,
    ImportReport,
    ad_rows,
    formats,
    import_ads,
    import_orders,
    load_mapping,
)
from storage.importing.xlsx import is_encrypted


def register(subparsers: Any, help_text: str) -> None:
    parser = add_group(subparsers, "import", help_text)
    sub = parser.add_subparsers(dest="import_command", metavar="KIND", required=True)
    orders = add_command(
        sub,
        "orders",
        _orders,
        "import an order export, one row per order line; a file with a bad row imports "
        "nothing; re-importing a file adds nothing and updates the orders whose status or "
        "lines changed since (a refund leaves revenue)",
        epilog=_details(formats.__doc__) + "\n\n" + _aliases(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    orders.add_argument(
        "file",
        type=Path,
        help="CSV file, UTF-8 (with or without BOM) or CP949, or a Smart Store .xlsx",
    )
    orders.add_argument("--seller", required=True, help="slug of an existing seller")
    orders.add_argument(
        "--format",
        choices=tuple(formats.FORMATS),
        help="column layout (default: smartstore for a workbook or its columns, shopify "
        "when its columns are there, else generic)",
    )
    orders.add_argument(
        "--password",
        help="password of an encrypted .xlsx (Smart Store asks for one at download); "
        "without it you are asked, and the typing is not shown (safer: a password on "
        "the command line stays in the shell history)",
    )
    orders.add_argument(
        "--map",
        type=Path,
        metavar="MAPPING.yaml",
        help=f"YAML 'field: \"Your Column\"' lines; fields: {', '.join(ORDER_FIELDS)}",
    )
    ads = add_command(
        sub,
        "ads",
        _ads,
        "import daily ad stats, one row per campaign and day; re-importing changes "
        "nothing, a day with restated figures is updated",
        epilog=_details(ad_rows.__doc__),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    ads.add_argument("file", type=Path, help="CSV file, UTF-8 (with or without BOM) or CP949")
    ads.add_argument("--seller", required=True, help="slug of an existing seller")


def _details(doc: str | None) -> str:
    """A module docstring without its first (developer's) paragraph."""
    return (doc or "").split("\n\n", 1)[-1]


def _aliases() -> str:
    """The header names each format recognises per field, and its status words."""
    lines = ["Recognised header names (case, spaces, _ and a trailing unit in parentheses aside):"]
    for fmt in formats.FORMATS.values():
        lines.append(f"\n  {fmt.name}:")
        width = max(len(field) for field in fmt.columns)
        for field, names in fmt.columns.items():
            lines.append(f"    {field:<{width}}  {', '.join(names)}")
        statuses = ", ".join(
            f"{word} -> {status or 'skipped (not completed)'}"
            for word, status in fmt.statuses.items()
        )
        lines.append(f"    {'statuses':<{width}}  {statuses}")
    return "\n".join(lines)


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise CliError(f"cannot read {path}: {exc.strerror or exc}") from exc


def _print(report: ImportReport) -> int:
    if report.ok:
        print(report.summary())
        return 0
    for error in report.errors:
        print(error, file=sys.stderr)
    print(report.summary(), file=sys.stderr)
    return 1


def _orders(args: argparse.Namespace) -> int:
    data = _read(args.file)
    mapping = load_mapping(args.map) if args.map else None
    password = args.password
    if password is None and is_encrypted(data):
        try:
            password = getpass.getpass(f"password of {args.file.name}: ")
        except EOFError:
            raise CliError(f"{args.file} is encrypted: give its password") from None
    _, sessions = open_database()
    report = import_orders(
        sessions,
        data,
        source=str(args.file),
        seller=args.seller,
        format_name=args.format,
        mapping=mapping,
        password=password,
    )
    status = _print(report)
    if status == 0:
        refresh_index(sessions, args.seller)
    return status


def _ads(args: argparse.Namespace) -> int:
    data = _read(args.file)
    _, sessions = open_database()
    return _print(import_ads(sessions, data, source=str(args.file), seller=args.seller))
