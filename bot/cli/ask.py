"""`advisor ask QUESTION --seller SLUG [--chat ID] [--now ISO-8601] [--json]`.

Answers one question for a seller, as the bot would. With `--json` it prints one
object {"answer", "mode", "outcome", "calls": [{"tool", "args", "result"}]}
(outcome: answered, clarify, unsupported or not_understood). With QUESTION
`-` it reads one question per line from stdin (blank lines skipped) and prints
one JSON line per question, all in the same chat when `--chat` is given, so
operators can replay question sets. `--now` pins the clock for periods and data
(a time without an offset is read in the seller's timezone).
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import logging
import os
import sys
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session, sessionmaker

from bot.cli._common import CliError, add_command, open_database
from storage.sellers import get_seller
from storage.settings import Settings, get_settings

if TYPE_CHECKING:  # imported when a command runs, so other commands start fast
    from tools.advisor import Advisor
    from tools.answer import Answer


def register(subparsers: Any, help_text: str) -> None:
    parser = add_command(subparsers, "ask", _ask, help_text)
    parser.add_argument("question", metavar="QUESTION", help="the question, or - for stdin")
    add_seller_options(parser)
    parser.add_argument("--json", action="store_true", help="print the answer as JSON")


def add_seller_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--seller", required=True, metavar="SLUG", help="the seller's slug")
    parser.add_argument(
        "--chat",
        type=int,
        metavar="ID",
        help="chat id: questions in the same chat follow up on each other",
    )
    parser.add_argument(
        "--now",
        metavar="ISO-8601",
        help="pin the clock (e.g. 2026-11-27T14:30; without an offset: the seller's timezone)",
    )


def parse_now(text: str | None, timezone: str) -> dt.datetime | None:
    """None (the real clock) or an aware datetime; a naive one is read in `timezone`."""
    if text is None:
        return None
    try:
        value = dt.datetime.fromisoformat(text.strip())
    except ValueError as exc:
        raise CliError(f"--now: not an ISO-8601 date or time: {text!r}") from exc
    if value.tzinfo is None:
        value = value.replace(tzinfo=ZoneInfo(timezone))
    return value


def open_advisor(
    slug: str, now_text: str | None, settings: Settings | None = None
) -> tuple[Advisor, int, dt.datetime | None, sessionmaker[Session]]:
    """The advisor, the seller id, the pinned clock and the sessions."""
    from tools.advisor import Advisor
    from tools.prompts import PromptStore

    settings = settings or get_settings()
    _, sessions = open_database(settings)
    with sessions() as session:
        seller = get_seller(session, slug)
        seller_id, timezone = seller.id, seller.timezone
    now = parse_now(now_text, timezone)
    return Advisor(sessions, settings, PromptStore(settings.prompts_dir)), seller_id, now, sessions


def finish(advisor: Advisor, code: int) -> int:
    """Close the advisor and end the command with `code`.

    A model call abandoned at its deadline (or LangChain still importing on a cold
    start) runs on in a daemon thread; the interpreter's normal exit would stop that
    thread inside C or Rust code, which aborts the process ("FATAL: exception not
    rethrown", exit -6) after the answer was printed. Everything the command does is
    printed and stored by now, so the process ends here instead."""
    advisor.close()
    if advisor.abandoned_calls():
        sys.stdout.flush()
        sys.stderr.flush()
        logging.shutdown()
        os._exit(code)
    return code


def answer_json(answer: Answer) -> str:
    return json.dumps(answer.to_json(), ensure_ascii=False, default=str)


def readable(text: str) -> str:
    """Typed text as valid Unicode, so the question can be answered, printed and stored.

    Bytes that were not UTF-8 (Python keeps them in argv as lone surrogates) are read
    as CP949 when they are valid CP949 (a Korean terminal set to EUC-KR under a UTF-8
    locale), else each undecodable byte becomes U+FFFD."""
    if not any("\ud800" <= char <= "\udfff" for char in text):
        return text
    try:
        raw = text.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:
        return text.encode("utf-8", "replace").decode("utf-8")
    try:
        return raw.decode("cp949")
    except UnicodeDecodeError:
        return raw.decode("utf-8", "replace")


def lenient_stdin() -> Iterable[str]:
    """Standard input with bytes that are not UTF-8 read as U+FFFD, not an error."""
    buffer = getattr(sys.stdin, "buffer", None)
    if buffer is None:  # already text (a test's StringIO)
        return sys.stdin
    return io.TextIOWrapper(buffer, encoding="utf-8", errors="replace")


def _ask(args: argparse.Namespace) -> int:
    advisor, seller_id, now, _ = open_advisor(args.seller, args.now)
    try:
        if args.question == "-":
            for line in lenient_stdin():
                question = readable(line.rstrip("\r\n"))
                if not question.strip():
                    continue
                answer = advisor.ask(question, seller_id=seller_id, chat_id=args.chat, now=now)
                print(answer_json(answer), flush=True)
        else:
            question = readable(args.question)
            answer = advisor.ask(question, seller_id=seller_id, chat_id=args.chat, now=now)
            print(answer_json(answer) if args.json else answer.text, flush=True)
    except BaseException:
        advisor.close()
        raise
    return finish(advisor, 0)
