"""Validating a Mini App's initData (core.telegram.org/bots/webapps, "Validating
data received via the Mini App").

    secret_key = HMAC_SHA256(key="WebAppData", msg=bot_token)
    hash       = hex(HMAC_SHA256(key=secret_key, msg=data_check_string))

where data_check_string is every received field except `hash`, as `key=value`
(values URL-decoded), sorted by key and joined by newlines. `auth_date` (Unix
seconds) must be no older than `max_age` and not in the future (a minute of
clock skew is allowed).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
from dataclasses import dataclass
from urllib.parse import parse_qsl

MAX_AGE = dt.timedelta(hours=24)
CLOCK_SKEW = dt.timedelta(minutes=1)
MAX_LENGTH = 8192  # Telegram's initData is a few hundred bytes


class InitDataError(ValueError):
    """initData that does not prove a Telegram user: `reason` is one of malformed,
    forged, stale, no_user."""

    def __init__(self, reason: str) -> None:
        super().__init__(f"initData refused: {reason}")
        self.reason = reason


@dataclass(frozen=True, slots=True)
class TelegramUser:
    id: int
    first_name: str
    language_code: str | None
    auth_date: dt.datetime


def secret_key(bot_token: str) -> bytes:
    return hmac.new(b"WebAppData", bot_token.encode(), hashlib.sha256).digest()


def data_check_string(fields: dict[str, str]) -> str:
    return "\n".join(f"{key}={fields[key]}" for key in sorted(fields) if key != "hash")


def sign(fields: dict[str, str], bot_token: str) -> str:
    """The `hash` Telegram puts beside `fields` (used by the development login and tests)."""
    message = data_check_string(fields).encode()
    return hmac.new(secret_key(bot_token), message, hashlib.sha256).hexdigest()


def validate(
    raw: str, bot_token: str, *, now: dt.datetime, max_age: dt.timedelta = MAX_AGE
) -> TelegramUser:
    """The Telegram user `raw` (the query string of Telegram.WebApp.initData) proves,
    or InitDataError."""
    if not raw or len(raw) > MAX_LENGTH:
        raise InitDataError("malformed")
    try:
        pairs = parse_qsl(raw, keep_blank_values=True, strict_parsing=True)
    except ValueError as exc:
        raise InitDataError("malformed") from exc
    fields = dict(pairs)
    if len(fields) != len(pairs) or "hash" not in fields:
        raise InitDataError("malformed")
    expected = sign(fields, bot_token)
    if not hmac.compare_digest(expected, fields["hash"].lower()):
        raise InitDataError("forged")
    try:
        auth_date = dt.datetime.fromtimestamp(int(fields["auth_date"]), tz=dt.UTC)
    except (KeyError, ValueError, OverflowError) as exc:
        raise InitDataError("malformed") from exc
    if auth_date < now - max_age or auth_date > now + CLOCK_SKEW:
        raise InitDataError("stale")
    try:
        user = json.loads(fields["user"])
        user_id = int(user["id"])
    except (KeyError, ValueError, TypeError) as exc:
        raise InitDataError("no_user") from exc
    language = user.get("language_code")
    return TelegramUser(
        id=user_id,
        first_name=str(user.get("first_name", "")),
        language_code=language if isinstance(language, str) else None,
        auth_date=auth_date,
    )
