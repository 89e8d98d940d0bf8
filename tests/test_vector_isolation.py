"""The vector index belongs to one database: two databases seeded identically (the same
seller slug and creation time, the same products; only their past answers differ)
each draft from their own past answers, whether they keep their index in their own
folders (the default), in one folder given to both, or one replaces the other at the
same path."""

from __future__ import annotations

import datetime as dt
import shutil
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import Engine, update
from sqlalchemy.orm import Session, sessionmaker

from storage.db import make_engine, session_factory
from storage.models import StoreMeta
from storage.settings import Settings
from storage.vector import HashingEmbedding
from storage.vector.identity import identity_of, index_folder, url_key
from tests.factories import local, make_inquiry, make_product, make_seller
from tools.retrieval import Retrieval

ROOT = Path(__file__).resolve().parents[1]
CREATED = dt.datetime(2026, 11, 1, 0, 0, tzinfo=dt.UTC)
QUESTION = "유자차 1kg 오늘 주문하면 언제 받을 수 있나요?"
ANSWERS = {
    "north": "유자차 1kg은 오늘 주문하시면 내일 도착해요. (북쪽 창고)",
    "south": "유자차 1kg은 오늘 주문하시면 사흘 뒤 도착해요. (남쪽 창고)",
}
OTHER = {"north": "south", "south": "north"}


@dataclass
class Store:
    path: Path
    engine: Engine
    sessions: sessionmaker[Session]
    seller_id: int

    @property
    def url(self) -> str:
        return f"sqlite:///{self.path}"


def _seed(template: Path, path: Path, answer: str) -> Store:
    """A copy of one migrated database (so the same instance id: a restored copy),
    seeded identically but for the answer to the shipping question."""
    shutil.copyfile(template, path)
    engine = make_engine(f"sqlite:///{path}")
    sessions = session_factory(engine)
    with sessions.begin() as session:
        seller = make_seller(session, "shop", name="유자상회", created_at=CREATED)
        citron = make_product(session, seller, "유자차 1kg", 12_900, sku="CIT-1", stock=9)
        make_inquiry(session, seller, "유자차 1kg 주문하면 언제 도착해요?", answer, local(2026, 11, 2),
                     product=citron)  # fmt: skip
        make_inquiry(
            session, seller, "환불 가능한가요?", "수령 후 7일 이내 환불돼요.", local(2026, 11, 2)
        )
        seller_id = seller.id
    return Store(path, engine, sessions, seller_id)


@pytest.fixture
def stores(sqlite_template: Path, tmp_path: Path) -> Iterator[dict[str, Store]]:
    made = {
        name: _seed(sqlite_template, tmp_path / f"{name}.db", answer)
        for name, answer in ANSWERS.items()
    }
    yield made
    for store in made.values():
        store.engine.dispose()


def _settings(tmp_path: Path, store: Store, **values: object) -> Settings:
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        data_dir=tmp_path / "data",
        database_url=store.url,
        **values,  # type: ignore[arg-type]
    )


def _drafted_from(settings: Settings, store: Store) -> list[str]:
    """The past answers a draft for QUESTION was grounded in, through a fresh
    Retrieval (a new process) on the store's database."""
    retrieval = Retrieval.open(
        settings,
        sessions=store.sessions,
        embedding=HashingEmbedding(),
        prompts_dir=ROOT / "prompts",
    )
    with store.sessions() as session:
        draft = retrieval.draft_inquiry(session, store.seller_id, QUESTION, "ko")
    return [source.answer for source in draft.sources]


def test_each_database_gets_its_own_index_folder_by_default(
    stores: dict[str, Store], tmp_path: Path
) -> None:
    north, south = stores["north"], stores["south"]
    with north.sessions() as one, south.sessions() as two:
        assert identity_of(one).instance_id == identity_of(two).instance_id  # copies
    folders = {
        name: index_folder(_settings(tmp_path, store), url_key(store.url))
        for name, store in stores.items()
    }
    assert folders["north"] != folders["south"]
    assert folders["north"].parent == tmp_path / "data" / "chroma"
    assert folders["north"].name.startswith("north-")

    for _ in range(2):  # and again, each from its index as it was left
        for name, store in stores.items():
            answers = _drafted_from(_settings(tmp_path, store), store)
            assert ANSWERS[name] in answers and ANSWERS[OTHER[name]] not in answers
    assert sorted(p.name for p in (tmp_path / "data" / "chroma").iterdir()) == sorted(
        folder.name for folder in folders.values()
    )


def test_one_folder_given_to_two_databases_is_rebuilt_for_each(
    stores: dict[str, Store], tmp_path: Path
) -> None:
    shared = tmp_path / "shared-index"
    for name in ("north", "south", "north"):
        store = stores[name]
        settings = _settings(tmp_path, store, chroma_dir=shared)
        answers = _drafted_from(settings, store)
        assert ANSWERS[name] in answers and ANSWERS[OTHER[name]] not in answers


def test_a_database_replaced_at_the_same_path_is_not_answered_from_the_old_index(
    stores: dict[str, Store], tmp_path: Path
) -> None:
    north, south = stores["north"], stores["south"]
    settings = _settings(tmp_path, north)
    assert ANSWERS["north"] in _drafted_from(settings, north)

    # south's database, made on its own (its own instance id), now sits at north's path
    with south.sessions.begin() as session:
        session.execute(update(StoreMeta).values(value=uuid.uuid4().hex))
    north.engine.dispose()
    south.engine.dispose()
    shutil.copyfile(south.path, north.path)
    engine = make_engine(north.url)
    replaced = Store(north.path, engine, session_factory(engine), north.seller_id)
    try:
        retrieval = Retrieval.open(settings, sessions=replaced.sessions,
                                   embedding=HashingEmbedding(), prompts_dir=ROOT / "prompts")  # fmt: skip
        with replaced.sessions() as session:
            draft = retrieval.draft_inquiry(session, replaced.seller_id, QUESTION, "ko")
        answers = [source.answer for source in draft.sources]
        assert ANSWERS["south"] in answers and ANSWERS["north"] not in answers
        assert sorted(retrieval.index.rebound) == [f"inquiries-{north.seller_id}",
                                                   f"products-{north.seller_id}"]  # fmt: skip
    finally:
        replaced.engine.dispose()
