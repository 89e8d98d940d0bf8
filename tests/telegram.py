"""Pytest side of the local Telegram Bot API emulator (tests/telegram_emulator/).

The emulator is a Node.js process that speaks the Bot API over HTTP on 127.0.0.1; the real
python-telegram-bot `Application` talks to it through `base_url`/`base_file_url`, so tests see
the bot's real HTTP calls. tests/conftest.py registers this module as a plugin, so its
fixtures are available everywhere:

    from tests.telegram import EmulatorClient, polling

    async def test_hello(telegram: EmulatorClient) -> None:
        application = telegram.application_builder().build()
        application.add_handler(...)
        async with polling(application):
            await telegram.send_user_message(42, "/start", language_code="en")
            (reply,) = await telegram.wait_for_messages(42, 1)
        assert reply.text == "..."

`telegram_emulator` (session scope) runs the process, installing its npm packages first when
tests/telegram_emulator/node_modules is missing, and skips when Node.js or npm is absent.
`telegram` (per test) is an `EmulatorClient` for a fresh bot token, so tests share nothing.
"""

from __future__ import annotations

import json
import secrets
import select
import shutil
import socket
import subprocess
import time
import urllib.request
from collections.abc import AsyncIterator, Iterable, Iterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from telegram.ext import AIORateLimiter, Application, ApplicationBuilder

EMULATOR_DIR = Path(__file__).parent / "telegram_emulator"
START_TIMEOUT_S = 15.0
NPM_TIMEOUT_S = 300.0


class EmulatorError(RuntimeError):
    """The emulator's control API refused a request (bad chat id, missing button, ...)."""


# -- what the bot sent ---------------------------------------------------------------------


@dataclass(frozen=True)
class BotMessage:
    """A message the bot sent, as it stands now (after edits and deletion)."""

    message_id: int
    chat_id: int
    kind: str  # "text", "photo" or "document"
    text: str | None  # as the bot sent it: HTML tags and escapes kept
    caption: str | None  # as the bot sent it
    parse_mode: str | None
    plain_text: str | None  # text or caption as the user sees it (Telegram parsed the HTML)
    reply_markup: dict[str, Any] | None
    reply_to_message_id: int | None
    file: dict[str, Any] | None  # file_id, file_path, file_size, width/height or file_name
    sent_at: float  # emulator clock, seconds since the epoch
    edit_count: int
    deleted: bool
    sequence: int  # the order of the bot's messages and drafts (one count for both)
    raw: dict[str, Any]

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> BotMessage:
        return cls(
            message_id=data["message_id"],
            chat_id=data["chat_id"],
            kind=data["kind"],
            text=data["text"],
            caption=data["caption"],
            parse_mode=data["parse_mode"],
            plain_text=data["plain_text"],
            reply_markup=data["reply_markup"],
            reply_to_message_id=data["reply_to_message_id"],
            file=data["file"],
            sent_at=data["sent_at_ms"] / 1000,
            edit_count=data["edit_count"],
            deleted=data["deleted"],
            sequence=data["sequence"],
            raw=data,
        )

    @property
    def keyboard(self) -> list[list[dict[str, Any]]]:
        """The inline keyboard's rows of buttons (empty without one)."""
        if not self.reply_markup:
            return []
        return list(self.reply_markup.get("inline_keyboard", []))

    @property
    def button_texts(self) -> list[str]:
        return [button["text"] for row in self.keyboard for button in row]

    @property
    def callback_data(self) -> list[str]:
        return [
            button["callback_data"]
            for row in self.keyboard
            for button in row
            if "callback_data" in button
        ]


@dataclass(frozen=True)
class ButtonPress:
    """A press of an inline button by the user and the bot's answer to it."""

    callback_query_id: str
    message_id: int
    data: str
    answered: bool
    answer_text: str | None
    show_alert: bool
    pressed_at: float  # emulator clock, seconds since the epoch
    answered_at: float | None

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ButtonPress:
        return cls(
            callback_query_id=data["callback_query_id"],
            message_id=data["message_id"],
            data=data["data"],
            answered=data["answered"],
            answer_text=data["answer_text"],
            show_alert=data["show_alert"],
            pressed_at=data["pressed_at_ms"] / 1000,
            answered_at=None if data["answered_at_ms"] is None else data["answered_at_ms"] / 1000,
        )


@dataclass(frozen=True)
class Draft:
    """A `sendMessageDraft` call: the partial answer streamed to the chat."""

    draft_id: int
    text: str  # as the bot sent it
    parse_mode: str | None
    plain_text: str  # as the user sees it
    sent_at: float  # emulator clock, seconds since the epoch
    sequence: int  # the order of the bot's messages and drafts (one count for both)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Draft:
        return cls(
            draft_id=data["draft_id"],
            text=data["text"],
            parse_mode=data["parse_mode"],
            plain_text=data["plain_text"],
            sent_at=data["sent_at_ms"] / 1000,
            sequence=data["sequence"],
        )


@dataclass(frozen=True)
class ChatLog:
    """Everything in one private chat, from the bot's side."""

    chat_id: int
    user: dict[str, Any]
    blocked: bool
    messages: list[BotMessage]  # in the order sent, deleted ones included (flagged)
    actions: list[str]  # chat actions in order: "typing", "upload_photo", ...
    presses: list[ButtonPress]
    drafts: list[Draft]  # sendMessageDraft calls in order

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ChatLog:
        return cls(
            chat_id=data["chat"]["id"],
            user=data["user"],
            blocked=data["blocked"],
            messages=[BotMessage.from_json(m) for m in data["messages"]],
            actions=[a["action"] for a in data["actions"]],
            presses=[ButtonPress.from_json(p) for p in data["callbacks"]],
            drafts=[Draft.from_json(d) for d in data["drafts"]],
        )


@dataclass(frozen=True)
class CommandSet:
    """A `set_my_commands` call: its scope, language and commands (name -> description)."""

    scope: dict[str, Any]
    language_code: str
    commands: dict[str, str]


# -- the client ----------------------------------------------------------------------------


@dataclass(frozen=True)
class TelegramEmulator:
    """A running emulator: where the Bot API and its files are served."""

    url: str  # http://127.0.0.1:PORT

    @property
    def base_url(self) -> str:
        """For `ApplicationBuilder().base_url(...)`: the token is appended after it."""
        return f"{self.url}/bot"

    @property
    def base_file_url(self) -> str:
        """For `ApplicationBuilder().base_file_url(...)`."""
        return f"{self.url}/file/bot"

    @staticmethod
    def new_token() -> str:
        """A well-formed bot token nobody else uses (the part before ':' is the bot id)."""
        return f"{secrets.randbelow(9 * 10**9) + 10**9}:{secrets.token_urlsafe(27)}"

    def client(self, token: str | None = None) -> EmulatorClient:
        return EmulatorClient(self, token or self.new_token())


class EmulatorClient:
    """The test's view of one bot on the emulator: play its users and read what it did.

    Users live in private chats whose id is the user id. A chat exists once its user wrote
    (or `add_chats` registered it); sending to an unknown chat answers "chat not found".
    """

    def __init__(self, emulator: TelegramEmulator, token: str) -> None:
        self.emulator = emulator
        self.token = token
        self.bot_id = int(token.split(":", 1)[0])
        self.base_url = emulator.base_url
        self.base_file_url = emulator.base_file_url
        # Plain HTTP to 127.0.0.1: verify=False only skips building a TLS context (~0.1 s).
        self._http = httpx.AsyncClient(
            base_url=f"{emulator.url}/_emulator/{token}", timeout=70.0, verify=False
        )

    async def aclose(self) -> None:
        """Forgets this bot on the emulator and closes the connection."""
        await self._http.delete("")
        await self._http.aclose()

    def application_builder(
        self, *, rate_limiter: AIORateLimiter | bool = False
    ) -> ApplicationBuilder[Any, Any, Any, Any, Any, Any]:
        """An `ApplicationBuilder` for this bot pointed at the emulator; add handlers and build.

        `rate_limiter=True` adds `AIORateLimiter()` (or pass one configured your way).
        """
        builder: ApplicationBuilder[Any, Any, Any, Any, Any, Any] = (
            ApplicationBuilder()
            .token(self.token)
            .base_url(self.base_url)
            .base_file_url(self.base_file_url)
        )
        if rate_limiter is True:
            builder = builder.rate_limiter(AIORateLimiter())
        elif isinstance(rate_limiter, AIORateLimiter):
            builder = builder.rate_limiter(rate_limiter)
        return builder

    async def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        response = await self._http.request(method, path, **kwargs)
        body = response.json()
        if not body.get("ok"):
            raise EmulatorError(f"{method} {path}: {body.get('description')}")
        return body["result"]

    # users act

    async def send_user_message(
        self,
        chat_id: int,
        text: str,
        *,
        language_code: str | None = "ko",
        first_name: str | None = None,
        username: str | None = None,
        reply_to_message_id: int | None = None,
        forward_sender_name: str | None = None,
    ) -> dict[str, Any]:
        """The user of private chat `chat_id` writes `text` (commands get their entities),
        or forwards it from `forward_sender_name`.

        `language_code` is the user's Telegram app language; None keeps the last one. Writing
        unblocks a chat that had blocked the bot. Returns the Update queued for the bot.
        """
        body: dict[str, Any] = {"chat_id": chat_id, "text": text}
        optional = {
            "language_code": language_code,
            "first_name": first_name,
            "username": username,
            "reply_to_message_id": reply_to_message_id,
            "forward_sender_name": forward_sender_name,
        }
        body.update({key: value for key, value in optional.items() if value is not None})
        update: dict[str, Any] = await self._call("POST", "/messages", json=body)
        return update

    async def press_button(
        self, chat_id: int, message_id: int, data: str, *, language_code: str | None = None
    ) -> str:
        """The user presses the button with callback_data `data` under the bot's message.

        Fails (EmulatorError) when the message has no such button. Returns the query id.
        """
        body: dict[str, Any] = {"chat_id": chat_id, "message_id": message_id, "data": data}
        if language_code is not None:
            body["language_code"] = language_code
        update = await self._call("POST", "/callbacks", json=body)
        query_id: str = update["callback_query"]["id"]
        return query_id

    async def add_chats(self, chat_ids: Iterable[int], *, language_code: str = "ko") -> None:
        """Makes these users known to the bot without writing (say, sellers linked earlier)."""
        chats = [{"chat_id": chat_id, "language_code": language_code} for chat_id in chat_ids]
        await self._call("POST", "/chats", json={"chats": chats})

    # Telegram Business (tests/telegram_emulator/lib/business.js)

    async def connect_business(
        self,
        connection_id: str,
        owner_id: int,
        *,
        can_reply: bool = True,
        is_enabled: bool = True,
        language_code: str | None = "ko",
    ) -> dict[str, Any]:
        """The business account of `owner_id` connects the bot (or changes its rights, or
        disconnects with `is_enabled=False`): a `business_connection` update."""
        body: dict[str, Any] = {
            "id": connection_id,
            "user_id": owner_id,
            "user_chat_id": owner_id,
            "can_reply": can_reply,
            "is_enabled": is_enabled,
        }
        if language_code is not None:
            body["language_code"] = language_code
        update: dict[str, Any] = await self._call("POST", "/business_connections", json=body)
        return update

    async def send_business_message(
        self,
        connection_id: str,
        customer_id: int,
        text: str,
        *,
        first_name: str | None = None,
        from_owner: bool = False,
        age: float = 0.0,
    ) -> dict[str, Any]:
        """Customer `customer_id` writes to the business account (or its owner writes in
        that chat, `from_owner`), `age` seconds ago: a `business_message` update."""
        body: dict[str, Any] = {
            "connection_id": connection_id,
            "chat_id": customer_id,
            "text": text,
            "from_owner": from_owner,
            "age_s": age,
        }
        if first_name is not None:
            body["first_name"] = first_name
        update: dict[str, Any] = await self._call("POST", "/business_messages", json=body)
        return update

    async def business_replies(self, connection_id: str, customer_id: int) -> list[str]:
        """The texts the bot sent in that business chat, in order."""
        log = await self._call("GET", f"/business_chats/{connection_id}/{customer_id}")
        return [message["text"] for message in log["bot_messages"]]

    # what the bot did

    async def chat(self, chat_id: int) -> ChatLog:
        return ChatLog.from_json(await self._call("GET", f"/chats/{chat_id}"))

    async def messages(self, chat_id: int) -> list[BotMessage]:
        return (await self.chat(chat_id)).messages

    async def wait_for(
        self,
        chat_id: int,
        *,
        messages: int = 0,
        actions: int = 0,
        answers: int = 0,
        edits: int = 0,
        drafts: int = 0,
        within: float = 5.0,
    ) -> ChatLog:
        """Waits until the bot sent at least `messages` messages to the chat (in all), made
        `actions` chat actions, answered `answers` button presses, made `edits` edits and
        streamed `drafts` drafts.

        Raises AssertionError showing the chat as it stands when that takes over `within` s.
        """
        params = {
            "messages": messages,
            "actions": actions,
            "answers": answers,
            "edits": edits,
            "drafts": drafts,
            "timeout": within,
        }
        response = await self._http.get(f"/chats/{chat_id}/wait", params=params)
        body = response.json()
        if response.status_code == 408:
            log = json.dumps(body["result"], ensure_ascii=False, indent=1)
            raise AssertionError(f"{body['description']}; chat {chat_id} now: {log}")
        if not body.get("ok"):
            raise EmulatorError(f"wait on chat {chat_id}: {body.get('description')}")
        return ChatLog.from_json(body["result"])

    async def wait_for_messages(
        self, chat_id: int, count: int, within: float = 5.0
    ) -> list[BotMessage]:
        """The chat's bot messages, once there are at least `count` of them."""
        return (await self.wait_for(chat_id, messages=count, within=within)).messages

    async def all_messages(self) -> list[BotMessage]:
        """Every message the bot sent, in all chats, in the order sent."""
        return [BotMessage.from_json(m) for m in await self._call("GET", "/messages")]

    async def commands(self) -> list[CommandSet]:
        """The bot's `set_my_commands` registrations, one per scope and language."""
        return [
            CommandSet(
                scope=entry["scope"],
                language_code=entry["language_code"],
                commands={c["command"]: c["description"] for c in entry["commands"]},
            )
            for entry in await self._call("GET", "/commands")
        ]

    async def menu_buttons(self) -> list[tuple[int | None, dict[str, Any]]]:
        """The bot's `set_chat_menu_button` calls in order: (chat id or None for the
        default, the MenuButton as sent)."""
        return [
            (entry["chat_id"], entry["menu_button"])
            for entry in await self._call("GET", "/menu_buttons")
        ]

    async def download(self, file_id: str) -> bytes:
        """A file the bot sent, fetched like a bot would: getFile, then base_file_url."""
        response = await self._http.get(
            f"{self.base_url}{self.token}/getFile", params={"file_id": file_id}
        )
        body = response.json()
        if not body.get("ok"):
            raise EmulatorError(f"getFile {file_id}: {body.get('description')}")
        content = await self._http.get(
            f"{self.base_file_url}{self.token}/{body['result']['file_path']}"
        )
        content.raise_for_status()
        return content.content

    async def stats(self) -> dict[str, Any]:
        """Bot API calls by method, messages sent, chats, pending updates, webhook state."""
        result: dict[str, Any] = await self._call("GET", "/stats")
        return result

    # the tests steer

    async def block(self, chat_id: int, blocked: bool = True) -> None:
        """The user blocks (or unblocks) the bot: sends and edits to the chat answer 403
        "Forbidden: bot was blocked by the user" until unblocked or the user writes again."""
        await self._call("POST", f"/chats/{chat_id}/blocked", json={"blocked": blocked})

    async def fail_next(
        self,
        *,
        error_code: int = 429,
        retry_after: int = 1,
        count: int = 1,
        chat_id: int | None = None,
        methods: Sequence[str] | None = None,
        description: str | None = None,
    ) -> None:
        """The next `count` matching calls fail with `error_code` (429: "Too Many Requests:
        retry after N" with `retry_after`). Matching: `methods` (default: any send*/edit*
        method but sendMessageDraft) and, when given, `chat_id`."""
        body: dict[str, Any] = {
            "error_code": error_code,
            "count": count,
            "retry_after": retry_after,
        }
        if chat_id is not None:
            body["chat_id"] = chat_id
        if methods is not None:
            body["methods"] = list(methods)
        if description is not None:
            body["description"] = description
        await self._call("POST", "/failures", json=body)

    async def delay_next(
        self,
        seconds: float,
        *,
        count: int = 1,
        chat_id: int | None = None,
        methods: Sequence[str] | None = None,
    ) -> None:
        """The next `count` matching calls take effect (a message is recorded as sent)
        but are answered only after `seconds`: a bot whose read timeout is shorter gives
        up not knowing the message arrived. Matching as in `fail_next`."""
        body: dict[str, Any] = {"delay_ms": round(seconds * 1000), "count": count}
        if chat_id is not None:
            body["chat_id"] = chat_id
        if methods is not None:
            body["methods"] = list(methods)
        await self._call("POST", "/delays", json=body)

    async def flood_limit(self, seconds: float | None, *, slack: float = 0.1) -> None:
        """Telegram's per-chat flood limit: a send to a chat sooner than `seconds - slack`
        after the last one is refused with 429 and counted in `stats()["flood_refusals"]`;
        None turns it off."""
        body = {} if seconds is None else {"interval_ms": round(seconds * 1000)}
        if seconds is not None:
            body["slack_ms"] = round(slack * 1000)
        await self._call("POST", "/flood", json=body)


# -- running an Application against it -----------------------------------------------------


@asynccontextmanager
async def polling(
    application: Application[Any, Any, Any, Any, Any, Any],
    *,
    poll_interval: float = 0.0,
    long_poll_timeout: int = 10,
) -> AsyncIterator[Application[Any, Any, Any, Any, Any, Any]]:
    """Runs `application` with long polling for the duration of the block, in the order
    `run_polling` uses (initialize, post_init, start polling, start; then stop polling, stop,
    post_stop, shutdown, post_shutdown) but inside the test's event loop. The emulator honours
    getUpdates' `timeout` (`long_poll_timeout`), so an idle bot holds one request open instead of busy-looping."""
    updater = application.updater
    assert updater is not None, "build the Application with an Updater"
    await application.initialize()
    try:
        if application.post_init:
            await application.post_init(application)
        await updater.start_polling(poll_interval=poll_interval, timeout=long_poll_timeout)
        await application.start()
        try:
            yield application
        finally:
            if updater.running:
                await updater.stop()
            if application.running:
                await application.stop()
                if application.post_stop:
                    await application.post_stop(application)
    finally:
        await application.shutdown()
        if application.post_shutdown:
            await application.post_shutdown(application)


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now (for a webhook listener)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


# -- the process ---------------------------------------------------------------------------


def _tools() -> tuple[str, str]:
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        pytest.skip(
            "Node.js and npm are needed to run the Telegram Bot API emulator (tests/telegram_emulator)"
        )
    return node, npm


def install_packages(npm: str) -> None:
    """`npm ci` in tests/telegram_emulator unless node_modules matches package-lock.json."""
    lock = EMULATOR_DIR / "package-lock.json"
    installed = EMULATOR_DIR / "node_modules" / ".package-lock.json"
    if installed.exists() and installed.stat().st_mtime >= lock.stat().st_mtime:
        return
    command = [npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"]
    result = subprocess.run(
        command,
        cwd=EMULATOR_DIR,
        capture_output=True,
        text=True,
        timeout=NPM_TIMEOUT_S,
        check=False,
    )
    if result.returncode != 0:
        pytest.fail(
            f"{' '.join(command[1:])} failed in {EMULATOR_DIR}:\n{result.stdout}\n{result.stderr}"
        )


def _read_address(process: subprocess.Popen[bytes], log_path: Path) -> str:
    assert process.stdout is not None
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        ready, _, _ = select.select([process.stdout], [], [], 0.1)
        if ready:
            line = process.stdout.readline()
            if line:
                url: str = json.loads(line)["url"]
                return url
        if process.poll() is not None:
            break
    process.kill()
    raise RuntimeError(f"the Telegram emulator did not start; its log:\n{log_path.read_text()}")


@dataclass
class EmulatorProcess:
    """The Node process; it exits when its stdin closes, so it cannot outlive the tests."""

    process: subprocess.Popen[bytes]
    emulator: TelegramEmulator
    log_path: Path

    @classmethod
    def start(cls, log_path: Path) -> EmulatorProcess:
        node, npm = _tools()
        install_packages(npm)
        command = [node, "server.js", "--host", "127.0.0.1", "--port", "0", "--exit-with-stdin"]
        with log_path.open("wb") as log:
            process = subprocess.Popen(
                command, cwd=EMULATOR_DIR, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=log
            )
        url = _read_address(process, log_path)
        with urllib.request.urlopen(f"{url}/_emulator/health", timeout=5) as response:
            assert json.load(response)["ok"]
        return cls(process=process, emulator=TelegramEmulator(url), log_path=log_path)

    def stop(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.close()
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        if self.process.stdout is not None:
            self.process.stdout.close()


# -- fixtures ------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def telegram_emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TelegramEmulator]:
    """The emulator process for the whole test session (its stderr: a file in the tmp dir)."""
    running = EmulatorProcess.start(tmp_path_factory.mktemp("telegram") / "emulator.log")
    try:
        yield running.emulator
    finally:
        running.stop()


@pytest.fixture
async def telegram(telegram_emulator: TelegramEmulator) -> AsyncIterator[EmulatorClient]:
    """An `EmulatorClient` for a fresh bot token (nothing shared with other tests)."""
    client = telegram_emulator.client()
    try:
        yield client
    finally:
        await client.aclose()


__all__ = [
    "BotMessage",
    "ButtonPress",
    "ChatLog",
    "CommandSet",
    "Draft",
    "EmulatorClient",
    "EmulatorError",
    "EmulatorProcess",
    "TelegramEmulator",
    "free_port",
    "install_packages",
    "polling",
    "telegram",
    "telegram_emulator",
]
