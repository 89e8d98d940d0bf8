"""Nudge delivery under faults: lost and duplicated messages, out of how many.

    .venv/bin/python bench/delivery_faults.py [--alerts 300] [--kill-after 100]
        [--timeouts 40] [--two-chats 50] [--backend sqlite|postgresql|both]

A real `advisor bot` process (polling) against the local Bot API emulator
(tests/telegram_emulator), on a fresh SQLite file or PostgreSQL database
(127.0.0.1:5432, a throwaway database per scenario) seeded with pending
sales-drop alerts, one linked chat per seller unless said otherwise. Counts
come from the emulator's record of sent messages (tests/bot_process.py):

1. kill -9 mid-delivery: SIGKILL once `--kill-after` messages went out, then a
   restart that finishes the run;
2. a send that times out after delivery: every send is recorded by the emulator
   but answered 1.5 s late, past the bot's 0.5 s read timeout;
3. two processes on one database: on SQLite the second refuses to start; on
   PostgreSQL both run at once (compare-and-set claims);
4. two chats per seller: `--two-chats` sellers, each alert to both chats.

The rule being measured (tools/nudges/_delivery.py): a send whose fate is
unknown (in flight at the kill, or cut off by the timeout after it left) is
marked unknown, not resent, and reported to operators, so "lost" can only be
among the unknown ones ("lost and not reported" must be 0) and nothing repeats.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from sqlalchemy import create_engine, text

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from storage.db import make_engine, upgrade  # noqa: E402
from tests.bot_process import (  # noqa: E402
    BotProcess,
    Figures,
    Seeded,
    figures,
    kill_mid_delivery,
    outbox_state,
    seed_outbox,
    timeout_after_delivery,
    wait_until,
)
from tests.telegram import EmulatorClient, EmulatorProcess, TelegramEmulator  # noqa: E402

PG_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


@asynccontextmanager
async def database(backend: str, folder: Path) -> AsyncIterator[str]:
    """A migrated, empty database: a new SQLite file or a throwaway PostgreSQL one."""
    if backend == "sqlite":
        url = f"sqlite:///{folder / f'{uuid.uuid4().hex[:8]}.db'}"
        engine = make_engine(url)
        upgrade(engine)
        engine.dispose()
        yield url
        return
    name = f"advisor_faults_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = PG_ADMIN.rsplit("/", 1)[0] + f"/{name}"
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    try:
        yield url
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@asynccontextmanager
async def bot_client(emulator: TelegramEmulator) -> AsyncIterator[EmulatorClient]:
    client = emulator.client()
    try:
        yield client
    finally:
        await client.aclose()


async def _settled(url: str) -> bool:
    alerts, _ = outbox_state(url)
    return not (alerts["pending"] or alerts["held"] or alerts["sending"])


async def both_at_once(
    url: str, client: EmulatorClient, folder: Path, seeded: Seeded
) -> tuple[Figures, str]:
    """Two `advisor bot` processes started together on one database."""
    await client.add_chats(seeded.chats)
    one = BotProcess.start(url, client, folder, name="one")
    two = BotProcess.start(url, client, folder, name="two")
    try:
        await wait_until(lambda: _settled(url), within=120, every=0.2)
        second_exit = two.process.poll()
    finally:
        one.stop()
        two.stop()
    note = (
        "the second refused to start (exit 2)"
        if second_exit == 2
        else "both ran and delivered at once"
    )
    return await figures("two processes on one database", url, client, seeded), note


async def run(args: argparse.Namespace) -> None:
    backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        running = EmulatorProcess.start(folder / "emulator.log")
        try:
            for backend in backends:
                print(f"\n{backend}")
                async with database(backend, folder) as url, bot_client(running.emulator) as c:
                    seeded = seed_outbox(url, sellers=args.alerts)
                    found, refusal = await kill_mid_delivery(
                        url, c, folder, seeded, kill_after=args.kill_after,
                        second_process=backend == "sqlite",
                    )  # fmt: skip
                    print(" ", found.line())
                    if refusal is not None:
                        print(f"  a second process meanwhile: exit {refusal.exit_code}: "
                              f"{refusal.log.strip().splitlines()[-1]}")  # fmt: skip
                async with database(backend, folder) as url, bot_client(running.emulator) as c:
                    seeded = seed_outbox(url, sellers=args.timeouts)
                    found = await timeout_after_delivery(url, c, folder, seeded)
                    print(" ", found.line())
                async with database(backend, folder) as url, bot_client(running.emulator) as c:
                    seeded = seed_outbox(url, sellers=args.alerts)
                    found, note = await both_at_once(url, c, folder, seeded)
                    print(" ", found.line(), f"({note})")
                async with database(backend, folder) as url, bot_client(running.emulator) as c:
                    seeded = seed_outbox(url, sellers=args.two_chats, chats_per_seller=2)
                    await c.add_chats(seeded.chats)
                    with BotProcess.start(url, c, folder, name="two-chats"):
                        await wait_until(lambda u=url: _settled(u), within=120, every=0.2)
                    found = await figures("two chats per seller", url, c, seeded)
                    print(" ", found.line())
        finally:
            running.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--alerts", type=int, default=300)
    parser.add_argument("--kill-after", type=int, default=100)
    parser.add_argument("--timeouts", type=int, default=40)
    parser.add_argument("--two-chats", type=int, default=50)
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
