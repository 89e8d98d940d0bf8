"""Every command README.md shows in its `sh` blocks, and every command `advisor demo`
prints under "What to try next", works pasted in a new terminal at the checkout after
`make demo`: a clean environment (no venv on PATH, no DATABASE_URL), the working
directory holding `.venv` and the `.env` that `make demo`'s demo-env step writes.

The demo store here is small (30 days) so the walk stays fast; the commands are run
as printed, one `bash -c` each.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
ADVISOR = ".venv/bin/advisor"
_SH_BLOCK = re.compile(r"^```sh\n(.*?)^```", re.MULTILINE | re.DOTALL)


def readme_commands() -> list[str]:
    """The advisor commands in README.md's `sh` blocks (lines that start with it)."""
    blocks = _SH_BLOCK.findall((ROOT / "README.md").read_text(encoding="utf-8"))
    return [
        line.strip()
        for block in blocks
        for line in block.splitlines()
        if line.strip().startswith(ADVISOR)
    ]


def _run(command: str, cwd: Path, stdin: str = "") -> subprocess.CompletedProcess[str]:
    clean = {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": str(cwd), "LANG": "C.UTF-8"}
    return subprocess.run(
        ["bash", "-c", command],
        cwd=cwd,
        env=clean,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture(scope="module")
def checkout(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A directory like the checkout after `make demo`: .venv, and the .env it writes."""
    home = tmp_path_factory.mktemp("checkout")
    (home / ".venv").symlink_to(ROOT / ".venv")
    made = _run(f"make -s -f {ROOT / 'Makefile'} demo-env", home)
    assert made.returncode == 0, made.stderr
    assert (home / ".env").read_text() == f"DATABASE_URL=sqlite:///{home}/data/demo.db\n"
    seeded = _run(f"{ADVISOR} seed --roll-forward --days 30 --orders-per-day 20", home)
    assert seeded.returncode == 0, seeded.stderr
    return home


def test_readme_shows_the_commands_a_new_user_tries() -> None:
    commands = readme_commands()
    assert f'{ADVISOR} ask "지난주 베스트 5" --seller demo' in commands
    assert len(commands) >= 5


@pytest.mark.parametrize("command", readme_commands())
def test_every_readme_command_works_as_printed(checkout: Path, command: str) -> None:
    done = _run(command, checkout)
    assert done.returncode == 0, f"{command}\n{done.stdout}\n{done.stderr}"
    assert done.stdout.strip()
    assert "Traceback" not in done.stderr


def test_every_command_advisor_demo_prints_works_as_printed(checkout: Path) -> None:
    shown = _run(f"{ADVISOR} demo", checkout)
    assert shown.returncode == 0, shown.stderr
    steps = shown.stdout.split("What to try next:\n", 1)[1].splitlines()
    commands = [re.split(r"\s{2,}", line.strip())[0] for line in steps if line.strip()]
    assert commands[0] == f"{ADVISOR} chat --seller demo"
    for command in commands:
        done = _run(command, checkout, stdin="오늘 매출 어때?\n")  # the chat reads stdin
        assert done.returncode == 0, f"{command}\n{done.stdout}\n{done.stderr}"
        assert done.stdout.strip()
        assert "Traceback" not in done.stderr
