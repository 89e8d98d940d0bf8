"""Nudge delivery per message and per chat: the outbox's compare-and-set steps on both
backends, every linked chat with its own delivery over the emulator, two workers on
one database, and what a failed send comes to.

The kill -9, timeout and second-process faults with a real bot process are in
tests/test_delivery_faults.py.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import shutil
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pytest
from sqlalchemy import Engine, delete, select
from sqlalchemy.orm import Session, sessionmaker
from telegram.error import (
    BadRequest,
    Forbidden,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)

from bot.alerts import deliver, outcome_of
from bot.app import build_application
from bot.context import BotApplication
from bot.services import Services
from storage.db import make_engine, session_factory
from storage.models import Alert, AlertDelivery, AlertStatus, ChatLink, DeliveryStatus, Seller
from storage.outbox import (
    claim_delivery,
    expire_in_flight,
    finish_delivery,
    open_alert,
    record_alert,
    resend_unknown,
    settle_alert,
    skip_unlinked,
    waiting_sellers,
)
from tests.bot_process import FIRST_CHAT, seed_outbox
from tests.botstore import Clock, bot_services, bot_settings
from tests.factories import make_seller
from tests.telegram import EmulatorClient
from tools.advisor import Advisor
from tools.nudges import Outcome

T0 = dt.datetime(2026, 11, 25, 5, 0, tzinfo=dt.UTC)
NUDGE_TITLE = "⚠️ 11월 1일 주문이 평소보다 적었어요"


def _deliveries(session: Session, alert_id: int) -> dict[int, DeliveryStatus]:
    rows = session.execute(
        select(AlertDelivery.chat_id, AlertDelivery.status).where(
            AlertDelivery.alert_id == alert_id
        )
    )
    return {chat: DeliveryStatus(status) for chat, status in rows}


def _alert_status(session: Session, alert_id: int) -> AlertStatus:
    return AlertStatus(session.scalars(select(Alert.status).where(Alert.id == alert_id)).one())


# -- the outbox's steps, on SQLite and PostgreSQL ------------------------------------------


def test_a_delivery_is_claimed_once_and_the_alert_settles_when_every_chat_is_done(
    session: Session,
) -> None:
    seller = make_seller(session)
    record_alert(session, seller_id=seller.id, kind="sales_drop_day", dedupe_key="k",
                 evidence={}, detected_at=T0)  # fmt: skip
    alert_id = session.scalars(select(Alert.id)).one()

    assert open_alert(session, alert_id, [11, 12])
    assert not open_alert(session, alert_id, [11, 12])  # a second worker opens nothing
    ids = dict(session.execute(select(AlertDelivery.chat_id, AlertDelivery.id)).all())
    assert claim_delivery(session, ids[11], at=T0)
    assert not claim_delivery(session, ids[11], at=T0)  # compare-and-set: taken
    assert finish_delivery(session, ids[11], DeliveryStatus.SENT, at=T0)
    assert not finish_delivery(session, ids[11], DeliveryStatus.FAILED, at=T0)  # not sending
    assert settle_alert(session, alert_id, at=T0) is None  # chat 12 is not done
    assert _alert_status(session, alert_id) is AlertStatus.SENDING
    assert waiting_sellers(session) == {seller.id: ZoneInfo("Asia/Seoul")}  # chat 12 still waits

    assert claim_delivery(session, ids[12], at=T0)
    assert finish_delivery(session, ids[12], DeliveryStatus.BLOCKED, at=T0)
    assert settle_alert(session, alert_id, at=T0) is AlertStatus.SENT  # one chat got it
    assert settle_alert(session, alert_id, at=T0) is None  # settled once
    assert _deliveries(session, alert_id) == {11: DeliveryStatus.SENT, 12: DeliveryStatus.BLOCKED}
    assert waiting_sellers(session) == {}


def test_sends_left_in_flight_become_unknown_and_an_operator_may_send_them_again(
    session: Session,
) -> None:
    seller = make_seller(session)
    for key in ("old", "new"):
        record_alert(session, seller_id=seller.id, kind="sales_drop_day", dedupe_key=key,
                     evidence={}, detected_at=T0)  # fmt: skip
    alerts = dict(session.execute(select(Alert.dedupe_key, Alert.id)).all())
    for alert_id in alerts.values():
        open_alert(session, alert_id, [21])
    ids = dict(session.execute(select(AlertDelivery.alert_id, AlertDelivery.id)).all())
    claim_delivery(session, ids[alerts["old"]], at=T0)
    claim_delivery(session, ids[alerts["new"]], at=T0 + dt.timedelta(minutes=9))

    # another worker may still be sending the newer one: only the older is expired
    lost = expire_in_flight(session, at=T0 + dt.timedelta(minutes=10),
                            claimed_before=T0 + dt.timedelta(minutes=5))  # fmt: skip
    assert [(t.alert_id, t.chat_id, t.kind) for t in lost] == [
        (alerts["old"], 21, "sales_drop_day")
    ]
    assert _alert_status(session, alerts["old"]) is AlertStatus.UNKNOWN
    assert _alert_status(session, alerts["new"]) is AlertStatus.SENDING
    # at the start of the only process: every one
    (track,) = expire_in_flight(session, at=T0 + dt.timedelta(minutes=10))
    assert track.alert_id == alerts["new"]
    assert not finish_delivery(session, ids[alerts["new"]], DeliveryStatus.SENT, at=T0)

    assert resend_unknown(session) == 2
    assert {_alert_status(session, a) for a in alerts.values()} == {AlertStatus.SENDING}
    assert _deliveries(session, alerts["old"]) == {21: DeliveryStatus.PENDING}


def test_a_chat_unlinked_before_its_turn_is_skipped(session: Session) -> None:
    seller = make_seller(session)
    other = make_seller(session, "other")
    session.add_all(
        [ChatLink(chat_id=31, seller_id=seller.id), ChatLink(chat_id=32, seller_id=seller.id)]
    )
    record_alert(session, seller_id=seller.id, kind="sales_drop_day", dedupe_key="k",
                 evidence={}, detected_at=T0)  # fmt: skip
    alert_id = session.scalars(select(Alert.id)).one()
    open_alert(session, alert_id, [31, 32])
    session.execute(delete(ChatLink).where(ChatLink.chat_id == 32))
    session.add(ChatLink(chat_id=32, seller_id=other.id))  # now another store's chat
    session.flush()

    assert skip_unlinked(session) == [(alert_id, seller.id)]
    assert _deliveries(session, alert_id) == {
        31: DeliveryStatus.PENDING,
        32: DeliveryStatus.SKIPPED,
    }


# -- what a failed send comes to -------------------------------------------------------------


def _raised(error: Exception, cause: Exception | None) -> Exception:
    try:
        raise error from cause
    except Exception as raised:  # noqa: BLE001 - the test wants the exception object
        return raised


@pytest.mark.parametrize(
    ("error", "cause", "outcome"),
    [
        (Forbidden("Forbidden: bot was blocked by the user"), None, Outcome.BLOCKED),
        (BadRequest("Bad Request: chat not found"), None, Outcome.FAILED),
        (RetryAfter(3), None, Outcome.RETRY),
        (NetworkError("Bad Gateway"), None, Outcome.RETRY),  # Telegram answered an error
        (NetworkError("httpx.ConnectError: refused"), httpx.ConnectError("refused"), Outcome.RETRY),
        (TimedOut(), httpx.ConnectTimeout("connect"), Outcome.RETRY),
        (TimedOut(), httpx.PoolTimeout("pool"), Outcome.RETRY),
        (TimedOut(), httpx.ReadTimeout("read"), Outcome.UNKNOWN),  # it may have arrived
        (TimedOut(), httpx.WriteTimeout("write"), Outcome.UNKNOWN),
        (NetworkError("httpx.RemoteProtocolError"), httpx.RemoteProtocolError("gone"), Outcome.UNKNOWN),
        (NetworkError("httpx.ReadError"), httpx.ReadError("reset"), Outcome.UNKNOWN),
    ],
)  # fmt: skip
def test_a_send_that_never_left_is_retried_and_one_cut_off_after_it_left_is_unknown(
    error: Exception, cause: Exception | None, outcome: Outcome
) -> None:
    raised = _raised(error, cause)
    assert isinstance(raised, TelegramError)
    assert outcome_of(raised) is outcome


# -- over the emulator --------------------------------------------------------------------


@pytest.fixture
def store_url(sqlite_template: Path, tmp_path: Path) -> str:
    path = tmp_path / "store.db"
    shutil.copyfile(sqlite_template, path)
    return f"sqlite:///{path}"


def _services(telegram: EmulatorClient, sessions: sessionmaker[Session]) -> Services:
    clock = Clock(dt.datetime(2026, 11, 25, 5, 0, tzinfo=dt.UTC))  # 14:00 in Seoul
    return bot_services(bot_settings(telegram), sessions, Advisor, clock, max_rate=1000.0)


@asynccontextmanager
async def _started(telegram: EmulatorClient, services: Services) -> AsyncIterator[BotApplication]:
    application = build_application(services.settings, services, schedule=False)
    async with application:
        yield application


@pytest.fixture
def sessions_of(store_url: str) -> Iterator[sessionmaker[Session]]:
    engine = make_engine(store_url)
    yield session_factory(engine)
    engine.dispose()


async def test_every_linked_chat_gets_its_own_delivery_and_one_chat_holds_up_no_other(
    telegram: EmulatorClient, store_url: str, sessions_of: sessionmaker[Session]
) -> None:
    # three sellers with two chats each and two alerts each: the first seller's chats
    # work, the second seller's second chat blocked the bot, the third seller's second
    # chat fails once with 502 (Telegram answered: the send never happened)
    seeded = seed_outbox(store_url, sellers=3, chats_per_seller=2, alerts_per_seller=2)
    a1, a2, b1, b2, c1, c2 = seeded.chats
    await telegram.add_chats(seeded.chats)
    await telegram.block(b2)
    await telegram.fail_next(error_code=502, chat_id=c2)
    services = _services(telegram, sessions_of)

    async with _started(telegram, services) as application:
        first = await deliver(services, application.bot)
        with sessions_of() as session:
            waiting = session.scalars(
                select(AlertDelivery.chat_id).where(AlertDelivery.status == "pending")
            ).all()
        second = await deliver(services, application.bot)

    per_chat = Counter(m.chat_id for m in await telegram.all_messages())
    assert per_chat == {a1: 2, a2: 2, b1: 2, c1: 2, c2: 2}
    titles = {(m.plain_text or "").splitlines()[0] for m in await telegram.all_messages()}
    assert titles == {NUDGE_TITLE, "⚠️ 11월 2일 주문이 평소보다 적었어요"}
    # the 502 put one delivery back; the run stopped there and the next sent the rest
    assert (first.retry, waiting) == (1, [c2])
    assert (first.sent + second.sent, first.blocked + second.blocked) == (6, 0)
    with sessions_of() as session:
        statuses = Counter(
            (chat, str(status))
            for chat, status in session.execute(select(AlertDelivery.chat_id, AlertDelivery.status))
        )
        alerts = Counter(str(status) for status in session.scalars(select(Alert.status)))
        sellers_active = list(session.scalars(select(Seller.active).order_by(Seller.id)))
    assert statuses == {
        (a1, "sent"): 2, (a2, "sent"): 2, (b1, "sent"): 2, (b2, "blocked"): 2,
        (c1, "sent"): 2, (c2, "sent"): 2,
    }  # fmt: skip
    assert alerts == {"sent": 6}
    assert sellers_active == [True, True, True]  # one blocked chat deactivates no one
    stats = await telegram.stats()
    assert stats["calls"]["sendMessage"] == 10 + 1 + 1  # b2 tried once, c2's 502 once


async def test_two_workers_on_one_database_send_each_message_once(
    telegram: EmulatorClient, engine: Engine
) -> None:
    url = engine.url.render_as_string(hide_password=False)
    seeded = seed_outbox(url, sellers=60)
    await telegram.add_chats(seeded.chats)
    engines = [make_engine(url), make_engine(url)]
    try:
        workers = [_services(telegram, session_factory(each)) for each in engines]
        async with _started(telegram, workers[0]) as one, _started(telegram, workers[1]) as two:
            reports = await asyncio.gather(
                deliver(workers[0], one.bot), deliver(workers[1], two.bot)
            )
    finally:
        for each in engines:
            each.dispose()

    per_chat = Counter(m.chat_id for m in await telegram.all_messages())
    assert per_chat == {FIRST_CHAT + n: 1 for n in range(60)}
    assert sum(report.sent for report in reports) == 60


async def test_resend_unknown_sends_again_what_an_operator_asks_for(
    telegram: EmulatorClient, store_url: str, sessions_of: sessionmaker[Session]
) -> None:
    from bot.app import resend_unknown as resend_from_settings

    seeded = seed_outbox(store_url, sellers=2)
    await telegram.add_chats(seeded.chats)
    services = _services(telegram, sessions_of)
    with sessions_of.begin() as session:  # both were in flight when a bot was killed
        rows = session.execute(
            select(Alert.id, ChatLink.chat_id).join(ChatLink, ChatLink.seller_id == Alert.seller_id)
        ).all()
        for alert_id, chat_id in rows:
            open_alert(session, alert_id, [chat_id])
        for delivery_id in session.scalars(select(AlertDelivery.id)).all():
            claim_delivery(session, delivery_id, at=T0)
        expire_in_flight(session, at=T0)

    async with _started(telegram, services) as application:
        nothing = await deliver(services, application.bot)
        settings = services.settings.model_copy(update={"database_url": store_url})
        assert resend_from_settings(settings) == 2  # `advisor bot --resend-unknown`
        again = await deliver(services, application.bot)

    assert (nothing.sent, again.sent) == (0, 2)
    per_chat = Counter(m.chat_id for m in await telegram.all_messages())
    assert per_chat == {chat: 1 for chat in seeded.chats}
