"""The advisor's speed on a generated demo store; prints the figures.

    .venv/bin/python bench/advisor.py [--days 180] [--orders-per-day 200] [--rounds 5]
                                      [--cold 5] [--db PATH] [--only llm]

1. Offline mode (process already started): p50/p95/max from question to rendered
   answer over a set of Korean and English questions for every tool, follow-ups
   included, each turn persisted as in production (target: p95 under 100 ms);
   per tool as well. The first round warms the caches and is not counted.
2. `advisor ask` cold start: a new process per question (target under 2 s).
3. LLM mode against the local OpenAI-compatible stub (tests/openai_stub.py, never
   the internet): per tool, the model requests of a one-tool question and their
   prompt tokens in total, in a new chat and in a chat with earlier turns (the
   memory the model reads), counted with tiktoken's o200k_base (tests/tokens.py;
   target under 3,000 per question, memory included).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import logging
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

from storage.db import make_engine, session_factory, upgrade  # noqa: E402
from storage.demo import demo_spec, generate_store  # noqa: E402
from storage.settings import Settings  # noqa: E402
from tools.advisor import Advisor  # noqa: E402
from tools.prompts import PromptStore  # noqa: E402

NOW = dt.datetime(2026, 11, 27, 14, 30, tzinfo=dt.timezone(dt.timedelta(hours=9)))

# (chat, question): questions in one chat follow up on each other
QUESTIONS: list[tuple[int, str]] = [
    (1, "오늘 매출 어때?"),
    (1, "그럼 어제는?"),
    (1, "지난달은?"),
    (1, "광고는?"),
    (2, "지난주 제일 잘 팔린 상품 5개"),
    (2, "수량 기준으로 10개"),
    (2, "요즘 뜨는 상품 있어?"),
    (3, "텀블러 요즘 어때?"),
    (3, "1번"),
    (4, "광고비 잘 쓰고 있어?"),
    (4, "어떤 캠페인이 돈 낭비야?"),
    (5, "사람들이 뭘 검색하고 들어왔어?"),
    (5, "'소포장' 검색한 사람들 샀어?"),
    (6, "최근에 이상한 거 없었어?"),
    (7, "고객 문의: 배송 얼마나 걸려요?"),
    (7, "객단가 올리려면 어떻게 해야 해?"),
    (8, "단골 될 것 같은 고객 누구야?"),
    (9, "How are sales today?"),
    (9, "what about last week?"),
    (10, "Top 5 products last month"),
    (11, "Are my ads worth the money?"),
    (12, "What did visitors search for last week?"),
    (13, "Any alerts this week?"),
    (14, "2월 30일 매출"),
    (14, "😀"),
    (15, "'; DROP TABLE orders; --"),
]


def build_store(path: Path, days: int, orders_per_day: float) -> None:
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    started = time.perf_counter()
    with session_factory(engine).begin() as session:
        report = generate_store(
            session,
            demo_spec(NOW, days=days, orders_per_day=orders_per_day),
            np.random.default_rng(42),
        )
    engine.dispose()
    print(
        f"demo store: {report.orders:,} orders, {report.products} products, "
        f"{report.customers:,} customers, {report.visits:,} visits over {days} days "
        f"(generated in {time.perf_counter() - started:.1f} s)"
    )


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


def offline(path: Path, rounds: int) -> None:
    engine = make_engine(f"sqlite:///{path}")
    advisor = Advisor(session_factory(engine), Settings(openai_api_key=None), PromptStore())
    times: list[float] = []
    by_tool: dict[str, list[float]] = defaultdict(list)
    for number in range(rounds + 1):
        for chat, question in QUESTIONS:
            started = time.perf_counter()
            answer = advisor.ask(question, seller_id=1, chat_id=1000 * number + chat, now=NOW)
            elapsed = (time.perf_counter() - started) * 1000
            if number == 0:
                continue  # warm-up round
            times.append(elapsed)
            by_tool[answer.calls[0].tool if answer.calls else "(message)"].append(elapsed)
    advisor.close()
    engine.dispose()
    print(f"\n1. offline, {len(times)} questions ({rounds} rounds of {len(QUESTIONS)}):")
    print(
        f"   p50 {percentile(times, 50):.1f} ms · p95 {percentile(times, 95):.1f} ms · "
        f"max {max(times):.1f} ms (target p95 < 100 ms)"
    )
    without = [t for tool, ts in by_tool.items() if tool != "customer_report" for t in ts]
    print(
        f"   without customer_report (BG/NBD fit per question): p95 {percentile(without, 95):.1f} ms"
    )
    for tool, values in sorted(by_tool.items()):
        print(
            f"   {tool:<16} n={len(values):>3}  p50 {statistics.median(values):7.1f} ms"
            f"  p95 {percentile(values, 95):7.1f} ms"
        )


def cold_start(path: Path, runs: int) -> None:
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{path}"}
    env.pop("OPENAI_API_KEY", None)
    advisor = str(Path(sys.executable).with_name("advisor"))
    command = [
        advisor,
        "ask",
        "오늘 매출 어때?",
        "--seller",
        "demo",
        "--now",
        NOW.isoformat(),
        "--json",
    ]
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        done = subprocess.run(command, env=env, capture_output=True, text=True, check=True)
        times.append(time.perf_counter() - started)
        json.loads(done.stdout)
    print(f"\n2. `advisor ask` cold start, {runs} runs (target < 2 s):")
    print(
        f"   median {statistics.median(times):.2f} s · min {min(times):.2f} s · "
        f"max {max(times):.2f} s"
    )


# one question per tool; the scripted model calls the tool with the arguments the
# offline router reads from the question (a model that reads it the same way)
ONE_TOOL: list[tuple[str, str]] = [
    ("sales_report", "오늘 매출 어때?"),
    ("top_products", "Which products sold best last week?"),
    ("product_report", "스테인리스 텀블러 500ml 요즘 어때?"),
    ("stock_report", "재고 부족한 상품 있어?"),
    ("ad_report", "광고비 잘 쓰고 있어?"),
    ("customer_report", "단골 될 것 같은 고객 누구야?"),
    ("search_keywords", "사람들이 뭘 검색하고 들어왔어?"),
    ("alerts_report", "Any alerts this week?"),
    ("inquiry_draft", "고객 문의: 배송 얼마나 걸려요?"),
    ("advice", "객단가 올리려면 어떻게 해야 해?"),
    ("sales_drivers", "지난주 매출 왜 떨어졌어?"),
]
# the chat's earlier turns for "with chat memory" (answered offline, stored as in production)
EARLIER = [
    "오늘 매출 어때?",
    "지난주 제일 잘 팔린 상품 5개",
    "광고비 잘 쓰고 있어?",
    "그럼 지난달은?",
]
# a question the router places no tool for: the model's call is its own reading, so
# the model phrases the result in a second request (the same call as above is scripted)
UNPLACED = "이거 좀 풀어서 설명해줘"
TARGET_TOKENS = 3_000


class _Tokens:
    """One question asked through the advisor against the stub: prompt tokens per request."""

    def __init__(self, path: Path) -> None:
        from tests.openai_stub import OpenAIStub

        self.stub = OpenAIStub().start()
        self.engine = make_engine(f"sqlite:///{path}")
        sessions = session_factory(self.engine)
        settings = Settings(
            openai_api_key="sk-bench",
            openai_base_url=self.stub.base_url,
            llm_timeout_seconds=30,
            embedding="hashing",  # the stub answers chat completions only
        )
        self.advisor = Advisor(sessions, settings, PromptStore())
        self.offline = Advisor(sessions, Settings(openai_api_key=None), PromptStore())
        self.chat = 10**9 + int(time.time()) % 10**6 * 100  # new chats on a reused --db

    def ask(self, question: str, tool: str, args: dict[str, object], memory: bool) -> list[int]:
        from tests.openai_stub import Reply
        from tests.tokens import request_tokens

        self.chat += 1
        if memory:
            for earlier in EARLIER:
                self.offline.ask(earlier, seller_id=1, chat_id=self.chat, now=NOW)
        self.stub.requests.clear()
        self.stub.queue(Reply(tool_calls=[(tool, args)]), Reply(content="네, 확인했어요."))
        answer = self.advisor.ask(question, seller_id=1, chat_id=self.chat, now=NOW)
        self.stub.script.clear()
        if answer.mode != "llm" or [c.tool for c in answer.calls] != [tool]:
            print(f"   ({tool}: answered {answer.mode} with {[c.tool for c in answer.calls]})")
        return [request_tokens(body) for body in self.stub.requests]

    def close(self) -> None:
        self.advisor.close()
        self.offline.close()
        self.stub.stop()
        self.engine.dispose()


def llm(path: Path) -> None:
    logging.getLogger().setLevel(logging.ERROR)  # the guard refusing the scripted text
    bench = _Tokens(path)
    print(
        "\n3. LLM mode against the stub: model requests and prompt tokens per one-tool "
        f"question (tiktoken o200k_base; target < {TARGET_TOKENS:,} in total, chat memory "
        "included; memory = 4 earlier turns)"
    )
    print(
        f"   {'':<16} {'the model reads it as the router does':<39}  "
        f"the model reads it otherwise ({UNPLACED!r})"
    )
    print(
        f"   {'tool':<16} requests  tokens  with memory  per request   "
        "requests  tokens  with memory  per request"
    )
    worst = worst_own = 0
    for tool, question in ONE_TOOL:
        read = bench.offline.ask(question, seller_id=1, now=NOW).calls
        args = read[0].args if read and read[0].tool == tool else {}
        plain, remembered = (bench.ask(question, tool, args, memory) for memory in (False, True))
        own, own_memory = (bench.ask(UNPLACED, tool, args, memory) for memory in (False, True))
        worst = max(worst, sum(plain), sum(remembered))
        worst_own = max(worst_own, sum(own), sum(own_memory))
        per_request, per_own = (" + ".join(f"{t:,}" for t in ts) for ts in (remembered, own_memory))
        print(
            f"   {tool:<16} {len(remembered):>8}  {sum(plain):>6,}  {sum(remembered):>11,}  "
            f"{per_request:<13} {len(own_memory):>8}  {sum(own):>6,}  {sum(own_memory):>11,}  {per_own}"
        )
    for how, most in (("read as the router does", worst), ("read otherwise", worst_own)):
        verdict = "under" if most < TARGET_TOKENS else "OVER"
        print(
            f"   most per one-tool question {how}: {most:,} ({verdict} the "
            f"{TARGET_TOKENS:,} target)"
        )
    bench.close()
    offer_recall()


def offer_recall() -> None:
    """How often the tool a held-out question is about is among the tools offered to the
    model (tools.offer over the router's result), with the router's own tool beside it;
    the router is not tuned on these questions (tests/heldout/README.md)."""
    from bench.heldout import DEFAULT_SET, run
    from tools.offer import offered
    from tools.router import ranked_tools

    prompts = PromptStore()
    enabled = [spec.name for spec in prompts.enabled_tools()]
    cases = routed = kept = size = 0
    previous: str | None = None
    for turn in run(DEFAULT_SET)[0]:
        if "." not in turn.where or turn.where.endswith(".1"):
            previous = None  # a new conversation
        got, expected = turn.got, turn.expected
        if got is not None and expected.get("outcome") == "answered" and expected.get("tool"):
            ranked = [name for name, _ in ranked_tools(turn.q, prompts=prompts)]
            offer = offered(got.tool, previous, ranked, enabled)
            cases += 1
            routed += got.tool == expected["tool"]
            kept += expected["tool"] in offer
            size += len(offer)
        previous = got.tool if got is not None else None
    print(
        f"   held-out questions answered by a tool ({cases}): the router's tool is right in "
        f"{routed / cases:.1%}; the right tool is among those offered in {kept / cases:.1%} "
        f"(offered {size / cases:.1f} of {len(enabled)} tools on average)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=180)
    parser.add_argument("--orders-per-day", type=float, default=200.0)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--cold", type=int, default=5, help="cold-start runs")
    parser.add_argument("--db", type=Path, help="reuse (or create) this SQLite file")
    parser.add_argument(
        "--only", choices=["offline", "cold", "llm"], help="run only this part (default: all)"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = args.db or Path(tmp) / "bench.db"
        if not path.exists():
            build_store(path, args.days, args.orders_per_day)
        if args.only in (None, "offline"):
            offline(path, args.rounds)
        if args.only in (None, "cold"):
            cold_start(path, args.cold)
        if args.only in (None, "llm"):
            llm(path)


if __name__ == "__main__":
    main()
