"""A failing embeddings endpoint (EMBEDDING=auto with a key): drafts still work (issue 13 §6).

A local OpenAI-compatible embeddings server embeds with the offline hashing function
while it works and answers 500 once told to fail. The query then falls back to the
offline embedding over what the index holds, for that query only.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from storage.db import session_factory
from storage.settings import Settings
from storage.vector.embeddings import HashingEmbedding, OpenAIEmbedding
from tests.embeddings_stub import EmbeddingsStub
from tests.factories import local, make_inquiry, make_product, make_seller
from tools.advisor import Advisor
from tools.prompts import PromptStore
from tools.retrieval.service import Retrieval

GREETING = "안녕하세요, 고객님. 문의 주셔서 감사합니다."
SHIPPING = "평일 오후 2시 이전 결제 건은 당일 출고되며 보통 1~2일 안에 받아보실 수 있습니다."


@pytest.fixture
def endpoint() -> Iterator[EmbeddingsStub]:
    stub = EmbeddingsStub(HashingEmbedding().embed_one)
    yield stub
    stub.close()


def _settings(endpoint: EmbeddingsStub, tmp_path: Path) -> Settings:
    return Settings(
        openai_api_key="sk-test",
        openai_base_url=endpoint.base_url,
        embedding="auto",
        data_dir=tmp_path / "data",
        llm_timeout_seconds=5.0,
    )


def _shop(session: Session) -> int:
    seller = make_seller(session, "shop")
    make_product(session, seller, "유자차 1kg", 12_900, sku="C-1", stock=0)
    at = local(2026, 11, 2)
    make_inquiry(session, seller, "오늘 주문하면 언제 받을 수 있나요?", SHIPPING, at)
    make_inquiry(
        session, seller, "단순 변심으로 환불 가능한가요?", "수령 후 7일 이내 가능합니다.", at
    )
    session.commit()
    return seller.id


def test_a_draft_uses_the_offline_embedding_when_the_endpoint_fails(
    sqlite_engine: Engine, endpoint: EmbeddingsStub, tmp_path: Path
) -> None:
    sessions = session_factory(sqlite_engine)
    with sessions() as session:
        seller_id = _shop(session)
    retrieval = Retrieval.open(_settings(endpoint, tmp_path), sessions=sessions)
    assert isinstance(retrieval.index.embedding, OpenAIEmbedding)
    with sessions() as session:
        retrieval.refresh_seller(session, seller_id)  # indexed while the endpoint works
    endpoint.failing = True
    with sessions() as session:
        draft = retrieval.draft_inquiry(session, seller_id, "오늘 주문하면 언제 와요?", "ko")
        facts = retrieval.draft_inquiry(session, seller_id, "유자차 1kg 재고 있나요?", "ko")
    assert endpoint.failed() >= 1  # the endpoint was asked, and failed
    assert draft.text == f"{GREETING}\n{SHIPPING}\n감사합니다."
    assert [s.question for s in draft.sources][:1] == ["오늘 주문하면 언제 받을 수 있나요?"]
    assert facts.text == f"{GREETING}\n유자차 1kg은(는) 현재 품절입니다.\n감사합니다."
    endpoint.failing = False  # the next query asks the endpoint again
    asked = len(endpoint.requests)
    with sessions() as session:
        again = retrieval.draft_inquiry(session, seller_id, "오늘 주문하면 언제 와요?", "ko")
    assert again.text == draft.text
    assert endpoint.requests[asked].status == 200


def test_the_advisor_drafts_through_a_failing_endpoint_instead_of_apologising(
    sqlite_engine: Engine, endpoint: EmbeddingsStub, tmp_path: Path
) -> None:
    """Never indexed and the endpoint down from the start: the seller still gets a
    draft, not the apology."""
    sessions = session_factory(sqlite_engine)
    with sessions() as session:
        seller_id = _shop(session)
    endpoint.failing = True
    advisor = Advisor(sessions, _settings(endpoint, tmp_path), PromptStore())
    try:
        answer = advisor.run(
            "inquiry_draft", {"inquiry": "유자차 1kg 재고 있나요?"}, seller_id=seller_id, lang="ko"
        )
    finally:
        advisor.close()
    assert endpoint.failed() >= 1
    assert answer.outcome.value == "answered"
    # nothing could be indexed, so nothing is known: the neutral draft, to be checked
    assert answer.text == (
        '고객 문의: "유자차 1kg 재고 있나요?"\n\n답변 초안:\n'
        "안녕하세요, 고객님. 문의 주셔서 감사합니다.\n"
        "문의하신 내용은 확인한 뒤 빠르게 다시 안내해 드리겠습니다.\n"
        "감사합니다.\n\n"
        "비슷한 과거 문의가 없어서 기본 문구로 작성했어요. 내용을 확인하고 보내 주세요."
    )
