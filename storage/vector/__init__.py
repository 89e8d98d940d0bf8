"""The vector index (ChromaDB) and its embeddings.

`VectorIndex.open(settings)` gives named collections embedded with the
function the EMBEDDING setting chooses (storage.vector.embeddings); nothing
here knows what the collections hold (tools.retrieval does).

Names are imported on first use: chromadb takes about a second to import, which
a process that never searches should not pay.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from storage.vector.embeddings import (
        HashingEmbedding,
        OpenAIEmbedding,
        embedding_from_settings,
    )
    from storage.vector.index import Hit, VectorIndex, chroma_client

_WHERE = {
    "HashingEmbedding": "storage.vector.embeddings",
    "OpenAIEmbedding": "storage.vector.embeddings",
    "embedding_from_settings": "storage.vector.embeddings",
    "Hit": "storage.vector.index",
    "VectorIndex": "storage.vector.index",
    "chroma_client": "storage.vector.index",
}

__all__ = [
    "Hit",
    "HashingEmbedding",
    "OpenAIEmbedding",
    "VectorIndex",
    "chroma_client",
    "embedding_from_settings",
]


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        return getattr(importlib.import_module(_WHERE[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
