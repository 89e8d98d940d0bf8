"""Webhook mode: it needs TELEGRAM_WEBHOOK_SECRET, listens on 127.0.0.1 unless told
otherwise, and a POST without the secret (or with a wrong one) changes nothing."""

from __future__ import annotations

import datetime as dt
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from pydantic import SecretStr
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.app import BotConfigError, build_application, webhook_options
from bot.cli import main
from storage.db import make_engine, session_factory
from storage.models import ChatLink, Seller
from storage.settings import Settings, get_settings
from tests.botstore import Clock, bot_services, bot_settings
from tests.telegram import EmulatorClient, free_port
from tools.advisor import Advisor

ALICE = 5101
SECRET = "s3cret-Token_42"
NO_SECRET = (
    "TELEGRAM_WEBHOOK_SECRET is not set: webhook mode needs it, or anyone who can reach the "
    "listener could post updates as any chat; set it to a random string "
    "(e.g. `python -c 'import secrets; print(secrets.token_urlsafe(32))'`)"
)


def test_webhook_mode_needs_a_secret_telegram_accepts_and_listens_on_loopback() -> None:
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        telegram_webhook_url="https://bot.example.com/telegram/hook",
    )
    assert settings.telegram_webhook_listen == "127.0.0.1"
    with pytest.raises(BotConfigError) as refused:
        webhook_options(settings)
    assert str(refused.value) == NO_SECRET
    bad = settings.model_copy(update={"telegram_webhook_secret": SecretStr("has space")})
    with pytest.raises(BotConfigError, match=r"1-256 characters of A-Z, a-z, 0-9, _ and -"):
        webhook_options(bad)

    good = settings.model_copy(update={"telegram_webhook_secret": SecretStr(SECRET)})
    assert webhook_options(good) == {
        "listen": "127.0.0.1",
        "port": 8443,
        "url_path": "telegram/hook",
        "webhook_url": "https://bot.example.com/telegram/hook",
        "secret_token": SECRET,
        "allowed_updates": webhook_options(good)["allowed_updates"],
    }


def test_advisor_bot_refuses_webhook_mode_without_a_secret(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)  # no .env from the checkout
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'store.db'}")
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "123456:abcdef")
    monkeypatch.setenv("TELEGRAM_WEBHOOK_URL", "https://bot.example.com/telegram/hook")
    monkeypatch.delenv("TELEGRAM_WEBHOOK_SECRET", raising=False)
    get_settings.cache_clear()
    try:
        assert main(["bot"]) == 2
    finally:
        get_settings.cache_clear()
    assert capsys.readouterr().err == f"advisor: {NO_SECRET}\n"


@pytest.fixture
def db(sqlite_template: Path, tmp_path: Path) -> Iterator[sessionmaker[Session]]:
    path = tmp_path / "store.db"
    shutil.copyfile(sqlite_template, path)
    engine = make_engine(f"sqlite:///{path}")
    sessions = session_factory(engine)
    with sessions.begin() as session:
        seller = Seller(slug="moon", name="달빛상회", timezone="Asia/Seoul")
        session.add(seller)
        session.flush()
        session.add(ChatLink(chat_id=ALICE, seller_id=seller.id, language="ko"))
    yield sessions
    engine.dispose()


def _forged(text: str, update_id: int) -> dict[str, Any]:
    user = {"id": ALICE, "is_bot": False, "first_name": "Alice", "language_code": "ko"}
    return {
        "update_id": update_id,
        "message": {
            "message_id": update_id,
            "date": int(time.time()),
            "chat": {"id": ALICE, "type": "private", "first_name": "Alice"},
            "from": user,
            "text": text,
            "entities": [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}],
        },
    }


def _state(db: sessionmaker[Session]) -> tuple[int, bool, bool]:
    with db() as session:
        links = len(session.scalars(select(ChatLink)).all())
        seller = session.scalars(select(Seller)).one()
        return links, seller.alerts_enabled, seller.digest_enabled


async def test_forged_updates_without_the_secret_change_nothing(
    telegram: EmulatorClient, db: sessionmaker[Session]
) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}/telegram/hook"
    settings = bot_settings(telegram).model_copy(
        update={
            "telegram_webhook_url": url,
            "telegram_webhook_port": port,
            "telegram_webhook_secret": SecretStr(SECRET),
        }
    )  # TELEGRAM_WEBHOOK_LISTEN left at its default: 127.0.0.1
    clock = Clock(dt.datetime(2026, 11, 25, 5, 0, tzinfo=dt.UTC))
    services = bot_services(settings, db, Advisor, clock)
    application = build_application(settings, services, schedule=False)
    updater = application.updater
    assert updater is not None
    await telegram.add_chats([ALICE])
    forged = [
        (_forged("/unlink", 900001), {}),
        (_forged("/alerts off", 900002), {"X-Telegram-Bot-Api-Secret-Token": "guess"}),
        (_forged("/digest off", 900003), {"X-Telegram-Bot-Api-Secret-Token": SECRET[:-1]}),
    ]
    async with application:
        await updater.start_webhook(**webhook_options(settings))
        await application.start()
        try:
            async with httpx.AsyncClient() as client:
                answers = [
                    (await client.post(url, json=update, headers=headers)).status_code
                    for update, headers in forged
                ]
            # a real update (the emulator sends the secret) is still answered
            await telegram.send_user_message(ALICE, "/alerts on")
            (reply,) = await telegram.wait_for_messages(ALICE, 1, within=10)
            info = await application.bot.get_webhook_info()
        finally:
            await updater.stop()
            await application.stop()

    assert answers == [403, 403, 403]
    assert _state(db) == (1, True, True)  # the link and both switches as they were
    assert reply.plain_text == (
        "알림을 켰어요. 매출이나 광고에 이상이 보이면 바로 알려 드릴게요(밤 10시~아침 8시는 모아서 아침에)."
    )
    assert info.url == url and info.last_error_message is None
