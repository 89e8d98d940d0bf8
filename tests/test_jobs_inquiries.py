"""The inquiry loop on the job queue: one job per seller, so one seller's failing
Naver source never holds up another seller's questions.

Two sellers with Naver accounts (tests.test_jobs_queue.seed). Seller A's Naver
answers every data call 500 (its sync cannot read, its approved answer cannot be
checked or posted); seller B's customer asks a product question in the Naver
emulator. A real `advisor worker` and `advisor scheduler --once`: B's question
arrives in B's chat as a card; once approved, the worker's job for B posts it to
Naver once (a later round posts nothing more), while A's answer waits, pending, for
its Naver to come back. `advisor jobs status` shows the inquiries jobs by kind.
(Both chats also get the morning digest of the seeded order: not counted here.)
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import select, text
from telegram.ext import ExtBot

from bot import inquiry_flow
from bot.jobs import install_schema
from bot.jobs.queue import conninfo, make_app
from storage import inquiry_outbox as outbox
from storage.db import make_engine, session_factory
from storage.models import AnswerStatus, Inquiry, InquiryAnswer, InquiryStatus, Seller
from storage.settings import Settings
from tests.bot_process import BotProcess, wait_until
from tests.botstore import Clock
from tests.conftest import pg_database
from tests.emulators._http import Request, Response, serve
from tests.emulators.naver_commerce import NaverCommerce, _error
from tests.telegram import EmulatorClient
from tests.test_bot_telegram import new_services
from tests.test_jobs_queue import KEY, seed

SENT = "보냈어요 ✅\n가로 30cm 박스예요."
RETRY = "지금은 보낼 수 없어서 잠시 후 다시 보낼게요."  # A's Naver is down


class BrokenFor(NaverCommerce):
    """The emulator, failing every call made with the token of an app in `broken`."""

    def __init__(self) -> None:
        super().__init__()
        self.broken: set[str] = set()

    def handle(self, request: Request) -> Response:
        token = request.headers.get("authorization", "").removeprefix("Bearer ")
        found = self.tokens.get(token)
        if found is not None and found[0] in self.broken:
            return _error(500, "GW.INTERNAL", "emulated outage")
        return super().handle(request)


@pytest.fixture
def queue_url() -> Iterator[str]:
    for url in pg_database("advisor_jobs_inq"):
        install_schema(url)
        yield url


def _approve_pending(url: str, seller_id: int, now: dt.datetime) -> None:
    """Seller A approved an answer to a Naver question earlier (its post still to go)."""
    engine = make_engine(url)
    try:
        with session_factory(engine).begin() as session:
            inquiry_id, _ = outbox.record_inquiry(
                session,
                seller_id=seller_id,
                source="naver_qna",
                external_id="qa-1",
                question="재입고 언제 되나요?",
                asked_at=now - dt.timedelta(hours=2),
            )
            outbox.save_draft(
                session,
                inquiry_id,
                text="다음 주에 들어와요.",
                meta={},
                needs_check=False,
                product_id=None,
                at=now,
            )
            outbox.approve(
                session, inquiry_id, text="다음 주에 들어와요.", edited=False, chat_id=None, at=now
            )
    finally:
        engine.dispose()


def _inquiries(url: str, seller_id: int) -> list[tuple[int, InquiryStatus]]:
    engine = make_engine(url)
    try:
        with session_factory(engine)() as session:
            rows = session.execute(
                select(Inquiry.id, Inquiry.status).where(Inquiry.seller_id == seller_id)
            )
            return [(row.id, row.status) for row in rows]
    finally:
        engine.dispose()


def _answers(url: str, seller_id: int) -> list[tuple[AnswerStatus, int]]:
    engine = make_engine(url)
    try:
        with session_factory(engine)() as session:
            rows = session.execute(
                select(InquiryAnswer.status, InquiryAnswer.attempts).where(
                    InquiryAnswer.seller_id == seller_id
                )
            )
            return [(row.status, row.attempts) for row in rows]
    finally:
        engine.dispose()


async def test_one_sellers_failing_naver_never_holds_up_anothers_inquiries(
    telegram: EmulatorClient, queue_url: str, tmp_path: Path
) -> None:
    now = dt.datetime.now(dt.UTC)
    api = BrokenFor()
    with serve(api):
        chat_a, chat_b = seed(queue_url, api, now, sellers=2)
        engine = make_engine(queue_url)
        with session_factory(engine)() as session:
            seller_a, seller_b = session.scalars(select(Seller.id).order_by(Seller.id)).all()
        engine.dispose()
        _approve_pending(queue_url, seller_a, now)
        api.ask(
            "app1",
            "qb-1",
            "3kg 박스 크기가 어떻게 되나요?",
            at=now - dt.timedelta(minutes=5),
            product_id="p-1",
            product_name="호박고구마 3kg",
        )
        api.broken.add("app0")
        await telegram.add_chats([chat_a, chat_b])
        env = {"NAVER_COMMERCE_URL": api.url, "ADVISOR_SECRET_KEY": KEY, "JOBS": "queue"}

        def run(name: str, *argv: str) -> BotProcess:
            return BotProcess.start(queue_url, telegram, tmp_path, name=name, env=env, argv=argv)

        scheduler = run("scheduler-1", "scheduler", "--once")
        assert scheduler.wait(timeout=60) == 0, scheduler.log()
        status = run("status-1", "jobs", "status")
        assert status.wait(timeout=60) == 0, status.log()
        # (how long the oldest waited depends on the machine: cut off)
        assert [line.split(";")[0] for line in status.log().splitlines()[-5:]] == [
            "  sync: queued 2, running 0, failed 0",  # both sellers' syncs
            "  scan: queued 0, running 0, failed 0",
            "  deliver: queued 0, running 0, failed 0",
            "  inquiries: queued 1, running 0, failed 0",  # A's: its answer to post
            "  fit: queued 0, running 0, failed 0",
        ]

        worker = run("worker", "worker", "--concurrency", "4", "--heartbeat", "1")
        try:
            # B's sync reads the question, defers B's loop, which drafts it and sends a card
            card = await telegram.wait_for_messages(chat_b, 1, within=60)
            assert card, worker.log()
            assert "3kg 박스 크기가 어떻게 되나요?" in (card[0].plain_text or "")
            assert card[0].reply_markup is not None  # its buttons

            async def notified() -> bool:  # recorded just after the card went out
                return [s for _, s in _inquiries(queue_url, seller_b)] == [InquiryStatus.NOTIFIED]

            assert await wait_until(notified, within=10, every=0.05)
            [(inquiry_b, _)] = _inquiries(queue_url, seller_b)

            # B presses 보내기 (the button's transaction); the next pass defers B's loop
            engine = make_engine(queue_url)
            with session_factory(engine).begin() as session:
                decision = outbox.approve(
                    session,
                    inquiry_b,
                    text="가로 30cm 박스예요.",
                    edited=False,
                    chat_id=chat_b,
                    at=dt.datetime.now(dt.UTC),
                )
            engine.dispose()
            assert decision.done
            again = run("scheduler-2", "scheduler", "--once")
            assert again.wait(timeout=60) == 0, again.log()

            async def posted() -> bool:
                return SENT in [m.plain_text for m in await telegram.messages(chat_b)]

            assert await wait_until(posted, within=60, every=0.1), worker.log()
            third = run("scheduler-3", "scheduler", "--once")  # B has nothing left
            assert third.wait(timeout=60) == 0, third.log()
            status = run("status-2", "jobs", "status")
            assert status.wait(timeout=60) == 0, status.log()
        finally:
            worker.stop()

    assert api.answers == [("qna", "qb-1", "가로 30cm 박스예요.")]  # posted once
    told_b = [m.plain_text or "" for m in await telegram.messages(chat_b)]
    assert told_b[0].startswith("📩 새 고객 문의 · 네이버 상품 Q&A · kim***\n")  # the card
    assert told_b.count(SENT) == 1  # and the seller heard once that it went
    assert _inquiries(queue_url, seller_b) == [(inquiry_b, InquiryStatus.ANSWERED)]
    # A's answer waits for its Naver: tried, still pending, never posted
    [(status_a, attempts_a)] = _answers(queue_url, seller_a)
    assert status_a == AnswerStatus.PENDING and attempts_a >= 2  # tried at several passes
    told_a = [m.plain_text or "" for m in await telegram.messages(chat_a)]
    assert told_a.count(RETRY) == 1 and SENT not in told_a  # told once, not every pass
    # A's outage fails no job: its answer waits, pending, and each pass defers its loop again
    [inquiries] = [line for line in status.log().splitlines() if line.startswith("  inquiries:")]
    assert inquiries.split(";")[0].endswith(", failed 0"), status.log()


async def test_a_sellers_loop_running_in_another_process_is_left_to_it(
    telegram: EmulatorClient, queue_url: str
) -> None:
    """The bot's buttons run a seller's loop too: while a worker's job holds the seller
    (its advisory lock), the bot's run skips that seller, so a card goes out once."""
    now = dt.datetime.now(dt.UTC)
    api = NaverCommerce()
    [chat] = seed(queue_url, api, now, sellers=1)
    await telegram.add_chats([chat])
    engine = make_engine(queue_url)
    sessions = session_factory(engine)
    with sessions.begin() as session:
        seller_id = session.scalars(select(Seller.id)).one()
        inquiry_id, _ = outbox.record_inquiry(
            session,
            seller_id=seller_id,
            source="naver_qna",
            external_id="q-1",
            question="선물 포장 되나요?",
            asked_at=now - dt.timedelta(minutes=3),
        )
        outbox.save_draft(
            session,
            inquiry_id,
            text="네, 가능해요.",
            meta={},
            needs_check=False,
            product_id=None,
            at=now,
        )
    services = new_services(telegram, sessions, Clock(), quiet_start=0, quiet_end=0)
    bot = ExtBot(telegram.token, base_url=telegram.base_url, base_file_url=telegram.base_file_url)
    await bot.initialize()
    worker = psycopg.connect(conninfo(queue_url), autocommit=True)  # "another process"
    try:
        worker.execute("SELECT pg_advisory_lock(%s, %s)", (inquiry_flow.LOCK_SPACE, seller_id))
        assert await inquiry_flow.run_loop(services, bot, seller_ids=[seller_id]) == []
        assert await telegram.messages(chat) == []  # left to the run holding the seller
        worker.execute("SELECT pg_advisory_unlock(%s, %s)", (inquiry_flow.LOCK_SPACE, seller_id))
        await inquiry_flow.run_loop(services, bot, seller_ids=[seller_id])
        await inquiry_flow.run_loop(services, bot, seller_ids=[seller_id])
    finally:
        worker.close()
        await bot.shutdown()
        engine.dispose()

    cards = [m.plain_text or "" for m in await telegram.messages(chat)]
    assert len(cards) == 1 and '"선물 포장 되나요?"' in cards[0]
    assert _inquiries(queue_url, seller_id) == [(inquiry_id, InquiryStatus.NOTIFIED)]


async def test_an_all_sellers_inquiry_job_queued_before_the_upgrade_ends_without_failing(
    telegram: EmulatorClient, queue_url: str, tmp_path: Path
) -> None:
    """Before one job per seller, `advisor:inquiries` took no seller; such a job still
    waiting when the workers are upgraded succeeds at once (the scheduler defers the
    per-seller jobs) instead of failing five times into `advisor jobs status`."""
    app = make_app(Settings(database_url=queue_url))
    async with app.open_async():
        old = await app.configure_task("advisor:inquiries").defer_async()
    worker = BotProcess.start(queue_url, telegram, tmp_path, name="worker-old", argv=("worker",),
                              env={"ADVISOR_SECRET_KEY": KEY, "JOBS": "queue"})  # fmt: skip
    engine = make_engine(queue_url)

    def status() -> str | None:  # a succeeded job is deleted (the worker's delete_jobs)
        with engine.connect() as connection:
            found = connection.execute(
                text("SELECT status FROM procrastinate_jobs WHERE id = :id"), {"id": old}
            ).scalar()
        return None if found is None else str(found)

    async def ended() -> bool:
        return status() in (None, "failed")

    try:
        assert await wait_until(ended, within=60, every=0.2)
        assert status() is None  # succeeded, not failed nor waiting for a retry
    finally:
        worker.stop()
        engine.dispose()
    assert "the old all-sellers inquiry job" in worker.log()
