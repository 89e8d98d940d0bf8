"""A local OpenAI-compatible chat-completions server, scripted per test.

The real `openai` client and LangChain talk to it over HTTP on 127.0.0.1, so the
model path is tested end to end without a network. Each request pops the next
scripted step:

- `Reply(content="...")`: an assistant message;
- `Reply(tool_calls=[("sales_report", {"start": ..., "end": ...})])`: tool calls;
- `Reply(status=500)`: an HTTP error; `Reply(delay=3.0, ...)`: answer late.

A request with `"stream": true` (LangChain streams when its caller streams the
agent's messages) is answered with server-sent events the way OpenAI sends them:
the content in `Reply.chunks` (default: the whole content at once) with
`chunk_delay` seconds before each, tool calls in one delta, then the finish
reason, a usage chunk when `stream_options.include_usage` asks, and `[DONE]`.

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
    chunks: list[str] = field(default_factory=list)
    """A streamed answer's content in these pieces (their join is the content)."""
    chunk_delay: float = 0.0


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
                if body.get("stream"):
                    self._stream(_completion(body, reply, len(stub.requests)), reply, body)
                    return
                self._send(200, _completion(body, reply, len(stub.requests)))

            def _stream(
                self, completion: dict[str, Any], reply: Reply, body: dict[str, Any]
            ) -> None:
                try:
                    self.send_response(200)
                    self.send_header("Content-Type", "text/event-stream")
                    self.end_headers()
                    for event in _events(completion, reply, body):
                        if event.get("delay"):
                            time.sleep(event.pop("delay"))
                        self.wfile.write(f"data: {json.dumps(event)}\n\n".encode())
                        self.wfile.flush()
                    self.wfile.write(b"data: [DONE]\n\n")
                except (BrokenPipeError, ConnectionResetError):
                    return  # the client gave up

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


def _events(
    completion: dict[str, Any], reply: Reply, body: dict[str, Any]
) -> Iterator[dict[str, Any]]:
    """The completion as `chat.completion.chunk` events (a "delay" key: wait first)."""
    choice = completion["choices"][0]
    head = {key: completion[key] for key in ("id", "created", "model")}
    head["object"] = "chat.completion.chunk"

    def event(delta: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
        return {**head, "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}

    yield event({"role": "assistant", "content": ""})
    pieces = reply.chunks or ([reply.content] if reply.content else [])
    for piece in pieces:
        yield {**event({"content": piece}), "delay": reply.chunk_delay}
    calls = choice["message"].get("tool_calls", [])
    if calls:
        yield event({"tool_calls": [{"index": i, **call} for i, call in enumerate(calls)]})
    yield event({}, choice["finish_reason"])
    if (body.get("stream_options") or {}).get("include_usage"):
        yield {**head, "choices": [], "usage": completion["usage"]}


def running_stub() -> Iterator[OpenAIStub]:
    stub = OpenAIStub().start()
    try:
        yield stub
    finally:
        stub.stop()
