"""Soak: many sellers on the job queue, with 1, 2 and 4 `advisor worker` processes.

    .venv/bin/python bench/soak.py [--sellers 10000] [--minutes 10] [--workers 1,2,4]
        [--concurrency 8] [--every 60] [--changes 5]

For each worker count, on a throwaway PostgreSQL database (127.0.0.1:5432): the
sellers of tests/test_jobs_queue.py (a Naver Commerce app each in the emulator, a
cursor from yesterday, one linked chat, a timezone where it is about noon, so the
first scan of each seller writes its morning digest), one `advisor scheduler`
(a round every `--every` seconds) and the workers, against the Naver Commerce
emulator (in this process) and the Bot API emulator (tests/telegram_emulator).
Meanwhile `--changes` orders a second are paid in the emulator for random sellers.

Printed per worker count:

- rounds per hour: syncs finished (the workers' logs) per seller, per hour;
- syncs per minute, and the workers' CPU seconds (/proc, sampled every 2 s) over
  the run and per sync (all the round's jobs, not only syncs);
- change to data: p50/p95 seconds from an order paid in the emulator to its row
  in the database (sampled every 2 s), and how many arrived;
- round to alert: p50/p95 seconds from the scheduler's start to each seller's
  digest in its chat (the emulator's send time), and how many arrived;
- queue depth (queued jobs of every kind) every 10 % of the run, and its maximum;
- memory: the largest resident set of each worker;
- rates kept: Telegram messages in the busiest second (the shared limit is 25/s
  after a burst of 5) and a Naver application's calls to one API in its busiest
  second (its pacing: 2/s).

Not in the test suite; figures depend on the machine and what else runs on it.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import itertools
import os
import random
import statistics
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Engine, create_engine, text

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.jobs import install_schema  # noqa: E402
from bot.jobs.status import jobs_status  # noqa: E402
from storage.db import make_engine, session_factory, upgrade  # noqa: E402
from tests.bot_process import OPERATOR, BotProcess  # noqa: E402
from tests.emulators._http import serve  # noqa: E402
from tests.emulators.naver_commerce import Item, NaverCommerce  # noqa: E402
from tests.telegram import BotMessage, EmulatorClient, EmulatorProcess  # noqa: E402
from tests.test_jobs_queue import KEY, seed  # noqa: E402

PG_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


def fresh_database() -> tuple[str, str]:
    name = f"advisor_soak_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    url = PG_ADMIN.rsplit("/", 1)[0] + f"/{name}"
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    install_schema(url)
    return name, url


def drop_database(name: str) -> None:
    admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@dataclass
class Changes:
    """Orders paid in the emulator while the soak runs, and when each reached the database."""

    paid: dict[str, float] = field(default_factory=dict)
    seen: dict[str, float] = field(default_factory=dict)
    stop: threading.Event = field(default_factory=threading.Event)

    def pay(self, api: NaverCommerce, sellers: int, per_second: float) -> None:
        numbers = itertools.count(1)
        while not self.stop.wait(1.0 / per_second):
            order_id = f"9{next(numbers):011d}"
            seller = random.randrange(sellers)
            api.pay(f"app{seller}", order_id, [Item("p-2", "소포장 고구마", 1, 9_900)],
                    at=dt.datetime.now(dt.UTC))  # fmt: skip
            self.paid[order_id] = time.time()

    def look(self, engine: Engine) -> None:
        waiting = [order for order in list(self.paid) if order not in self.seen]
        if not waiting:
            return
        with engine.connect() as connection:
            rows = connection.execute(
                text("SELECT external_id FROM orders WHERE external_id = ANY(:ids)"),
                {"ids": waiting},
            )
            now = time.time()
            for (order_id,) in rows:
                self.seen[order_id] = now


def rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def cpu_seconds(pid: int) -> float:
    """User and system CPU time of process `pid` so far (/proc; 0 once it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime, stime


def percentile(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


async def soak(
    args: argparse.Namespace, workers: int, telegram: EmulatorClient, folder: Path
) -> None:
    name, url = fresh_database()
    api = NaverCommerce()
    changes = Changes()
    try:
        with serve(api):
            now = dt.datetime.now(dt.UTC)
            started = time.monotonic()
            chats = seed(url, api, now, args.sellers)
            print(f"  seeded {args.sellers} sellers in {time.monotonic() - started:.0f} s")
            await telegram.add_chats([*chats, OPERATOR])
            env = {"NAVER_COMMERCE_URL": api.url, "ADVISOR_SECRET_KEY": KEY, "JOBS": "queue"}

            def start(label: str, *argv: str) -> BotProcess:
                return BotProcess.start(url, telegram, folder, name=label, env=env, argv=argv)

            running = [
                start(f"soak-{workers}-w{n}", "worker", "--concurrency", str(args.concurrency))
                for n in range(workers)
            ]
            began = time.time()
            scheduler = start(f"soak-{workers}-scheduler", "scheduler", "--every",
                              str(args.every), "--deliver-every", "30")  # fmt: skip
            payer = threading.Thread(
                target=changes.pay, args=(api, args.sellers, args.changes), daemon=True
            )
            payer.start()
            engine = make_engine(url)
            sessions = session_factory(engine)
            depth: list[tuple[float, int]] = []
            memory: dict[int, float] = {}
            cpu: dict[int, float] = {}
            end = time.monotonic() + args.minutes * 60
            next_depth = time.monotonic()
            try:
                while time.monotonic() < end:
                    await asyncio.sleep(2.0)
                    await asyncio.to_thread(changes.look, engine)
                    for process in running:
                        memory[process.pid] = max(memory.get(process.pid, 0.0), rss_mb(process.pid))
                        cpu[process.pid] = cpu_seconds(process.pid) or cpu.get(process.pid, 0.0)
                    if time.monotonic() >= next_depth:
                        with sessions() as session:
                            status = jobs_status(session, now=dt.datetime.now(dt.UTC))
                        depth.append((time.time() - began, sum(k.queued for k in status.kinds)))
                        next_depth = time.monotonic() + args.minutes * 6  # every 10 %
            finally:
                changes.stop.set()
                scheduler.stop()
                for process in running:
                    process.stop()
                engine.dispose()
            hours = (time.time() - began) / 3600
            syncs = sum(process.log().count('"message": "sync ended"') for process in running)
            report(args, workers, hours, syncs, began, chats, changes, depth, memory, api,
                   await telegram.all_messages(), sum(cpu.values()))  # fmt: skip
    finally:
        drop_database(name)


def report(
    args: argparse.Namespace,
    workers: int,
    hours: float,
    syncs: int,
    began: float,
    chats: list[int],
    changes: Changes,
    depth: list[tuple[float, int]],
    memory: dict[int, float],
    api: NaverCommerce,
    messages: list[BotMessage],
    cpu: float,
) -> None:
    wanted = set(chats)
    digests = [m.sent_at - began for m in messages if m.chat_id in wanted]
    lag = [changes.seen[o] - changes.paid[o] for o in changes.seen]
    per_second = Counter(int(m.sent_at) for m in messages)
    calls = max(
        (Counter(int(at) for at in stamps).most_common(1)[0][1] for stamps in api.calls.values()),
        default=0,
    )
    print(f"  {workers} worker(s) x concurrency {args.concurrency}, {hours * 60:.1f} min:")
    print(f"    rounds per hour: {syncs / args.sellers / hours:.1f} ({syncs} syncs)")
    print(f"    syncs per minute: {syncs / hours / 60:.0f}; workers' CPU: {cpu:.1f} s, "
          f"{1000 * cpu / max(syncs, 1):.0f} ms per sync")  # fmt: skip
    print(f"    change to data: p50 {percentile(lag, 0.5):.1f} s, p95 {percentile(lag, 0.95):.1f} s"
          f" ({len(lag)} of {len(changes.paid)} orders arrived)")  # fmt: skip
    print(f"    round to alert: p50 {percentile(digests, 0.5):.1f} s, "
          f"p95 {percentile(digests, 0.95):.1f} s ({len(digests)} of {len(chats)} digests)")  # fmt: skip
    series = ", ".join(f"{at:.0f}s:{count}" for at, count in depth)
    print(f"    queue depth: max {max((c for _, c in depth), default=0)}; {series}")
    print("    memory per worker (MB, max RSS): "
          + ", ".join(f"{mb:.0f}" for mb in memory.values()))  # fmt: skip
    print(f"    Telegram busiest second: {max(per_second.values(), default=0)} messages; "
          f"a Naver app's busiest second on one API: {calls} calls")  # fmt: skip
    if digests:
        print(
            f"    median messages/s while delivering: {statistics.median(per_second.values()):.1f}"
        )


async def run(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(args.logs or tmp)
        await asyncio.to_thread(folder.mkdir, parents=True, exist_ok=True)
        emulator = EmulatorProcess.start(folder / "emulator.log")
        try:
            for workers in [int(n) for n in args.workers.split(",")]:
                client = emulator.emulator.client()
                try:
                    await soak(args, workers, client, folder)
                finally:
                    await client.aclose()
        finally:
            emulator.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sellers", type=int, default=10_000)
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--workers", default="1,2,4", help="worker counts, one run each")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--every", type=float, default=60.0, help="seconds between rounds")
    parser.add_argument("--changes", type=float, default=5.0, help="orders paid a second")
    parser.add_argument("--logs", help="keep the processes' logs in this folder")
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
