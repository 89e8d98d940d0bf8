"""Embedding functions for the vector index, as chromadb `EmbeddingFunction`s.

`HashingEmbedding` (the default) needs no download and no network: a text is
folded (NFKC, case-folded), and its features are

- its words (runs of letters and digits, Hangul included), and
- the character 1-, 2- and 3-grams of its compact form (every space and
  punctuation mark removed), so "스텐 텀블러" and "스텐텀블러" share almost every
  feature, and a misspelt or partial name still shares most of its n-grams;

each feature is hashed (CRC-32, stable across processes, unlike `hash()`) to one
of `dim` signed buckets, and the vector is L2-normalised. Cosine similarity is
then a weighted overlap of n-grams: good for Korean, which has no reliable
spacing, and for product names, SKUs and short questions.

`OpenAIEmbedding` calls the embeddings endpoint (`text-embedding-3-small` by
default) of OpenAI or of any compatible server (`OPENAI_BASE_URL`).

`embedding_from_settings` chooses one from the `EMBEDDING` setting:
"auto" (OpenAI when OPENAI_API_KEY is set, else hashing), "hashing",
"openai" or "openai:<model>". Each function has a `signature` the index
records, so a change of embedding is noticed and the index rebuilt.
"""

from __future__ import annotations

import os
import re
import unicodedata
import zlib
from collections.abc import Sequence
from typing import Any

import numpy as np
from chromadb.api.types import Documents, EmbeddingFunction, Embeddings, Space
from chromadb.utils.embedding_functions import register_embedding_function

from storage.settings import Settings

HASHING_VERSION = 1
DEFAULT_DIM = 512
DEFAULT_OPENAI_MODEL = "text-embedding-3-small"

_WORD = re.compile(r"[^\W_]+")
# feature weights: words, then character 1-, 2- and 3-grams
_WORD_WEIGHT = 1.0
_NGRAM_WEIGHTS = (0.25, 0.7, 0.9)
_CACHE_LIMIT = 400_000


def fold(text: str) -> str:
    """NFKC and case-folded: full-width letters and digits become ASCII."""
    return unicodedata.normalize("NFKC", text).casefold()


def features(text: str) -> list[tuple[str, float]]:
    """The weighted features of `text` (words and compact character n-grams)."""
    words = _WORD.findall(fold(text))
    out = [("w" + word, _WORD_WEIGHT) for word in words]
    squeezed = "".join(words)
    for n, weight in enumerate(_NGRAM_WEIGHTS, start=1):
        prefix = str(n)
        out.extend((prefix + squeezed[i : i + n], weight) for i in range(len(squeezed) - n + 1))
    return out


@register_embedding_function
class HashingEmbedding(EmbeddingFunction[Documents]):
    """Character n-gram feature hashing into `dim` signed buckets, L2-normalised."""

    def __init__(self, dim: int = DEFAULT_DIM) -> None:
        if dim < 16:
            raise ValueError(f"embedding dimension must be at least 16, got {dim}")
        self.dim = dim
        self._buckets: dict[str, tuple[int, float]] = {}

    @staticmethod
    def name() -> str:
        return "store-advisor-hashing"

    @property
    def signature(self) -> str:
        """What the index records: a change of version or size means a rebuild."""
        return f"hashing-v{HASHING_VERSION}-{self.dim}"

    def get_config(self) -> dict[str, Any]:
        return {"dim": self.dim, "version": HASHING_VERSION}

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> HashingEmbedding:
        return HashingEmbedding(int(config.get("dim", DEFAULT_DIM)))

    def default_space(self) -> Space:
        return "cosine"

    def supported_spaces(self) -> list[Space]:
        return ["cosine", "ip", "l2"]

    def _bucket(self, feature: str) -> tuple[int, float]:
        found = self._buckets.get(feature)
        if found is None:
            code = zlib.crc32(feature.encode("utf-8"))
            found = (code % self.dim, -1.0 if code & 0x80000000 else 1.0)
            if len(self._buckets) < _CACHE_LIMIT:
                self._buckets[feature] = found
        return found

    def embed_one(self, text: str) -> np.ndarray[Any, np.dtype[np.float32]]:
        vector = np.zeros(self.dim, dtype=np.float32)
        feats = features(text)
        if not feats:
            return vector
        index = np.empty(len(feats), dtype=np.int64)
        weight = np.empty(len(feats), dtype=np.float32)
        for i, (feature, w) in enumerate(feats):
            bucket, sign = self._bucket(feature)
            index[i] = bucket
            weight[i] = sign * w
        vector += np.bincount(index, weights=weight, minlength=self.dim).astype(np.float32)
        norm = float(np.linalg.norm(vector))
        if norm > 0:
            vector /= norm
        return vector

    def __call__(self, input: Documents) -> Embeddings:  # noqa: A002 - chromadb's name
        return [self.embed_one(text) for text in input]


@register_embedding_function
class OpenAIEmbedding(EmbeddingFunction[Documents]):
    """OpenAI's embeddings endpoint, or any OpenAI-compatible server's.

    The key is never part of the config chromadb persists: a function rebuilt
    from a config reads OPENAI_API_KEY from the environment."""

    def __init__(
        self,
        api_key: str | None = None,
        model: str = DEFAULT_OPENAI_MODEL,
        base_url: str | None = None,
        timeout: float = 20.0,
    ) -> None:
        self.model = model
        self.base_url = base_url
        self.timeout = timeout
        self._api_key = api_key
        self._client: Any = None

    @staticmethod
    def name() -> str:
        return "store-advisor-openai"

    @property
    def signature(self) -> str:
        return f"openai-{self.model}"

    def get_config(self) -> dict[str, Any]:
        return {"model": self.model, "base_url": self.base_url, "timeout": self.timeout}

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> OpenAIEmbedding:
        return OpenAIEmbedding(
            api_key=os.environ.get("OPENAI_API_KEY"),
            model=str(config.get("model", DEFAULT_OPENAI_MODEL)),
            base_url=config.get("base_url"),
            timeout=float(config.get("timeout", 20.0)),
        )

    def default_space(self) -> Space:
        return "cosine"

    def supported_spaces(self) -> list[Space]:
        return ["cosine", "ip", "l2"]

    def _openai(self) -> Any:
        if self._client is None:
            from openai import OpenAI

            self._client = OpenAI(
                api_key=self._api_key, base_url=self.base_url, timeout=self.timeout, max_retries=1
            )
        return self._client

    def __call__(self, input: Documents) -> Embeddings:  # noqa: A002 - chromadb's name
        texts = [text if text.strip() else " " for text in input]
        if not texts:
            return []
        response = self._openai().embeddings.create(model=self.model, input=texts)
        rows = sorted(response.data, key=lambda row: row.index)
        out: Embeddings = []
        for row in rows:
            vector = np.asarray(row.embedding, dtype=np.float32)
            norm = float(np.linalg.norm(vector))
            if norm > 0:
                vector /= np.float32(norm)
            out.append(vector)
        return out


AdvisorEmbedding = HashingEmbedding | OpenAIEmbedding
EMBEDDING_CHOICES: Sequence[str] = ("auto", "hashing", "openai", "openai:<model>")


def embedding_from_settings(settings: Settings) -> AdvisorEmbedding:
    """The embedding the `EMBEDDING` setting names (see the module docstring)."""
    choice = (settings.embedding or "auto").strip()
    key = settings.openai_api_key.get_secret_value() if settings.openai_api_key else None
    if choice == "auto":
        choice = "openai" if key else "hashing"
    if choice == "hashing":
        return HashingEmbedding()
    if choice == "openai" or choice.startswith("openai:"):
        if not key:
            raise ValueError("EMBEDDING=openai needs OPENAI_API_KEY")
        model = choice.partition(":")[2].strip() or DEFAULT_OPENAI_MODEL
        return OpenAIEmbedding(
            api_key=key,
            model=model,
            base_url=settings.openai_base_url or None,
            timeout=settings.llm_timeout_seconds,
        )
    raise ValueError(f"unknown EMBEDDING {choice!r}; use one of {', '.join(EMBEDDING_CHOICES)}")
