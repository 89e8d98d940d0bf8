"""A nudge's text and its details button, from a typed outbox row (tools.nudges.Nudge).

Templates: prompts/alerts/<kind>.<lang>.j2 (HTML: <b> and <i>; every string from
the data is escaped here before rendering, numbers go through the filters).
Context: the nudge's evidence (see analytics.detectors.alerts and
tools.nudges.DigestEvidence) with `kind` and `local_date`, plus `seller` (the
store's name) and `date` (the local date as text).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from analytics.detectors.alerts import AdDropEvidence
from bot.telegram_text import escape
from tools.answer import Button
from tools.nudges import DIGEST, SALES_KINDS, Nudge
from tools.prompts import PromptStore


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


def render_nudge(prompts: PromptStore, nudge: Nudge, *, seller: str, lang: str) -> str:
    """The nudge as Telegram HTML (the evidence becomes template names only here)."""
    context = _escaped(nudge.template_context())
    context.update(seller=escape(seller), date=date_text(nudge.local_date, lang))
    return prompts.render(f"alerts/{nudge.kind}", lang, **context)


def details_button(nudge: Nudge) -> Button | None:
    """What "details" runs: the day's sales report, or the campaign's ads that day."""
    day = nudge.local_date.isoformat()
    if isinstance(nudge.evidence, AdDropEvidence):
        args = {"start": day, "end": day, "campaign_id": nudge.evidence.campaign_id}
        return Button(label="", tool="ad_report", args=args)
    if nudge.kind in SALES_KINDS or nudge.kind == DIGEST:
        return Button(label="", tool="sales_report", args={"start": day, "end": day})
    return None
