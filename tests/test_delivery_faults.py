"""Nudge delivery under faults, with a real `advisor bot` process against the emulator.

The rule (tools/nudges/_delivery.py): each chat's delivery is claimed just before
its own send and finished right after it; a send cut off after it left (killed
mid-send, or a timeout after Telegram took it) is `unknown`: never sent again on
its own and reported to the operators. So a crash loses at most the sends in flight,
each named to the operators, and repeats none. bench/delivery_faults.py prints the
same figures on SQLite and PostgreSQL with larger counts.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.bot_process import (
    OPERATOR,
    kill_mid_delivery,
    seed_outbox,
    timeout_after_delivery,
)
from tests.telegram import EmulatorClient

SEND_CONCURRENCY = 32  # BotOptions.send_concurrency: one send in flight per seller task


@pytest.fixture
def store_url(sqlite_template: Path, tmp_path: Path) -> str:
    path = tmp_path / "store.db"
    shutil.copyfile(sqlite_template, path)
    return f"sqlite:///{path}"


async def test_kill_9_mid_delivery_loses_only_the_sends_in_flight_and_repeats_none(
    telegram: EmulatorClient, store_url: str, tmp_path: Path
) -> None:
    seeded = seed_outbox(store_url, sellers=300)

    found, second = await kill_mid_delivery(store_url, telegram, tmp_path, seeded, kill_after=100)

    assert found.duplicated == 0
    assert found.delivered + found.lost == 300
    # only what was in flight at the kill can be lost, and the operators were told of it
    assert found.lost <= found.unknown == found.in_flight <= SEND_CONCURRENCY
    assert found.lost_unreported == 0
    assert found.operator_messages == (1 if found.unknown else 0)
    # a second bot started on the same SQLite file meanwhile refused, saying why
    database = store_url.removeprefix("sqlite:///")
    assert second is not None and second.exit_code == 2
    assert second.log.startswith("advisor: advisor bot (pid ")
    assert f") is already running on {database} (lock file {database}.lock); " in second.log
    assert second.log.rstrip().endswith(
        "one process per SQLite file: stop it first, or use PostgreSQL (DATABASE_URL) "
        "for several workers"
    )


async def test_a_send_that_times_out_after_delivery_is_not_sent_again(
    telegram: EmulatorClient, store_url: str, tmp_path: Path
) -> None:
    seeded = seed_outbox(store_url, sellers=40)

    found = await timeout_after_delivery(store_url, telegram, tmp_path, seeded)

    assert (found.total, found.delivered, found.lost, found.duplicated) == (40, 40, 0, 0)
    assert found.unknown == 40  # Telegram did not answer in time: marked, not resent
    (report,) = [m for m in await telegram.all_messages() if m.chat_id == OPERATOR]
    lines = (report.plain_text or "").splitlines()
    assert lines[0].startswith(
        "40 alert message(s) may not have reached their chat: the bot stopped, or Telegram "
        "did not answer, while they were being sent."
    )
    assert lines[0].endswith("restart with: advisor bot --resend-unknown")
    assert sorted(int(line.rsplit(" ", 1)[1]) for line in lines[1:]) == seeded.chats
