"""`Retrieval`: the one object the advisor holds for everything retrieval does.

    retrieval = Retrieval.open(settings, sessions=sessions)   # once per process
    retrieval.resolve_product(seller_id, "스텐 텀블러 350")
    retrieval.search_playbook("광고비가 아까워요", "ko")
    retrieval.tip_for("ad_low_roas", "ko")
    retrieval.draft_inquiry(session, seller_id, "유자차 재고 있나요?", "ko")
    retrieval.refresh_seller(session, seller_id)     # after an import or a seed

Every file it uses (product words, inquiry sentences, playbook articles) comes
from one `PromptStore`: pass the advisor's (`prompts=`), so `reload()` on it
reloads retrieval's data too; given only a folder, it makes a store of its own.

The index is bound to its database (storage.vector.identity): given a session
factory (or a session), `open` reads the database's identity, keeps the index in
that database's own folder and rebuilds a collection built for another database.

A seller whose products or inquiries were never indexed in this index is
indexed from the database on first use (when the object has a session
factory, or a session is at hand); afterwards `refresh_seller` (incremental)
and `rebuild_seller` (from scratch) keep it current.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session, sessionmaker

from storage.models import Seller
from storage.settings import Settings
from storage.vector.identity import identity_of
from storage.vector.index import VectorIndex
from tools.prompts import PromptStore
from tools.retrieval import inquiries as inquiries_mod
from tools.retrieval import products as products_mod
from tools.retrieval._text import LEXICON_FILE, Lexicon, lexicon_of
from tools.retrieval.inquiries import InquiryDraft, InquiryTexts
from tools.retrieval.playbook import Library, Passage, Playbook, Tip
from tools.retrieval.products import ProductLike, Resolution, SyncCounts

if TYPE_CHECKING:
    from storage.vector.embeddings import AdvisorEmbedding

log = logging.getLogger(__name__)


def _store(prompts: PromptStore | Path) -> PromptStore:
    return prompts if isinstance(prompts, PromptStore) else PromptStore(prompts)


@dataclass(frozen=True, slots=True)
class SellerSync:
    """What refreshing or rebuilding one seller's index changed, and how long it took."""

    seller_id: int
    products: SyncCounts
    inquiries: SyncCounts
    seconds: float


class Retrieval:
    """Product resolution, the playbook and inquiry drafts over one vector index."""

    def __init__(
        self,
        index: VectorIndex,
        prompts: PromptStore | Path,
        *,
        sessions: sessionmaker[Session] | None = None,
        library: Library | None = None,
    ) -> None:
        self.index = index
        self.prompts = library.prompts if library is not None else _store(prompts)
        self.prompts_dir = self.prompts.root
        self.sessions = sessions
        self.library = library or Library(self.prompts)
        self.playbook = Playbook(index, self.prompts, self.library)
        self.texts = InquiryTexts(self.prompts)
        self._lock = threading.Lock()
        self._synced: set[str] = set()
        self._lexicon = Lexicon()  # the last good one
        self._lexicon_error = ""  # the problem last logged

    @classmethod
    def open(
        cls,
        settings: Settings,
        *,
        sessions: sessionmaker[Session] | None = None,
        embedding: AdvisorEmbedding | None = None,
        path: Path | None = None,
        prompts_dir: Path | None = None,
        library: Library | None = None,
        prompts: PromptStore | None = None,
        session: Session | None = None,
    ) -> Retrieval:
        """The retrieval the settings describe (EMBEDDING, DATA_DIR/CHROMA_DIR/CHROMA_URL),
        bound to the database of `sessions` or `session` (its identity and folder), its
        files read through `prompts` (else a store over `prompts_dir`, else over
        PROMPTS_DIR)."""
        identity = None
        if session is not None:
            identity = identity_of(session)
        elif sessions is not None:
            with sessions.begin() as own:
                identity = identity_of(own)
        index = VectorIndex.open(settings, embedding=embedding, path=path, identity=identity)
        source = prompts or prompts_dir or settings.prompts_dir
        return cls(index, source, sessions=sessions, library=library)

    # -- data files ------------------------------------------------------------------

    @property
    def lexicon(self) -> Lexicon:
        """prompts/product_words.yaml from the store (fresh, reloaded with it); a
        broken edit keeps the last good lexicon."""
        try:
            lexicon = lexicon_of(self.prompts)
        except (OSError, ValueError) as exc:
            with self._lock:
                if str(exc) != self._lexicon_error:  # each problem once
                    self._lexicon_error = str(exc)
                    log.error(
                        "retrieval: %s unreadable (%s); keeping the last version",
                        self.prompts.root / LEXICON_FILE,
                        exc,
                    )
                return self._lexicon
        with self._lock:
            self._lexicon, self._lexicon_error = lexicon, ""
            return lexicon

    # -- keeping sellers indexed ----------------------------------------------------

    def _ensure(self, name: str, seller_id: int, session: Session | None) -> None:
        """Index the seller from the database when `name` was never synced, or
        was synced for another seller under the same id (a database re-seeded
        or replaced under the same index)."""
        if name in self._synced:
            return
        if session is not None:
            self._check(name, session, seller_id)
        elif self.sessions is not None:
            with self.sessions() as own:
                self._check(name, own, seller_id)

    def _ensure_or_stale(self, name: str, seller_id: int, session: Session | None) -> None:
        """`_ensure`, but an index that cannot be brought up to date (a failing
        embeddings endpoint) is used as it is: queries then rank what it holds
        offline (tools.retrieval._offline), and the next call tries again."""
        try:
            self._ensure(name, seller_id, session)
        except Exception as exc:  # noqa: BLE001 - a draft from what is indexed beats none
            log.warning(
                "retrieval: %s not brought up to date (%s: %s); using it as it is",
                name,
                exc.__class__.__name__,
                exc,
            )

    def _check(self, name: str, session: Session, seller_id: int) -> None:
        meta = self.index.metadata(name)
        if meta.get("synced") and meta.get("owner") == _owner(session, seller_id):
            self._synced.add(name)
            return
        self._sync(name, session, seller_id)

    def _sync(self, name: str, session: Session, seller_id: int) -> SyncCounts:
        owner = _owner(session, seller_id)
        if self.index.metadata(name).get("owner") not in (None, owner):
            self.index.drop(name)  # another seller's data under this id
        if name == products_mod.collection_name(seller_id):
            counts = products_mod.sync_products(self.index, session, seller_id)
        else:
            counts = inquiries_mod.sync_inquiries(self.index, session, seller_id)
        self.index.set_metadata(name, owner=owner)
        self._synced.add(name)
        return counts

    def refresh_seller(self, session: Session, seller_id: int) -> SellerSync:
        """Bring the seller's products and answered inquiries up to date with the
        database, embedding only what changed (call after an import or a seed)."""
        started = time.perf_counter()
        products = self._sync(products_mod.collection_name(seller_id), session, seller_id)
        inquiries = self._sync(inquiries_mod.collection_name(seller_id), session, seller_id)
        return SellerSync(seller_id, products, inquiries, time.perf_counter() - started)

    def rebuild_seller(self, session: Session, seller_id: int) -> SellerSync:
        """Drop the seller's collections and index them again from the database."""
        for name in (
            products_mod.collection_name(seller_id),
            inquiries_mod.collection_name(seller_id),
        ):
            self.index.drop(name)
            self._synced.discard(name)
        return self.refresh_seller(session, seller_id)

    def drop_seller(self, seller_id: int) -> None:
        for name in (
            products_mod.collection_name(seller_id),
            inquiries_mod.collection_name(seller_id),
        ):
            self.index.drop(name)
            self._synced.discard(name)

    def rebuild_playbook(self) -> int:
        """Index the playbook again from its files; returns the passage count."""
        self.index.drop("playbook")
        self.playbook = Playbook(self.index, self.prompts, self.library)
        self.playbook.refresh()
        return self.index.count("playbook")

    # -- products --------------------------------------------------------------------

    def resolve_product(
        self, seller_id: int, mention: str, *, session: Session | None = None
    ) -> Resolution:
        """Which of the seller's products `mention` names (see tools.retrieval.products)."""
        self._ensure_or_stale(products_mod.collection_name(seller_id), seller_id, session)
        return products_mod.resolve_product(self.index, seller_id, mention, self.lexicon)

    def index_products(self, seller_id: int, products: list[ProductLike]) -> int:
        """Insert or update products of the seller (after an edit)."""
        return products_mod.index_products(self.index, seller_id, products)

    def remove_products(self, seller_id: int, product_ids: list[int]) -> int:
        return products_mod.remove_products(self.index, seller_id, product_ids)

    # -- the playbook ------------------------------------------------------------------

    def search_playbook(self, topic: str, lang: str, k: int = 3) -> list[Passage]:
        """Passages of the playbook answering `topic`, each with its article title."""
        return self.playbook.search(topic, lang, k)

    def tip_for(self, kind: str, lang: str) -> Tip | None:
        """At most one tip for an analysis result kind (playbook.TIP_KINDS)."""
        return self.playbook.tip_for(kind, lang)

    # -- inquiries ---------------------------------------------------------------------

    def draft_inquiry(
        self,
        session: Session,
        seller_id: int,
        inquiry_text: str,
        lang: str,
        *,
        currency: str = "KRW",
    ) -> InquiryDraft:
        """A draft reply from product facts and the seller's past answers."""
        self._ensure_or_stale(products_mod.collection_name(seller_id), seller_id, session)
        self._ensure_or_stale(inquiries_mod.collection_name(seller_id), seller_id, session)
        return inquiries_mod.draft_inquiry(
            self.index,
            session,
            seller_id,
            inquiry_text,
            lang,
            texts=self.texts,
            lexicon=self.lexicon,
            currency=currency,
        )


def _owner(session: Session, seller_id: int) -> str:
    """Who a seller id belongs to in this database: its slug and creation time."""
    seller = session.get(Seller, seller_id)
    if seller is None:
        return f"missing:{seller_id}"
    return f"{seller.slug}@{seller.created_at.isoformat()}"


class RetrievalHandle:
    """What the advisor holds: opens `Retrieval` on first use (importing chromadb
    takes about a second, which a sales question should not pay) and answers
    tips from the article files alone."""

    def __init__(
        self,
        settings: Settings,
        sessions: sessionmaker[Session] | None = None,
        *,
        prompts_dir: Path | None = None,
        prompts: PromptStore | None = None,
    ) -> None:
        """Files through `prompts` (the advisor's store, so its reload covers them);
        without one, a store over `prompts_dir` (else PROMPTS_DIR)."""
        self.settings = settings
        self.sessions = sessions
        self.library = Library(prompts or Path(prompts_dir or settings.prompts_dir))
        self._lock = threading.Lock()
        self._retrieval: Retrieval | None = None

    @property
    def opened(self) -> bool:
        return self._retrieval is not None

    def get(self) -> Retrieval:
        with self._lock:
            if self._retrieval is None:
                self._retrieval = Retrieval.open(
                    self.settings,
                    sessions=self.sessions,
                    prompts=self.library.prompts,
                    library=self.library,
                )
            return self._retrieval

    def tip_for(self, kind: str | None, lang: str) -> Tip | None:
        """At most one tip for an analysis result kind; None for no kind."""
        return self.library.tip_for(kind, lang) if kind else None


def refresh_after_import(settings: Settings, session: Session, seller_id: int) -> SellerSync:
    """Incremental index update for a seller whose data was just imported or
    seeded (what `advisor import` and `advisor seed` call)."""
    return Retrieval.open(settings, session=session).refresh_seller(session, seller_id)
