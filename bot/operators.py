"""What operators see in Telegram: /stats, /trace and /reload (English, as the CLI)."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.jobs.status import JobsStatus, installed, jobs_status
from storage.conversations import turn_counts
from storage.inquiry_outbox import loop_counts
from storage.models import Alert, ChatLink, ConversationTurn, Inquiry, InquiryStatus
from tools.catalog import ARG_SCHEMAS
from tools.prompts import PromptStore


@dataclass(frozen=True, slots=True)
class Stats:
    day: dt.date
    sellers_linked: int
    chats_linked: int
    questions: dict[str, int]
    alerts_sent: int
    alerts_waiting: int
    inquiries: dict[str, int] = field(default_factory=dict)
    jobs: JobsStatus | None = None  # the job queue's, where there is one (PostgreSQL)

    def text(self) -> str:
        iq = self.inquiries
        asked = sum(self.questions.values())
        modes = ", ".join(f"{mode} {count}" for mode, count in sorted(self.questions.items()))
        return "\n".join(
            [
                f"Stats for {self.day.isoformat()}",
                f"sellers linked: {self.sellers_linked} ({self.chats_linked} chats)",
                f"questions today: {asked}" + (f" ({modes})" if modes else ""),
                f"fallbacks to the offline router: {self.questions.get('fallback', 0)}",
                f"alerts sent today: {self.alerts_sent}; waiting: {self.alerts_waiting}",
                f"inquiries today: drafted {iq.get('drafted', 0)}, approved "
                f"{iq.get('approved', 0)} (edited {iq.get('edited', 0)}), skipped "
                f"{iq.get('skipped', 0)}, auto-answered {iq.get('auto_answered', 0)}",
                *(self.jobs.lines() if self.jobs is not None else []),
            ]
        )


def stats(session: Session, *, now: dt.datetime, timezone: str) -> Stats:
    """Today is the local day of the default timezone."""
    zone = ZoneInfo(timezone)
    day = now.astimezone(zone).date()
    since = dt.datetime.combine(day, dt.time(), tzinfo=zone).astimezone(dt.UTC)
    sellers = session.scalar(select(func.count(func.distinct(ChatLink.seller_id)))) or 0
    chats = session.scalar(select(func.count()).select_from(ChatLink)) or 0
    sent = (
        session.scalar(
            select(func.count())
            .select_from(Alert)
            .where(Alert.sent_at >= since, Alert.status == "sent")
        )
        or 0
    )
    waiting = (
        session.scalar(
            select(func.count()).select_from(Alert).where(Alert.status.in_(("pending", "held")))
        )
        or 0
    )
    return Stats(
        day,
        sellers,
        chats,
        turn_counts(session, since=since),
        sent,
        waiting,
        loop_counts(session, since=since),
        jobs_status(session, now=now) if installed(session) else None,
    )


def trace(session: Session, chat_id: int | None = None, *, width: int = 400) -> str:
    """The last question (of `chat_id`, or of any chat) and its tool calls."""
    query = select(ConversationTurn).order_by(ConversationTurn.id.desc()).limit(1)
    if chat_id is not None:
        query = query.where(ConversationTurn.chat_id == chat_id)
    turn = session.scalar(query)
    if turn is None:
        return "no questions yet" + (f" in chat {chat_id}" if chat_id is not None else "")
    lines = [
        f"chat {turn.chat_id} · seller {turn.seller_id} · {turn.created_at:%Y-%m-%d %H:%M:%S} UTC · {turn.mode}",
        f"Q: {turn.question}",
        f"outcome: {turn.outcome.value if turn.outcome is not None else 'not recorded'}",
    ]
    if not turn.tool_calls:
        lines.append("no tool calls")
    for index, call in enumerate(turn.tool_calls, start=1):
        args = json.dumps(call.get("args", {}), ensure_ascii=False, sort_keys=True)
        result = json.dumps(call.get("result", {}), ensure_ascii=False, sort_keys=True, default=str)
        if len(result) > width:
            result = result[:width] + "…"
        lines.append(f"{index}. {call.get('tool')}({args})")
        lines.append(f"   → {result}")
    return "\n".join(lines)


def trace_inquiry(session: Session, inquiry_id: int | None = None, *, width: int = 200) -> str:
    """An inquiry's draft (the last drafted one without an id): the facts and the past
    answers it drew on, and what was left out for checking."""
    query = select(Inquiry).where(Inquiry.drafted_at.is_not(None))
    if inquiry_id is not None:
        query = select(Inquiry).where(Inquiry.id == inquiry_id)
    inquiry = session.scalar(query.order_by(Inquiry.drafted_at.desc(), Inquiry.id.desc()))
    if inquiry is None or inquiry.status == InquiryStatus.IMPORTED:
        return "no drafted inquiry" + (f" {inquiry_id}" if inquiry_id is not None else "")
    meta = inquiry.draft_meta or {}

    def cut(text: object) -> str:
        flat = " ".join(str(text).split())
        return flat if len(flat) <= width else flat[:width] + "…"

    lines = [
        f"inquiry {inquiry.id} · seller {inquiry.seller_id} · {inquiry.source} · "
        f"{inquiry.status.value}",
        f"Q: {cut(inquiry.question)}",
        f"draft: {cut(inquiry.draft or '')}",
        "facts: " + (json.dumps(meta.get("facts") or {}, ensure_ascii=False, sort_keys=True)),
    ]
    if meta.get("order"):
        lines.append("order: " + json.dumps(meta["order"], ensure_ascii=False, sort_keys=True))
    sources = meta.get("sources") or []
    if not sources:
        lines.append("past answers: none")
    for past in sources:
        used = " (used)" if past.get("id") == meta.get("used") else ""
        lines.append(f"past answer {past.get('id')}{used} · similarity {past.get('score')}")
        lines.append(f"   Q: {cut(past.get('question', ''))}")
        lines.append(f"   A: {cut(past.get('answer', ''))}")
    for check in meta.get("checks") or []:
        lines.append(f"left out, needs checking: {cut(check)}")
    if meta.get("guard"):
        lines.append("guard: " + "; ".join(meta["guard"]))
    return "\n".join(lines)


def reload_prompts(prompts: PromptStore) -> str:
    """Re-read prompts/ (every file, retrieval's articles and synonyms too) and validate
    it; the last good version keeps serving on errors."""
    prompts.reload()
    version = prompts.version
    report = prompts.check(known_tools=set(ARG_SCHEMAS))
    if report.ok:
        return f"prompts reloaded (version {version}): {report.files} files, all ok"
    shown = "\n".join(str(issue) for issue in report.issues[:10])
    more = f"\n… and {len(report.issues) - 10} more" if len(report.issues) > 10 else ""
    return f"prompts reloaded with {len(report.issues)} problem(s); the last good versions keep serving:\n{shown}{more}"
