"""Naver Commerce API (Smart Store): orders, products and stock of a seller's store.

    from storage.connectors.naver_commerce import make_source
    source = make_source({"client_id": ..., "client_secret": ...}, settings)

`auth` signs the token request (bcrypt) and caches tokens, `client` calls the API
(pacing, limits, errors), `source` pages orders and products after a cursor, and
`mapping` turns Naver's product orders into the store's orders (the status table is
there), `inquiries` reads and answers the product Q&A and customer inquiries
(`NaverInquiries(source.client)`). Importing the package registers the "naver" connector. The API's address is
`settings.naver_commerce_url` when set (tests point it at the emulator), else
`NAVER_COMMERCE_URL`, else https://api.commerce.naver.com.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from storage.connectors.naver_commerce.client import DEFAULT_BASE_URL, NaverClient
from storage.connectors.naver_commerce.inquiries import NaverInquiries
from storage.connectors.naver_commerce.source import BACKFILL_DAYS, NaverCommerceSource
from storage.connectors.pacing import pacer_for
from storage.connectors.registry import register
from storage.settings import Settings

URL_VARIABLE = "NAVER_COMMERCE_URL"


def base_url(settings: Settings | None) -> str:
    configured = getattr(settings, "naver_commerce_url", None) if settings is not None else None
    return str(configured or os.environ.get(URL_VARIABLE) or DEFAULT_BASE_URL)


def make_source(credentials: Mapping[str, str], settings: Settings) -> NaverCommerceSource:
    """The connector's factory: `client_id` and `client_secret` of the seller's
    application in the Commerce API center. Its calls are paced with every other
    client of the application (`pacer_for(settings)`: across processes on PostgreSQL)."""
    missing = [name for name in ("client_id", "client_secret") if not credentials.get(name)]
    if missing:
        raise ValueError(f"Naver Commerce credentials lack {', '.join(missing)}")
    return NaverCommerceSource(
        credentials["client_id"].strip(),
        credentials["client_secret"].strip(),
        base_url=base_url(settings),
        pacer=pacer_for(settings),
    )


register("naver", make_source)

__all__ = ["BACKFILL_DAYS", "NaverClient", "NaverCommerceSource", "NaverInquiries", "make_source"]
