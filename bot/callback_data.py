"""Inline buttons: what a press does, packed into Telegram's 64-byte callback_data.

A press carries everything it needs, so a button still works after a restart
(nothing is looked up in memory or in the database): an action, the tool and its
arguments in a compact form (the tool's code and each argument's `ButtonCode`
come from the catalogue, tools.catalog), e.g. ``c1|tp|s=20261103&e=20261109&l=5`` (show the
chart of the top-5 products of Nov 3-9). The seller is never in the payload: it
is bound from the chat that pressed.

A payload that cannot fit (a long search keyword) is kept in this process's
memory under a short id; after a restart such a button answers that it expired,
as does a payload of an older format.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any, Literal
from urllib.parse import unquote

from tools.catalog import CATALOG, ButtonCode, by_code

CALLBACK_LIMIT = 64  # bytes
VERSION = "1"

Action = Literal["run", "chart", "lang"]
_ACTIONS: dict[str, Action] = {"r": "run", "c": "chart", "l": "lang"}
_ACTION_CODES = {action: code for code, action in _ACTIONS.items()}

# a switch-period button names the period; the advisor resolves it when pressed
_PERIOD = ButtonCode("P", {"today": "t", "yesterday": "y", "last_week": "w", "last_month": "m"})


_ARGS: dict[str, ButtonCode] = {"period": _PERIOD}  # argument name -> its code
_DATE_ARGS: set[str] = set()
_INT_ARGS: set[str] = set()
for _tool in CATALOG.values():
    _ARGS.update(_tool.button_codes())
    for _name, _field in _tool.schema.model_fields.items():
        if _field.annotation is dt.date:
            _DATE_ARGS.add(_name)
        elif _field.annotation in (int, int | None):
            _INT_ARGS.add(_name)
_KEYS = {code.key: (name, code.values) for name, code in _ARGS.items()}


class ExpiredButton(ValueError):
    """The button's payload is unknown here (older format, or kept in memory before a
    restart): the user is told it expired."""


@dataclass(frozen=True, slots=True)
class Press:
    """What a button does: `action` on `tool` with `args`; `value` is the choice of a
    `lang` button."""

    action: Action
    tool: str = ""
    args: dict[str, Any] = field(default_factory=dict)
    value: str = ""


def _quote(value: str) -> str:
    return value.replace("%", "%25").replace("&", "%26").replace("=", "%3D").replace("|", "%7C")


def _encode_args(args: dict[str, Any]) -> str | None:
    parts = []
    for name, value in args.items():
        if value is None:
            continue
        if name not in _ARGS:
            return None
        key, codes = _ARGS[name].key, _ARGS[name].values
        if codes:
            if value not in codes:
                return None
            text = codes[value]
        elif name in _DATE_ARGS:
            text = dt.date.fromisoformat(str(value)).strftime("%Y%m%d")
        else:
            text = _quote(str(value))
        parts.append(f"{key}={text}")
    return "&".join(parts)


def _decode_args(text: str) -> dict[str, Any]:
    args: dict[str, Any] = {}
    if not text:
        return args
    for part in text.split("&"):
        key, _, raw = part.partition("=")
        if key not in _KEYS:
            raise ExpiredButton(f"unknown argument {key!r}")
        name, codes = _KEYS[key]
        value = unquote(raw)
        if codes:
            reverse = {code: full for full, code in codes.items()}
            if value not in reverse:
                raise ExpiredButton(f"unknown value {value!r} for {name}")
            args[name] = reverse[value]
        elif name in _DATE_ARGS:
            args[name] = dt.datetime.strptime(value, "%Y%m%d").date().isoformat()  # noqa: DTZ007
        elif name in _INT_ARGS:
            args[name] = int(value)
        else:
            args[name] = value
    return args


class ButtonCodec:
    """Packs presses into callback_data; keeps the few that do not fit in memory
    (the most recent `memory` of them)."""

    def __init__(self, memory: int = 10_000) -> None:
        self._kept: OrderedDict[str, Press] = OrderedDict()
        self._memory = memory

    def encode(self, press: Press) -> str:
        data = self._pack(press)
        if data is not None and len(data.encode()) <= CALLBACK_LIMIT:
            return data
        token = secrets.token_urlsafe(9)
        self._kept[token] = press
        while len(self._kept) > self._memory:
            self._kept.popitem(last=False)
        return f"m{VERSION}|{token}"

    def decode(self, data: str) -> Press:
        head, _, rest = data.partition("|")
        if len(head) != 2 or head[1] != VERSION:
            raise ExpiredButton(f"unknown format {head!r}")
        if head[0] == "m":
            press = self._kept.get(rest)
            if press is None:
                raise ExpiredButton("payload kept in memory before a restart")
            return press
        action = _ACTIONS.get(head[0])
        if action is None:
            raise ExpiredButton(f"unknown action {head[0]!r}")
        if action == "lang":
            return Press("lang", value=rest)
        tool_code, _, query = rest.partition("|")
        tool = by_code(tool_code)
        if tool is None:
            raise ExpiredButton(f"unknown tool {tool_code!r}")
        return Press(action, tool.name, _decode_args(query))

    def _pack(self, press: Press) -> str | None:
        code = _ACTION_CODES[press.action]
        if press.action == "lang":
            return f"{code}{VERSION}|{press.value}"
        tool = CATALOG.get(press.tool)
        if tool is None:
            return None
        encoded = _encode_args(press.args)
        if encoded is None:
            return None
        return f"{code}{VERSION}|{tool.code}|{encoded}"
