"""Every `advisor` command has help text and is documented in the README."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from bot.cli import build_parser

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")


def _commands(
    parser: argparse.ArgumentParser, prefix: str = "advisor"
) -> list[tuple[str, argparse.ArgumentParser]]:
    found: list[tuple[str, argparse.ArgumentParser]] = []
    for action in parser._actions:  # noqa: SLF001 - argparse exposes subcommands no other way
        if isinstance(action, argparse._SubParsersAction):  # noqa: SLF001
            for name, sub in action.choices.items():
                found.append((f"{prefix} {name}", sub))
                found.extend(_commands(sub, f"{prefix} {name}"))
    return found


COMMANDS = _commands(build_parser())


def test_the_cli_has_every_documented_family() -> None:
    names = {name for name, _ in COMMANDS}
    assert {
        "advisor ask",
        "advisor chat",
        "advisor bot",
        "advisor seed",
        "advisor import orders",
        "advisor import ads",
        "advisor link-code",
        "advisor prompts check",
    } <= names


@pytest.mark.parametrize(("name", "parser"), COMMANDS, ids=[name for name, _ in COMMANDS])
def test_command_has_help_and_is_in_the_readme(name: str, parser: argparse.ArgumentParser) -> None:
    assert (parser.description or "").strip(), f"{name} has no description"
    words = name.split()
    leaf = " ".join(words[1:])
    assert f"advisor {leaf}" in README or f"`{words[-1]}" in README, f"{name} is not in README.md"
