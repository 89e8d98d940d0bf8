"""A draft for an inquiry of the loop, checked before the seller sees it.

The words come from tools.retrieval.inquiries (the product's facts for the asked
topics, the seller's closest past answer in the question's language, fixed
sentences) and, for an inquiry about an order, the order's status as the data holds
it (prompts/inquiry.<lang>.yaml `facts.order`). Four checks follow:

1. A past answer is the seller's policy (fees, return days, how shipping works), but
   what it said about the moment it was written is not: a sentence of the reused
   answer about stock or a schedule (재입고, 입고 예정, 품절, 다음 주, back in stock ...
   `VOLATILE`) is not repeated; it needs checking, unless it only conditions a request
   to the customer ("내일 오전에도 조회되지 않으면 다시 문의해 주세요": `stale`).
2. The answer guard (tools.guard.check_answer) reads the draft against the
   product's facts, the order's facts and the kept sentences of the past answer: a
   sentence with a figure or date they do not hold is removed and needs checking.
3. A question asking for a date or time to come (재입고 언제?, when will it arrive?:
   the `when` words) is answered only by the seller's own lead time (a kept
   sentence of the past answer with a `lead_time` word: 당일 출고, 1~3영업일); no
   product or order fact holds a future date, so otherwise the date needs checking
   (`checks.when`), while what the data holds (today's stock, the order's status)
   is still stated. A question about a return to stock (`restock` words) is
   answered by today's stock only while the product is in stock.
4. Nothing in another language than the question's is pasted: the closest past
   answer in another language is left out (tools.retrieval.inquiries `left_out`),
   and an English draft's sentence with Korean in it (a Korean product name or
   option text) is taken out; both are listed for the seller to check.

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
from tools.retrieval._text import compact
from tools.retrieval.inquiries import InquiryDraft, InquiryTexts, language_of
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
# ... unless it is only the condition of a request to the customer, which holds from
# whenever it is read: "내일 오전에도 조회되지 않으면 다시 문의해 주세요."
_CONDITION = re.compile(r"^.*?[가-힣]면(?:\s|,)|\b(?:if|unless)\b[^,]*,", re.IGNORECASE)
_REQUEST = re.compile(r"주세요|주시기 바랍니다|\bplease\b", re.IGNORECASE)
_FIGURE = re.compile(r"\d")
_SENTENCE = re.compile(r"(?<=[.!?。])\s+|\n+")
LANGS = ("ko", "en")


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


def stale(sentence: str) -> bool:
    """Whether a past answer's sentence speaks of stock or a time to come (`VOLATILE`)
    outside the condition of a request ("...않으면 다시 문의해 주세요")."""
    if VOLATILE.search(sentence) is None:
        return False
    condition = _CONDITION.search(sentence)
    if condition is None:
        return True
    rest = sentence[: condition.start()] + sentence[condition.end() :]
    return VOLATILE.search(rest) is not None or _REQUEST.search(rest) is None


def sentences(text: str) -> list[str]:
    return [part.strip() for part in _SENTENCE.split(text) if part.strip()]


def _order_facts(
    session: Session, seller_id: int, order_id: int | None, zone: ZoneInfo
) -> dict[str, Any] | None:
    if order_id is None:
        return None
    order = session.get(Order, order_id)
    if order is None or order.seller_id != seller_id:
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
    """The checked draft for an inquiry of the loop (see the module docstring)."""
    return draft_question(
        retrieval, session, inquiry.seller_id, inquiry.question, now=now, order_id=inquiry.order_id
    )


def draft_question(
    retrieval: Retrieval,
    session: Session,
    seller_id: int,
    question: str,
    *,
    now: dt.datetime,
    order_id: int | None = None,
) -> Drafted:
    """The checked draft for a customer's `question` to the seller, about the order
    `order_id` when given: the one drafting of the inquiry loop and of the chat tool
    `inquiry_draft` (a question the seller forwards or pastes)."""
    seller = session.get(Seller, seller_id)
    assert seller is not None
    zone = seller.zone
    lang = language_of(question)
    raw: InquiryDraft = retrieval.draft_inquiry(
        session, seller_id, question, lang, currency=seller.currency
    )
    texts = retrieval.texts
    reused = next((past for past in raw.sources if past.id == raw.used), None)
    past_sentences = sentences(reused.answer) if reused is not None else []
    order = _order_facts(session, seller_id, order_id, zone)
    facts = dict(raw.facts)
    today = now.astimezone(zone).date()
    facts_only = _guard_sources(question, today, facts, order, "")
    volatile = [
        sentence
        for sentence in past_sentences
        if stale(sentence)
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
    if lang == "en":  # an English draft never carries Korean text
        checks.extend(line for line in body if language_of(line) != lang)
        body = [line for line in body if language_of(line) == lang]
    if order is not None and order["status"] in texts.data(lang)["facts"]["order"]:
        body = _before_closing(
            body, texts.say(lang, f"facts.order.{order['status']}", **order), texts, lang
        )
    sources = _guard_sources(question, today, facts, order, " ".join(kept))
    verdict = check_answer("\n".join(body), sources)
    if not verdict.ok:
        body, refused = _without_unsupported(body, verdict.unsupported)
        checks.extend(refused)
    stock = facts.get("stock")
    in_stock = isinstance(stock, int) and stock > 0
    if (
        _mentions(texts, "when", question, unless="when_not")
        and not any(_mentions(texts, "lead_time", line) for line in kept if line in body)
    ) or (_mentions(texts, "restock", question) and not in_stock):
        checks.append(texts.say(lang, "checks.when"))
    left_out = next((past for past in raw.sources if past.id == raw.left_out), None)
    if left_out is not None:
        checks.extend(sentences(left_out.answer))
    holding = texts.say(lang, "unknown")
    if checks and holding not in body:
        body = _before_closing(body, holding, texts, lang)
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
        "left_out": raw.left_out,
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


def _before_closing(body: list[str], sentence: str, texts: InquiryTexts, lang: str) -> list[str]:
    """`sentence` before the "we will check" sentence, else before the closing sentence,
    else at the end."""
    for anchor in (texts.say(lang, "unknown"), texts.say(lang, "closing")):
        if anchor in body:
            at = body.index(anchor)
            return [*body[:at], sentence, *body[at:]]
    return [*body, sentence]


def _mentions(texts: InquiryTexts, key: str, text: str, *, unless: str = "") -> bool:
    """Whether `text` holds one of the words listed under `key`, in any language's file
    (compared without spacing or punctuation), once the words under `unless` are taken
    out of it."""
    squeezed = compact(text)
    for word in _words(texts, unless) if unless else ():
        squeezed = squeezed.replace(word, "")
    return any(word in squeezed for word in _words(texts, key))


def _words(texts: InquiryTexts, key: str) -> list[str]:
    found = (compact(str(item)) for lang in LANGS for item in texts.data(lang).get(key, []))
    return [word for word in found if word]
