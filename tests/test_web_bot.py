"""The bot opens the dashboard: a "📊 대시보드" Mini App button under a sales report
in a private chat, and the chats' menu button, both to WEBAPP_URL (https only); with
WEBAPP_URL set the real bot (through the Bot API emulator) sets both and serves the
dashboard on WEBAPP_PORT, where the chat's figure is the page's."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.app import build_application
from bot.dashboard import with_dashboard
from storage.db import make_engine, session_factory
from storage.models import ChatLink, Seller
from storage.settings import Settings
from tests.botstore import NOW, Clock, bot_services, bot_settings, store_template
from tests.telegram import EmulatorClient, free_port, polling
from tests.web_store import init_data
from tools.advisor import Advisor
from tools.answer import Answer, ToolCall
from tools.prompts import PromptStore

URL = "https://advisor.example/app/"
ALICE = 5001  # linked to the store "moon" of tests/botstore.py


class _Services:
    """Only what the dashboard buttons read: the bot's messages."""

    def __init__(self) -> None:
        self.prompts = PromptStore(Settings().prompts_dir)

    def text(self, key: str, lang: str, **params: Any) -> str:
        return self.prompts.message(f"bot.{key}", lang, **params)


def _answer(tool: str) -> Answer:
    return Answer("…", "offline", "ko", calls=[ToolCall(tool, {}, {})])


STEPS = InlineKeyboardMarkup([[InlineKeyboardButton("어제", callback_data="x")]])


def test_a_report_in_a_private_chat_gets_the_dashboard_button(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("WEBAPP_URL", URL)
    keyboard = with_dashboard(_Services(), STEPS, _answer("sales_report"), 111, "ko")  # type: ignore[arg-type]
    assert keyboard is not None
    rows = keyboard.inline_keyboard
    assert rows[0][0].text == "어제"
    assert (rows[1][0].text, rows[1][0].web_app.url) == ("📊 대시보드", URL)  # type: ignore[union-attr]
    english = with_dashboard(_Services(), None, _answer("sales_report"), 111, "en")  # type: ignore[arg-type]
    assert english is not None and english.inline_keyboard[0][0].text == "📊 Dashboard"


@pytest.mark.parametrize(
    ("url", "chat_id", "tool"),
    [
        (URL, -100123, "sales_report"),  # a group: Telegram refuses Mini App buttons there
        (URL, 111, "top_products"),  # not a report
        ("http://advisor.example/", 111, "sales_report"),  # Telegram opens https only
        (None, 111, "sales_report"),  # no dashboard configured
    ],
)
def test_no_dashboard_button_otherwise(
    monkeypatch: pytest.MonkeyPatch, url: str | None, chat_id: int, tool: str
) -> None:
    if url is None:
        monkeypatch.delenv("WEBAPP_URL", raising=False)
    else:
        monkeypatch.setenv("WEBAPP_URL", url)
    assert with_dashboard(_Services(), STEPS, _answer(tool), chat_id, "ko") is STEPS  # type: ignore[arg-type]


# -- the real bot against the Bot API emulator ------------------------------------------


@pytest.fixture
def db(sqlite_template: Path, tmp_path: Path) -> Iterator[sessionmaker[Session]]:
    path = store_template(sqlite_template, tmp_path)
    engine = make_engine(f"sqlite:///{path}")
    factory = session_factory(engine)
    with factory.begin() as session:
        moon = session.scalar(select(Seller).where(Seller.slug == "moon"))
        assert moon is not None
        session.add(ChatLink(chat_id=ALICE, seller_id=moon.id, language="ko"))
    yield factory
    engine.dispose()


async def _dashboard_today(port: int, token: str) -> str:
    """Today's page as Alice's Mini App opens it on the dashboard the bot serves."""
    base = f"http://127.0.0.1:{port}"
    raw = init_data(ALICE, auth_date=NOW, token=token)
    async with httpx.AsyncClient(base_url=base) as client:
        signed = None
        for _ in range(200):  # the server starts in a thread beside the bot
            try:
                signed = await client.post("/auth", json={"init_data": raw})
                break
            except httpx.ConnectError:
                await asyncio.sleep(0.05)
        assert signed is not None, f"no dashboard on {base}"
        assert signed.status_code == 200, signed.text
        return (await client.get(signed.json()["next"])).text


async def test_the_bot_opens_and_serves_the_dashboard_at_webapp_url(
    telegram: EmulatorClient, db: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    port = free_port()
    monkeypatch.setenv("WEBAPP_URL", URL)
    monkeypatch.setenv("WEBAPP_LISTEN", "127.0.0.1")
    monkeypatch.setenv("WEBAPP_PORT", str(port))
    services = bot_services(bot_settings(telegram), db, Advisor, Clock())
    application = build_application(services.settings, services, schedule=False)
    async with polling(application):
        assert await telegram.menu_buttons() == [
            (None, {"type": "web_app", "text": "대시보드", "web_app": {"url": URL}})
        ]
        await telegram.send_user_message(ALICE, "/report", language_code="ko")
        replies = await telegram.wait_for_messages(ALICE, 1)
        page = await _dashboard_today(port, telegram.token)
    buttons = [b for m in replies for row in m.keyboard for b in row if "web_app" in b]
    assert buttons == [{"text": "📊 대시보드", "web_app": {"url": URL}}]
    # the chat's report and the dashboard the bot serves state the same figure
    assert "117,000원" in replies[-1].plain_text
    assert 'data-figure="revenue">117,000원<' in page
