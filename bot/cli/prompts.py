"""`advisor prompts check [--dir PATH]`: validate the files operators edit."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from bot.cli._common import add_command, add_group
from tools.catalog import ARG_SCHEMAS
from tools.prompts import DEFAULT_DIR, PromptStore


def register(subparsers: Any, help_text: str) -> None:
    parser = add_group(subparsers, "prompts", help_text)
    sub = parser.add_subparsers(dest="prompts_command", metavar="ACTION", required=True)
    check = add_command(
        sub,
        "check",
        _check,
        "check every file under prompts/: YAML and Jinja2 syntax, templates rendered "
        "against sample contexts, tool descriptions and examples",
    )
    check.add_argument(
        "--dir", type=Path, default=DEFAULT_DIR, help=f"prompts directory (default: {DEFAULT_DIR})"
    )


def _check(args: argparse.Namespace) -> int:
    report = PromptStore(args.dir).check(known_tools=set(ARG_SCHEMAS))
    if report.ok:
        print(f"ok: {report.files} files")
        return 0
    for issue in report.issues:
        print(issue)
    print(f"{len(report.issues)} error(s) in {args.dir}")
    return 1
