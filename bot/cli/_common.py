"""Shared pieces of the CLI: settings, engine and session for one command."""

from __future__ import annotations

import argparse
import shutil
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the modules of this package import storage and tools when a command runs
    from sqlalchemy import Engine
    from sqlalchemy.orm import Session, sessionmaker

    from storage.settings import Settings


class CliError(Exception):
    """A user-facing CLI failure; its message is printed as is."""


Handler = Callable[[argparse.Namespace], int]

VENV_ADVISOR = ".venv/bin/advisor"


def advisor_command() -> str:
    """How to run this CLI when pasted in a new terminal here: `advisor` when that is on
    PATH and is this program (an active venv), else its path (`.venv/bin/advisor`)."""
    program = Path(sys.argv[0]) if sys.argv and sys.argv[0] else None
    if program is None or program.name != "advisor":  # python -m, tests
        return VENV_ADVISOR
    on_path = shutil.which("advisor")
    if on_path is not None and Path(on_path).resolve() == program.resolve():
        return "advisor"
    program = program.absolute()  # as typed: a symlinked venv stays where it was called
    try:
        return str(program.relative_to(Path.cwd()))
    except ValueError:
        return str(program)


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
    from storage.db import make_engine, session_factory, upgrade
    from storage.settings import get_settings

    settings = settings or get_settings()
    engine = make_engine(settings.resolved_database_url)
    if migrate:
        upgrade(engine)
    return engine, session_factory(engine)


def refresh_index(
    sessions: sessionmaker[Session], slug: str, settings: Settings | None = None
) -> None:
    """Bring a seller's vector index (products, answered inquiries) up to date after an
    import or a seed, so the first product question does not pay for indexing. A failure
    is reported, not raised: the index also catches up lazily on the next question."""
    from storage.sellers import get_seller
    from storage.settings import get_settings
    from tools.retrieval import refresh_after_import

    try:
        with sessions() as session:
            sync = refresh_after_import(
                settings or get_settings(), session, get_seller(session, slug).id
            )
        print(f"  search index for {slug} updated in {sync.seconds:.1f} s")
    except Exception as exc:  # noqa: BLE001 - the data is in; the index catches up lazily
        print(f"  search index for {slug} not updated ({exc.__class__.__name__}); it will catch up")
