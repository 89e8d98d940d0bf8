"""The dashboard's session cookie: after initData is checked, the Telegram user id
travels in a cookie signed with a key derived from the bot token (HMAC-SHA256),
with its expiry. The seller is never in it: every request looks the link up again
(an unlinked chat loses the dashboard at once)."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
from dataclasses import dataclass

COOKIE = "advisor_session"
LIFETIME = dt.timedelta(hours=12)


@dataclass(frozen=True, slots=True)
class Session:
    user_id: int
    lang: str
    expires: dt.datetime


def session_key(bot_token: str) -> bytes:
    return hmac.new(b"AdvisorDashboardSession", bot_token.encode(), hashlib.sha256).digest()


def _mac(key: bytes, body: bytes) -> str:
    digest = hmac.new(key, body, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def encode(session: Session, key: bytes) -> str:
    payload = {"u": session.user_id, "l": session.lang, "e": int(session.expires.timestamp())}
    body = base64.urlsafe_b64encode(json.dumps(payload, separators=(",", ":")).encode())
    text = body.decode().rstrip("=")
    return f"{text}.{_mac(key, text.encode())}"


def decode(cookie: str | None, key: bytes, *, now: dt.datetime) -> Session | None:
    """The session a cookie carries, or None (missing, tampered with or expired)."""
    if not cookie or cookie.count(".") != 1:
        return None
    text, mac = cookie.split(".")
    if not hmac.compare_digest(_mac(key, text.encode()), mac):
        return None
    try:
        payload = json.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
        session = Session(
            user_id=int(payload["u"]),
            lang=str(payload["l"]),
            expires=dt.datetime.fromtimestamp(int(payload["e"]), tz=dt.UTC),
        )
    except (ValueError, KeyError, TypeError):
        return None
    return session if session.expires > now else None
