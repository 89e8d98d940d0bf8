"""What the queue holds, for operators: `advisor jobs status` and `/stats`.

Per kind of job: queued (waiting, due or scheduled for a retry), running, failed
(kept until cleared; succeeded jobs are deleted) and how long the oldest due one
has waited; the workers that sent a heartbeat lately; and, when the installed
procrastinate ships schema migrations this database lacks (bot.jobs.queue), a
warning saying what to run. Read from procrastinate's tables in the caller's
session (PostgreSQL).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.orm import Session

from bot.jobs.queue import KINDS, LEDGER, NAMESPACE, missing_migrations, shipped_migrations

_COUNTS = text(
    "SELECT task_name, status::text, count(*) FROM procrastinate_jobs "
    "WHERE status IN ('todo', 'doing', 'failed') GROUP BY task_name, status"
)
_OLDEST = text(
    "SELECT j.task_name, min(e.at) FROM procrastinate_jobs j "
    "JOIN procrastinate_events e ON e.job_id = j.id AND e.type = 'deferred' "
    "WHERE j.status = 'todo' AND (j.scheduled_at IS NULL OR j.scheduled_at <= now()) "
    "GROUP BY j.task_name"
)
_WORKERS = text(
    "SELECT count(*) FROM procrastinate_workers "
    "WHERE last_heartbeat > now() - make_interval(secs => :seconds)"
)
_INSTALLED = text("SELECT to_regclass('procrastinate_jobs') IS NOT NULL")
_LEDGER = text(f"SELECT to_regclass('{LEDGER}') IS NOT NULL")
_RECORDED = text(f"SELECT name FROM {LEDGER}")


@dataclass(frozen=True, slots=True)
class KindStatus:
    kind: str
    queued: int
    running: int
    failed: int
    oldest_wait: dt.timedelta | None  # the oldest due job's wait so far


@dataclass(frozen=True, slots=True)
class JobsStatus:
    kinds: tuple[KindStatus, ...]
    workers: int  # with a heartbeat in the last minute
    behind: tuple[str, ...] = ()  # procrastinate migrations not applied yet

    def lines(self) -> list[str]:
        """For operators (English, as the CLI and /stats)."""
        out = [f"job queue: {self.workers} worker(s) alive"]
        if self.behind:
            out.append(
                f"  schema behind the installed procrastinate: {len(self.behind)} migration(s) "
                f"missing, from {self.behind[0]}; stop the workers and schedulers, run "
                "`advisor db upgrade`, start them"
            )
        for item in self.kinds:
            wait = (
                f"; oldest waiting {int(item.oldest_wait.total_seconds())} s"
                if item.oldest_wait is not None
                else ""
            )
            out.append(
                f"  {item.kind}: queued {item.queued}, running {item.running}, "
                f"failed {item.failed}{wait}"
            )
        return out


def installed(session: Session) -> bool:
    """The queue's schema is there (PostgreSQL, after `advisor db upgrade`)."""
    if session.get_bind().dialect.name != "postgresql":
        return False
    return bool(session.scalar(_INSTALLED))


def jobs_status(
    session: Session, *, now: dt.datetime, alive: float = 60.0, migrations: Path | None = None
) -> JobsStatus:
    """The queue now; `migrations`: another folder of procrastinate's migrations (tests)."""
    counts: dict[tuple[str, str], int] = {
        (task, status): count for task, status, count in session.execute(_COUNTS)
    }
    oldest: dict[str, dt.datetime] = {task: at for task, at in session.execute(_OLDEST)}
    kinds = []
    for kind in KINDS:
        task = f"{NAMESPACE}:{kind}"
        since = oldest.get(task)
        kinds.append(
            KindStatus(
                kind,
                counts.get((task, "todo"), 0),
                counts.get((task, "doing"), 0),
                counts.get((task, "failed"), 0),
                max(dt.timedelta(0), now - since) if since is not None else None,
            )
        )
    workers = session.scalar(_WORKERS, {"seconds": alive}) or 0
    recorded = set(session.scalars(_RECORDED)) if session.scalar(_LEDGER) else set()
    behind = missing_migrations(recorded, shipped_migrations(migrations))
    return JobsStatus(tuple(kinds), workers, tuple(behind))
