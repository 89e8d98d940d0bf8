"""Shared pieces of the CLI: settings, engine and session for one command."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from storage.db import make_engine, session_factory, upgrade
from storage.settings import Settings, get_settings


class CliError(Exception):
    """A user-facing CLI failure; its message is printed as is."""


Handler = Callable[[argparse.Namespace], int]


def add_command(
    subparsers: Any, name: str, handler: Handler, help_text: str, **kwargs: Any
) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        name, help=help_text, description=help_text, **kwargs
    )
    parser.set_defaults(handler=handler)
    return parser


def add_group(subparsers: Any, name: str, help_text: str) -> argparse.ArgumentParser:
    """A command family (`advisor db ...`); its actions are added with `add_command`."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        name, help=help_text, description=help_text
    )
    return parser


def open_database(
    settings: Settings | None = None, *, migrate: bool = True
) -> tuple[Engine, sessionmaker[Session]]:
    """Engine and session factory for the configured database, migrated to head."""
    settings = settings or get_settings()
    engine = make_engine(settings.resolved_database_url)
    if migrate:
        upgrade(engine)
    return engine, session_factory(engine)
