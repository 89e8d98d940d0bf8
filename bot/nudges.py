"""A nudge's text and its details button, from an outbox row.

Templates: prompts/alerts/<kind>.<lang>.j2 (HTML: <b> and <i>; every string from
the data is escaped here before rendering, numbers go through the filters).
Context: the evidence stored with the alert (see analytics.detectors.alerts and
bot.digest), plus `seller` (the store's name) and `date` (the local date as
text).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from bot.render import escape
from tools.answer import Button
from tools.prompts import PromptStore

SALES_KINDS = frozenset({"sales_drop_intraday", "sales_drop_day"})
AD_KINDS = frozenset({"ad_ctr_drop", "ad_cvr_drop", "ad_roas_drop"})


def _escaped(value: Any) -> Any:
    if isinstance(value, str):
        return escape(value)
    if isinstance(value, dict):
        return {key: _escaped(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_escaped(item) for item in value]
    return value


def date_text(day: dt.date, lang: str) -> str:
    return f"{day:%b} {day.day}" if lang == "en" else f"{day.month}월 {day.day}일"


def render_nudge(
    prompts: PromptStore, kind: str, evidence: dict[str, Any], *, seller: str, lang: str
) -> str:
    """The nudge as Telegram HTML."""
    day = dt.date.fromisoformat(str(evidence["local_date"]))
    context = _escaped(dict(evidence))
    context.update(seller=escape(seller), date=date_text(day, lang))
    return prompts.render(f"alerts/{kind}", lang, **context)


def details_button(kind: str, evidence: dict[str, Any]) -> Button | None:
    """What "details" runs: the day's sales report, or the campaign's ads that day."""
    day = str(evidence["local_date"])
    if kind in AD_KINDS and evidence.get("campaign_id") is not None:
        args = {"start": day, "end": day, "campaign_id": int(evidence["campaign_id"])}
        return Button(label="", tool="ad_report", args=args)
    if kind in SALES_KINDS or kind == "digest":
        return Button(label="", tool="sales_report", args={"start": day, "end": day})
    return None
