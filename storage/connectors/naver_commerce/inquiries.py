"""Customer questions of a Smart Store: product Q&A and customer inquiries (1:1).

Two kinds, each its own `source` in the `inquiries` table:

| source | read | answer |
| --- | --- | --- |
| `naver_qna` (상품 Q&A) | `GET /v1/contents/qnas` (`fromDate`, `toDate` ISO-8601 +09:00, `page`, `size` <= 100; `contents`, `totalPages`) | `PUT /v1/contents/qnas/{questionId}` with `commentContent` |
| `naver_inquiry` (고객 문의) | `GET /v1/pay-user/inquiries` (`startSearchDate`, `endSearchDate` as Korean days `YYYY-MM-DD`, `page`, `size` <= 200; `data.content`, `data.totalPages`) | `POST /v1/pay-merchant/inquiries/{inquiryNo}/answer` with `answerComment` |

Fields read: a Q&A's `questionId`, `question`, `answer`, `answered`, `productId` (the
channel product number), `productName`, `maskedWriterId`, `createDate`; an inquiry's
`inquiryNo`, `title`, `inquiryContent`, `answered`, `answerContent`, `orderId`,
`productNo`, `productName`, `customerId`, `inquiryRegistrationDateTime`.

`store_questions` writes them idempotently by (seller, source, external id): a new
one is a `new` inquiry of the answer loop; one answered already (by the seller in
Smart Store Center) is closed as answered elsewhere with its answer, so it feeds the
seller's past-answer index; reading it again writes nothing. Its product is the
store's product whose SKU is the channel product number (how the order sync keeps
Naver products without a seller code), else the one of the same name; its order the
store order `{orderId}`.

`NaverInquiries.post` re-reads the question first and posts only when it has no
answer on Naver, so a retry after a crash or a second press never answers twice; a
refused answer is re-read too (an answer that did land is reported as such).

The answer text goes as it is in the JSON body (Naver shows it as plain text, so no
HTML escaping: `<`, `&` and quotes arrive as typed); line ends become `\\n`, other
control characters are dropped, and an empty answer or one over `MAX_ANSWER_CHARS`
is refused before any call (`AnswerRefused`). Calls go through `NaverClient` (token,
pacing, 401 refresh once, 429 rate vs quota, 403 IP: `SourceError` as in a sync).
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from storage import inquiry_outbox as outbox
from storage.connectors import accounts
from storage.connectors._source import SourceError
from storage.connectors.naver_commerce.client import KST, NaverClient
from storage.connectors.naver_commerce.mapping import format_time, parse_time
from storage.connectors.registry import builder
from storage.connectors.sync import Builder
from storage.models import Inquiry, Order, Product
from storage.settings import Settings

log = logging.getLogger(__name__)

QNA = "naver_qna"
INQUIRY = "naver_inquiry"
SOURCES = (QNA, INQUIRY)

QNAS_PATH = "/external/v1/contents/qnas"
QNA_ANSWER_PATH = "/external/v1/contents/qnas/{id}"
INQUIRIES_PATH = "/external/v1/pay-user/inquiries"
INQUIRY_ANSWER_PATH = "/external/v1/pay-merchant/inquiries/{id}/answer"
QNA_PAGE_SIZE = 100
INQUIRY_PAGE_SIZE = 200
MAX_ANSWER_CHARS = 1000  # the limit we keep for both kinds (the docs at hand name none)
FIRST_LOOK = dt.timedelta(days=30)  # how far back the first read goes
OVERLAP = dt.timedelta(minutes=10)  # a later read starts this long before the newest one
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")

Kind = Literal["qna", "inquiry"]


@dataclass(frozen=True, slots=True)
class NaverQuestion:
    """One question as read from Naver."""

    source: str  # QNA or INQUIRY
    external_id: str
    question: str
    asked_at: dt.datetime
    product_external_id: str | None = None
    product_name: str | None = None
    order_external_id: str | None = None
    customer: str | None = None
    answer: str | None = None  # answered on Naver already


@dataclass(frozen=True, slots=True)
class PostResult:
    """`posted` (the answer is on Naver now) or `already_answered` (nothing posted:
    it had an answer, given here earlier or in Smart Store Center: `answer`)."""

    outcome: Literal["posted", "already_answered"]
    ref: str | None = None
    answer: str | None = None


class AnswerRefused(ValueError):
    """The answer cannot be posted: `reason` is `empty`, `too_long`, `not_found` or
    `refused` (Naver said no; `detail` is its message)."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}".strip(": "))
        self.reason = reason
        self.detail = detail


def clean_answer(text: str) -> str:
    """The answer as posted; `AnswerRefused` when it is empty or too long."""
    cleaned = _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n")).strip()
    if not cleaned:
        raise AnswerRefused("empty")
    if len(cleaned) > MAX_ANSWER_CHARS:
        raise AnswerRefused("too_long", f"{len(cleaned)} > {MAX_ANSWER_CHARS} characters")
    return cleaned


# -- mapping ------------------------------------------------------------------------------


def _text(value: Any) -> str | None:
    text = str(value).strip() if value is not None else ""
    return text or None


def from_qna(row: Mapping[str, Any]) -> NaverQuestion:
    answered = bool(row.get("answered")) and bool(_text(row.get("answer")))
    return NaverQuestion(
        source=QNA,
        external_id=str(row["questionId"]),
        question=str(row.get("question") or ""),
        asked_at=parse_time(str(row["createDate"])).astimezone(dt.UTC),
        product_external_id=_text(row.get("productId")),
        product_name=_text(row.get("productName")),
        customer=_text(row.get("maskedWriterId")),
        answer=_text(row.get("answer")) if answered else None,
    )


def from_inquiry(row: Mapping[str, Any]) -> NaverQuestion:
    title, content = _text(row.get("title")), _text(row.get("inquiryContent")) or ""
    question = f"{title}\n{content}" if title and title not in content else content
    answered = bool(row.get("answered")) and bool(_text(row.get("answerContent")))
    return NaverQuestion(
        source=INQUIRY,
        external_id=str(row["inquiryNo"]),
        question=question,
        asked_at=parse_time(str(row["inquiryRegistrationDateTime"])).astimezone(dt.UTC),
        product_external_id=_text(row.get("productNo")),
        product_name=_text(row.get("productName")),
        order_external_id=_text(row.get("orderId")),
        customer=_text(row.get("customerId")),
        answer=_text(row.get("answerContent")) if answered else None,
    )


# -- the API ------------------------------------------------------------------------------


class NaverInquiries:
    """A seller's Q&A and customer inquiries through their `NaverClient` (sync calls:
    run them in a worker thread from async code)."""

    def __init__(self, client: NaverClient) -> None:
        self.client = client

    def qnas(self, start: dt.datetime, end: dt.datetime) -> list[NaverQuestion]:
        found: list[NaverQuestion] = []
        page = 1
        while True:
            params = {
                "fromDate": format_time(start),
                "toDate": format_time(end),
                "page": str(page),
                "size": str(QNA_PAGE_SIZE),
            }
            body = self.client.get(QNAS_PATH, params, api="qnas")
            found += [from_qna(row) for row in body.get("contents") or []]
            if page >= int(body.get("totalPages") or 1):
                return found
            page += 1

    def inquiries(self, start: dt.datetime, end: dt.datetime) -> list[NaverQuestion]:
        found: list[NaverQuestion] = []
        page = 1
        while True:
            params = {
                "startSearchDate": start.astimezone(KST).date().isoformat(),
                "endSearchDate": end.astimezone(KST).date().isoformat(),
                "page": str(page),
                "size": str(INQUIRY_PAGE_SIZE),
            }
            data = self.client.get(INQUIRIES_PATH, params, api="inquiries").get("data") or {}
            found += [
                question
                for question in (from_inquiry(row) for row in data.get("content") or [])
                if start <= question.asked_at <= end
            ]
            if page >= int(data.get("totalPages") or 1):
                return found
            page += 1

    def questions(self, since: dt.datetime | None, now: dt.datetime) -> list[NaverQuestion]:
        """Both kinds asked from `since` (default `FIRST_LOOK` before `now`) to `now`."""
        start = since or now - FIRST_LOOK
        return self.qnas(start, now) + self.inquiries(start, now)

    def find(
        self, source: str, external_id: str, asked_at: dt.datetime, now: dt.datetime
    ) -> NaverQuestion | None:
        """The question as Naver has it now (read from the minute it was asked)."""
        start = asked_at - dt.timedelta(minutes=1)
        end = max(now, asked_at + dt.timedelta(minutes=1))
        rows = self.qnas(start, end) if source == QNA else self.inquiries(start, end)
        return next((row for row in rows if row.external_id == external_id), None)

    def answered(
        self, source: str, external_id: str, asked_at: dt.datetime, now: dt.datetime
    ) -> bool | None:
        """Whether it has an answer on Naver; None when Naver no longer lists it."""
        found = self.find(source, external_id, asked_at, now)
        return None if found is None else found.answer is not None

    def post(
        self,
        source: str,
        external_id: str,
        text: str,
        *,
        asked_at: dt.datetime,
        now: dt.datetime,
    ) -> PostResult:
        """Post `text` unless the question is answered already (re-read first)."""
        answer = clean_answer(text)
        current = self.find(source, external_id, asked_at, now)
        if current is None:
            raise AnswerRefused("not_found", f"{source} {external_id}")
        if current.answer is not None:
            return PostResult("already_answered", answer=current.answer)
        try:
            if source == QNA:
                self.client.put(
                    QNA_ANSWER_PATH.format(id=external_id),
                    {"commentContent": answer},
                    api="qna-answer",
                )
                return PostResult("posted", ref=external_id)
            body = self.client.post(
                INQUIRY_ANSWER_PATH.format(id=external_id),
                {"answerComment": answer},
                api="inquiry-answer",
            )
        except SourceError as error:
            if error.key != "unavailable":
                raise  # the gateway's errors: credentials, IP, quota
            again = self.find(source, external_id, asked_at, now)
            if again is not None and again.answer is not None:
                return PostResult("already_answered", answer=again.answer)
            raise AnswerRefused("refused", str(error)) from error
        comment = (body.get("data") or {}).get("inquiryCommentNo")
        return PostResult("posted", ref=str(comment) if comment else external_id)


# -- storing ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Stored:
    new: int  # inquiries added to the loop
    answered: int  # recorded as answered on Naver (new ones and open ones closed)


def _product_id(session: Session, seller_id: int, question: NaverQuestion) -> int | None:
    for column, value in (
        (Product.sku, question.product_external_id),
        (Product.name, question.product_name),
    ):
        if value:
            found = session.scalar(
                select(Product.id)
                .where(Product.seller_id == seller_id, column == value)
                .order_by(Product.id)
                .limit(1)
            )
            if found is not None:
                return int(found)
    return None


def _order_id(session: Session, seller_id: int, question: NaverQuestion) -> int | None:
    if not question.order_external_id:
        return None
    found = session.scalar(
        select(Order.id).where(
            Order.seller_id == seller_id, Order.external_id == question.order_external_id
        )
    )
    return int(found) if found is not None else None


def store_questions(
    session: Session, seller_id: int, questions: Iterable[NaverQuestion], *, now: dt.datetime
) -> Stored:
    """Write the questions (the caller owns the transaction): see the module docstring."""
    new = answered = 0
    for question in questions:
        inquiry_id, created = outbox.record_inquiry(
            session,
            seller_id=seller_id,
            source=question.source,
            external_id=question.external_id,
            question=question.question,
            asked_at=question.asked_at,
            product_id=_product_id(session, seller_id, question),
            order_id=_order_id(session, seller_id, question),
            customer=question.customer,
            reply_to={"asked_at": format_time(question.asked_at)},
        )
        closed = question.answer is not None and outbox.mark_elsewhere(
            session, inquiry_id, answer=question.answer, at=now
        )
        new += created and not closed
        answered += closed
    return Stored(new=new, answered=answered)


def last_asked(session: Session, seller_id: int) -> dt.datetime | None:
    """Where the next read starts: `OVERLAP` before the newest Naver question stored."""
    newest = session.scalar(
        select(Inquiry.asked_at)
        .where(Inquiry.seller_id == seller_id, Inquiry.source.in_(SOURCES))
        .order_by(Inquiry.asked_at.desc())
        .limit(1)
    )
    if newest is None:
        return None
    if newest.tzinfo is None:
        newest = newest.replace(tzinfo=dt.UTC)
    return newest - OVERLAP


def read_new(
    session: Session, seller_id: int, naver: NaverInquiries, *, now: dt.datetime
) -> Stored:
    """Read the questions asked since the last read and store them."""
    return store_questions(
        session, seller_id, naver.questions(last_asked(session, seller_id), now), now=now
    )


def _reader(ref: accounts.AccountRef, build: Builder) -> NaverInquiries | None:
    client = getattr(build(ref), "client", None)
    return NaverInquiries(client) if isinstance(client, NaverClient) else None


def for_seller(session: Session, seller_id: int, settings: Settings) -> NaverInquiries | None:
    """The seller's questions through their connected Naver account; None when the
    seller has no enabled Naver account with credentials."""
    found = accounts.refs(session, seller_id=seller_id, source="naver")
    return _reader(found[0], builder(settings)) if found else None


def _read_logged(seller_id: int, read: Callable[[], Stored]) -> Stored:
    try:
        return read()
    except SourceError as error:
        log.warning("seller %s: Naver questions not read: %s", seller_id, error)
        return Stored(new=0, answered=0)


def read_all_new(
    sessions: sessionmaker[Session],
    settings: Settings,
    *,
    now: dt.datetime,
    seller_id: int | None = None,
    build: Builder | None = None,
) -> Stored:
    """`read_new` for every seller with a connected Naver account (or that one seller),
    one transaction each (one seller's: its account and its questions together); a
    seller whose read fails (SourceError: quota, IP, credentials) is logged and the rest
    go on. The bot runs it after each sync, so new questions reach the loop; `build`
    (default: the settings' `builder`) may hand back the source that sync used, so its
    client, with its connection, reads the questions too."""
    build = build or builder(settings)

    def read(ref: accounts.AccountRef, session: Session) -> Stored:
        naver = _reader(ref, build)
        if naver is None:
            return Stored(new=0, answered=0)
        return read_new(session, ref.seller_id, naver, now=now)

    if seller_id is not None:

        def one() -> Stored:
            with sessions.begin() as session:
                found = accounts.refs(session, source="naver", seller_id=seller_id)
                return read(found[0], session) if found else Stored(new=0, answered=0)

        return _read_logged(seller_id, one)
    with sessions() as session:
        first: dict[int, accounts.AccountRef] = {}
        for ref in accounts.refs(session, source="naver"):
            first.setdefault(ref.seller_id, ref)
    new = answered = 0
    for seller, ref in sorted(first.items()):

        def each(ref: accounts.AccountRef = ref) -> Stored:
            with sessions.begin() as session:
                return read(ref, session)

        stored = _read_logged(seller, each)
        new, answered = new + stored.new, answered + stored.answered
    return Stored(new=new, answered=answered)
