"""`advisor link-code --seller SLUG`: a one-time code that links a Telegram chat to a seller."""

from __future__ import annotations

import argparse
import datetime as dt
from typing import Any

from bot.cli._common import add_command, open_database
from storage.links import CODE_TTL, create_link_code
from storage.models import utcnow
from storage.sellers import get_seller


def register(subparsers: Any, help_text: str) -> None:
    parser = add_command(subparsers, "link-code", _link_code, help_text)
    parser.add_argument("--seller", required=True, metavar="SLUG", help="the seller's slug")
    parser.add_argument(
        "--bot",
        metavar="USERNAME",
        help="the bot's username, to print a t.me deep link that links in one tap",
    )


def _link_code(args: argparse.Namespace) -> int:
    _, sessions = open_database()
    now = utcnow()
    with sessions.begin() as session:
        seller = get_seller(session, args.seller)
        code = create_link_code(session, seller, now=now)
        name, zone = seller.name, seller.zone
    expires = now + CODE_TTL
    local, utc = expires.astimezone(zone), expires.astimezone(dt.UTC)
    print(f"link code for {name}: {code}")
    print(
        f"valid until {local:%Y-%m-%d %H:%M} {zone.key} ({utc:%Y-%m-%d %H:%M} UTC), once. "
        f"In Telegram, send the bot: /link {code}"
    )
    if args.bot:
        print(f"or open: https://t.me/{args.bot.lstrip('@')}?start={code}")
    return 0
