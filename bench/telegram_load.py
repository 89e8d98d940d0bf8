"""Load on the Telegram bot through the local Bot API emulator (tests/telegram_emulator).

    .venv/bin/python bench/telegram_load.py [--chats 200] [--questions 5]
        [--question-rate 100] [--sellers 2000] [--nudge-rate 25]

1. Questions: `--chats` linked chats each send `--questions` questions (Korean
   and English, one after the other as a person would: the next once the answer
   arrived), all chats at once, to the real Application (bot.app, offline
   advisor, SQLite store from tests/botstore.py) running in its own process. Prints throughput and the p50/p95
   time from a question reaching the Bot API to the bot's answer, and checks
   that every question got exactly one answer.
   The rate limiter counts every request with a chat (the "typing" action too),
   so `--question-rate` sets it high enough to measure the bot itself.
2. Nudges: `--sellers` linked sellers with one pending alert each; one delivery
   run (bot.alerts.deliver) with the rate limiter at `--nudge-rate` messages a
   second. Prints the send rate (overall and the busiest one-second window, from
   the emulator's timestamps) and whether it stayed within the limit.
   The bot's limiter is a leaky bucket: a burst of `BotOptions.burst` (5) messages,
   then the limit per second. Timestamps are the emulator's (what Telegram would
   see), so they include the HTTP latency after the limiter; the check: the rate
   beyond the first second at most the limit (2 % slack for timestamps) and no
   one-second window above limit + burst (20 % slack for arrival jitter on a busy
   2-core machine).
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.alerts import deliver  # noqa: E402
from bot.app import build_application  # noqa: E402
from bot.services import BotOptions  # noqa: E402
from storage.db import make_engine, session_factory  # noqa: E402
from storage.models import Base, ChatLink, Seller  # noqa: E402
from storage.outbox import record_alert  # noqa: E402
from tests.botstore import NOW, Clock, bot_services, bot_settings, build_store  # noqa: E402
from tests.telegram import EmulatorClient, EmulatorProcess, TelegramEmulator, polling  # noqa: E402
from tools.advisor import Advisor  # noqa: E402

QUESTIONS = {
    "ko": ["오늘 매출 어때?", "지난주 제일 잘 팔린 상품 5개", "어제 매출은?", "이번 달 주문 몇 건?", "최근 7일 매출"],
    "en": ["How are sales today?", "Top 5 products last week", "Sales yesterday?", "Orders this month?", "Revenue for the last 7 days"],
}  # fmt: skip

EVIDENCE = {
    "kind": "sales_drop_intraday", "local_date": "2026-11-25", "family": "sales", "from_hour": 0,
    "to_hour": 14, "expected": 20.0, "actual": 4, "change": -0.8, "p_value": 3.8e-05,
    "baseline": [20] * 8, "baseline_dates": [], "dispersion": 0.0, "expected_revenue": 563000,
    "actual_revenue": 117000, "quiet_since_hour": 10, "expected_since_quiet": 16.0,
}  # fmt: skip


class Client(EmulatorClient):
    """An emulator client with room for every simulated user's open request."""

    def __init__(self, emulator: TelegramEmulator, connections: int) -> None:
        super().__init__(emulator, emulator.new_token())
        self._http = httpx.AsyncClient(
            base_url=f"{emulator.url}/_emulator/{self.token}",
            timeout=300.0,
            verify=False,
            limits=httpx.Limits(max_connections=connections, max_keepalive_connections=connections),
        )


def _database(folder: Path) -> Any:
    engine = make_engine(f"sqlite:///{folder / 'load.db'}")
    Base.metadata.create_all(engine)
    return engine, session_factory(engine)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def _serve(url: str, token: str, database: str, rate: float, ready: Any, stop: Any) -> None:
    """The bot in its own process (as in production), polling until `stop` is set."""

    async def serve() -> None:
        client = EmulatorClient(TelegramEmulator(url), token)
        engine = make_engine(database)
        sessions = session_factory(engine)
        services = bot_services(bot_settings(client), sessions, Advisor, Clock(), max_rate=rate)
        application = build_application(services.settings, services, schedule=False)
        async with polling(application):
            ready.set()
            await asyncio.to_thread(stop.wait)
        engine.dispose()

    asyncio.run(serve())


async def questions(emulator: TelegramEmulator, folder: Path, args: argparse.Namespace) -> bool:
    engine, sessions = _database(folder)
    chats = [100_000 + index for index in range(args.chats)]
    with sessions.begin() as session:
        seller = build_store(session)
        for chat in chats:
            session.add(
                ChatLink(chat_id=chat, seller_id=seller.id, language="ko" if chat % 2 else "en")
            )
    engine.dispose()
    client = Client(emulator, connections=args.chats * 2 + 10)
    spawn = multiprocessing.get_context("spawn")
    ready, stop = spawn.Event(), spawn.Event()
    database = f"sqlite:///{folder / 'load.db'}"
    bot = spawn.Process(
        target=_serve, args=(emulator.url, client.token, database, args.question_rate, ready, stop)
    )
    bot.start()
    latencies: list[float] = []

    async def user(chat: int) -> None:
        lang = "ko" if chat % 2 else "en"
        for number, question in enumerate(QUESTIONS[lang][: args.questions], start=1):
            asked = time.time()
            await client.send_user_message(chat, question, language_code=lang)
            answers = await client.wait_for_messages(chat, number, within=240)
            latencies.append(answers[number - 1].sent_at - asked)

    try:
        if not await asyncio.to_thread(ready.wait, 60):
            raise RuntimeError("the bot process did not start")
        started = time.perf_counter()
        await asyncio.gather(*(user(chat) for chat in chats))
        elapsed = time.perf_counter() - started
        await asyncio.sleep(1.0)  # anything sent twice would arrive by now
        per_chat = Counter(message.chat_id for message in await client.all_messages())
        pending = (await client.stats())["pending_updates"]
    finally:
        stop.set()
        await asyncio.to_thread(bot.join, 30)
        await client.aclose()

    total = args.chats * args.questions
    complete = all(per_chat[chat] == args.questions for chat in chats) and len(per_chat) == len(
        chats
    )
    print(
        f"questions: {args.chats} chats x {args.questions} = {total}, rate limit {args.question_rate:g}/s"
    )
    print(f"  answered in {elapsed:.1f} s: {total / elapsed:.1f} questions/s")
    print(
        f"  time to answer: p50 {statistics.median(latencies) * 1000:.0f} ms, "
        f"p95 {percentile(latencies, 0.95) * 1000:.0f} ms, max {max(latencies) * 1000:.0f} ms"
    )
    print(
        f"  answers per chat: {sorted(Counter(per_chat.values()).items())} (chat count by answers); "
        f"pending updates {pending}: {'nothing lost or answered twice' if complete and not pending else 'MISMATCH'}"
    )
    return complete and not pending


async def nudges(emulator: TelegramEmulator, folder: Path, args: argparse.Namespace) -> bool:
    engine, sessions = _database(folder)
    chats = [300_000 + index for index in range(args.sellers)]
    with sessions.begin() as session:
        sellers = [
            Seller(slug=f"s{index}", name=f"상점 {index}", timezone="Asia/Seoul")
            for index in range(args.sellers)
        ]
        session.add_all(sellers)
        session.flush()
        for seller, chat in zip(sellers, chats, strict=True):
            session.add(ChatLink(chat_id=chat, seller_id=seller.id, language="ko"))
            record_alert(
                session,
                seller_id=seller.id,
                kind="sales_drop_intraday",
                dedupe_key=f"sales_drop:{seller.id}:2026-11-25",
                evidence=EVIDENCE,
                detected_at=NOW,
            )
    client = Client(emulator, connections=20)
    await client.add_chats(chats)
    services = bot_services(
        bot_settings(client), sessions, Advisor, Clock(), max_rate=args.nudge_rate
    )
    application = build_application(services.settings, services, schedule=False)
    async with application:
        started = time.perf_counter()
        report = await deliver(services, application.bot, now=NOW)
        elapsed = time.perf_counter() - started
    messages = await client.all_messages()
    await client.aclose()
    engine.dispose()

    stamps = sorted(message.sent_at for message in messages)
    span = stamps[-1] - stamps[0] if len(stamps) > 1 else 0.0
    busiest = 0
    low = 0
    for high, stamp in enumerate(stamps):
        while stamp - stamps[low] >= 1.0:
            low += 1
        busiest = max(busiest, high - low + 1)
    burst = BotOptions().burst
    rate = args.nudge_rate
    late = [stamp for stamp in stamps if stamp >= stamps[0] + 1.0] if stamps else []
    steady = (len(late) - 1) / (late[-1] - late[0]) if len(late) > 1 else 0.0
    distinct = len({message.chat_id for message in messages})
    within = steady <= rate * 1.02 and busiest <= (rate + burst) * 1.2
    print(f"nudges: {args.sellers} sellers, one alert each, rate limit {args.nudge_rate:g}/s")
    print(
        f"  delivery run: {elapsed:.1f} s; sent {report.sent}, to {distinct} distinct chats, {len(messages)} messages"
    )
    print(
        f"  send rate: {len(stamps) / span if span else 0:.1f}/s overall, {steady:.1f}/s after "
        f"the first second; busiest 1 s window {busiest} messages "
        f"(limit {rate:g}/s after a burst of {burst})"
    )
    print(f"  within the configured limit: {'yes' if within else 'NO'}")
    return within and report.sent == args.sellers == distinct == len(messages)


async def main_async(args: argparse.Namespace) -> int:
    with tempfile.TemporaryDirectory() as tmp:
        running = EmulatorProcess.start(Path(tmp) / "emulator.log")
        try:
            ok = True
            if args.chats:
                (Path(tmp) / "q").mkdir()
                ok &= await questions(running.emulator, Path(tmp) / "q", args)
            if args.sellers:
                (Path(tmp) / "n").mkdir()
                ok &= await nudges(running.emulator, Path(tmp) / "n", args)
        finally:
            running.stop()
    return 0 if ok else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--chats", type=int, default=200)
    parser.add_argument("--questions", type=int, default=5, choices=range(1, 6))
    parser.add_argument("--question-rate", type=float, default=100.0)
    parser.add_argument("--sellers", type=int, default=2000)
    parser.add_argument("--nudge-rate", type=float, default=25.0)
    return asyncio.run(main_async(parser.parse_args()))


if __name__ == "__main__":
    sys.exit(main())
