"""Product resolution (tools.retrieval.products) over a Chroma index in tmp_path.

The regression set (tests/data/product_mentions.yaml) was written by hand from
the demo catalogue; the store here is the demo generator's own (storage.demo),
so the SKUs are the generator's.
"""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.db import make_engine, session_factory
from storage.demo import StoreSpec, generate_store
from storage.models import Product
from storage.settings import Settings
from storage.vector import HashingEmbedding, VectorIndex
from tests.factories import make_product, make_seller
from tools.retrieval._text import load_lexicon
from tools.retrieval.products import (
    ProductRef,
    index_products,
    remove_products,
    resolve_product,
    sync_products,
)

DATA = Path(__file__).parent / "data" / "product_mentions.yaml"
PROMPTS = Path(__file__).resolve().parents[1] / "prompts"
LEXICON = load_lexicon(PROMPTS / "product_words.yaml")


def _index(path: Path) -> VectorIndex:
    return VectorIndex.open(Settings(data_dir=path), embedding=HashingEmbedding(), path=path)


@pytest.fixture(scope="module")
def demo(
    sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[VectorIndex, int, dict[str, int]]]:
    """The demo store's catalogue indexed: (index, seller id, sku -> product id)."""
    folder = tmp_path_factory.mktemp("demo")
    shutil.copyfile(sqlite_template, folder / "store.db")
    engine = make_engine(f"sqlite:///{folder / 'store.db'}")
    spec = StoreSpec(
        slug="demo",
        until=dt.datetime(2026, 11, 20, 6, tzinfo=dt.UTC),
        days=7,
        orders_per_day=2,
        with_visits=False,
        with_ads=False,
        inquiries=0,
    )
    with session_factory(engine).begin() as session:
        seller_id = generate_store(session, spec, np.random.default_rng(3)).seller_id
    index = _index(folder / "chroma")
    with session_factory(engine)() as session:
        sync_products(index, session, seller_id)
        skus = {sku: pid for sku, pid in session.execute(select(Product.sku, Product.id))}
    yield index, seller_id, skus
    engine.dispose()


def test_regression_set_resolves_at_least_95_percent_top1(
    demo: tuple[VectorIndex, int, dict[str, int]],
) -> None:
    index, seller_id, skus = demo
    mentions = yaml.safe_load(DATA.read_text(encoding="utf-8"))["mentions"]
    assert len(mentions) >= 100
    assert {m["sku"] for m in mentions} <= set(skus), "regression set names unknown SKUs"
    misses = []
    for case in mentions:
        found = resolve_product(index, seller_id, case["text"], LEXICON)
        if found.best is None or found.best.sku != case["sku"]:
            misses.append((case["text"], case["sku"], found.best.sku if found.best else None))
    accuracy = 1 - len(misses) / len(mentions)
    assert accuracy >= 0.95, f"top-1 accuracy {accuracy:.1%}; misses: {misses}"


def test_ambiguous_mentions_offer_candidates_instead_of_guessing(
    demo: tuple[VectorIndex, int, dict[str, int]],
) -> None:
    index, seller_id, _ = demo
    cases = yaml.safe_load(DATA.read_text(encoding="utf-8"))["ambiguous"]
    for case in cases:
        found = resolve_product(index, seller_id, case["text"], LEXICON)
        assert not found.confident, case["text"]
        assert found.ambiguous, case["text"]
        assert set(case["candidates"]) <= {c.sku for c in found.candidates}, case["text"]
        assert len(found.candidates) == len(found.scores) <= 5


def test_a_spelled_sku_is_confident_and_unknown_words_name_nothing(
    demo: tuple[VectorIndex, int, dict[str, int]],
) -> None:
    index, seller_id, skus = demo
    found = resolve_product(index, seller_id, "lif-0020", LEXICON)
    assert found.confident
    assert found.best is not None
    assert (found.best.sku, found.best.id) == ("LIF-0020", skus["LIF-0020"])
    assert found.best.name == "콜드브루 원액 500ml"
    assert found.best.name_en == "Cold Brew Concentrate 500ml"

    nothing = resolve_product(index, seller_id, "노트북", LEXICON)
    assert (nothing.best, nothing.candidates, nothing.confident) == (None, [], False)
    assert resolve_product(index, seller_id, "   ", LEXICON).best is None


def _hoodies() -> list[ProductRef]:
    return [
        ProductRef(1, "HD-1", "오버핏 후드티", "Overfit Hoodie", "상의", "색상: 블루 / 그레이"),
        ProductRef(2, "HD-2", "후드 집업", "Hooded Zip-up", "상의", "색상: 블랙 / 네이비"),
        ProductRef(3, "MT-1", "기모 맨투맨", "Fleece Sweatshirt", "상의", "색상: 블루 / 아이보리"),
        ProductRef(4, "TB-1", "보온 텀블러 500ml", "Thermal Tumbler 500ml", "텀블러", None),
    ]


def test_the_blue_hoodie_and_that_tumbler(tmp_path: Path) -> None:
    index = _index(tmp_path)
    assert index_products(index, 7, _hoodies()) == 4

    hoodie = resolve_product(index, 7, "the blue hoodie", LEXICON)
    assert hoodie.confident
    assert hoodie.best is not None and hoodie.best.sku == "HD-1"

    # one tumbler in the catalogue: "그 텀블러" can only mean it
    tumbler = resolve_product(index, 7, "그 텀블러", LEXICON)
    assert tumbler.confident
    assert tumbler.best is not None and tumbler.best.sku == "TB-1"

    # colour alone does not decide between two blue products
    blue = resolve_product(index, 7, "파란색", LEXICON)
    assert not blue.confident
    assert {c.sku for c in blue.candidates} >= {"HD-1", "MT-1"}


def test_edits_and_removals_reach_the_index(tmp_path: Path) -> None:
    index = _index(tmp_path)
    index_products(index, 7, _hoodies())
    renamed = ProductRef(4, "TB-1", "진공 보틀 750ml", "Vacuum Bottle 750ml", "보틀", None)
    assert index_products(index, 7, [renamed]) == 1
    found = resolve_product(index, 7, "진공 보틀", LEXICON)
    assert found.confident and found.best == renamed
    assert resolve_product(index, 7, "보온 텀블러", LEXICON).best is None

    assert remove_products(index, 7, [4]) == 1
    assert resolve_product(index, 7, "진공 보틀", LEXICON).best is None


def test_sync_embeds_only_what_changed(session: Session, tmp_path: Path) -> None:
    index = _index(tmp_path)
    seller = make_seller(session, "shop")
    jar = make_product(session, seller, "유자차 1kg", 12_900, sku="T-1", name_en="Citron Tea 1kg")
    make_product(session, seller, "보리차 티백", 8_900, sku="T-2")
    gone = make_product(session, seller, "홍차 선물세트", 32_000, sku="T-3")
    session.flush()

    first = sync_products(index, session, seller.id)
    assert (first.written, first.removed, first.unchanged) == (3, 0, 0)
    again = sync_products(index, session, seller.id)
    assert (again.written, again.removed, again.unchanged) == (0, 0, 3)

    jar.name = "유자차 2kg"
    session.delete(gone)
    session.flush()
    changed = sync_products(index, session, seller.id)
    assert (changed.written, changed.removed, changed.unchanged) == (1, 1, 1)
    found = resolve_product(index, seller.id, "유자차 2kg", LEXICON)
    assert found.confident and found.best is not None and found.best.id == jar.id
    assert resolve_product(index, seller.id, "홍차 선물세트", LEXICON).best is None


def test_one_sellers_products_never_resolve_for_another(session: Session, tmp_path: Path) -> None:
    index = _index(tmp_path)
    shop_a = make_seller(session, "shop-a")
    shop_b = make_seller(session, "shop-b")
    make_product(session, shop_a, "유자차 1kg", 12_900, sku="A-1")
    b_only = make_product(session, shop_b, "스테인리스 텀블러 350ml", 14_900, sku="B-1")
    b_same = make_product(session, shop_b, "유자차 1kg", 11_000, sku="B-2")
    session.flush()
    sync_products(index, session, shop_a.id)
    sync_products(index, session, shop_b.id)

    # A has no tumbler: B's is not offered, not even as a candidate
    tumbler = resolve_product(index, shop_a.id, "스테인리스 텀블러 350ml", LEXICON)
    assert tumbler.best is None or tumbler.best.sku.startswith("A-")
    assert all(c.sku.startswith("A-") for c in tumbler.candidates)
    # the same name in both shops resolves to each shop's own product
    assert resolve_product(index, shop_a.id, "유자차", LEXICON).best.sku == "A-1"  # type: ignore[union-attr]
    assert resolve_product(index, shop_b.id, "유자차", LEXICON).best.id == b_same.id  # type: ignore[union-attr]
    assert resolve_product(index, shop_a.id, "B-1", LEXICON).best is None
    assert resolve_product(index, shop_b.id, "B-1", LEXICON).best.id == b_only.id  # type: ignore[union-attr]
