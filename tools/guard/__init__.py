"""The answer guard: every figure a model writes must come from this turn's tool results.

A model answer is accepted only if each figure in it can be read off the tool results
the way the answer reads it (see check): the value within the precision shown (148만,
약 150만, 1.5M, 두 배, 이백만 원), the kind and measure its words give it (주문 39건 is a
count of paid orders, 70개 of units, 원 money, 12% a ratio of the field it names), the
direction beside it (38.8% 감소 needs a fall), and the item it speaks of. Dates and
times are dates, not figures; numbers of the question and the tool arguments are
parameters (지난 7일, top 3), never results. An answer with no tool figure where the
question asked for one, after calls that all failed, or claiming an action, is refused.

The guard is pure and fast (no I/O), and never raises: an answer it cannot read is
refused, and the caller sends the templated answer instead.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from tools.guard.check import Verdict, verdict
from tools.guard.facts import gather

__all__ = ["Verdict", "check_answer"]


def check_answer(answer: str, sources: Iterable[Any]) -> Verdict:
    """Accept `answer` when each of its figures is supported by `sources`.

    `sources` as tools/advisor.py passes them: the seller's question, the turn's local
    date (ISO), then for each tool call its arguments and the result the model read
    (`{"error": ...}` for a call that failed or named no tool). Any other list is read
    leniently: strings as the question, dicts as tool results.
    """
    try:
        return verdict(answer, gather(sources))
    except Exception as exc:  # noqa: BLE001 - a guard that cannot read an answer refuses it
        return Verdict(ok=False, reasons=(f"unreadable: {type(exc).__name__}",))
