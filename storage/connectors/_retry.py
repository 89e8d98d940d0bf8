"""The one retry rule of the platform clients: a request that fails on the network or
with a 5xx answer is tried again (after 1 s, then 2 s, ...), `retries` times; then the
sync stops with SourceError("unavailable"). Other answers (4xx, rate limits) are the
client's to read."""

from __future__ import annotations

from collections.abc import Callable

import httpx

from storage.connectors._source import SourceError

SERVER_RETRIES = 2


def send_retrying(
    send: Callable[[], httpx.Response],
    *,
    unavailable: Callable[[str], str],
    sleep: Callable[[float], None],
    retries: int = SERVER_RETRIES,
) -> httpx.Response:
    """`send()` once, and again after a network error or a 5xx answer; `unavailable(detail)`
    is the operator's message when every try failed on the network."""
    for attempt in range(retries + 1):
        try:
            response = send()
        except httpx.HTTPError as exc:
            if attempt == retries:
                raise SourceError("unavailable", unavailable(exc.__class__.__name__)) from exc
        else:
            if response.status_code < 500 or attempt == retries:
                return response
        sleep(1.0 * (attempt + 1))
    raise AssertionError("unreachable")
