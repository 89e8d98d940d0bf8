"""The platform clients' HTTP client, with one TLS context per process.

`httpx.Client()` builds a new SSL context each time, loading the CA bundle: several
milliseconds of CPU. A worker syncing thousands of sellers built two per sync (the
sync's client and the inquiry reader's), 40 % of a soak worker's CPU by py-spy. A
context is read-only once built, so every client shares this one.
"""

from __future__ import annotations

import ssl
from functools import cache

import httpx


@cache
def tls_context() -> ssl.SSLContext:
    """httpx's default verification (certifi, or SSL_CERT_FILE), built once."""
    return httpx.create_ssl_context()


def new_client(timeout: float) -> httpx.Client:
    return httpx.Client(timeout=timeout, verify=tls_context())
