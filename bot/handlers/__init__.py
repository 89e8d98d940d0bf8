"""Telegram handlers: thin, typed, alike. Each parses the update, calls one service
and renders the reply. `register` adds them all in the order they must match."""

from __future__ import annotations

from telegram.ext import (
    BusinessConnectionHandler,
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    filters,
)

from bot.context import BotApplication
from bot.handlers import (
    business,
    buttons,
    commands,
    errors,
    inquiries,
    linking,
    operators,
    questions,
)

# Commands shown in Telegram's menu (set_my_commands, ko and en), in this order;
# descriptions are prompts/messages.<lang>.yaml `bot.commands.<name>`.
MENU_COMMANDS: tuple[str, ...] = (
    "report",
    "top",
    "ads",
    "customers",
    "keywords",
    "alerts",
    "digest",
    "lang",
    "help",
    "link",
    "unlink",
)


def register(application: BotApplication) -> None:
    messages = filters.UpdateType.MESSAGE
    routes = {
        "start": linking.start,
        "link": linking.link,
        "unlink": linking.unlink,
        "lang": linking.lang,
        "report": commands.report,
        "top": commands.top,
        "ads": commands.ads,
        "customers": commands.customers,
        "keywords": commands.keywords,
        "alerts": commands.alerts,
        "digest": commands.digest,
        "help": commands.help_command,
        "reload": operators.reload,
        "stats": operators.stats,
        "trace": operators.trace,
        "inquiries": inquiries.switch,
    }
    for name, callback in routes.items():
        application.add_handler(CommandHandler(name, callback, filters=messages))
    # the inquiry loop: an edited answer comes before any other handler sees the text
    application.add_handler(
        MessageHandler(messages & filters.TEXT & ~filters.COMMAND, inquiries.on_text), group=-1
    )
    application.add_handler(BusinessConnectionHandler(business.on_connection))
    application.add_handler(
        MessageHandler(filters.UpdateType.BUSINESS_MESSAGE, business.on_message)
    )
    application.add_handler(CallbackQueryHandler(inquiries.on_press, pattern=inquiries.PATTERN))
    application.add_handler(CallbackQueryHandler(buttons.on_button))
    application.add_handler(MessageHandler(messages & filters.COMMAND, errors.unknown_command))
    application.add_handler(
        MessageHandler(messages & filters.TEXT & ~filters.COMMAND, questions.question)
    )
    application.add_error_handler(errors.on_error)
