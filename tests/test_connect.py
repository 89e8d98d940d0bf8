"""`advisor connect` and `advisor sync` through the CLI, with a connector registered by
the test (the platform edge): a missing key is a clear error before any question,
bad credentials store nothing, good ones are stored encrypted and never printed,
the prompt asks secrets without echo, a sync backfills and reports, a failing sync
exits 1 and `advisor sync status` shows the error; credentials never show in a repr.
"""

from __future__ import annotations

import datetime as dt
import getpass
import io
import json
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import select

from bot.cli import main
from bot.cli._common import open_database
from storage.connectors import Page, SourceError, registry, secrets
from storage.importing import ParsedLine, ParsedOrder
from storage.models import SourceAccount
from storage.settings import Settings, get_settings

KEY = Fernet.generate_key().decode()
NAME = "testshop"
SECRET = "right-secret"


class ShopSource:
    """A platform that accepts one secret and lists two orders in two pages."""

    name = NAME

    def __init__(self, credentials: Mapping[str, str]) -> None:
        self.credentials = credentials

    def check(self) -> None:
        if self.credentials["client_secret"] != SECRET:
            raise SourceError("bad_credentials", "the client secret was refused")

    def pages(self, cursor: Mapping[str, Any] | None, *, now: dt.datetime) -> Iterator[Page]:
        if self.credentials["client_id"] == "blocked":
            raise SourceError("ip_not_allowed", "this server's IP is not registered")
        start = int(cursor["n"]) if cursor else 0
        at = dt.datetime(2026, 11, 20, 9, tzinfo=dt.UTC)
        for n in range(start, 2):
            line = ParsedLine(0, "MUG", "머그컵", 1 + n, 12_000)
            yield Page({"n": n + 1}, (ParsedOrder(f"S-{n}", 0, at, "paid", None, None, (line,)),))


@pytest.fixture
def cli_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    monkeypatch.setenv("ADVISOR_SECRET_KEY", KEY)
    get_settings.cache_clear()
    registry.register(
        NAME,
        lambda credentials, settings: ShopSource(credentials),
        fields=registry.DEFAULT_FIELDS["naver"],
        label="Test shop",
    )
    yield tmp_path
    registry.unregister(NAME)
    get_settings.cache_clear()


def stored() -> list[SourceAccount]:
    _, sessions = open_database()
    with sessions() as session:
        rows = list(session.scalars(select(SourceAccount)))
        for row in rows:
            session.expunge(row)
        return rows


def connect(*extra: str) -> int:
    return main(["connect", NAME, "--seller", "shop", "--client-id", "app-1", *extra])


def test_connect_needs_the_key_and_working_credentials(
    cli_db: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["seller", "add", "shop"]) == 0
    capsys.readouterr()

    monkeypatch.delenv("ADVISOR_SECRET_KEY")
    get_settings.cache_clear()
    assert connect("--client-secret", SECRET) == 2
    assert capsys.readouterr().err == (
        "advisor: ADVISOR_SECRET_KEY is not set: store credentials need an encryption key. "
        "Generate one with\n"
        '  python -c "from cryptography.fernet import Fernet; '
        'print(Fernet.generate_key().decode())"\n'
        "and put it in .env as ADVISOR_SECRET_KEY=...\n"
    )
    monkeypatch.setenv("ADVISOR_SECRET_KEY", KEY)
    get_settings.cache_clear()

    assert connect("--client-secret", "wrong") == 2
    assert capsys.readouterr().err == (
        "advisor: Test shop: the client secret was refused (nothing was stored)\n"
    )
    assert stored() == []

    assert connect("--client-secret", SECRET) == 0
    out, err = capsys.readouterr()
    assert out == (
        "connected Test shop for shop: credentials checked and stored encrypted\n"
        "  the first `advisor sync --seller shop` backfills its history\n"
    )
    assert SECRET not in out + err
    (account,) = stored()
    assert account.credentials is not None and SECRET not in account.credentials
    assert dict(secrets.decrypt(KEY, account.credentials)) == {
        "client_id": "app-1",
        "client_secret": SECRET,
    }
    with pytest.raises(secrets.SecretKeyError, match="cannot be decrypted with this"):
        secrets.decrypt(Fernet.generate_key().decode(), account.credentials)


def test_connect_asks_for_what_the_flags_do_not_give(
    cli_db: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["seller", "add", "shop"]) == 0
    # no terminal: a missing field is an error naming its flag
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    assert connect() == 2
    assert capsys.readouterr().err == (
        "advisor: testshop needs application secret (애플리케이션 시크릿): pass "
        "--client-secret or run in a terminal to be asked\n"
    )
    # a terminal: the id is typed visibly, the secret without echo
    asked: list[tuple[str, str]] = []

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    def typed(prompt: str) -> str:
        asked.append(("input", prompt))
        return "app-2"

    def hidden(prompt: str) -> str:
        asked.append(("getpass", prompt))
        return SECRET

    monkeypatch.setattr("sys.stdin", Terminal())
    monkeypatch.setattr("builtins.input", typed)
    monkeypatch.setattr(getpass, "getpass", hidden)
    assert main(["connect", NAME, "--seller", "shop"]) == 0
    assert asked == [
        ("input", "Test shop: application ID (애플리케이션 ID): "),
        ("getpass", "Test shop: application secret (애플리케이션 시크릿): "),
    ]
    assert SECRET not in capsys.readouterr().out


def test_sync_backfills_reports_and_shows_status(
    cli_db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["seller", "add", "shop"]) == 0
    assert main(["sync", "status"]) == 0
    assert capsys.readouterr().out.endswith(
        "no connected accounts (connect one with `advisor connect`)\n"
    )
    assert connect("--client-secret", SECRET) == 0
    capsys.readouterr()

    assert main(["sync", "--seller", "shop"]) == 0
    # two pages: S-0 with 1 mug, S-1 with 2; the first sync is a backfill, with a bar
    out, err = capsys.readouterr()
    assert out == "shop testshop: 2 pages: 2 new orders, 0 updated, 0 products, 0 ad days\n"
    assert "shop testshop backfill: 2 pages" in err
    assert main(["sync"]) == 0  # incremental: nothing after the cursor, no bar
    assert capsys.readouterr() == (
        "shop testshop: 0 pages: 0 new orders, 0 updated, 0 products, 0 ad days\n",
        "",
    )
    assert main(["sync", "status"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "shop testshop (connected, Asia/Seoul)"
    assert lines[1].startswith("  last success: 20") and lines[2:] == ["  cursor: n=2"]

    # an account whose server IP the platform refuses: exit 1, the error in the status
    assert main(["connect", NAME, "--seller", "shop", "--client-id", "blocked",
                 "--client-secret", SECRET]) == 0  # fmt: skip
    capsys.readouterr()
    assert main(["sync"]) == 1
    assert capsys.readouterr().out == (
        "shop testshop: 0 pages: 0 new orders, 0 updated, 0 products, 0 ad days; "
        "stopped: ip_not_allowed: this server's IP is not registered\n"
    )
    assert main(["sync", "status", "--seller", "shop"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[2] == "  cursor: n=2"  # a reconnected account keeps its cursor
    assert lines[3].startswith("  failing since: 20")
    assert lines[4].startswith("  last error: ip_not_allowed at 20")
    assert lines[4].endswith(": this server's IP is not registered")


def test_credentials_never_show_in_a_repr_or_the_settings() -> None:
    credentials = secrets.Credentials({"client_id": "app-1", "client_secret": SECRET})
    assert repr(credentials) == str(credentials) == "Credentials(client_id, client_secret: hidden)"
    settings = Settings(_env_file=None, advisor_secret_key=KEY)  # type: ignore[call-arg]
    assert KEY not in repr(settings) and KEY not in json.dumps(settings.model_dump(mode="json"))
    with pytest.raises(secrets.SecretKeyError, match="is not a Fernet key"):
        secrets.fernet("not-a-key")
