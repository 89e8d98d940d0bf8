"""Retrieval over the vector index (ChromaDB): product resolution, the seller
playbook and customer-inquiry drafts.

    from tools.retrieval import Retrieval
    retrieval = Retrieval.open(settings, sessions=sessions)

- `resolve_product(seller_id, mention) -> Resolution(best, candidates, confident)`
  (products.py: per-seller catalogue, embedding search + lexical re-rank);
- `search_playbook(topic, lang, k) -> list[Passage(title, text, source_file, score)]`
  and `tip_for(kind, lang) -> Tip | None` (playbook.py: prompts/knowledge/), the
  kind from an analysis result by its tool's `tip(result)` (tools.catalog);
- `draft_inquiry(session, seller_id, text, lang) -> InquiryDraft(text, product,
  facts, sources, knows)` (inquiries.py: product facts + past answers);
- `refresh_seller` / `rebuild_seller` keep a seller's collections current
  (`refresh_after_import` for the import and seed commands).

Every seller has its own collections (`products-<id>`, `inquiries-<id>`), so a
query for one seller can never return another's data; the playbook is shared.
"""

from tools.retrieval.inquiries import InquiryDraft, PastInquiry
from tools.retrieval.playbook import TIP_KINDS, Passage, Tip
from tools.retrieval.products import ProductRef, Resolution, SyncCounts
from tools.retrieval.service import (
    Retrieval,
    RetrievalHandle,
    SellerSync,
    refresh_after_import,
)

__all__ = [
    "TIP_KINDS",
    "InquiryDraft",
    "Passage",
    "PastInquiry",
    "ProductRef",
    "Resolution",
    "Retrieval",
    "RetrievalHandle",
    "SellerSync",
    "SyncCounts",
    "Tip",
    "refresh_after_import",
]
