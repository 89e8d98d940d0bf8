"""The composition root: one python-telegram-bot Application with its services.

    application = build_application(settings)            # `advisor bot`
    application = build_application(settings, services)  # tests: their DB and clock

Settings used: TELEGRAM_BOT_TOKEN; TELEGRAM_BASE_URL / TELEGRAM_BASE_FILE_URL
(another Bot API server: a local one, or the emulator in tests);
TELEGRAM_READ_TIMEOUT; TELEGRAM_WEBHOOK_URL with TELEGRAM_WEBHOOK_SECRET (required:
webhook mode refuses to start without it, and Telegram is told it with setWebhook's
secret_token, so a POST without it is refused with 403), TELEGRAM_WEBHOOK_LISTEN
(127.0.0.1 unless set) and TELEGRAM_WEBHOOK_PORT for webhook mode (polling
otherwise); OPERATOR_CHAT_IDS.

Every request goes through `AIORateLimiter` (overall `BotOptions.max_rate`
messages a second after a burst of at most `BotOptions.burst`; RetryAfter
retried). `post_init` makes the services when none
were given (engine migrated to head, prompts, the advisor), registers the
commands in Korean and English and the menu button (the dashboard with WEBAPP_URL,
else the command list), reports sends a killed process left unfinished
(bot.scheduler.recover) and starts the scheduler's jobs; `post_shutdown`
disposes what it made. `run` blocks until SIGINT/SIGTERM and shuts down
gracefully: updates being handled finish, jobs stop, the engine is closed; its
caller holds the SQLite file's lock (storage.db_lock: `advisor bot` takes it
first, so a second one on the same file refuses to start, saying why).
"""

from __future__ import annotations

import logging
import re
from typing import Any
from urllib.parse import urlparse

from telegram import Bot, BotCommand, MenuButtonCommands, Update
from telegram.error import TelegramError
from telegram.ext import AIORateLimiter, Application, ApplicationBuilder

from bot import dashboard, scheduler
from bot.context import CONTEXT_TYPES, BotApplication
from bot.handlers import MENU_COMMANDS, register
from bot.jobs.limits import SharedRateLimiter
from bot.jobs.queue import queued
from bot.services import BotOptions, Services
from bot.updates import ChatOrderedProcessor
from storage.settings import Settings
from tools.prompts import LANGS

log = logging.getLogger(__name__)

# what setWebhook accepts as secret_token
WEBHOOK_SECRET = re.compile(r"[A-Za-z0-9_-]{1,256}")


class BotConfigError(ValueError):
    """The bot cannot start with these settings; the message says what to set."""


def make_services(settings: Settings, options: BotOptions) -> Services:
    """Services for a real run: the configured database (migrated), prompts, advisor."""
    from storage.db import make_engine, session_factory, upgrade
    from tools.advisor import Advisor
    from tools.prompts import PromptStore

    engine = make_engine(settings.resolved_database_url)
    upgrade(engine)
    sessions = session_factory(engine)
    prompts = PromptStore(settings.prompts_dir)
    advisor = Advisor(sessions, settings, prompts)
    return Services(
        settings=settings,
        sessions=sessions,
        advisor=advisor,
        prompts=prompts,
        options=options,
        engine=engine,
    )


def build_application(
    settings: Settings,
    services: Services | None = None,
    *,
    options: BotOptions | None = None,
    schedule: bool = True,
) -> BotApplication:
    """The Application, handlers registered; services made in post_init unless given.

    `schedule=False` leaves the JobQueue empty (tests call the jobs themselves).
    """
    if settings.telegram_bot_token is None:
        raise BotConfigError(
            "TELEGRAM_BOT_TOKEN is not set: create a bot with @BotFather and put its token in .env"
        )
    options = options or (services.options if services is not None else BotOptions())
    builder: ApplicationBuilder[Any, Any, Any, Any, Any, Any] = (
        ApplicationBuilder()
        .token(settings.telegram_bot_token.get_secret_value())
        .context_types(CONTEXT_TYPES)
        .rate_limiter(
            AIORateLimiter(
                # a leaky bucket of `burst` messages draining at `max_rate` a second:
                # at most burst + max_rate in any second (the default 1 s bucket would
                # allow twice max_rate in the first second of a nudge run)
                overall_max_rate=min(options.burst, options.max_rate),
                overall_time_period=min(options.burst, options.max_rate) / options.max_rate,
                max_retries=options.max_retries,
            )
        )
        .concurrent_updates(ChatOrderedProcessor(options.concurrent_updates))
        .connection_pool_size(options.connection_pool)
        .pool_timeout(30.0)
        .read_timeout(settings.telegram_read_timeout)
    )
    if queued(settings):  # workers send too: one rate for every process (bot.jobs.limits)
        builder = builder.rate_limiter(SharedRateLimiter.of(settings, options))
    if settings.telegram_base_url:
        builder = builder.base_url(settings.telegram_base_url)
    if settings.telegram_base_file_url:
        builder = builder.base_file_url(settings.telegram_base_file_url)

    served: list[Any] = []

    async def post_init(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
        if application.bot_data.services is None:
            application.bot_data.services = make_services(settings, options)
        ready: Services = application.bot_data.services
        await register_commands(application, ready)
        await register_menu_button(application.bot, ready)
        served.append(dashboard.start_server(ready))
        if schedule:
            await scheduler.recover(ready, application.bot)
            scheduler.start(application, ready)
        log.info("bot @%s ready", application.bot.username)

    async def post_shutdown(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
        for server in served:  # the dashboard beside the bot (WEBAPP_URL)
            if server is not None:
                server.should_exit = True
        made: Services | None = application.bot_data.services
        if made is not None and made.engine is not None:  # made by post_init: close it
            close = getattr(made.advisor, "close", None)
            if callable(close):
                close()
            made.engine.dispose()

    application: BotApplication = builder.post_init(post_init).post_shutdown(post_shutdown).build()
    application.bot_data.services = services
    register(application)
    return application


async def register_commands(
    application: Application[Any, Any, Any, Any, Any, Any], services: Services
) -> None:
    """The command menu in Korean and English (and English for any other language)."""
    for lang in LANGS:
        commands = [
            BotCommand(name, services.text(f"commands.{name}", lang)) for name in MENU_COMMANDS
        ]
        await application.bot.set_my_commands(commands, language_code=lang)
        if lang == "en":
            await application.bot.set_my_commands(commands)


async def register_menu_button(bot: Bot, services: Services) -> None:
    """The chats' persistent menu button: the dashboard Mini App when WEBAPP_URL is set
    (bot.dashboard), otherwise the command list."""
    if await dashboard.set_menu_button(bot, services):
        return
    try:
        await bot.set_chat_menu_button(menu_button=MenuButtonCommands())
    except TelegramError as exc:  # the bot works without it
        log.warning("the menu button could not be set: %s", exc)


def webhook_options(settings: Settings) -> dict[str, Any]:
    """`Updater.start_webhook` / `Application.run_webhook` arguments from the settings:
    listen on TELEGRAM_WEBHOOK_LISTEN:TELEGRAM_WEBHOOK_PORT at the URL's path, register
    TELEGRAM_WEBHOOK_SECRET with setWebhook and accept only requests carrying it (a
    missing or wrong X-Telegram-Bot-Api-Secret-Token is answered 403)."""
    url = settings.telegram_webhook_url
    if not url:
        raise BotConfigError("TELEGRAM_WEBHOOK_URL is not set")
    secret = settings.telegram_webhook_secret
    if secret is None:
        raise BotConfigError(
            "TELEGRAM_WEBHOOK_SECRET is not set: webhook mode needs it, or anyone who can "
            "reach the listener could post updates as any chat; set it to a random string "
            "(e.g. `python -c 'import secrets; print(secrets.token_urlsafe(32))'`)"
        )
    if not WEBHOOK_SECRET.fullmatch(secret.get_secret_value()):
        raise BotConfigError(
            "TELEGRAM_WEBHOOK_SECRET: 1-256 characters of A-Z, a-z, 0-9, _ and - "
            "(what Telegram accepts)"
        )
    return {
        "listen": settings.telegram_webhook_listen,
        "port": settings.telegram_webhook_port,
        "url_path": urlparse(url).path.lstrip("/"),
        "webhook_url": url,
        "secret_token": secret.get_secret_value(),
        "allowed_updates": Update.ALL_TYPES,
    }


def resend_unknown(settings: Settings) -> int:
    """Sends whose fate is unknown go out again on the next delivery run (an operator's
    choice: a possible duplicate over a possible loss); how many."""
    from storage.db import make_engine, session_factory, upgrade
    from storage.outbox import resend_unknown as resend

    engine = make_engine(settings.resolved_database_url)
    try:
        upgrade(engine)
        with session_factory(engine).begin() as session:
            return resend(session)
    finally:
        engine.dispose()


def run(settings: Settings, options: BotOptions | None = None, *, resend: bool = False) -> None:
    """Serve until SIGINT/SIGTERM: webhook mode when TELEGRAM_WEBHOOK_URL is set; `resend`
    first hands the sends of unknown fate back to delivery. The caller holds the SQLite
    file's lock (`advisor bot` takes it before anything else: storage.db_lock)."""
    options = options or BotOptions()
    # JOBS=queue: scheduled work runs in `advisor worker`s (bot.jobs), not here
    application = build_application(settings, options=options, schedule=not queued(settings))
    webhook = webhook_options(settings) if settings.telegram_webhook_url else None
    if resend:
        count = resend_unknown(settings)
        log.info("%d alert message(s) of unknown fate will be sent again", count)
    if webhook is not None:
        application.run_webhook(**webhook)
    else:
        application.run_polling(
            poll_interval=options.poll_interval,
            timeout=options.poll_timeout,
            allowed_updates=Update.ALL_TYPES,
        )
