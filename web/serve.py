"""Serving the dashboard: its WebConfig from the settings, and uvicorn on
WEBAPP_LISTEN:WEBAPP_PORT, in the foreground (`advisor web`) or in a thread beside
the bot (`advisor bot` when WEBAPP_URL is set)."""

from __future__ import annotations

import datetime as dt
import secrets
import threading
from collections.abc import Callable

import uvicorn
from sqlalchemy.orm import Session, sessionmaker

from storage.settings import Settings
from tools.prompts import PromptStore
from web.app import create_app
from web.config import WebConfig, WebSettings, utcnow


def make_config(
    settings: Settings,
    web: WebSettings,
    sessions: sessionmaker[Session],
    prompts: PromptStore,
    *,
    dev_login: bool = False,
    clock: Callable[[], dt.datetime] = utcnow,
) -> WebConfig:
    """The dashboard's configuration. Without TELEGRAM_BOT_TOKEN only the development
    login can sign anyone in (a random key signs its cookies). `clock` is the bot's when
    the bot serves it, so the dashboard and the chat read the same "now"."""
    token = settings.telegram_bot_token
    if token is None and not dev_login:
        raise ValueError("TELEGRAM_BOT_TOKEN is not set: the dashboard checks initData with it")
    return WebConfig(
        bot_token=token.get_secret_value() if token else secrets.token_urlsafe(32),
        sessions=sessions,
        settings=settings,
        prompts=prompts,
        max_age=dt.timedelta(hours=web.webapp_max_age_hours),
        dev_login=dev_login,
        secure_cookie=not dev_login,
        clock=clock,
    )


def server(config: WebConfig, host: str, port: int) -> uvicorn.Server:
    return uvicorn.Server(
        uvicorn.Config(
            create_app(config),
            host=host,
            port=port,
            log_level="warning",
            proxy_headers=False,  # the client address is the socket's (the dev login checks it)
        )
    )


def serve_in_thread(config: WebConfig, host: str, port: int) -> uvicorn.Server:
    """Start the dashboard in a daemon thread; `server.should_exit = True` stops it."""
    running = server(config, host, port)  # signal handlers stay with the main thread
    threading.Thread(target=running.run, name="dashboard", daemon=True).start()
    return running
