"""Fake shop content for the generator: Korean product catalogs, search keywords,
ad campaigns, customer names and inquiry templates.

This is demo *data* (what a Korean seller's store would contain), not text the
advisor shows; the advisor's own wording lives in prompts/.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ProductSeed:
    name: str
    name_en: str | None
    category: str
    price: int
    options: str | None = None


@dataclass(frozen=True, slots=True)
class Theme:
    """One kind of shop: its products, the keywords visitors search for, its ads."""

    key: str
    shop_name: str
    products: tuple[ProductSeed, ...]
    # (keyword, relative weight); every keyword here matches at least one product name
    keywords: tuple[tuple[str, float], ...]
    campaigns: tuple[tuple[str, str], ...]  # (name, channel)


def _p(
    name: str, name_en: str | None, category: str, price: int, options: str | None = None
) -> ProductSeed:
    return ProductSeed(name, name_en, category, price, options)


_COLORS = "색상: 블랙 / 화이트 / 민트"
_GRIND = "분쇄: 홀빈 / 핸드드립 / 에스프레소"

DEMO = Theme(
    key="lifestyle",
    shop_name="데모 상점",
    products=(
        _p("스테인리스 텀블러 350ml", "Stainless Tumbler 350ml", "텀블러·보틀", 14_900, _COLORS),
        _p("스테인리스 텀블러 500ml", "Stainless Tumbler 500ml", "텀블러·보틀", 17_900, _COLORS),
        _p("대용량 보틀 1L", "Large Water Bottle 1L", "텀블러·보틀", 19_800, "색상: 투명 / 스모크"),
        _p(
            "빨대 텀블러 600ml",
            "Straw Tumbler 600ml",
            "텀블러·보틀",
            16_500,
            "색상: 핑크 / 그린 / 아이보리",
        ),
        _p("보온 도시락 보틀", "Insulated Food Jar", "텀블러·보틀", 24_900, "용량: 400ml"),
        _p("캠핑 머그 텀블러", "Camping Mug Tumbler", "텀블러·보틀", 13_900, "색상: 올리브 / 샌드"),
        _p("유아용 빨대컵", None, "텀블러·보틀", 11_900, "색상: 옐로 / 스카이"),
        _p("차량용 텀블러 거치대", "Car Tumbler Holder", "텀블러·보틀", 8_900),
        _p("도자기 머그컵", "Ceramic Mug", "머그·컵", 12_000, "색상: 크림 / 네이비"),
        _p("유리컵 2P 세트", "Glass Cup Set of 2", "머그·컵", 15_800),
        _p("내열 유리 티컵", "Heat-resistant Glass Teacup", "머그·컵", 9_800),
        _p("에스프레소 잔 세트", "Espresso Cup Set", "머그·컵", 18_900),
        _p(
            "머그컵 선물세트 (2입)",
            "Mug Gift Set (2 pcs)",
            "머그·컵",
            26_000,
            "포장: 기본 / 선물 포장",
        ),
        _p("스태킹 컵 4P", "Stacking Cups 4 pcs", "머그·컵", 21_900),
        _p("콜롬비아 원두 200g", "Colombia Coffee Beans 200g", "커피·차", 13_500, _GRIND),
        _p("에티오피아 원두 200g", "Ethiopia Coffee Beans 200g", "커피·차", 14_500, _GRIND),
        _p(
            "하우스 블렌드 원두 1kg 대용량",
            "House Blend Coffee Beans 1kg",
            "커피·차",
            39_000,
            _GRIND,
        ),
        _p("드립백 커피 10개입", "Drip Bag Coffee 10 pcs", "커피·차", 9_900),
        _p("드립백 커피 30개입", "Drip Bag Coffee 30 pcs", "커피·차", 26_900),
        _p("콜드브루 원액 500ml", "Cold Brew Concentrate 500ml", "커피·차", 15_900),
        _p("캐모마일 티백 20입", "Chamomile Tea 20 bags", "커피·차", 8_500),
        _p("유자차 1kg", "Citron Tea 1kg", "커피·차", 12_900),
        _p("보리차 티백 대용량 100입", None, "커피·차", 11_900),
        _p("홍차 선물세트", "Black Tea Gift Set", "커피·차", 32_000, "포장: 기본 / 선물 포장"),
        _p("구운 견과류 한줌 25봉", "Daily Nuts 25 packs", "간식", 23_900),
        _p("견과류 대용량 1kg", "Mixed Nuts 1kg", "간식", 29_900),
        _p("수제 그래놀라 500g", "Homemade Granola 500g", "간식", 12_800, "맛: 오리지널 / 초코"),
        _p("쌀과자 10봉", None, "간식", 7_900),
        _p("말린 과일 믹스 300g", "Dried Fruit Mix 300g", "간식", 10_900),
        _p("다크 초콜릿 바 5입", "Dark Chocolate Bars 5 pcs", "간식", 11_500),
        _p("수제 쿠키 선물세트", "Handmade Cookie Gift Set", "간식", 24_000),
        _p("꿀 스틱 30개입", "Honey Sticks 30 pcs", "간식", 18_900),
        _p("유리 밀폐용기 4종 세트", "Glass Food Containers Set of 4", "주방용품", 29_900),
        _p("실리콘 밀폐용기", "Silicone Food Container", "주방용품", 8_900, "용량: 500ml / 1L"),
        _p("원목 도마", "Wooden Cutting Board", "주방용품", 22_000, "사이즈: M / L"),
        _p("스테인리스 수저세트", "Stainless Cutlery Set", "주방용품", 16_900),
        _p("실리콘 주걱", None, "주방용품", 6_900),
        _p("핸드드립 주전자", "Pour-over Kettle", "주방용품", 34_000),
        _p("드리퍼 & 서버 세트", "Dripper & Server Set", "주방용품", 27_500),
        _p("수동 커피 그라인더", "Manual Coffee Grinder", "주방용품", 45_000),
        _p("주방 행주 5매", None, "주방용품", 7_500),
        _p("원목 냄비 받침", "Wooden Trivet", "주방용품", 5_900),
        _p(
            "커피 & 머그 선물세트",
            "Coffee & Mug Gift Set",
            "선물세트",
            39_000,
            "포장: 기본 / 선물 포장",
        ),
        _p(
            "명절 견과 선물세트",
            "Holiday Nuts Gift Set",
            "선물세트",
            45_000,
            "포장: 기본 / 보자기 포장",
        ),
        _p("티 & 쿠키 선물세트", "Tea & Cookie Gift Set", "선물세트", 35_000),
        _p("텀블러 선물세트", "Tumbler Gift Set", "선물세트", 32_900, _COLORS),
        _p("드립백 선물세트 20입", "Drip Bag Gift Set 20 pcs", "선물세트", 22_000),
        _p("천연 수세미 3입", None, "생활용품", 6_500),
        _p("대나무 칫솔 4입", "Bamboo Toothbrush 4 pcs", "생활용품", 8_800),
        _p("캔버스 에코백", "Canvas Eco Bag", "생활용품", 12_900, "색상: 네이비 / 베이지"),
        _p("캠핑 접이식 컵", "Foldable Camping Cup", "생활용품", 9_900),
        _p("보냉백", "Cooler Bag", "생활용품", 18_900, "사이즈: M / L"),
        _p("피크닉 매트", "Picnic Mat", "생활용품", 21_900),
        _p("텀블러 세척솔", "Tumbler Cleaning Brush", "생활용품", 4_900),
        _p(
            "디퓨저 200ml",
            "Reed Diffuser 200ml",
            "생활용품",
            19_900,
            "향: 우드 / 시트러스 / 라벤더",
        ),
        _p("소이 향초", "Soy Scented Candle", "생활용품", 16_900, "향: 우드 / 시트러스"),
        _p("면 손수건 3매", None, "생활용품", 9_900),
        _p("리유저블 빨대 세트", "Reusable Straw Set", "생활용품", 7_900),
        _p("런치박스", "Lunch Box", "생활용품", 15_900, "색상: 그레이 / 베이지"),
        _p("미니 가습기", "Mini Humidifier", "생활용품", 29_000),
    ),
    keywords=(
        ("텀블러", 10.0),
        ("선물세트", 8.0),
        ("원두", 7.0),
        ("드립백", 6.0),
        ("머그컵", 5.0),
        ("대용량", 5.0),
        ("견과류", 4.0),
        ("밀폐용기", 3.0),
        ("보틀", 3.0),
        ("그래놀라", 2.0),
        ("캠핑", 2.0),
        ("유리컵", 2.0),
        ("수저세트", 1.5),
        ("콜드브루", 1.5),
        ("디퓨저", 1.0),
    ),
    campaigns=(
        ("텀블러 검색광고", "search"),
        ("선물세트 쇼핑광고", "shopping"),
        ("원두 정기배송 디스플레이", "display"),
        ("리타게팅", "retargeting"),
        ("브랜드 키워드", "search"),
        ("신상품 SNS 광고", "social"),
    ),
)


def _variants(
    base: str,
    base_en: str | None,
    category: str,
    price: int,
    variants: tuple[tuple[str, float], ...],
) -> tuple[ProductSeed, ...]:
    out = []
    for suffix, multiplier in variants:
        variant_price = max(1_000, int(round(price * multiplier, -3)) - 100)
        name_en = f"{base_en} {suffix}" if base_en else None
        out.append(ProductSeed(f"{base} {suffix}", name_en, category, variant_price))
    return tuple(out)


def _theme_products(
    rows: tuple[tuple[str, str | None, str, int, tuple[tuple[str, float], ...]], ...],
) -> tuple[ProductSeed, ...]:
    return tuple(product for row in rows for product in _variants(*row))


BEAUTY = Theme(
    key="beauty",
    shop_name="글로우랩",
    products=_theme_products(
        (
            ("수분 크림", "Moisture Cream", "스킨케어", 24_000, (("50ml", 1.0), ("100ml", 1.7))),
            (
                "진정 토너",
                "Calming Toner",
                "스킨케어",
                18_000,
                (("200ml", 1.0), ("500ml 대용량", 1.9)),
            ),
            ("비타민 세럼", "Vitamin Serum", "스킨케어", 29_000, (("30ml", 1.0), ("50ml", 1.5))),
            (
                "선크림 SPF50+",
                "Sunscreen SPF50+",
                "스킨케어",
                19_000,
                (("50ml", 1.0), ("2개 세트", 1.8)),
            ),
            (
                "클렌징 폼",
                "Cleansing Foam",
                "스킨케어",
                12_000,
                (("150ml", 1.0), ("300ml 대용량", 1.7)),
            ),
            ("시트 마스크", "Sheet Mask", "스킨케어", 15_000, (("10매", 1.0), ("30매", 2.6))),
            ("립 틴트", "Lip Tint", "메이크업", 13_000, (("코랄", 1.0), ("로즈", 1.0))),
            ("쿠션 팩트", "Cushion Compact", "메이크업", 32_000, (("21호", 1.0), ("23호", 1.0))),
            ("아이 팔레트", "Eye Palette", "메이크업", 28_000, (("웜톤", 1.0), ("쿨톤", 1.0))),
            ("핸드크림", "Hand Cream", "바디", 9_000, (("50ml", 1.0), ("3개 선물세트", 2.6))),
            ("바디로션", "Body Lotion", "바디", 17_000, (("300ml", 1.0), ("1L 대용량", 2.4))),
            ("바디워시", "Body Wash", "바디", 14_000, (("500ml", 1.0), ("1L 대용량", 1.7))),
            ("샴푸", "Shampoo", "헤어", 16_000, (("500ml", 1.0), ("1L 대용량", 1.7))),
            ("헤어 에센스", "Hair Essence", "헤어", 19_000, (("100ml", 1.0), ("2개 세트", 1.8))),
            ("두피 스케일러", None, "헤어", 22_000, (("지성용", 1.0), ("건성용", 1.0))),
            (
                "스킨케어 선물세트",
                "Skincare Gift Set",
                "선물세트",
                45_000,
                (("기본", 1.0), ("프리미엄", 1.6)),
            ),
            ("화장솜", None, "소품", 4_000, (("80매", 1.0), ("240매", 2.4))),
            ("메이크업 브러시", "Makeup Brush", "소품", 11_000, (("단품", 1.0), ("5종 세트", 3.0))),
            ("퍼프", "Puff", "소품", 5_000, (("2입", 1.0), ("6입", 2.4))),
            ("여행용 파우치", "Travel Pouch", "소품", 12_000, (("S", 1.0), ("L", 1.3))),
        )
    ),
    keywords=(
        ("크림", 8.0),
        ("선크림", 7.0),
        ("토너", 5.0),
        ("세럼", 5.0),
        ("틴트", 4.0),
        ("쿠션", 4.0),
        ("샴푸", 4.0),
        ("대용량", 3.0),
        ("선물세트", 3.0),
        ("마스크", 3.0),
        ("바디로션", 2.0),
        ("핸드크림", 2.0),
    ),
    campaigns=(
        ("선크림 검색광고", "search"),
        ("쿠션 쇼핑광고", "shopping"),
        ("인스타그램 광고", "social"),
        ("리타게팅", "retargeting"),
        ("브랜드 키워드", "search"),
        ("세럼 디스플레이", "display"),
    ),
)

PETS = Theme(
    key="pets",
    shop_name="멍냥상회",
    products=_theme_products(
        (
            ("연어 사료", "Salmon Dog Food", "사료", 21_000, (("2kg", 1.0), ("6kg 대용량", 2.5))),
            ("양고기 사료", "Lamb Dog Food", "사료", 23_000, (("2kg", 1.0), ("6kg 대용량", 2.5))),
            ("고양이 습식캔", "Wet Cat Food", "사료", 12_000, (("12캔", 1.0), ("24캔", 1.9))),
            ("닭가슴살 져키", "Chicken Jerky", "간식", 8_000, (("100g", 1.0), ("300g", 2.6))),
            ("덴탈껌", "Dental Chews", "간식", 9_000, (("S", 1.0), ("M", 1.2))),
            ("츄르 스틱", None, "간식", 11_000, (("20개입", 1.0), ("50개입", 2.3))),
            (
                "두부 모래",
                "Tofu Cat Litter",
                "위생용품",
                14_000,
                (("7L", 1.0), ("7L 3개 묶음", 2.7)),
            ),
            (
                "벤토나이트 모래",
                "Bentonite Litter",
                "위생용품",
                13_000,
                (("5kg", 1.0), ("10kg", 1.8)),
            ),
            ("배변패드", "Pee Pads", "위생용품", 15_000, (("50매", 1.0), ("100매", 1.8))),
            (
                "강아지 샴푸",
                "Dog Shampoo",
                "위생용품",
                16_000,
                (("300ml", 1.0), ("1L 대용량", 2.2)),
            ),
            ("노즈워크 담요", "Snuffle Mat", "장난감", 19_000, (("S", 1.0), ("L", 1.4))),
            ("낚싯대 장난감", "Cat Teaser Wand", "장난감", 6_000, (("깃털", 1.0), ("방울", 1.0))),
            (
                "골판지 스크래쳐",
                "Cardboard Scratcher",
                "장난감",
                9_000,
                (("일반형", 1.0), ("대형", 1.7)),
            ),
            ("터그 로프", "Tug Rope", "장난감", 7_000, (("S", 1.0), ("L", 1.3))),
            ("하네스", "Harness", "산책용품", 22_000, (("S", 1.0), ("M", 1.1))),
            ("자동 리드줄", "Retractable Leash", "산책용품", 25_000, (("3m", 1.0), ("5m", 1.2))),
            ("산책 가방", None, "산책용품", 18_000, (("블랙", 1.0), ("베이지", 1.0))),
            ("방석 쿠션", "Pet Cushion", "리빙", 29_000, (("M", 1.0), ("L", 1.4))),
            ("자동 급수기", "Water Fountain", "리빙", 35_000, (("1.5L", 1.0), ("3L", 1.3))),
            ("빗", "Grooming Brush", "위생용품", 8_000, (("단모용", 1.0), ("장모용", 1.0))),
        )
    ),
    keywords=(
        ("사료", 9.0),
        ("모래", 7.0),
        ("츄르", 6.0),
        ("배변패드", 5.0),
        ("장난감", 4.0),
        ("스크래쳐", 3.0),
        ("하네스", 3.0),
        ("샴푸", 2.0),
        ("대용량", 3.0),
        ("급수기", 2.0),
        ("져키", 2.0),
    ),
    campaigns=(
        ("사료 검색광고", "search"),
        ("모래 쇼핑광고", "shopping"),
        ("반려인 SNS 광고", "social"),
        ("리타게팅", "retargeting"),
        ("브랜드 키워드", "search"),
        ("간식 디스플레이", "display"),
    ),
)

CAMPING = Theme(
    key="camping",
    shop_name="주말캠핑",
    products=_theme_products(
        (
            ("돔 텐트", "Dome Tent", "텐트·타프", 159_000, (("2인용", 1.0), ("4인용", 1.5))),
            ("헥사 타프", "Hexa Tarp", "텐트·타프", 89_000, (("M", 1.0), ("L", 1.3))),
            (
                "그라운드 시트",
                "Ground Sheet",
                "텐트·타프",
                29_000,
                (("2인용", 1.0), ("4인용", 1.4)),
            ),
            (
                "경량 체어",
                "Lightweight Chair",
                "체어·테이블",
                49_000,
                (("블랙", 1.0), ("카키", 1.0)),
            ),
            ("롤 테이블", "Roll Table", "체어·테이블", 59_000, (("M", 1.0), ("L", 1.3))),
            ("LED 랜턴", "LED Lantern", "조명", 32_000, (("미니", 1.0), ("대형", 1.6))),
            ("가스 랜턴", "Gas Lantern", "조명", 45_000, (("기본", 1.0), ("케이스 세트", 1.3))),
            ("스텐 코펠", "Steel Cookware", "취사", 39_000, (("2인용", 1.0), ("4인용", 1.5))),
            ("구이바다 버너", None, "취사", 69_000, (("기본", 1.0), ("그릴팬 세트", 1.4))),
            ("화로대", "Fire Pit", "취사", 79_000, (("M", 1.0), ("L", 1.3))),
            ("캠핑 머그", "Camping Mug", "취사", 12_000, (("300ml", 1.0), ("2개 세트", 1.8))),
            (
                "동계 침낭",
                "Winter Sleeping Bag",
                "침낭·매트",
                129_000,
                (("-10도", 1.0), ("-20도", 1.4)),
            ),
            (
                "자충 매트",
                "Self-inflating Mat",
                "침낭·매트",
                69_000,
                (("싱글", 1.0), ("더블", 1.6)),
            ),
            ("하드 아이스박스", "Hard Cooler", "수납", 89_000, (("25L", 1.0), ("45L", 1.5))),
            ("소프트 아이스박스", "Soft Cooler", "수납", 39_000, (("15L", 1.0), ("30L", 1.4))),
            ("수납 박스", "Storage Box", "수납", 35_000, (("50L", 1.0), ("80L", 1.3))),
            ("팩 망치", None, "소품", 19_000, (("스텐", 1.0), ("황동", 1.4))),
            ("단조 팩", "Forged Pegs", "소품", 15_000, (("20cm 8개", 1.0), ("30cm 8개", 1.4))),
            ("캠핑 행어", "Camping Hanger", "소품", 25_000, (("기본", 1.0), ("확장형", 1.3))),
            ("방풍 라이터", "Windproof Lighter", "소품", 9_000, (("블랙", 1.0), ("실버", 1.0))),
        )
    ),
    keywords=(
        ("텐트", 9.0),
        ("체어", 6.0),
        ("랜턴", 6.0),
        ("침낭", 5.0),
        ("코펠", 4.0),
        ("타프", 4.0),
        ("화로대", 4.0),
        ("아이스박스", 4.0),
        ("매트", 3.0),
        ("테이블", 3.0),
        ("경량", 2.0),
    ),
    campaigns=(
        ("텐트 검색광고", "search"),
        ("체어 쇼핑광고", "shopping"),
        ("캠핑 유튜브 광고", "video"),
        ("리타게팅", "retargeting"),
        ("브랜드 키워드", "search"),
        ("동계 캠핑 디스플레이", "display"),
    ),
)

# Other sellers cycle through these themes (seller-0002 beauty, -0003 pets, ...).
OTHER_THEMES: tuple[Theme, ...] = (BEAUTY, PETS, CAMPING, DEMO)

SURNAMES = (
    "김",
    "이",
    "박",
    "최",
    "정",
    "강",
    "조",
    "윤",
    "장",
    "임",
    "한",
    "오",
    "서",
    "신",
    "권",
)
GIVEN_FIRST = ("민", "서", "지", "하", "도", "수", "예", "현", "준", "유", "채", "윤")
GIVEN_LAST = ("준", "연", "우", "은", "아", "호", "진", "원", "빈", "린", "희", "율")

# (topic, question, answer); {product} is replaced by a product name.
INQUIRIES: tuple[tuple[str, str, str], ...] = (
    (
        "배송",
        "{product} 오늘 주문하면 언제 받을 수 있나요?",
        "안녕하세요, 고객님. 평일 오후 2시 이전 결제 건은 당일 출고되며 보통 1~2일 안에 받아보실 수 있습니다.",
    ),
    (
        "배송",
        "배송 조회가 안 돼요. 확인 부탁드립니다.",
        "불편을 드려 죄송합니다. 택배사 전산 반영에 반나절 정도 걸릴 수 있습니다. 내일 오전에도 조회되지 않으면 다시 문의해 주세요.",
    ),
    (
        "배송",
        "제주도도 배송되나요? 추가 배송비가 있나요?",
        "네, 배송됩니다. 제주 및 도서산간 지역은 3,000원의 추가 배송비가 붙습니다.",
    ),
    (
        "배송",
        "{product} 선물 포장 가능한가요?",
        "네, 주문하실 때 배송 메모에 '선물 포장'이라고 남겨 주시면 무료로 포장해 드립니다.",
    ),
    (
        "배송",
        "{product} 주문했는데 아직 출고 전이면 주소 변경 가능할까요?",
        "출고 전이라면 변경 가능합니다. 주문번호와 새 주소를 남겨 주시면 바로 수정해 드리겠습니다.",
    ),
    (
        "재고",
        "{product} 재입고 언제 되나요?",
        "{product}은(는) 다음 주 중 재입고 예정입니다. 상품 페이지에서 재입고 알림을 신청해 주세요.",
    ),
    (
        "재고",
        "{product} 10개 이상 대량 구매 가능한가요?",
        "네, 가능합니다. 재고를 확인한 뒤 대량 구매 할인과 함께 안내해 드리겠습니다.",
    ),
    (
        "재고",
        "{product} 다른 옵션은 품절인가요?",
        "현재 일부 옵션이 일시 품절입니다. 이번 달 말 입고 예정이니 조금만 기다려 주세요.",
    ),
    (
        "사이즈",
        "{product} 크기가 정확히 어떻게 되나요?",
        "{product}의 크기와 용량은 상세 페이지 표기와 같으며, 실측 기준 5% 안팎의 오차가 있을 수 있습니다.",
    ),
    (
        "사이즈",
        "{product} 사진보다 작은가요? 실제 사이즈가 궁금해요.",
        "상세 페이지 마지막 사진에 손 크기와 비교한 실측 사진이 있습니다. 참고해 주세요.",
    ),
    (
        "사이즈",
        "{product} 한 사이즈 크게 주문하는 게 나을까요?",
        "평소 쓰시는 크기로 주문하시면 됩니다. 애매하시면 큰 쪽을 추천드립니다.",
    ),
    (
        "교환/환불",
        "{product} 받았는데 파손되어 왔어요. 교환 가능할까요?",
        "불편을 드려 정말 죄송합니다. 파손 사진을 보내 주시면 새 상품으로 바로 교환해 드리겠습니다.",
    ),
    (
        "교환/환불",
        "단순 변심으로 환불 가능한가요?",
        "수령 후 7일 이내 미개봉 상품은 환불 가능합니다. 왕복 배송비 6,000원은 고객님 부담입니다.",
    ),
    (
        "교환/환불",
        "{product} 옵션을 잘못 주문했어요. 교환되나요?",
        "네, 사용하지 않은 상품이라면 교환 가능합니다. 교환 배송비 6,000원이 발생합니다.",
    ),
    (
        "교환/환불",
        "환불은 언제 처리되나요?",
        "반품 상품이 도착하면 검수 후 1~3영업일 안에 환불해 드립니다.",
    ),
)

# Questions sellers answer again and again with the same words, without a figure or
# a promise (care, materials, packing): the near-duplicates an auto-answer may reuse.
# (categories the template fits, empty: every product; question; answer)
FAQ_INQUIRIES: tuple[tuple[tuple[str, ...], str, str], ...] = (
    (
        ("텀블러·보틀",),
        "{product} 식기세척기에 넣어도 되나요?",
        "{product}은(는) 손세척을 권장드려요. 식기세척기의 고온과 세제에 겉면 도장이 상할 수 있어요.",
    ),
    (
        ("텀블러·보틀",),
        "{product}에 탄산음료 담아도 되나요?",
        "탄산음료는 안쪽 압력이 올라가 뚜껑이 열릴 수 있어 권하지 않아요. 물이나 커피, 차를 담아 주세요.",
    ),
    (
        ("머그·컵",),
        "{product} 전자레인지에 써도 되나요?",
        "네, {product}은(는) 전자레인지에 쓰셔도 됩니다. 급격한 온도 변화만 피해 주세요.",
    ),
    (
        ("커피·차", "간식"),
        "{product} 보관은 어떻게 하나요?",
        "직사광선을 피해 서늘하고 건조한 곳에 밀봉해서 보관해 주세요. 개봉 후에는 되도록 빨리 드시는 게 좋아요.",
    ),
    (
        ("간식",),
        "{product}에 방부제 들어가나요?",
        "아니요, {product}에는 합성 보존료를 넣지 않았어요.",
    ),
    (
        ("주방용품",),
        "{product} 관리는 어떻게 하나요?",
        "사용 후 중성세제로 가볍게 씻고 물기를 잘 말려 주세요. 연마제가 든 수세미는 피해 주세요.",
    ),
    (
        ("선물세트",),
        "{product} 쇼핑백도 같이 오나요?",
        "네, {product}에는 쇼핑백이 함께 들어 있어요.",
    ),
    (
        (),
        "{product} 포장은 어떻게 되어 오나요?",
        "{product}은(는) 파손되지 않도록 완충재로 꼼꼼히 감싸서 보내 드려요.",
    ),
    (
        (),
        "{product} 실물도 사진이랑 같나요?",
        "최대한 실물과 가깝게 촬영했지만 모니터 설정에 따라 조금 다르게 보일 수 있어요.",
    ),
)

# Some customers write in English and the seller answers in English: the English
# question and answer of a template (keyed by its Korean question). `{product}` is
# "the <English name>" there, or "it" for a question asked without naming one.
ENGLISH_INQUIRIES: dict[str, tuple[str, str]] = {
    "{product} 오늘 주문하면 언제 받을 수 있나요?": (
        "If I order {product} today, when will it arrive?",
        "Orders paid before 2 p.m. on weekdays ship the same day and usually arrive in 1-2 days.",
    ),
    "단순 변심으로 환불 가능한가요?": (
        "Can I return it if I change my mind?",
        "Unopened items can be returned within 7 days of delivery. The return shipping of "
        "6,000 won is paid by the customer.",
    ),
    "{product} 식기세척기에 넣어도 되나요?": (
        "Is {product} dishwasher safe?",
        "We recommend washing it by hand. The heat and detergent of a dishwasher can damage "
        "the outer coating.",
    ),
    "{product} 전자레인지에 써도 되나요?": (
        "Can I put {product} in the microwave?",
        "Yes, it is microwave safe. Just avoid sudden changes in temperature.",
    ),
    "{product} 보관은 어떻게 하나요?": (
        "How should I store {product}?",
        "Keep it sealed in a cool, dry place away from direct sunlight, and enjoy it soon "
        "after opening.",
    ),
    "{product}에 방부제 들어가나요?": (
        "Does {product} contain preservatives?",
        "No, it is made without synthetic preservatives.",
    ),
    "{product} 관리는 어떻게 하나요?": (
        "How do I take care of {product}?",
        "Wash it gently with mild detergent after use and let it dry well. Please avoid "
        "abrasive scrubbers.",
    ),
    "{product} 포장은 어떻게 되어 오나요?": (
        "How is {product} packed?",
        "It is wrapped carefully in cushioning so that it arrives safely.",
    ),
}
