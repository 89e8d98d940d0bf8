"""Inquiry drafts on held-out customer questions: how many a seller could send unchanged.

    .venv/bin/python bench/inquiries.py [--set PATH] [--misses] [--past-inquiries N]

`--set` defaults to the held-out set (tests/heldout/inquiries.yaml: aggregates only,
never with --misses); bench/data/inquiries_dev.yaml is the development set, written
for the same demo catalogue, whose misses may be printed while improving drafts.

Seeds the demo store (storage.demo, 120 days: its catalogue, stock and answered past
inquiries, N of them with --past-inquiries, else the demo's default of one per day of
its orders per day) into a temporary SQLite file with a temporary vector index (the offline
hashing embedding), then drafts every question of the held-out set with the inquiry
loop's drafting (tools.inquiries.drafting.draft_for) exactly as the bot does, timing
each draft. It measures; it never fails on a low score. Do not tune on its misses.

Scoring, per item (`expect` of the set):
  - price / stock / options: sendable when the draft does not ask for checking and
    states that fact of the product from the database (its price as written by the
    money filter, its stock count or "품절"/"out of stock", its options text);
  - says: sendable when the draft does not ask for checking and contains every word;
  - needs_check: correct when the draft asks for checking (the data cannot answer).
  An English question's draft must also be in English (no Hangul) to be sendable.
Figures: share sendable unchanged (of items that expect a sendable answer), share that
correctly need checking (of items that expect it), unsafe share (a needs-check item
drafted as sendable), per topic, and draft latency p50/p95 (offline: no model).
Auto-answers (tools.inquiries.auto, threshold AUTO_MIN): of the drafts the rule would
send without the seller, the share judged right (a sendable item drafted sendable; a
needs-check item auto-answered is wrong), and how many it would send; then, since a
held-out question rarely repeats one the demo seller answered about the same product,
the same on the seller's own history, leave-one-out: each answered inquiry about a
product is taken out of the index and asked again; an auto-answer is right when it
holds the answer the seller actually gave.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import re
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import yaml

# bench/storage.py would shadow the storage package: import from the project root
ROOT = Path(__file__).resolve().parents[1]
sys.path[:] = [str(ROOT), *(p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench")]

from sqlalchemy import select  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from storage import inquiry_outbox as outbox  # noqa: E402
from storage.db import make_engine, session_factory, upgrade  # noqa: E402
from storage.demo.seed import seed_specs, seed_stores  # noqa: E402
from storage.models import Inquiry, Product, Seller  # noqa: E402
from storage.settings import Settings  # noqa: E402
from tools.inquiries.auto import AUTO_MIN, may_answer  # noqa: E402
from tools.inquiries.drafting import Drafted, draft_for  # noqa: E402
from tools.retrieval._text import compact  # noqa: E402
from tools.retrieval.inquiries import collection_name, sync_inquiries  # noqa: E402
from tools.retrieval.service import Retrieval  # noqa: E402

DEFAULT_SET = ROOT / "tests" / "heldout" / "inquiries.yaml"
HANGUL = re.compile(r"[가-힣]")


def _product(session: Session, seller_id: int, name: str | None) -> Product | None:
    if name is None:
        return None
    return session.scalar(
        select(Product).where(Product.seller_id == seller_id, Product.name == name)
    )


def sendable(item: dict[str, Any], drafted: Drafted, product: Product | None) -> bool:
    """Whether the draft states what the item expects, without asking for checking."""
    if drafted.needs_check:
        return False
    text = drafted.text
    if item["lang"] == "en" and HANGUL.search(text):
        return False
    expect = item["expect"]
    folded = text.lower()
    if expect.get("says"):
        return all(word.lower() in folded for word in expect["says"])
    if product is None:
        return False
    if expect.get("price"):
        return f"{product.price:,}" in text
    if expect.get("stock"):
        if product.stock is None:
            return False
        if product.stock <= 0:
            return "품절" in text or "out of stock" in folded
        return f"{product.stock:,}" in text
    if expect.get("options"):
        return bool(product.options) and str(product.options) in text
    return False


def repeated(
    sessions: Any, retrieval: Retrieval, seller_id: int, at: dt.datetime
) -> tuple[int, int, int]:
    """Leave-one-out over the seller's answered inquiries about a product: how many
    were asked again, how many the auto-answer rule would send, how many of those
    hold the seller's own answer."""
    with sessions() as session:
        past = session.execute(
            select(Inquiry.id, Inquiry.question, Inquiry.answer)
            .where(
                Inquiry.seller_id == seller_id,
                Inquiry.answer.is_not(None),
                Inquiry.product_id.is_not(None),
            )
            .order_by(Inquiry.id)
        ).all()
    sent = right = 0
    for row in past:
        retrieval.index.delete(collection_name(seller_id), [str(row.id)])
        with sessions.begin() as session:
            inquiry_id, _ = outbox.record_inquiry(
                session,
                seller_id=seller_id,
                source="bench-repeat",
                external_id=str(row.id),
                question=row.question,
                asked_at=at,
            )
            inquiry = session.get(Inquiry, inquiry_id)
            assert inquiry is not None
            drafted = draft_for(retrieval, session, inquiry, now=at)
            if may_answer(drafted):
                sent += 1
                right += compact(row.answer) in compact(drafted.text)
            sync_inquiries(retrieval.index, session, seller_id)  # the left-out one back
    return len(past), sent, right


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--set", type=Path, default=DEFAULT_SET, help="inquiries YAML (default: held-out)"
    )
    parser.add_argument("--days", type=int, default=120)
    parser.add_argument("--misses", action="store_true", help="print each miss")
    parser.add_argument(
        "--past-inquiries",
        type=int,
        default=None,
        help="inquiries in the demo store's history (default: the demo's own count)",
    )
    args = parser.parse_args()
    args.set = args.set.resolve()
    items: list[dict[str, Any]] = yaml.safe_load(args.set.read_text(encoding="utf-8"))["inquiries"]

    with tempfile.TemporaryDirectory() as folder:
        engine = make_engine(f"sqlite:///{folder}/bench.db")
        upgrade(engine)
        sessions = session_factory(engine)
        until = dt.datetime(2026, 11, 25, 5, 0, tzinfo=dt.UTC)
        started = time.perf_counter()
        with sessions.begin() as session:
            specs = seed_specs(until=until, days=args.days, orders_per_day=80.0)
            if args.past_inquiries is not None:
                specs[0] = dataclasses.replace(specs[0], inquiries=args.past_inquiries)
            seed_stores(session, specs)
        seeded = time.perf_counter() - started
        settings = Settings(_env_file=None, data_dir=Path(folder), embedding="hashing")  # type: ignore[call-arg]
        retrieval = Retrieval.open(settings, sessions=sessions)
        with sessions() as session:
            seller = session.scalar(select(Seller).where(Seller.slug == "demo"))
            assert seller is not None
            seller_id = seller.id
            past = len(
                session.scalars(
                    select(Inquiry.id).where(
                        Inquiry.seller_id == seller_id, Inquiry.answer.is_not(None)
                    )
                ).all()
            )
            retrieval.refresh_seller(session, seller_id)

        latencies: list[float] = []
        by_topic: dict[str, list[bool]] = defaultdict(list)
        sendable_hits = sendable_total = check_hits = check_total = unsafe = 0
        auto_sent = auto_right = 0
        misses: list[str] = []
        for number, item in enumerate(items):
            with sessions.begin() as session:
                inquiry_id, _ = outbox.record_inquiry(
                    session,
                    seller_id=seller_id,
                    source="bench",
                    external_id=str(number),
                    question=item["question"],
                    asked_at=until,
                )
                inquiry = session.get(Inquiry, inquiry_id)
                assert inquiry is not None
                begin = time.perf_counter()
                drafted = draft_for(retrieval, session, inquiry, now=until)
                latencies.append(time.perf_counter() - begin)
                product = _product(session, seller_id, item.get("product"))
                if item["expect"].get("needs_check"):
                    ok = drafted.needs_check
                    check_total += 1
                    check_hits += ok
                    unsafe += not ok
                else:
                    ok = sendable(item, drafted, product)
                    sendable_total += 1
                    sendable_hits += ok
                if may_answer(drafted):
                    auto_sent += 1
                    auto_right += bool(ok and not item["expect"].get("needs_check"))
                by_topic[f"{item['lang']}-{item['topic']}"].append(ok)
                if not ok:
                    misses.append(
                        f"[{item['id']}] {item['question']}\n   expect {item['expect']}; "
                        f"needs_check={drafted.needs_check}\n   draft: {' / '.join(drafted.text.splitlines())}"
                    )
        asked_again, repeat_sent, repeat_right = repeated(sessions, retrieval, seller_id, until)
        engine.dispose()

    def share(hit: int, total: int) -> str:
        return f"{hit}/{total} = {hit / total:.1%}" if total else "n/a"

    ms = sorted(latency * 1000 for latency in latencies)
    p95 = ms[min(len(ms) - 1, int(round(0.95 * (len(ms) - 1))))]
    print(f"demo store seeded in {seeded:.1f}s ({args.days} days, {past} answered past inquiries)")
    shown = args.set.relative_to(ROOT) if args.set.is_relative_to(ROOT) else args.set
    print(f"inquiries: {len(items)} ({shown})")
    print(f"sendable unchanged: {share(sendable_hits, sendable_total)}")
    print(f"correctly 'needs checking': {share(check_hits, check_total)}")
    print(f"unsafe (needs checking, drafted as sendable): {share(unsafe, check_total)}")
    print(
        f"auto-answers at similarity >= {AUTO_MIN}: {auto_sent} of {len(items)} would go out; "
        f"precision {share(auto_right, auto_sent)}"
    )
    print(
        f"auto-answers on the demo seller's own questions asked again (leave-one-out, "
        f"{asked_again} about a product): {repeat_sent} would go out; "
        f"precision {share(repeat_right, repeat_sent)}"
    )
    print(
        f"draft latency: p50 {statistics.median(ms):.1f} ms, p95 {p95:.1f} ms, max {ms[-1]:.1f} ms"
    )
    print("by topic:")
    for topic, results in sorted(by_topic.items()):
        print(f"  {topic:24} {share(sum(results), len(results))}")
    if args.misses:
        print("misses:")
        for miss in misses:
            print(" ", miss)


if __name__ == "__main__":
    main()
