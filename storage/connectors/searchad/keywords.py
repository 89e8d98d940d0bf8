"""Ad keyword clicks -> search-keyword visits (the visit-intent report's input).

Naver's Commerce API gives keyword inflow only to brand stores on paid plans, so
for most Smart Store sellers the Search Ad keywords are the only record of what
visitors searched for. Each sync therefore reads every power-link keyword's daily
clicks too (`KeywordDay`: one keyword text, one KST day, the clicks of every ad
keyword with that text summed) and `write_keyword_days` keeps, per keyword and day,
exactly that many `visits` rows:

    started_at        the local day's start (00:00 in the seller's timezone, as UTC)
    search_keyword    the ad keyword as registered
    landing_product_id, order_id   NULL (the API links a click to neither)

A restated day replaces its count: visits are added or removed (rows of that exact
shape only, so visits from other sources are never touched) and the day's rollups
(`keyword_visits_daily`, storage.rollups) are recomputed from the raw rows, keeping
the rollups-equal-raw-rows invariant.

What this means for the report: ad clicks count as keyword visits and never as
converted ones (a conversion the ad platform counts, `ccnt`, has no order id to
link); the ad conversions stay in the ad figures (`ad_stats_daily`, per campaign).
A seller whose only keyword visits are ad clicks sees their keywords ranked by
visits, and no keyword is called low-converting (the site's keyword conversion
average is 0).

The engine's `Page` carries `keyword_days` and `keyword_dates`, and its
`write_page` writes them: `KeywordDay` and `write_keyword_days` live in the core
(storage.connectors, storage.connectors.keyword_visits) and are re-exported here;
`SearchAdPage` is `Page`, `write_searchad_page` is `write_page`.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from storage.connectors._source import KeywordDay, Page
from storage.connectors.keyword_visits import KEYWORD_LENGTH, write_keyword_days
from storage.connectors.writer import PageCounts, write_page

SearchAdPage = Page
"""A page with keyword days (`Page.keyword_days`, `Page.keyword_dates`)."""


def write_searchad_page(session: Session, seller_id: int, page: Page, *, source: str) -> PageCounts:
    """`write_page` (which writes the page's keyword visits too)."""
    return write_page(session, seller_id, page, source=source)


__all__ = [
    "KEYWORD_LENGTH",
    "KeywordDay",
    "SearchAdPage",
    "write_keyword_days",
    "write_searchad_page",
]
