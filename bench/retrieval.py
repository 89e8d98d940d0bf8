"""Retrieval speed: 10,000 products and 50,000 answered inquiries for one seller.

    .venv/bin/python bench/retrieval.py [--products 10000] [--inquiries 50000] [--queries 300]

Synthetic Korean catalogue (material x item x variant, half with English
names) and inquiries (the demo generator's templates over those products),
indexed with the offline hashing embedding in a temporary Chroma directory.
Prints build times and query latency (p50/p95/max) for product resolution
and for finding similar past inquiries, plus the share of generated mentions
resolved to the product they were made from. Target: p95 under 30 ms.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

# bench/storage.py would shadow the storage package: import from the project root
ROOT = Path(__file__).resolve().parents[1]
sys.path[:] = [str(ROOT), *(p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench")]

from storage.demo.catalog import INQUIRIES  # noqa: E402
from storage.settings import Settings  # noqa: E402
from storage.vector import HashingEmbedding, VectorIndex  # noqa: E402
from tools.retrieval._text import load_lexicon  # noqa: E402
from tools.retrieval.inquiries import index_inquiries, similar_inquiries  # noqa: E402
from tools.retrieval.products import ProductRef, index_products, resolve_product  # noqa: E402

SELLER = 1

MATERIALS = [
    ("스테인리스", "Stainless"), ("유리", "Glass"), ("원목", "Wooden"), ("실리콘", "Silicone"),
    ("도자기", "Ceramic"), ("대나무", "Bamboo"), ("린넨", "Linen"), ("캔버스", "Canvas"),
    ("가죽", "Leather"), ("면", "Cotton"), ("황동", "Brass"), ("무쇠", "Cast Iron"),
    ("법랑", "Enamel"), ("트라이탄", "Tritan"), ("라탄", "Rattan"), ("울", "Wool"),
    ("알루미늄", "Aluminium"), ("옻칠", "Lacquered"), ("티타늄", "Titanium"), ("코튼", "Cotton"),
]  # fmt: skip
ITEMS = [
    ("텀블러", "Tumbler"), ("머그컵", "Mug"), ("도마", "Cutting Board"), ("밀폐용기", "Container"),
    ("수저세트", "Cutlery Set"), ("에코백", "Eco Bag"), ("접시", "Plate"), ("볼", "Bowl"),
    ("냄비", "Pot"), ("프라이팬", "Frying Pan"), ("주전자", "Kettle"), ("쟁반", "Tray"),
    ("행주", "Dish Cloth"), ("앞치마", "Apron"), ("쿠션", "Cushion"), ("바구니", "Basket"),
    ("보틀", "Bottle"), ("도시락", "Lunch Box"), ("컵받침", "Coaster"), ("수납함", "Storage Box"),
    ("트레이", "Serving Tray"), ("소스병", "Sauce Bottle"), ("계량컵", "Measuring Cup"),
    ("찻잔", "Teacup"), ("와인잔", "Wine Glass"),
]  # fmt: skip
VARIANTS = ["S", "M", "L", "350ml", "500ml", "1L", "2P", "4P", "6P", "미니", "대형", "세트"]
COLORS = ["블랙", "화이트", "그레이", "네이비", "베이지", "민트", "핑크", "올리브"]


def catalogue(count: int, rng: random.Random) -> list[ProductRef]:
    products: list[ProductRef] = []
    seen: set[str] = set()
    while len(products) < count:
        (material, material_en), (item, item_en) = rng.choice(MATERIALS), rng.choice(ITEMS)
        variant = rng.choice(VARIANTS)
        series = rng.randint(1, 60)
        name = f"{material} {item} {variant} {series}호"
        if name in seen:
            continue
        seen.add(name)
        english = f"{material_en} {item_en} {variant} No.{series}" if rng.random() < 0.5 else None
        colors = " / ".join(rng.sample(COLORS, 3))
        number = len(products) + 1
        products.append(
            ProductRef(number, f"BN-{number:05d}", name, english, item, f"색상: {colors}")
        )
    return products


@dataclass(frozen=True, slots=True)
class PastRow:
    id: int
    question: str
    answer: str | None
    product_id: int | None


def inquiries(count: int, products: list[ProductRef], rng: random.Random) -> list[PastRow]:
    rows = []
    for number in range(1, count + 1):
        _, question, answer = rng.choice(INQUIRIES)
        product = rng.choice(products)
        if "{product}" in question:
            rows.append(
                PastRow(number, question.format(product=product.name),
                        answer.format(product=product.name), product.id)
            )  # fmt: skip
        else:
            rows.append(PastRow(number, question, answer.replace("{product}", "해당 상품"), None))
    return rows


def mention(product: ProductRef, rng: random.Random) -> tuple[str, tuple[str, ...]]:
    """How a seller might name the product (partial, glued, the SKU, in a
    question), and the name words it keeps (several products may share them)."""
    words = product.name.split()
    style = rng.randrange(4)
    if style == 0:
        return " ".join(words[1:4]), tuple(words[1:4])  # item variant series
    if style == 1:
        return "".join(words[:2]) + " " + words[3], (words[0], words[1], words[3])
    if style == 2:
        return product.sku.lower(), (product.sku,)
    return f"{' '.join(words)} 요즘 어때?", tuple(words)


def sharing(products: list[ProductRef]) -> dict[tuple[str, ...], int]:
    """How many products have each combination of name words a mention keeps."""
    counts: dict[tuple[str, ...], int] = {}
    for product in products:
        words = product.name.split()
        keys = [tuple(words[1:4]), (words[0], words[1], words[3]), (product.sku,), tuple(words)]
        for key in keys:
            counts[key] = counts.get(key, 0) + 1
    return counts


def percentiles(samples: list[float]) -> str:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]
    return (
        f"p50 {statistics.median(ordered) * 1000:6.1f} ms   p95 {p95 * 1000:6.1f} ms   "
        f"max {ordered[-1] * 1000:6.1f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--products", type=int, default=10_000)
    parser.add_argument("--inquiries", type=int, default=50_000)
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    lexicon = load_lexicon(ROOT / "prompts" / "product_words.yaml")

    products = catalogue(args.products, rng)
    past = inquiries(args.inquiries, products, rng)
    names = {p.id: (p.name, p.name_en) for p in products}
    with tempfile.TemporaryDirectory(prefix="retrieval-bench-") as folder:
        path = Path(folder)
        started = time.perf_counter()
        index = VectorIndex.open(Settings(data_dir=path), embedding=HashingEmbedding(), path=path)
        print(f"open index (Chroma client): {time.perf_counter() - started:.2f} s")

        started = time.perf_counter()
        index_products(index, SELLER, products)
        built_products = time.perf_counter() - started
        print(f"index {len(products):,} products: {built_products:.1f} s")
        started = time.perf_counter()
        index_inquiries(index, SELLER, past, names)
        built_inquiries = time.perf_counter() - started
        print(f"index {len(past):,} answered inquiries: {built_inquiries:.1f} s")
        print(f"build total: {built_products + built_inquiries:.1f} s")

        # product resolution
        chosen = [rng.choice(products) for _ in range(args.queries)]
        made = [mention(product, rng) for product in chosen]
        shared = sharing(products)
        resolve_product(index, SELLER, made[0][0], lexicon)  # warm the caches once
        times, unique, right, ambiguous, unsure = [], 0, 0, 0, 0
        for product, (text, key) in zip(chosen, made, strict=True):
            started = time.perf_counter()
            found = resolve_product(index, SELLER, text, lexicon)
            times.append(time.perf_counter() - started)
            if shared[key] == 1:
                unique += 1
                right += found.best is not None and found.best.id == product.id
            else:
                ambiguous += 1
                unsure += not found.confident
        print(f"resolve_product ({len(times)} mentions): {percentiles(times)}")
        print(f"  top-1 correct: {right}/{unique} mentions that name one product")
        print(f"  not confident: {unsure}/{ambiguous} mentions several products share")

        # similar inquiries
        questions = []
        for _ in range(args.queries):
            _, question, _ = rng.choice(INQUIRIES)
            product = rng.choice(products)
            questions.append((question.format(product=product.name), product))
        started = time.perf_counter()
        similar_inquiries(index, SELLER, questions[0][0], product=questions[0][1])
        print(f"first inquiry search (builds the word-rarity table): "
              f"{time.perf_counter() - started:.2f} s")  # fmt: skip
        times = []
        for question, product in questions:
            started = time.perf_counter()
            similar_inquiries(index, SELLER, question, product=product, lexicon=lexicon)
            times.append(time.perf_counter() - started)
        print(f"similar_inquiries ({len(times)} questions): {percentiles(times)}")

        started = time.perf_counter()
        reopened = VectorIndex.open(
            Settings(data_dir=path), embedding=HashingEmbedding(), path=path
        )
        reopened.count(f"products-{SELLER}")
        print(f"reopen persisted index: {time.perf_counter() - started:.2f} s")


if __name__ == "__main__":
    main()
