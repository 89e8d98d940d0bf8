"""Customer inquiries (배송, 재고, 사이즈, 교환/환불) and the seller's answers.

Questions arrive uniformly over the history and are answered 10 minutes to a
day later; one still unanswered at `until` has no answer yet. A share of them
(FAQ_SHARE) are the questions the seller answers with the same words every time
(care, materials, packing: catalog.FAQ_INQUIRIES fitting the product's category),
and a share (ENGLISH_SHARE) are asked and answered in English where the template
has an English version (catalog.ENGLISH_INQUIRIES) and the product an English name.
Those choices are drawn after every other draw, so the rest of a store is the same
rows whatever they are.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import numpy as np

from storage.demo.catalog import ENGLISH_INQUIRIES, FAQ_INQUIRIES, INQUIRIES
from storage.demo.orders import Catalog
from storage.demo.timeline import Hours

Array = np.ndarray[Any, Any]
LINKED_WITHOUT_MENTION = 0.7  # general questions asked from a product page
FAQ_SHARE = 0.4
ENGLISH_SHARE = 0.15
_KO_PRODUCT = re.compile(r"\{product\}\S*\s")  # the name and its particle: "{product}에 "


@dataclass(frozen=True, slots=True)
class Inquiries:
    asked: Array  # sorted epoch seconds
    answered: Array  # epoch seconds, -1 while unanswered
    product: Array  # catalog index, -1 for none
    question: list[str]
    answer: list[str | None]

    @property
    def count(self) -> int:
        return len(self.asked)


def build_inquiries(
    count: int, hours: Hours, catalog: Catalog, rng: np.random.Generator
) -> Inquiries:
    if hours.until <= hours.start:
        count = 0  # an empty history (it ends at the first local midnight)
    asked = np.sort(rng.integers(hours.start, max(hours.until, hours.start + 1), size=count))
    delay = 600 + np.minimum(rng.exponential(5 * 3600, size=count), 86_400).astype(np.int64)
    answered = np.where(asked + delay <= hours.until, asked + delay, -1)
    template = rng.integers(0, len(INQUIRIES), size=count)
    popularity = catalog.weights.mean(axis=0)
    product = rng.choice(catalog.size, size=count, p=popularity / popularity.sum())
    linked = rng.random(count) < LINKED_WITHOUT_MENTION
    questions: list[str] = []
    answers: list[str | None] = []
    products = product.copy()
    day = np.searchsorted(hours.starts, asked, side="right") - 1
    faq = rng.random(count) < FAQ_SHARE
    english = rng.random(count) < ENGLISH_SHARE
    pick = rng.random(count)
    for index in range(count):
        _, question, answer = INQUIRIES[int(template[index])]
        item = int(product[index])
        if faq[index]:
            fitting = [t for t in FAQ_INQUIRIES if not t[0] or catalog.categories[item] in t[0]]
            _, question, answer = fitting[int(pick[index] * len(fitting))]
        name, unnamed = catalog.names[item], "해당 상품"
        name_en = catalog.names_en[item]
        in_english = bool(english[index] and name_en and question in ENGLISH_INQUIRIES)
        if in_english:
            question, answer = ENGLISH_INQUIRIES[question]
            name, unnamed = f"the {name_en}", "it"
        mentions = "{product}" in question
        if catalog.launch_day[product[index]] > hours.day[day[index]]:
            products[index] = -1
            mentions = False
        if mentions:
            questions.append(question.format(product=name))
        else:
            questions.append(
                question.format(product=unnamed) if in_english else _KO_PRODUCT.sub("", question)
            )
            if not linked[index]:
                products[index] = -1
        if products[index] >= 0:
            reply = answer.format(product=name)
        else:
            reply = answer.replace("{product}", unnamed)
        answers.append(reply if answered[index] >= 0 else None)
    return Inquiries(asked, answered, products, questions, answers)
