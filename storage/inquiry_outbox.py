"""Customer inquiries in the answer loop, and the answer outbox.

Every change of an inquiry's or an answer's status goes through a function here,
one small step each (the callers own the transaction). An inquiry moves

    new -> drafted -> notified -> approved -> answered
                 \\         \\-> skipped
                  \\-> elsewhere (answered outside the bot: any open status)

and an approved answer is a row of `inquiry_answers`, written in the same
transaction as the approval, before anything is posted:

    pending -> posting -> posted | failed | answered (elsewhere first) | unknown

Each move is a compare-and-set update checked by its rowcount, so two presses of
one button, or two workers, never both approve or both post: the second sees the
status the first left and says so. A failed post puts the inquiry back to
`notified` with its draft, so the seller can press again.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from sqlalchemy import CursorResult, func, select, true, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from storage.models import (
    AnswerStatus,
    BusinessConnection,
    Inquiry,
    InquiryAnswer,
    InquiryCard,
    InquirySettings,
    InquiryStatus,
)

OPEN = (
    InquiryStatus.NEW,
    InquiryStatus.DRAFTED,
    InquiryStatus.NOTIFIED,
    InquiryStatus.APPROVED,
)
ACTIONABLE = (InquiryStatus.DRAFTED, InquiryStatus.NOTIFIED)  # a button may act on these


def _insert(session: Session) -> Any:
    return pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert


def _rowcount(result: Any) -> int:
    assert isinstance(result, CursorResult)
    return result.rowcount


# -- inquiries in ------------------------------------------------------------------------


def record_inquiry(
    session: Session,
    *,
    seller_id: int,
    source: str,
    external_id: str,
    question: str,
    asked_at: dt.datetime,
    product_id: int | None = None,
    order_id: int | None = None,
    customer: str | None = None,
    reply_to: dict[str, Any] | None = None,
) -> tuple[int, bool]:
    """Insert the inquiry unless (seller, source, external id) exists; its id and
    whether it is new."""
    statement = (
        _insert(session)(Inquiry)
        .values(
            seller_id=seller_id,
            source=source,
            external_id=external_id,
            question=question,
            asked_at=asked_at,
            product_id=product_id,
            order_id=order_id,
            customer=customer,
            reply_to=reply_to,
            status=InquiryStatus.NEW,
            needs_check=False,
        )
        .on_conflict_do_nothing(index_elements=["seller_id", "source", "external_id"])
        .returning(Inquiry.id)
    )
    new_id = session.execute(statement).scalar()
    if new_id is not None:
        return int(new_id), True
    existing = session.scalar(
        select(Inquiry.id).where(
            Inquiry.seller_id == seller_id,
            Inquiry.source == source,
            Inquiry.external_id == external_id,
        )
    )
    assert existing is not None
    return int(existing), False


def mark_elsewhere(
    session: Session, inquiry_id: int, *, answer: str | None, at: dt.datetime
) -> bool:
    """The question was answered outside the bot: an open inquiry is closed with that
    answer (a past answer for later drafts). True when it was open."""
    values: dict[str, Any] = {"status": InquiryStatus.ELSEWHERE, "answered_at": at}
    if answer:
        values["answer"] = answer
    result = session.execute(
        update(Inquiry)
        .where(Inquiry.id == inquiry_id, Inquiry.status.in_(OPEN))
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return _rowcount(result) == 1


def open_in_conversation(
    session: Session, seller_id: int, source: str, key: str, value: Any
) -> list[int]:
    """Open inquiries of a source whose conversation (`reply_to[key]`) is `value`."""
    rows = session.execute(
        select(Inquiry.id, Inquiry.reply_to).where(
            Inquiry.seller_id == seller_id,
            Inquiry.source == source,
            Inquiry.status.in_(OPEN),
        )
    ).all()
    return [row.id for row in rows if (row.reply_to or {}).get(key) == value]


# -- drafts and cards ---------------------------------------------------------------------


def _of(column: Any, seller_ids: Collection[int] | None) -> Any:
    """`column` among `seller_ids`; every seller when None (the embedded loop)."""
    return true() if seller_ids is None else column.in_(list(seller_ids))


def waiting_for_draft(
    session: Session, *, limit: int = 100, seller_ids: Collection[int] | None = None
) -> list[Inquiry]:
    return list(
        session.scalars(
            select(Inquiry)
            .where(Inquiry.status == InquiryStatus.NEW, _of(Inquiry.seller_id, seller_ids))
            .order_by(Inquiry.asked_at, Inquiry.id)
            .limit(limit)
        )
    )


def save_draft(
    session: Session,
    inquiry_id: int,
    *,
    text: str,
    meta: dict[str, Any],
    needs_check: bool,
    product_id: int | None,
    at: dt.datetime,
) -> bool:
    values: dict[str, Any] = {
        "status": InquiryStatus.DRAFTED,
        "draft": text,
        "draft_meta": meta,
        "needs_check": needs_check,
        "drafted_at": at,
    }
    if product_id is not None:
        values["product_id"] = product_id
    result = session.execute(
        update(Inquiry)
        .where(Inquiry.id == inquiry_id, Inquiry.status == InquiryStatus.NEW)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return _rowcount(result) == 1


def drafted(session: Session, seller_id: int) -> list[Inquiry]:
    """The seller's drafted inquiries whose card is not sent yet, oldest first."""
    return list(
        session.scalars(
            select(Inquiry)
            .where(Inquiry.seller_id == seller_id, Inquiry.status == InquiryStatus.DRAFTED)
            .order_by(Inquiry.asked_at, Inquiry.id)
        )
    )


def sellers_with_drafts(session: Session, seller_ids: Collection[int] | None = None) -> list[int]:
    return list(
        session.scalars(
            select(Inquiry.seller_id)
            .where(Inquiry.status == InquiryStatus.DRAFTED, _of(Inquiry.seller_id, seller_ids))
            .distinct()
            .order_by(Inquiry.seller_id)
        )
    )


def open_cards(session: Session, seller_id: int) -> int:
    """How many of the seller's cards wait for a button (notified, not handled)."""
    return int(
        session.scalar(
            select(func.count())
            .select_from(Inquiry)
            .where(Inquiry.seller_id == seller_id, Inquiry.status == InquiryStatus.NOTIFIED)
        )
        or 0
    )


def mark_notified(
    session: Session, inquiry_id: int, cards: Collection[tuple[int, int]], *, at: dt.datetime
) -> bool:
    """Its card went out to these (chat, message) pairs."""
    result = session.execute(
        update(Inquiry)
        .where(Inquiry.id == inquiry_id, Inquiry.status == InquiryStatus.DRAFTED)
        .values(status=InquiryStatus.NOTIFIED, notified_at=at)
        .execution_options(synchronize_session=False)
    )
    for chat_id, message_id in cards:
        session.add(
            InquiryCard(inquiry_id=inquiry_id, chat_id=chat_id, message_id=message_id, sent_at=at)
        )
    return _rowcount(result) == 1


def cards_of(session: Session, inquiry_id: int) -> list[tuple[int, int]]:
    return [
        (int(row.chat_id), int(row.message_id))
        for row in session.execute(
            select(InquiryCard.chat_id, InquiryCard.message_id)
            .where(InquiryCard.inquiry_id == inquiry_id)
            .order_by(InquiryCard.id)
        )
    ]


# -- the seller's decision -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Decision:
    """What a button did: `done` when this press changed the inquiry; else `status`
    is where an earlier press (or the platform) left it."""

    done: bool
    status: InquiryStatus | None
    answer_id: int | None = None


def approve(
    session: Session,
    inquiry_id: int,
    *,
    text: str,
    edited: bool,
    chat_id: int | None,
    at: dt.datetime,
    auto: bool = False,
) -> Decision:
    """Approval writes the answer to the outbox in the same transaction (before any
    post); a second press finds the inquiry approved already."""
    result = session.execute(
        update(Inquiry)
        .where(Inquiry.id == inquiry_id, Inquiry.status.in_(ACTIONABLE))
        .values(status=InquiryStatus.APPROVED)
        .execution_options(synchronize_session=False)
    )
    if _rowcount(result) != 1:
        return Decision(False, _status(session, inquiry_id))
    seller_id = session.scalar(select(Inquiry.seller_id).where(Inquiry.id == inquiry_id))
    assert seller_id is not None
    answer = InquiryAnswer(
        inquiry_id=inquiry_id,
        seller_id=seller_id,
        text=text,
        edited=edited,
        auto=auto,
        approved_by=chat_id,
        status=AnswerStatus.PENDING,
        attempts=0,
        created_at=at,
    )
    session.add(answer)
    session.flush()
    return Decision(True, InquiryStatus.APPROVED, answer.id)


def skip(session: Session, inquiry_id: int, *, at: dt.datetime) -> Decision:
    result = session.execute(
        update(Inquiry)
        .where(Inquiry.id == inquiry_id, Inquiry.status.in_(ACTIONABLE))
        .values(status=InquiryStatus.SKIPPED)
        .execution_options(synchronize_session=False)
    )
    if _rowcount(result) != 1:
        return Decision(False, _status(session, inquiry_id))
    return Decision(True, InquiryStatus.SKIPPED)


def _status(session: Session, inquiry_id: int) -> InquiryStatus | None:
    return session.scalar(select(Inquiry.status).where(Inquiry.id == inquiry_id))


def status_of(session: Session, inquiry_id: int) -> InquiryStatus | None:
    return _status(session, inquiry_id)


# -- answers out ---------------------------------------------------------------------------


def pending_answers(
    session: Session, *, limit: int = 100, seller_ids: Collection[int] | None = None
) -> list[int]:
    return list(
        session.scalars(
            select(InquiryAnswer.id)
            .where(
                InquiryAnswer.status == AnswerStatus.PENDING,
                _of(InquiryAnswer.seller_id, seller_ids),
            )
            .order_by(InquiryAnswer.id)
            .limit(limit)
        )
    )


def claim_answer(session: Session, answer_id: int, *, at: dt.datetime) -> bool:
    """pending -> posting (compare-and-set), committed by the caller just before the post."""
    result = session.execute(
        update(InquiryAnswer)
        .where(InquiryAnswer.id == answer_id, InquiryAnswer.status == AnswerStatus.PENDING)
        .values(status=AnswerStatus.POSTING, claimed_at=at, attempts=InquiryAnswer.attempts + 1)
        .execution_options(synchronize_session=False)
    )
    return _rowcount(result) == 1


def _answer_update(session: Session, answer_id: int, **values: Any) -> InquiryAnswer:
    session.execute(
        update(InquiryAnswer)
        .where(InquiryAnswer.id == answer_id)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    answer = session.get(InquiryAnswer, answer_id, populate_existing=True)
    assert answer is not None
    return answer


def finish_posted(session: Session, answer_id: int, *, at: dt.datetime, ref: str | None) -> None:
    answer = _answer_update(
        session, answer_id, status=AnswerStatus.POSTED, posted_at=at, posted_ref=ref, error=None
    )
    session.execute(
        update(Inquiry)
        .where(Inquiry.id == answer.inquiry_id)
        .values(status=InquiryStatus.ANSWERED, answer=answer.text, answered_at=at)
        .execution_options(synchronize_session=False)
    )


def finish_failed(session: Session, answer_id: int, *, error: str) -> None:
    """Refused: the inquiry goes back to its card with the draft (press again); an
    automatic answer goes back to drafted, so the seller gets its card."""
    answer = _answer_update(session, answer_id, status=AnswerStatus.FAILED, error=error)
    back = InquiryStatus.DRAFTED if answer.auto else InquiryStatus.NOTIFIED
    session.execute(
        update(Inquiry)
        .where(Inquiry.id == answer.inquiry_id, Inquiry.status == InquiryStatus.APPROVED)
        .values(status=back)
        .execution_options(synchronize_session=False)
    )


def finish_retry(session: Session, answer_id: int, *, error: str) -> None:
    """The post never left (no connection): pending again, tried on the next run."""
    _answer_update(session, answer_id, status=AnswerStatus.PENDING, error=error)


def finish_answered(session: Session, answer_id: int, *, at: dt.datetime) -> None:
    """Answered elsewhere before we posted: nothing posted."""
    answer = _answer_update(session, answer_id, status=AnswerStatus.ANSWERED)
    session.execute(
        update(Inquiry)
        .where(Inquiry.id == answer.inquiry_id, Inquiry.status.in_(OPEN))
        .values(status=InquiryStatus.ELSEWHERE, answered_at=at)
        .execution_options(synchronize_session=False)
    )


def finish_unknown(session: Session, answer_id: int, *, error: str) -> None:
    """Cut off after it left, on a platform that cannot be re-read: not posted again."""
    _answer_update(session, answer_id, status=AnswerStatus.UNKNOWN, error=error)


def stuck_posting(
    session: Session,
    *,
    claimed_before: dt.datetime | None = None,
    seller_ids: Collection[int] | None = None,
) -> list[int]:
    """Answers a killed process left `posting` (every one, or those claimed before
    `claimed_before` when other processes may be posting now; of `seller_ids`)."""
    query = select(InquiryAnswer.id).where(
        InquiryAnswer.status == AnswerStatus.POSTING, _of(InquiryAnswer.seller_id, seller_ids)
    )
    if claimed_before is not None:
        query = query.where(InquiryAnswer.claimed_at < claimed_before)
    return list(session.scalars(query))


def unclaim(session: Session, answer_id: int) -> None:
    """posting -> pending: the source will re-read the question before posting again."""
    _answer_update(session, answer_id, status=AnswerStatus.PENDING)


def sellers_with_work(
    session: Session,
    *,
    stuck_before: dt.datetime | None = None,
    seller_ids: Collection[int] | None = None,
) -> list[int]:
    """Sellers (of `seller_ids`) the inquiry loop has work for: new inquiries to draft,
    drafts whose cards may go out, approved answers to post and, with `stuck_before`,
    posts claimed before it (a dead worker's, to recover). The queue's scheduler
    defers a loop job for each."""
    inquiries = select(Inquiry.seller_id).where(
        Inquiry.status.in_((InquiryStatus.NEW, InquiryStatus.DRAFTED)),
        _of(Inquiry.seller_id, seller_ids),
    )
    due = InquiryAnswer.status == AnswerStatus.PENDING
    if stuck_before is not None:
        due = due | (
            (InquiryAnswer.status == AnswerStatus.POSTING)
            & (InquiryAnswer.claimed_at < stuck_before)
        )
    answers = select(InquiryAnswer.seller_id).where(due, _of(InquiryAnswer.seller_id, seller_ids))
    return sorted({int(seller) for seller in session.scalars(inquiries.union(answers))})


# -- settings and Business connections ------------------------------------------------------


def inquiry_settings(session: Session, seller_id: int) -> tuple[bool, bool]:
    """(drafts enabled, auto answers enabled); defaults (True, False)."""
    row = session.get(InquirySettings, seller_id)
    if row is None:
        return True, False
    return bool(row.drafts_enabled), bool(row.auto_answer)


def set_inquiry_settings(
    session: Session,
    seller_id: int,
    *,
    drafts_enabled: bool | None = None,
    auto_answer: bool | None = None,
) -> None:
    row = session.get(InquirySettings, seller_id)
    if row is None:
        row = InquirySettings(seller_id=seller_id, drafts_enabled=True, auto_answer=False)
        session.add(row)
    if drafts_enabled is not None:
        row.drafts_enabled = drafts_enabled
    if auto_answer is not None:
        row.auto_answer = auto_answer


def save_connection(
    session: Session,
    *,
    connection_id: str,
    seller_id: int | None,
    user_id: int,
    user_chat_id: int,
    can_reply: bool,
    is_enabled: bool,
    at: dt.datetime,
) -> BusinessConnection:
    row = session.get(BusinessConnection, connection_id)
    if row is None:
        row = BusinessConnection(id=connection_id)
        session.add(row)
    row.seller_id = seller_id
    row.user_id = user_id
    row.user_chat_id = user_chat_id
    row.can_reply = can_reply
    row.is_enabled = is_enabled
    row.updated_at = at
    session.flush()
    return row


def connection(session: Session, connection_id: str) -> BusinessConnection | None:
    return session.get(BusinessConnection, connection_id)


# -- counts -------------------------------------------------------------------------------


def loop_counts(session: Session, *, since: dt.datetime) -> dict[str, int]:
    """Inquiries drafted, approved, edited, skipped and auto-answered since `since`
    (drafted and skipped by draft time; the others by approval time)."""
    drafted_count = session.scalar(
        select(func.count()).select_from(Inquiry).where(Inquiry.drafted_at >= since)
    )
    skipped = session.scalar(
        select(func.count())
        .select_from(Inquiry)
        .where(Inquiry.drafted_at >= since, Inquiry.status == InquiryStatus.SKIPPED)
    )
    answers = session.execute(
        select(InquiryAnswer.edited, InquiryAnswer.auto, func.count())
        .where(InquiryAnswer.created_at >= since)
        .group_by(InquiryAnswer.edited, InquiryAnswer.auto)
    ).all()
    approved = sum(count for edited, auto, count in answers if not auto)
    edited = sum(count for edited, auto, count in answers if edited and not auto)
    auto = sum(count for _, is_auto, count in answers if is_auto)
    return {
        "drafted": int(drafted_count or 0),
        "approved": int(approved),
        "edited": int(edited),
        "skipped": int(skipped or 0),
        "auto_answered": int(auto),
    }
