"""What the advisor hands to a front end (Telegram, terminal, `advisor ask --json`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from storage.models import TurnOutcome

Mode = Literal["offline", "llm", "fallback"]


@dataclass(frozen=True, slots=True)
class ToolCall:
    """One tool run of a turn: the trace operators read and the guard's evidence."""

    tool: str
    args: dict[str, Any]
    result: dict[str, Any]


@dataclass(frozen=True, slots=True)
class Chart:
    """Data for one chart; the front end draws it (bot/charts.py)."""

    kind: Literal["line", "bar", "barh"]
    title: str
    labels: list[str]
    series: dict[str, list[float]]
    y_label: str = ""


@dataclass(frozen=True, slots=True)
class Button:
    """A next step: pressing it runs `tool` with `args` for the same seller."""

    label: str
    tool: str
    args: dict[str, Any]


@dataclass(frozen=True, slots=True)
class Answer:
    text: str
    mode: Mode
    lang: str
    calls: list[ToolCall] = field(default_factory=list)
    chart: Chart | None = None
    buttons: list[Button] = field(default_factory=list)
    candidates: list[Button] = field(default_factory=list)  # "did you mean" choices
    # how the turn ended (tools.advisor's docstring says when each applies)
    outcome: TurnOutcome = TurnOutcome.ANSWERED

    def to_json(self) -> dict[str, Any]:
        return {
            "answer": self.text,
            "mode": "llm" if self.mode == "llm" else "offline",
            "outcome": self.outcome.value,
            "calls": [{"tool": c.tool, "args": c.args, "result": c.result} for c in self.calls],
        }
