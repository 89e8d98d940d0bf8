"""Every turn ends in exactly one outcome (answered, clarify, unsupported,
not_understood): on the router's result, the advisor's answer, `advisor ask --json`,
the stored turn and /trace; questions about data the store does not hold are
answered plainly as unsupported with the closest thing the advisor can do."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from bot.cli import main
from bot.operators import trace
from storage.db import session_factory
from storage.models import ConversationTurn, TurnOutcome
from storage.settings import Settings, get_settings
from tests.advisor_store import NOW, build_store
from tests.openai_stub import OpenAIStub, Reply, running_stub
from tests.test_router import ask
from tools.advisor import Advisor
from tools.answer import Button
from tools.prompts import DEFAULT_DIR, PromptStore

SHOP = 1
TODAY = {"start": "2026-11-27", "end": "2026-11-27"}
LAST_7_DAYS = {"start": "2026-11-20", "end": "2026-11-26"}
TOP_DEFAULTS = {"metric": "revenue", "direction": "top", "limit": 5, **LAST_7_DAYS}

SHIPPING_KO = (
    "배송·택배 정보는 스토어 데이터에 없어서 알려 드릴 수 없어요.\n"
    "주문과 매출은 보여 드릴 수 있어요."
)
SHIPPING_EN = (
    "The store data has no shipping and delivery information, so I can't answer that.\n"
    "I can show your orders and sales."
)
REVIEWS_KO = (
    "리뷰·별점 정보는 스토어 데이터에 없어서 알려 드릴 수 없어요.\n"
    '고객 문의에는 답변 초안을 써 드릴 수 있어요 (예: "고객 문의: 언제 와요?"). '
    "단골 고객도 보여 드릴 수 있어요."
)


@pytest.fixture
def sessions(sqlite_engine: Engine) -> sessionmaker[Session]:
    factory = session_factory(sqlite_engine)
    with factory() as session:
        build_store(session)
    return factory


@pytest.fixture
def advisor(sessions: sessionmaker[Session]) -> Iterator[Advisor]:
    advisor = Advisor(sessions, Settings(openai_api_key=None), PromptStore())
    yield advisor
    advisor.close()


# -- the router: topics the data does not hold, recognised word by word ---------------


@pytest.mark.parametrize(
    ("question", "topic"),
    [
        ("배송 지연 몇 건?", "shipping"),
        ("배송이 늦은 주문 있어?", "shipping"),
        ("택배사별로 몇 건 나갔어", "shipping"),
        ("어제 출고 몇 개 했어?", "shipping"),
        ("any late deliveries last week?", "shipping"),
        ("which courier is slowest", "shipping"),
        ("경쟁사 가격이랑 비교해줘", "competitors"),
        ("competitor prices for tumblers", "competitors"),
        ("리뷰 몇 개 달렸어?", "reviews"),
        ("상품리뷰 평균 별점", "reviews"),
        ("how many reveiws did we get", "reviews"),  # misspelt, nothing else places it
        ("what's our average rating", "reviews"),
        ("내일 날씨 어때", "weather"),
        ("how's the weather affecting sales", "weather"),
        ("환율 얼마야", "exchange_rates"),
        ("코스피 어때", "stock_market"),
        ("stock market today", "stock_market"),
        ("정산금 언제 들어와?", "fees_and_settlement"),
        ("쿠팡 수수료 얼마나 나갔어", "fees_and_settlement"),
        ("platform fees last month", "fees_and_settlement"),
        ("반품 회수 요청 몇 건?", "returns_logistics"),
        ("page views by device", "devices_and_pageviews"),
        ("모바일 방문 비율", "devices_and_pageviews"),
        ("고객 연령대 분포", "demographics"),
        ("인스타 팔로워 늘었어?", "social_media"),
        ("내일 비 와?", "weather"),
        ("is it going to rain this weekend", "weather"),
        ("알바생 근무표 보여줘", "staff"),
        ("who's working the saturday shift", "staff"),
    ],
)
def test_questions_about_data_the_store_does_not_hold_are_unsupported(
    question: str, topic: str
) -> None:
    prompts = PromptStore()
    result = ask(question, prompts)
    assert (result.tool, result.outcome) == (None, TurnOutcome.UNSUPPORTED), question
    assert result.error is not None
    assert (result.error.key, result.error.params) == ("unsupported", {"topic": topic})


@pytest.mark.parametrize(
    ("question", "tool"),
    [
        ("최근 30일 광고 전환율", "ad_report"),  # 전환율 is not 환율
        ("이번주 매출", "sales_report"),  # 주가 inside 이번주가 is not the stock market
        ("고객이 배송 언제 오냐고 물어보는데 답장 써줘", "inquiry_draft"),
        ("고객 문의: 배송 얼마나 걸려요?", "inquiry_draft"),
        ("배송비 줄이는 팁 알려줘", "advice"),
        ("how can I reduce late deliveries?", "advice"),
        ("지난주 베스트 상품", "top_products"),
        ("지난달이랑 비교해서 매출 어때", "sales_report"),  # 비교 is not 비 (rain)
    ],
)
def test_topic_words_give_way_to_what_the_store_can_answer(question: str, tool: str) -> None:
    result = ask(question, PromptStore())
    assert (result.tool, result.outcome) == (tool, TurnOutcome.ANSWERED), question


def test_outcome_of_every_kind_of_route_result() -> None:
    prompts = PromptStore()
    assert ask("오늘 매출 어때?", prompts).outcome is TurnOutcome.ANSWERED
    assert ask("도마 재고 얼마나 있어?", prompts).outcome is TurnOutcome.CLARIFY
    assert ask("2월 30일 매출", prompts).outcome is TurnOutcome.CLARIFY
    assert ask("ㅋㅋㅋ", prompts).outcome is TurnOutcome.NOT_UNDERSTOOD
    assert ask("", prompts).outcome is TurnOutcome.NOT_UNDERSTOOD
    assert ask("배송 지연 몇 건?", prompts).outcome is TurnOutcome.UNSUPPORTED


def test_operators_add_a_topic_as_data(tmp_path: Path) -> None:
    root = tmp_path / "prompts"
    shutil.copytree(DEFAULT_DIR, root)
    store = PromptStore(root)
    assert ask("사은품 재고 원가 알려줘", store).outcome is not TurnOutcome.UNSUPPORTED
    path = root / "unsupported.yaml"
    path.write_text(
        path.read_text(encoding="utf-8")
        + "  cost_price:\n"
        + "    words: {ko: [원가], en: [cost price]}\n"
        + "    label: {ko: 원가, en: cost prices}\n"
        + "    instead: {ko: 매출은 보여 드릴 수 있어요., en: I can show sales.}\n"
        + "    offer: [sales_report]\n",
        encoding="utf-8",
    )
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 2_000_000_000))
    for question in ("사은품 재고 원가 알려줘", "what were my cost prices last month"):
        result = ask(question, store)
        assert result.error is not None, question
        assert result.error.params == {"topic": "cost_price"}, question


# -- the advisor: the answer, its buttons, the stored turn, /trace, --json -----------


def test_unsupported_answer_says_so_and_offers_the_closest_analysis(advisor: Advisor) -> None:
    ko = advisor.ask("배송 지연 몇 건?", seller_id=SHOP, now=NOW)
    assert (ko.text, ko.outcome, ko.calls) == (SHIPPING_KO, TurnOutcome.UNSUPPORTED, [])
    assert ko.buttons == [
        Button("매출 현황", "sales_report", TODAY),
        Button("잘 팔리는 상품", "top_products", TOP_DEFAULTS),
    ]
    en = advisor.ask("any late deliveries last week?", seller_id=SHOP, now=NOW)
    assert (en.text, en.outcome) == (SHIPPING_EN, TurnOutcome.UNSUPPORTED)
    assert [button.label for button in en.buttons] == [
        "Sales report",
        "Best and trending products",
    ]
    reviews = advisor.ask("리뷰 몇 개 달렸어?", seller_id=SHOP, now=NOW)
    assert reviews.text == REVIEWS_KO
    assert reviews.buttons == [
        Button("단골 고객 분석", "customer_report", {"segment": "likely_regulars", "limit": 10})
    ]
    # the offered button answers with the analysis it names
    pressed = advisor.run("sales_report", ko.buttons[0].args, seller_id=SHOP, lang="ko", now=NOW)
    assert pressed.outcome is TurnOutcome.ANSWERED
    assert pressed.text.startswith("오늘 매출 (14:30 기준): 49,000원\n")


def test_every_turn_stores_its_outcome_and_trace_shows_it(
    advisor: Advisor, sessions: sessionmaker[Session]
) -> None:
    asked = {
        "오늘 매출 어때?": TurnOutcome.ANSWERED,
        "텀블러 요즘 어때?": TurnOutcome.CLARIFY,
        "배송 지연 몇 건?": TurnOutcome.UNSUPPORTED,
        "ㅋㅋㅋ": TurnOutcome.NOT_UNDERSTOOD,
    }
    for question, outcome in asked.items():
        assert advisor.ask(question, seller_id=SHOP, chat_id=77, now=NOW).outcome is outcome
    with sessions() as session:
        stored = session.execute(
            select(ConversationTurn.question, ConversationTurn.outcome)
            .where(ConversationTurn.chat_id == 77)
            .order_by(ConversationTurn.id)
        ).all()
        assert [tuple(row) for row in stored] == list(asked.items())
        shown = trace(session, 77)
    assert shown.splitlines()[1:] == ["Q: ㅋㅋㅋ", "outcome: not_understood", "no tool calls"]


def test_trace_of_an_answered_turn(advisor: Advisor, sessions: sessionmaker[Session]) -> None:
    advisor.ask("오늘 매출 어때?", seller_id=SHOP, chat_id=78, now=NOW)
    with sessions() as session:
        lines = trace(session, 78).splitlines()
    assert lines[1:4] == [
        "Q: 오늘 매출 어때?",
        "outcome: answered",
        '1. sales_report({"end": "2026-11-27", "start": "2026-11-27"})',
    ]


@pytest.fixture
def cli_database(sqlite_engine: Engine, monkeypatch: pytest.MonkeyPatch) -> Iterator[Engine]:
    with session_factory(sqlite_engine)() as session:
        build_store(session)
    monkeypatch.setenv("DATABASE_URL", sqlite_engine.url.render_as_string(hide_password=False))
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    get_settings.cache_clear()
    yield sqlite_engine
    get_settings.cache_clear()


@pytest.mark.parametrize(
    ("question", "outcome", "answer"),
    [
        ("배송 지연 몇 건?", "unsupported", SHIPPING_KO),
        ("텀블러 요즘 어때?", "clarify", None),
        ("ㅋㅋㅋ", "not_understood", None),
        ("오늘 매출 어때?", "answered", None),
    ],
)
def test_ask_json_carries_the_outcome(
    cli_database: Engine,
    capsys: pytest.CaptureFixture[str],
    question: str,
    outcome: str,
    answer: str | None,
) -> None:
    assert main(["ask", question, "--seller", "shop", "--now", "2026-11-27T14:30", "--json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["outcome"] == outcome
    if answer is not None:
        assert (printed["answer"], printed["calls"]) == (answer, [])


# -- the model path: answered when a tool result is the answer ---------------------------


@pytest.fixture
def stub() -> Iterator[OpenAIStub]:
    yield from running_stub()


@pytest.fixture
def llm(sessions: sessionmaker[Session], stub: OpenAIStub) -> Iterator[Advisor]:
    settings = Settings(
        openai_api_key="sk-test",
        openai_base_url=stub.base_url,
        openai_model="stub-model",
        llm_timeout_seconds=5.0,
    )
    advisor = Advisor(sessions, settings, PromptStore())
    yield advisor
    advisor.close()


def test_model_outcomes(llm: Advisor, stub: OpenAIStub) -> None:
    written = "오늘 14:30까지 매출은 49,000원(주문 2건)이에요."
    stub.queue(Reply(tool_calls=[("sales_report", TODAY)]), Reply(content=written))
    answered = llm.ask("오늘 숫자 좀 정리해줘", seller_id=SHOP, now=NOW)  # the model writes
    assert (answered.mode, answered.text, answered.outcome) == (
        "llm",
        written,
        TurnOutcome.ANSWERED,
    )
    # the model asks back without running the tool the router found: clarify
    stub.queue(Reply(content="어느 기간의 매출을 볼까요?"))
    asked_back = llm.ask("매출 좀 보자", seller_id=SHOP, now=NOW)
    assert (asked_back.mode, asked_back.calls, asked_back.outcome) == (
        "llm",
        [],
        TurnOutcome.CLARIFY,
    )
    # the data does not hold it: answered without the model, whatever it would say
    calls = len(stub.requests)
    unsupported = llm.ask("배송 지연 몇 건?", seller_id=SHOP, now=NOW)
    assert (unsupported.text, unsupported.outcome) == (SHIPPING_KO, TurnOutcome.UNSUPPORTED)
    assert len(stub.requests) == calls
