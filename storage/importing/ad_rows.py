"""Daily ad stats files -> typed campaign-days and row errors. Pure: no database.

Columns (English or Korean headers; a unit in parentheses such as '광고비(원)' is ignored):

    date                required  날짜, 일자        '2024-03-05', '2024.03.05.', '20240305'
    campaign            required  캠페인, 캠페인명   campaign id or name
    impressions         required  노출수
    clicks              required  클릭수
    spend               required  광고비, 비용       in the seller's currency, rounded half up
    conversions         required  전환수
    conversion_revenue  required  전환매출, 전환매출액
    campaign_id         optional  캠페인ID          when given, the campaign is matched by it
    channel             optional  매체, 채널

A blank or '-' figure is 0 (ad reports print '-' for nothing).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from storage.importing.csvfile import CsvTable, RowReader, find_columns
from storage.importing.report import RowError
from storage.importing.values import BadValue, parse_count, parse_date, parse_money

AD_COLUMNS: dict[str, tuple[str, ...]] = {
    "date": ("date", "day", "날짜", "일자"),
    "campaign": ("campaign", "campaign name", "캠페인", "캠페인명", "캠페인 이름"),
    "impressions": ("impressions", "impr.", "노출수", "노출"),
    "clicks": ("clicks", "클릭수", "클릭"),
    "spend": ("spend", "cost", "amount spent", "광고비", "비용", "총비용"),
    "conversions": ("conversions", "conv.", "전환수", "전환"),
    "conversion_revenue": (
        "conversion_revenue",
        "conversion value",
        "conv. value",
        "전환매출",
        "전환매출액",
        "전환 매출액",
    ),
    "campaign_id": ("campaign_id", "캠페인id"),
    "channel": ("channel", "매체", "채널"),
}
REQUIRED_AD_FIELDS = (
    "date",
    "campaign",
    "impressions",
    "clicks",
    "spend",
    "conversions",
    "conversion_revenue",
)
COUNTS = ("impressions", "clicks", "conversions")
MONEY = ("spend", "conversion_revenue")


@dataclass(frozen=True, slots=True)
class ParsedAdDay:
    line: int
    campaign: str
    campaign_id: str | None
    channel: str | None
    date: dt.date
    impressions: int
    clicks: int
    spend: int
    conversions: int
    conversion_revenue: int

    @property
    def campaign_key(self) -> str:
        return self.campaign_id or self.campaign

    def figures(self) -> tuple[int, int, int, int, int]:
        return (
            self.impressions,
            self.clicks,
            self.spend,
            self.conversions,
            self.conversion_revenue,
        )


@dataclass(frozen=True, slots=True)
class ParsedAds:
    source: str
    days: tuple[ParsedAdDay, ...]
    errors: tuple[RowError, ...]


def parse_ads(table: CsvTable, *, currency: str) -> ParsedAds:
    """Typed campaign-days of `table`; a campaign and date twice in one file is an error."""
    errors = list(table.errors)
    if not table.header:
        return ParsedAds(table.source, (), tuple(errors))
    columns, missing = find_columns(table.header, AD_COLUMNS, REQUIRED_AD_FIELDS)
    if missing:
        errors += [RowError(table.source, 1, f"missing column '{name}'") for name in missing]
        return ParsedAds(table.source, (), tuple(sorted(errors, key=lambda e: e.line)))

    days: list[ParsedAdDay] = []
    seen: dict[tuple[str, dt.date], int] = {}
    for row in table.rows:
        reader = RowReader(table.source, row, columns)
        day = _date(reader)
        campaign = reader.text("campaign", limit=200, required=True)
        campaign_id = reader.text("campaign_id", limit=100)
        figures = _figures(reader, currency)
        if day is not None and campaign is not None:
            key = (campaign_id or campaign, day)
            if key in seen:
                reader.add(f"same campaign and date as line {seen[key]}")
            else:
                seen[key] = row.line
        errors += reader.errors
        if reader.errors or day is None or campaign is None:
            continue
        days.append(
            ParsedAdDay(
                line=row.line,
                campaign=campaign,
                campaign_id=campaign_id,
                channel=reader.text("channel", limit=50),
                date=day,
                **figures,
            )
        )
    errors.sort(key=lambda error: error.line)
    return ParsedAds(table.source, tuple(days), tuple(errors))


def _date(reader: RowReader) -> dt.date | None:
    raw = reader.raw("date")
    if not raw:
        reader.problem("date", "missing value")
        return None
    try:
        return parse_date(raw)
    except BadValue as exc:
        reader.problem("date", str(exc))
        return None


def _figures(reader: RowReader, currency: str) -> dict[str, int]:
    figures: dict[str, int] = {}
    for name in (*COUNTS, *MONEY):
        value = reader.raw(name)
        try:
            if value in ("", "-"):
                figures[name] = 0
            elif name in COUNTS:
                figures[name] = parse_count(value, what=name)
            else:
                what = name.replace("_", " ")
                figures[name] = parse_money(value, currency, what=what, exact=False)
        except BadValue as exc:
            reader.problem(name, str(exc))
    return figures
