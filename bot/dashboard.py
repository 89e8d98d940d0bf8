"""Opening the dashboard (web/) from Telegram: the chat's menu button
(MenuButtonWebApp) and a "📊 대시보드" button under a sales report in a private chat
(Telegram allows Mini App buttons only there), both to WEBAPP_URL; and serving the
dashboard beside the bot on WEBAPP_LISTEN:WEBAPP_PORT when WEBAPP_URL is set."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    MenuButtonWebApp,
    WebAppInfo,
)
from telegram.error import TelegramError

from tools.answer import Answer
from web.config import WebSettings

if TYPE_CHECKING:
    from telegram import Bot

    from bot.services import Services

log = logging.getLogger(__name__)

REPORT_TOOLS = frozenset({"sales_report"})


def dashboard_url() -> str | None:
    """WEBAPP_URL when it is an https address (Telegram opens no other)."""
    url = WebSettings().webapp_url
    return url if url and url.startswith("https://") else None


def with_dashboard(
    services: Services,
    keyboard: InlineKeyboardMarkup | None,
    answer: Answer,
    chat_id: int,
    lang: str,
) -> InlineKeyboardMarkup | None:
    """`keyboard` with a "📊 대시보드" row under a report sent to a private chat."""
    url = dashboard_url()
    last = answer.calls[-1] if answer.calls else None
    if url is None or chat_id <= 0 or last is None or last.tool not in REPORT_TOOLS:
        return keyboard
    button = InlineKeyboardButton(services.text("buttons.dashboard", lang), web_app=WebAppInfo(url))
    rows = [list(row) for row in keyboard.inline_keyboard] if keyboard else []
    return InlineKeyboardMarkup([*rows, [button]])


async def set_menu_button(bot: Bot, services: Services, lang: str = "ko") -> bool:
    """The chats' default menu button opens the dashboard (when WEBAPP_URL is set)."""
    url = dashboard_url()
    if url is None:
        return False
    text = services.text("buttons.dashboard_menu", lang)
    try:
        await bot.set_chat_menu_button(menu_button=MenuButtonWebApp(text, WebAppInfo(url)))
    except TelegramError as exc:
        log.warning("dashboard: the menu button could not be set: %s", exc)
        return False
    return True


def start_server(services: Services) -> Any:
    """The dashboard in a thread beside the bot, when WEBAPP_URL is set (uvicorn.Server,
    or None); it shares the bot's database and prompts."""
    if dashboard_url() is None or services.settings.telegram_bot_token is None:
        return None
    from web.serve import make_config, serve_in_thread

    web = WebSettings()
    config = make_config(
        services.settings, web, services.sessions, services.prompts, clock=services.clock
    )
    log.info("dashboard on %s:%d", web.webapp_listen, web.webapp_port)
    return serve_in_thread(config, web.webapp_listen, web.webapp_port)
