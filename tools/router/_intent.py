"""Intent: which tool a question is about, learnt from the example questions in
prompts/tools.yaml.

Each example and the question become TF-IDF vectors of character n-grams of
their compact form (spacing does not matter: "오늘매출" = "오늘 매출") plus their
words with Korean particles stripped. A tool scores the cosine similarity of its
nearest examples, plus a bonus for each of its cue words (`keywords`) found in
the question. English words are first corrected against the examples'
vocabulary ("revenu" -> "revenue").
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from rapidfuzz import fuzz, process

from tools.prompts import ToolSpec
from tools.router._text import PLACEHOLDER, compact, fold, has_hangul, words

KEYWORD_BONUS = 0.12
MAX_KEYWORD_BONUS = 0.24
NGRAMS = (1, 2, 3)

_LATIN_WORD = re.compile(r"[a-z]{4,}")
_QUOTED = re.compile(r"\"[^\"]*\"|“[^”]*”|(?<![a-z])'[^']*'(?![a-z])")


@dataclass(frozen=True, slots=True)
class Scores:
    """Per tool score, best first, and the tools whose cue words the question has."""

    ranked: tuple[tuple[str, float], ...]
    cued: frozenset[str] = frozenset()

    @property
    def best(self) -> tuple[str | None, float]:
        return self.ranked[0] if self.ranked else (None, 0.0)

    def of(self, tool: str) -> float:
        return dict(self.ranked).get(tool, 0.0)

    def adjusted(self, tool: str, delta: float) -> Scores:
        scores = dict(self.ranked)
        scores[tool] = scores.get(tool, 0.0) + delta
        ranked = tuple(sorted(scores.items(), key=lambda kv: -kv[1]))
        return Scores(ranked, self.cued)


def _features(text: str) -> Counter[str]:
    """Character n-grams of the compact form and stemmed words."""
    squeezed = compact(text)
    feats: Counter[str] = Counter()
    for n in NGRAMS:
        for i in range(len(squeezed) - n + 1):
            gram = squeezed[i : i + n]
            if n == 1 and not (has_hangul(gram) or gram == PLACEHOLDER):
                continue
            feats["c:" + gram] += 1
    for word in words(fold(text)):
        feats["w:" + word.stem] += 1
    return feats


def _keyword_pattern(keyword: str) -> re.Pattern[str] | None:
    squeezed = compact(keyword)
    if not squeezed:
        return None
    if has_hangul(squeezed):
        return re.compile(re.escape(squeezed))
    # Latin cue words match whole words, spacing-insensitive inside the phrase
    parts = [re.escape(part) for part in fold(keyword).split() if part]
    return re.compile(r"(?<![a-z])" + r"\s*".join(parts) + r"(?![a-z])")


class IntentIndex:
    """The example questions of a set of tools, ready to score questions."""

    def __init__(self, specs: Sequence[ToolSpec]) -> None:
        self.tools = [spec.name for spec in specs]
        examples: list[tuple[str, str]] = []
        self.keywords: dict[str, list[tuple[re.Pattern[str], bool]]] = {}
        vocabulary: set[str] = set()
        common: set[str] = set()
        for spec in specs:
            for items in spec.examples.values():
                for example in items:
                    # {category}: a category's name, which the router blanks before
                    # it classifies (tools.router._route); a sample one would count
                    # as a common word, never a product's ("커피")
                    text = example.replace("{product}", PLACEHOLDER).replace("{category}", " ")
                    examples.append((spec.name, text))
                    # quoted passages are sample data (a keyword, a customer's words)
                    plain = fold(_QUOTED.sub(" ", text))
                    vocabulary.update(_LATIN_WORD.findall(plain))
                    common.update(w.stem for w in words(plain) if PLACEHOLDER not in w.text)
                    common.update(w.text for w in words(plain) if PLACEHOLDER not in w.text)
            patterns = []
            for items in spec.keywords.values():
                for keyword in items:
                    vocabulary.update(_LATIN_WORD.findall(fold(keyword)))
                    pattern = _keyword_pattern(keyword)
                    if pattern is not None:
                        patterns.append((pattern, has_hangul(keyword)))
            self.keywords[spec.name] = patterns
        self._known = frozenset(vocabulary)
        self.common_words = frozenset(common)
        self.labels = [tool for tool, _ in examples]
        self.rows = {
            tool: [i for i, label in enumerate(self.labels) if label == tool] for tool in self.tools
        }
        counted = [_features(self.correct(text)) for _, text in examples]
        df: Counter[str] = Counter()
        for feats in counted:
            df.update(feats.keys())
        total = len(counted)
        self.idf = {f: math.log((1 + total) / (1 + n)) + 1.0 for f, n in df.items()}
        self.unseen_idf = math.log(1 + total) + 1.0
        self.columns = {f: i for i, f in enumerate(sorted(self.idf))}
        self.matrix = np.zeros((total, len(self.columns)), dtype=np.float32)
        for row, feats in enumerate(counted):
            self.matrix[row] = self._vector(feats)

    def correct(self, text: str) -> str:
        """English words respelt to the nearest example word when one is close."""
        known = self._known

        def fix(match: re.Match[str]) -> str:
            word = match.group()
            if word in known:
                return word
            found = process.extractOne(word, known, scorer=fuzz.ratio, score_cutoff=80)
            return found[0] if found else word

        return _LATIN_WORD.sub(fix, fold(text))

    def _vector(self, feats: Counter[str]) -> np.ndarray:
        vector = np.zeros(len(self.columns), dtype=np.float32)
        for feat, count in feats.items():
            column = self.columns.get(feat)
            if column is not None:
                vector[column] = (1.0 + math.log(count)) * self.idf[feat]
        norm = float(np.linalg.norm(vector))
        return vector / norm if norm else vector

    def _similarities(self, feats: Counter[str]) -> np.ndarray:
        """Cosine similarity of the question to every example. Features no example
        has still count in the question's length (with the highest IDF), so a
        question mostly about something else scores low."""
        columns: list[int] = []
        weights: list[float] = []
        norm = 0.0
        for feat, count in feats.items():
            weight = (1.0 + math.log(count)) * self.idf.get(feat, self.unseen_idf)
            norm += weight * weight
            column = self.columns.get(feat)
            if column is not None:
                columns.append(column)
                weights.append(weight)
        if not columns or norm == 0.0:
            return np.zeros(len(self.labels), dtype=np.float32)
        vector = np.asarray(weights, dtype=np.float32) / math.sqrt(norm)
        sims: np.ndarray = self.matrix[:, columns] @ vector
        return sims

    def score(self, question: str) -> Scores:
        corrected = self.correct(question)
        sims = self._similarities(_features(corrected))
        squeezed = compact(corrected)
        spaced = fold(corrected)
        result: list[tuple[str, float]] = []
        cued: set[str] = set()
        for tool in self.tools:
            rows = self.rows[tool]
            if rows:
                top = sorted((float(sims[i]) for i in rows), reverse=True)
                similarity = 0.7 * top[0] + 0.3 * (sum(top[:3]) / len(top[:3]))
            else:
                similarity = 0.0
            hits = sum(
                1
                for pattern, korean in self.keywords.get(tool, ())
                if pattern.search(squeezed if korean else spaced)
            )
            if hits:
                cued.add(tool)
            bonus = min(MAX_KEYWORD_BONUS, KEYWORD_BONUS * hits)
            result.append((tool, similarity + bonus))
        result.sort(key=lambda kv: -kv[1])
        return Scores(tuple(result), frozenset(cued))
