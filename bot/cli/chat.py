"""`advisor chat --seller SLUG [--chat ID] [--trace] [--now ISO-8601]`: the terminal chat.

Type questions in Korean or English (line editing and history through readline);
each answer is printed with its numbered choices (did-you-mean candidates, else
the next-step buttons): typing a number picks one. `--trace` adds a line per
answer: mode, outcome, tool, arguments and milliseconds. An answer's chart is saved as
a PNG under `--charts DIR` (default DATA_DIR/charts) and its path printed. Ctrl-D,
"exit" or "quit" leaves.
The chat keeps its memory in the database (chat id `--chat`, default -1).
"""

from __future__ import annotations

import argparse
import io
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.cli._common import add_command
from bot.cli.ask import add_seller_options, finish, open_advisor, readable
from storage.settings import get_settings

if TYPE_CHECKING:
    from tools.advisor import Advisor
    from tools.answer import Answer, Button, Chart

TERMINAL_CHAT = -1
EXIT_WORDS = frozenset({"exit", "quit", ":q", "종료", "나가기"})


def register(subparsers: Any, help_text: str) -> None:
    parser = add_command(subparsers, "chat", _chat, help_text)
    add_seller_options(parser)
    parser.add_argument(
        "--trace",
        action="store_true",
        help="print the mode, outcome, tool, arguments and time per answer",
    )
    parser.add_argument(
        "--charts",
        type=Path,
        metavar="DIR",
        help="where answers' charts are saved as PNG (default: DATA_DIR/charts)",
    )


def _chat(args: argparse.Namespace) -> int:
    settings = get_settings()
    advisor, seller_id, now, _ = open_advisor(args.seller, args.now, settings)
    save_history = _readline(settings.data_dir / "chat_history")
    if isinstance(sys.stdin, io.TextIOWrapper):  # bytes that are not UTF-8: see readable()
        sys.stdin.reconfigure(errors="surrogateescape")
    print(
        f"advisor chat · seller {args.seller} · {advisor.mode} mode (Ctrl-D or 'exit' to leave)",
        flush=True,
    )
    try:
        run_chat(
            advisor,
            seller_id=seller_id,
            chat_id=TERMINAL_CHAT if args.chat is None else args.chat,
            trace=args.trace,
            now=now,
            charts=args.charts or settings.data_dir / "charts",
        )
    except BaseException:
        advisor.close()
        raise
    finally:
        save_history()
    return finish(advisor, 0)


def _readline(history: Path) -> Callable[[], None]:
    """Line editing with the history kept in `history`; returns what saves it."""
    try:
        import readline
    except ImportError:  # pragma: no cover - not on every platform
        return lambda: None
    try:
        history.parent.mkdir(parents=True, exist_ok=True)
        readline.read_history_file(history)
    except OSError:
        pass
    readline.set_history_length(1000)

    def save() -> None:
        try:
            readline.write_history_file(history)
        except OSError:
            pass

    return save


def choices(answer: Answer) -> list[Button]:
    """What a number picks: the did-you-mean candidates, else the next steps."""
    return list(answer.candidates or answer.buttons)


def run_chat(
    advisor: Advisor,
    *,
    seller_id: int,
    chat_id: int,
    trace: bool = False,
    now: Any = None,
    read: Callable[[str], str] = input,
    write: Callable[[str], None] = print,
    charts: Path | None = None,
) -> int:
    """The chat loop; returns the number of questions answered. With `charts`, each
    answer's chart is saved there as a PNG and its path printed."""
    options: list[Button] = []
    lang: str | None = None
    answered = 0
    while True:
        try:
            line = readable(read("> ")).strip()
        except (EOFError, KeyboardInterrupt):
            write("")
            return answered
        if not line:
            continue
        if line.lower() in EXIT_WORDS:
            return answered
        started = time.perf_counter()
        picked = int(line) - 1 if line.isdigit() and options else None
        if picked is not None and 0 <= picked < len(options):
            button = options[picked]
            answer = advisor.run(
                button.tool, button.args, seller_id=seller_id, chat_id=chat_id, lang=lang, now=now
            )
        else:
            answer = advisor.ask(line, seller_id=seller_id, chat_id=chat_id, now=now)
        elapsed = (time.perf_counter() - started) * 1000
        answered += 1
        lang = answer.lang
        write(answer.text)
        options = choices(answer)
        if answer.buttons and not answer.candidates:
            write("  " + "  ".join(f"[{i}] {b.label}" for i, b in enumerate(options, start=1)))
        if answer.chart is not None:
            saved = "" if charts is None else f" → {save_chart(answer.chart, charts, answered)}"
            write(f"  (chart: {answer.chart.title}{saved})")
        if trace:
            write(trace_line(answer, elapsed))


def save_chart(chart: Chart, folder: Path, number: int) -> Path:
    """The chart drawn as a PNG in `folder` (created), named by time and answer number."""
    from bot.charts import render

    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"chart-{time.strftime('%Y%m%d-%H%M%S')}-{number}.png"
    path.write_bytes(render(chart))
    return path


def trace_line(answer: Answer, elapsed_ms: float) -> str:
    calls = "; ".join(
        f"{call.tool} {json.dumps(call.args, ensure_ascii=False)}" for call in answer.calls
    )
    return (
        f"  · {answer.mode} · {answer.outcome.value} · {calls or 'no tool'} · {elapsed_ms:.0f} ms"
    )
