"""Which tools the model is offered for a question, and their compact schemas (issue 15).

Every tool's schema on every request was most of a one-tool question's prompt, so a
turn offers only the plausible tools:

- the offline router's pick for the question (follow-ups and named products included);
- the intent classifier's best few (tools.router.ranked_tools), more when the router
  placed nothing;
- the previous turn's tool ("그럼 지난달은?" leans on it);
- the natural next step of a listing (product_report after top_products or
  stock_report: "the best seller, in detail").

The tools the agent can run are still all the enabled ones: a call to a tool that
was not offered runs as well (the offer shapes the prompt, not what is allowed).

A schema is the contract's JSON schema without what the model does not need: titles,
`additionalProperties`, string length bounds, null alternatives and null defaults,
and the description of a date field (its "format": "date" and the system prompt say
how to write it). No LangChain here: the advisor imports this on every model turn.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

PLAUSIBLE = 3  # the classifier's best tools offered beside the router's pick
UNPLACED = 5  # ...when the router placed no tool
LEADS_TO = {"top_products": ("product_report",), "stock_report": ("product_report",)}
_DROPPED = frozenset({"title", "additionalProperties", "maxLength", "minLength"})


def offered(
    routed: str | None,
    previous: str | None,
    ranked: Sequence[str],
    enabled: Iterable[str],
) -> list[str]:
    """The tools offered, in `enabled` order: `routed` (the router's pick), `previous`
    (the last turn's tool) and the first of `ranked` (the classifier's order), with
    what a listing leads to; only enabled ones."""
    chosen = set(ranked[: PLAUSIBLE if routed else UNPLACED])
    chosen.update(name for name in (routed, previous) if name)
    for name in list(chosen):
        chosen.update(LEADS_TO.get(name, ()))
    return [name for name in enabled if name in chosen]


def next_steps(called: Iterable[str]) -> list[str]:
    """The tools a request after the results of `called` offers: where they lead."""
    steps = {step for name in called for step in LEADS_TO.get(name, ())}
    return sorted(steps)


def compact_schema(schema: dict[str, Any]) -> dict[str, Any]:
    """The parameters schema a model reads (see the module docstring)."""
    properties = {
        name: _compact_property(prop) for name, prop in schema.get("properties", {}).items()
    }
    compact: dict[str, Any] = {"type": "object", "properties": properties}
    if schema.get("required"):
        compact["required"] = list(schema["required"])
    return compact


def _compact_property(prop: dict[str, Any]) -> dict[str, Any]:
    options = [o for o in prop.get("anyOf", []) if o.get("type") != "null"]
    if len(options) == 1:  # "a string or null": a string (an optional one)
        prop = {**options[0], **{k: v for k, v in prop.items() if k != "anyOf"}}
    out = {
        k: v for k, v in prop.items() if k not in _DROPPED and not (k == "default" and v is None)
    }
    if out.get("format") == "date":
        out.pop("description", None)
    return out


def tool_schema(name: str, description: str, parameters: dict[str, Any]) -> dict[str, Any]:
    """One OpenAI function tool with the compact parameters schema."""
    return {
        "type": "function",
        "function": {
            "name": name,
            "description": description,
            "parameters": compact_schema(parameters),
        },
    }
