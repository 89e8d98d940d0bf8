"""`advisor jobs status`: what the job queue holds, by kind of job."""

from __future__ import annotations

import argparse
from typing import Any

from bot.cli._common import CliError, add_command, add_group


def register(subparsers: Any, help_text: str) -> None:
    parser = add_group(subparsers, "jobs", help_text)
    sub = parser.add_subparsers(dest="jobs_command", metavar="ACTION", required=True)
    add_command(
        sub,
        "status",
        _status,
        "queued, running and failed jobs by kind, the oldest waiting one, live workers",
    )


def _status(_args: argparse.Namespace) -> int:
    from bot.cli._common import open_database
    from bot.jobs.status import installed, jobs_status
    from storage.models import utcnow

    engine, sessions = open_database(migrate=False)
    try:
        with sessions() as session:
            if not installed(session):
                raise CliError(
                    "no job queue in this database: it needs PostgreSQL (DATABASE_URL) and "
                    "`advisor db upgrade`"
                )
            print("\n".join(jobs_status(session, now=utcnow()).lines()))
    finally:
        engine.dispose()
    return 0
