"""Commerce API tokens: the bcrypt signature and a token cache shared by a process.

`POST /external/v1/oauth2/token` (application/x-www-form-urlencoded) takes
`client_id`, `timestamp` (milliseconds since the epoch, accepted for 5 minutes),
`grant_type=client_credentials`, `type=SELF` (the seller's own application) and
`client_secret_sign`: Base64 of `bcrypt.hashpw(f"{client_id}_{timestamp}", secret)`.
The application secret IS the bcrypt salt (it looks like `$2a$04$` + 22 characters),
so it never travels. A token lasts `expires_in` seconds (3 hours); `Tokens` keeps it
per application for every source of the process and hands it out until a minute
before it ends, so a sync every few minutes asks for a token about once in 3 hours.
"""

from __future__ import annotations

import base64
import hashlib
import threading
from dataclasses import dataclass

import bcrypt

TOKEN_PATH = "/external/v1/oauth2/token"
MARGIN_SECONDS = 60.0
"""A cached token is renewed this long before it expires."""


class BadSecretError(ValueError):
    """The secret is not a bcrypt salt, so it cannot be a Commerce API secret."""


def sign(client_id: str, client_secret: str, timestamp_ms: int) -> str:
    """`client_secret_sign` for `timestamp_ms`."""
    password = f"{client_id}_{timestamp_ms}".encode()
    try:
        hashed = bcrypt.hashpw(password, client_secret.encode())
    except ValueError as exc:  # "Invalid salt"
        raise BadSecretError(str(exc)) from exc
    return base64.standard_b64encode(hashed).decode()


def token_form(client_id: str, client_secret: str, timestamp_ms: int) -> dict[str, str]:
    """The token request's form fields."""
    return {
        "client_id": client_id,
        "timestamp": str(timestamp_ms),
        "grant_type": "client_credentials",
        "client_secret_sign": sign(client_id, client_secret, timestamp_ms),
        "type": "SELF",
    }


@dataclass(frozen=True, slots=True)
class Token:
    value: str
    expires_at: float  # the clock's seconds

    def fresh(self, now: float) -> bool:
        return now < self.expires_at - MARGIN_SECONDS


class Tokens:
    """Tokens per (API address, application, secret), shared by a process's sources."""

    def __init__(self) -> None:
        self._tokens: dict[tuple[str, str, str], Token] = {}
        self._lock = threading.Lock()

    @staticmethod
    def key(base_url: str, client_id: str, client_secret: str) -> tuple[str, str, str]:
        # the secret only as a digest: a reconnected application with a new secret
        # gets a new token, and no clear secret sits in the cache's keys
        return base_url, client_id, hashlib.sha256(client_secret.encode()).hexdigest()

    def get(self, key: tuple[str, str, str], now: float) -> Token | None:
        with self._lock:
            token = self._tokens.get(key)
        return token if token is not None and token.fresh(now) else None

    def put(self, key: tuple[str, str, str], token: Token) -> None:
        with self._lock:
            self._tokens[key] = token

    def drop(self, key: tuple[str, str, str], value: str) -> None:
        """Forget `value` (refused by the API); a newer token stays."""
        with self._lock:
            if key in self._tokens and self._tokens[key].value == value:
                del self._tokens[key]

    def clear(self) -> None:
        with self._lock:
            self._tokens.clear()


TOKENS = Tokens()
