"""`advisor connect naver|searchad|shopify --seller SLUG`: link a seller's platform account.

The credentials are asked for (secrets without echo; flags for scripting), checked
with one authenticated call (`Source.check`), and stored encrypted with
ADVISOR_SECRET_KEY (storage.connectors.secrets). Nothing is stored when the check
fails; no credential is ever printed.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from typing import Any

from bot.cli._common import CliError, add_command, open_database
from storage.connectors import SourceError, accounts, registry, secrets
from storage.models import utcnow
from storage.sellers import get_seller
from storage.settings import get_settings


def _flag(name: str) -> str:
    return "--" + name.replace("_", "-")


def register(subparsers: Any, help_text: str) -> None:
    parser = add_command(
        subparsers,
        "connect",
        _connect,
        help_text,
        epilog=(
            "Credentials not given as flags are asked for (secrets without echo; prefer the "
            "prompt to flags, which shells keep in their history). ADVISOR_SECRET_KEY must be "
            f"set; generate one with:\n  {secrets.GENERATE}\n"
            "The first `advisor sync` after connecting backfills the platform's history."
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("platform", choices=registry.names(), help="which platform")
    parser.add_argument("--seller", required=True, help="slug of an existing seller")
    seen: set[str] = set()
    for name, fields in registry.DEFAULT_FIELDS.items():
        for field in fields:
            if field.name not in seen:
                seen.add(field.name)
                secret = " (a secret: better typed at the prompt)" if field.secret else ""
                parser.add_argument(
                    _flag(field.name),
                    dest=f"cred_{field.name}",
                    metavar="VALUE",
                    help=f"{name}: {field.label}{secret}",
                )
    parser.add_argument(
        "--credential",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="any other credential field a connector asks for, by name",
    )


def _given(args: argparse.Namespace) -> dict[str, str]:
    values = {
        name[len("cred_") :]: value
        for name, value in vars(args).items()
        if name.startswith("cred_") and value is not None
    }
    for item in args.credential:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise CliError(f"--credential expects NAME=VALUE, got {name.strip()!r}")
        values[name.strip().replace("-", "_")] = value
    return values


def _ask(connector: registry.Connector, given: dict[str, str]) -> dict[str, str]:
    """Every field of the connector: from the flags, else asked for."""
    credentials: dict[str, str] = {}
    interactive = sys.stdin.isatty()
    for field in connector.fields:
        value = given.get(field.name)
        if value is None:
            if not interactive:
                raise CliError(
                    f"{connector.name} needs {field.label}: pass {_flag(field.name)} "
                    "or run in a terminal to be asked"
                )
            prompt = f"{connector.label}: {field.label}: "
            value = getpass.getpass(prompt) if field.secret else input(prompt)
        value = value.strip()
        if not value:
            raise CliError(f"{field.label} is empty")
        credentials[field.name] = value
    return credentials


def _connect(args: argparse.Namespace) -> int:
    settings = get_settings()
    key = registry.secret_key(settings)
    secrets.fernet(key)  # no key, no questions: fail before asking for anything
    connector = registry.connector(args.platform)
    credentials = _ask(connector, _given(args))
    source = connector.build(secrets.Credentials(credentials), settings)
    try:
        source.check()
    except SourceError as exc:
        raise CliError(f"{connector.label}: {exc} (nothing was stored)") from None
    sealed = secrets.encrypt(key, credentials)
    _, sessions = open_database(settings)
    with sessions.begin() as session:
        seller = get_seller(session, args.seller)
        account = accounts.connect(session, seller.id, args.platform, sealed, now=utcnow())
        first = account.cursor is None
    print(
        f"connected {connector.label} for {args.seller}: credentials checked and stored encrypted"
    )
    if first:
        print(f"  the first `advisor sync --seller {args.seller}` backfills its history")
    return 0
