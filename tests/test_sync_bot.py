"""Scheduled sync in the bot, end to end: the real Application against the Bot API
emulator and the small store of tests/botstore.py (today, Wed Nov 25, has four paid
orders bringing 117,000원 by 14:30). A connected account (credentials sealed with a
test key, built through the connector registry) syncs as the bot's job does: a new
order shows in /report with the time of the data, its refund leaves revenue, and a
source failing for over an hour makes the seller's answers say the data may be out
of date while operators get exactly one message.
"""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
from cryptography.fernet import Fernet
from pydantic import SecretStr
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.services import Services
from bot.sync import sync_sources
from storage.connectors import Page, SourceError, accounts, registry, secrets
from storage.db import make_engine, session_factory
from storage.importing import ParsedLine, ParsedOrder
from storage.models import Seller
from storage.settings import Settings
from tests.botstore import NOW, SEOUL, Clock, bot_services, bot_settings, store_template
from tests.telegram import EmulatorClient
from tests.test_bot_telegram import ALICE, OPERATOR, link, running
from tools.advisor import Advisor

KEY = Fernet.generate_key().decode()
NAME = "testlive"
MINUTE = dt.timedelta(minutes=1)


class LiveSource:
    """The platform edge: what changed since the last sync is `changes`; `error`
    answers every sync while set."""

    name = NAME

    def __init__(self) -> None:
        self.changes: list[ParsedOrder] = []
        self.error: SourceError | None = None
        self.read = 0

    def check(self) -> None:
        return None

    def pages(self, cursor: Mapping[str, Any] | None, *, now: dt.datetime) -> Iterator[Page]:
        if self.error is not None:
            raise self.error
        if self.changes:
            self.read += 1
            yield Page({"read": self.read}, tuple(self.changes))
            self.changes = []


def jam_order(status: str) -> ParsedOrder:
    """N1 at 14:10 Seoul today: 2 x 딸기잼 12,000 = 24,000."""
    at = dt.datetime(2026, 11, 25, 14, 10, tzinfo=SEOUL)
    return ParsedOrder(
        "N1", 0, at, status, None, None, (ParsedLine(0, "JAM-500", "딸기잼", 2, 12_000),)
    )


@pytest.fixture(scope="module")
def store_file(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return store_template(sqlite_template, tmp_path_factory.mktemp("syncstore"))


@pytest.fixture
def db(store_file: Path, tmp_path: Path) -> Iterator[sessionmaker[Session]]:
    path = tmp_path / "store.db"
    shutil.copyfile(store_file, path)
    engine = make_engine(f"sqlite:///{path}")
    yield session_factory(engine)
    engine.dispose()


@pytest.fixture
def live() -> Iterator[LiveSource]:
    source = LiveSource()

    def factory(credentials: Mapping[str, str], settings: Settings) -> LiveSource:
        assert dict(credentials) == {"client_id": "moon-app", "client_secret": "s3cret"}
        return source

    registry.register(NAME, factory, fields=registry.DEFAULT_FIELDS["naver"], label="Test live")
    yield source
    registry.unregister(NAME)


def connected_services(
    telegram: EmulatorClient, db: sessionmaker[Session], clock: Clock
) -> Services:
    settings = bot_settings(telegram, operators=(OPERATOR,)).model_copy(
        update={"advisor_secret_key": SecretStr(KEY)}
    )
    sealed = secrets.encrypt(KEY, {"client_id": "moon-app", "client_secret": "s3cret"})
    with db.begin() as session:
        seller_id = session.scalar(select(Seller.id).where(Seller.slug == "moon"))
        assert seller_id is not None
        accounts.connect(session, seller_id, NAME, sealed, now=NOW - dt.timedelta(days=1))
    return bot_services(settings, db, Advisor, clock)


async def report(telegram: EmulatorClient, text: str = "/report") -> str:
    before = len(await telegram.messages(ALICE))
    await telegram.send_user_message(ALICE, text)
    return (await telegram.wait_for_messages(ALICE, before + 1))[-1].plain_text


async def test_the_bots_sync_brings_orders_refunds_and_staleness_into_answers(
    telegram: EmulatorClient, db: sessionmaker[Session], live: LiveSource
) -> None:
    clock = Clock()
    services = connected_services(telegram, db, clock)
    async with running(telegram, services) as application:
        await link(telegram, db, ALICE)
        await telegram.add_chats([OPERATOR], language_code="en")

        # 14:30: a new paid order since the last sync
        live.changes = [jam_order("paid")]
        synced = await sync_sources(services, application.bot, now=clock.now)
        assert [(r.source, r.orders, r.ok) for r in synced] == [(NAME, 1, True)]
        text = await report(telegram)
        assert text.splitlines()[0] == "오늘 매출 (14:30 기준): 141,000원 (약 14만 원)"  # +24,000
        assert text.endswith("\n\n14:30 기준 데이터예요.")

        # 14:40: it was refunded: revenue is back to today's four orders
        clock.now = NOW + 10 * MINUTE
        live.changes = [jam_order("refunded")]
        await sync_sources(services, application.bot, now=clock.now)
        text = await report(telegram)
        assert text.splitlines()[0] == "오늘 매출 (14:40 기준): 117,000원 (약 12만 원)"
        assert "환불 1건 24,000원은 매출에서 뺐어요" in text
        assert text.endswith("\n\n14:40 기준 데이터예요.")
        english = services.advisor.ask(
            "How are sales today?", seller_id=1, lang="en", now=clock.now
        ).text
        assert english.endswith("\n\nData as of 14:40.")
        yesterday = services.advisor.ask("어제 매출 어때?", seller_id=1, now=clock.now).text
        assert "기준 데이터" not in yesterday  # not about today, and not stale

        # from 14:50 every sync fails: after an hour the answers say so, operators hear once
        live.error = SourceError("ip_not_allowed", "register this server's IP in the API center")
        for minutes in (20, 50, 81, 90, 120):
            clock.now = NOW + minutes * MINUTE
            await sync_sources(services, application.bot, now=clock.now)
        operator = await telegram.messages(OPERATOR)
        assert [message.plain_text for message in operator] == [
            "Store data is stale: 1 connected account(s) have failed to sync for over an hour. "
            "Their sellers' answers say so until a sync succeeds. See `advisor sync status`.\n"
            "moon testlive: failing since 2026-11-25 05:50 UTC, last success 2026-11-25 05:40; "
            "ip_not_allowed: register this server's IP in the API center"
        ]
        text = await report(telegram)
        assert text.endswith(
            "\n\n⚠️ 데이터가 최신이 아닐 수 있어요: 14:50부터 스토어 연동이 실패하고 있어요 "
            "(14:40 기준 데이터)."
        )
        yesterday = services.advisor.ask("어제 매출 어때?", seller_id=1, now=clock.now).text
        assert yesterday.endswith("(14:40 기준 데이터).")

        # it works again: fresh data, no warning
        live.error = None
        clock.now = NOW + 130 * MINUTE
        await sync_sources(services, application.bot, now=clock.now)
        assert (await report(telegram)).endswith("\n\n16:40 기준 데이터예요.")
        assert len(await telegram.messages(OPERATOR)) == 1
