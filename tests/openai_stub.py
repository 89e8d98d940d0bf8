"""A local OpenAI-compatible chat-completions server, scripted per test.

The real `openai` client and LangChain talk to it over HTTP on 127.0.0.1, so the
model path is tested end to end without a network. Each request pops the next
scripted step:

- `Reply(content="...")`: an assistant message;
- `Reply(tool_calls=[("sales_report", {"start": ..., "end": ...})])`: tool calls;
- `Reply(status=500)`: an HTTP error; `Reply(delay=3.0, ...)`: answer late.

Every request body is kept in `requests` for assertions.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

# The agent's import (LangChain, seconds on a cold start) counts against a turn's
# deadline (issue 13); tests using the stub load it up front so their timeouts
# are about the model's replies.
import tools.agent  # noqa: F401


@dataclass
class Reply:
    content: str | None = None
    tool_calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    status: int = 200
    delay: float = 0.0


class OpenAIStub:
    def __init__(self) -> None:
        self.script: list[Reply] = []
        self.requests: list[dict[str, Any]] = []
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}/v1"

    def start(self) -> OpenAIStub:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def queue(self, *replies: Reply) -> None:
        with self._lock:
            self.script.extend(replies)

    def _next(self, body: dict[str, Any]) -> Reply:
        with self._lock:
            self.requests.append(body)
            if not self.script:
                return Reply(status=500, content="stub script exhausted")
            return self.script.pop(0)

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *_args: Any) -> None:
                return

            def do_POST(self) -> None:  # noqa: N802 - http.server naming
                length = int(self.headers.get("Content-Length", "0"))
                body = json.loads(self.rfile.read(length) or b"{}")
                reply = stub._next(body)
                if reply.delay:
                    time.sleep(reply.delay)
                if reply.status != 200:
                    payload = {
                        "error": {"message": reply.content or "error", "type": "server_error"}
                    }
                    self._send(reply.status, payload)
                    return
                self._send(200, _completion(body, reply, len(stub.requests)))

            def _send(self, status: int, payload: dict[str, Any]) -> None:
                data = json.dumps(payload).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    return  # the client gave up (a timeout test)

        return Handler


def _completion(body: dict[str, Any], reply: Reply, number: int) -> dict[str, Any]:
    message: dict[str, Any] = {"role": "assistant", "content": reply.content}
    if reply.tool_calls:
        message["tool_calls"] = [
            {
                "id": f"call_{number}_{index}",
                "type": "function",
                "function": {"name": name, "arguments": json.dumps(args, ensure_ascii=False)},
            }
            for index, (name, args) in enumerate(reply.tool_calls)
        ]
    prompt_chars = len(json.dumps(body.get("messages", []), ensure_ascii=False)) + len(
        json.dumps(body.get("tools", []), ensure_ascii=False)
    )
    return {
        "id": f"chatcmpl-{number}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": body.get("model", "stub"),
        "choices": [
            {
                "index": 0,
                "message": message,
                "finish_reason": "tool_calls" if reply.tool_calls else "stop",
            }
        ],
        "usage": {
            "prompt_tokens": prompt_chars // 4,
            "completion_tokens": 10,
            "total_tokens": prompt_chars // 4 + 10,
        },
    }


def running_stub() -> Iterator[OpenAIStub]:
    stub = OpenAIStub().start()
    try:
        yield stub
    finally:
        stub.stop()
