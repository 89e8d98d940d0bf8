"""Queries that survive a failing embeddings endpoint.

With `EMBEDDING=auto` (or `openai`) every query is embedded by the OpenAI-compatible
endpoint. When that call fails (an HTTP error, a timeout, no network), `query` ranks
the collection's stored documents (at most OFFLINE_POOL of them) by the offline
embedding (`HashingEmbedding`, no network) against the query instead, for this query
only: inquiry drafts, product resolution and the playbook keep working, on
lexical similarity, and the next query tries the endpoint again.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from storage.vector.index import Hit, VectorIndex

if TYPE_CHECKING:
    from storage.vector.embeddings import HashingEmbedding

log = logging.getLogger(__name__)

OFFLINE_POOL = 2_000  # stored items ranked offline for one query


@functools.cache
def offline_embedding() -> HashingEmbedding:
    """One offline embedding (its feature cache shared), made when first needed: its module
    imports chromadb, which the advisor loads only when a question needs the index."""
    from storage.vector.embeddings import HashingEmbedding

    return HashingEmbedding()


def query(
    index: VectorIndex,
    name: str,
    text: str,
    *,
    k: int = 10,
    where: Mapping[str, Any] | None = None,
    documents: bool = True,
    metadatas: bool = True,
) -> list[Hit]:
    """`index.query`, or the offline ranking when the index's embedding fails."""
    try:
        return index.query(name, text, k=k, where=where, documents=documents, metadatas=metadatas)
    except Exception as exc:  # noqa: BLE001 - any endpoint failure: rank offline
        from storage.vector.embeddings import HashingEmbedding  # loaded with the index

        if isinstance(index.embedding, HashingEmbedding):
            raise  # not an endpoint: a real error
        log.warning(
            "retrieval: the embeddings endpoint failed (%s: %s); ranking %s offline",
            exc.__class__.__name__,
            exc,
            name,
        )
    return offline_query(index, name, text, k=k, where=where)


def offline_query(
    index: VectorIndex,
    name: str,
    text: str,
    *,
    k: int = 10,
    where: Mapping[str, Any] | None = None,
) -> list[Hit]:
    """The `k` stored items closest to `text` by the offline embedding's cosine."""
    if k <= 0:
        return []
    try:
        stored = index.get(name, where=where, limit=OFFLINE_POOL)
    except Exception:  # noqa: BLE001 - a collection never built: nothing to rank
        log.warning("retrieval: %s could not be read for an offline query", name)
        return []
    if not stored:
        return []
    offline = offline_embedding()
    asked = offline.embed_one(text)
    vectors = np.stack([offline.embed_one(hit.document) for hit in stored])
    scores = vectors @ asked
    order = sorted(range(len(stored)), key=lambda i: (-float(scores[i]), stored[i].id))[:k]
    return [
        Hit(stored[i].id, stored[i].document, stored[i].metadata, float(scores[i])) for i in order
    ]
