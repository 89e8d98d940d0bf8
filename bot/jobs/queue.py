"""The PostgreSQL job queue (procrastinate): the app, the schema, and deferring jobs.

    app = make_app(settings)                   # procrastinate.App on DATABASE_URL
    async with app.open_async():
        await enqueue(app, "sync", seller_id)  # None when one is waiting already

Each job is one kind of work for one seller (bot.jobs.tasks): `sync`, `scan`,
`deliver`, plus the one `inquiries` job for every seller. A job carries the
queueing lock and the lock `<kind>:<seller id>`: at most one such job waits
(deferring another while one waits is refused, so a scheduler run twice, or a
round that comes before the last one ended, adds nothing) and at most one runs
(a second waits until the first ends), so one seller's sync never runs twice at
once, in any number of workers. Deliveries run before scans, scans before syncs
(`PRIORITY`), so each seller's alerts go out as soon as its scan finds them.

The schema is procrastinate's own `schema.sql`, applied once (`install_schema`, by
`advisor db upgrade` and at every worker's and scheduler's start, on PostgreSQL
only), with the shared rate buckets' table (storage.rate_buckets). Upgrading
procrastinate across a schema change means applying its migrations (procrastinate
`schema --migrations-path`) by hand.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any, Literal

from sqlalchemy import make_url

from storage.rate_buckets import TABLE_DDL
from storage.settings import Settings

if TYPE_CHECKING:  # procrastinate loads when the queue is used, not with every `advisor bot`
    import procrastinate

log = logging.getLogger(__name__)

Kind = Literal["sync", "scan", "deliver", "inquiries"]
KINDS: tuple[Kind, ...] = ("sync", "scan", "deliver", "inquiries")
NAMESPACE = "advisor"
# a seller's later steps first: a round's first alerts go out while other sellers sync
PRIORITY: dict[Kind, int] = {"deliver": 30, "scan": 20, "inquiries": 10, "sync": 0}
_INSTALL_LOCK = 726_153_016  # pg_advisory_xact_lock key: one installer at a time


class QueueConfigError(ValueError):
    """The job queue cannot run with these settings; the message says what to set."""


def conninfo(url: str) -> str:
    """A libpq connection string from DATABASE_URL (SQLAlchemy's `postgresql+psycopg://`)."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "postgresql":
        raise QueueConfigError(
            "the job queue (JOBS=queue, advisor worker, advisor scheduler) needs PostgreSQL: "
            "set DATABASE_URL=postgresql://..."
        )
    return parsed.set(drivername="postgresql").render_as_string(hide_password=False)


def queued(settings: Settings) -> bool:
    """True when scheduled work runs on the queue (JOBS=queue), which needs PostgreSQL."""
    if settings.jobs != "queue":
        return False
    conninfo(settings.resolved_database_url)  # refuses SQLite, saying why
    return True


def make_app(settings: Settings, **pool: Any) -> procrastinate.App:
    """The queue's app with every task (bot.jobs.tasks) under the `advisor:` namespace."""
    import procrastinate

    from bot.jobs.tasks import blueprint

    connector = procrastinate.PsycopgConnector(
        conninfo=conninfo(settings.resolved_database_url), **pool
    )
    app = procrastinate.App(connector=connector)
    app.add_tasks_from(blueprint, namespace=NAMESPACE)
    return app


def lock_of(kind: Kind, seller_id: int | None) -> str:
    return kind if seller_id is None else f"{kind}:{seller_id}"


async def enqueue(app: procrastinate.App, kind: Kind, seller_id: int | None = None) -> int | None:
    """Defer one job of `kind` (for one seller); its id, or None when one is waiting."""
    from procrastinate.exceptions import AlreadyEnqueued

    key = lock_of(kind, seller_id)
    args = {} if seller_id is None else {"seller_id": seller_id}
    try:
        deferrer = app.configure_task(
            f"{NAMESPACE}:{kind}", lock=key, queueing_lock=key, priority=PRIORITY[kind]
        )
        return await deferrer.defer_async(**args)
    except AlreadyEnqueued:
        return None


def install_schema(url: str) -> bool:
    """procrastinate's schema and the rate buckets' table, unless there already
    (PostgreSQL only; concurrent installers wait for each other); True when installed."""
    import psycopg
    from procrastinate.schema import SchemaManager

    schema = SchemaManager.get_schema()
    with psycopg.connect(conninfo(url)) as connection:
        connection.execute("SELECT pg_advisory_xact_lock(%s)", (_INSTALL_LOCK,))
        connection.execute(TABLE_DDL)
        present = connection.execute("SELECT to_regclass('procrastinate_jobs')").fetchone()
        if present is not None and present[0] is not None:
            return False
        connection.execute(schema)  # no parameters: psycopg sends the script as is
    log.info("job queue schema installed")
    return True
