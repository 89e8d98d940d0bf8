"""Customer inquiries answered from Telegram: the loop, independent of where they come from.

    a source (InquirySource) ──▶ storage (inquiries, status `new`)
        ──▶ draft (drafting: product and order facts, the seller's past answers, the guard)
        ──▶ a card in the seller's chat (bot.inquiry_flow) ──▶ ✅ / ✏️ / 건너뛰기
        ──▶ the answer outbox (storage.inquiry_outbox) ──▶ posted once (loop.post_answers)

A source is anything that yields customer questions and takes answers, registered in
bot.inquiry_flow.sources_for: Telegram Business chats (bot.business_source; questions
arrive as updates) and the Naver Commerce Q&A and customer inquiries
(bot.naver_inquiry_source; questions are pulled: `fetch_new`). The bot never answers a
customer by itself: an answer is posted only after the seller approved it, or, when the
seller turned it on, under the narrow rule of tools.inquiries.auto.
"""
