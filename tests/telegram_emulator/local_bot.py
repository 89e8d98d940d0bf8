"""`make bot-local`: the whole bot without a token, against this emulator.

    .venv/bin/python tests/telegram_emulator/local_bot.py [--port 8081]

Starts the emulator on 127.0.0.1, then `advisor bot` (long polling) pointed at it
with the token LOCAL_TOKEN, using the database of `.env` (the demo store after
`make demo`). Talk to it from another terminal with `say.py`; Ctrl-C stops both.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
LOCAL_TOKEN = "1000001:local"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8081)
    args = parser.parse_args()
    emulator = subprocess.Popen(
        ["node", str(HERE / "server.js"), "--port", str(args.port), "--exit-with-stdin"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert emulator.stdout is not None
        url = json.loads(emulator.stdout.readline())["url"]
        print(f"emulator at {url}; bot token {LOCAL_TOKEN}")
        print(f"talk to it: .venv/bin/python {HERE.relative_to(ROOT)}/say.py 1 '/start'")
        env = {
            **os.environ,
            "TELEGRAM_BOT_TOKEN": LOCAL_TOKEN,
            "TELEGRAM_BASE_URL": f"{url}/bot",
            "TELEGRAM_BASE_FILE_URL": f"{url}/file/bot",
        }
        advisor = Path(sys.executable).with_name("advisor")
        return subprocess.call([str(advisor), "bot"], env=env)
    except KeyboardInterrupt:
        return 130
    finally:
        emulator.terminate()
        emulator.wait(timeout=5)


if __name__ == "__main__":
    sys.exit(main())
