"""The bot opens the dashboard: a "📊 대시보드" Mini App button under a sales report
in a private chat, and the chats' menu button, both to WEBAPP_URL (https only)."""

from __future__ import annotations

from typing import Any

import pytest
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, MenuButtonWebApp

from bot.dashboard import set_menu_button, with_dashboard
from storage.settings import Settings
from tools.answer import Answer, ToolCall
from tools.prompts import PromptStore

URL = "https://advisor.example/app/"


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


class _Bot:
    def __init__(self) -> None:
        self.menu: list[Any] = []

    async def set_chat_menu_button(self, *, menu_button: Any) -> bool:
        self.menu.append(menu_button)
        return True


async def test_the_menu_button_opens_the_dashboard(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WEBAPP_URL", URL)
    bot = _Bot()
    assert await set_menu_button(bot, _Services())  # type: ignore[arg-type]
    [menu] = bot.menu
    assert isinstance(menu, MenuButtonWebApp)
    assert (menu.text, menu.web_app.url) == ("대시보드", URL)
    monkeypatch.delenv("WEBAPP_URL")
    assert not await set_menu_button(bot, _Services())  # type: ignore[arg-type]
    assert len(bot.menu) == 1
