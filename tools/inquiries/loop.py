"""The loop's steps that need no chat: ingest, draft, post (the bot sends the cards).

`post_answers` posts each pending answer of the outbox once:

1. claim the row (pending -> posting, compare-and-set, committed);
2. re-read: the inquiry still approved here (not answered in the chat meanwhile),
   and the source's `already_answered` (the platform) says no;
3. post, then record posted / failed (the draft kept) / answered elsewhere / retry.

A crash between 1 and 3 leaves the row `posting`; `recover_posting` at the next start
hands it back to pending where the source re-reads the platform (so it posts at
most once) and marks it unknown where it cannot (the seller is told).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from typing import Literal, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from storage import inquiry_outbox as outbox
from storage.models import Inquiry, InquiryAnswer, InquiryStatus
from tools.inquiries.auto import may_answer
from tools.inquiries.drafting import Drafted, draft_for
from tools.inquiries.sources import InquiryRef, InquirySource, PostError
from tools.retrieval.service import Retrieval

log = logging.getLogger(__name__)

T = TypeVar("T")
Outcome = Literal["posted", "failed", "answered", "retry", "unknown", "busy"]


@dataclass(frozen=True, slots=True)
class PostReport:
    """One answer's fate, for the seller's chat."""

    answer_id: int
    inquiry_id: int
    seller_id: int
    outcome: Outcome
    text: str
    reason: str = ""  # a bot.inquiry.failed key when it failed
    detail: str = ""
    approved_by: int | None = None
    auto: bool = False  # answered without asking (tools.inquiries.auto)
    question: str = ""
    attempts: int = 1  # posts tried, this one included


def draft_waiting(
    sessions: sessionmaker[Session],
    retrieval: Retrieval,
    *,
    now: dt.datetime,
    limit: int = 100,
    seller_ids: Collection[int] | None = None,
) -> list[tuple[int, Drafted]]:
    """Draft every new inquiry (of `seller_ids`; each in its own transaction); what was
    drafted. Each seller's index is refreshed first, so answers given since (here or
    elsewhere) are past answers of these drafts."""
    with sessions() as session:
        rows = outbox.waiting_for_draft(session, limit=limit, seller_ids=seller_ids)
        waiting = [row.id for row in rows]
        sellers = sorted({row.seller_id for row in rows})
        for seller_id in sellers:
            retrieval.refresh_seller(session, seller_id)
    done: list[tuple[int, Drafted]] = []
    for inquiry_id in waiting:
        with sessions.begin() as session:
            inquiry = session.get(Inquiry, inquiry_id)
            if inquiry is None or inquiry.status != InquiryStatus.NEW:
                continue
            drafted = draft_for(retrieval, session, inquiry, now=now)
            saved = outbox.save_draft(
                session,
                inquiry_id,
                text=drafted.text,
                meta={**drafted.meta, "checks": list(drafted.checks)},
                needs_check=drafted.needs_check,
                product_id=drafted.product_id,
                at=now,
            )
        if saved:
            done.append((inquiry_id, drafted))
    return done


def auto_answer(
    sessions: sessionmaker[Session], drafted: list[tuple[int, Drafted]], *, now: dt.datetime
) -> list[int]:
    """Approve, without asking, the drafts tools.inquiries.auto allows for sellers who
    turned automatic answers on; the inquiries approved."""
    done: list[int] = []
    for inquiry_id, draft in drafted:
        if not may_answer(draft):
            continue
        with sessions.begin() as session:
            seller_id = session.scalar(select(Inquiry.seller_id).where(Inquiry.id == inquiry_id))
            if seller_id is None or not outbox.inquiry_settings(session, seller_id)[1]:
                continue
            decision = outbox.approve(
                session, inquiry_id, text=draft.text, edited=False, chat_id=None, at=now, auto=True
            )
        if decision.done:
            done.append(inquiry_id)
    return done


def _ref(inquiry: Inquiry) -> InquiryRef:
    return InquiryRef(
        id=inquiry.id,
        seller_id=inquiry.seller_id,
        source=inquiry.source,
        external_id=inquiry.external_id,
        asked_at=inquiry.asked_at,
        reply_to=dict(inquiry.reply_to or {}),
    )


def _in_tx(sessions: sessionmaker[Session], work: Callable[[Session], T]) -> T:
    with sessions.begin() as session:
        return work(session)


async def post_answers(
    sessions: sessionmaker[Session],
    sources: Mapping[str, InquirySource],
    *,
    now: dt.datetime,
    seller_ids: Collection[int] | None = None,
) -> list[PostReport]:
    """Post every pending answer (of `seller_ids`) once (see the module docstring)."""
    reports: list[PostReport] = []
    with sessions() as session:
        pending = outbox.pending_answers(session, seller_ids=seller_ids)
    for answer_id in pending:
        report = await post_one(sessions, sources, answer_id, now=now)
        if report is not None:
            reports.append(report)
    return reports


async def post_one(
    sessions: sessionmaker[Session],
    sources: Mapping[str, InquirySource],
    answer_id: int,
    *,
    now: dt.datetime,
) -> PostReport | None:
    if not _in_tx(sessions, lambda s: outbox.claim_answer(s, answer_id, at=now)):
        return None  # another worker has it

    def load(session: Session) -> tuple[InquiryAnswer, Inquiry]:
        answer = session.get(InquiryAnswer, answer_id)
        assert answer is not None
        inquiry = session.get(Inquiry, answer.inquiry_id)
        assert inquiry is not None
        session.expunge_all()
        return answer, inquiry

    answer, inquiry = _in_tx(sessions, load)

    def report(outcome: Outcome, reason: str = "", detail: str = "") -> PostReport:
        return PostReport(
            answer_id=answer_id,
            inquiry_id=inquiry.id,
            seller_id=inquiry.seller_id,
            outcome=outcome,
            text=answer.text,
            reason=reason,
            detail=detail,
            approved_by=answer.approved_by,
            auto=answer.auto,
            question=inquiry.question,
            attempts=answer.attempts,
        )

    if inquiry.status != InquiryStatus.APPROVED:  # answered in the chat meanwhile
        _in_tx(sessions, lambda s: outbox.finish_answered(s, answer_id, at=now))
        return report("answered")
    source = sources.get(inquiry.source)
    if source is None:
        _in_tx(sessions, lambda s: outbox.finish_retry(s, answer_id, error="no source"))
        return report("retry", "unavailable")
    ref = _ref(inquiry)
    try:
        answered = await source.already_answered(ref)
    except PostError as error:
        message = str(error)
        _in_tx(sessions, lambda s: outbox.finish_retry(s, answer_id, error=message))
        return report("retry", error.reason, error.detail)
    if answered:
        _in_tx(sessions, lambda s: outbox.finish_answered(s, answer_id, at=now))
        return report("answered")
    try:
        posted = await source.post(ref, answer.text)
    except PostError as error:
        log.warning("inquiry %s: answer %s not posted: %s", inquiry.id, answer_id, error)
        kind, reason, detail = error.kind, error.reason, error.detail
        if kind == "refused":
            _in_tx(sessions, lambda s: outbox.finish_failed(s, answer_id, error=reason))
            return report("failed", reason, detail)
        if kind == "retry":
            _in_tx(sessions, lambda s: outbox.finish_retry(s, answer_id, error=reason))
            return report("retry", reason, detail)
        _in_tx(sessions, lambda s: outbox.finish_unknown(s, answer_id, error=reason))
        return report("unknown", reason, detail)
    _in_tx(sessions, lambda s: outbox.finish_posted(s, answer_id, at=now, ref=posted.ref))
    return report("posted")


def recover_posting(
    sessions: sessionmaker[Session],
    sources: Mapping[str, InquirySource],
    *,
    claimed_before: dt.datetime | None = None,
    seller_ids: Collection[int] | None = None,
) -> list[int]:
    """Answers a killed process left `posting` (those claimed before `claimed_before`
    when given: other processes may be posting the recent ones; of `seller_ids`): back
    to pending where the source re-reads the platform, unknown elsewhere; the unknown
    ones' ids."""
    unknown: list[int] = []
    with sessions.begin() as session:
        stuck = outbox.stuck_posting(session, claimed_before=claimed_before, seller_ids=seller_ids)
        for answer_id in stuck:
            answer = session.get(InquiryAnswer, answer_id)
            assert answer is not None
            inquiry = session.get(Inquiry, answer.inquiry_id)
            source = sources.get(inquiry.source) if inquiry is not None else None
            if source is not None and source.rereads:
                outbox.unclaim(session, answer_id)
            else:
                outbox.finish_unknown(session, answer_id, error="cut off by a restart")
                unknown.append(answer_id)
    return unknown
