"""Held-out score of the answer guard: model-written answers it was not written against.

    .venv/bin/python bench/guard_heldout.py [--set tests/heldout/guard_answers.yaml] [--misses]

Runs tools.guard.check_answer on every answer of tests/heldout/guard_answers.yaml exactly
as tools/advisor.py calls it after a model reply: the sources are the seller's question,
the turn's local date (ISO), then for each tool call of the turn, in order, its arguments
and the model-facing result (`call.summary`). An anchor of the set holds one call's tool,
args and that result; a case's `result` names one anchor or a list of them.

Prints: wrong answers caught (verdict not ok), right answers falsely refused (verdict not
ok), each per kind and per answer language, and with --misses every wrong answer let
through and every right answer refused, with the numbers the guard named. A guard that
raises counts as a miss either way (the seller gets the apology, neither the answer nor
the templated one) and is counted on its own line. It measures; it never fails on a low
score (exit status 0). Never tune the guard on its misses: report the score before and
after a guard change (tests/heldout/README.md).

If tools/advisor.py changes how it calls the guard, change `guard_verdict` to match:
it is the only place that builds the call.
"""

from __future__ import annotations

import argparse
import copy
import sys
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

# bench/storage.py would shadow the storage package: import from the project root
ROOT = Path(__file__).resolve().parents[1]
sys.path[:] = [str(ROOT), *(p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench")]

from tools.guard import check_answer  # noqa: E402

DEFAULT_SET = ROOT / "tests" / "heldout" / "guard_answers.yaml"


@dataclass
class Case:
    id: str
    question: str
    lang: str
    results: list[str]
    answer: str
    expect: str  # accept | reject
    kind: str
    ok: bool | None = None  # the guard's verdict; None when it raised
    detail: str = ""

    @property
    def passed(self) -> bool:
        if self.ok is None:
            return False
        return self.ok if self.expect == "accept" else not self.ok


def load(path: Path) -> tuple[dict[str, Any], list[Case]]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    anchors: dict[str, Any] = data["anchors"]
    cases = []
    for raw in data["cases"]:
        results = raw["result"] if isinstance(raw["result"], list) else [raw["result"]]
        for name in results:
            if name not in anchors:
                raise SystemExit(f"{path}: case {raw['id']}: no anchor {name!r}")
        cases.append(
            Case(
                id=raw["id"],
                question=raw["question"],
                lang=raw["lang"],
                results=results,
                answer=raw["answer"],
                expect=raw["expect"],
                kind=raw["kind"],
            )
        )
    return anchors, cases


def guard_verdict(case: Case, anchors: dict[str, Any]) -> Any:
    """The guard's verdict on the case's answer, called as tools/advisor.py calls it:
    check_answer(reply.text, [text, ctx.today.isoformat(), args, summary, args, summary...])."""
    today = anchors[case.results[0]]["today"]
    sources: list[Any] = [case.question, today]
    for name in case.results:
        anchor = anchors[name]
        sources.extend((copy.deepcopy(anchor["args"]), copy.deepcopy(anchor["result"])))
    return check_answer(case.answer, sources)


def run(path: Path) -> tuple[dict[str, Any], list[Case]]:
    anchors, cases = load(path)
    for case in cases:
        try:
            verdict = guard_verdict(case, anchors)
        except Exception as exc:  # noqa: BLE001 - a crash is a result to report
            case.ok = None
            case.detail = f"raised {type(exc).__name__}: {exc}"
            continue
        case.ok = bool(verdict.ok)
        unsupported = getattr(verdict, "unsupported", None)
        if unsupported:
            case.detail = "unsupported: " + ", ".join(str(u) for u in unsupported)
    return anchors, cases


def _pct(count: int, total: int) -> str:
    share = 100.0 * count / total if total else 0.0
    return f"{count}/{total} ({share:.1f}%)"


def report(anchors: dict[str, Any], cases: list[Case], show_misses: bool) -> None:
    wrong = [c for c in cases if c.expect == "reject"]
    right = [c for c in cases if c.expect == "accept"]
    caught = [c for c in wrong if c.passed]
    refused = [c for c in right if not c.passed]
    crashed = [c for c in cases if c.ok is None]
    print(
        f"held-out guard set: {len(cases)} answers ({len(wrong)} wrong, {len(right)} right) "
        f"over {len(anchors)} tool results"
    )
    print(f"wrong answers caught:           {_pct(len(caught), len(wrong))}")
    print(f"right answers falsely refused:  {_pct(len(refused), len(right))}")
    print(f"guard raised (a miss either way): {len(crashed)}")

    def table(title: str, group: list[Case], key: str, count_passed: bool) -> None:
        groups: dict[str, list[Case]] = defaultdict(list)
        for c in group:
            groups[getattr(c, key)].append(c)
        print(f"\n{title}:")
        for name, members in sorted(groups.items()):
            hits = sum(c.passed if count_passed else not c.passed for c in members)
            print(f"  {name:<26} {_pct(hits, len(members))}")

    table("wrong answers caught, by kind", wrong, "kind", True)
    table("right answers falsely refused, by kind", right, "kind", False)
    table("wrong answers caught, by answer language", wrong, "lang", True)
    table("right answers falsely refused, by answer language", right, "lang", False)

    misses = [c for c in cases if not c.passed]
    let_through = [c for c in wrong if not c.passed]
    print(
        f"\nmisses: {len(misses)} ({len(let_through)} wrong let through, "
        f"{len(refused)} right refused)"
    )
    if not show_misses:
        return
    for title, group in (
        ("wrong answers let through", let_through),
        ("right answers refused", refused),
    ):
        print(f"\n{title}:")
        for c in group:
            print(f"  {c.id} [{c.kind}, {c.lang}] {' + '.join(c.results)}")
            print(f"      question {c.question!r}")
            print(f"      answer   {c.answer!r}")
            if c.detail:
                print(f"      guard    {c.detail}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", type=Path, default=DEFAULT_SET, help="the held-out YAML set")
    parser.add_argument("--misses", action="store_true", help="also list every miss")
    options = parser.parse_args()
    anchors, cases = run(options.set)
    report(anchors, cases, options.misses)
    return 0


if __name__ == "__main__":
    sys.exit(main())
