"""`advisor seller add|list`."""

from __future__ import annotations

import argparse
from typing import Any

from bot.cli._common import add_command, add_group, open_database
from storage.sellers import add_seller, list_sellers
from storage.settings import get_settings


def register(subparsers: Any, help_text: str) -> None:
    parser = add_group(subparsers, "seller", help_text)
    sub = parser.add_subparsers(dest="seller_command", metavar="ACTION", required=True)
    add = add_command(sub, "add", _add, "add a seller")
    add.add_argument("slug", help="short unique name, e.g. my-shop")
    add.add_argument("--name", help="display name (default: the slug)")
    add.add_argument("--timezone", help="IANA timezone (default: DEFAULT_TIMEZONE)")
    add.add_argument("--currency", help="ISO currency code (default: DEFAULT_CURRENCY)")
    add_command(sub, "list", _list, "list sellers")


def _add(args: argparse.Namespace) -> int:
    settings = get_settings()
    _, sessions = open_database(settings)
    with sessions.begin() as session:
        seller = add_seller(
            session,
            slug=args.slug,
            name=args.name,
            timezone=args.timezone or settings.default_timezone,
            currency=args.currency or settings.default_currency,
        )
        print(f"added seller {seller.slug} (id {seller.id}, {seller.timezone}, {seller.currency})")
    return 0


def _list(_args: argparse.Namespace) -> int:
    _, sessions = open_database()
    with sessions() as session:
        sellers = list_sellers(session)
        if not sellers:
            print("no sellers yet (try: advisor seller add my-shop, or advisor seed)")
        for seller in sellers:
            print(
                f"{seller.id}\t{seller.slug}\t{seller.name}\t{seller.timezone}\t{seller.currency}"
            )
    return 0
