"""`advisor web`: the Mini App dashboard alone, for local use (`advisor bot` serves it
too when WEBAPP_URL is set). With --dev, http://127.0.0.1:PORT/dev-login?user=CHAT_ID
signs in as that linked chat without Telegram (only from 127.0.0.1)."""

from __future__ import annotations

import argparse
from typing import Any

from bot.cli._common import add_command


def register(subparsers: Any, help_text: str) -> None:
    parser = add_command(subparsers, "web", _web, help_text)
    parser.add_argument("--host", default=None, help="address to listen on (WEBAPP_LISTEN)")
    parser.add_argument("--port", type=int, default=None, help="port (WEBAPP_PORT)")
    parser.add_argument(
        "--dev",
        action="store_true",
        help="development login: /dev-login?user=CHAT_ID from 127.0.0.1 only (no Telegram)",
    )


def _web(args: argparse.Namespace) -> int:
    from storage.db import make_engine, session_factory, upgrade
    from storage.settings import get_settings
    from tools.prompts import PromptStore
    from web.config import WebSettings
    from web.serve import make_config, server

    settings = get_settings()
    web = WebSettings()
    host = args.host or web.webapp_listen
    port = args.port or web.webapp_port
    engine = make_engine(settings.resolved_database_url)
    try:
        upgrade(engine)
        config = make_config(
            settings,
            web,
            session_factory(engine),
            PromptStore(settings.prompts_dir),
            dev_login=args.dev,
        )
        print(f"dashboard on http://{host}:{port}/")
        if args.dev:
            print(f"  sign in locally: http://127.0.0.1:{port}/dev-login?user=CHAT_ID")
        server(config, host, port).run()
    finally:
        engine.dispose()
    return 0
