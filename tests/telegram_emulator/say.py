"""Write to the local bot as a Telegram user and print what it answers.

    .venv/bin/python tests/telegram_emulator/say.py CHAT_ID TEXT [--lang ko] [--port 8081]
    .venv/bin/python tests/telegram_emulator/say.py 1 "/link K7QX-M2PA"
    .venv/bin/python tests/telegram_emulator/say.py 1 "오늘 매출 어때?"

CHAT_ID is any number (one chat per number). Prints each new message the bot sends
within --wait seconds: its text (a photo's caption with "[photo]") and its buttons.
Standard library only; talks to the emulator of `local_bot.py` on 127.0.0.1.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import urllib.request
from typing import Any

from local_bot import LOCAL_TOKEN


def _call(port: int, path: str, body: dict[str, Any] | None = None) -> Any:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/_emulator/{LOCAL_TOKEN}{path}",
        data=None if body is None else json.dumps(body).encode(),
        headers={"content-type": "application/json"},
        method="GET" if body is None else "POST",
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())["result"]


def _messages(port: int, chat_id: int) -> list[dict[str, Any]]:
    try:
        return list(_call(port, f"/chats/{chat_id}")["messages"])
    except urllib.error.HTTPError:  # a chat that never wrote
        return []


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("chat_id", type=int)
    parser.add_argument("text")
    parser.add_argument("--lang", default="ko", help="the user's language_code (default ko)")
    parser.add_argument("--port", type=int, default=8081)
    parser.add_argument("--wait", type=float, default=5.0, help="seconds to collect replies")
    args = parser.parse_args()
    seen = len(_messages(args.port, args.chat_id))
    _call(
        args.port,
        "/messages",
        {"chat_id": args.chat_id, "text": args.text, "language_code": args.lang},
    )
    deadline = time.monotonic() + args.wait
    while time.monotonic() < deadline:
        time.sleep(0.3)
        messages = _messages(args.port, args.chat_id)
        for message in messages[seen:]:
            photo = "[photo] " if message.get("photo") or message.get("file") else ""
            print(f"{photo}{message.get('plain_text') or message.get('caption') or ''}")
            keyboard = (message.get("reply_markup") or {}).get("inline_keyboard") or []
            labels = [button["text"] for row in keyboard for button in row]
            if labels:
                print("  buttons: " + " | ".join(labels))
        seen = max(seen, len(messages))
    return 0


if __name__ == "__main__":
    sys.exit(main())
