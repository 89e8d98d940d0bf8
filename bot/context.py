"""The typed callback context: handlers and jobs get `context.services`."""

from __future__ import annotations

from typing import Any

from telegram.ext import Application, CallbackContext, ContextTypes, ExtBot, JobQueue

from bot.services import Services


class BotData:
    """`application.bot_data`: holds the Services the composition root made."""

    def __init__(self) -> None:
        self.services: Services | None = None


class BotContext(CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], BotData]):
    @property
    def services(self) -> Services:
        services = self.bot_data.services
        if services is None:
            raise RuntimeError("the bot's services are not set up (post_init did not run)")
        return services


CONTEXT_TYPES = ContextTypes(context=BotContext, bot_data=BotData)

BotApplication = Application[
    ExtBot[None], BotContext, dict[Any, Any], dict[Any, Any], BotData, JobQueue[BotContext]
]
