"""A local OpenAI-compatible embeddings server (POST /v1/embeddings on 127.0.0.1),
the process edge for the tests of remote embeddings.

    server = EmbeddingsStub(lambda text: [3.0, 4.0, float(len(text))])
    Settings(openai_base_url=server.base_url, embedding="openai", ...)
    server.failing = True        # 500 from now on
    server.requests[-1].status, .path, .body
    server.close()

Rows come back in reverse order: a client must sort them by index, as OpenAI's
documentation asks.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass(frozen=True)
class EmbeddingsRequest:
    status: int
    path: str
    body: dict[str, Any]


class EmbeddingsStub:
    def __init__(self, embed: Callable[[str], Sequence[float]]) -> None:
        self.failing = False
        self.requests: list[EmbeddingsRequest] = []
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *_args: Any) -> None:
                return

            def do_POST(self) -> None:  # noqa: N802 - http.server naming
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                status = 500 if stub.failing else 200
                stub.requests.append(EmbeddingsRequest(status, self.path, body))
                if status == 500:
                    payload: dict[str, Any] = {"error": {"message": "down", "type": "server"}}
                else:
                    texts = body["input"] if isinstance(body["input"], list) else [body["input"]]
                    rows = [
                        {
                            "object": "embedding",
                            "index": i,
                            "embedding": [float(x) for x in embed(t)],
                        }
                        for i, t in enumerate(texts)
                    ]
                    payload = {"object": "list", "data": rows[::-1], "model": body["model"],
                               "usage": {"prompt_tokens": 1, "total_tokens": 1}}  # fmt: skip
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def base_url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host!s}:{port}/v1"

    def failed(self) -> int:
        return sum(1 for request in self.requests if request.status == 500)

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
