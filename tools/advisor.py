"""The advisor: one brain for the Telegram bot and the terminal chat.

API (front ends code against this; it stays stable)
---------------------------------------------------
    advisor = Advisor(sessions, settings, prompts)
        sessions: sessionmaker[Session]; settings: storage.settings.Settings;
        prompts: tools.prompts.PromptStore (hot-reloaded on every question).

    advisor.mode -> "offline" | "llm"
        "llm" when OPENAI_API_KEY is set (OPENAI_BASE_URL, OPENAI_MODEL honoured).

    advisor.ask(question, *, seller_id, chat_id=None, lang=None, now=None, on_draft=None) -> Answer
        Synchronous (the bot calls it through asyncio.to_thread). The seller comes
        only from `seller_id`, which the caller binds from the chat link; it is never
        a tool argument and never read from model output or user text. `lang`
        ("ko"/"en", e.g. the chat's language) wins; otherwise the question decides
        (Hangul -> ko, other letters -> en, no letters -> the chat's last question,
        else en). `now` (aware) pins the clock for periods and data. With `chat_id`
        the chat's last turns (from the database) are the conversation memory, so
        "그럼 지난달은?" follows the previous question. `on_draft(text)` (llm mode)
        hears the model's answer while it is written, as far as the answer guard
        accepts it (tools.drafts), on the model's worker thread, until `ask` returns.

    advisor.run(tool, args, *, seller_id, chat_id=None, lang=None, now=None) -> Answer
        Runs one tool with validated contract arguments and renders its templated
        answer: for buttons (Button.tool, Button.args) and commands (/report, /top).

    Answer (tools.answer): text (plain text, no HTML: the front end escapes it),
    mode ("offline", "llm" or "fallback"), lang, calls [ToolCall(tool, args,
    result as model_dump(mode="json"))], chart (Chart or None), buttons (next
    steps: other periods, the previous period, details) and candidates ("did you
    mean" choices; pressing one is `run(button.tool, button.args)`).
    Answer.to_json() is the `advisor ask --json` object.

Every question never raises for bad input: empty text, 10,000 characters, only
emoji, SQL or prompt-injection text, impossible or future dates and unknown
products are answered politely in the user's language from prompts/. Only an
unknown `seller_id` (a caller bug) raises `UnknownSellerError` (a LookupError).

Modes
-----
- offline (no key): tools.router.route -> registry.run -> tools.templated templates.
- llm: tools.agent (LangChain tool-calling agent); at most MAX_MODEL_CALLS model
  calls. The model is offered the plausible tools only (tools.offer). When it asks
  for exactly what the router read from the question (same tool, same arguments;
  not advice or an inquiry draft, which the model writes), the template phrases the
  result and that one request is the turn's only one (issue 15: one-tool questions
  under 3,000 prompt tokens with chat memory; bench/advisor.py); otherwise the model
  phrases its results itself, and the answer guard (tools.guard.check_answer) checks every number of the
  model's answer against this turn's tool results, arguments and question; an
  answer that fails is replaced by the templated answer of the tool results (a
  warning lists the unsupported numbers). A model error or a reply later than
  `llm_timeout_seconds` (client timeout, and the whole call bounded too) gets the
  offline answer instead, mode "fallback". The deadline covers the whole model call:
  building the agent (the LangChain import on a cold start, begun in the background
  when the advisor is made) runs on the model workers (daemon threads), and the
  offline answer is prepared while the model thinks.
- Store-provided text (product names, keywords, customers, inquiries, past answers)
  reaches the model as <data> blocks (tools.store_text), never as instructions.

Outcomes
--------
Every turn ends in exactly one `Answer.outcome` (storage.models.TurnOutcome), stored
with the turn, shown by /trace and printed by `advisor ask --json`:

- answered: a tool ran and its result is the answer (offline: the router's tool
  ran; llm: at least one tool ran and the model's text, or the templated text of
  the results, is the answer; a button or command run that succeeded).
- clarify: the question is about the store but needs a choice or a fix: which
  product (did-you-mean choices), which category, a period that cannot be used,
  words the router could not place next to a weak guess (with the guess as a
  button). In llm mode also a model reply with no tool result to a question the
  router could have answered (the model asked back).
- unsupported: the store data does not hold what was asked (prompts/unsupported.yaml
  topics: shipping, reviews, competitors, weather, fees...): the answer says so in
  the seller's language and offers the closest tools as buttons; a disabled tool too.
  Never sent to the model (a model cannot answer from data that is not there).
- not_understood: the generic menu (no tool fits, empty or over-long text), and a
  turn that failed with an error (the seller got the apology, not an answer).
In llm mode a reply without any tool result keeps the router's outcome when the
router found nothing to run either; a fallback to the offline answer has the
offline answer's outcome.

Every turn is persisted (storage.conversations.add_turn) with its mode, outcome and the
tool calls (tool, args, compact result, ok; did-you-mean candidates), which the
bot's /trace and /stats read and the router's follow-ups use. Turns without a
chat are stored under chat id 0 (NO_CHAT) and are never read back as memory.
"""

from __future__ import annotations

import concurrent.futures
import datetime as dt
import logging
import re
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Literal

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from analytics.periods import Period, PeriodError, default_period
from storage.conversations import add_turn, recent_turns
from storage.models import AdCampaign, ConversationTurn, Product, TurnOutcome
from storage.settings import Settings
from tools import registry
from tools.answer import Answer, Button, ToolCall
from tools.catalog import CATALOG, summary_of
from tools.catalog import entry as catalog_entry
from tools.context import TurnContext, make_context
from tools.daemon_pool import DaemonPool
from tools.fit_cache import FitCache
from tools.freshness import freshness_note
from tools.offer import offered
from tools.prompts import PromptStore, normalize_lang
from tools.router import (
    CampaignRef,
    Candidate,
    ProductRef,
    RouteError,
    RouteResult,
    ranked_tools,
    route,
)
from tools.store_text import mark, mark_within
from tools.templated import buttons_for, chart_for, no_result_text, render, render_text

if TYPE_CHECKING:  # the model path's modules load when a model is asked (cold start)
    from tools.agent import Agent, AgentCall, AgentReply
    from tools.drafts import DraftGate, Show
    from tools.retrieval.service import RetrievalHandle

log = logging.getLogger(__name__)

Mode = Literal["offline", "llm", "fallback"]
NO_CHAT = 0
MEMORY_TURNS = 6  # turns read back from the database
HISTORY_TURNS = 4  # of which the model sees the last ones as messages
LLM_WORKERS = 32  # model calls in flight at once (the bot asks from many chats)
# route errors the LLM never sees: the answer is fixed whatever a model would say
_DIRECT_ERRORS = frozenset(
    {
        "empty",
        "text_too_long",
        "invalid_date",
        "future",
        "range_reversed",
        "too_long",
        "unresolved_period",
        "unsupported",
    }
)
# route errors the product resolver may settle (a name the router missed or found ambiguous)
_RESOLVABLE = frozenset({"unknown_product", "ambiguous_product"})
_HANGUL = re.compile(r"[\uac00-\ud7a3\u3131-\u318e]")
_LETTER = re.compile(r"[^\W\d_]", re.UNICODE)
_MARKUP = re.compile(r"\*\*|__|`")
_HEADING = re.compile(r"^#{1,6}\s*", re.MULTILINE)


@dataclass
class _Outcome:
    """An answer and what the turn persists as its tool calls."""

    answer: Answer
    records: list[dict[str, Any]] = field(default_factory=list)


def detect_lang(text: str, fallback: str | None = None) -> str:
    """ko for Hangul, en for other letters, `fallback` (else en) without letters."""
    if _HANGUL.search(text):
        return "ko"
    if _LETTER.search(text):
        return "en"
    return fallback or "en"


class Advisor:
    """See the module docstring."""

    def __init__(
        self, sessions: sessionmaker[Session], settings: Settings, prompts: PromptStore
    ) -> None:
        self._sessions = sessions
        self._settings = settings
        self._prompts = prompts
        self._agent: Agent | None = None
        self._agent_lock = threading.Lock()
        self._fits = FitCache()
        self._handle: RetrievalHandle | None = None
        self._handle_lock = threading.Lock()
        # model calls run here so a late one can be abandoned at the deadline; the
        # deadline counts from the question, so waiting for a worker counts too
        # (daemon threads: an abandoned call never keeps a finished process alive)
        self._pool = DaemonPool(LLM_WORKERS, "advisor-llm")
        if self.mode == "llm":  # load LangChain now, off the caller's thread
            self._pool.submit(self._warm)

    @property
    def retrieval(self) -> RetrievalHandle:
        """The vector-index retrieval (opened on first use), made when first needed:
        a product name to resolve, a tool that reads the index (tools.catalog `Entry`),
        the model path. Importing tools.retrieval (the index code, the PostgreSQL
        dialect) is no cost of an offline sales question. bot.inquiry_flow drafts with it."""
        with self._handle_lock:
            if self._handle is None:
                from tools.retrieval.service import RetrievalHandle

                self._handle = RetrievalHandle(
                    self._settings, self._sessions, prompts=self._prompts
                )
            return self._handle

    @property
    def mode(self) -> Literal["offline", "llm"]:
        key = self._settings.openai_api_key
        return "llm" if key is not None and key.get_secret_value() else "offline"

    @property
    def prompts(self) -> PromptStore:
        return self._prompts

    @property
    def fits(self) -> FitCache:
        """Customer fits, refreshed in the background by the bot (bot.customer_fit)."""
        return self._fits

    def close(self) -> None:
        self._pool.shutdown(cancel_futures=True)

    def abandoned_calls(self) -> int:
        """Model calls (or a cold LangChain import) still running after their deadline."""
        return self._pool.running()

    # -- the two entry points ----------------------------------------------------

    def ask(
        self,
        question: str,
        *,
        seller_id: int,
        chat_id: int | None = None,
        lang: str | None = None,
        now: dt.datetime | None = None,
        on_draft: Show | None = None,
    ) -> Answer:
        text = question if isinstance(question, str) else ""
        turns = self._memory(chat_id, seller_id)
        chosen = normalize_lang(lang) if lang else detect_lang(text, _chat_lang(turns))
        ctx = self._context(seller_id, _aware(now), chosen)
        try:
            routed = self._route(ctx, text, _previous_route(turns))
            if self.mode == "llm" and self._for_model(text, routed):
                outcome = self._ask_llm(ctx, text, turns, routed, on_draft)
            else:
                outcome = self._answer_route(ctx, routed, "offline")
        except Exception:  # noqa: BLE001 - the seller gets a polite answer, the log the cause
            log.exception("advisor: question failed for seller %s", seller_id)
            outcome = _Outcome(self._failure(ctx, "offline"))
        outcome = _with_freshness(ctx, outcome)
        self._persist(ctx, chat_id, text, outcome)
        return outcome.answer

    def run(
        self,
        tool: str,
        args: Mapping[str, Any],
        *,
        seller_id: int,
        chat_id: int | None = None,
        lang: str | None = None,
        now: dt.datetime | None = None,
    ) -> Answer:
        if lang:
            chosen = normalize_lang(lang)
        else:
            chosen = _chat_lang(self._memory(chat_id, seller_id)) or "en"
        ctx = self._context(seller_id, _aware(now), chosen)
        try:
            args, period = _resolve_period_arg(ctx, args)
            outcome = self._answer_run(ctx, self._run_tool(ctx, tool, args, period), "offline")
        except registry.ToolUnavailableError:
            outcome = _Outcome(self._disabled(ctx, "offline", tool))
        except (registry.ToolArgsError, PeriodError) as exc:
            log.warning("advisor: refused %s arguments: %s", tool, exc)
            outcome = _Outcome(self._failure(ctx, "offline"))
        except Exception:  # noqa: BLE001
            log.exception("advisor: %s failed for seller %s", tool, seller_id)
            outcome = _Outcome(self._failure(ctx, "offline"))
        outcome = _with_freshness(ctx, outcome)
        self._persist(ctx, chat_id, _command_text(tool, args), outcome)
        return outcome.answer

    def _context(self, seller_id: int, now: dt.datetime, lang: str) -> TurnContext:
        return make_context(
            self._sessions,
            seller_id=seller_id,
            now=now,
            lang=lang,
            settings=self._settings,
            prompts=self._prompts,
            fits=self._fits,
            # a model may run any tool; offline, the tool to run is known (_run_tool)
            retrieval=self.retrieval if self.mode == "llm" else self._handle,
        )

    # -- offline -----------------------------------------------------------------

    def _route(self, ctx: TurnContext, text: str, previous: RouteResult | None) -> RouteResult:
        products, campaigns = _catalogue(ctx)
        routed = route(
            text,
            now=ctx.now,
            tz=ctx.tz,
            catalogue=products,
            campaigns=campaigns,
            previous=previous,
            prompts=ctx.prompts,
        )
        if routed.error is not None and routed.error.key in _RESOLVABLE:
            return self._resolve_product(ctx, routed, text)
        return routed

    def _resolve_product(self, ctx: TurnContext, routed: RouteResult, text: str) -> RouteResult:
        """A name the router's catalogue match missed or found ambiguous, given to
        the product resolver (vector search + lexical re-rank, tools.retrieval):
        the words the router could not place, or the whole question when it
        found several products. One confident product (among the router's
        choices, if it had any) runs the tool; otherwise the resolver's close
        products become the "did you mean" choices when the router had none."""
        params = routed.error.params if routed.error else {}
        ambiguous = routed.error is not None and routed.error.key == "ambiguous_product"
        query = text if ambiguous else str(params.get("query") or "")
        if not query.strip():
            return routed
        try:
            found = self.retrieval.get().resolve_product(ctx.seller_id, query)
        except Exception:  # noqa: BLE001 - the router's own answer still stands
            log.exception("advisor: product resolver failed for %r", query)
            return routed
        offered = {c.id for c in routed.candidates if c.kind == "product"}
        if found.confident and found.best is not None:
            if not offered or found.best.id in offered:
                args = {**routed.args, "product_id": found.best.id}
                return replace(routed, args=args, error=None, candidates=())
        if not found.candidates or routed.candidates:
            return routed
        candidates = tuple(
            Candidate("product", ref.id, ref.label(ctx.lang)) for ref in found.candidates
        )
        key = "ambiguous_product" if len(candidates) > 1 else "unknown_product"
        shown = {"query": query, "candidates": [c.label for c in candidates]}
        return replace(routed, candidates=candidates, error=RouteError(key, shown))

    def _answer_route(self, ctx: TurnContext, routed: RouteResult, mode: Mode) -> _Outcome:
        if routed.error is not None and routed.error.key == "unsupported":
            return _Outcome(self._unsupported(ctx, mode, str(routed.error.params.get("topic"))))
        if routed.error is not None:
            answer = self._message(
                ctx, mode, routed.error.key, outcome=routed.outcome, **routed.error.params
            )
            candidates = _candidate_buttons(routed)
            if candidates:
                answer = _with(answer, candidates=candidates)
            if routed.error.key in _OFFERED_GUESS and routed.tool is not None:
                # the guess, offered rather than presented as the answer
                label = str(routed.error.params.get("label") or routed.tool)
                answer = _with(answer, buttons=[Button(label, routed.tool, dict(routed.args))])
            records = []
            if routed.tool is not None:
                records.append(
                    {
                        "tool": routed.tool,
                        "args": dict(routed.args),
                        "result": None,
                        "ok": False,
                        "error": routed.error.key,
                        "candidates": [
                            {"kind": c.kind, "id": c.id, "label": c.label}
                            for c in routed.candidates
                        ],
                        **({"period": routed.period.to_json()} if routed.period else {}),
                    }
                )
            return _Outcome(answer, records)
        if routed.tool is None:
            return _Outcome(self._message(ctx, mode, "unknown", outcome=TurnOutcome.NOT_UNDERSTOOD))
        try:
            run = self._run_tool(ctx, routed.tool, routed.args, routed.period)
            more = [self._run_tool(ctx, routed.tool, args, routed.period) for args in routed.also]
        except registry.ToolUnavailableError:
            return _Outcome(self._disabled(ctx, mode, routed.tool))
        outcome = self._answer_run(ctx, run, mode)
        if not more:
            return outcome
        # side by side ("가습기 vs 그라인더"): the answers one after the other
        texts = [outcome.answer.text, *(render_text(extra, ctx) for extra in more)]
        answer = _with(
            outcome.answer,
            text="\n\n".join(texts),
            calls=[*outcome.answer.calls, *(_tool_call(extra) for extra in more)],
        )
        records = [*outcome.records, *({**_record(extra), "also": True} for extra in more)]
        return _Outcome(answer, records)

    def _run_tool(
        self, ctx: TurnContext, tool: str, args: Mapping[str, Any], period: Period | None
    ) -> registry.ToolRun:
        """registry.run, the advisor's retrieval in the context of a tool that reads
        the vector index."""
        if ctx.retrieval is None and tool in CATALOG and catalog_entry(tool).retrieval:
            ctx = replace(ctx, retrieval=self.retrieval)
        return registry.run(ctx, tool, args, period)

    def _answer_run(self, ctx: TurnContext, run: registry.ToolRun, mode: Mode) -> _Outcome:
        rendered = render(run, ctx)
        answer = Answer(
            text=rendered.text,
            mode=mode,
            lang=ctx.lang,
            calls=[_tool_call(run)],
            chart=rendered.chart,
            buttons=rendered.buttons,
        )
        return _Outcome(answer, [_record(run)])

    def _message(
        self, ctx: TurnContext, mode: Mode, key: str, *, outcome: TurnOutcome, **params: Any
    ) -> Answer:
        text = no_result_text(ctx.prompts, ctx.lang, key, **params)
        return Answer(text=text, mode=mode, lang=ctx.lang, outcome=outcome)

    def _failure(self, ctx: TurnContext, mode: Mode) -> Answer:
        return self._message(ctx, mode, "failure", outcome=TurnOutcome.NOT_UNDERSTOOD)

    def _disabled(self, ctx: TurnContext, mode: Mode, tool: str) -> Answer:
        return self._message(ctx, mode, "tool_disabled", outcome=TurnOutcome.UNSUPPORTED, tool=tool)

    def _unsupported(self, ctx: TurnContext, mode: Mode, name: str) -> Answer:
        """The data does not hold this topic: say so in the seller's language, say what
        comes closest, and offer it as buttons (each tool's default answer)."""
        topic = next((t for t in ctx.prompts.unsupported_topics() if t.name == name), None)
        label = topic.label_for(ctx.lang) if topic is not None else name
        instead = topic.instead_for(ctx.lang) if topic is not None else ""
        text = ctx.prompts.message("errors.unsupported", ctx.lang, topic=label, instead=instead)
        buttons = [
            _default_button(ctx, tool) for tool in (topic.offer if topic is not None else ())
        ]
        return Answer(
            text=text,
            mode=mode,
            lang=ctx.lang,
            buttons=[button for button in buttons if button is not None],
            outcome=TurnOutcome.UNSUPPORTED,
        )

    # -- llm ---------------------------------------------------------------------

    def _for_model(self, text: str, routed: RouteResult) -> bool:
        """Whether the model answers: not for input errors, impossible periods or
        a did-you-mean the router can already offer."""
        if not _LETTER.search(text):
            return False
        if routed.error is None:
            return True
        if routed.error.key in _DIRECT_ERRORS or routed.error.key == "ambiguous_product":
            return False
        return not (routed.error.key == "unknown_product" and routed.candidates)

    def _get_agent(self) -> Agent:
        with self._agent_lock:
            if self._agent is None:
                from tools.agent import Agent

                self._agent = Agent(self._settings, self._prompts)
            return self._agent

    def _warm(self) -> None:
        try:
            self._get_agent()
        except Exception:  # noqa: BLE001 - the first question meets the error and falls back
            log.exception("advisor: the model agent could not be built")

    def _respond(
        self,
        ctx: TurnContext,
        text: str,
        history: Sequence[tuple[str, str]],
        hint: str | None,
        offer: tuple[list[str], list[dict[str, Any]]],
        deadline: float,
        drafts: DraftGate | None = None,
    ) -> AgentReply:
        """The model's reply, run on the pool (the deadline-guarded call); a call
        that waited past its deadline for a worker is not sent at all."""
        agent = self._get_agent()
        if time.perf_counter() >= deadline:
            raise TimeoutError("the question's deadline passed before the model was asked")
        return agent.respond(ctx, text, history, hint, drafts.offer if drafts else None, *offer)

    def _ask_llm(
        self,
        ctx: TurnContext,
        text: str,
        turns: Sequence[ConversationTurn],
        routed: RouteResult,
        on_draft: Show | None = None,
    ) -> _Outcome:
        drafts = None
        if on_draft is not None:
            from tools.drafts import DraftGate

            drafts = DraftGate(on_draft, lambda calls: _sources(ctx, text, calls), _plain)
        try:
            return self._ask_model(ctx, text, turns, routed, drafts)
        finally:
            if drafts is not None:
                drafts.close()  # an abandoned model call shows nothing more

    def _ask_model(
        self,
        ctx: TurnContext,
        text: str,
        turns: Sequence[ConversationTurn],
        routed: RouteResult,
        drafts: DraftGate | None,
    ) -> _Outcome:
        timeout = self._settings.llm_timeout_seconds
        started = time.perf_counter()
        history = [(t.question, t.answer) for t in turns[-HISTORY_TURNS:]]
        hint = _hint(ctx, routed)
        # the agent is imported and built inside the guarded call: a cold start (the
        # LangChain import) counts against the deadline like the model's reply does
        asked = _with_inquiry_marked(text, routed)
        deadline = started + timeout
        offer = _offer(ctx, text, turns, routed)
        future = self._pool.submit(
            self._respond, ctx, asked, history, hint, offer, deadline, drafts
        )
        # the offline answer is made while the model thinks, so a late model costs the
        # seller no more than the deadline (not the deadline plus this answer's work,
        # which many questions at once would queue for)
        offline = self._answer_route(ctx, routed, "fallback")
        try:
            reply = future.result(timeout=max(0.0, deadline - time.perf_counter()))
        except concurrent.futures.TimeoutError:
            future.cancel()  # still queued behind busy workers: never started late
            log.warning("advisor: model gave no answer within %.1f s; offline answer", timeout)
            return self._late(ctx, offline)
        except Exception as exc:  # noqa: BLE001 - any model failure: the offline answer
            elapsed = time.perf_counter() - started
            log.warning(
                "advisor: model failed after %.1f s (%s: %s); offline answer",
                elapsed,
                exc.__class__.__name__,
                exc,
            )
            if elapsed >= timeout or "timeout" in exc.__class__.__name__.lower():
                return self._late(ctx, offline)  # the client's own timeout won the race
            return offline
        return self._from_reply(ctx, text, routed, reply, offline)

    def _late(self, ctx: TurnContext, offline: _Outcome) -> _Outcome:
        """The offline answer to a question the model did not answer in time."""
        note = ctx.prompts.message("errors.timeout_fallback", ctx.lang)
        return _Outcome(
            _with(offline.answer, text=f"{note}\n{offline.answer.text}"), offline.records
        )

    def _from_reply(
        self,
        ctx: TurnContext,
        text: str,
        routed: RouteResult,
        reply: AgentReply,
        offline: _Outcome,
    ) -> _Outcome:
        runs = [call.run for call in reply.calls if call.run is not None]
        calls = [
            _tool_call(call.run)
            if call.run is not None
            else ToolCall(call.tool, call.args, call.summary)
            for call in reply.calls
        ]
        records = [
            _record(call.run)
            if call.run is not None
            else {"tool": call.tool, "args": call.args, "result": call.summary, "ok": False}
            for call in reply.calls
        ]
        last = runs[-1] if runs else None
        chart = chart_for(last, ctx) if last and not last.no_data else None
        buttons = buttons_for(last, ctx) if last and not last.no_data else []
        if reply.text:
            from tools.guard import check_answer

            verdict = check_answer(reply.text, _sources(ctx, text, reply.calls))
            if verdict.ok:
                answer = Answer(
                    text=_plain(reply.text),
                    mode="llm",
                    lang=ctx.lang,
                    calls=calls,
                    chart=chart,
                    buttons=buttons,
                    outcome=_llm_outcome(routed, bool(runs)),
                )
                return _Outcome(answer, records)
            log.warning(
                "answer guard: model answer for seller %s refused (%s); "
                "sending the templated answer",
                ctx.seller_id,
                "; ".join(verdict.reasons),
            )
        if not runs:
            return offline
        templated = "\n\n".join(render_text(run, ctx) for run in runs)
        answer = Answer(
            text=templated, mode="llm", lang=ctx.lang, calls=calls, chart=chart, buttons=buttons
        )
        return _Outcome(answer, records)

    # -- memory ------------------------------------------------------------------

    def _memory(self, chat_id: int | None, seller_id: int) -> list[ConversationTurn]:
        if chat_id is None:
            return []
        with self._sessions() as session:
            return recent_turns(session, chat_id=chat_id, seller_id=seller_id, limit=MEMORY_TURNS)

    def _persist(
        self, ctx: TurnContext, chat_id: int | None, question: str, outcome: _Outcome
    ) -> None:
        try:
            with self._sessions.begin() as session:
                add_turn(
                    session,
                    chat_id=NO_CHAT if chat_id is None else chat_id,
                    seller_id=ctx.seller_id,
                    question=question,
                    answer=outcome.answer.text,
                    mode=outcome.answer.mode,
                    tool_calls=outcome.records,
                    at=ctx.now,
                    outcome=outcome.answer.outcome,
                )
        except Exception:  # noqa: BLE001 - a lost trace must not lose the answer
            log.exception("advisor: could not store the turn of seller %s", ctx.seller_id)


# -- helpers -------------------------------------------------------------------------


def _aware(now: dt.datetime | None) -> dt.datetime:
    if now is None:
        return dt.datetime.now(dt.UTC)
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    return now


def _chat_lang(turns: Sequence[ConversationTurn]) -> str | None:
    """The language of the chat's last typed question (button presses are skipped)."""
    for turn in reversed(turns):
        if turn.question.startswith("/") or not _LETTER.search(turn.question):
            continue
        return detect_lang(turn.question)
    return None


def _catalogue(ctx: TurnContext) -> tuple[list[ProductRef], list[CampaignRef]]:
    with ctx.session() as session:
        products = [
            ProductRef(pid, name, name_en, sku, category)
            for pid, name, name_en, sku, category in session.execute(
                select(Product.id, Product.name, Product.name_en, Product.sku, Product.category)
                .where(Product.seller_id == ctx.seller_id)
                .order_by(Product.id)
            )
        ]
        campaigns = [
            CampaignRef(cid, name)
            for cid, name in session.execute(
                select(AdCampaign.id, AdCampaign.name)
                .where(AdCampaign.seller_id == ctx.seller_id)
                .order_by(AdCampaign.id)
            )
        ]
    return products, campaigns


def _previous_route(turns: Sequence[ConversationTurn]) -> RouteResult | None:
    """The last tool call of the chat's recent turns, as the router's `previous`."""
    for turn in reversed(turns):
        for entry in reversed(turn.tool_calls or []):
            if not isinstance(entry, dict) or not entry.get("tool") or entry.get("also"):
                continue
            candidates = tuple(
                Candidate(str(c.get("kind", "product")), int(c["id"]), str(c["label"]))  # type: ignore[arg-type]
                for c in entry.get("candidates") or []
                if isinstance(c, dict) and "id" in c and "label" in c
            )
            if not entry.get("ok", True) and not candidates:
                continue
            return RouteResult(
                tool=str(entry["tool"]),
                args=dict(entry.get("args") or {}),
                candidates=candidates,
                lang=detect_lang(turn.question),
                period=Period.from_json(entry.get("period")),
                listed=_last_list(turns),
            )
    return None


def _last_list(turns: Sequence[ConversationTurn]) -> tuple[Candidate, ...]:
    """The products the chat's latest list named (a turn since, e.g. the pick of one
    of them, does not hide it: "그 중에 세번째는?" still means that list)."""
    for turn in reversed(turns):
        for entry in reversed(turn.tool_calls or []):
            listed = entry.get("listed") if isinstance(entry, dict) else None
            if listed:
                return tuple(
                    Candidate("product", int(item["id"]), str(item["label"]))
                    for item in listed
                    if isinstance(item, dict) and "id" in item and "label" in item
                )
    return ()


# errors whose store-wide answer (every campaign's, the whole store's) is offered as a button
_OFFERED_GUESS = frozenset({"unplaced", "unknown_campaign"})


def _candidate_buttons(routed: RouteResult) -> list[Button]:
    if routed.tool is None:
        return []
    buttons = []
    for candidate in routed.candidates:
        if candidate.kind == "category":
            args = {**routed.args, "category": candidate.label}
        else:
            key = "product_id" if candidate.kind == "product" else "campaign_id"
            args = {key: candidate.id, **{k: v for k, v in routed.args.items() if k != key}}
        buttons.append(Button(candidate.label, routed.tool, args))
    return buttons


def _llm_outcome(routed: RouteResult, ran: bool) -> TurnOutcome:
    """A model's answer: answered when a tool's result is in it; without one, the
    router's outcome for the question when the router had no tool to answer with
    either, else clarify (the model asked back instead of running the tool)."""
    if ran:
        return TurnOutcome.ANSWERED
    if routed.outcome is not TurnOutcome.ANSWERED:
        return routed.outcome
    return TurnOutcome.CLARIFY


def _default_button(ctx: TurnContext, tool: str) -> Button | None:
    """A button running `tool` with its defaults (its default period as of now), labelled
    with the tool's label; None when the tool is unknown or disabled."""
    spec = ctx.prompts.tool(tool)
    if tool not in CATALOG or spec is None or not spec.enabled:
        return None
    entry = CATALOG[tool]
    if entry.entity is not None or entry.free_text:
        return None
    args: dict[str, Any] = entry.defaults()
    if entry.default_period is not None:
        period = default_period(entry.default_period, now=ctx.now, tz=ctx.tz)
        args["start"], args["end"] = period.start.isoformat(), period.end.isoformat()
    return Button(spec.label_for(ctx.lang), tool, args)


def _hint(ctx: TurnContext, routed: RouteResult) -> str | None:
    """What the catalogue says about names in the question, for the model (it cannot
    know product or campaign ids otherwise)."""
    notes = []
    if "product_id" in routed.args:
        notes.append(f"catalogue: product_id {routed.args['product_id']}")
    if "campaign_id" in routed.args:
        notes.append(f"campaign_id {routed.args['campaign_id']}")
    if routed.candidates:
        listed = "; ".join(f"{c.kind}_id {c.id} = {mark(c.label)}" for c in routed.candidates)
        notes.append(f"possible matches: {listed}")
    if routed.error is not None and routed.error.key == "unknown_product" and not routed.candidates:
        notes.append("no product in the catalogue matches the name asked about")
    return "; ".join(notes) or None


def _offer(
    ctx: TurnContext, text: str, turns: Sequence[ConversationTurn], routed: RouteResult
) -> tuple[list[str], list[dict[str, Any]]]:
    """The tools the model is offered for this question (tools.offer), and the runs
    whose results the template phrases: the router's own reading of the question
    (tool and arguments), unless the model writes the answer from the result (advice,
    an inquiry draft). A model that asks for just that makes the turn's only request;
    one that reads the question otherwise phrases its results itself."""
    previous = _previous_route(turns)
    offer = offered(
        routed.tool,
        previous.tool if previous is not None else None,
        [name for name, _ in ranked_tools(text, prompts=ctx.prompts)],
        [spec.name for spec in ctx.prompts.enabled_tools()],
    )
    tool = routed.tool if routed.error is None else None
    if tool is None or CATALOG[tool].free_text:
        return offer, []
    try:
        templated = [
            {"tool": tool, "args": registry.args_json(registry.validate(tool, args, ctx.prompts))}
            for args in (routed.args, *routed.also)
        ]
    except (registry.ToolArgsError, registry.ToolUnavailableError):
        return offer, []
    return offer, templated


def _with_inquiry_marked(text: str, routed: RouteResult) -> str:
    """The question with a customer's inquiry quoted in it marked as data."""
    inquiry = routed.args.get("inquiry") if routed.tool == "inquiry_draft" else None
    if not isinstance(inquiry, str) or inquiry.strip() == text.strip():
        return text
    return mark_within(text, inquiry)


def _tool_call(run: registry.ToolRun) -> ToolCall:
    return ToolCall(run.tool, dict(run.args), run.result.model_dump(mode="json"))


def _record(run: registry.ToolRun) -> dict[str, Any]:
    record: dict[str, Any] = {
        "tool": run.tool,
        "args": dict(run.args),
        "result": summary_of(run),
        "ok": True,
    }
    if run.period is not None:
        record["period"] = run.period.to_json()
    listed = _listed(run)
    if listed:
        record["listed"] = listed
    return record


def _listed(run: registry.ToolRun) -> list[dict[str, Any]]:
    """The products a result listed, in order ({id, label}), for "the second one":
    every item of the result that names a `product_id` (top_products, stock_report...)."""
    items = getattr(run.result, "items", None)
    if not isinstance(items, list):
        return []
    listed = []
    for item in items:
        product_id = getattr(item, "product_id", None)
        if isinstance(product_id, int):
            label = getattr(item, "name", None) or str(product_id)
            listed.append({"id": product_id, "label": str(label)})
    return listed


def _command_text(tool: str, args: Mapping[str, Any]) -> str:
    shown = " ".join(f"{key}={value}" for key, value in args.items())
    return f"/{tool} {shown}".strip()


def _sources(ctx: TurnContext, question: str, calls: Sequence[AgentCall]) -> list[Any]:
    """What the answer guard checks a model's answer against (tools.guard.check_answer)."""
    sources: list[Any] = [question, ctx.today.isoformat()]
    for call in calls:
        sources.extend((call.args, call.summary))
    return sources


def _plain(text: str) -> str:
    """Plain text: no Markdown emphasis or headings a model may add."""
    return _HEADING.sub("", _MARKUP.sub("", text)).strip()


def _with_freshness(ctx: TurnContext, outcome: _Outcome) -> _Outcome:
    """The answer with how current a connected store's data is (tools.freshness)."""
    note = freshness_note(ctx, outcome.records)
    if note is None:
        return outcome
    return _Outcome(_with(outcome.answer, text=f"{outcome.answer.text}\n\n{note}"), outcome.records)


def _with(answer: Answer, **changes: Any) -> Answer:
    from dataclasses import replace

    return replace(answer, **changes)


__all__ = ["NO_CHAT", "Advisor", "detect_lang"]


def _resolve_period_arg(
    ctx: TurnContext, args: Mapping[str, Any]
) -> tuple[Mapping[str, Any], Period | None]:
    """A button's `period` ("yesterday", "last_week"...) becomes start/end as of now,
    and the typed period the run carries."""
    if "period" not in args:
        return args, None
    rest = {name: value for name, value in args.items() if name != "period"}
    period = default_period(str(args["period"]), now=ctx.now, tz=ctx.tz)
    return {**rest, "start": period.start.isoformat(), "end": period.end.isoformat()}, period
