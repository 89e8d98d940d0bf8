"""A streamed model answer: when the seller sees the first draft, and what checking
each draft with the answer guard costs; prints the figures.

    .venv/bin/python bench/drafts.py [--pieces 60] [--every 0.05] [--runs 3]

Against the local OpenAI-compatible stub on the hand-built test store
(tests/advisor_store.py), the agent warm: the model asks for sales_report, then
writes a three-sentence answer (about 60 words) in PIECES pieces EVERY seconds
apart. Per run: seconds from `ask` to the first draft and to the answer, and the
drafts shown. Then the guard's cost: the same answer offered to tools.drafts
.DraftGate piece by piece (no model, every offer checked), the time per check; the
gate checks at most once every CHECK_EVERY seconds while the model writes.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

QUESTION = "오늘 분위기 어때?"  # the router places no tool: the model chooses and phrases
NOW = dt.datetime.fromisoformat("2026-11-27T14:30:00+09:00")
TODAY = {"start": "2026-11-27", "end": "2026-11-27"}
ANSWER = (
    "오늘 14:30까지 매출은 49,000원이고 주문은 2건이에요. 어제 같은 시간보다 2.0% 적고, "
    "지난주 같은 요일 같은 시간보다는 172.2% 많아요. "
    "오후에 주문이 더 들어오면 어제 수준은 넘을 수 있으니, 인기 상품 재고와 상품 페이지를 "
    "한 번 확인해 보세요. 오늘 들어온 주문의 객단가는 24,500원이에요."
)


def pieces_of(text: str, count: int) -> list[str]:
    size = -(-len(text) // count)
    return [text[i : i + size] for i in range(0, len(text), size)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pieces", type=int, default=60)
    parser.add_argument("--every", type=float, default=0.05)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    from storage.db import make_engine, session_factory, upgrade
    from storage.settings import Settings
    from tests.advisor_store import build_store
    from tests.openai_stub import OpenAIStub, Reply
    from tools.advisor import Advisor, _plain, _sources
    from tools.drafts import CHECK_EVERY, DraftGate
    from tools.prompts import PromptStore

    pieces = pieces_of(ANSWER, args.pieces)
    stub = OpenAIStub().start()
    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(f"sqlite:///{Path(tmp) / 'store.db'}")
        upgrade(engine)
        sessions = session_factory(engine)
        with sessions() as session:
            build_store(session)
            session.commit()
        settings = Settings(
            _env_file=None,  # type: ignore[call-arg]
            openai_api_key="sk-bench",
            openai_base_url=stub.base_url,
            openai_model="stub",
            llm_timeout_seconds=60.0,
            data_dir=Path(tmp),
        )
        advisor = Advisor(sessions, settings, PromptStore())
        advisor._get_agent()  # noqa: SLF001 - warm: the agent already built
        print(f"{len(pieces)} pieces {args.every:g} s apart ({len(ANSWER)} characters)")
        for run in range(1, args.runs + 1):
            stub.queue(
                Reply(tool_calls=[("sales_report", TODAY)]),
                Reply(chunks=pieces, chunk_delay=args.every),
            )
            shown: list[float] = []
            started = time.perf_counter()

            def draft(_text: str, shown: list[float] = shown, started: float = started) -> None:
                shown.append(time.perf_counter() - started)

            answer = advisor.ask(QUESTION, seller_id=1, now=NOW, on_draft=draft)
            total = time.perf_counter() - started
            first = f"{shown[0]:.2f} s" if shown else "none"
            print(
                f"run {run}: first draft {first}, answer {total:.2f} s ({answer.mode}), "
                f"{len(shown)} drafts"
            )
        stub.queue(Reply(tool_calls=[("sales_report", TODAY)]), Reply(content=ANSWER))
        ctx = advisor._context(1, NOW.astimezone(dt.UTC), "ko")  # noqa: SLF001
        calls = advisor._get_agent().respond(ctx, QUESTION).calls  # noqa: SLF001
        times: list[float] = []
        gate = DraftGate(
            lambda _text: None, lambda done: _sources(ctx, QUESTION, done), _plain, every=0.0
        )
        text = ""
        for piece in pieces:
            text += piece
            began = time.perf_counter()
            gate.offer(text, calls)
            times.append(time.perf_counter() - began)
        print(
            f"guard per check: median {statistics.median(times) * 1000:.2f} ms, "
            f"max {max(times) * 1000:.2f} ms, all {sum(times) * 1000:.1f} ms "
            f"for {len(times)} offers; while streaming at most one check every "
            f"{CHECK_EVERY:g} s"
        )
        advisor.close()
        engine.dispose()
    stub.stop()


if __name__ == "__main__":
    main()
