"""The vector index (ChromaDB) and its embeddings.

`VectorIndex.open(settings, identity=identity_of(session))` gives named
collections embedded with the function the EMBEDDING setting chooses
(storage.vector.embeddings), bound to one database (storage.vector.identity);
nothing here knows what the collections hold (tools.retrieval does).

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
    from storage.vector.identity import DatabaseIdentity, identity_of, index_folder
    from storage.vector.index import Hit, VectorIndex, chroma_client

_WHERE = {
    "DatabaseIdentity": "storage.vector.identity",
    "identity_of": "storage.vector.identity",
    "index_folder": "storage.vector.identity",
    "HashingEmbedding": "storage.vector.embeddings",
    "OpenAIEmbedding": "storage.vector.embeddings",
    "embedding_from_settings": "storage.vector.embeddings",
    "Hit": "storage.vector.index",
    "VectorIndex": "storage.vector.index",
    "chroma_client": "storage.vector.index",
}

__all__ = [
    "DatabaseIdentity",
    "Hit",
    "HashingEmbedding",
    "OpenAIEmbedding",
    "VectorIndex",
    "chroma_client",
    "embedding_from_settings",
    "identity_of",
    "index_folder",
]


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        return getattr(importlib.import_module(_WHERE[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
