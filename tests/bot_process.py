"""A real `advisor bot` process against the Telegram emulator, and an outbox to deliver.

For the delivery fault tests (tests/test_delivery_faults.py) and their figures
(bench/delivery_faults.py): the bot runs as its own process, in polling mode, on
a database the test seeded, so it can be killed with SIGKILL mid-delivery and
started again on the same database.

    seeded = seed_outbox(url, sellers=300)          # one chat and one alert each
    with BotProcess.start(url, client, tmp) as bot:
        ...                                         # bot.kill() / bot.stop()
    per_chat = await messages_per_chat(client)      # the emulator's record
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

from sqlalchemy import func, insert, select

from storage.db import make_engine, session_factory
from storage.db_lock import lock_path
from storage.models import Alert, AlertDelivery, ChatLink, Seller
from tests.telegram import EmulatorClient

ADVISOR = Path(sys.executable).with_name("advisor")
OPERATOR = 9901
FIRST_CHAT = 70_001
DETECTED = dt.datetime(2026, 11, 25, 5, 0, tzinfo=dt.UTC)


def _evidence(day: str) -> dict[str, Any]:
    return {
        "kind": "sales_drop_day", "local_date": day, "family": "sales", "from_hour": 0,
        "to_hour": 24, "expected": 48.0, "actual": 10, "change": -0.7917, "p_value": 1e-9,
        "baseline": [48] * 8, "baseline_dates": [], "dispersion": 0.0,
        "expected_revenue": 1320000, "actual_revenue": 275000, "quiet_since_hour": None,
        "expected_since_quiet": None,
    }  # fmt: skip


@dataclass(frozen=True)
class Seeded:
    """What `seed_outbox` wrote: every chat, and the alerts each chat should get once."""

    chats: list[int]
    alerts_per_chat: int

    @property
    def messages(self) -> int:
        return len(self.chats) * self.alerts_per_chat


def seed_outbox(
    url: str, *, sellers: int, chats_per_seller: int = 1, alerts_per_seller: int = 1
) -> Seeded:
    """Sellers (digest off, so a scan adds nothing) with their linked chats and pending
    sales-drop alerts, in a migrated database."""
    engine = make_engine(url)
    chats: list[int] = []
    try:
        with session_factory(engine).begin() as session:
            for number in range(sellers):
                seller = Seller(
                    slug=f"fault-{number}",
                    name=f"상점 {number}",
                    timezone="Asia/Seoul",
                    digest_enabled=False,
                )
                session.add(seller)
                session.flush()
                for _ in range(chats_per_seller):
                    chat = FIRST_CHAT + len(chats)
                    chats.append(chat)
                    session.add(ChatLink(chat_id=chat, seller_id=seller.id, language="ko"))
                rows = [
                    {
                        "seller_id": seller.id,
                        "kind": "sales_drop_day",
                        "dedupe_key": f"fault:{seller.id}:{day}",
                        "evidence": _evidence(f"2026-11-{day:02d}"),
                        "detected_at": DETECTED,
                        "status": "pending",
                    }
                    for day in range(1, alerts_per_seller + 1)
                ]
                session.execute(insert(Alert), rows)
    finally:
        engine.dispose()
    return Seeded(chats, alerts_per_seller)


def outbox_state(url: str) -> tuple[Counter[str], Counter[str]]:
    """Alerts by status and deliveries by status."""
    engine = make_engine(url)
    try:
        with session_factory(engine)() as session:
            alerts = Counter(
                {
                    str(status): count
                    for status, count in session.execute(
                        select(Alert.status, func.count()).group_by(Alert.status)
                    )
                }
            )
            deliveries = Counter(
                {
                    str(status): count
                    for status, count in session.execute(
                        select(AlertDelivery.status, func.count()).group_by(AlertDelivery.status)
                    )
                }
            )
    finally:
        engine.dispose()
    return alerts, deliveries


def in_doubt_chats(url: str) -> tuple[set[int], set[int]]:
    """Chats with a delivery marked unknown, and with one still `sending` (a killed
    process's, on PostgreSQL until IN_FLIGHT_LIMIT passes)."""
    engine = make_engine(url)
    try:
        with session_factory(engine)() as session:
            rows = session.execute(
                select(AlertDelivery.chat_id, AlertDelivery.status).where(
                    AlertDelivery.status.in_(("unknown", "sending"))
                )
            )
            found: dict[str, set[int]] = {"unknown": set(), "sending": set()}
            for chat, status in rows:
                found[str(status)].add(chat)
            return found["unknown"], found["sending"]
    finally:
        engine.dispose()


async def messages_per_chat(client: EmulatorClient, chats: list[int]) -> Counter[int]:
    """How many messages the emulator recorded as sent to each of `chats`."""
    wanted = set(chats)
    return Counter(m.chat_id for m in await client.all_messages() if m.chat_id in wanted)


async def sent_count(client: EmulatorClient) -> int:
    stats = await client.stats()
    count: int = stats["messages_sent"]
    return count


@dataclass
class BotProcess:
    """`advisor bot` (polling) in its own process; stderr goes to a file."""

    process: subprocess.Popen[bytes]
    log_path: Path

    @classmethod
    def start(
        cls,
        url: str,
        client: EmulatorClient,
        workdir: Path,
        *,
        name: str = "bot",
        max_rate: float = 1000.0,
        extra_args: tuple[str, ...] = (),
        env: dict[str, str] | None = None,
        argv: tuple[str, ...] | None = None,
    ) -> BotProcess:
        """Started in `workdir` (no .env of the checkout), quiet hours off; `argv`: another
        `advisor` command (`worker`, `scheduler`) in the same environment."""
        environment = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("OPENAI_", "TELEGRAM_", "DATABASE_URL", "CHROMA_"))
        }
        environment.update(
            {
                "DATABASE_URL": url,
                "DATA_DIR": str(workdir / "data"),
                "EMBEDDING": "hashing",
                "TELEGRAM_BOT_TOKEN": client.token,
                "TELEGRAM_BASE_URL": client.base_url,
                "TELEGRAM_BASE_FILE_URL": client.base_file_url,
                "OPERATOR_CHAT_IDS": str(OPERATOR),
                "PYTHONUNBUFFERED": "1",
            }
        )
        environment.update(env or {})
        log_path = workdir / f"{name}.log"
        command = [
            str(ADVISOR),
            *(
                argv
                if argv is not None
                else ("bot", "--max-rate", str(max_rate), "--quiet-hours", "0-0", *extra_args)
            ),
        ]
        with log_path.open("ab") as log:
            process = subprocess.Popen(
                command, cwd=workdir, env=environment, stdout=log, stderr=subprocess.STDOUT
            )
        return cls(process, log_path)

    @property
    def pid(self) -> int:
        return self.process.pid

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def wait(self, timeout: float) -> int:
        return self.process.wait(timeout=timeout)

    def kill(self) -> None:
        """SIGKILL: no handler runs, nothing is flushed or marked."""
        if self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> int:
        """SIGTERM: the graceful shutdown `advisor bot` does on Ctrl-C."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                return self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()
        return self.process.returncode

    def __enter__(self) -> BotProcess:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.stop()


async def wait_until(check: Any, *, within: float, every: float = 0.02) -> bool:
    """Poll the async `check()` until it is true or `within` seconds pass."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if await check():
            return True
        await asyncio.sleep(every)
    return bool(await check())


@dataclass(frozen=True)
class Figures:
    """What a fault did to a delivery: out of `total` messages, how many arrived once,
    never (lost) or more than once (duplicated), as the emulator recorded them; how
    many the outbox marked unknown and whether the operators were told."""

    scenario: str
    total: int
    delivered: int
    lost: int
    duplicated: int
    unknown: int
    in_flight: int  # deliveries marked sending when the process was killed
    still_sending: int  # of those, not yet expired (PostgreSQL: after IN_FLIGHT_LIMIT)
    lost_unreported: int  # lost and not among the unknown ones the operators were told of
    operator_messages: int

    def line(self) -> str:
        return (
            f"{self.scenario}: {self.total} messages; delivered {self.delivered}, "
            f"lost {self.lost}, duplicated {self.duplicated}; unknown {self.unknown} "
            f"(in flight at the kill: {self.in_flight}, still sending: {self.still_sending}; "
            f"lost and not reported: {self.lost_unreported}; operator reports: "
            f"{self.operator_messages})"
        )


async def _settled(url: str, *, in_flight: int = 0) -> bool:
    """Nothing left to try: no alert waiting, no delivery pending, at most the
    `in_flight` ones of a killed process still `sending`."""
    alerts, deliveries = outbox_state(url)
    return not (alerts["pending"] or alerts["held"] or deliveries["pending"]) and (
        deliveries["sending"] <= in_flight and (in_flight or not alerts["sending"])
    )


async def figures(
    scenario: str, url: str, client: EmulatorClient, seeded: Seeded, *, in_flight: int = 0
) -> Figures:
    per_chat = await messages_per_chat(client, seeded.chats)
    expected = seeded.alerts_per_chat
    lost = sum(max(0, expected - per_chat[chat]) for chat in seeded.chats)
    duplicated = sum(max(0, per_chat[chat] - expected) for chat in seeded.chats)
    unknown, sending = in_doubt_chats(url)
    unreported = sum(
        1 for chat in seeded.chats if per_chat[chat] < expected and chat not in unknown | sending
    )
    _, deliveries = outbox_state(url)
    operator = len([m for m in await client.all_messages() if m.chat_id == OPERATOR])
    return Figures(
        scenario=scenario,
        total=seeded.messages,
        delivered=seeded.messages - lost,
        lost=lost,
        duplicated=duplicated,
        unknown=deliveries["unknown"],
        still_sending=deliveries["sending"],
        in_flight=in_flight,
        lost_unreported=unreported,
        operator_messages=operator,
    )


@dataclass(frozen=True)
class Refusal:
    """A second `advisor bot` started on the same database while one runs."""

    exit_code: int | None  # None: it did not exit (it runs beside the first)
    log: str


async def kill_mid_delivery(
    url: str,
    client: EmulatorClient,
    workdir: Path,
    seeded: Seeded,
    *,
    kill_after: int,
    second_process: bool = True,
) -> tuple[Figures, Refusal | None]:
    """Start the bot, SIGKILL it once the emulator has `kill_after` messages, start it
    again and let it finish; meanwhile (`second_process`) start another one on the
    same database."""
    await client.add_chats([*seeded.chats, OPERATOR])
    first = BotProcess.start(url, client, workdir, name="killed")
    try:
        reached = await wait_until(lambda: _at_least(client, kill_after), within=90, every=0.005)
        first.kill()
    finally:
        first.stop()
    assert reached, f"the bot sent fewer than {kill_after} messages; its log:\n{first.log()}"
    _, deliveries = outbox_state(url)
    refusal = None
    with BotProcess.start(url, client, workdir, name="restarted") as second:
        if second_process:
            refusal = await _intrude(url, client, workdir, holder=second.pid)
        done = await wait_until(
            lambda: _settled(url, in_flight=deliveries["sending"]), within=90, every=0.1
        )
        assert done, f"delivery did not finish after the restart; its log:\n{second.log()}"
        if in_doubt_chats(url)[0]:  # the report goes out at start, before the delivery job
            await wait_until(lambda: _operator_told(client), within=10, every=0.1)
    found = await figures(
        "kill -9 mid-delivery", url, client, seeded, in_flight=deliveries["sending"]
    )
    return found, refusal


async def _intrude(url: str, client: EmulatorClient, workdir: Path, *, holder: int) -> Refusal:
    """Once `holder` holds the database's lock, start another bot on it."""
    lock = lock_path(url)
    if lock is not None:
        held = await wait_until(lambda: _holds(lock, holder), within=30, every=0.02)
        assert held, f"process {holder} never took {lock}"
    intruder = BotProcess.start(url, client, workdir, name="second")
    try:
        code: int | None = intruder.wait(timeout=30)
    except subprocess.TimeoutExpired:
        code = None
    finally:
        intruder.stop()
    return Refusal(code, intruder.log())


async def _holds(lock: Path, pid: int) -> bool:
    return await asyncio.to_thread(lambda: lock.exists() and f"(pid {pid})" in lock.read_text())


async def _at_least(client: EmulatorClient, count: int) -> bool:
    return await sent_count(client) >= count


async def _operator_told(client: EmulatorClient) -> bool:
    return any(m.chat_id == OPERATOR for m in await client.all_messages())


async def timeout_after_delivery(
    url: str, client: EmulatorClient, workdir: Path, seeded: Seeded, *, late: float = 1.5
) -> Figures:
    """Every send is delivered but answered `late` seconds later, past the bot's read
    timeout (0.5 s)."""
    await client.add_chats([*seeded.chats, OPERATOR])
    await client.delay_next(late, count=seeded.messages)
    with BotProcess.start(
        url, client, workdir, name="timeouts", env={"TELEGRAM_READ_TIMEOUT": "0.5"}
    ) as bot:
        done = await wait_until(lambda: _settled(url), within=90, every=0.1)
        assert done, f"delivery did not finish; the bot's log:\n{bot.log()}"
        await wait_until(lambda: _operator_told(client), within=10, every=0.1)
    return await figures("send timed out after delivery", url, client, seeded)


__all__ = [
    "ADVISOR",
    "OPERATOR",
    "BotProcess",
    "Figures",
    "Seeded",
    "figures",
    "kill_mid_delivery",
    "timeout_after_delivery",
    "Refusal",
    "messages_per_chat",
    "outbox_state",
    "seed_outbox",
    "sent_count",
    "in_doubt_chats",
    "wait_until",
]
