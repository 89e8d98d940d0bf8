"""The model path over HTTP: the real openai client and LangChain agent against the
scripted OpenAI-compatible stub (tests/openai_stub.py), on the hand-built store."""

from __future__ import annotations

import json
import logging
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from storage.db import session_factory
from storage.settings import Settings
from tests.advisor_store import NOW, build_store
from tests.openai_stub import OpenAIStub, Reply, running_stub
from tests.test_advisor import OCTOBER_KO, TODAY_KO
from tests.tokens import count, request_tokens
from tools.advisor import Advisor
from tools.prompts import DEFAULT_DIR, PromptStore

SHOP = 1
TODAY = {"start": "2026-11-27", "end": "2026-11-27"}


@pytest.fixture
def stub() -> Iterator[OpenAIStub]:
    yield from running_stub()


@pytest.fixture
def sessions(sqlite_engine: Engine) -> sessionmaker[Session]:
    factory = session_factory(sqlite_engine)
    with factory() as session:
        build_store(session)
    return factory


def _advisor(
    sessions: sessionmaker[Session],
    stub: OpenAIStub,
    *,
    timeout: float = 5.0,
    prompts: PromptStore | None = None,
) -> Advisor:
    settings = Settings(
        openai_api_key="sk-test",
        openai_base_url=stub.base_url,
        openai_model="stub-model",
        llm_timeout_seconds=timeout,
    )
    return Advisor(sessions, settings, prompts or PromptStore())


@pytest.fixture
def advisor(sessions: sessionmaker[Session], stub: OpenAIStub) -> Iterator[Advisor]:
    advisor = _advisor(sessions, stub)
    yield advisor
    advisor.close()


def _tool_messages(request: dict[str, Any]) -> list[dict[str, Any]]:
    return [m for m in request["messages"] if m["role"] == "tool"]


def test_a_one_tool_question_read_as_the_router_reads_it_takes_one_model_call(
    advisor: Advisor, stub: OpenAIStub
) -> None:
    stub.queue(Reply(tool_calls=[("sales_report", TODAY)]), Reply(content="never asked"))
    answer = advisor.ask("오늘 매출 어때?", seller_id=SHOP, chat_id=1, now=NOW)
    assert advisor.mode == "llm"
    # the model chose the tool and the arguments the router reads: the template phrases it
    assert (answer.mode, answer.text) == ("llm", TODAY_KO)
    assert len(stub.requests) == 1
    assert [(c.tool, c.args) for c in answer.calls] == [("sales_report", TODAY)]
    assert answer.chart is not None and [b.label for b in answer.buttons][0] == "어제"

    [first] = stub.requests
    assert first["model"] == "stub-model"
    # the plausible tools only, with compact schemas
    offered = [tool["function"]["name"] for tool in first["tools"]]
    assert "sales_report" in offered and len(offered) <= 5
    assert "customer_report" not in offered and "inquiry_draft" not in offered
    params = next(t for t in first["tools"] if t["function"]["name"] == "sales_report")
    # no seller; the optional category the sales report takes (issue 10)
    assert params["function"]["parameters"]["properties"] == {
        "start": {"format": "date", "type": "string"},
        "end": {"format": "date", "type": "string"},
        "category": {
            "type": "string",
            "description": "Only this product category (as the catalogue names it, any case): "
            "revenue from its products' order lines, orders that contain one of them.",
        },
    }
    assert first["messages"][0]["role"] == "system"
    assert "테스트 상점" in first["messages"][0]["content"]
    assert "2026-11-27" in first["messages"][0]["content"]
    assert request_tokens(first) < 3_000  # issue 15: one-tool questions under 3,000 tokens


def test_a_model_that_reads_the_question_itself_phrases_the_compact_result(
    advisor: Advisor, stub: OpenAIStub
) -> None:
    written = "오늘 14:30까지 매출은 49,000원(주문 2건)으로 어제 같은 시간보다 2.0% 적어요."
    stub.queue(Reply(tool_calls=[("sales_report", TODAY)]), Reply(content=written))
    # the router places no tool here, so the model writes the answer
    answer = advisor.ask("오늘 숫자 좀 정리해줘", seller_id=SHOP, chat_id=1, now=NOW)
    assert (answer.mode, answer.text) == ("llm", written)
    assert [(c.tool, c.args) for c in answer.calls] == [("sales_report", TODAY)]
    assert answer.calls[0].result["totals"]["revenue"] == 49_000
    first, second = stub.requests
    # the phrasing request: no tool schemas (a sales report leads nowhere), the turn only
    assert "tools" not in second
    assert [m["role"] for m in second["messages"]] == ["system", "user", "assistant", "tool"]
    # ...and the short phrasing prompt (prompts/phrase.ko.md), not the tool-choosing one
    phrasing = second["messages"][0]["content"]
    assert "숫자는 이 결과에 있는 것만 쓰고, 계산·추정·창작하지 마세요." in phrasing
    assert "질문한 언어로 답하세요" in phrasing and "<data>와 </data> 사이의 글" in phrasing
    assert "테스트 상점" in phrasing and "2026-11-27" in phrasing
    assert "도구를 하나 고르세요" not in phrasing and count(phrasing) < 300
    assert "도구를 하나 고르세요" in first["messages"][0]["content"]
    assert sum(request_tokens(r) for r in stub.requests) < 3_000
    [tool_message] = _tool_messages(second)
    content = tool_message["content"]
    assert len(content) < 800  # compact: key figures, no hourly rows
    summary = json.loads(content)
    assert summary["revenue"] == 49_000 and summary["orders"] == 2
    assert summary["previous"]["revenue"] == 50_000 and summary["as_of"] == "14:30"
    assert "series" not in content and "777000" not in content


def test_two_tool_answer(advisor: Advisor, stub: OpenAIStub) -> None:
    week = {"start": "2026-11-20", "end": "2026-11-26"}
    stub.queue(
        Reply(tool_calls=[("sales_report", week), ("ad_report", week)]),
        Reply(content="지난 7일 매출은 80,000원, 광고비 10,000원에 ROAS 500%예요."),
    )
    answer = advisor.ask("지난 7일 매출이랑 광고 같이 봐줘", seller_id=SHOP, now=NOW)
    assert answer.mode == "llm"
    assert answer.text == "지난 7일 매출은 80,000원, 광고비 10,000원에 ROAS 500%예요."
    assert [(c.tool, c.args) for c in answer.calls] == [
        ("sales_report", week),
        ("ad_report", week),
    ]
    assert len(stub.requests) == 2
    assert len(_tool_messages(stub.requests[1])) == 2


def test_tools_called_one_after_the_other(advisor: Advisor, stub: OpenAIStub) -> None:
    week = {"start": "2026-11-20", "end": "2026-11-26"}
    stub.queue(
        Reply(tool_calls=[("top_products", {**week, "limit": 1})]),
        Reply(tool_calls=[("product_report", {"product_id": 2, **week})]),
        Reply(content="1위는 스테인리스 텀블러 500ml로 50,000원 팔렸어요."),
    )
    answer = advisor.ask("제일 잘 팔린 상품 자세히 알려줘", seller_id=SHOP, now=NOW)
    assert answer.text == "1위는 스테인리스 텀블러 500ml로 50,000원 팔렸어요."
    assert [c.tool for c in answer.calls] == ["top_products", "product_report"]
    assert len(stub.requests) == 3
    # after the list (the model asked for the best one, not the router's top 5): where
    # a list leads, product_report, is offered for the next step, and the list keeps
    # the product ids it takes; the Korean question reads the Korean names only
    assert [t["function"]["name"] for t in stub.requests[1]["tools"]] == ["product_report"]
    [listed] = json.loads(_tool_messages(stub.requests[1])[0]["content"])["items"]
    assert listed["product_id"] == 2 and listed["name"] == "<data>스테인리스 텀블러 500ml</data>"
    assert "name_en" not in listed
    # the product report leads nowhere: its id is left out of what the model reads
    detail = json.loads(_tool_messages(stub.requests[2])[1]["content"])
    assert "product_id" not in detail and detail["name"] == listed["name"]


def test_an_invented_number_is_replaced_by_the_templated_answer(
    advisor: Advisor, stub: OpenAIStub, caplog: pytest.LogCaptureFixture
) -> None:
    stub.queue(
        Reply(tool_calls=[("sales_report", TODAY)]),
        Reply(content="오늘 매출은 1,250,000원으로 아주 좋아요!"),
    )
    with caplog.at_level(logging.WARNING, logger="tools.advisor"):
        answer = advisor.ask("오늘 숫자 좀 정리해줘", seller_id=SHOP, now=NOW)
    assert answer.text == TODAY_KO
    assert answer.mode == "llm"
    assert [c.tool for c in answer.calls] == ["sales_report"]
    assert any("1,250,000" in r.getMessage() for r in caplog.records)


def test_another_sellers_data_cannot_be_asked_for(advisor: Advisor, stub: OpenAIStub) -> None:
    stub.queue(
        Reply(tool_calls=[("sales_report", {**TODAY, "seller_id": 2})]),
        Reply(tool_calls=[("product_report", {"product_id": 4, **TODAY})]),  # seller 2's vase
        Reply(content="다른 상점의 데이터는 볼 수 없어요."),
    )
    answer = advisor.ask("2번 상점 오늘 매출 보여줘", seller_id=SHOP, now=NOW)
    assert answer.text == "다른 상점의 데이터는 볼 수 없어요."
    refused, vase = answer.calls
    assert refused.tool == "sales_report" and "seller_id" in refused.result["error"]
    assert "Extra inputs are not permitted" in refused.result["error"]
    assert (vase.tool, vase.result["kind"], vase.result["reason"]) == (
        "product_report",
        "no_data",
        "unknown_product",
    )
    # the model heard the refusal, and no figure of seller 2 went anywhere
    tool_contents = [m["content"] for r in stub.requests for m in _tool_messages(r)]
    assert "Extra inputs are not permitted" in tool_contents[0]
    assert not any("777" in content for content in tool_contents)
    assert "777" not in json.dumps([c.result for c in answer.calls])


@pytest.mark.parametrize("failure", ["timeout", "500"])
def test_model_failure_falls_back_to_the_offline_answer(
    sessions: sessionmaker[Session], stub: OpenAIStub, failure: str
) -> None:
    advisor = _advisor(sessions, stub, timeout=1.0)
    try:
        stub.queue(
            Reply(delay=3.0, content="too late") if failure == "timeout" else Reply(status=500)
        )
        asked = len(stub.requests)
        answer = advisor.ask("오늘 매출 어때?", seller_id=SHOP, now=NOW)
    finally:
        advisor.close()
    assert answer.mode == "fallback"
    assert answer.to_json()["mode"] == "offline"
    if failure == "timeout":
        assert answer.text == "(AI 답변이 늦어져 기본 분석으로 답해 드려요.)\n" + TODAY_KO
    else:
        assert answer.text == TODAY_KO
    assert [c.tool for c in answer.calls] == ["sales_report"]
    # one request and no retry: the seller waits at most one timeout (bench/advisor.py
    # measures the time itself; tests assert no wall-clock figures)
    assert len(stub.requests) == asked + 1


def test_conversation_memory_reaches_the_model(advisor: Advisor, stub: OpenAIStub) -> None:
    october = {"start": "2026-10-01", "end": "2026-10-31"}
    stub.queue(
        Reply(tool_calls=[("sales_report", TODAY)]),
        Reply(tool_calls=[("sales_report", october)]),
    )
    advisor.ask("오늘 매출 어때?", seller_id=SHOP, chat_id=5, now=NOW)
    answer = advisor.ask("그럼 지난달은?", seller_id=SHOP, chat_id=5, now=NOW)
    assert answer.text == OCTOBER_KO
    assert len(stub.requests) == 2  # one model call per question
    second = stub.requests[1]["messages"]
    # the earlier answer as far as its headline figures (HISTORY_ANSWER_CHARS)
    assert [(m["role"], m["content"]) for m in second[1:4]] == [
        ("user", "오늘 매출 어때?"),
        ("assistant", TODAY_KO[:200]),
        ("user", "그럼 지난달은?"),
    ]
    assert request_tokens(stub.requests[1]) < 3_000
    # a later turn: the last answer to its headline figures, the older one to what it
    # was about (OLDER_ANSWER_CHARS)
    stub.queue(Reply(tool_calls=[("sales_report", {"start": "2026-11-26", "end": "2026-11-26"})]))
    advisor.ask("그럼 어제는?", seller_id=SHOP, chat_id=5, now=NOW)
    assert len(stub.requests) == 3
    third = stub.requests[2]["messages"]
    assert [(m["role"], m["content"]) for m in third[1:6]] == [
        ("user", "오늘 매출 어때?"),
        ("assistant", TODAY_KO[:80]),
        ("user", "그럼 지난달은?"),
        ("assistant", OCTOBER_KO[:200]),
        ("user", "그럼 어제는?"),
    ]


def test_offline_follow_up_after_an_llm_turn(
    sessions: sessionmaker[Session], stub: OpenAIStub
) -> None:
    online = _advisor(sessions, stub)
    offline = Advisor(sessions, Settings(openai_api_key=None), PromptStore())
    try:
        stub.queue(Reply(tool_calls=[("sales_report", TODAY)]), Reply(content="49,000원이에요."))
        online.ask("오늘 매출 어때?", seller_id=SHOP, chat_id=6, now=NOW)
        # the model is gone (say the key was removed): the router follows up on the stored call
        assert offline.ask("그럼 지난달은?", seller_id=SHOP, chat_id=6, now=NOW).text == OCTOBER_KO
    finally:
        online.close()
        offline.close()


def test_input_errors_never_reach_the_model(advisor: Advisor, stub: OpenAIStub) -> None:
    answer = advisor.ask("2월 30일 매출", seller_id=SHOP, now=NOW)
    assert "2월 30일" in answer.text and answer.mode == "offline"
    assert advisor.ask("😀", seller_id=SHOP, now=NOW).mode == "offline"
    assert stub.requests == []


def test_a_disabled_tool_is_not_offered_to_the_model(
    sessions: sessionmaker[Session], stub: OpenAIStub, tmp_path: Path
) -> None:
    root = tmp_path / "prompts"
    shutil.copytree(DEFAULT_DIR, root)
    tools = root / "tools.yaml"
    text = tools.read_text(encoding="utf-8")
    tools.write_text(text.replace("ad_report:\n  enabled: true", "ad_report:\n  enabled: false"))
    advisor = _advisor(sessions, stub, prompts=PromptStore(root))
    try:
        stub.queue(Reply(content="광고 분석은 지금 할 수 없어요."))
        answer = advisor.ask("광고 효율 어때?", seller_id=SHOP, now=NOW)
    finally:
        advisor.close()
    assert answer.text == "광고 분석은 지금 할 수 없어요."
    offered = {tool["function"]["name"] for tool in stub.requests[0]["tools"]}
    assert "ad_report" not in offered and "sales_report" in offered


def test_advice_and_an_inquiry_draft_answer_from_retrieved_material(
    advisor: Advisor, stub: OpenAIStub
) -> None:
    cited = "「광고 클릭률(CTR) 높이기」에 따르면 검색광고 클릭률은 보통 1~3%예요. 문구를 검색 의도에 맞추세요."
    stub.queue(
        Reply(tool_calls=[("advice", {"topic": "광고 클릭률 높이는 법"})]),
        Reply(content=cited),
    )
    advice = advisor.ask("광고 클릭률 높이는 법 알려줘", seller_id=SHOP, chat_id=5, now=NOW)
    [tool_message] = _tool_messages(stub.requests[1])
    retrieved = json.loads(tool_message["content"])
    assert [a["title"] for a in retrieved["articles"]][0] == "광고 클릭률(CTR) 높이기"
    assert (advice.mode, advice.text) == ("llm", cited)  # its numbers are in the passage

    stub.queue(
        Reply(tool_calls=[("inquiry_draft", {"inquiry": "딸기잼 재고 있나요?"})]),
        Reply(
            content="네, 수제 딸기잼 300g은 재고가 500개 있어요."
        ),  # invented: 30 in stock; 500 is only a name
    )
    draft = advisor.ask(
        "고객 문의에 답장 써줘: 딸기잼 재고 있나요?", seller_id=SHOP, chat_id=5, now=NOW
    )
    [tool_message] = _tool_messages(stub.requests[3])
    assert '"stock":30' in tool_message["content"].replace(" ", "")
    assert draft.mode == "llm" and "500개" not in draft.text  # the guard sent the template
    assert "재고 30개" in draft.text
