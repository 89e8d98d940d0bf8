"""When a seller is checked for what: quiet hours and the morning scan, in local time."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Protocol
from zoneinfo import ZoneInfo


class Hours(Protocol):
    """The local hours the nudges keep (the bot's options have them)."""

    @property
    def quiet_start(self) -> int: ...  # quiet hours: [quiet_start, quiet_end), local time

    @property
    def quiet_end(self) -> int: ...

    @property
    def morning_hour(self) -> int: ...  # yesterday's checks and the digest from this hour


@dataclass(frozen=True, slots=True)
class NudgeHours:
    """The default hours: quiet 22:00-08:00, the morning scan from 09:00."""

    quiet_start: int = 22
    quiet_end: int = 8
    morning_hour: int = 9


def in_quiet_hours(now: dt.datetime, zone: ZoneInfo, hours: Hours) -> bool:
    """Whether `now` falls in the seller's quiet hours (none when start == end)."""
    hour = now.astimezone(zone).hour
    start, end = hours.quiet_start, hours.quiet_end
    if start == end:
        return False
    if start < end:
        return start <= hour < end
    return hour >= start or hour < end


def in_morning(now: dt.datetime, zone: ZoneInfo, hours: Hours) -> bool:
    """Whether a scan at `now` may run the seller's morning checks (from the morning
    hour until quiet hours start)."""
    hour = now.astimezone(zone).hour
    return hours.morning_hour <= hour < hours.quiet_start


def yesterday(now: dt.datetime, zone: ZoneInfo) -> dt.date:
    """The seller's local yesterday at `now`."""
    return now.astimezone(zone).date() - dt.timedelta(days=1)
