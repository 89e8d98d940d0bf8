"""A model that never answers: how long the seller waits; prints the figures.

    .venv/bin/python bench/fallback.py [--timeout 3] [--questions 48] [--runs 3]

Against the local OpenAI-compatible stub holding every request for an hour, on the
hand-built test store (tests/advisor_store.py):

1. `advisor ask` in a new process (LangChain not imported yet): the process's wall
   time from start to exit, and the answer's mode (target: within the timeout plus
   the offline cold start, and mode fallback).
2. QUESTIONS questions at once in one fresh process (cold: the agent is built on the
   first question's deadline) and in one whose agent is already built (warm): per
   question, the time from `ask` to its answer (target: every one within
   timeout + 1 s, every one the offline answer).

Each measurement runs in its own interpreter so "cold" is really cold; the stub runs
in this one.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

QUESTION = "오늘 매출 어때?"
NOW = "2026-11-27T14:30:00+09:00"


def build(path: Path) -> None:
    from storage.db import make_engine, session_factory, upgrade
    from tests.advisor_store import build_store

    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    with session_factory(engine)() as session:
        build_store(session)
    engine.dispose()


def child(db: str, base_url: str, timeout: float, questions: int, warm: bool) -> None:
    """Runs in a fresh interpreter: QUESTIONS concurrent asks; prints one JSON line."""
    import datetime as dt

    from storage.db import make_engine, session_factory
    from storage.settings import Settings
    from tools.advisor import Advisor
    from tools.prompts import PromptStore

    settings = Settings(
        openai_api_key="sk-bench",
        openai_base_url=base_url,
        openai_model="stub",
        llm_timeout_seconds=timeout,
        data_dir=Path(db).parent,
    )
    advisor = Advisor(session_factory(make_engine(f"sqlite:///{db}")), settings, PromptStore())
    if warm:
        advisor._get_agent()  # noqa: SLF001 - the warm case: the agent already built
    now = dt.datetime.fromisoformat(NOW)
    waits: list[float] = [0.0] * questions
    modes: list[str] = [""] * questions

    def ask(number: int) -> None:
        started = time.perf_counter()
        answer = advisor.ask(QUESTION, seller_id=1, now=now)
        waits[number] = time.perf_counter() - started
        modes[number] = answer.mode

    threads = [threading.Thread(target=ask, args=(n,)) for n in range(questions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    print(json.dumps({"waits": waits, "modes": modes}))
    sys.stdout.flush()
    os._exit(0)  # the abandoned model calls are the stub's business


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--timeout", type=float, default=3.0)
    parser.add_argument("--questions", type=int, default=48)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--child", nargs=4, metavar=("DB", "URL", "TIMEOUT", "WARM"))
    args = parser.parse_args()
    if args.child:
        db, url, timeout, warm = args.child
        child(db, url, float(timeout), args.questions, warm == "warm")
        return

    from tests.openai_stub import OpenAIStub, Reply

    stub = OpenAIStub().start()
    stub.queue(*[Reply(delay=3600.0, content="late") for _ in range(10_000)])
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "store.db"
        build(db)
        env = {
            **os.environ,
            "DATABASE_URL": f"sqlite:///{db}",
            "DATA_DIR": tmp,
            "OPENAI_API_KEY": "sk-bench",
            "OPENAI_BASE_URL": stub.base_url,
            "OPENAI_MODEL": "stub",
            "LLM_TIMEOUT_SECONDS": str(args.timeout),
        }
        advisor = [sys.executable, "-c", "import sys; from bot.cli import main; sys.exit(main())"]
        print(f"timeout {args.timeout:g} s; the model never answers")
        print(f"\n1. `advisor ask` in a new process, {args.runs} runs:")
        walls, modes = [], []
        for _ in range(args.runs):
            started = time.perf_counter()
            done = subprocess.run(
                [*advisor, "ask", QUESTION, "--seller", "shop", "--now", NOW, "--json"],
                env=env, capture_output=True, text=True, check=True, cwd=ROOT,
            )  # fmt: skip
            walls.append(time.perf_counter() - started)
            modes.append(json.loads(done.stdout)["answer"].startswith("(AI"))
        print(
            f"   process wall time median {statistics.median(walls):.2f} s · "
            f"max {max(walls):.2f} s · late-note offline answers {sum(modes)}/{len(modes)}"
        )
        print(
            f"\n2. {args.questions} questions at once (limit timeout + 1 = {args.timeout + 1:g} s):"
        )
        for warm in ("cold", "warm"):
            done = subprocess.run(
                [sys.executable, __file__, "--questions", str(args.questions),
                 "--child", str(db), stub.base_url, str(args.timeout), warm],
                env=env, capture_output=True, text=True, check=True, cwd=ROOT,
            )  # fmt: skip
            result = json.loads(done.stdout.strip().splitlines()[-1])
            waits = sorted(result["waits"])
            fallback = sum(1 for mode in result["modes"] if mode == "fallback")
            within = sum(1 for wait in waits if wait <= args.timeout + 1)
            print(
                f"   {warm}: median {statistics.median(waits):.2f} s · max {waits[-1]:.2f} s · "
                f"within {args.timeout + 1:g} s {within}/{len(waits)} · "
                f"fallback {fallback}/{len(waits)}"
            )
    stub.stop()


if __name__ == "__main__":
    main()
