"""`advisor index rebuild [--seller SLUG]` and `advisor index status`: the vector index.

The index (products, answered inquiries, the playbook) is kept current on its
own: a seller is indexed on first use and after imports, the playbook when its
files change, everything when the EMBEDDING setting changes. `rebuild` starts
a seller (or every seller, and the playbook) from scratch.
"""

from __future__ import annotations

import argparse
import time
from typing import Any

from bot.cli._common import add_command, add_group, open_database
from storage.sellers import get_seller, list_sellers
from storage.settings import get_settings


def register(subparsers: Any, help_text: str) -> None:
    parser = add_group(subparsers, "index", help_text)
    sub = parser.add_subparsers(dest="index_command", metavar="ACTION", required=True)
    rebuild = add_command(
        sub, "rebuild", _rebuild, "index sellers' products and inquiries, and the playbook, anew"
    )
    rebuild.add_argument("--seller", metavar="SLUG", help="only this seller (default: all)")
    add_command(sub, "status", _status, "list the index's collections and their sizes")


def _rebuild(args: argparse.Namespace) -> int:
    from tools.retrieval import Retrieval

    settings = get_settings()
    _, sessions = open_database(settings)
    started = time.perf_counter()
    with sessions() as session:
        sellers = [get_seller(session, args.seller)] if args.seller else list_sellers(session)
        retrieval = Retrieval.open(settings, sessions=sessions)
        print(f"embedding: {retrieval.index.signature}")
        for seller in sellers:
            done = retrieval.rebuild_seller(session, seller.id)
            print(
                f"  {seller.slug:<16} {done.products.written:>7,} products "
                f"{done.inquiries.written:>8,} answered inquiries  {done.seconds:.1f} s"
            )
    if not args.seller:
        passages = retrieval.rebuild_playbook()
        print(f"  playbook         {passages:>7,} passages")
    print(f"done in {time.perf_counter() - started:.1f} s")
    return 0


def _status(_args: argparse.Namespace) -> int:
    from storage.vector import VectorIndex

    settings = get_settings()
    index = VectorIndex.open(settings)
    names = [name for name in index.names() if not name.endswith(".next")]
    if not names:
        print("the index is empty (it fills on first use, or run: advisor index rebuild)")
    for name in names:
        stored = index.client.get_collection(name, embedding_function=None)
        built = (stored.metadata or {}).get("embedding", "?")
        print(f"{name:<24} {stored.count():>8,} items  {built}")
    print(f"current embedding: {index.signature}")
    return 0
