"""The Naver Commerce product Q&A and customer inquiries as inquiry sources of the
answer loop (tools.inquiries.sources.InquirySource), one per kind: `naver_qna` and
`naver_inquiry` (storage.connectors.naver_commerce.inquiries does the calls).

`fetch_new` reads the questions asked since `since` (sync calls, in a worker thread)
and returns those Naver shows unanswered or answered (an answered one carries its
answer: a past answer). `already_answered` re-reads Naver, so an answer cut off
mid-post is retried safely (`rereads`); `post` re-reads once more and posts.

Failures, as the loop reads them (`PostError.reason` is a bot.inquiry.failed key):

| what happened | kind | reason |
| --- | --- | --- |
| no Naver account, bad credentials, IP not registered, API group missing | refused | naver_account |
| answer empty or over 1,000 characters | refused | naver_text |
| Naver refused the answer, or no longer lists the question | refused | naver_refused |
| answered there between the loop's re-read and the post | refused | naver_answered |
| quota used up, Naver unavailable or unreachable | retry | unavailable |
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Callable

from sqlalchemy.orm import Session, sessionmaker

from storage.connectors import SourceError
from storage.connectors.naver_commerce.inquiries import (
    INQUIRY,
    QNA,
    AnswerRefused,
    NaverInquiries,
    NaverQuestion,
    for_seller,
)
from storage.settings import Settings
from tools.inquiries.sources import InquiryRef, NewInquiry, Posted, PostError

ACCOUNT_ERRORS = ("bad_credentials", "ip_not_allowed", "not_permitted", "clock")


def new_inquiry(question: NaverQuestion) -> NewInquiry:
    return NewInquiry(
        external_id=question.external_id,
        question=question.question,
        asked_at=question.asked_at,
        product_external_id=question.product_external_id,
        order_external_id=question.order_external_id,
        customer=question.customer,
        answer=question.answer,
    )


def _error(error: SourceError) -> PostError:
    if error.key in ACCOUNT_ERRORS:
        return PostError("refused", "naver_account", str(error))
    return PostError("retry", "unavailable", str(error))


class NaverInquirySource:
    """One kind of Naver question (`source`: QNA or INQUIRY) for every seller."""

    rereads = True

    def __init__(
        self,
        source: str,
        sessions: sessionmaker[Session],
        settings: Settings,
        *,
        clock: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC),
    ) -> None:
        assert source in (QNA, INQUIRY)
        self.name = source
        self.sessions, self.settings, self.clock = sessions, settings, clock

    def _naver(self, seller_id: int) -> NaverInquiries:
        with self.sessions() as session:
            found = for_seller(session, seller_id, self.settings)
        if found is None:
            raise PostError("refused", "naver_account", "no Naver Commerce account")
        return found

    def _fetch(self, seller_id: int, since: dt.datetime | None) -> list[NewInquiry]:
        with self.sessions() as session:
            naver = for_seller(session, seller_id, self.settings)
        if naver is None:
            return []
        now = self.clock()
        start = since or now - dt.timedelta(days=30)
        read = naver.qnas if self.name == QNA else naver.inquiries
        return [new_inquiry(question) for question in read(start, now)]

    def _answered(self, inquiry: InquiryRef) -> bool | None:
        if inquiry.external_id is None:
            return None
        return self._naver(inquiry.seller_id).answered(
            self.name, inquiry.external_id, inquiry.asked_at, self.clock()
        )

    def _post(self, inquiry: InquiryRef, text: str) -> Posted:
        if inquiry.external_id is None:
            raise PostError("refused", "naver_refused", "no Naver id")
        naver = self._naver(inquiry.seller_id)
        try:
            result = naver.post(
                self.name, inquiry.external_id, text, asked_at=inquiry.asked_at, now=self.clock()
            )
        except AnswerRefused as refused:
            reason = "naver_text" if refused.reason in ("empty", "too_long") else "naver_refused"
            raise PostError("refused", reason, refused.detail) from refused
        if result.outcome == "already_answered":
            raise PostError("refused", "naver_answered", result.answer or "")
        return Posted(ref=result.ref)

    # -- InquirySource ----------------------------------------------------------------

    async def fetch_new(self, seller_id: int, since: dt.datetime | None) -> list[NewInquiry]:
        try:
            return await asyncio.to_thread(self._fetch, seller_id, since)
        except SourceError as error:
            raise _error(error) from error

    async def already_answered(self, inquiry: InquiryRef) -> bool | None:
        try:
            return await asyncio.to_thread(self._answered, inquiry)
        except SourceError as error:
            raise _error(error) from error

    async def post(self, inquiry: InquiryRef, text: str) -> Posted:
        try:
            return await asyncio.to_thread(self._post, inquiry, text)
        except SourceError as error:
            raise _error(error) from error


def naver_sources(
    sessions: sessionmaker[Session], settings: Settings
) -> dict[str, NaverInquirySource]:
    """Both kinds, keyed by source name (to add to bot.inquiry_flow.sources_for)."""
    return {name: NaverInquirySource(name, sessions, settings) for name in (QNA, INQUIRY)}
