"""The Chroma vector index: one client, one embedding, named collections.

    index = VectorIndex.open(settings, identity=identity_of(session))
    index.upsert("products-3", ids, documents, metadatas)
    hits = index.query("products-3", "텀블러 350", k=10)

The index is bound to one database (storage.vector.identity): by default its
folder is DATA_DIR/chroma/<name>-<hash of the database URL> (CHROMA_DIR or an
explicit `path` overrides it; CHROMA_URL uses a server), and, given the
database's `identity`, each collection records it (`database`): one built for
another database is emptied and created again (`rebound` lists them), so its
owner re-indexes it from its own rows. On a server the collection names carry
the identity's namespace, so databases never share one.

Collections are created with the index's embedding function passed explicitly
(so Chroma never loads its default model) and cosine distance; `Hit.score` is
the cosine similarity. Each collection records in its metadata the signature
of the embedding that built it (`embedding`); when a collection is opened with
a different embedding its stored documents are embedded again into a new
collection that replaces the old one (`reembedded` lists them), so changing
the EMBEDDING setting never mixes vectors of two models.

A Chroma client is opened lazily: importing chromadb costs about two seconds,
which a command that never searches should not pay.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlparse

from storage.settings import Settings

if TYPE_CHECKING:
    from chromadb.api import ClientAPI
    from chromadb.api.models.Collection import Collection

    from storage.vector.embeddings import AdvisorEmbedding
    from storage.vector.identity import DatabaseIdentity

log = logging.getLogger(__name__)

EMBEDDING_KEY = "embedding"
DATABASE_KEY = "database"
BATCH = 1_000
Metadata = Mapping[str, str | int | float | bool | None]  # None values are left out


@dataclass(frozen=True, slots=True)
class Hit:
    """One stored item: its id, document, metadata and, for a query, its cosine
    similarity to the query (1.0 = same direction; 0.0 for a plain get)."""

    id: str
    document: str
    metadata: Mapping[str, Any]
    score: float = 0.0


def chroma_client(settings: Settings, path: Path | None = None) -> ClientAPI:
    """A persistent client under `path` (default: the database's folder,
    storage.vector.identity.index_folder), or an HTTP client for CHROMA_URL;
    telemetry off either way."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    from storage.vector.identity import index_folder

    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    if settings.chroma_url and path is None:
        url = urlparse(settings.chroma_url)
        https = url.scheme == "https"
        return chromadb.HttpClient(
            host=url.hostname or "localhost",
            port=url.port or (443 if https else 8000),
            ssl=https,
            settings=chroma_settings,
        )
    folder = path or index_folder(settings)
    folder.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(folder), settings=chroma_settings)


def _clean(metadata: Mapping[str, Any]) -> dict[str, str | int | float | bool]:
    """Chroma stores str, int, float and bool values; None is left out."""
    return {key: value for key, value in metadata.items() if value is not None}


class VectorIndex:
    """Named collections embedded with one embedding function."""

    def __init__(
        self,
        client: ClientAPI,
        embedding: AdvisorEmbedding,
        *,
        identity: DatabaseIdentity | None = None,
        namespaced: bool = False,
    ) -> None:
        """`identity`: the database the collections belong to (checked on open);
        `namespaced`: collection names carry its namespace (a shared server)."""
        self.client = client
        self.embedding = embedding
        self.identity = identity
        self.prefix = f"{identity.namespace}-" if namespaced and identity is not None else ""
        self.reembedded: list[str] = []
        self.rebound: list[str] = []
        self._collections: dict[str, Collection] = {}
        self._lock = threading.RLock()

    @classmethod
    def open(
        cls,
        settings: Settings,
        *,
        embedding: AdvisorEmbedding | None = None,
        path: Path | None = None,
        identity: DatabaseIdentity | None = None,
    ) -> VectorIndex:
        """The index the settings describe (EMBEDDING; `path`, CHROMA_DIR, CHROMA_URL
        or the folder of `identity`'s database, else of DATABASE_URL)."""
        from storage.vector.embeddings import embedding_from_settings
        from storage.vector.identity import index_folder

        chosen = embedding if embedding is not None else embedding_from_settings(settings)
        on_server = bool(settings.chroma_url) and path is None
        if path is None and not on_server and identity is not None:
            path = index_folder(settings, identity.url_key)
        client = chroma_client(settings, path)
        return cls(client, chosen, identity=identity, namespaced=on_server)

    @property
    def signature(self) -> str:
        return self.embedding.signature

    @property
    def _function(self) -> Any:
        # chromadb's EmbeddingFunction generic is invariant in its document type
        return self.embedding

    # -- collections ---------------------------------------------------------------

    def exists(self, name: str) -> bool:
        return name in self.names()

    def names(self) -> list[str]:
        """This database's collections (without the namespace)."""
        stored = (collection.name for collection in self.client.list_collections())
        return sorted(
            name.removeprefix(self.prefix) for name in stored if name.startswith(self.prefix)
        )

    def _stored(self) -> set[str]:
        return {collection.name for collection in self.client.list_collections()}

    def collection(self, name: str) -> Collection:
        """The collection `name`, created if missing, re-embedded if another
        embedding built it."""
        with self._lock:
            cached = self._collections.get(name)
            if cached is not None:
                return cached
            collection = self._open(name)
            self._collections[name] = collection
            return collection

    def _open(self, name: str) -> Collection:
        from chromadb.errors import NotFoundError

        full = self.prefix + name
        try:
            stored = self.client.get_collection(full, embedding_function=None)
        except NotFoundError:
            return self._create(full, {})
        metadata = dict(stored.metadata or {})
        if self.identity is not None and metadata.get(DATABASE_KEY) != self.identity.signature:
            log.warning(
                "vector index: %s was built for database %s, not %s; building it again",
                name,
                metadata.get(DATABASE_KEY),
                self.identity.signature,
            )
            self.client.delete_collection(full)
            self.rebound.append(name)
            return self._create(full, {})
        if metadata.get(EMBEDDING_KEY) != self.signature:
            return self._reembed(full, stored, metadata)
        return self.client.get_collection(full, embedding_function=self._function)

    def _stamp(self, metadata: Mapping[str, Any]) -> dict[str, str | int | float | bool]:
        """The metadata with this index's embedding and database."""
        stamped = {**_clean(metadata), EMBEDDING_KEY: self.signature}
        if self.identity is not None:
            stamped[DATABASE_KEY] = self.identity.signature
        return stamped

    def _create(self, full: str, metadata: Mapping[str, Any]) -> Collection:
        return self.client.create_collection(
            full,
            embedding_function=self._function,
            metadata=self._stamp(metadata),
            configuration={"hnsw": {"space": "cosine"}},
        )

    def _reembed(self, name: str, stored: Collection, metadata: dict[str, Any]) -> Collection:
        """`name` is the stored (full) name."""
        log.warning(
            "vector index: %s was built by %s; embedding it again with %s",
            name,
            metadata.get(EMBEDDING_KEY),
            self.signature,
        )
        staging = f"{name}.next"
        if staging in self._stored():
            self.client.delete_collection(staging)
        fresh = self._create(staging, metadata)
        total = stored.count()
        for offset in range(0, total, BATCH):
            page = stored.get(limit=BATCH, offset=offset, include=["documents", "metadatas"])
            documents = [doc or "" for doc in page["documents"] or []]
            metadatas = [_clean(meta or {}) for meta in page["metadatas"] or []]
            self._add(fresh, page["ids"], documents, metadatas)
        self.client.delete_collection(name)
        fresh.modify(name=name)
        self.reembedded.append(name.removeprefix(self.prefix))
        return self.client.get_collection(name, embedding_function=self._function)

    def metadata(self, name: str) -> dict[str, Any]:
        return dict(self.collection(name).metadata or {})

    def set_metadata(self, name: str, **values: str | int | float | bool) -> None:
        """Merge `values` into the collection's metadata (the embedding stays)."""
        collection = self.collection(name)
        collection.modify(metadata=self._stamp({**(collection.metadata or {}), **values}))

    def drop(self, name: str) -> None:
        """Delete the collection (a no-op when it does not exist)."""
        with self._lock:
            self._collections.pop(name, None)
            if self.prefix + name in self._stored():
                self.client.delete_collection(self.prefix + name)

    def count(self, name: str) -> int:
        return int(self._retry(name, lambda c: c.count()))

    # -- items -----------------------------------------------------------------------

    def _add(
        self,
        collection: Collection,
        ids: Sequence[str],
        documents: Sequence[str],
        metadatas: Sequence[Metadata],
        *,
        upsert: bool = False,
    ) -> None:
        for start in range(0, len(ids), BATCH):
            stop = start + BATCH
            chunk_docs = list(documents[start:stop])
            vectors = self.embedding(chunk_docs)
            call = collection.upsert if upsert else collection.add
            call(
                ids=list(ids[start:stop]),
                documents=chunk_docs,
                embeddings=vectors,
                metadatas=[_clean(meta) for meta in metadatas[start:stop]] or None,
            )

    def upsert(
        self,
        name: str,
        ids: Sequence[str],
        documents: Sequence[str],
        metadatas: Sequence[Metadata],
    ) -> int:
        """Insert or replace items; returns how many were written."""
        if not (len(ids) == len(documents) == len(metadatas)):
            raise ValueError("ids, documents and metadatas must have the same length")
        if not ids:
            return 0
        self._retry(name, lambda c: self._add(c, ids, documents, metadatas, upsert=True))
        return len(ids)

    def delete(self, name: str, ids: Iterable[str]) -> int:
        wanted = list(ids)
        for start in range(0, len(wanted), BATCH):
            chunk = wanted[start : start + BATCH]
            self._retry(name, lambda c, chunk=chunk: c.delete(ids=chunk))
        return len(wanted)

    def get(
        self,
        name: str,
        *,
        ids: Sequence[str] | None = None,
        where: Mapping[str, Any] | None = None,
        documents: bool = True,
        metadatas: bool = True,
        limit: int | None = None,
    ) -> list[Hit]:
        """Stored items by id or metadata filter (every item when both are None,
        or the first `limit`)."""
        include: list[Any] = []
        if metadatas:
            include.append("metadatas")
        if documents:
            include.append("documents")
        out: list[Hit] = []
        if ids is not None and not ids:
            return out
        offset = 0
        while True:
            size = BATCH if limit is None else min(BATCH, limit - offset)
            page = self._retry(
                name,
                lambda c, offset=offset, size=size: c.get(
                    ids=list(ids) if ids is not None else None,
                    where=dict(where) if where else None,
                    include=include,
                    limit=size if ids is None else None,
                    offset=offset if ids is None else None,
                ),
            )
            docs = page.get("documents") or [None] * len(page["ids"])
            metas = page.get("metadatas") or [None] * len(page["ids"])
            out.extend(
                Hit(item_id, doc or "", dict(meta or {}))
                for item_id, doc, meta in zip(page["ids"], docs, metas, strict=True)
            )
            offset += len(page["ids"])
            if ids is not None or len(page["ids"]) < size or offset == limit:
                return out

    def query(
        self,
        name: str,
        text: str,
        *,
        k: int = 10,
        where: Mapping[str, Any] | None = None,
        documents: bool = True,
        metadatas: bool = True,
    ) -> list[Hit]:
        """The `k` items closest to `text`, most similar first. Leaving out
        documents and metadata (empty in the hits) makes the query cheaper."""
        if k <= 0:
            return []
        vector = self.embedding([text])
        include: list[Any] = ["distances"]
        if metadatas:
            include.append("metadatas")
        if documents:
            include.append("documents")
        result = self._retry(
            name,
            lambda c: c.query(
                query_embeddings=vector,
                n_results=k,
                where=dict(where) if where else None,
                include=include,
            ),
        )
        ids = result["ids"][0]
        docs = (result.get("documents") or [[None] * len(ids)])[0]
        metas = (result.get("metadatas") or [[None] * len(ids)])[0]
        distances = (result.get("distances") or [[1.0] * len(ids)])[0]
        return [
            Hit(item_id, doc or "", dict(meta or {}), 1.0 - float(distance))
            for item_id, doc, meta, distance in zip(ids, docs, metas, distances, strict=True)
        ]

    def _retry(self, name: str, action: Any) -> Any:
        """Run `action(collection)`; when another process replaced the collection
        (advisor index rebuild), open it again once."""
        from chromadb.errors import NotFoundError

        try:
            return action(self.collection(name))
        except NotFoundError:
            with self._lock:
                self._collections.pop(name, None)
            return action(self.collection(name))
