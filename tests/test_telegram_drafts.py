"""A model's answer streamed as drafts (sendMessageDraft) before it is sent, end to end:
the real Application against the Bot API emulator, the real advisor and LangChain agent
against the OpenAI-compatible stub streaming its answer (server-sent events).

Figures (tests/test_bot_telegram.py): today (Wed Nov 25, to 14:30) the store sold
117,000원 in 4 orders.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest
from pydantic import SecretStr
from sqlalchemy.orm import Session, sessionmaker
from telegram.error import BadRequest

from bot.context import BotApplication
from bot.services import Services
from tests.botstore import Clock, bot_services, bot_settings
from tests.openai_stub import OpenAIStub, Reply, running_stub
from tests.telegram import EmulatorClient
from tests.test_bot_telegram import ALICE, MALLORY, clock, db, link, running, store_file
from tools.advisor import Advisor

__all__ = ["clock", "db", "store_file"]  # fixtures shared with tests/test_bot_telegram.py

TODAY = {"start": "2026-11-25", "end": "2026-11-25"}
# the offline router places no tool for it: the model chooses one and phrases its result
QUESTION = "오늘 분위기 어때?"
WRITTEN = [
    "오늘 지금까지 ",
    "매출은 117,000원이고 ",
    "주문은 4건이에요. ",
    "어제 같은 시간보다 적어요.",
]


@pytest.fixture
def stub() -> Iterator[OpenAIStub]:
    yield from running_stub()


@pytest.fixture
async def llm_bot(
    telegram: EmulatorClient, db: sessionmaker[Session], clock: Clock, stub: OpenAIStub
) -> AsyncIterator[tuple[BotApplication, Services]]:
    settings = bot_settings(telegram).model_copy(
        update={
            "openai_api_key": SecretStr("sk-test"),
            "openai_base_url": stub.base_url,
            "openai_model": "stub-model",
            "llm_timeout_seconds": 15.0,
        }
    )
    services = bot_services(settings, db, Advisor, clock)
    async with running(telegram, services) as application:
        yield application, services
    services.advisor.close()  # type: ignore[attr-defined]


def _streamed(*pieces: str, delay: float = 0.6) -> list[Reply]:
    return [
        Reply(tool_calls=[("sales_report", TODAY)]),
        Reply(chunks=list(pieces), chunk_delay=delay),
    ]


async def test_the_answer_is_streamed_as_drafts_then_sent(
    telegram: EmulatorClient,
    llm_bot: tuple[BotApplication, Services],
    db: sessionmaker[Session],
    stub: OpenAIStub,
) -> None:
    await link(telegram, db, ALICE)
    stub.queue(*_streamed(*WRITTEN))
    update = await telegram.send_user_message(ALICE, QUESTION)
    log = await telegram.wait_for(ALICE, messages=2, within=30)

    answer = log.messages[1]
    assert answer.plain_text == "".join(WRITTEN)
    assert [request.get("stream") for request in stub.requests] == [True, True]
    # each draft as far as its last finished word, from the first one with a figure
    # (the guard refuses an answer to "how are sales" without one)
    assert [d.plain_text for d in log.drafts] == [
        "오늘 지금까지 매출은 117,000원이고",
        "오늘 지금까지 매출은 117,000원이고 주문은 4건이에요.",
        "오늘 지금까지 매출은 117,000원이고 주문은 4건이에요. 어제 같은 시간보다",
    ]
    assert {d.draft_id for d in log.drafts} == {update["message"]["message_id"]}
    assert all(d.parse_mode is None for d in log.drafts)
    assert max(d.sequence for d in log.drafts) < answer.sequence  # drafts, then the answer
    assert log.actions[0] == "typing"  # until the first draft


async def test_a_figure_the_guard_refuses_is_never_shown_as_a_draft(
    telegram: EmulatorClient,
    llm_bot: tuple[BotApplication, Services],
    db: sessionmaker[Session],
    stub: OpenAIStub,
) -> None:
    await link(telegram, db, ALICE)
    stub.queue(*_streamed("오늘 매출은 ", "999,000원이고 ", "주문은 4건이에요.", delay=0.4))
    await telegram.send_user_message(ALICE, QUESTION)
    log = await telegram.wait_for(ALICE, messages=2, within=30)

    assert log.drafts == []
    answer = log.messages[1].plain_text or ""
    assert "999,000" not in answer and "117,000원" in answer  # the templated answer


async def test_refused_drafts_fall_back_to_the_typing_action(
    telegram: EmulatorClient,
    llm_bot: tuple[BotApplication, Services],
    db: sessionmaker[Session],
    stub: OpenAIStub,
) -> None:
    await link(telegram, db, ALICE)
    await telegram.fail_next(
        error_code=400,
        methods=["sendMessageDraft"],
        description="Bad Request: TEXTDRAFT_PEER_INVALID",
    )
    stub.queue(*_streamed(*WRITTEN, delay=0.3))
    await telegram.send_user_message(ALICE, QUESTION)
    log = await telegram.wait_for(ALICE, messages=2, within=30)

    assert log.drafts == []  # the one refused was not recorded, and no other was tried
    assert (await telegram.stats())["calls"]["sendMessageDraft"] == 1
    assert log.messages[1].plain_text == "".join(WRITTEN)
    assert "typing" in log.actions


async def test_offline_answers_show_typing_and_no_drafts(
    telegram: EmulatorClient, db: sessionmaker[Session], clock: Clock
) -> None:
    services = bot_services(bot_settings(telegram), db, Advisor, clock)
    async with running(telegram, services):
        await link(telegram, db, ALICE)
        await telegram.send_user_message(ALICE, "오늘 매출 어때?")
        log = await telegram.wait_for(ALICE, messages=2, actions=1)
    assert (log.drafts, log.actions[0]) == ([], "typing")
    assert "117,000원" in (log.messages[1].plain_text or "")


async def test_the_emulator_takes_drafts_as_telegram_documents_them(
    telegram: EmulatorClient,
) -> None:
    await telegram.add_chats([ALICE])
    async with telegram.application_builder().build() as application:
        bot = application.bot
        assert await bot.send_message_draft(ALICE, 7)  # no text: a "Thinking..." placeholder
        assert await bot.send_message_draft(
            ALICE, 7, "<b>117,000원</b> &amp; 4건", parse_mode="HTML"
        )
        with pytest.raises(BadRequest, match="Draft_id_invalid"):
            await bot.send_message_draft(ALICE, 0, "x")
        with pytest.raises(BadRequest, match="(?i)message is too long"):
            await bot.send_message_draft(ALICE, 7, "가" * 4097)
        with pytest.raises(BadRequest, match="(?i)chat not found"):
            await bot.send_message_draft(MALLORY, 7, "x")
        await bot.send_message(ALICE, "117,000원")
    log = await telegram.chat(ALICE)
    assert [(d.draft_id, d.plain_text, d.parse_mode) for d in log.drafts] == [
        (7, "", None),
        (7, "117,000원 & 4건", "HTML"),
    ]
    assert [d.sequence for d in log.drafts] == [1, 2] and log.messages[0].sequence == 3
