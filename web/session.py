"""The dashboard's session: after initData is checked, the Telegram user id travels
signed with a key derived from the bot token (HMAC-SHA256), with its expiry. The
seller is never in it: every request looks the link up again (an unlinked chat
loses the dashboard at once).

It travels two ways, so a Telegram WebView that blocks third-party cookies (Telegram
Web's iframe) still works: an HttpOnly cookie (12 hours), and a short-lived token
(`?s=`, 1 hour) that /auth puts in its `next` address and every page puts in its own
links when the request came without the cookie. Each page mints a fresh token, so
a seller who keeps using the dashboard stays in; an expired one goes back to the
sign-in page, whose script signs in again with the initData it kept."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
from dataclasses import dataclass
from urllib.parse import urlencode

COOKIE = "advisor_session"
LIFETIME = dt.timedelta(hours=12)
TOKEN = "s"  # the query parameter
TOKEN_LIFETIME = dt.timedelta(hours=1)


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


def href(path: str, token: str | None, **params: str) -> str:
    """`path` with `params` and, when the page is used without the cookie, the token."""
    query = {**params, TOKEN: token} if token else params
    return f"{path}?{urlencode(query)}" if query else path
