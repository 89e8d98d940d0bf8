"""The freshness line under an answer, for a seller whose data comes from a live
connector (storage.connectors):

- every answer about today (a tool run whose period ends today) says how current
  the data is: "14:05 기준 데이터예요." / "Data as of 14:05.";
- while one of the seller's sources has failed to sync for longer than an hour,
  every answer with a tool result says the data may be out of date instead.

A seller without a connected source (data imported by hand, or the demo) gets, under
an answer about a period that runs past the store's last order, when the order data
ends ("주문 데이터는 12월 6일 14:05까지 있어요."), so a 0 is never mistaken for a quiet
day. Text from prompts/messages.<lang>.yaml (`freshness.*`), times in the seller's zone.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import func, select

from storage.connectors.accounts import STALE_AFTER, freshness
from storage.models import Order, SourceAccount
from tools.context import TurnContext

log = logging.getLogger(__name__)


def _clock(ctx: TurnContext, at: dt.datetime, prefix: str = "") -> dict[str, Any]:
    """{time, month, day} of `at` in the seller's zone; month/day only when not today."""
    local = at.astimezone(ctx.tz)
    other_day = local.date() != ctx.today
    return {
        f"{prefix}time" if prefix else "time": local.strftime("%H:%M"),
        f"{prefix}month": local.month if other_day else None,
        f"{prefix}day": local.day if other_day else None,
    }


def _about_today(ctx: TurnContext, records: Iterable[Mapping[str, Any]]) -> bool:
    today = ctx.today.isoformat()
    for record in records:
        period = record.get("period")
        if record.get("ok") and isinstance(period, Mapping) and str(period.get("end")) >= today:
            return True
    return False


def _data_ends(ctx: TurnContext, records: list[Mapping[str, Any]]) -> str | None:
    """The note for an answer about a period ending after the local date of the store's
    last order (of any status), or None."""
    ends = [
        str(period.get("end"))
        for record in records
        if record.get("ok") and isinstance(period := record.get("period"), Mapping)
    ]
    if not ends:
        return None
    with ctx.session() as session:
        last = session.scalar(
            select(func.max(Order.ordered_at)).where(Order.seller_id == ctx.seller_id)
        )
    if last is None or max(ends) <= last.astimezone(ctx.tz).date().isoformat():
        return None
    return ctx.prompts.message("freshness.data_ends", ctx.lang, **_clock(ctx, last))


def _failing(ctx: TurnContext) -> str:
    """The seller's stale sources named for the seller ("스마트스토어", "your Shopify store")."""
    with ctx.session() as session:
        names = session.scalars(
            select(SourceAccount.source)
            .where(
                SourceAccount.seller_id == ctx.seller_id,
                SourceAccount.enabled.is_(True),
                SourceAccount.failing_since < ctx.now - STALE_AFTER,
            )
            .order_by(SourceAccount.source)
        ).all()
    labels = []
    for name in names:
        key = f"freshness.sources.{name}"
        known = ctx.prompts.has_message(key, ctx.lang)
        labels.append(ctx.prompts.message(key if known else "freshness.sources.other", ctx.lang))
    return ", ".join(dict.fromkeys(labels))


def freshness_note(ctx: TurnContext, records: Iterable[Mapping[str, Any]]) -> str | None:
    """The line to put under an answer whose tool calls are `records` (the advisor's
    turn records), or None. Never raises: an answer does not fail for its footnote."""
    records = list(records)
    if not any(record.get("ok") for record in records):
        return None
    try:
        with ctx.session() as session:
            fresh = freshness(session, ctx.seller_id, now=ctx.now)
        if fresh is None:
            return _data_ends(ctx, records)
        as_of = (
            _clock(ctx, fresh.as_of)
            if fresh.as_of is not None
            else {"time": None, "month": None, "day": None}
        )
        if fresh.stale_since is not None:
            since = _clock(ctx, fresh.stale_since, "since_")
            since["since"] = since.pop("since_time")
            return ctx.prompts.message(
                "freshness.stale", ctx.lang, sources=_failing(ctx), **since, **as_of
            )
        if fresh.as_of is not None and _about_today(ctx, records):
            return ctx.prompts.message("freshness.as_of", ctx.lang, **as_of)
    except Exception:  # noqa: BLE001 - the answer stands without its footnote
        log.exception("freshness: no note for seller %s", ctx.seller_id)
    return None
