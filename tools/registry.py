"""Running a tool of the catalogue (tools.catalog): validate the contract
arguments, refuse a disabled tool, run it for the turn's seller.

A tool's `run` takes the turn's context (the seller bound by the caller, the
clock) and the validated arguments, and returns an analytics `Result` (a
`NoData` when there is nothing to report). Runs hold no logic beyond calling
the analysis: figures come from analytics/, drafts and advice from
tools.knowledge.

A tool disabled in prompts/tools.yaml (`enabled: false`) is not `available()`:
the agent does not get it and `run()` refuses it (the router skips it too).
A tool's module (tools.catalog) and the analytics modules it uses are imported
when the tool first runs, so `advisor ask` loads only the tool it answers with.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError

from analytics.periods import Period, of_dates
from tools.catalog import CATALOG, PeriodArgs, Tool, ToolArgs, ToolRun
from tools.context import TurnContext
from tools.prompts import PromptStore

log = logging.getLogger(__name__)

__all__ = [
    "ToolArgsError",
    "ToolRun",
    "ToolUnavailableError",
    "args_json",
    "available",
    "get",
    "run",
    "validate",
]


class ToolUnavailableError(LookupError):
    """No such tool, or it is disabled in prompts/tools.yaml."""

    def __init__(self, name: str) -> None:
        super().__init__(f"tool {name!r} is not available")
        self.name = name


class ToolArgsError(ValueError):
    """Arguments that do not fit the tool's contract schema."""

    def __init__(self, name: str, error: ValidationError) -> None:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in item['loc']) or 'args'}: {item['msg']}"
            for item in error.errors()
        )
        super().__init__(f"{name}: {problems}")
        self.name = name


def available(prompts: PromptStore) -> list[Tool[Any]]:
    """The tools the agent and the router may use now, in prompts/tools.yaml order."""
    return [CATALOG[spec.name] for spec in prompts.enabled_tools() if spec.name in CATALOG]


def get(name: str, prompts: PromptStore) -> Tool[Any]:
    tool = CATALOG.get(name)
    if tool is None or not prompts.is_enabled(name):
        raise ToolUnavailableError(name)
    return tool


def validate(name: str, args: Mapping[str, Any] | ToolArgs, prompts: PromptStore) -> ToolArgs:
    """The contract arguments of `name`, validated (extra arguments are refused)."""
    tool = get(name, prompts)
    if isinstance(args, tool.schema):
        return args
    try:
        return tool.schema.model_validate(
            args.model_dump() if isinstance(args, ToolArgs) else dict(args)
        )
    except ValidationError as exc:
        raise ToolArgsError(name, exc) from exc


def args_json(args: ToolArgs) -> dict[str, Any]:
    """Arguments as JSON, optional ones left out when not given."""
    dumped: dict[str, Any] = args.model_dump(mode="json", exclude_none=True)
    return dumped


def period_for(
    tool: Tool[Any], args: ToolArgs, ctx: TurnContext, named: Period | None
) -> Period | None:
    """The typed period of a dated tool's run: the one the router, a command or a
    button named when its dates are the arguments' dates, else the kind of period
    the dates are (a model's arguments: Nov 1-30 is a calendar month)."""
    if not isinstance(args, PeriodArgs):
        return None
    if named is not None and (named.start, named.end) == (args.start, args.end):
        return named
    return of_dates(args.start, args.end, ctx.today)


def run(
    ctx: TurnContext,
    name: str,
    args: Mapping[str, Any] | ToolArgs,
    period: Period | None = None,
) -> ToolRun:
    """Validate and run one tool for the context's seller. `period`: the typed period
    the arguments' dates came from, when the caller has it."""
    valid = validate(name, args, ctx.prompts)
    tool = CATALOG[name]
    typed = period_for(tool, valid, ctx, period)
    window = typed.window(ctx.now, ctx.tz) if typed is not None else None
    result = tool.run(ctx, valid, window)
    return ToolRun(name, args_json(valid), result, typed)
