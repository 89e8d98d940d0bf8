"""What the dashboard needs to run: the bot token (initData's key), the database,
prompts and settings, and its own knobs from the environment:

    WEBAPP_URL         the public https address Telegram opens (the bot's buttons use it;
                       no button when unset)
    WEBAPP_LISTEN      the listener's address (default 127.0.0.1; a reverse proxy with TLS
                       in front forwards to it)
    WEBAPP_PORT        default 8090
    WEBAPP_MAX_AGE_HOURS  how old an initData's auth_date may be (default 24)
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.orm import Session, sessionmaker

from storage.settings import Settings
from tools.fit_cache import FitCache
from tools.prompts import PromptStore


class WebSettings(BaseSettings):
    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", env_ignore_empty=True
    )

    webapp_url: str | None = None
    webapp_listen: str = "127.0.0.1"
    webapp_port: int = 8090
    webapp_max_age_hours: float = 24.0


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass
class WebConfig:
    bot_token: str
    sessions: sessionmaker[Session]
    settings: Settings
    prompts: PromptStore
    max_age: dt.timedelta = dt.timedelta(hours=24)
    dev_login: bool = False
    """`advisor web --dev`: /dev-login signs a user in without Telegram, from 127.0.0.1 only."""
    secure_cookie: bool = True
    """Send the session cookie only over https (False for the local http run)."""
    clock: Callable[[], dt.datetime] = utcnow
    fits: FitCache | None = field(default_factory=FitCache)
    page_rate: float = 2.0  # requests a second per user, refilled
    page_burst: int = 30
    auth_rate: float = 0.5  # login attempts a second per client address
    auth_burst: int = 10
