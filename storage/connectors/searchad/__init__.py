"""Naver Search Ad API (검색광고): a seller's daily campaign statistics and keyword clicks.

    from storage.connectors.searchad import make_source
    source = make_source({"customer_id": ..., "api_key": ..., "secret_key": ...}, settings)

`client` signs every call (HMAC-SHA256 over "{timestamp}.{METHOD}.{uri}", the URI
without its query) and paces it per customer id; `source` pages the statistics after
a cursor (the backfill and restatement windows and the field mapping are there:
`salesAmt` is the ad SPEND); keyword clicks go on each page
(`Page.keyword_days`), which the sync engine writes as search-keyword visits
(storage.connectors.keyword_visits). Importing the package registers the "searchad"
connector. The API's address is `settings.searchad_url` when set, else
`NAVER_SEARCHAD_URL` (tests point it at the emulator), else
https://api.searchad.naver.com.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from storage.connectors.pacing import pacer_for
from storage.connectors.registry import register
from storage.connectors.searchad.client import DEFAULT_BASE_URL, SearchAdClient, signature
from storage.connectors.searchad.keywords import (
    KeywordDay,
    SearchAdPage,
    write_keyword_days,
    write_searchad_page,
)
from storage.connectors.searchad.source import (
    BACKFILL_DAYS,
    PAGE_DAYS,
    RESTATED_DAYS,
    SearchAdSource,
)
from storage.settings import Settings

URL_VARIABLE = "NAVER_SEARCHAD_URL"
FIELDS = ("customer_id", "api_key", "secret_key")


def base_url(settings: Settings | None) -> str:
    configured = getattr(settings, "searchad_url", None) if settings is not None else None
    return str(configured or os.environ.get(URL_VARIABLE) or DEFAULT_BASE_URL)


def make_source(credentials: Mapping[str, str], settings: Settings) -> SearchAdSource:
    """The connector's factory: the customer ID, access license and secret key from
    the ad system's API manager (도구 > API 사용 관리)."""
    missing = [name for name in FIELDS if not (credentials.get(name) or "").strip()]
    if missing:
        raise ValueError(f"Naver Search Ad credentials lack {', '.join(missing)}")
    client = SearchAdClient(
        credentials["customer_id"].strip(),
        credentials["api_key"].strip(),
        credentials["secret_key"].strip(),
        base_url=base_url(settings),
        pacer=pacer_for(settings),
    )
    return SearchAdSource(client)


register("searchad", make_source)

__all__ = [
    "BACKFILL_DAYS",
    "PAGE_DAYS",
    "RESTATED_DAYS",
    "KeywordDay",
    "SearchAdClient",
    "SearchAdPage",
    "SearchAdSource",
    "make_source",
    "signature",
    "write_keyword_days",
    "write_searchad_page",
]
