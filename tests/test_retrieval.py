"""Retrieval: embeddings, the index lifecycle, the playbook, inquiry drafts and
`advisor index`. Every Chroma directory lives in tmp_path; the OpenAI
embeddings endpoint is a local HTTP stub (the process edge)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from pydantic import SecretStr
from sqlalchemy.orm import Session

from bot.cli import main
from storage.db import make_engine, session_factory, upgrade
from storage.models import Inquiry
from storage.settings import Settings, get_settings
from storage.vector import HashingEmbedding, OpenAIEmbedding, VectorIndex, embedding_from_settings
from tests.embeddings_stub import EmbeddingsStub
from tests.factories import inquiry_demo, local, make_inquiry, make_product, make_seller
from tools.retrieval import Retrieval
from tools.retrieval.inquiries import InquiryTexts, draft_inquiry, sync_inquiries
from tools.retrieval.meanings import parse_meanings
from tools.retrieval.playbook import TIP_KINDS, Playbook, read_article
from tools.retrieval.products import sync_products

ROOT = Path(__file__).resolve().parents[1]
PROMPTS = ROOT / "prompts"


def _settings(tmp_path: Path, **values: Any) -> Settings:
    return Settings(_env_file=None, data_dir=tmp_path, **values)  # type: ignore[call-arg]


def _index(path: Path, embedding: Any = None) -> VectorIndex:
    return VectorIndex.open(
        _settings(path), embedding=embedding or HashingEmbedding(), path=path / "chroma"
    )


def _cos(a: Any, b: Any) -> float:
    return float(np.dot(a, b))


# -- embeddings ------------------------------------------------------------------------


def test_hashing_embedding_is_normalised_spacing_blind_and_stable_across_processes() -> None:
    embed = HashingEmbedding(512)
    glued, spaced, other, empty = embed(["스텐텀블러 350ml", "스텐 텀블러 350ml", "유자차 1kg", ""])
    assert glued.shape == (512,) and glued.dtype == np.float32
    assert abs(float(np.linalg.norm(glued)) - 1.0) < 1e-5
    assert not empty.any()
    assert _cos(glued, spaced) > 0.9 > 0.3 > _cos(glued, other)

    # CRC-32 buckets, not hash(): another process with another hash seed agrees
    code = (
        "from storage.vector.embeddings import HashingEmbedding;"
        "print(list(HashingEmbedding(64)(['텀블러 tumbler'])[0].round(5)))"
    )
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    ).stdout
    here = list(HashingEmbedding(64)(["텀블러 tumbler"])[0].round(5))
    assert out.strip() == str(here)


def test_the_setting_chooses_the_embedding(tmp_path: Path) -> None:
    key = SecretStr("sk-test")
    hashing = embedding_from_settings(_settings(tmp_path, embedding="auto"))
    assert isinstance(hashing, HashingEmbedding) and hashing.signature == "hashing-v1-512"
    auto = embedding_from_settings(
        _settings(
            tmp_path, openai_api_key=key, openai_base_url="http://127.0.0.1:9/v1", embedding="auto"
        )
    )
    assert isinstance(auto, OpenAIEmbedding)
    assert (auto.signature, auto.base_url) == (
        "openai-text-embedding-3-small",
        "http://127.0.0.1:9/v1",
    )
    large = embedding_from_settings(
        _settings(tmp_path, openai_api_key=key, embedding="openai:text-embedding-3-large")
    )
    assert large.signature == "openai-text-embedding-3-large"
    forced = embedding_from_settings(_settings(tmp_path, openai_api_key=key, embedding="hashing"))
    assert isinstance(forced, HashingEmbedding)
    with pytest.raises(ValueError, match="needs OPENAI_API_KEY"):
        embedding_from_settings(_settings(tmp_path, embedding="openai"))
    with pytest.raises(ValueError, match="unknown EMBEDDING 'word2vec'"):
        embedding_from_settings(_settings(tmp_path, embedding="word2vec"))


@pytest.fixture
def embeddings_stub() -> Iterator[EmbeddingsStub]:
    """A fixed 3-dimensional vector per input, by its length."""
    stub = EmbeddingsStub(lambda text: [3.0, 4.0, float(len(text))])
    yield stub
    stub.close()


def test_openai_embedding_calls_the_configured_server(embeddings_stub: EmbeddingsStub) -> None:
    embed = OpenAIEmbedding(api_key="sk-test", base_url=embeddings_stub.base_url)
    first, second = embed(["ab", "abcd"])
    [request] = embeddings_stub.requests
    assert (request.path, request.body["model"], request.body["input"]) == (
        "/v1/embeddings",
        "text-embedding-3-small",
        ["ab", "abcd"],
    )
    # [3, 4, 2] / sqrt(29) and [3, 4, 4] / sqrt(41)
    assert np.allclose(first, np.array([3, 4, 2]) / 29**0.5, atol=1e-6)
    assert np.allclose(second, np.array([3, 4, 4]) / 41**0.5, atol=1e-6)
    assert "sk-test" not in json.dumps(embed.get_config())


# -- the index ---------------------------------------------------------------------------


def test_collections_record_their_embedding_and_follow_a_change(
    tmp_path: Path, embeddings_stub: EmbeddingsStub
) -> None:
    small = _index(tmp_path, HashingEmbedding(64))
    small.upsert("notes-1", ["a", "b"], ["유자차 재고", "텀블러 배송"], [{"n": 1}, {"n": 2}])
    collection = small.collection("notes-1")
    assert collection.metadata["embedding"] == "hashing-v1-64"
    assert collection.configuration["embedding_function"].name() == "store-advisor-hashing"
    assert small.client.get_settings().anonymized_telemetry is False
    assert small.reembedded == []

    bigger = _index(tmp_path, HashingEmbedding(128))
    assert bigger.query("notes-1", "유자차", k=1)[0].id == "a"
    assert bigger.reembedded == ["notes-1"]
    assert bigger.metadata("notes-1")["embedding"] == "hashing-v1-128"
    kept = {hit.id: (hit.document, dict(hit.metadata)) for hit in bigger.get("notes-1")}
    assert kept == {"a": ("유자차 재고", {"n": 1}), "b": ("텀블러 배송", {"n": 2})}
    assert bigger.names() == ["notes-1"]

    # another embedding function altogether (Chroma would refuse a plain get)
    remote = OpenAIEmbedding(api_key="sk-test", base_url=embeddings_stub.base_url)
    switched = _index(tmp_path, remote)
    assert switched.count("notes-1") == 2
    assert switched.reembedded == ["notes-1"]
    assert switched.metadata("notes-1")["embedding"] == "openai-text-embedding-3-small"
    assert sorted(len(r.body["input"]) for r in embeddings_stub.requests) == [2]

    # the same embedding again: nothing to do
    same = _index(tmp_path, remote)
    assert same.count("notes-1") == 2 and same.reembedded == []


# -- the playbook ------------------------------------------------------------------------

PLAYBOOK_TOPICS = [
    ("ko", "광고비가 너무 많이 나가는데 손해 보는 것 같아요", {"break_even_roas"}),
    ("ko", "손익분기 ROAS가 뭐야?", {"break_even_roas"}),
    ("ko", "광고 클릭률 올리는 법", {"ad_ctr"}),
    ("ko", "방문자는 많은데 구매를 안 해요", {"conversion_rate"}),
    ("ko", "단골이 요즘 안 와요", {"win_back"}),
    ("ko", "첫 구매 고객 재구매 유도", {"second_purchase", "repeat_customers"}),
    ("ko", "할인 행사 어떻게 해?", {"promotions"}),
    ("ko", "추석 시즌 준비", {"seasonal_planning"}),
    ("ko", "재고 언제 발주해야 돼?", {"reorder_point", "inventory"}),
    ("ko", "나쁜 후기에 어떻게 답해?", {"reviews"}),
    ("ko", "매출이 갑자기 줄었어요", {"sales_drop"}),
    ("ko", "무료배송 기준 배송비 정책", {"shipping"}),
    ("en", "I'm spending too much on ads and losing money", {"break_even_roas"}),
    ("en", "lots of visitors but nobody buys", {"conversion_rate"}),
    ("en", "how much should I charge for my product", {"pricing"}),
    ("en", "preparing for Chuseok holiday", {"seasonal_planning"}),
    ("en", "when should I reorder stock", {"reorder_point", "inventory"}),
    ("en", "how to respond to a bad review", {"reviews"}),
    ("en", "what do search keywords tell me", {"search_keywords"}),
    ("en", "why did my sales drop", {"sales_drop"}),
]


@pytest.fixture(scope="module")
def playbook(tmp_path_factory: pytest.TempPathFactory) -> Playbook:
    return Playbook(_index(tmp_path_factory.mktemp("playbook")), PROMPTS)


def test_every_article_has_both_languages_a_title_and_sections() -> None:
    folder = PROMPTS / "knowledge"
    articles = [read_article(path, PROMPTS) for path in sorted(folder.glob("*.md"))]
    found = [a for a in articles if a is not None]
    slugs = {a.slug for a in found}
    assert len(slugs) >= 15
    for slug in slugs:
        langs = {a.lang for a in found if a.slug == slug}
        assert langs == {"ko", "en"}, slug
    for article in found:
        assert article.title and article.sections, article.source_file
        assert set(article.tip_for) <= set(TIP_KINDS), article.source_file
        if article.tip_for:
            assert article.tip, f"{article.source_file}: tip_for without a tip"


@pytest.mark.parametrize(("lang", "topic", "expected"), PLAYBOOK_TOPICS)
def test_playbook_search_finds_the_article(
    playbook: Playbook, lang: str, topic: str, expected: set[str]
) -> None:
    passages = playbook.search(topic, lang, k=3)
    assert passages, topic
    assert passages[0].slug in expected, [(p.slug, p.score) for p in passages]
    for passage in passages:
        article = read_article(PROMPTS / passage.source_file, PROMPTS)
        assert article is not None and article.lang == lang
        assert passage.title == article.title
        assert passage.text == article.tip or any(
            passage.text in section.text for section in article.sections
        )
    assert len({p.slug for p in passages}) >= (len(passages) + 1) // 2  # at most 2 per article


def test_playbook_answers_nothing_for_an_unrelated_topic(playbook: Playbook) -> None:
    assert playbook.search("날씨", "ko") == []
    assert playbook.search("hello", "en") == []


def test_one_tip_per_result_kind(playbook: Playbook) -> None:
    tip = playbook.tip_for("ad_low_roas", "ko")
    assert tip is not None
    assert tip.title == "손익분기 ROAS로 광고 캠페인 판단하기"
    assert tip.text == (
        "손익분기 ROAS(1 ÷ 마진율)보다 낮은 캠페인은 팔수록 손해예요. "
        "그 캠페인의 예산부터 줄이고, 손익분기를 넘는 캠페인으로 옮기세요."
    )
    assert tip.source_file == "knowledge/break_even_roas.ko.md"
    english = playbook.tip_for("low_stock", "en")
    assert english is not None and english.title == "Reorder point and safety stock"
    assert playbook.tip_for("no_such_kind", "ko") is None
    for kind in TIP_KINDS:
        assert playbook.tip_for(kind, "ko") is not None, kind
        assert playbook.tip_for(kind, "en") is not None, kind


def test_an_operator_edit_is_searched_on_the_next_question(tmp_path: Path) -> None:
    prompts = tmp_path / "prompts"
    shutil.copytree(PROMPTS / "knowledge", prompts / "knowledge")
    book = Playbook(_index(tmp_path), prompts)
    before = book.search("라이브 커머스 방송 준비", "ko")
    assert all(p.title != "라이브 커머스 시작하기" for p in before)
    (prompts / "knowledge" / "live_commerce.ko.md").write_text(
        "# 라이브 커머스 시작하기\n<!--\nkeywords: 라이브, 라이브 커머스, 방송\n-->\n\n"
        "## 방송 준비\n방송 30분 전에 조명과 재고를 확인하세요.\n",
        encoding="utf-8",
    )
    found = book.search("라이브 커머스 방송 준비", "ko")
    assert [(p.title, p.heading, p.text) for p in found[:1]] == [
        ("라이브 커머스 시작하기", "방송 준비", "방송 30분 전에 조명과 재고를 확인하세요.")
    ]
    (prompts / "knowledge" / "live_commerce.ko.md").unlink()
    assert book.search("라이브 커머스 방송 준비", "ko") == before


# -- inquiry drafts ----------------------------------------------------------------------

TEXTS = InquiryTexts(PROMPTS)
KO_GREETING = "안녕하세요, 고객님. 문의 주셔서 감사합니다."
KO_UNKNOWN = "문의하신 내용은 확인한 뒤 빠르게 다시 안내해 드리겠습니다."
SHIPPING_ANSWER = "평일 오후 2시 이전 결제 건은 당일 출고되며 보통 1~2일 안에 받아보실 수 있습니다."


def _shop(session: Session, slug: str = "shop") -> dict[str, Any]:
    """A seller with two products and answered (and one unanswered) inquiries."""
    seller = make_seller(session, slug)
    citron = make_product(session, seller, "유자차 1kg", 12_900, sku=f"{slug}-1", stock=0)
    tumbler = make_product(
        session,
        seller,
        "스테인리스 텀블러 350ml",
        14_900,
        sku=f"{slug}-2",
        stock=25,
        name_en="Stainless Tumbler 350ml",
    )
    tumbler.options = "색상: 블랙 / 화이트"
    at = local(2026, 11, 2)
    shipping = make_inquiry(
        session, seller, "오늘 주문하면 언제 받을 수 있나요?", SHIPPING_ANSWER, at
    )
    restock = make_inquiry(
        session,
        seller,
        "스테인리스 텀블러 350ml 재입고 언제 되나요?",
        "스테인리스 텀블러 350ml은 다음 주 수요일 재입고 예정입니다.",
        at,
        product=tumbler,
    )
    refund = make_inquiry(
        session,
        seller,
        "단순 변심으로 환불 가능한가요?",
        "수령 후 7일 이내 미개봉 상품은 환불 가능합니다.",
        at,
    )
    make_inquiry(session, seller, "포장 박스 버려도 되나요?", None, at)
    session.flush()
    return {
        "seller": seller,
        "citron": citron,
        "tumbler": tumbler,
        "shipping": shipping,
        "restock": restock,
        "refund": refund,
    }


def _draft(index: VectorIndex, session: Session, shop: dict[str, Any], text: str, lang: str = "ko"):  # type: ignore[no-untyped-def]
    return draft_inquiry(index, session, shop["seller"].id, text, lang, texts=TEXTS)


def test_a_draft_reuses_the_closest_past_answer_and_shows_it(
    session: Session, tmp_path: Path
) -> None:
    index = _index(tmp_path)
    shop = _shop(session)
    sync_products(index, session, shop["seller"].id)
    counts = sync_inquiries(index, session, shop["seller"].id)
    assert (counts.written, counts.removed, counts.unchanged) == (3, 0, 0)  # not the unanswered

    draft = _draft(index, session, shop, "오늘 주문하면 언제 와요?")
    assert draft.knows and draft.used == shop["shipping"].id
    assert draft.text == f"{KO_GREETING}\n{SHIPPING_ANSWER}\n감사합니다."
    assert draft.sources[0].id == shop["shipping"].id
    assert draft.sources[0].question == "오늘 주문하면 언제 받을 수 있나요?"
    assert draft.product is None and draft.facts == {}


def test_a_draft_states_the_real_price_and_stock(session: Session, tmp_path: Path) -> None:
    index = _index(tmp_path)
    shop = _shop(session)
    sync_products(index, session, shop["seller"].id)
    sync_inquiries(index, session, shop["seller"].id)

    draft = _draft(index, session, shop, "유자차 1kg 가격이 얼마예요? 재고 있나요?")
    assert draft.product is not None and draft.product.id == shop["citron"].id
    assert draft.facts == {"name": "유자차 1kg", "price": 12_900, "stock": 0, "options": None}
    assert draft.topics == ("stock", "price")
    assert draft.text == "\n".join(
        [
            KO_GREETING,
            "유자차 1kg은(는) 현재 품절입니다.",
            "유자차 1kg의 판매가는 12,900원입니다.",
            "감사합니다.",
        ]
    )
    assert draft.knows and draft.used is None  # the facts answer it; no past answer needed

    english = _draft(index, session, shop, "What colours does the stainless tumbler come in?", "en")
    assert english.product is not None and english.product.id == shop["tumbler"].id
    assert english.text == "\n".join(
        [
            "Hello, and thank you for your message.",
            "The Stainless Tumbler 350ml comes in these options: 색상: 블랙 / 화이트.",
            "Thank you.",
        ]
    )


def test_an_answer_about_another_product_is_not_reused(session: Session, tmp_path: Path) -> None:
    index = _index(tmp_path)
    shop = _shop(session)
    sync_products(index, session, shop["seller"].id)
    sync_inquiries(index, session, shop["seller"].id)

    # the tumbler's restock date is not the citron tea's
    draft = _draft(index, session, shop, "유자차 1kg 언제 다시 들어와요?")
    assert draft.product is not None and draft.product.id == shop["citron"].id
    assert draft.used is None
    assert "수요일" not in draft.text
    assert shop["restock"].id in [past.id for past in draft.sources]


def test_a_draft_says_so_when_nothing_is_known(session: Session, tmp_path: Path) -> None:
    index = _index(tmp_path)
    shop = _shop(session)
    sync_products(index, session, shop["seller"].id)
    sync_inquiries(index, session, shop["seller"].id)

    draft = _draft(index, session, shop, "유통기한이 언제까지인가요?")
    assert not draft.knows
    assert draft.text == f"{KO_GREETING}\n{KO_UNKNOWN}\n감사합니다."
    assert draft.used is None and draft.product is None


def test_another_sellers_answers_and_products_are_never_used(
    session: Session, tmp_path: Path
) -> None:
    index = _index(tmp_path)
    mine = make_seller(session, "mine")
    make_product(session, mine, "캔버스 에코백", 12_900, sku="M-1")
    theirs = _shop(session, "theirs")
    for seller in (mine, theirs["seller"]):
        sync_products(index, session, seller.id)
        sync_inquiries(index, session, seller.id)

    draft = draft_inquiry(
        index, session, mine.id, "오늘 주문하면 언제 받을 수 있나요?", "ko", texts=TEXTS
    )
    assert not draft.knows and draft.sources == []
    assert SHIPPING_ANSWER not in draft.text
    stock = draft_inquiry(index, session, mine.id, "유자차 1kg 재고 있나요?", "ko", texts=TEXTS)
    assert stock.product is None and stock.facts == {} and "12,900" not in stock.text


def test_retrieval_indexes_a_seller_on_first_use_and_refreshes_after_import(
    sessions: Any, tmp_path: Path
) -> None:
    with sessions.begin() as session:
        shop = _shop(session)
        seller_id = shop["seller"].id
    retrieval = Retrieval(_index(tmp_path), PROMPTS, sessions=sessions)
    found = retrieval.resolve_product(seller_id, "스텐 텀블러")
    assert found.confident and found.best is not None and found.best.sku == "shop-2"

    with sessions.begin() as session:
        make_product(session, shop["seller"], "캐모마일 티백 20입", 8_500, sku="shop-3")
        session.add(
            Inquiry(
                seller_id=seller_id,
                question="선물 포장 되나요?",
                answer="네, 무료입니다.",
                asked_at=local(2026, 11, 3),
                answered_at=local(2026, 11, 3),
            )
        )
    with sessions() as session:
        done = retrieval.refresh_seller(session, seller_id)
    assert (done.products.written, done.products.unchanged) == (1, 2)
    # inquiries were never needed so far: all four answered ones are new
    assert (done.inquiries.written, done.inquiries.unchanged) == (4, 0)
    with sessions() as session:
        again = retrieval.refresh_seller(session, seller_id)
    assert (again.products.written, again.inquiries.written, again.inquiries.unchanged) == (0, 0, 4)
    assert retrieval.resolve_product(seller_id, "캐모마일").best.sku == "shop-3"  # type: ignore[union-attr]
    with sessions() as session:
        wrap = retrieval.draft_inquiry(session, seller_id, "선물 포장 되나요?", "ko")
    assert wrap.text == f"{KO_GREETING}\n네, 무료입니다.\n감사합니다."
    passages = retrieval.search_playbook("광고 클릭률 올리는 법", "ko")
    assert passages[0].title == "광고 클릭률(CTR) 높이기"


# -- advisor index -----------------------------------------------------------------------


def test_cli_rebuilds_the_index(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "cli.db"
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{path}")
    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    monkeypatch.setenv("EMBEDDING", "hashing")
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.delenv("CHROMA_URL", raising=False)
    get_settings.cache_clear()
    try:
        engine = make_engine(f"sqlite:///{path}")
        upgrade(engine)
        with session_factory(engine).begin() as session:
            _shop(session, "shop")
        engine.dispose()

        assert main(["index", "status"]) == 0
        assert "the index is empty" in capsys.readouterr().out
        assert main(["index", "rebuild", "--seller", "shop"]) == 0
        out = capsys.readouterr().out
        assert "embedding: hashing-v1-512" in out
        assert "shop" in out and "2 products" in out and "3 answered inquiries" in out
        assert main(["index", "rebuild"]) == 0
        assert "playbook" in capsys.readouterr().out
        assert main(["index", "status"]) == 0
        status = capsys.readouterr().out
        assert "products-1" in status and "inquiries-1" in status and "playbook" in status
        assert main(["index", "rebuild", "--seller", "nobody"]) == 2
        assert "nobody" in capsys.readouterr().err
    finally:
        get_settings.cache_clear()


# -- one tip per analysis answer -----------------------------------------------------------


def test_each_tool_picks_the_tip_its_result_calls_for() -> None:
    from types import SimpleNamespace as NS

    from analytics.ads import AdReport
    from analytics.clv.report import CustomerReport
    from analytics.common import NoData
    from analytics.keywords import KeywordReport
    from analytics.products import ProductRanking, ProductReport
    from analytics.sales import SalesReport
    from tools.catalog import CATALOG

    def ads(losing: list[Any], ctr: float | None) -> AdReport:
        return AdReport.model_construct(losing=losing, total=NS(change=NS(ctr=ctr)))

    def sales(relative: float | None) -> SalesReport:
        return SalesReport.model_construct(previous=NS(change=NS(revenue=NS(relative=relative))))

    def product(days: float | None, visits: int, conversion: float | None) -> ProductReport:
        return ProductReport.model_construct(
            days_of_stock_left=days,
            current=NS(visits=visits),
            change=NS(conversion_rate=NS(relative=conversion)),
        )

    def keywords(*keys: str) -> KeywordReport:
        return KeywordReport.model_construct(
            low_converting=[NS(suggestion=NS(key=key)) for key in keys]
        )

    cases = [
        ("ad_report", ads([NS(campaign_id=1)], None), "ad_low_roas"),
        ("ad_report", ads([], -0.25), "ad_low_ctr"),
        ("ad_report", ads([], -0.1), None),
        ("sales_report", sales(-0.2), "sales_drop"),
        ("sales_report", sales(-0.19), None),
        ("sales_report", sales(None), None),
        (
            "top_products",
            ProductRanking.model_construct(direction="falling", items=[NS()]),
            "falling_products",
        ),
        ("top_products", ProductRanking.model_construct(direction="top", items=[NS()]), None),
        ("product_report", product(3.5, 0, None), "low_stock"),
        ("product_report", product(None, 80, -0.4), "low_conversion"),
        ("product_report", product(None, 49, -0.4), None),
        ("product_report", product(12.0, 80, -0.1), None),
        ("search_keywords", keywords("improve_page", "add_product"), "keyword_gap"),
        ("search_keywords", keywords("improve_page"), "low_conversion"),
        ("search_keywords", keywords(), None),
        (
            "customer_report",
            CustomerReport.model_construct(segment="at_risk", customers=(NS(),)),
            "at_risk_customers",
        ),
        (
            "customer_report",
            CustomerReport.model_construct(segment="likely_regulars", customers=(NS(),)),
            "likely_regulars",
        ),
        (
            "customer_report",
            CustomerReport.model_construct(segment="regulars", customers=(NS(),)),
            None,
        ),
        ("customer_report", CustomerReport.model_construct(segment="at_risk", customers=()), None),
        ("ad_report", NoData(reason="no_ads"), None),
    ]
    for tool, result, expected in cases:
        assert CATALOG[tool].tip(result) == expected, result
        assert expected is None or expected in TIP_KINDS


def test_a_reseeded_database_is_not_answered_from_the_old_index(
    sessions: Any, tmp_path: Path
) -> None:
    with sessions.begin() as session:
        seller = make_seller(session, "shop")
        old = make_product(session, seller, "유자차 1kg", 12_900, sku="OLD-1")
        seller_id = seller.id
    index = _index(tmp_path)
    assert Retrieval(index, PROMPTS, sessions=sessions).resolve_product(seller_id, "유자차").best

    # the same seller id now belongs to another store (a re-seed, a restored backup)
    with sessions.begin() as session:
        again = session.get(type(seller), seller_id)
        again.slug = "other-shop"
        session.delete(session.get(type(old), old.id))
        make_product(session, again, "보리차 티백", 8_900, sku="NEW-1")
    fresh = Retrieval(index, PROMPTS, sessions=sessions)
    assert fresh.resolve_product(seller_id, "유자차").best is None
    found = fresh.resolve_product(seller_id, "보리차")
    assert found.best is not None and found.best.sku == "NEW-1"


# -- the advisor answers with retrieval ----------------------------------------------------


@pytest.fixture
def demo_sessions(sqlite_engine: Any) -> Any:
    """The demo generator's catalogue and answered inquiries, two weeks of orders."""
    factory = session_factory(sqlite_engine)
    with factory.begin() as session:
        inquiry_demo(session)
    return factory


def _demo_now() -> Any:
    import datetime as dt
    from zoneinfo import ZoneInfo

    return dt.datetime(2026, 11, 27, 18, 0, tzinfo=ZoneInfo("Asia/Seoul"))


def test_offline_advisor_resolves_names_and_answers_from_retrieval(
    demo_sessions: Any, tmp_path: Path
) -> None:
    from tools.advisor import Advisor
    from tools.prompts import PromptStore

    advisor = Advisor(demo_sessions, _settings(tmp_path, openai_api_key=None), PromptStore())
    try:
        # the router alone finds several mugs; the resolver reads "ceramik" as ceramic
        mug = advisor.ask("ceramik mug 요즘 어때?", seller_id=1, now=_demo_now())
        assert [(c.tool, c.args.get("product_id")) for c in mug.calls] == [("product_report", 9)]
        assert mug.text.startswith("도자기 머그컵 · 최근 7일")
        # still several: a did-you-mean with the resolver's products
        mugs = advisor.ask("머그컵 어때?", seller_id=1, now=_demo_now())
        assert mugs.calls == [] and "도자기 머그컵" in [b.label for b in mugs.candidates]

        draft = advisor.ask("고객 문의: 콜드브루 원액 가격 얼마예요?", seller_id=1, now=_demo_now())
        assert [c.tool for c in draft.calls] == ["inquiry_draft"]
        assert "콜드브루 원액 500ml의 판매가는 15,900원입니다." in draft.text
        assert draft.calls[0].result["product"]["price"] == 15_900

        advice = advisor.ask("조언: 광고 클릭률 올리는 법", seller_id=1, now=_demo_now())
        assert [c.tool for c in advice.calls] == ["advice"]
        assert "[광고 클릭률(CTR) 높이기]" in advice.text
    finally:
        advisor.close()


def test_model_answers_inquiry_and_advice_from_retrieved_material(
    demo_sessions: Any, tmp_path: Path
) -> None:
    from tests.openai_stub import Reply, running_stub
    from tools.advisor import Advisor
    from tools.prompts import PromptStore

    for stub in running_stub():
        settings = _settings(
            tmp_path,
            openai_api_key="sk-test",
            openai_base_url=stub.base_url,
            openai_model="stub-model",
            embedding="hashing",
        )
        advisor = Advisor(demo_sessions, settings, PromptStore())
        try:
            question = "콜드브루 원액 가격 얼마예요?"
            written = "답변 초안: 콜드브루 원액 500ml의 판매가는 15,900원입니다."
            stub.queue(
                Reply(tool_calls=[("inquiry_draft", {"inquiry": question})]),
                Reply(content=written),
            )
            draft = advisor.ask(f"고객 문의: {question}", seller_id=1, now=_demo_now())
            assert (draft.mode, draft.text) == ("llm", written)
            seen = json.loads(
                [m for m in stub.requests[1]["messages"] if m["role"] == "tool"][0]["content"]
            )
            assert seen["product"]["price"] == 15_900
            assert "15,900원" in seen["closest_past_answer"]

            invented = "콜드브루 원액은 12,000원이에요."  # not in the tool result
            stub.queue(
                Reply(tool_calls=[("inquiry_draft", {"inquiry": question})]),
                Reply(content=invented),
            )
            guarded = advisor.ask(f"고객 문의: {question}", seller_id=1, now=_demo_now())
            assert guarded.text != invented and "15,900원" in guarded.text

            stub.queue(
                Reply(tool_calls=[("advice", {"topic": "광고 클릭률"})]),
                Reply(content="[광고 클릭률(CTR) 높이기] 글에 따르면 문구에 가격을 넣어 보세요."),
            )
            advice = advisor.ask("광고 클릭률 어떻게 올려?", seller_id=1, now=_demo_now())
            articles = advice.calls[0].result["articles"]
            assert articles[0]["title"] == "광고 클릭률(CTR) 높이기"
            assert advice.text.startswith("[광고 클릭률(CTR) 높이기]")
            # the embeddings never went to the chat server: every request was a chat call
            assert all("messages" in request for request in stub.requests)
        finally:
            advisor.close()


def test_phrases_of_one_meaning_read_as_one_word_and_filler_is_left_out() -> None:
    """prompts/inquiry.<lang>.yaml same_meaning: each phrase (any spacing, with the rest
    of its word) is its key's word, in every file; filler goes; a phrase inside another
    word is not read ("불가능" keeps its 불가능, unlike the filler 가능)."""
    meanings = parse_meanings(
        {
            "same_meaning": {
                "change_of_mind": ["단순 변심", "마음이 바뀌"],
                "refund": ["환불", "반품"],
            },
            "filler": ["가능"],
        },
        {"same_meaning": {"refund": ["refund", "return"]}},
    )
    assert meanings.normalized("마음이 바뀌었는데 반품할 수 있나요?") == (
        " meaningchangeofmind   meaningrefund  수 있나요?"
    )
    assert meanings.normalized("단순변심으로 환불 가능한가요?") == (
        " meaningchangeofmind   meaningrefund    ?"
    )
    assert meanings.normalized("Can I RETURN it?") == "can i  meaningrefund  it?"
    assert meanings.normalized("불가능 환불") == "불가능  meaningrefund "
