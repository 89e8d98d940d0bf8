"""The job queue on PostgreSQL: two real `advisor worker` processes run a round of
sync, scan and delivery for 200 sellers against the Naver Commerce and Bot API
emulators, and one of them is killed with SIGKILL mid-round.

Each seller has a Naver account in the emulator (a cursor from yesterday, an order
paid yesterday) and one linked chat, in a timezone where it is about noon now, so the
round's scan writes each seller's morning digest, which goes to the chat. By the
rules of the delivery fault tests (tests/test_delivery_faults.py): every digest
arrives once, except sends in flight at the kill, which are marked unknown and
reported to the operators, never sent twice; the killed worker's jobs run again on
the other; and no seller's sync runs twice at once (the workers' structured logs).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import shutil
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from procrastinate.schema import SchemaManager
from sqlalchemy import text

from bot import operators
from bot.jobs import QueueConfigError, enqueue, install_schema, make_app, queued
from bot.jobs.queue import enqueue_all
from bot.jobs.status import jobs_status
from storage.connectors import accounts, secrets
from storage.connectors.naver_commerce.client import KST
from storage.connectors.naver_commerce.mapping import format_time
from storage.db import make_engine, session_factory
from storage.models import ChatLink, Seller
from storage.rate_buckets import take
from storage.settings import Settings
from tests.bot_process import (
    FIRST_CHAT,
    OPERATOR,
    BotProcess,
    in_doubt_chats,
    messages_per_chat,
    outbox_state,
    seed_outbox,
    sent_count,
    wait_until,
)
from tests.conftest import pg_database
from tests.emulators._http import serve
from tests.emulators.naver_commerce import Item, NaverCommerce
from tests.telegram import EmulatorClient

SELLERS = 200
KEY = Fernet.generate_key().decode()


@pytest.fixture
def queue_url() -> Iterator[str]:
    """A fresh PostgreSQL database, migrated, with the queue's schema."""
    for url in pg_database("advisor_jobs"):
        install_schema(url)
        yield url


def noon_zone(now: dt.datetime) -> str:
    """A timezone where it is about noon at `now` (inside the morning-digest window)."""
    offset = 12 - now.hour
    offset += 24 if offset < -12 else -24 if offset > 14 else 0
    return f"Etc/GMT{-offset:+d}" if offset else "Etc/GMT"


def seed(url: str, api: NaverCommerce, now: dt.datetime, sellers: int = SELLERS) -> list[int]:
    """`sellers` sellers, each with a chat, a Naver app with yesterday's order, and an
    account whose cursor starts yesterday; their chats (also bench/soak.py's)."""
    yesterday = dt.datetime.combine(now.astimezone(KST).date(), dt.time(), KST) - dt.timedelta(
        days=1
    )
    cursor = {
        "horizon": format_time(yesterday),
        "paid_from": format_time(yesterday),
        "from": format_time(now - dt.timedelta(hours=1)),
        "sequence": None,
        "products_at": format_time(now),
    }
    zone = noon_zone(now)
    engine = make_engine(url)
    chats = []
    try:
        with session_factory(engine).begin() as session:
            for number in range(sellers):
                client_id, secret = api.add_app(f"app{number}")
                api.pay(
                    client_id,
                    f"20261{number:05d}",
                    [Item("p-1", "호박고구마 3kg", 2, 25_900)],
                    at=yesterday + dt.timedelta(hours=12),
                )
                seller = Seller(slug=f"q-{number}", name=f"상점 {number}", timezone=zone)
                session.add(seller)
                session.flush()
                chats.append(FIRST_CHAT + number)
                session.add(ChatLink(chat_id=chats[-1], seller_id=seller.id, language="ko"))
                sealed = secrets.encrypt(KEY, {"client_id": client_id, "client_secret": secret})
                account = accounts.connect(session, seller.id, "naver", sealed, now=now)
                accounts.save_cursor(account, cursor)
    finally:
        engine.dispose()
    return chats


def sync_intervals(logs: list[str], killed_at: float) -> dict[int, list[tuple[float, float]]]:
    """Per seller, the (start, end) of every sync the workers' logs show; a sync the
    kill cut off ends at the kill."""
    spans: dict[int, list[tuple[float, float]]] = defaultdict(list)
    for log in logs:
        open_: dict[int, float] = {}
        for line in log.splitlines():
            if not line.startswith("{"):
                continue
            record = json.loads(line)
            if record.get("kind") != "sync" or record["message"] not in (
                "sync started",
                "sync ended",
            ):
                continue
            at = dt.datetime.fromisoformat(record["at"]).timestamp()
            seller = record["seller_id"]
            if record["message"] == "sync started":
                open_[seller] = at
            else:
                spans[seller].append((open_.pop(seller), at))
        for seller, start in open_.items():
            spans[seller].append((start, killed_at))
    return spans


def queue_counts(url: str) -> dict[str, int]:
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                text("SELECT status::text, count(*) FROM procrastinate_jobs GROUP BY status")
            )
            return {status: count for status, count in rows}
    finally:
        engine.dispose()


async def test_two_workers_deliver_a_round_once_and_survive_a_kill_9(
    telegram: EmulatorClient, queue_url: str, tmp_path: Path
) -> None:
    now = dt.datetime.now(dt.UTC)
    api = NaverCommerce()
    with serve(api):
        chats = seed(queue_url, api, now)
        await telegram.add_chats([*chats, OPERATOR])
        env = {"NAVER_COMMERCE_URL": api.url, "ADVISOR_SECRET_KEY": KEY, "JOBS": "queue"}

        def start(name: str, *argv: str) -> BotProcess:
            return BotProcess.start(queue_url, telegram, tmp_path, name=name, env=env, argv=argv)

        worker = ("worker", "--concurrency", "8", "--heartbeat", "1", "--max-rate", "300")
        first, second = start("worker-a", *worker), start("worker-b", *worker)
        try:
            # two schedulers at once: the queueing locks let each seller's sync in once
            schedulers = [start(f"scheduler-{n}", "scheduler", "--once") for n in (1, 2)]
            assert [s.wait(timeout=120) for s in schedulers] == [0, 0], schedulers[0].log()

            reached = await wait_until(lambda: _sent_at_least(telegram, 50), within=120, every=0.05)
            assert reached, f"fewer than 50 digests went out:\n{first.log()}\n{second.log()}"
            first.kill()
            killed_at = time.time()

            async def finished() -> bool:
                alerts, deliveries = outbox_state(queue_url)
                queue = queue_counts(queue_url)
                return (
                    sum(alerts.values()) == SELLERS
                    and not (alerts["pending"] or alerts["held"] or alerts["sending"])
                    and not deliveries["sending"]
                    and not (queue.get("todo") or queue.get("doing"))
                )

            done = await wait_until(finished, within=180, every=0.2)
            assert done, f"the round did not finish: {outbox_state(queue_url)}\n{second.log()}"
        finally:
            first.stop()
            second.stop()

    per_chat = await messages_per_chat(telegram, chats)
    lost = {chat for chat in chats if per_chat[chat] == 0}
    assert max(per_chat.values()) == 1  # nothing sent twice
    unknown, sending = in_doubt_chats(queue_url)
    assert not sending
    assert lost <= unknown  # only what was in flight at the kill, each marked unknown
    assert len(lost) <= 8  # a delivery job has one send in flight; the killed worker ran 8
    if unknown:
        operator = [m for m in await telegram.all_messages() if m.chat_id == OPERATOR]
        assert operator, "the operators were not told of the sends of unknown fate"
    assert "back in the queue" in second.log()  # the killed worker's jobs ran again
    assert queue_counts(queue_url).get("failed", 0) == 0
    spans = sync_intervals([first.log(), second.log()], killed_at)
    assert len(spans) == SELLERS  # every seller synced
    for seller, runs in spans.items():
        runs.sort()
        for (_, end), (start_next, _) in zip(runs, runs[1:], strict=False):
            assert end <= start_next, f"seller {seller} synced twice at once: {runs}"


async def _sent_at_least(client: EmulatorClient, count: int) -> bool:
    return await sent_count(client) >= count


async def test_jobs_status_counts_jobs_by_kind_and_a_waiting_job_is_deferred_once(
    queue_url: str,
) -> None:
    app = make_app(Settings(database_url=queue_url))
    async with app.open_async():
        first = await enqueue(app, "sync", 1)
        assert await enqueue(app, "sync", 1) is None  # one waits already: the scheduler ran twice
        waiting = await enqueue(app, "sync", 2)
        failed = await enqueue(app, "deliver", 1)
    engine = make_engine(queue_url)
    try:
        with engine.begin() as connection:
            connection.execute(
                text("UPDATE procrastinate_jobs SET status = 'doing' WHERE id = :id"), {"id": first}
            )
            connection.execute(
                text("UPDATE procrastinate_jobs SET status = 'failed' WHERE id = :id"),
                {"id": failed},
            )
            deferred_at = connection.execute(
                text(
                    "SELECT at FROM procrastinate_events WHERE job_id = :id AND type = 'deferred'"
                ),
                {"id": waiting},
            ).scalar_one()
        with session_factory(engine)() as session:
            now = deferred_at + dt.timedelta(seconds=90)
            status = jobs_status(session, now=now)
            stats = operators.stats(session, now=now, timezone="Asia/Seoul")
    finally:
        engine.dispose()

    assert status.lines() == [
        "job queue: 0 worker(s) alive",
        "  sync: queued 1, running 1, failed 0; oldest waiting 90 s",
        "  scan: queued 0, running 0, failed 0",
        "  deliver: queued 0, running 0, failed 1",
        "  inquiries: queued 0, running 0, failed 0",
        "  fit: queued 0, running 0, failed 0",
    ]
    assert stats.text().endswith("\n".join(status.lines()))  # /stats shows the same


# procrastinate_fetch_job_v2's choice of the next job, as the worker's fetch runs it
_FETCH_PLAN = """EXPLAIN SELECT jobs.id FROM procrastinate_jobs AS jobs
WHERE NOT EXISTS (SELECT 1 FROM procrastinate_jobs AS other_jobs
    WHERE jobs.lock IS NOT NULL AND other_jobs.lock = jobs.lock
    AND (other_jobs.status = 'doing' OR (other_jobs.status = 'todo'
        AND (other_jobs.priority > jobs.priority
             OR (other_jobs.priority = jobs.priority AND other_jobs.id < jobs.id)))))
AND jobs.status = 'todo' AND (jobs.scheduled_at IS NULL OR jobs.scheduled_at <= now())
ORDER BY jobs.priority DESC, jobs.id ASC LIMIT 1 FOR UPDATE OF jobs SKIP LOCKED"""


async def test_a_rounds_burst_of_jobs_leaves_the_fetch_walking_the_priority_index(
    queue_url: str,
) -> None:
    """After the scheduler defers 1,200 syncs, a worker's fetch of the next job reads
    the priority index and stops at the first job; planned on the statistics of the
    empty queue it checked every waiting job's lock and sorted them (192 ms a fetch at
    3,000 waiting: a worker sat idle between jobs)."""
    engine = make_engine(queue_url)

    def plan() -> str:
        with engine.connect() as connection:
            return "\n".join(connection.execute(text(_FETCH_PLAN)).scalars())

    with engine.begin() as connection:  # statistics of the empty queue
        connection.execute(text("ANALYZE procrastinate_jobs"))
    app = make_app(Settings(database_url=queue_url))
    try:
        async with app.open_async():
            assert await enqueue_all(app, "sync", list(range(1, 1201))) == 1200
            assert await enqueue_all(app, "sync", list(range(1, 1201))) == 0  # all waiting
        fetch = plan()
    finally:
        engine.dispose()
    assert "Index Scan using procrastinate_jobs_priority_idx_v1" in fetch, fetch
    assert "Sort" not in fetch, fetch


def test_the_shared_rate_bucket_gives_a_burst_then_waits_for_the_rate(queue_url: str) -> None:
    engine = make_engine(queue_url)
    try:
        with engine.connect() as connection:
            waits = [take(connection, "test", rate=0.5, burst=3) for _ in range(4)]
    finally:
        engine.dispose()

    assert waits[:3] == [0.0, 0.0, 0.0]  # the burst
    # then one token every 2 s, for every process on the database: the fourth waits for
    # what is left of its 2 s (less the time the first three took)
    assert 0.0 < waits[3] <= 2.0


def test_the_queue_refuses_sqlite_saying_what_to_set(tmp_path: Path) -> None:
    settings = Settings(jobs="queue", database_url=f"sqlite:///{tmp_path / 'store.db'}")

    with pytest.raises(QueueConfigError) as refused:
        queued(settings)

    assert str(refused.value) == (
        "the job queue (JOBS=queue, advisor worker, advisor scheduler) needs PostgreSQL: "
        "set DATABASE_URL=postgresql://..."
    )
    assert not queued(Settings(jobs="embedded", database_url=settings.database_url))


async def test_with_jobs_queue_the_bot_answers_chats_and_the_workers_send_the_alerts(
    telegram: EmulatorClient, queue_url: str, tmp_path: Path
) -> None:
    seeded = seed_outbox(queue_url, sellers=5)
    engine = make_engine(queue_url)
    with engine.begin() as connection:  # outside quiet hours whenever the test runs
        zone = noon_zone(dt.datetime.now(dt.UTC))
        connection.execute(text("UPDATE sellers SET timezone = :zone"), {"zone": zone})
    engine.dispose()
    stranger = 5_550_001
    await telegram.add_chats([*seeded.chats, stranger, OPERATOR])
    env = {"JOBS": "queue"}

    with BotProcess.start(queue_url, telegram, tmp_path, name="bot", env=env) as bot:
        await telegram.send_user_message(stranger, "/start")
        assert await telegram.wait_for_messages(stranger, 1, within=120), bot.log()
        # the embedded bot delivers a second after it starts; this one leaves it to workers
        await asyncio.sleep(3)
        assert await messages_per_chat(telegram, seeded.chats) == Counter()
        assert outbox_state(queue_url)[0]["pending"] == 5

        worker = ("worker", "--concurrency", "2", "--heartbeat", "1")
        scheduler = ("scheduler", "--once")
        with BotProcess.start(queue_url, telegram, tmp_path, name="worker", env=env, argv=worker):
            assert (
                BotProcess.start(
                    queue_url, telegram, tmp_path, name="scheduler", env=env, argv=scheduler
                ).wait(timeout=120)
                == 0
            )
            delivered = await wait_until(lambda: _sent_at_least(telegram, 6), within=120, every=0.1)
    assert delivered
    assert await messages_per_chat(telegram, seeded.chats) == Counter(
        dict.fromkeys(seeded.chats, 1)
    )


def test_db_upgrade_applies_a_newer_procrastinates_migration_once_and_status_warns_before(
    queue_url: str, tmp_path: Path
) -> None:
    # a newer procrastinate: the shipped migrations and one more
    shipped = Path(SchemaManager.get_migrations_path())
    newer = tmp_path / "migrations"
    shutil.copytree(shipped, newer)
    (newer / "03.11.00_01_pre_add_example.sql").write_text(
        "ALTER TABLE procrastinate_jobs ADD COLUMN example integer;\n"
    )
    engine = make_engine(queue_url)
    try:
        with session_factory(engine)() as session:
            assert jobs_status(session, now=dt.datetime.now(dt.UTC)).behind == ()
            behind = jobs_status(session, now=dt.datetime.now(dt.UTC), migrations=newer)
        assert behind.lines()[1] == (
            "  schema behind the installed procrastinate: 1 migration(s) missing, from "
            "03.11.00_01_pre_add_example.sql; stop the workers and schedulers, run "
            "`advisor db upgrade`, start them"
        )
        # a worker's start only warns; `advisor db upgrade` applies it, then nothing
        assert install_schema(queue_url, directory=newer).migrations == ()
        first = install_schema(queue_url, migrate=True, directory=newer)
        again = install_schema(queue_url, migrate=True, directory=newer)
        with engine.connect() as connection:
            column = connection.execute(
                text(
                    "SELECT count(*) FROM information_schema.columns "
                    "WHERE table_name = 'procrastinate_jobs' AND column_name = 'example'"
                )
            ).scalar_one()
        with session_factory(engine)() as session:
            after = jobs_status(session, now=dt.datetime.now(dt.UTC), migrations=newer)
    finally:
        engine.dispose()

    assert first.migrations == ("03.11.00_01_pre_add_example.sql",)
    assert again.migrations == ()
    assert column == 1
    assert after.behind == ()


def test_a_queue_installed_before_the_ledger_counts_as_holding_procrastinate_3_migrations(
    queue_url: str,
) -> None:
    engine = make_engine(queue_url)
    try:
        with engine.begin() as connection:
            connection.execute(text("DROP TABLE advisor_queue_migrations"))
        upgraded = install_schema(queue_url, migrate=True)
        with engine.connect() as connection:
            recorded = connection.execute(
                text("SELECT count(*) FROM advisor_queue_migrations")
            ).scalar_one()
    finally:
        engine.dispose()

    assert upgraded.migrations == ()  # nothing re-applied to a procrastinate 3 schema
    assert recorded == len(list(Path(SchemaManager.get_migrations_path()).glob("*.sql")))
