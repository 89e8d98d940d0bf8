"""Prompt tokens of a chat-completions request, counted with OpenAI's o200k_base
encoding (tiktoken), offline.

tiktoken downloads o200k_base.tiktoken on first use, which this machine cannot do;
the bpe-openai wheel ships the same file (gzipped). It is written once into a
cache directory under the name tiktoken looks for, and tiktoken checks its
sha256 against the hash it expects, so the ranks are OpenAI's own.

A request counts as OpenAI's cookbook counts chat messages (3 tokens per message
for its framing, its role, content and tool calls, 3 priming the reply) plus the
tool definitions as their JSON text without whitespace (the server renders them
into the prompt in a form of about that size).
"""

from __future__ import annotations

import functools
import gzip
import hashlib
import importlib.util
import json
import os
import tempfile
from pathlib import Path
from typing import Any

import tiktoken

O200K_URL = "https://openaipublic.blob.core.windows.net/encodings/o200k_base.tiktoken"
PER_MESSAGE = 3
REPLY_PRIMING = 3


@functools.cache
def o200k() -> tiktoken.Encoding:
    cache = Path(os.environ.setdefault("TIKTOKEN_CACHE_DIR", _default_cache()))
    target = cache / hashlib.sha1(O200K_URL.encode()).hexdigest()
    if not target.exists():
        spec = importlib.util.find_spec("bpe_openai")
        if spec is None or not spec.submodule_search_locations:
            raise RuntimeError("bpe-openai (a dev dependency) ships o200k_base; install .[dev]")
        shipped = Path(spec.submodule_search_locations[0]) / "data" / "o200k_base.tiktoken.gz"
        cache.mkdir(parents=True, exist_ok=True)
        partial = target.with_suffix(f".{os.getpid()}")
        partial.write_bytes(gzip.decompress(shipped.read_bytes()))
        partial.replace(target)
    return tiktoken.get_encoding("o200k_base")  # checks the file's sha256


def _default_cache() -> str:
    return str(Path(tempfile.gettempdir()) / "store-advisor-tiktoken")


def count(text: str) -> int:
    return len(o200k().encode(text, disallowed_special=()))


def message_tokens(message: dict[str, Any]) -> int:
    tokens = PER_MESSAGE + count(str(message.get("role", "")))
    content = message.get("content")
    if isinstance(content, str):
        tokens += count(content)
    elif isinstance(content, list):
        tokens += sum(count(str(part.get("text", ""))) for part in content)
    for call in message.get("tool_calls") or []:
        function = call.get("function", {})
        tokens += count(str(function.get("name", ""))) + count(str(function.get("arguments", "")))
    return tokens


def tools_tokens(body: dict[str, Any]) -> int:
    tools = body.get("tools")
    return count(json.dumps(tools, ensure_ascii=False, separators=(",", ":"))) if tools else 0


def request_tokens(body: dict[str, Any]) -> int:
    """The prompt tokens of one chat-completions request body."""
    messages = body.get("messages", [])
    return sum(message_tokens(m) for m in messages) + tools_tokens(body) + REPLY_PRIMING
