"""`advisor db upgrade|current`: schema migrations."""

from __future__ import annotations

import argparse
from typing import Any

from bot.cli._common import add_command, add_group, open_database
from storage.db import current_revision


def register(subparsers: Any, help_text: str) -> None:
    parser = add_group(subparsers, "db", help_text)
    sub = parser.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    add_command(sub, "upgrade", _upgrade, "apply all migrations to the configured database")
    add_command(sub, "current", _current, "print the schema revision of the configured database")


def _upgrade(_args: argparse.Namespace) -> int:
    engine, _ = open_database()
    print(f"database at revision {current_revision(engine)}")
    if engine.dialect.name == "postgresql":  # the job queue's tables (JOBS=queue)
        from bot.jobs import install_schema

        url = engine.url.render_as_string(hide_password=False)
        done = install_schema(url, migrate=True)
        print("job queue tables " + ("installed" if done.schema else "present"))
        for name in done.migrations:
            print(f"job queue migration applied: {name}")
    return 0


def _current(_args: argparse.Namespace) -> int:
    engine, _ = open_database(migrate=False)
    print(current_revision(engine) or "empty (run: advisor db upgrade)")
    return 0
