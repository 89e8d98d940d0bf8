"""Held-out score of the offline router: fresh seller questions it was not written against.

    .venv/bin/python bench/heldout.py [--set tests/heldout/questions.yaml] [--no-misses]

Routes every question of tests/heldout/questions.yaml with tools.router.route exactly as
tests/test_router.py does (same `now`, timezone, catalogue and campaigns from the set;
the turns of a `conversation` get the previous turn's RouteResult as `previous`) and
prints the overall score, the score per tag, per expected outcome and per expected
tool, and the misses (question, expected, got). It measures; it never fails on a low
score (exit status 0). Never fix its misses one by one: report the score before and
after a router change (tests/heldout/README.md).

Scoring rule. A case (one turn) passes when
  (a) its outcome matches. The outcome of a RouteResult is its `outcome` attribute when
      it has one; otherwise it is derived from its fields only (OUTCOME_BY_ERROR below):
        tool set and no error                        -> answered
        error key in the table                       -> that outcome
        other error key, or no error, with candidates -> clarify
        other error key with the tool set            -> clarify (understood, needs input)
        tool None, no error / empty / not-understood -> not_understood
  (b) for an expected "answered": the tool is the expected one and every argument the
      case lists equals the router's argument (dates compared as ISO strings; a subset
      match: arguments the case does not list are not checked);
  (c) when the case lists `compare` and the router exposes a comparison window (an
      attribute `period` whose `previous` or `comparison` has start/end, and cut_at
      when the case lists one), that window equals `compare` (`compare.also` is not
      scored). When no result exposes a `period` at all, the comparison score is
      "not available" and (c) is skipped rather than failed.
Three figures: overall = (a)+(b)+(c where exposed); routing without comparison =
(a)+(b); comparison (where exposed) = (c) over the cases that list `compare`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import yaml

# bench/storage.py would shadow the storage package: import from the project root
ROOT = Path(__file__).resolve().parents[1]
sys.path[:] = [str(ROOT), *(p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench")]

from tools.prompts import PromptStore  # noqa: E402
from tools.router import CampaignRef, ProductRef, RouteResult, route  # noqa: E402

DEFAULT_SET = ROOT / "tests" / "heldout" / "questions.yaml"

# -- outcome of a RouteResult (used only when it has no `outcome` attribute) -----------

OUTCOME_BY_ERROR: dict[str, str] = {
    # the question is about the store but needs a choice or a fix from the seller
    "ambiguous_product": "clarify",
    "product_needed": "clarify",
    "unknown_product": "clarify",
    "ambiguous_campaign": "clarify",
    "campaign_needed": "clarify",
    "unknown_campaign": "clarify",
    "invalid_date": "clarify",
    "range_reversed": "clarify",
    "future": "clarify",
    "too_long": "clarify",
    "ambiguous_period": "clarify",
    "unresolved_period": "clarify",
    "period_needed": "clarify",
    "no_previous": "clarify",
    "clarify": "clarify",
    # the store data does not hold what was asked (or the analysis is switched off)
    "unsupported": "unsupported",
    "not_available": "unsupported",
    "unavailable": "unsupported",
    "no_data_source": "unsupported",
    "out_of_scope": "unsupported",
    "tool_disabled": "unsupported",
    # nothing to work with
    "empty": "not_understood",
    "not_understood": "not_understood",
    "text_too_long": "not_understood",
}
OUTCOMES = ("answered", "clarify", "unsupported", "not_understood")


def outcome_of(result: RouteResult) -> str:
    own = getattr(result, "outcome", None)
    if own is not None:
        return str(getattr(own, "value", own))
    error = result.error
    if error is None:
        if result.tool is not None:
            return "answered"
        return "clarify" if result.candidates else "not_understood"
    if error.key in OUTCOME_BY_ERROR:
        return OUTCOME_BY_ERROR[error.key]
    if result.candidates or result.tool is not None:
        return "clarify"
    return "not_understood"


# -- values ----------------------------------------------------------------------------


def _iso(value: Any) -> Any:
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    return value


def _get(obj: Any, name: str) -> Any:
    if obj is None:
        return None
    if isinstance(obj, dict):
        return obj.get(name)
    return getattr(obj, name, None)


def _window(result: RouteResult, now: dt.datetime, tz: ZoneInfo) -> dict[str, Any] | None:
    """The comparison window the result exposes, as ISO strings, or None. A typed
    analytics.periods.Period gives it through `period.window(now, tz).previous()`
    (cut at its `now` when that falls on its last day)."""
    period = _get(result, "period")
    if period is not None and hasattr(period, "window"):
        compared = period.window(now, tz).previous()
        local = compared.now.astimezone(tz)
        cut = local.isoformat() if local.date() == compared.end else None
        return {"start": compared.start.isoformat(), "end": compared.end.isoformat(), "cut_at": cut}
    window = _get(period, "previous") or _get(period, "comparison")
    if window is None or _get(window, "start") is None:
        return None
    return {
        "start": _iso(_get(window, "start")),
        "end": _iso(_get(window, "end")),
        "cut_at": _iso(_get(window, "cut_at")),
    }


def _same_instant(a: Any, b: Any) -> bool:
    try:
        return dt.datetime.fromisoformat(str(a)) == dt.datetime.fromisoformat(str(b))
    except ValueError:
        return str(a) == str(b)


# -- the set -----------------------------------------------------------------------------


@dataclass
class Turn:
    q: str
    expected: dict[str, Any]
    where: str  # "#12" or "#40.2" (case, turn)
    tags: list[str] = field(default_factory=list)
    got: RouteResult | None = None
    crash: str | None = None
    got_outcome: str = ""
    routing_ok: bool = False
    compare_ok: bool | None = None  # None: not checked
    window: dict[str, Any] | None = None  # the comparison window the result exposed

    @property
    def passed(self) -> bool:
        return self.routing_ok and self.compare_ok is not False


def load(path: Path) -> tuple[dict[str, Any], list[list[Turn]]]:
    data: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    conversations: list[list[Turn]] = []
    for n, case in enumerate(data["cases"], 1):
        if "conversation" in case:
            turns = case["conversation"]
            conversations.append(
                [
                    Turn(t["q"], t, f"#{n}.{i}", list(t.get("tags", [])))
                    for i, t in enumerate(turns, 1)
                ]
            )
        else:
            conversations.append([Turn(case["q"], case, f"#{n}", list(case.get("tags", [])))])
    return data, conversations


def _routing_ok(expected: dict[str, Any], got: RouteResult, got_outcome: str) -> bool:
    if got_outcome != expected["outcome"]:
        return False
    if expected["outcome"] != "answered":
        return True
    if got.tool != expected["tool"]:
        return False
    args = got.args or {}
    for name, want in (expected.get("args") or {}).items():
        if name not in args:
            return False
        if want is None or isinstance(want, bool | int | float):
            if args[name] != want:
                return False
        elif str(_iso(want)) != str(_iso(args[name])):
            return False
    return True


def _compare_ok(expected: dict[str, Any], window: dict[str, Any] | None) -> bool:
    want = expected["compare"]
    if window is None:
        return False
    if str(_iso(want["start"])) != window["start"] or str(_iso(want["end"])) != window["end"]:
        return False
    if "cut_at" in want:
        return window["cut_at"] is not None and _same_instant(want["cut_at"], window["cut_at"])
    return True


def run(path: Path) -> tuple[list[Turn], bool]:
    data, conversations = load(path)
    now = dt.datetime.fromisoformat(str(data["now"]))
    tz = ZoneInfo(data["timezone"])
    catalogue = [  # with the category the set gives each product (the router reads it)
        ProductRef(p["id"], p["name"], p.get("name_en"), p.get("sku"), p.get("category"))
        for p in data["catalogue"]
    ]
    campaigns = [CampaignRef(c["id"], c["name"]) for c in data["campaigns"]]
    prompts = PromptStore()

    turns: list[Turn] = []
    exposed = False
    for conversation in conversations:
        previous: RouteResult | None = None
        for turn in conversation:
            try:
                got = route(
                    turn.q,
                    now=now,
                    tz=tz,
                    catalogue=catalogue,
                    campaigns=campaigns,
                    previous=previous,
                    prompts=prompts,
                )
            except Exception as exc:  # measure, do not stop: a crash is a miss
                turn.crash = f"{type(exc).__name__}: {exc}"
                turn.got_outcome = "crash"
                previous = None
                turns.append(turn)
                continue
            previous = got
            turn.got = got
            turn.got_outcome = outcome_of(got)
            turn.routing_ok = _routing_ok(turn.expected, got, turn.got_outcome)
            exposed = exposed or hasattr(got, "period")
            turns.append(turn)
    if exposed:
        for turn in turns:
            if "compare" in turn.expected:
                turn.window = _window(turn.got, now, tz) if turn.got is not None else None
                turn.compare_ok = _compare_ok(turn.expected, turn.window)
    return turns, exposed


# -- report ------------------------------------------------------------------------------


def _pct(passed: int, total: int) -> str:
    return f"{passed}/{total} = {passed / total:.1%}" if total else "0/0"


def _expected_text(turn: Turn) -> str:
    e = turn.expected
    text = e["outcome"]
    if e["outcome"] == "answered":
        text += f" {e['tool']} {e.get('args') or {}}"
    if "compare" in e:
        c = {k: v for k, v in e["compare"].items() if k != "also"}
        text += f" compare {c}"
    return text


def _got_text(turn: Turn) -> str:
    if turn.crash:
        return f"crash {turn.crash}"
    got = turn.got
    assert got is not None
    text = f"{turn.got_outcome} {got.tool} {got.args}"
    if got.error is not None:
        text += f" error={got.error.key}"
    if got.candidates:
        text += f" candidates={[c.id for c in got.candidates]}"
    if turn.compare_ok is False:
        text += f" window={turn.window}"
    return text


def report(turns: list[Turn], exposed: bool, show_misses: bool) -> None:
    total = len(turns)
    overall = sum(t.passed for t in turns)
    routing = sum(t.routing_ok for t in turns)
    compared = [t for t in turns if t.compare_ok is not None]
    print(f"held-out router set: {total} questions")
    print(f"overall:                      {_pct(overall, total)}")
    print(f"routing without comparison:   {_pct(routing, total)}")
    if exposed:
        print(
            f"comparison (where exposed):   {_pct(sum(bool(t.compare_ok) for t in compared), len(compared))}"
        )
    else:
        n = sum("compare" in t.expected for t in turns)
        print(
            f"comparison (where exposed):   not available (no `period` on RouteResult; {n} cases list one)"
        )

    def table(title: str, groups: dict[str, list[Turn]]) -> None:
        print(f"\nby {title}:")
        for name, group in sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[0])):
            print(f"  {name:<20} {_pct(sum(t.passed for t in group), len(group))}")

    by_tag: dict[str, list[Turn]] = defaultdict(list)
    by_outcome: dict[str, list[Turn]] = defaultdict(list)
    by_tool: dict[str, list[Turn]] = defaultdict(list)
    for t in turns:
        for tag in t.tags:
            by_tag[tag].append(t)
        by_outcome[t.expected["outcome"]].append(t)
        if t.expected["outcome"] == "answered":
            by_tool[t.expected["tool"]].append(t)
    table("expected outcome", by_outcome)
    table("expected tool (answered)", by_tool)
    table("tag", by_tag)

    confusion = Counter((t.expected["outcome"], t.got_outcome) for t in turns)
    print("\noutcomes (expected -> got):")
    for (want, got), n in sorted(confusion.items()):
        print(f"  {want:<15} -> {got:<15} {n}")

    misses = [t for t in turns if not t.passed]
    print(f"\nmisses: {len(misses)}")
    if show_misses:
        for t in misses:
            print(f"  {t.where} {t.q!r}")
            print(f"      expected {_expected_text(t)}")
            print(f"      got      {_got_text(t)}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", type=Path, default=DEFAULT_SET, help="the held-out YAML set")
    parser.add_argument("--no-misses", action="store_true", help="print the figures only")
    options = parser.parse_args()
    turns, exposed = run(options.set)
    report(turns, exposed, not options.no_misses)
    return 0


if __name__ == "__main__":
    sys.exit(main())
