"""The tool catalogue's contract: every tool is whole in one place, and the tables
that read it (button codec, router defaults, prompts) agree with it."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from analytics.periods import default_period
from bot.callback_data import ButtonCodec, Press
from tools.catalog import ARG_SCHEMAS, CATALOG, PeriodArgs, Tool, ToolArgs
from tools.prompts import DEFAULT_DIR, PromptStore
from tools.registry import args_json

TOOLS = list(CATALOG.values())
IDS = [tool.name for tool in TOOLS]


@pytest.mark.parametrize("tool", TOOLS, ids=IDS)
def test_every_tool_has_a_schema_and_an_example_call_that_fits_it(tool: Tool[object]) -> None:
    assert issubclass(tool.schema, ToolArgs)
    assert ARG_SCHEMAS[tool.name] is tool.schema
    example = tool.schema.model_validate(dict(tool.example))
    assert args_json(example).items() >= dict(tool.example).items()
    # a dated tool takes start/end; the others take no period
    assert issubclass(tool.schema, PeriodArgs) == tool.dated


@pytest.mark.parametrize("tool", TOOLS, ids=IDS)
def test_defaults_fill_every_optional_argument_and_fit_the_schema(tool: Tool[object]) -> None:
    required = {name for name, f in tool.schema.model_fields.items() if f.is_required()}
    period = {"start": "2026-11-20", "end": "2026-11-26"} if tool.dated else {}
    needed = {name: tool.example[name] for name in required - set(period)}
    valid = tool.schema.model_validate({**needed, **period, **tool.defaults()})
    assert args_json(valid) == {**needed, **period, **tool.defaults()}


@pytest.mark.parametrize(
    "tool", [t for t in TOOLS if t.dated], ids=[t.name for t in TOOLS if t.dated]
)
def test_a_dated_tool_names_a_default_period_that_resolves(tool: Tool[object]) -> None:
    assert tool.default_period is not None
    now = dt.datetime(2026, 11, 27, 14, 30, tzinfo=ZoneInfo("Asia/Seoul"))
    period = default_period(tool.default_period, now=now, tz=ZoneInfo("Asia/Seoul"))
    assert period.end <= now.date()


@pytest.mark.parametrize("tool", TOOLS, ids=IDS)
def test_every_tool_has_answer_templates_in_both_languages(tool: Tool[object]) -> None:
    for lang in ("ko", "en"):
        assert (Path(DEFAULT_DIR) / "answers" / f"{tool.name}.{lang}.j2").is_file(), lang


def test_every_tool_has_an_entry_in_tools_yaml_and_nothing_else_does() -> None:
    specs = PromptStore().tools()
    assert list(specs) == list(CATALOG)
    for name, spec in specs.items():
        assert spec.description.strip(), name
        assert spec.label_for("ko") and spec.label_for("en"), name


@pytest.mark.parametrize("tool", TOOLS, ids=IDS)
def test_a_button_for_the_example_call_round_trips(tool: Tool[object]) -> None:
    codec = ButtonCodec()
    args = args_json(tool.schema.model_validate(dict(tool.example)))
    for action in ("run", "chart"):
        data = codec.encode(Press(action, tool.name, args))  # type: ignore[arg-type]
        assert not data.startswith("m"), data  # packed into the button, not kept in memory
        assert codec.decode(data) == Press(action, tool.name, args)  # type: ignore[arg-type]


def test_button_codes_name_one_tool_and_one_argument_each() -> None:
    codes = [tool.code for tool in TOOLS]
    assert len(set(codes)) == len(codes)
    meaning: dict[str, tuple[str, tuple[tuple[str, str], ...]]] = {}
    for tool in TOOLS:
        for name, code in tool.button_codes().items():
            seen = (name, tuple(sorted(code.values.items())))
            assert meaning.setdefault(code.key, seen) == seen, (tool.name, code.key)
            # a closed set of values: one code per value, and every value coded
            assert len(set(code.values.values())) == len(code.values)
        # every argument of the schema can travel in a button
        assert set(tool.button_codes()) == set(tool.schema.model_fields), tool.name
