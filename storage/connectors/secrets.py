"""Credentials encrypted at rest: a Fernet token per account, keyed by ADVISOR_SECRET_KEY.

The key comes from the environment (or `.env`), never from the database, so a copy
of the database alone reveals no platform secret. Decrypted credentials live only
in memory, in the connector that uses them; they are never printed, logged or put
in a trace (`Credentials.__repr__` shows the field names only).

Generate a key once per deployment and keep it with the other secrets:

    python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"

Losing the key means connecting each account again (`advisor connect`).
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping

from cryptography.fernet import Fernet, InvalidToken

KEY_VARIABLE = "ADVISOR_SECRET_KEY"
GENERATE = (
    'python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"'
)


class SecretKeyError(ValueError):
    """No usable key, or credentials made with another key; the message says what to do."""


class Credentials(Mapping[str, str]):
    """A platform's credentials as field -> value; its repr hides the values."""

    def __init__(self, values: Mapping[str, str]) -> None:
        self._values = {str(name): str(value) for name, value in values.items()}

    def __getitem__(self, name: str) -> str:
        return self._values[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def __repr__(self) -> str:
        return f"Credentials({', '.join(sorted(self._values))}: hidden)"

    __str__ = __repr__


def fernet(key: str | None) -> Fernet:
    """The cipher for `key` (ADVISOR_SECRET_KEY); a clear error when it is missing or bad."""
    if not key:
        raise SecretKeyError(
            f"{KEY_VARIABLE} is not set: store credentials need an encryption key. "
            f"Generate one with\n  {GENERATE}\nand put it in .env as {KEY_VARIABLE}=..."
        )
    try:
        return Fernet(key.encode("ascii"))
    except (ValueError, UnicodeEncodeError) as exc:
        raise SecretKeyError(
            f"{KEY_VARIABLE} is not a Fernet key (32 url-safe base64-encoded bytes); "
            f"generate one with\n  {GENERATE}"
        ) from exc


def encrypt(key: str | None, credentials: Mapping[str, str]) -> str:
    return fernet(key).encrypt(json.dumps(dict(credentials), sort_keys=True).encode()).decode()


def decrypt(key: str | None, token: str) -> Credentials:
    try:
        data = json.loads(fernet(key).decrypt(token.encode("ascii")))
    except InvalidToken as exc:
        raise SecretKeyError(
            f"stored credentials cannot be decrypted with this {KEY_VARIABLE} (it changed?): "
            "connect the account again with `advisor connect`"
        ) from exc
    return Credentials(data)
