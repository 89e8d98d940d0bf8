"""Fixtures of the inquiry-loop tests (tests/test_business.py, tests/test_inquiry_loop.py):
the bot's small store (tests/botstore.py) copied per test, its clock, and the bot over
the Bot API emulator without quiet hours."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from bot.context import BotApplication
from bot.services import Services
from storage.db import make_engine, session_factory
from tests.botstore import Clock, store_template
from tests.telegram import EmulatorClient
from tests.test_bot_telegram import new_services, running


@pytest.fixture(scope="session", name="store_file")
def store_file_fixture(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return store_template(sqlite_template, tmp_path_factory.mktemp("businessstore"))


@pytest.fixture(name="db")
def db_fixture(store_file: Path, tmp_path: Path) -> Iterator[sessionmaker[Session]]:
    path = tmp_path / "store.db"
    shutil.copyfile(store_file, path)
    engine = make_engine(f"sqlite:///{path}")
    yield session_factory(engine)
    engine.dispose()


@pytest.fixture(name="clock")
def clock_fixture() -> Clock:
    return Clock()


@pytest.fixture(name="business_bot")
async def business_bot_fixture(
    telegram: EmulatorClient, db: sessionmaker[Session], clock: Clock
) -> AsyncIterator[tuple[BotApplication, Services]]:
    services = new_services(telegram, db, clock, quiet_start=0, quiet_end=0)
    async with running(telegram, services) as application:
        yield application, services
