"""What a place customers ask in must offer the loop (an `InquirySource`).

- `fetch_new`: questions asked since the last look (a pull source such as the Naver
  Commerce Q&A); a push source (Telegram Business: updates) returns none.
- `already_answered`: re-read whether the question has an answer there now (the
  seller answered on the platform); None when the platform cannot tell.
- `post`: post the answer where the question was asked; raises `PostError`.

`rereads` says whether `already_answered` reads the platform: then an answer cut off
mid-post is retried (the re-read finds it if it arrived); otherwise it is marked
unknown and the seller is told, never posted twice.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

PostFailure = Literal["refused", "retry", "unknown"]


@dataclass(frozen=True, slots=True)
class InquiryRef:
    """An inquiry as a source needs it to answer."""

    id: int
    seller_id: int
    source: str
    external_id: str | None
    asked_at: dt.datetime
    reply_to: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class NewInquiry:
    """A question a pull source found."""

    external_id: str
    question: str
    asked_at: dt.datetime
    product_external_id: str | None = None
    order_external_id: str | None = None
    customer: str | None = None
    answer: str | None = None  # answered there already: recorded as a past answer
    reply_to: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Posted:
    ref: str | None = None  # the platform's id of the answer (a message id, a link)


class PostError(Exception):
    """A post that did not happen (`refused`: the platform said no, say why; `retry`:
    the request never left; `unknown`: cut off after it left). `reason` is a message
    key under bot.inquiry.failed (no_rights, disconnected, window, refused, ...)."""

    def __init__(self, kind: PostFailure, reason: str, detail: str = "") -> None:
        super().__init__(f"{kind}: {reason} {detail}".strip())
        self.kind: PostFailure = kind
        self.reason = reason
        self.detail = detail


class InquirySource(Protocol):
    name: str
    rereads: bool

    async def fetch_new(self, seller_id: int, since: dt.datetime | None) -> list[NewInquiry]: ...

    async def already_answered(self, inquiry: InquiryRef) -> bool | None: ...

    async def post(self, inquiry: InquiryRef, text: str) -> Posted: ...
