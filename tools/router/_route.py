"""route(): a question to a tool and its arguments, offline."""

from __future__ import annotations

import datetime as dt
import re
import threading
import unicodedata
import weakref
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from analytics.periods import (
    Period,
    PeriodError,
    default_period,
    find_period,
    names_previous,
    previous_of,
)
from tools.catalog import CATALOG, entry
from tools.prompts import PromptStore, ToolSpec
from tools.router import _slots as slots
from tools.router._catalogue import GENERIC_WORDS, Mention, Named, NameIndex
from tools.router._intent import IntentIndex, Scores
from tools.router._text import PLACEHOLDER, Folded, compact, has_hangul, strip_particle
from tools.router._topics import TopicIndex
from tools.router._types import CampaignRef, Candidate, ProductRef, RouteError, RouteResult

MAX_CHARS = 2000
MAX_CANDIDATES = 8

# Scores of the intent classifier (cosine similarity plus cue-word bonus).
MIN_SCORE = 0.25  # below: nothing to route...
MIN_CUED_SCORE = 0.15  # ...unless the question has the tool's cue words and reaches this
STANDALONE_SCORE = 0.5  # at or above: the question stands on its own
FOLLOWUP_MARGIN = 0.08  # a new tool must beat the previous turn's tool by this to take over
ENTITY_BONUS = 0.3  # a named product for a product tool (and the malus without one)
_CAMPAIGN_TOOL = "ad_report"  # the one tool that takes a campaign
LIST_TOOL = "product_report"  # what "the second one" of a listed result runs
COMPARE_TOOL = "sales_report"  # what a bare "November vs October" compares
TAUGHT_SCORE = 0.8  # at or above: the question is an operator's example (nearly) word for word
_PRODUCT_TOOLS = tuple(name for name in CATALOG if entry(name).entity == "product")

# Code or SQL is not a question ("'; DROP TABLE orders; --").
_CODE = re.compile(
    r"\b(?:drop|delete|truncate|alter)\s+(?:table|database|from)\b|\bunion\s+select\b|"
    r"\bselect\s+[\w*,\s]+\s+from\b|\binsert\s+into\b|;\s*--|<\s*script\b",
    re.I,
)

_LETTER = re.compile(r"[^\W\d_]", re.UNICODE)


@dataclass(frozen=True)
class _Intent:
    index: IntentIndex
    specs: dict[str, ToolSpec]


class _IntentCache:
    """The intent index of one PromptStore, rebuilt when its files change."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_store: weakref.WeakKeyDictionary[PromptStore, tuple[int, _Intent]] = (
            weakref.WeakKeyDictionary()
        )

    def get(self, prompts: PromptStore) -> _Intent:
        version = prompts.tools_version
        with self._lock:
            cached = self._by_store.get(prompts)
            if cached is not None and cached[0] == version:
                return cached[1]
        specs = prompts.tools()
        trained = [spec for spec in specs.values() if spec.examples]
        intent = _Intent(IntentIndex(trained), specs)
        with self._lock:
            self._by_store[prompts] = (version, intent)
        return intent


_INTENTS = _IntentCache()


_TOPICS_LOCK = threading.Lock()
_TOPIC_INDEXES: dict[int, tuple[object, TopicIndex]] = {}


def _topics(prompts: PromptStore) -> TopicIndex:
    """The unsupported topics of prompts/unsupported.yaml, indexed once per version."""
    topics = prompts.unsupported_topics()
    with _TOPICS_LOCK:
        cached = _TOPIC_INDEXES.get(id(topics))
        if cached is not None and cached[0] is topics:
            return cached[1]
        index = TopicIndex(topics)
        if len(_TOPIC_INDEXES) > 16:
            _TOPIC_INDEXES.clear()
        _TOPIC_INDEXES[id(topics)] = (topics, index)
        return index


SYNONYMS_FILE = "product_words.yaml"  # `same: [[스텐, 스테인리스, stainless], ...]`

_Groups = tuple[frozenset[str], ...]


def _synonyms(prompts: PromptStore) -> _Groups:
    """Interchangeable product words from prompts/product_words.yaml, if present."""
    data = prompts.data(SYNONYMS_FILE)
    groups = data.get("same") if isinstance(data, dict) else None
    if not isinstance(groups, list):
        return ()
    return tuple(
        frozenset(word for word in (compact(str(w)) for w in group) if word)
        for group in groups
        if isinstance(group, list)
    )


@lru_cache(maxsize=32)
def _product_index(
    catalogue: tuple[ProductRef, ...], common: frozenset[str], synonyms: _Groups
) -> NameIndex:
    return NameIndex(
        (Named(p.id, tuple(n for n in (p.name, p.name_en) if n), p.sku) for p in catalogue),
        common_words=common,
        synonyms=synonyms,
    )


@lru_cache(maxsize=32)
def _category_index(
    categories: tuple[str, ...], common: frozenset[str], synonyms: _Groups
) -> NameIndex:
    """The categories as names to find, each by its position in `categories`."""
    return NameIndex(
        (Named(i, (name,)) for i, name in enumerate(categories)),
        common_words=common,
        synonyms=synonyms,
    )


def _categories(catalogue: Sequence[ProductRef]) -> tuple[str, ...]:
    """The distinct categories of the catalogue as stored, in name order."""
    named = {p.category.strip(): None for p in catalogue if p.category and p.category.strip()}
    return tuple(sorted(named))


@lru_cache(maxsize=32)
def _campaign_index(
    campaigns: tuple[CampaignRef, ...], common: frozenset[str], synonyms: _Groups
) -> NameIndex:
    return NameIndex(
        (Named(c.id, (c.name,)) for c in campaigns), common_words=common, synonyms=synonyms
    )


def route(
    question: str,
    *,
    now: dt.datetime,
    tz: ZoneInfo,
    catalogue: Sequence[ProductRef],
    campaigns: Sequence[CampaignRef],
    previous: RouteResult | None = None,
    prompts: PromptStore,
) -> RouteResult:
    """The tool and contract arguments for `question` (see RouteResult).

    Korean or English, any spacing, casual or formal, with typos. `previous` is
    the last turn's result in the same chat, for follow-ups ("그럼 지난달은?").
    """
    text = unicodedata.normalize("NFC", question or "").strip()
    lang = "ko" if has_hangul(text) else "en"
    if not text:
        return RouteResult(
            None, error=RouteError("empty"), lang=previous.lang if previous else "en"
        )
    if len(text) > MAX_CHARS:
        return RouteResult(
            None,
            error=RouteError("text_too_long", {"length": len(text), "limit": MAX_CHARS}),
            lang=lang,
        )
    if not _LETTER.search(text):
        return RouteResult(None, lang=previous.lang if previous and not has_hangul(text) else lang)
    intent = _INTENTS.get(prompts)
    synonyms = _synonyms(prompts)
    turn = _Turn(text, lang, now, tz, catalogue, campaigns, previous, intent, synonyms)
    return turn.route(_topics(prompts))


def ranked_tools(question: str, *, prompts: PromptStore) -> tuple[tuple[str, float], ...]:
    """The enabled tools by the intent classifier's score for `question`, best first
    (cosine similarity to the tool's example questions plus its cue words; none of
    route()'s follow-up or product rules): which tools are plausible at all."""
    text = unicodedata.normalize("NFC", question or "").strip()
    intent = _INTENTS.get(prompts)
    return tuple(
        (name, score)
        for name, score in intent.index.score(text).ranked
        if intent.specs[name].enabled
    )


class _Turn:
    """One question read once: period, quoted text, named product and campaign,
    intent scores; `route()` then decides."""

    def __init__(
        self,
        text: str,
        lang: str,
        now: dt.datetime,
        tz: ZoneInfo,
        catalogue: Sequence[ProductRef],
        campaigns: Sequence[CampaignRef],
        previous: RouteResult | None,
        intent: _Intent,
        synonyms: _Groups,
    ) -> None:
        self.text = text
        self.lang = lang
        self.now = now
        self.tz = tz
        self.previous = previous if previous is not None and previous.tool else None
        self.intent = intent
        common = intent.index.common_words
        self.products = _product_index(tuple(catalogue), common, synonyms)
        self.campaigns = _campaign_index(tuple(campaigns), common, synonyms)
        self.category_names = _categories(catalogue)
        self.categories = _category_index(self.category_names, common, synonyms)

        self.quoted = slots.find_quoted(text)
        self.period: Period | None = None
        self.period_error: PeriodError | None = None
        try:
            self.period = find_period(text, now=now, tz=tz)
        except PeriodError as error:
            self.period_error = error
        previous_period = self.previous.period if self.previous is not None else None
        before: list[tuple[int, int]] = []
        if previous_period is not None and names_previous(text):
            # "그 전주", "the week before": the period before the last one talked about
            self.period, self.period_error = previous_of(previous_period, now, tz), None
            before = _phrase_spans(text, names_previous)
        self.chart_spans = slots.chart_spans(text)  # "차트도", "with a chart"
        skip = [
            span
            for span in (
                self.period.span if self.period else None,
                self.quoted.span if self.quoted else None,
                *self.chart_spans,
                *before,
            )
            if span
        ]
        self.skip = skip
        folded = Folded.of(text)
        self.unplaced: str | None = None  # words naming something not in the catalogue
        self.product = self.products.find(folded, skip=skip)
        if self.product is not None and self.product.sized_only and not self._resizes(skip):
            # "토너 200ml" is not "디퓨저 200ml": the other words name what was asked about
            self.unplaced = self._named_words(self.product, skip) or None
            self.product = None
        self.campaign = self.campaigns.find(folded, skip=skip)
        named = [*skip, self.campaign.span] if self.campaign is not None else skip
        self.chosen_category: str | None = None  # picked from "which category" choices
        if self.product is not None and self._weak(self.product, synonyms, named):
            self.unplaced = (
                self._original(self.product)
                + " "
                + self._leftover_of(self._blank([*named, self.product.span]))
            )
            self.product = None
        self.category = self.categories.find(folded, skip=skip) or self._short_category(skip)
        self.category_marked = slots.names_category(text)
        if self.category is not None and self.category.ambiguous:
            self.category = None
        if self.product is not None and (
            (self.category is not None and _names_more(self.category, self.product))
            or (self.category_marked and not self.product.exact)
        ):
            # "커피 카테고리 매출": a category word (or a word marked as a category)
            # is not a product name; a product named more fully than a category wins
            self.product = None
        if self.category is not None and self.product is not None:
            self.category = None
        # the campaign is what is named when its name covers more of the question
        self.product_is_entity = self.product is not None and not (
            self.campaign is not None
            and _overlaps(self.product.span, self.campaign.span)
            and self.campaign.covered > self.product.covered
        )
        named_product = [self.product.span] if self.product and self.product_is_entity else []
        if self.category is not None:
            named_product.append(self.category.span)
        self.rest = self._blank(skip + named_product)  # what is left to read slots from
        # a category's name says which products, not which analysis
        named_category = [self.category.span] if self.category is not None else []
        self.scores = self._adjust(
            self.intent.index.score(self._classification_text(skip + named_category))
        )

    # -- the decision ------------------------------------------------------------

    def route(self, topics: TopicIndex) -> RouteResult:
        cue = slots.split_cue(self.text)
        if cue is not None and cue.kind == "inquiry":
            return self._result("inquiry_draft", {"inquiry": cue.text[:MAX_CHARS]}, score=1.0)
        if cue is not None:
            return self._result("advice", {"topic": slots.advice_topic(cue.text)}, score=1.0)
        picked = self._pick_choice() or self._pick_listed()
        if picked is not None:
            return picked
        topic = self._unsupported(topics)
        if topic is not None:
            return RouteResult(
                None,
                error=RouteError("unsupported", {"topic": topic}),
                lang=self.lang,
                score=round(self.scores.best[1], 4),
            )
        return self._decide(self.scores)

    def _unsupported(self, topics: TopicIndex) -> str | None:
        """The topic the store data does not hold that the question is about, unless
        an operator taught a tool this very question, or it asks for an inquiry
        draft or advice (free text about anything). A misspelt topic word counts
        only among the words no tool uses (what would otherwise be a product name)."""
        best, score = self.scores.best
        if best is not None and score >= TAUGHT_SCORE:
            return None
        if best == "inquiry_draft" and slots.asks_for_inquiry(self.text):
            return None
        if best == "advice" and slots.asks_for_advice(self.text):
            return None
        spans = [self.campaign.span] if self.campaign is not None else []
        return topics.find(self._blank_rest(spans)) or topics.find_misspelt(self._leftover())

    def _adjust(self, scores: Scores) -> Scores:
        """A named product points at the tools about one product; such a tool without
        any product (named, referred to, or an unknown name) is unlikely. A campaign
        named (one, and no product) points at the campaigns' report: its name's
        words ("감귤 검색광고", "brand search") say which campaign, not which analysis."""
        if self.campaign is not None and not self.campaign.ambiguous and not self.product_is_entity:
            scores = scores.adjusted(_CAMPAIGN_TOOL, ENTITY_BONUS)
        if self.product is not None and self.product_is_entity:
            bonus = ENTITY_BONUS
        elif not slots.mentions_previous_product(self.rest) and not self._leftover():
            bonus = -ENTITY_BONUS
        else:
            return scores
        for name in _PRODUCT_TOOLS:
            scores = scores.adjusted(name, bonus)
        return scores

    def _placeable(self, scores: Scores) -> bool:
        """Enough resemblance to the examples, or less with the tool's own cue words."""
        best, score = scores.best
        if best is None:
            return False
        return score >= MIN_SCORE or (best in scores.cued and score >= MIN_CUED_SCORE)

    def _decide(self, scores: Scores) -> RouteResult:
        best, score = scores.best
        last = self.previous.tool if self.previous is not None else None
        if _CODE.search(self.text):
            return RouteResult(None, lang=self.lang, score=score)
        if slots.is_thanks(self.text):
            return RouteResult(None, error=RouteError("thanks"), lang=self.lang, score=score)
        if last is not None and self.chart_spans and self._only_chart():
            # "차트도", "with a chart", "그래프로": the same answer, with its chart
            return self._followup(last, score)
        if last is not None and not entry(last).free_text:
            # elliptical: "그럼 지난달은?", "top 10 instead", "20명까지" lean on the last turn;
            # a question that stands on its own starts afresh
            marker = slots.is_followup_phrase(self.rest)
            if marker or (score < STANDALONE_SCORE and self._content_words() <= 2):
                named = self._named_slots()
                close = score - scores.of(last) < FOLLOWUP_MARGIN
                placeable = self._placeable(scores)
                if (best == last or close or not placeable) and (named or marker):
                    return self._followup(last, score)
                if best is not None and marker and placeable:
                    return self._fresh(best, score, inherit=True)
        unknown = self.category_marked and self.category is None and slots.category_query(self.rest)
        if unknown or (self.category is not None and not _takes_category(best)):
            # a category the catalogue lacks is asked about, whatever else the words say;
            # a named category is never dropped: a tool without one ("텀블러 요즘
            # 어때?" with a 텀블러 category) gives way to the best tool that takes it
            by_category = _best_taking_category(scores)
            if by_category is not None:
                return self._fresh(by_category, scores.of(by_category), inherit=False)
        if (
            self.period is not None
            and self.period.versus is not None
            and not self._placeable(scores)
        ):
            # "November vs October", "11월이랑 10월 비교": the sales of one against the other
            return self._fresh(COMPARE_TOOL, scores.of(COMPARE_TOOL), inherit=False)
        if best is None or not self._placeable(scores):
            return RouteResult(None, lang=self.lang, score=score)
        if best == "inquiry_draft":
            inquiry = slots.quoted_inquiry(self.text) or self.text
            return self._result("inquiry_draft", {"inquiry": inquiry[:MAX_CHARS]}, score=score)
        if best == "advice":
            return self._result("advice", {"topic": slots.advice_topic(self.text)}, score=score)
        return self._unless_unplaced(self._fresh(best, score, inherit=False))

    def _unless_unplaced(self, result: RouteResult) -> RouteResult:
        """A store-wide answer to a question that names something the catalogue does
        not have ("black hoodie sales" with no hoodie) is not the answer: the seller
        is asked, with that answer offered as a button (clarify)."""
        if self.unplaced is None or not result.ok or result.tool is None:
            return result
        label = self.intent.specs[result.tool].label_for(self.lang)
        params = {"query": self.unplaced.strip(), "label": label}
        return replace(result, error=RouteError("unplaced", params))

    def _named_slots(self) -> bool:
        return bool(
            self.period
            or self.period_error
            or self.product
            or self.campaign
            or self.quoted
            or slots.find_limit(self.rest)
            or slots.find_metric(self.rest)
            or slots.find_direction(self.rest)
            or slots.find_segment(self.rest)
        )

    # -- building arguments ------------------------------------------------------

    def _fresh(self, tool: str, score: float, *, inherit: bool) -> RouteResult:
        args: dict[str, Any] = CATALOG[tool].defaults()
        previous = self.previous
        if inherit and previous is not None and not self.period and not self.period_error:
            if CATALOG[tool].dated and "start" in previous.args:
                args["start"], args["end"] = previous.args["start"], previous.args["end"]
        if (
            CATALOG[tool].entity == "product"
            and previous is not None
            and "product_id" in previous.args
            and self.product is None
            and slots.mentions_previous_product(self.rest)
        ):
            args["product_id"] = previous.args["product_id"]
        return self._complete(tool, args, score, followup=inherit)

    def _followup(self, tool: str, score: float) -> RouteResult:
        """The previous turn's tool and arguments, with what this question names."""
        assert self.previous is not None
        args = dict(self.previous.args) or CATALOG[tool].defaults()
        return self._complete(tool, args, score, followup=True)

    def _complete(
        self, tool: str, args: dict[str, Any], score: float, *, followup: bool
    ) -> RouteResult:
        """Fill in what the question names, then the defaults; `args` may hold a
        previous turn's values (follow-ups keep what is not named again)."""
        spec = CATALOG[tool]
        args.update(spec.read(_Named(self)))
        if not self.intent.specs.get(tool) or not self.intent.specs[tool].enabled:
            return RouteResult(
                None, error=RouteError("tool_disabled", {"tool": tool}), lang=self.lang, score=score
            )
        period = self.previous.period if followup and self.previous else None
        if spec.default_period is not None:
            if self.period_error is not None:
                args.pop("start", None)
                args.pop("end", None)
                return self._result(
                    tool,
                    args,
                    score=score,
                    followup=followup,
                    error=RouteError(self.period_error.key, dict(self.period_error.params)),
                )
            if self.period is not None:
                args["start"], args["end"] = (
                    self.period.start.isoformat(),
                    self.period.end.isoformat(),
                )
                period = self.period
            elif "start" not in args:
                period = default_period(spec.default_period, now=self.now, tz=self.tz)
                args["start"], args["end"] = period.start.isoformat(), period.end.isoformat()
        unknown = self._unknown_category() or self._campaign_choice(tool)
        if unknown is not None:
            return self._result(
                tool, args, score=score, followup=followup, period=period, **unknown
            )
        if spec.entity == "product":
            return self._product(tool, args, score, followup, period)
        return self._result(tool, args, score=score, followup=followup, period=period)

    def _product(
        self, tool: str, args: dict[str, Any], score: float, followup: bool, period: Period | None
    ) -> RouteResult:
        """A tool about one product: the product named, or choices, or a question;
        two products side by side ("가습기 vs 그라인더") run it for each."""
        pair = self._pair()
        if pair is not None:
            keys = ("product_id", "start", "end")
            runs: list[dict[str, Any]] = [
                {key: value for key, value in {**args, "product_id": pid}.items() if key in keys}
                for pid in pair
            ]
            runs = [{key: run[key] for key in keys if key in run} for run in runs]
            result = self._result(tool, runs[0], score=score, followup=followup, period=period)
            return replace(result, also=(runs[1],)) if result.ok else result
        mention = self.product
        if mention is not None and not mention.ambiguous:
            args["product_id"] = mention.ids[0]
        elif mention is not None:
            args.pop("product_id", None)
            candidates = tuple(
                Candidate("product", i, self.products.label(i))
                for i in mention.ids[:MAX_CANDIDATES]
            )
            return self._result(
                tool,
                args,
                score=score,
                followup=followup,
                period=period,
                candidates=candidates,
                error=RouteError(
                    "ambiguous_product",
                    {"query": self._original(mention), "candidates": [c.label for c in candidates]},
                ),
            )
        elif "product_id" not in args:
            leftover = self._leftover()
            if leftover:
                ids = self.products.suggest(leftover)
                candidates = tuple(Candidate("product", i, self.products.label(i)) for i in ids)
                error = RouteError(
                    "unknown_product",
                    {"query": leftover, "candidates": [c.label for c in candidates]},
                )
            else:
                candidates = ()
                error = RouteError("product_needed", {})
            return self._result(
                tool,
                args,
                score=score,
                followup=followup,
                period=period,
                candidates=candidates,
                error=error,
            )
        ordered = {
            "product_id": args["product_id"],
            "start": args.get("start"),
            "end": args.get("end"),
        }
        return self._result(tool, ordered, score=score, followup=followup, period=period)

    def _weak(self, mention: Mention, synonyms: _Groups, skip: list[tuple[int, int]]) -> bool:
        """A product named only by a colour or material word ("black" of the black tea
        gift set) next to words nothing places ("black hoodie sales" with no hoodie):
        those words name something else, so the product is not taken for it."""
        if mention.exact or mention.ambiguous:
            return False  # several products: the seller is asked anyway (did you mean)
        if self._named_with_another_word(mention, skip):
            return True
        words = [compact(word) for word in mention.text.split()]
        shared = {word for group in synonyms for word in group}
        if not words or not all(word in shared for word in words):
            return False
        return bool(self._leftover_of(self._blank([*skip, mention.span])))

    def _resizes(self, skip: list[tuple[int, int]]) -> bool:
        """A size alone ("10kg는?") names a product only as a follow-up on a product,
        with no other word beside it."""
        previous = self.previous
        if previous is None or "product_id" not in previous.args or self.product is None:
            return False
        rest = self._leftover_of(self._blank([*skip, self.product.span]))
        return not any(len(strip_particle(word)) >= 2 for word in rest.split())

    def _named_words(self, mention: Mention, skip: list[tuple[int, int]]) -> str:
        """The mention with the words nothing places, in the question's order ("토너
        200ml"); empty when no other word is left."""
        leftover = set(self._leftover_of(self._blank([*skip, mention.span])).split())
        if not leftover:
            return ""
        start, end = mention.span
        return " ".join(
            match.group()
            for match in re.finditer(r"[\w-]+", self.text)
            if match.group() in leftover or start <= match.start() < end
        )

    def _named_with_another_word(self, mention: Mention, skip: list[tuple[int, int]]) -> bool:
        """Part of a name next to a word nothing places: "진정 토너" when the store
        sells "진정 앰플" and no toner. The words name another product, which the
        store does not have; the one sharing a word is not taken for it."""
        start, end = mention.span
        leftover = set(self._leftover_of(self._blank([*skip, mention.span])).split())
        before = re.findall(r"[\w-]+", self.text[:start])
        after = re.findall(r"[\w-]+", self.text[end:])
        beside = [
            word
            for word, gap in (
                (before[-1] if before else None, self.text[:start][-1:]),
                (after[0] if after else None, self.text[end:][:1]),
            )
            if word is not None and gap.isspace()
        ]
        return any(
            word in leftover and len(word) >= 2 and not any(c.isdigit() for c in word)
            for word in beside
        )

    def _short_category(self, skip: list[tuple[int, int]]) -> Mention | None:
        """A one-syllable category ("차", "책") named as a word of its own ("차 매출")."""
        short = {compact(name): i for i, name in enumerate(self.category_names)}
        short = {name: i for name, i in short.items() if len(name) == 1}
        if not short:
            return None
        for match in re.finditer(r"\w+", self.text):
            if any(a <= match.start() < b for a, b in skip):
                continue
            word = compact(match.group())
            for form in (word, strip_particle(word)):
                if form in short:
                    return Mention((short[form],), len(form), match.span(), match.group(), True)
        return None

    def _unknown_category(self) -> dict[str, Any] | None:
        """A category the question names that the catalogue does not have ("커피
        카테고리 매출" when no category is 커피): the error and the known categories
        as choices (clarify, never the whole store as if it were the answer)."""
        if not self.category_marked or self.category is not None or self.chosen_category:
            return None
        query = slots.category_query(self.rest)
        if not query:
            return None  # "카테고리별 매출": no one category is named
        candidates = tuple(
            Candidate("category", i, name)
            for i, name in enumerate(self.category_names[:MAX_CANDIDATES])
        )
        return {
            "candidates": candidates,
            "error": RouteError(
                "unknown_category", {"query": query, "candidates": [c.label for c in candidates]}
            ),
        }

    def _campaign_choice(self, tool: str) -> dict[str, Any] | None:
        """The campaigns' report for a campaign that is not one ("tiktok campaign", no
        such campaign) or several ("search campaign": 감귤 검색광고, 브랜드 검색): the
        error and the campaigns as choices, never every campaign as if it were the
        answer (the advisor offers that as a button)."""
        if tool != _CAMPAIGN_TOOL:
            return None
        campaign, index = self.campaign, self.intent.index
        unknown = None if campaign is not None else slots.campaign_query(index.correct(self.rest))
        if campaign is not None and campaign.ambiguous:
            key, query, ids = "ambiguous_campaign", campaign.text, campaign.ids
        elif unknown is not None and unknown not in index.common_words:
            key, query, ids = "unknown_campaign", unknown, tuple(self.campaigns.labels)
        else:
            return None  # one campaign, none named, or a word the tools' questions use
        if not ids:
            return None
        candidates = tuple(
            Candidate("campaign", i, self.campaigns.labels[i]) for i in ids[:MAX_CANDIDATES]
        )
        shown: dict[str, Any] = {"query": query, "candidates": [c.label for c in candidates]}
        if key == "unknown_campaign":  # the button that offers every campaign's report
            shown["label"] = self.intent.specs[tool].label_for(self.lang)
        return {"candidates": candidates, "error": RouteError(key, shown)}

    def _pick_listed(self) -> RouteResult | None:
        """ "그 중에 두번째 상품 자세히", "2번째 거", "show me the second one", "the 3rd":
        the product at that place in the last answer's list, for the same period; a
        place the list does not have (or no list) is asked about."""
        previous = self.previous
        if previous is None or (self.product is not None and not self.product.ambiguous):
            return None
        place = slots.find_choice(self.text) if previous.listed else None
        place = place or slots.find_ordinal(self._blank(self.chart_spans))
        if place is None:
            return None
        args: dict[str, Any] = {
            key: previous.args[key] for key in ("start", "end") if key in previous.args
        }
        if not 1 <= place <= len(previous.listed):
            listed = previous.listed[:MAX_CANDIDATES]
            error = RouteError(
                "not_in_list",
                {"count": len(previous.listed), "candidates": [c.label for c in listed]},
            )
            period = previous.period if "start" in args else None
            return self._result(
                LIST_TOOL,
                args,
                score=1.0,
                followup=True,
                period=period,
                candidates=listed,
                error=error,
            )
        chosen = previous.listed[place - 1]
        self.product = Mention((chosen.id,), 0, (0, 0), chosen.label, True)
        return self._complete(LIST_TOOL, args, 1.0, followup=True)

    def _pair(self) -> tuple[int, int] | None:
        """Two different products named on either side of "vs", "랑", "and"..., each
        unambiguously, in the order asked."""
        if not slots.names_versus(self.text):
            return None
        text = self._blank(self.skip)
        for cut in slots.versus_cuts(text):
            left, right = text[: cut[0]], text[cut[1] :]
            first = self.products.find(Folded.of(left))
            second = self.products.find(Folded.of(right))
            if first is None or second is None or first.ambiguous or second.ambiguous:
                continue
            if first.ids[0] != second.ids[0]:
                return first.ids[0], second.ids[0]
        return None

    def _only_chart(self) -> bool:
        """Nothing but a chart is asked for: no other content word, option or period."""
        words = [w for w in self._leftover().split() if len(w) > 1]
        return not words and not self._named_slots()

    def _pick_choice(self) -> RouteResult | None:
        """After "did you mean": "1번", "the second one", or a name among the choices."""
        previous = self.previous
        if previous is None or not previous.candidates or previous.tool is None:
            return None
        choice = slots.find_choice(self.text)
        chosen: Candidate | None = None
        if choice is not None and 1 <= choice <= len(previous.candidates):
            chosen = previous.candidates[choice - 1]
        elif self.product is not None and not self.product.ambiguous:
            chosen = next((c for c in previous.candidates if c.id == self.product.ids[0]), None)
        if chosen is None:
            return None
        args = dict(previous.args)
        if chosen.kind == "category":
            self.chosen_category = chosen.label
            self.category_marked = False
        else:
            args["product_id"] = chosen.id
            self.product = Mention((chosen.id,), 0, (0, 0), chosen.label, True)
        return self._complete(previous.tool, args, 1.0, followup=True)

    # -- text helpers ------------------------------------------------------------

    def _blank(self, spans: list[tuple[int, int]]) -> str:
        chars = list(self.text)
        for start, end in spans:
            for i in range(start, min(end, len(chars))):
                chars[i] = " "
        return re.sub(r"\s+", " ", "".join(chars)).strip()

    def _blank_rest(self, spans: list[tuple[int, int]]) -> str:
        """The question without its period, quoted text, named product and `spans`."""
        skip = [span for span in (self.period.span if self.period else None,) if span]
        if self.quoted is not None:
            skip.append(self.quoted.span)
        if self.product is not None and self.product_is_entity:
            skip.append(self.product.span)
        return self._blank(skip + spans)

    def _without_period(self) -> str:
        return self._blank([self.period.span] if self.period and self.period.span else [])

    def _classification_text(self, skip: list[tuple[int, int]]) -> str:
        chars = list(self.text)
        for start, end in skip:
            for i in range(start, min(end, len(chars))):
                chars[i] = " "
        if self.product is not None and self.product_is_entity:
            start, end = self.product.span
            chars[start:end] = [" " + PLACEHOLDER + " "] + [""] * (end - start - 1)
        text = re.sub(r"\s+", " ", "".join(chars)).strip()
        # "그럼", "what about" say "same as before", not which tool
        return slots.strip_followup_start(text) if self.previous is not None else text

    def _original(self, mention: Mention) -> str:
        start, end = mention.span
        return self.text[start:end]

    def _content_words(self) -> int:
        return sum(
            1
            for word in re.findall(r"\w+", self.rest)
            if word.casefold() not in _STOPWORDS and not word.isdigit()
        )

    def _leftover(self) -> str:
        """Words of the question no tool uses: what was probably a product name."""
        return self._leftover_of(self.rest)

    def _leftover_of(self, text: str) -> str:
        common = self.intent.index.common_words
        kept = []
        for word in re.findall(r"[\w-]+", text):
            folded = word.casefold()
            if (
                folded in common
                or strip_particle(folded) in common
                or folded in _STOPWORDS
                or folded in GENERIC_WORDS
                or strip_particle(folded) in GENERIC_WORDS
                or folded.isdigit()
            ):
                continue
            kept.append(word)
        return " ".join(kept)

    def _result(
        self,
        tool: str,
        args: dict[str, Any],
        *,
        score: float,
        followup: bool = False,
        period: Period | None = None,
        candidates: tuple[Candidate, ...] = (),
        error: RouteError | None = None,
    ) -> RouteResult:
        if not self.intent.specs.get(tool) or not self.intent.specs[tool].enabled:
            return RouteResult(
                None, error=RouteError("tool_disabled", {"tool": tool}), lang=self.lang, score=score
            )
        return RouteResult(
            tool,
            args,
            error=error,
            candidates=candidates,
            lang=self.lang,
            followup=followup,
            period=period,
            score=round(score, 4),
            chart=bool(self.chart_spans),
        )


class _Named:
    """The options a question names, read from what is left of it once the period,
    quoted text and product are taken out (tools.catalog.Question)."""

    def __init__(self, turn: _Turn) -> None:
        self._turn = turn

    def limit(self) -> int | None:
        return slots.find_limit(self._turn.rest)

    def metric(self) -> str | None:
        return slots.find_metric(self._turn.rest)

    def direction(self) -> str | None:
        return slots.find_direction(self._turn.rest)

    def segment(self) -> str | None:
        return slots.find_segment(self._turn.rest)

    def keyword(self) -> str | None:
        turn = self._turn
        return slots.find_keyword(turn._without_period(), turn.intent.index.common_words) or None

    def campaign_id(self) -> int | None:
        campaign = self._turn.campaign
        return campaign.ids[0] if campaign is not None and not campaign.ambiguous else None

    def category(self) -> str | None:
        turn = self._turn
        if turn.chosen_category is not None:
            return turn.chosen_category
        if turn.category is None:
            return None
        return turn.category_names[turn.category.ids[0]]


_STOPWORDS = frozenset(
    "a an the and or but so then what about how is are was were do does did it its this that "
    "these those of for to in on at by with from me my we our us you your i please pls ok okay "
    "also now just again instead one ones only 그럼 그러면 그리고 그건 그거 좀 또 근데 이거 저거 만".split()
)


def _phrase_spans(text: str, names: Callable[[str], bool]) -> list[tuple[int, int]]:
    """The words of `text` that `names` needs (blanking one makes it False): where a
    phrase is when only a yes/no test for it exists ("그 전주" of names_previous)."""
    spans = []
    for match in re.finditer(r"\S+", text):
        start, end = match.span()
        if not names(text[:start] + " " * (end - start) + text[end:]):
            spans.append((start, end))
    return spans


def _takes_category(tool: str | None) -> bool:
    return tool is not None and "category" in CATALOG[tool].schema.model_fields


def _best_taking_category(scores: Scores) -> str | None:
    """The best scored tool with a `category` argument, dated ones (a period to
    compare) first."""
    taking = [name for name, _ in scores.ranked if _takes_category(name)]
    dated = [name for name in taking if CATALOG[name].dated]
    chosen = dated or taking
    return chosen[0] if chosen else None


def _names_more(category: Mention, product: Mention) -> bool:
    """The category is what the words name: it covers more of them than the product
    ("커피 카테고리" says so itself; "머그컵" naming both the 머그·컵 category and four
    mugs stays a question about the products)."""
    return category.covered > product.covered


def _overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]
