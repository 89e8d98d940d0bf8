"""Cell parsers: money, counts, timestamps and dates as exports write them.

Each parser raises `BadValue` whose message names the problem ("bad date",
"negative quantity"); the row parser adds the column and the raw cell.

Bounds, so that every stored figure and every sum the product takes of them fits
in a 64-bit integer on SQLite and PostgreSQL (a file that breaks one is refused
row by row, never stored or left to overflow later):
- money: at most `MAX_MONEY` minor units a cell (10^11: 1,000억 원, or
  1,000,000,000.00 USD) — a unit price, an ad day's spend;
- quantities: at most `MAX_QUANTITY` (100,000) units a line, so a line's
  quantity × unit price is at most 10^16; an order's totals are bounded by
  `storage.importing.order_rows` (`MAX_ORDER_REVENUE`, `MAX_ORDER_UNITS`);
- other counts: at most `MAX_COUNT` (10^12: impressions, clicks), stock at most
  `MAX_STOCK` (10^9, the INTEGER column);
- dates and times: from `EARLIEST_DATE` (2000-01-01) to tomorrow in UTC (today
  anywhere on earth), as the local date the cell names.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from zoneinfo import ZoneInfo

# digits after the decimal point of each currency's minor unit; others have 2 (ISO 4217)
MINOR_UNIT_EXPONENTS = {
    "KRW": 0,
    "JPY": 0,
    "VND": 0,
    "CLP": 0,
    "ISK": 0,
    "USD": 2,
    "EUR": 2,
    "GBP": 2,
    "CNY": 2,
    "BHD": 3,
    "KWD": 3,
}
DEFAULT_EXPONENT = 2

MAX_MONEY = 10**11
MAX_QUANTITY = 100_000
MAX_STOCK = 10**9
MAX_COUNT = 10**12
EARLIEST_DATE = dt.date(2000, 1, 1)

# '\\' too: Korean fonts draw the backslash of CP949 text as the won sign
_CURRENCY_MARKS = re.compile(r"^[A-Za-z]{3}\s+|\s+[A-Za-z]{3}$|[₩￦\\$€¥£원\s]")
_PLAIN_NUMBER = re.compile(r"-?(\d+(\.\d+)?|\.\d+)")
_GROUPED_NUMBER = re.compile(r"-?\d{1,3}(,\d{3})+(\.\d+)?")
_TIMESTAMP = re.compile(
    r"(?P<y>\d{4})[-./](?P<m>\d{1,2})[-./](?P<d>\d{1,2})\.?"
    r"(?:[ T]+(?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2})(?:\.(?P<f>\d{1,6}))?)?)?"
    r"\s*(?P<tz>Z|UTC|[+-]\d{2}:?\d{2})?"
)
_COMPACT_DATE = re.compile(r"(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})")


class BadValue(ValueError):
    """A cell that cannot be read; the message is the problem, e.g. 'non-numeric price'."""


def minor_unit_exponent(currency: str) -> int:
    return MINOR_UNIT_EXPONENTS.get(currency.upper(), DEFAULT_EXPONENT)


def _decimal(text: str, what: str) -> Decimal:
    text = _CURRENCY_MARKS.sub("", text.strip())
    if _GROUPED_NUMBER.fullmatch(text):
        text = text.replace(",", "")
    if not _PLAIN_NUMBER.fullmatch(text):
        raise BadValue(f"non-numeric {what}")
    try:
        return Decimal(text)
    except InvalidOperation as exc:  # pragma: no cover - the pattern already checked
        raise BadValue(f"non-numeric {what}") from exc


def latest_date() -> dt.date:
    """The latest date a cell may name: tomorrow in UTC, i.e. today in every timezone."""
    return dt.datetime.now(dt.UTC).date() + dt.timedelta(days=1)


def _check_date(day: dt.date) -> None:
    if day < EARLIEST_DATE:
        raise BadValue(f"date before {EARLIEST_DATE.isoformat()}")
    latest = latest_date()
    if day > latest:
        raise BadValue(f"date after {latest.isoformat()}")


def format_money(minor: int, currency: str) -> str:
    """10**11, 'USD' -> '1,000,000,000.00 USD' (as a limit is named in an error)."""
    exponent = minor_unit_exponent(currency)
    return f"{Decimal(minor).scaleb(-exponent):,.{exponent}f} {currency.upper()}"


def parse_money(
    text: str,
    currency: str,
    *,
    what: str = "price",
    exact: bool = True,
    maximum: int = MAX_MONEY,
) -> int:
    """'₩12,000', '12000.00', '$12.50' -> integer minor units of `currency`, at most
    `maximum` minor units.

    exact: a value finer than the minor unit is an error (order prices); otherwise it
    is rounded half up (ad platforms report fractional costs).
    """
    amount = _decimal(text, what)
    if amount < 0:
        raise BadValue(f"negative {what}")
    minor = amount.scaleb(minor_unit_exponent(currency))
    if minor > maximum:
        raise BadValue(f"{what} above {format_money(maximum, currency)}")
    whole = minor.to_integral_value(rounding=ROUND_HALF_UP)
    if exact and whole != minor:
        raise BadValue(f"{what} finer than the {currency.upper()} minor unit")
    return int(whole)


def parse_count(text: str, *, what: str, positive: bool = False, maximum: int = MAX_COUNT) -> int:
    """A whole number of things ('1,234'); never negative, never above `maximum`, and
    never zero when `positive`."""
    number = _decimal(text, what)
    if number < 0:
        raise BadValue(f"negative {what}")
    if number > maximum:
        raise BadValue(f"{what} above {maximum:,}")
    if number != number.to_integral_value():
        raise BadValue(f"fractional {what}")
    if positive and number == 0:
        raise BadValue(f"zero {what}")
    return int(number)


def parse_timestamp(text: str, timezone: ZoneInfo) -> dt.datetime:
    """'2024-03-05 14:22:10 +0900', ISO 8601, '2024.03.05 14:22' -> aware UTC.

    A timestamp without an offset is wall-clock time in `timezone` (the seller's);
    a date alone is that day's local midnight.
    """
    match = _TIMESTAMP.fullmatch(text.strip())
    if match is None:
        raise BadValue("bad date")
    part = match.groupdict()
    tz = part["tz"]
    zone: dt.tzinfo = timezone
    if tz in ("Z", "UTC"):
        zone = dt.UTC
    elif tz is not None:
        digits = tz.replace(":", "")
        sign = -1 if digits[0] == "-" else 1
        offset = dt.timedelta(hours=int(digits[1:3]), minutes=int(digits[3:5]))
        if offset >= dt.timedelta(hours=24):
            raise BadValue("bad date")
        zone = dt.timezone(sign * offset)
    try:
        stamp = dt.datetime(
            int(part["y"]),
            int(part["m"]),
            int(part["d"]),
            int(part["H"] or 0),
            int(part["M"] or 0),
            int(part["S"] or 0),
            int((part["f"] or "0").ljust(6, "0")),
            tzinfo=zone,
        )
    except ValueError as exc:
        raise BadValue("bad date") from exc
    _check_date(stamp.date())
    return stamp.astimezone(dt.UTC)


def parse_date(text: str) -> dt.date:
    """'2024-03-05', '2024.03.05.', '2024/3/5', '20240305' -> a calendar date."""
    text = text.strip()
    match = _COMPACT_DATE.fullmatch(text) or _TIMESTAMP.fullmatch(text)
    if match is None or match.groupdict().get("H") or match.groupdict().get("tz"):
        raise BadValue("bad date")
    try:
        day = dt.date(int(match["y"]), int(match["m"]), int(match["d"]))
    except ValueError as exc:
        raise BadValue("bad date") from exc
    _check_date(day)
    return day
