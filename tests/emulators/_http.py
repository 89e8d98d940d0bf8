"""A JSON HTTP emulator in a background thread on 127.0.0.1 (standard library only).

    class Api(Emulator):
        def handle(self, request: Request) -> Response:
            if request.path == "/v1/things":
                return Response(200, {"things": []})
            return Response(404, {"code": "NOT_FOUND"})

    with serve(Api()) as api:      # api.url == "http://127.0.0.1:PORT"
        ...                        # api.requests: every Request received, in order

`handle` runs on the server's threads, one request at a time (a lock), so an
emulator's state needs no locking of its own.
"""

from __future__ import annotations

import json
import threading
import urllib.parse
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass(frozen=True)
class Request:
    method: str
    path: str  # without the query string
    query: dict[str, list[str]]
    headers: Mapping[str, str]  # lower-cased names
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body or b"null")

    def form(self) -> dict[str, str]:
        return {k: v[-1] for k, v in urllib.parse.parse_qs(self.body.decode()).items()}

    def arg(self, name: str, default: str | None = None) -> str | None:
        values = self.query.get(name)
        return values[-1] if values else default


@dataclass
class Response:
    status: int
    body: Any = None  # JSON-able, or bytes sent as they are
    headers: dict[str, str] = field(default_factory=dict)


class Emulator:
    """Subclass and implement `handle`."""

    url: str = ""

    def __init__(self) -> None:
        self.requests: list[Request] = []
        self._lock = threading.Lock()

    def handle(self, request: Request) -> Response:
        raise NotImplementedError

    def _dispatch(self, request: Request) -> Response:
        with self._lock:
            self.requests.append(request)
            return self.handle(request)


def _handler(emulator: Emulator) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True  # no 40 ms wait between headers and body

        def _serve(self) -> None:
            parts = urllib.parse.urlsplit(self.path)
            length = int(self.headers.get("content-length") or 0)
            request = Request(
                method=self.command,
                path=parts.path,
                query=urllib.parse.parse_qs(parts.query),
                headers={k.lower(): v for k, v in self.headers.items()},
                body=self.rfile.read(length) if length else b"",
            )
            response = emulator._dispatch(request)
            if isinstance(response.body, bytes):
                payload, kind = response.body, "application/octet-stream"
            else:
                payload, kind = json.dumps(response.body).encode(), "application/json"
            self.send_response(response.status)
            headers = {"content-type": kind, **response.headers}
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("content-length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        do_GET = do_POST = do_PUT = do_DELETE = _serve

        def log_message(self, format: str, *args: Any) -> None:  # quiet
            return

    return Handler


@contextmanager
def serve(emulator: Emulator) -> Iterator[Emulator]:
    """Run `emulator` on 127.0.0.1 (a free port) until the block ends."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(emulator))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, name="emulator", daemon=True)
    thread.start()
    emulator.url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield emulator
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
