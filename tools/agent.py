"""The LLM agent: a LangChain 1.x tool-calling agent on langchain-openai.

`create_agent(ChatOpenAI(...), tools, context_schema=TurnContext, middleware=...)`
with one StructuredTool per enabled registry tool:

- its args_schema is the tool's contract schema (extra="forbid": a "seller_id"
  or any other extra argument is refused) plus a `runtime: ToolRuntime[TurnContext]`
  field LangChain injects and hides from the model, so the seller comes from the
  caller's context only;
- `response_format="content_and_artifact"`: the model reads a compact JSON
  summary (the tool's `summary` in tools.catalog, narrowed by tools.model_view)
  with its store-provided text (names, keywords, inquiries, past answers) marked as
  <data> blocks (tools.store_text); the full typed run is kept as the artifact;
- the system prompt is rendered per request (dynamic prompt middleware):
  prompts/system.<lang>.md to choose tools, the short prompts/phrase.<lang>.md once
  the turn's calls all ran; a run stops after MAX_MODEL_CALLS model calls;
- `respond(..., offer=..., templated=...)`: the model requests carry the compact
  schemas of the offered tools only (tools.offer); when the model's calls all ran
  and are the `templated` runs, the run ends after that one model call (the caller
  renders the template); a request after tool results leaves the chat's earlier
  turns out and offers only where the calls lead (or the offer again after a
  refused call);
- `respond(..., on_text=...)` streams: LangChain asks the server for a streamed
  completion and `on_text(text, calls)` hears the answer as it is written (the
  prose of a model message without tool calls, so far) with the tool calls made
  before it (the caller checks the text against them before showing it).

The model is built with the client timeout `llm_timeout_seconds` and no retries;
the caller also bounds the whole call (tools.advisor). Importing this module
loads LangChain and the OpenAI client, so the offline path never imports it.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, NotRequired

from langchain.agents import create_agent
from langchain.agents.middleware import (
    AgentState,
    ModelRequest,
    ModelResponse,
    before_model,
    dynamic_prompt,
    wrap_model_call,
)
from langchain.tools import ToolRuntime
from langchain_core.messages import (
    AIMessage,
    AIMessageChunk,
    BaseMessage,
    HumanMessage,
    ToolMessage,
)
from langchain_core.tools import BaseTool, StructuredTool
from langchain_openai import ChatOpenAI
from langgraph.runtime import Runtime
from pydantic import BaseModel, ConfigDict, create_model

from storage.settings import Settings
from tools import registry
from tools.catalog import CATALOG, Tool, summary_of
from tools.context import TurnContext
from tools.model_view import model_view
from tools.offer import next_steps, tool_schema
from tools.prompts import PromptStore
from tools.store_text import mark_result, unmark, unmark_args

log = logging.getLogger(__name__)

MAX_MODEL_CALLS = 3  # model -> tool -> model is 2; one more for a second tool
HISTORY_ANSWER_CHARS = 200  # of the last answer the model reads: its headline figures
OLDER_ANSWER_CHARS = 80  # of an answer before it: what it was about (a follow-up leans on the last)
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


@dataclass(frozen=True, slots=True)
class AgentCall:
    """One tool call the model made: its raw arguments, and the run or the refusal."""

    tool: str
    args: dict[str, Any]
    run: registry.ToolRun | None
    summary: dict[str, Any]
    """What the model read: the compact result, or {"error": ...}."""

    @property
    def ok(self) -> bool:
        return self.run is not None


@dataclass(frozen=True, slots=True)
class AgentReply:
    text: str | None
    """The model's final answer; None when it gave none (call limit, empty)."""
    calls: list[AgentCall] = field(default_factory=list)
    model_calls: int = 0
    prompt_tokens: int = 0


class _Runtime(BaseModel):
    model_config = ConfigDict(arbitrary_types_allowed=True)
    runtime: ToolRuntime[TurnContext]


def _input_schema(schema: type[BaseModel]) -> type[BaseModel]:
    """The contract schema plus the injected runtime (hidden from the model)."""
    model: type[BaseModel] = create_model(f"{schema.__name__}Input", __base__=(schema, _Runtime))
    return model


def _error(message: str) -> str:
    return json.dumps({"error": message}, ensure_ascii=False)


def _next_step_ids(name: str) -> frozenset[str]:
    """The id arguments of the tools a result of `name` leads to (tools.offer)."""
    steps = next_steps([name])
    return frozenset(
        arg for step in steps for arg in CATALOG[step].schema.model_fields if arg.endswith("_id")
    )


def make_tool(tool: Tool[Any], description: str) -> StructuredTool:
    """A LangChain tool running `tool` for the seller of the runtime context; the model
    reads its summary as tools.model_view narrows it (the ids its next steps take)."""
    ids = _next_step_ids(tool.name)

    def call(runtime: ToolRuntime[TurnContext], **kwargs: Any) -> tuple[str, Any]:
        ctx = runtime.context
        try:
            run = registry.run(ctx, tool.name, unmark_args(kwargs))
        except registry.ToolUnavailableError:
            return _error(f"{tool.name} is not available"), None
        except registry.ToolArgsError as exc:
            return _error(str(exc)), None
        except Exception:  # noqa: BLE001 - the model hears "failed", the log has the cause
            log.exception("tool %s failed for seller %s", tool.name, ctx.seller_id)
            return _error("the analysis failed"), None
        shown = model_view(summary_of(run), ctx.lang, ids)
        content = json.dumps(
            mark_result(shown), ensure_ascii=False, separators=(",", ":"), default=str
        )
        return content, run

    return StructuredTool.from_function(
        func=call,
        name=tool.name,
        description=description,
        args_schema=_input_schema(tool.schema),
        response_format="content_and_artifact",
    )


def _schema(tool: BaseTool) -> dict[str, Any]:
    """The tool as the model reads it: compact, without the injected runtime."""
    params = tool.tool_call_schema
    if isinstance(params, dict):
        return tool_schema(tool.name, tool.description, params)
    schema = params.model_json_schema() if issubclass(params, BaseModel) else params.schema()
    return tool_schema(tool.name, tool.description, schema)


def system_prompt(ctx: TurnContext, name: str = "system") -> str:
    """prompts/<name>.<lang>.md for the turn: "system" (choosing a tool) or "phrase"
    (the short prompt of a request after the turn's tool results: the rules of the
    answer, figures from the results only, the user's language, amounts)."""
    local = ctx.local_now
    return ctx.prompts.render(
        name,
        ctx.lang,
        store_name=ctx.store_name,
        today=local.date().isoformat(),
        weekday=WEEKDAYS[local.weekday()],
        timezone=str(ctx.store.timezone),
        currency=ctx.store.currency,
    )


@dynamic_prompt
def _system(request: ModelRequest[TurnContext]) -> str:
    """prompts/system.<lang>.md to choose a tool; prompts/phrase.<lang>.md once the
    turn's calls all ran (the tool choice rules are behind; after a refused or failed
    call the model chooses again)."""
    turn = _turn(request.messages)
    name = "phrase" if turn.runs and not turn.failed else "system"
    return system_prompt(request.runtime.context, name)


class _OfferState(AgentState[Any]):
    offered: NotRequired[list[str]]
    """The tools the model is offered this turn (tools.offer); empty: all of them."""
    templated: NotRequired[list[dict[str, Any]]]
    """The runs ({"tool", "args"}, arguments as validated) the answer template phrases
    for this question: when the model's calls ran and are all of them, the turn ends
    without a second request."""


@dataclass(frozen=True, slots=True)
class _Turn:
    start: int
    """The index of this turn's question (the last human message)."""
    model_calls: int
    called: frozenset[str]
    runs: list[registry.ToolRun | None]
    """The results in so far: a run, or None for a refused or failed call."""

    @property
    def failed(self) -> bool:
        """A call was refused or failed (the model hears why and may try again)."""
        return any(run is None for run in self.runs)


def _turn(messages: Sequence[BaseMessage]) -> _Turn:
    start = next(
        (i for i in range(len(messages) - 1, -1, -1) if isinstance(messages[i], HumanMessage)), 0
    )
    replies = [m for m in messages[start:] if isinstance(m, AIMessage)]
    called = frozenset(call["name"] for message in replies for call in message.tool_calls)
    runs = [
        m.artifact if isinstance(m.artifact, registry.ToolRun) else None
        for m in messages[start:]
        if isinstance(m, ToolMessage)
    ]
    return _Turn(start, len(replies), called, runs)


@before_model(state_schema=_OfferState, can_jump_to=["end"])
def _stop(state: _OfferState, runtime: Runtime[TurnContext]) -> dict[str, Any] | None:
    """End the run at MAX_MODEL_CALLS model calls, or when the template phrases the
    results (see _OfferState.templated): one model call for a one-tool question."""
    turn = _turn(state["messages"])
    if turn.model_calls >= MAX_MODEL_CALLS:
        return {"jump_to": "end"}
    templated = state.get("templated") or []
    if turn.runs and all(
        run is not None and {"tool": run.tool, "args": run.args} in templated for run in turn.runs
    ):
        return {"jump_to": "end"}
    return None


def _offer(schemas: dict[str, dict[str, Any]]) -> Any:
    """Middleware: the first model request of a turn carries the compact schemas of the
    turn's offered tools only; a request after this turn's tool results leaves the
    chat's earlier turns out (the question, the calls and their results are in it) and
    offers only where the calls lead (tools.offer.next_steps), or the offered tools
    again after a refused or failed call."""

    @wrap_model_call(state_schema=_OfferState)
    def offer(
        request: ModelRequest[TurnContext], handler: Callable[[ModelRequest[Any]], ModelResponse]
    ) -> ModelResponse:
        asked = request.state.get("offered")
        names = list(asked) if isinstance(asked, list) and asked else list(schemas)
        messages = request.messages
        turn = _turn(messages)
        if turn.runs:
            messages = messages[turn.start :]
            if not turn.failed:
                names = next_steps(turn.called)
        tools: list[BaseTool | dict[str, Any]] = [schemas[n] for n in names if n in schemas]
        return handler(request.override(tools=tools, messages=messages))

    return offer


def _text(message: AIMessage) -> str:
    content = message.content
    if isinstance(content, str):
        return content
    parts = [
        part.get("text", "") if isinstance(part, dict) else str(part)
        for part in content
        if not isinstance(part, dict) or part.get("type") == "text"
    ]
    return "".join(parts)


class Agent:
    """One model client; the compiled agent is rebuilt when the enabled tools or
    their descriptions change (prompts/tools.yaml hot reload)."""

    def __init__(self, settings: Settings, prompts: PromptStore) -> None:
        self._model = ChatOpenAI(
            model=settings.openai_model,
            api_key=settings.openai_api_key,
            base_url=settings.openai_base_url,
            timeout=settings.llm_timeout_seconds,
            max_retries=0,
        )
        self._prompts = prompts
        self._lock = threading.Lock()
        self._built: tuple[Any, Any] | None = None

    def _agent(self) -> Any:
        specs = self._prompts.enabled_tools()
        key = tuple((spec.name, spec.description) for spec in specs if spec.name in CATALOG)
        with self._lock:
            if self._built is not None and self._built[0] == key:
                return self._built[1]
        tools = [make_tool(CATALOG[name], description) for name, description in key]
        schemas = {tool.name: _schema(tool) for tool in tools}
        agent = create_agent(
            self._model,
            tools,
            context_schema=TurnContext,
            middleware=[_system, _stop, _offer(schemas)],
        )
        with self._lock:
            self._built = (key, agent)
        return agent

    def respond(
        self,
        ctx: TurnContext,
        question: str,
        history: Sequence[tuple[str, str]] = (),
        hint: str | None = None,
        on_text: OnText | None = None,
        offer: Sequence[str] = (),
        templated: Sequence[dict[str, Any]] = (),
    ) -> AgentReply:
        """Ask the model; `history` is the chat's previous (question, answer) pairs (the
        last answer read to HISTORY_ANSWER_CHARS, older ones to OLDER_ANSWER_CHARS);
        `on_text` streams the answer as it is written (see the module docstring);
        `offer` names the tools the model is offered (tools.offer; empty: all) and
        `templated` the tools whose results end the turn unphrased (_OfferState)."""
        messages: list[BaseMessage] = []
        for number, (asked, answered) in enumerate(history, start=1):
            chars = HISTORY_ANSWER_CHARS if number == len(history) else OLDER_ANSWER_CHARS
            messages.append(HumanMessage(asked))
            messages.append(AIMessage(answered[:chars]))
        messages.append(HumanMessage(f"{question}\n\n({hint})" if hint else question))
        state = {"messages": messages, "offered": list(offer), "templated": list(templated)}
        config: Any = {"recursion_limit": 4 * MAX_MODEL_CALLS}
        if on_text is None:
            out = self._agent().invoke(state, context=ctx, config=config)
            return _reply(out["messages"][len(messages) :])
        return _streamed(self._agent(), state, ctx, config, on_text)


OnText = Callable[[str, Sequence[AgentCall]], None]
"""Hears a streamed answer: its text so far, and the tool calls made before it."""


def _streamed(
    agent: Any, state: dict[str, Any], ctx: TurnContext, config: Any, on_text: OnText
) -> AgentReply:
    """Run the agent streaming its model's tokens; the reply as `respond` gives it."""
    asked = len(state["messages"])
    out: dict[str, Any] = state
    message_id: str | None = None
    text, tooling = "", False
    for mode, data in agent.stream(
        state, context=ctx, config=config, stream_mode=["messages", "values"]
    ):
        if mode == "values":
            out = data  # the state after each step: the tool calls made so far
            continue
        chunk = data[0]
        if not isinstance(chunk, AIMessageChunk):
            continue
        if chunk.id != message_id:
            message_id, text, tooling = chunk.id, "", False
        tooling = tooling or bool(chunk.tool_call_chunks)
        text += _text(chunk)
        if text.strip() and not tooling:
            on_text(unmark(text), _reply(out["messages"][asked:]).calls)
    return _reply(out["messages"][asked:])


def _reply(messages: Sequence[BaseMessage]) -> AgentReply:
    asked: dict[str, tuple[str, dict[str, Any]]] = {}
    order: list[str] = []
    outcomes: dict[str, AgentCall] = {}
    text: str | None = None
    model_calls = prompt_tokens = 0
    for message in messages:
        if isinstance(message, AIMessage):
            model_calls += 1
            if message.usage_metadata:
                prompt_tokens += int(message.usage_metadata.get("input_tokens", 0))
            for call in message.tool_calls:
                call_id = call.get("id") or str(len(order))
                asked[call_id] = (call["name"], unmark_args(dict(call.get("args") or {})))
                order.append(call_id)
            text = None if message.tool_calls else (unmark(_text(message)).strip() or None)
        elif isinstance(message, ToolMessage):
            name, args = asked.get(message.tool_call_id, (message.name or "", {}))
            run = message.artifact if isinstance(message.artifact, registry.ToolRun) else None
            summary = summary_of(run) if run is not None else {"error": str(message.content)[:300]}
            outcomes[message.tool_call_id] = AgentCall(name, args, run, summary)
    calls = [
        outcomes.get(call_id)
        or AgentCall(asked[call_id][0], asked[call_id][1], None, {"error": "not run"})
        for call_id in order
    ]
    return AgentReply(text, calls, model_calls, prompt_tokens)
