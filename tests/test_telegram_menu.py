"""The bot's persistent menu button, through the Bot API emulator: the command list, or
the dashboard Mini App when WEBAPP_URL is an https address; commands per language are
tested in tests/test_bot_telegram.py."""

from __future__ import annotations

import pytest

from bot.app import register_menu_button
from tests.botstore import Clock, bot_services, bot_settings
from tests.telegram import EmulatorClient

URL = "https://advisor.example/app/"


async def _menu_after_start(telegram: EmulatorClient) -> list[tuple[int | None, dict[str, object]]]:
    settings = bot_settings(telegram)
    # no advisor or database: the menu button is set before any question
    services = bot_services(settings, None, lambda *_: None, Clock())  # type: ignore[arg-type,return-value]
    application = telegram.application_builder().build()
    async with application:
        await register_menu_button(application.bot, services)
    return await telegram.menu_buttons()


async def test_without_a_dashboard_the_menu_button_lists_the_commands(
    telegram: EmulatorClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WEBAPP_URL", "")
    assert await _menu_after_start(telegram) == [(None, {"type": "commands"})]


async def test_with_a_dashboard_the_menu_button_opens_it(
    telegram: EmulatorClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WEBAPP_URL", URL)
    assert await _menu_after_start(telegram) == [
        (None, {"type": "web_app", "text": "대시보드", "web_app": {"url": URL}})
    ]


async def test_an_http_dashboard_address_gets_the_command_list(
    telegram: EmulatorClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WEBAPP_URL", "http://advisor.example/")  # Telegram opens https only
    assert await _menu_after_start(telegram) == [(None, {"type": "commands"})]
