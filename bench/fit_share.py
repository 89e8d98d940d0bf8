"""Customer fits shared through PostgreSQL (JOBS=queue): what a worker's refresh saves
the bot that answers, on bench/analytics.py's big seller (~418k customers at 1M lines).

    .venv/bin/python bench/fit_share.py [--lines 1000000] [--samples 5]

At each of `--samples` times of the last day of data (4 hours apart, as a seller asks
that day): the worker's refresh (`advisor:fit`: tools.customer_fit.refresh, the store's
purchases pack brought up to the day and a fit saved), then the bot's first customer question
(another process's cache: scored from the saved parameters), the bot's next question
(its memory), and, for comparison, a question with no fit anywhere (the first
question of an hour with no fit saved: a fit in the question, from the pack). Wall and this
process's CPU ms; every answer is checked equal to one fitted afresh.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.util
import sys
import time
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from analytics.clv.report import customer_report  # noqa: E402
from analytics.common import Store  # noqa: E402
from bot.jobs.queue import install_schema  # noqa: E402
from storage.db import make_engine, session_factory, upgrade  # noqa: E402
from tools.customer_fit import refresh  # noqa: E402
from tools.fit_cache import FitCache  # noqa: E402


def _bench_module(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"bench_{name}", ROOT / "bench" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def timed(engine: Engine, call: Callable[[Session], Any]) -> tuple[float, float, Any]:
    with Session(engine) as session:
        wall, cpu = time.perf_counter(), time.process_time()
        result = call(session)
        return 1e3 * (time.perf_counter() - wall), 1e3 * (time.process_time() - cpu), result


def sample(engine: Engine, store: Store, now: dt.datetime) -> list[tuple[float, float, bool]]:
    """(wall ms, CPU ms, the answer equals a fresh fit's) of each step at `now`."""
    as_of = FitCache.calibration_end(now)
    worker, bot, alone = FitCache(), FitCache(), FitCache()

    def ask(fits: FitCache) -> Callable[[Session], Any]:
        return lambda s: customer_report(
            s, store, as_of=as_of, scored_store=fits.scored(s, store, now)
        )

    sessions = session_factory(engine)
    runs = [
        timed(
            engine, lambda _: refresh(sessions, worker, now=now, seller_ids=[store.id], kept=False)
        ),
        timed(engine, ask(bot)),
        timed(engine, ask(bot)),
    ]
    with engine.begin() as connection:  # no saved fit: the bot fits in the question
        connection.execute(text("DELETE FROM advisor_customer_fits"))
    runs.append(timed(engine, ask(alone)))
    fresh = timed(engine, lambda s: customer_report(s, store, as_of=as_of))[2]
    return [
        (wall, cpu, index == 0 or result == fresh) for index, (wall, cpu, result) in enumerate(runs)
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--samples", type=int, default=5)
    args = parser.parse_args()
    analytics_bench = _bench_module("analytics")
    names = ("worker refresh (pack, fit saved)", "bot 1st question (saved)", "bot next (memory)")
    names += ("question, no fit anywhere",)
    timings: dict[str, list[tuple[float, float]]] = {name: [] for name in names}
    with analytics_bench.bench_storage.postgres_database() as url:
        if url is None:
            return 1
        engine = make_engine(url)
        try:
            upgrade(engine)
            install_schema(url)
            started = time.perf_counter()
            big_id = analytics_bench.load(engine, args.lines, visits=False)
            print(f"  load {time.perf_counter() - started:.1f} s")
            analytics_bench.bench_storage.maintain(engine)
            store = Store(id=big_id, timezone=analytics_bench.SEOUL)
            for index in range(args.samples):
                now = analytics_bench.UNTIL - dt.timedelta(minutes=40, hours=4 * index)
                for name, (wall, cpu, same) in zip(names, sample(engine, store, now), strict=True):
                    timings[name].append((wall, cpu))
                    if not same:
                        print(f"  !! {name} at {now}: differs from a fresh fit")
        finally:
            engine.dispose()
    print(f"  {args.samples} as-of times; wall ms (this process's CPU ms), median and max:")
    for name, values in timings.items():
        walls = sorted(wall for wall, _ in values)
        cpus = sorted(cpu for _, cpu in values)
        print(
            f"    {name:<30} {walls[len(walls) // 2]:7.0f} / {walls[-1]:7.0f}"
            f"   ({cpus[len(cpus) // 2]:6.0f} / {cpus[-1]:6.0f})"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
