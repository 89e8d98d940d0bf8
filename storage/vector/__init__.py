"""The vector index (ChromaDB) and its embeddings.

`VectorIndex.open(settings)` gives named collections embedded with the
function the EMBEDDING setting chooses (storage.vector.embeddings); nothing
here knows what the collections hold (tools.retrieval does).
"""

from storage.vector.embeddings import (
    HashingEmbedding,
    OpenAIEmbedding,
    embedding_from_settings,
)
from storage.vector.index import Hit, VectorIndex, chroma_client

__all__ = [
    "Hit",
    "HashingEmbedding",
    "OpenAIEmbedding",
    "VectorIndex",
    "chroma_client",
    "embedding_from_settings",
]
