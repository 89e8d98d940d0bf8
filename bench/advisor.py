"""The advisor's speed on a generated demo store; prints the figures.

    .venv/bin/python bench/advisor.py [--days 180] [--orders-per-day 200] [--rounds 5]
                                      [--cold 5] [--db PATH]

1. Offline mode (process already started): p50/p95/max from question to rendered
   answer over a set of Korean and English questions for every tool, follow-ups
   included, each turn persisted as in production (target: p95 under 100 ms);
   per tool as well. The first round warms the caches and is not counted.
2. `advisor ask` cold start: a new process per question (target under 2 s).
3. LLM mode against the local OpenAI-compatible stub: prompt tokens of a one-tool
   question (system + tools + the tool's compact result; target under 3,000),
   per model request, as the stub counts them (JSON characters / 4) and as a
   Korean-aware estimate (Hangul characters count one token each).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
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


def _estimate(text: str) -> int:
    hangul = sum(1 for char in text if "\uac00" <= char <= "\ud7a3")
    return hangul + (len(text) - hangul) // 4


def llm(path: Path) -> None:
    from tests.openai_stub import OpenAIStub, Reply

    stub = OpenAIStub().start()
    engine = make_engine(f"sqlite:///{path}")
    settings = Settings(
        openai_api_key="sk-bench", openai_base_url=stub.base_url, llm_timeout_seconds=10
    )
    advisor = Advisor(session_factory(engine), settings, PromptStore())
    print("\n3. LLM mode against the stub, one-tool question (target < 3,000 prompt tokens):")
    for question, args, written in [
        (
            "오늘 매출 어때?",
            {"start": "2026-11-27", "end": "2026-11-27"},
            "오늘 매출은 아직 집계 중이에요.",
        ),
        (
            "Which products sold best last week?",
            {"start": "2026-11-16", "end": "2026-11-22"},
            "Here are last week's best sellers.",
        ),
    ]:
        tool = "sales_report" if question.startswith("오늘") else "top_products"
        stub.requests.clear()
        stub.queue(Reply(tool_calls=[(tool, args)]), Reply(content=written))
        started = time.perf_counter()
        answer = advisor.ask(question, seller_id=1, now=NOW)
        elapsed = time.perf_counter() - started
        print(f"   {question!r} -> {tool}, mode {answer.mode}, {elapsed * 1000:.0f} ms")
        for number, request in enumerate(stub.requests, start=1):
            messages = request["messages"]
            system = json.dumps(messages[0], ensure_ascii=False)
            tools = json.dumps(request.get("tools", []), ensure_ascii=False)
            results = json.dumps([m for m in messages if m["role"] == "tool"], ensure_ascii=False)
            rest = json.dumps(messages[1:], ensure_ascii=False)
            counted = (len(json.dumps(messages, ensure_ascii=False)) + len(tools)) // 4
            estimate = _estimate(system) + _estimate(tools) + _estimate(rest)
            print(
                f"     request {number}: {counted:,} prompt tokens as the stub counts "
                f"(~{estimate:,} Korean-aware) = system {_estimate(system):,} + tools "
                f"{_estimate(tools):,} + tool results {_estimate(results):,} + question"
            )
    advisor.close()
    stub.stop()
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=180)
    parser.add_argument("--orders-per-day", type=float, default=200.0)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--cold", type=int, default=5, help="cold-start runs")
    parser.add_argument("--db", type=Path, help="reuse (or create) this SQLite file")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = args.db or Path(tmp) / "bench.db"
        if not path.exists():
            build_store(path, args.days, args.orders_per_day)
        offline(path, args.rounds)
        cold_start(path, args.cold)
        llm(path)


if __name__ == "__main__":
    main()
