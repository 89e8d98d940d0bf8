"""A draft for an inquiry of the loop, checked before the seller sees it.

The words come from tools.retrieval.inquiries (the product's facts for the asked
topics, the seller's closest past answer, fixed sentences). Two checks follow:

1. A past answer is the seller's policy (fees, return days, how shipping works), but
   what it said about the moment it was written is not: a sentence of the reused
   answer about stock or a schedule (재입고, 입고 예정, 품절, 다음 주, back in stock ...
   `VOLATILE`) is not repeated; it needs checking.
2. The answer guard (tools.guard.check_answer) reads the draft against the
   product's facts, the order's facts and the kept sentences of the past answer: a
   sentence with a figure or date they do not hold is removed and needs checking.

What needs checking is listed for the seller; in its place the draft says the shop
will check and answer (prompts/inquiry.<lang>.yaml `unknown`), so a draft sent
unchanged never states what the data does not support.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from storage.models import Inquiry, Order, OrderItem, Product, Seller
from tools.guard import check_answer
from tools.retrieval.inquiries import InquiryDraft
from tools.retrieval.service import Retrieval

# A sentence of a past answer that speaks of stock or of a time to come: true when it
# was written, maybe not now (matched case-insensitively, without regard to spacing).
VOLATILE = re.compile(
    r"재입고|입고\s*예정|입고될|입고되|품절|재고\s*[0-9]|[0-9,]+\s*개\s*남|다음\s*주|이번\s*주|이번\s*달|"
    r"다음\s*달|월말|내일|모레|restock|back in stock|sold out|out of stock|in stock|next week|"
    r"this week|end of (?:the )?month|tomorrow|"
    r"\d{1,2}\s*월\s*\d{1,2}\s*일|\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+\d{1,2}\b",
    re.IGNORECASE,
)
_FIGURE = re.compile(r"\d")
_SENTENCE = re.compile(r"(?<=[.!?。])\s+|\n+")
_HANGUL = re.compile(r"[가-힣]")


def language_of(text: str) -> str:
    return "ko" if _HANGUL.search(text) else "en"


@dataclass(frozen=True, slots=True)
class Drafted:
    """The text ✅ sends, what the seller must check first (empty: nothing), and what
    the draft drew on (for /trace)."""

    text: str
    checks: tuple[str, ...]  # sentences left out: stale or unsupported claims
    known: bool  # False: neither a fact nor a past answer speaks to the question
    product_id: int | None
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def needs_check(self) -> bool:
        return bool(self.checks) or not self.known


def sentences(text: str) -> list[str]:
    return [part.strip() for part in _SENTENCE.split(text) if part.strip()]


def _order_facts(session: Session, inquiry: Inquiry, zone: ZoneInfo) -> dict[str, Any] | None:
    if inquiry.order_id is None:
        return None
    order = session.get(Order, inquiry.order_id)
    if order is None or order.seller_id != inquiry.seller_id:
        return None
    names = [
        name
        for (name,) in session.query(Product.name)
        .join(OrderItem, OrderItem.product_id == Product.id)
        .filter(OrderItem.order_id == order.id)
    ]
    return {
        "order_no": order.external_id,
        "status": order.status,
        "ordered_on": order.ordered_at.astimezone(zone).date().isoformat(),
        "products": names,
        "units": order.units,
        "revenue": order.revenue,
    }


def _guard_sources(
    question: str,
    today: dt.date,
    facts: dict[str, Any],
    order: dict[str, Any] | None,
    kept_past: str,
) -> list[Any]:
    summary: dict[str, Any] = {"inquiry": question}
    if facts:
        summary["product"] = facts
    if order:
        summary["order"] = order
    if kept_past:
        summary["closest_past_answer"] = kept_past
    return [question, today.isoformat(), {}, summary]


def draft_for(
    retrieval: Retrieval, session: Session, inquiry: Inquiry, *, now: dt.datetime
) -> Drafted:
    """The checked draft for `inquiry` (see the module docstring)."""
    seller = session.get(Seller, inquiry.seller_id)
    assert seller is not None
    zone = seller.zone
    lang = language_of(inquiry.question)
    raw: InquiryDraft = retrieval.draft_inquiry(
        session, inquiry.seller_id, inquiry.question, lang, currency=seller.currency
    )
    texts = retrieval.texts
    reused = next((past for past in raw.sources if past.id == raw.used), None)
    past_sentences = sentences(reused.answer) if reused is not None else []
    order = _order_facts(session, inquiry, zone)
    facts = dict(raw.facts)
    today = now.astimezone(zone).date()
    facts_only = _guard_sources(inquiry.question, today, facts, order, "")
    volatile = [
        sentence
        for sentence in past_sentences
        if VOLATILE.search(sentence)
        or (  # a price, stock or option figure must be today's, not the past answer's
            _FIGURE.search(sentence)
            and texts.topics(sentence)
            and not check_answer(sentence, facts_only).ok
        )
    ]
    kept = [s for s in past_sentences if s not in volatile]
    checks: list[str] = list(volatile)

    lines = [line for line in raw.text.split("\n") if line.strip()]
    body: list[str] = []
    for line in lines:
        if reused is not None and line.strip() == reused.answer.strip():
            body.extend(kept)
        else:
            body.append(line)
    sources = _guard_sources(inquiry.question, today, facts, order, " ".join(kept))
    verdict = check_answer("\n".join(body), sources)
    if not verdict.ok:
        body, refused = _without_unsupported(body, verdict.unsupported)
        checks.extend(refused)
    if checks and raw.knows:
        body = _with_holding_sentence(body, texts.say(lang, "unknown"), texts, lang)
    meta = {
        "lang": lang,
        "used": raw.used,
        "sources": [
            {
                "id": past.id,
                "question": past.question,
                "answer": past.answer,
                "score": past.score,
                "product_id": past.product_id,
            }
            for past in raw.sources
        ],
        "facts": facts,
        "order": order,
        "topics": list(raw.topics),
        "guard": list(verdict.reasons),
        "knows": raw.knows,
    }
    return Drafted(
        text="\n".join(body),
        checks=tuple(dict.fromkeys(checks)),
        known=raw.knows,
        product_id=raw.product.id if raw.product is not None else None,
        meta=meta,
    )


def _without_unsupported(
    body: list[str], unsupported: tuple[str, ...]
) -> tuple[list[str], list[str]]:
    """The draft's sentences without those holding an unsupported figure; the removed ones."""
    kept: list[str] = []
    removed: list[str] = []
    for line in body:
        for sentence in sentences(line):
            if any(figure and figure in sentence for figure in unsupported):
                removed.append(sentence)
            else:
                kept.append(sentence)
    return kept, removed


def _with_holding_sentence(body: list[str], holding: str, texts: Any, lang: str) -> list[str]:
    """`holding` before the closing sentence (or at the end)."""
    closing = texts.say(lang, "closing")
    if body and body[-1] == closing:
        return [*body[:-1], holding, closing]
    return [*body, holding]
