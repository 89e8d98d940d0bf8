"""The PostgreSQL job queue (procrastinate): the app, the schema, and deferring jobs.

    app = make_app(settings)                   # procrastinate.App on DATABASE_URL
    async with app.open_async():
        await enqueue(app, "sync", seller_id)  # None when one is waiting already

Each job is one kind of work for one seller (bot.jobs.tasks): `sync`, `scan`,
`deliver`, `inquiries` (the inquiry loop) and `fit` (customer fits). A job carries the
queueing lock and the lock `<kind>:<seller id>`: at most one such job waits
(deferring another while one waits is refused, so a scheduler run twice, or a
round that comes before the last one ended, adds nothing) and at most one runs
(a second waits until the first ends), so one seller's sync never runs twice at
once, in any number of workers. Deliveries run before scans, scans before syncs
(`PRIORITY`), so each seller's alerts go out as soon as its scan finds them.

The schema is procrastinate's own `schema.sql`, applied once (`install_schema`, by
`advisor db upgrade` and at every worker's and scheduler's start, on PostgreSQL
only), with the shared rate buckets' and customer fits' tables (storage.rate_buckets,
storage.customer_fits). A newer procrastinate ships its schema changes as SQL files
(`procrastinate/sql/migrations`, named by version; "pre" ones work with the older
code, "post" ones need every older worker gone) and keeps no record of what a
database has: `advisor db upgrade` applies those missing, in order, each in one
transaction with its row in our ledger (`advisor_queue_migrations`); a fresh install
records every shipped file (schema.sql is their sum). Workers and schedulers only
warn at start, and `advisor jobs status` says the schema is behind: a worker must
not apply a "post" migration while older workers still run.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from sqlalchemy import make_url

from storage.customer_fits import TABLE_DDL as CUSTOMER_FITS_DDL
from storage.rate_buckets import INSTALL_LOCK
from storage.rate_buckets import TABLE_DDL as RATE_BUCKETS_DDL
from storage.settings import Settings

if TYPE_CHECKING:  # procrastinate loads when the queue is used, not with every `advisor bot`
    import procrastinate

log = logging.getLogger(__name__)

Kind = Literal["sync", "scan", "deliver", "inquiries", "fit"]
KINDS: tuple[Kind, ...] = ("sync", "scan", "deliver", "inquiries", "fit")
NAMESPACE = "advisor"
# a seller's later steps first: a round's first alerts go out while other sellers sync;
# customer fits (seconds of CPU that no one waits for) after everything else
PRIORITY: dict[Kind, int] = {"deliver": 30, "scan": 20, "inquiries": 10, "sync": 0, "fit": -10}
# the procrastinate migrations applied to this database, by file name (procrastinate
# keeps no record of its own since it dropped `procrastinate_version` in 0.5)
LEDGER = "advisor_queue_migrations"
LEDGER_DDL = f"""
CREATE TABLE IF NOT EXISTS {LEDGER} (
    name text PRIMARY KEY,
    applied_at timestamptz NOT NULL DEFAULT now()
)
"""
# the last migration in every procrastinate this project allows (>=3.5,<4: 3.5 to 3.10
# ship the same set), so in the schema.sql of any queue installed before the ledger
BASELINE = "03.04.00_50_post_add_retry_failed_job_procedure.sql"


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


async def enqueue(app: procrastinate.App, kind: Kind, seller_id: int) -> int | None:
    """Defer one job of `kind` for one seller; its id, or None when one is waiting."""
    from procrastinate.exceptions import AlreadyEnqueued

    key = f"{kind}:{seller_id}"
    try:
        deferrer = app.configure_task(
            f"{NAMESPACE}:{kind}", lock=key, queueing_lock=key, priority=PRIORITY[kind]
        )
        return await deferrer.defer_async(seller_id=seller_id)
    except AlreadyEnqueued:
        return None


# jobs deferred between two ANALYZEs of the queue's table (see enqueue_all)
ANALYZE_EVERY = 500


async def enqueue_all(app: procrastinate.App, kind: Kind, seller_ids: list[int]) -> int:
    """`enqueue` for each seller; how many were deferred (not waiting already).

    The planner's statistics of `procrastinate_jobs` are refreshed every ANALYZE_EVERY
    jobs deferred and after the last. procrastinate's fetch takes the next job by
    `ORDER BY priority DESC, id LIMIT 1` with a NOT EXISTS on its lock; planned with
    statistics from a nearly empty queue, PostgreSQL checks the lock of EVERY waiting
    job and sorts (192 ms a fetch with 3,000 waiting, one fetch per job, so a worker sat
    idle), while with current ones it walks the priority index and stops at the first
    (0.08 ms). Autovacuum's analyze comes a minute or more after a round's burst. A
    role that does not own the table gets a warning from PostgreSQL, not an error."""
    deferred = 0
    for seller_id in seller_ids:
        if await enqueue(app, kind, seller_id) is not None:
            deferred += 1
            if deferred % ANALYZE_EVERY == 0:
                await analyze(app)
    if deferred % ANALYZE_EVERY:
        await analyze(app)
    return deferred


async def analyze(app: procrastinate.App) -> None:
    await app.connector.execute_query_async("ANALYZE procrastinate_jobs")


@dataclass(frozen=True, slots=True)
class Installed:
    """What `install_schema` did: procrastinate's whole schema (a new database), and
    the migrations of a newer procrastinate applied to an older schema."""

    schema: bool
    migrations: tuple[str, ...]


def shipped_migrations(directory: Path | None = None) -> list[str]:
    """The migration files of the installed procrastinate, in the order they apply
    (their names start with the version: `03.04.00_50_post_...sql`)."""
    from procrastinate.schema import SchemaManager

    folder = directory or Path(SchemaManager.get_migrations_path())
    return sorted(path.name for path in folder.glob("*.sql"))


def missing_migrations(recorded: set[str], shipped: list[str]) -> list[str]:
    """The shipped migrations the ledger does not record, in order. An empty ledger is
    a queue installed before it, by a procrastinate of this project's range: its
    schema.sql held every migration up to `BASELINE`."""
    applied = recorded or {name for name in shipped if name <= BASELINE}
    return [name for name in shipped if name not in applied]


def install_schema(url: str, *, migrate: bool = False, directory: Path | None = None) -> Installed:
    """procrastinate's schema and our shared tables (rate buckets, customer fits),
    unless there already; with `migrate` (`advisor db upgrade`), the migrations of the
    installed procrastinate that the database lacks, each with its ledger row in one
    transaction, in order. PostgreSQL only; concurrent installers wait for each other."""
    import psycopg
    from procrastinate.schema import SchemaManager

    shipped = shipped_migrations(directory)
    folder = directory or Path(SchemaManager.get_migrations_path())
    with psycopg.connect(conninfo(url), autocommit=True) as connection:
        connection.execute("SELECT pg_advisory_lock(%s)", (INSTALL_LOCK,))
        try:
            for ddl in (RATE_BUCKETS_DDL, CUSTOMER_FITS_DDL, LEDGER_DDL):
                connection.execute(ddl)
            present = connection.execute("SELECT to_regclass('procrastinate_jobs')").fetchone()
            if present is None or present[0] is None:
                with connection.transaction():
                    connection.execute(SchemaManager.get_schema())  # sent as is: no parameters
                    _record(connection, shipped)
                log.info("job queue schema installed")
                return Installed(True, ())
            recorded = {str(row[0]) for row in connection.execute(f"SELECT name FROM {LEDGER}")}
            missing = missing_migrations(recorded, shipped)
            if not recorded:  # a queue installed before the ledger: what it holds
                _record(connection, [name for name in shipped if name not in missing])
            if not migrate:
                if missing:
                    log.warning("job queue schema behind procrastinate: %s", ", ".join(missing))
                return Installed(False, ())
            for name in missing:
                with connection.transaction():
                    connection.execute((folder / name).read_text(encoding="utf-8"))  # type: ignore[arg-type]
                    _record(connection, [name])
                log.info("job queue migration %s applied", name)
            return Installed(False, tuple(missing))
        finally:
            connection.execute("SELECT pg_advisory_unlock(%s)", (INSTALL_LOCK,))


def _record(connection: Any, names: list[str]) -> None:
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {LEDGER} (name) VALUES (%s) ON CONFLICT DO NOTHING",
            [(name,) for name in names],
        )
