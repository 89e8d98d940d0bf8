"""A seller's Naver Search Ad account as a `Source`: daily campaign statistics and
daily keyword clicks, in pages of `PAGE_DAYS` days, oldest first.

Window. Never synced (no cursor): the `BACKFILL_DAYS` days up to today (KST, the
API's dates), today included. After that, cursor `{"through": "YYYY-MM-DD"}` (the
last day written, possibly a partial today): every sync reads from `RESTATED_DAYS`
days before that day through today, because Naver restates recent days (invalid
clicks refunded, late conversions); a restated day replaces the stored one.

Calls per sync (see client.py for signing and pacing):

    GET /ncc/campaigns                                  the campaigns (id, name, type)
    GET /ncc/adgroups?nccCampaignId=                    per power-link (WEB_SITE) campaign
    GET /ncc/keywords?nccAdgroupId=                     per ad group of those campaigns
    GET /stats?id=<campaign>&timeIncrement=1&timeRange={"since","until"}
        &fields=["impCnt","clkCnt","salesAmt","ccnt","convAmt"]
                                                        per campaign per page: one row a day
    GET /stats?ids=<up to 100 keywords>&timeIncrement=allDays
        &timeRange={"since":day,"until":day}&fields=["clkCnt"]
                                                        per day per 100 keywords

(`timeIncrement=1` is served for a single `id` only, Naver says; several `ids` get
the sum over the range, hence one call per day for the keywords.)

Mapping of a campaign-day onto `ParsedAdDay`:

| Search Ad field | store field | note |
| --- | --- | --- |
| `nccCampaignId` | campaign_id | the campaign is matched by it |
| `name` | campaign | |
| `campaignTp` | channel | WEB_SITE, BRAND_SEARCH: search; SHOPPING, CATALOG: shopping; else lower-cased |
| `dateStart` | date | KST |
| `impCnt` | impressions | |
| `clkCnt` | clicks | |
| `salesAmt` | **spend** | the cost (VAT included), NOT sales |
| `ccnt` | conversions | |
| `convAmt` | conversion_revenue | |

A day with every figure 0 is not written (nothing happened). Keyword clicks become
search-keyword visits (`Page.keyword_days`, written by the engine:
storage.connectors.keyword_visits). `read_keywords=False` skips the keyword calls;
its pages then claim no keyword dates, so stored keyword visits stay as they are.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from zoneinfo import ZoneInfo

from storage.connectors._source import Cursor
from storage.connectors.searchad.client import SearchAdClient
from storage.connectors.searchad.keywords import KeywordDay, SearchAdPage
from storage.importing import ParsedAdDay

KST = ZoneInfo("Asia/Seoul")
BACKFILL_DAYS = 90
RESTATED_DAYS = 3
PAGE_DAYS = 7
IDS_PER_CALL = 100
CAMPAIGN_FIELDS = ("impCnt", "clkCnt", "salesAmt", "ccnt", "convAmt")
KEYWORD_FIELDS = ("clkCnt",)
KEYWORD_CAMPAIGN_TYPES = frozenset({"WEB_SITE"})
CHANNELS = {
    "WEB_SITE": "search",
    "BRAND_SEARCH": "search",
    "SHOPPING": "shopping",
    "CATALOG": "shopping",
}
NAME_LENGTH = 200
_DAY = dt.timedelta(days=1)


@dataclass(frozen=True, slots=True)
class Campaign:
    id: str
    name: str
    type: str

    @property
    def channel(self) -> str:
        return CHANNELS.get(self.type, self.type.lower()[:50] or "search")


@dataclass(frozen=True, slots=True)
class Keyword:
    id: str
    text: str


def _json(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def _figure(row: Mapping[str, Any], name: str) -> int:
    value = row.get(name)
    if value is None or value == "":
        return 0
    return int(Decimal(str(value)).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _rows(body: Any) -> list[Mapping[str, Any]]:
    """The `data` rows of a /stats answer (bare or under dailyStatResponse /
    summaryStatResponse, as the reference names them)."""
    if isinstance(body, dict):
        for wrapper in ("dailyStatResponse", "summaryStatResponse"):
            if isinstance(body.get(wrapper), dict):
                body = body[wrapper]
                break
        data = body.get("data")
        if isinstance(data, list):
            return [row for row in data if isinstance(row, dict)]
    return []


def window_start(cursor: Cursor | None, today: dt.date) -> dt.date:
    """The first day a sync reads (see the module docstring)."""
    if cursor is None or not cursor.get("through"):
        return today - dt.timedelta(days=BACKFILL_DAYS - 1)
    through = dt.date.fromisoformat(str(cursor["through"]))
    return min(through, today) - dt.timedelta(days=RESTATED_DAYS)


def _days(first: dt.date, last: dt.date) -> list[dt.date]:
    return [first + dt.timedelta(days=offset) for offset in range((last - first).days + 1)]


class SearchAdSource:
    """One Search Ad customer (account) of one seller."""

    name = "searchad"

    def __init__(self, client: SearchAdClient, *, read_keywords: bool = True) -> None:
        self.client = client
        self.read_keywords = read_keywords

    def __repr__(self) -> str:
        return f"SearchAdSource({self.client!r})"

    def check(self) -> None:
        """One signed call (the campaign list); SourceError("bad_credentials") says
        what to fix."""
        self.client.get("/ncc/campaigns")

    def campaigns(self) -> list[Campaign]:
        body = self.client.get("/ncc/campaigns")
        return [
            Campaign(
                id=str(item["nccCampaignId"]),
                name=str(item.get("name") or item["nccCampaignId"])[:NAME_LENGTH],
                type=str(item.get("campaignTp") or ""),
            )
            for item in body or []
            if isinstance(item, dict) and item.get("nccCampaignId")
        ]

    def keywords(self, campaigns: Sequence[Campaign]) -> list[Keyword]:
        """Every keyword of the power-link campaigns' ad groups."""
        found: list[Keyword] = []
        for campaign in campaigns:
            if campaign.type not in KEYWORD_CAMPAIGN_TYPES:
                continue
            groups = self.client.get("/ncc/adgroups", {"nccCampaignId": campaign.id}) or []
            for group in groups:
                if not isinstance(group, dict) or not group.get("nccAdgroupId"):
                    continue
                listed = self.client.get("/ncc/keywords", {"nccAdgroupId": group["nccAdgroupId"]})
                found += [
                    Keyword(str(item["nccKeywordId"]), str(item.get("keyword") or "").strip())
                    for item in listed or []
                    if isinstance(item, dict) and item.get("nccKeywordId") and item.get("keyword")
                ]
        return found

    def campaign_days(
        self, campaign: Campaign, first: dt.date, last: dt.date
    ) -> list[tuple[dt.date, tuple[int, int, int, int, int]]]:
        """(day, (impressions, clicks, spend, conversions, revenue)) of each day with
        any figure."""
        body = self.client.get(
            "/stats",
            {
                "id": campaign.id,
                "fields": _json(list(CAMPAIGN_FIELDS)),
                "timeRange": _json({"since": first.isoformat(), "until": last.isoformat()}),
                "timeIncrement": "1",
            },
        )
        days = []
        for row in _rows(body):
            day = dt.date.fromisoformat(str(row.get("dateStart"))[:10])
            if not first <= day <= last:
                continue
            figures = (
                _figure(row, "impCnt"),
                _figure(row, "clkCnt"),
                _figure(row, "salesAmt"),
                _figure(row, "ccnt"),
                _figure(row, "convAmt"),
            )
            if any(figures):
                days.append((day, figures))
        return days

    def keyword_clicks(self, keywords: Sequence[Keyword], day: dt.date) -> list[KeywordDay]:
        """Clicks per keyword text on `day` (texts shared by several ad groups summed)."""
        text = {keyword.id: keyword.text for keyword in keywords}
        clicks: dict[str, int] = {}
        ids = list(text)
        for start in range(0, len(ids), IDS_PER_CALL):
            body = self.client.get(
                "/stats",
                {
                    "ids": ",".join(ids[start : start + IDS_PER_CALL]),
                    "fields": _json(list(KEYWORD_FIELDS)),
                    "timeRange": _json({"since": day.isoformat(), "until": day.isoformat()}),
                    "timeIncrement": "allDays",
                },
            )
            for row in _rows(body):
                keyword = text.get(str(row.get("id")))
                count = _figure(row, "clkCnt")
                if keyword and count > 0:
                    clicks[keyword] = clicks.get(keyword, 0) + count
        return [KeywordDay(day, keyword, count) for keyword, count in sorted(clicks.items())]

    def pages(self, cursor: Cursor | None, *, now: dt.datetime) -> Iterator[SearchAdPage]:
        today = now.astimezone(KST).date()
        first = window_start(cursor, today)
        campaigns = self.campaigns()
        keywords = self.keywords(campaigns) if self.read_keywords else []
        while first <= today:
            last = min(first + dt.timedelta(days=PAGE_DAYS - 1), today)
            ad_days: list[ParsedAdDay] = []
            for campaign in campaigns:
                for day, figures in self.campaign_days(campaign, first, last):
                    ad_days.append(
                        ParsedAdDay(
                            len(ad_days) + 1,
                            campaign.name,
                            campaign.id,
                            campaign.channel,
                            day,
                            *figures,
                        )
                    )
            dates = _days(first, last)
            keyword_days = [
                clicked
                for day in dates
                if keywords
                for clicked in self.keyword_clicks(keywords, day)
            ]
            yield SearchAdPage(
                cursor={"through": last.isoformat()},
                ad_days=tuple(ad_days),
                keyword_days=tuple(keyword_days),
                keyword_dates=tuple(dates) if self.read_keywords else (),
            )
            first = last + _DAY
