"""Answers without asking, for FAQ-like questions (a per-seller setting, off by default).

A draft is answered automatically only when all of these hold:

1. the seller turned it on (`/inquiries auto on`; storage.inquiry_outbox.inquiry_settings);
2. the draft reuses a past answer of the seller whose question is a near-duplicate:
   its similarity (tools.retrieval.inquiries.similar_inquiries: 0.4 x embedding
   + 0.6 x rarity-weighted shared words + 0.1 for the same product) is at least
   `AUTO_MIN` (0.8), and both questions concern the same product (known on both);
3. nothing needs checking (no stale or unsupported sentence was left out, the guard
   accepted the draft, no date or time to come was asked, nothing was in another
   language: tools.inquiries.drafting) and the draft holds no figure outside the
   product's facts and no promise (refund, exchange, free, compensation: `PROMISE`),
   whatever the past answer said.

So what goes out alone is the seller's own words for the same question about the
same product, with nothing in it that can go stale: care, materials, packing ("손세척을
권장드려요", "made without synthetic preservatives"), not prices, dates or refunds.

Every automatic answer is still written to the outbox and posted once like an
approved one, and the seller's chat is told at once with the question and the answer.

Measured by `.venv/bin/python bench/inquiries.py [--past-inquiries N]`: the share of
auto-answers judged right on the held-out inquiries, and, leave-one-out, on the demo
seller's own answered questions asked again (right: it holds the answer the seller
gave).
"""

from __future__ import annotations

import re
from typing import Any

from tools.inquiries.drafting import Drafted

AUTO_MIN = 0.8
PROMISE = re.compile(
    r"환불|교환|반품|무료|보상|적립|쿠폰|약속|refund|exchange|replace|free|compensat|coupon|guarantee",
    re.IGNORECASE,
)
_NUMBER = re.compile(r"\d[\d,.]*")


def _fact_numbers(facts: dict[str, Any]) -> set[str]:
    numbers: set[str] = set()
    for value in facts.values():
        if isinstance(value, int):
            numbers.update({str(value), f"{value:,}"})
        elif isinstance(value, str):
            numbers.update(_NUMBER.findall(value))
    return numbers


def may_answer(drafted: Drafted) -> bool:
    """Whether `drafted` may be posted without the seller (rules 2 and 3 above)."""
    meta = drafted.meta
    if drafted.needs_check or meta.get("used") is None or drafted.product_id is None:
        return False
    used = next((past for past in meta.get("sources", []) if past.get("id") == meta["used"]), None)
    if used is None or float(used.get("score", 0.0)) < AUTO_MIN:
        return False
    if used.get("product_id") != drafted.product_id:
        return False
    if PROMISE.search(drafted.text):
        return False
    allowed = _fact_numbers(meta.get("facts") or {})
    return all(number.rstrip(".,") in allowed for number in _NUMBER.findall(drafted.text))
