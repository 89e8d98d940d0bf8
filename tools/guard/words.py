"""The words the guard reads around a figure, in Korean and English.

A *measure* names what a figure counts (revenue, orders, units, ...), the same tags
`facts.measures_of` gives the fields of a tool result. A *direction* word says a
change went up (+1) or down (-1). These are the guard's vocabulary, not text a seller
reads, so they live here rather than in prompts/.
"""

from __future__ import annotations

import re

# -- measures -------------------------------------------------------------------------

# (pattern, tags), longer phrases first; a figure's context may name several.
_MEASURE_TABLE: tuple[tuple[str, tuple[str, ...]], ...] = (
    (r"취소\s?율|cancell?ation rate|cancel rate", ("cancel",)),
    (r"환불\s?률|반품\s?률|refund rate|return rate", ("refund",)),
    (r"구매\s?전환\s?율|전환\s?율|구매\s?율|conversion rates?|\bcvr\b", ("conv_rate",)),
    (r"클릭\s?률|\bctr\b|click[- ]through", ("ctr",)),
    (r"클릭당|\bcpc\b|per click|cost per click", ("cpc",)),
    (r"전환당|획득당|\bcpa\b|per (?:conversion|acquisition)", ("cpa",)),
    (r"객단가|평균\s?주문\s?(?:금액|액)?|주문당|\baov\b|average order|per order", ("aov",)),
    (r"손익\s?분기|break[- ]?even", ("roas",)),
    (r"\broas\b|광고\s?수익률|return on ad", ("roas",)),
    (r"광고\s?비|광고\s?비용|광고에\s?쓴|집행|지출|\bspen[dt]\b|spending|ad costs?", ("spend",)),
    (r"주문\s?금액|주문\s?액|결제\s?금액|ordered amount|order value|gross", ("ordered",)),
    (r"취소|cancel", ("cancel",)),
    (r"환불|반품|refund|returns?\b|returned", ("refund",)),
    (r"매출|판매\s?액|판매\s?금액|벌었|\brevenue|\bsales\b|takings|turnover|earned", ("revenue",)),
    (r"판매\s?량|판매\s?수량|수량|팔린\s?개수|\bunits?\b|pieces|pcs\b|items sold", ("units",)),
    (r"재고|stock|inventory", ("stock",)),
    (r"방문자|방문|유입|조회|visits?|visitors?|sessions?|traffic", ("visits",)),
    (r"전환|conversions?\b|converted", ("conversions",)),
    (r"주문|결제|\borders?\b|purchases?|transactions?", ("orders",)),
    (r"구매(?!율|자|\s?전환|\s?확률|\s?가능)|bought", ("conversions",)),
    (r"클릭|clicks?\b", ("clicks",)),
    (r"노출|impressions?", ("impressions",)),
    (r"이익|이윤|손실|손해|적자|흑자|profit|loss(?:es)?\b|losing", ("profit",)),
    (r"수익", ("profit", "revenue")),
    (r"판매가|가격|단가|price", ("price",)),
    (r"확률|가능성|probability|likelihood|chance|p_alive", ("p_alive",)),
    (r"이탈\s?위험|이탈\s?우려|at[- ]risk|drifting|churn", ("at_risk",)),
    (
        r"단골\s?후보|잠재\s?단골|예비\s?단골|likely (?:to become )?regulars|future regulars",
        ("likely",),
    ),
    (r"단골(?!\s?후보)|(?<!likely )(?<!future )regulars|repeat customers", ("regulars",)),
    (r"고객|구매자|customers?|buyers?|shoppers?", ("customers",)),
    (r"키워드|검색어|keywords?|search terms?", ("keywords",)),
    (r"캠페인|campaigns?", ("campaigns",)),
    (r"상품|제품|품목|products?|SKUs?", ("products",)),
)
MEASURE_WORDS: tuple[tuple[re.Pattern[str], frozenset[str]], ...] = tuple(
    (re.compile(pattern, re.IGNORECASE), frozenset(tags)) for pattern, tags in _MEASURE_TABLE
)

# what a figure said to be of measure X may be read from: "주문 금액" is an order
# measure with money; "전환" may be counted as orders
EXPAND: dict[str, frozenset[str]] = {
    "orders": frozenset({"orders", "ordered", "aov", "conversions"}),
    "conversions": frozenset({"conversions", "orders", "conv_rate"}),
    "stock": frozenset({"stock", "days"}),
    "products": frozenset({"products", "list", "rank"}),
    "campaigns": frozenset({"campaigns", "list", "rank"}),
    "keywords": frozenset({"keywords", "list", "rank"}),
    "customers": frozenset({"customers", "list"}),
    "visits": frozenset({"visits", "customers"}),
}
QUALIFIERS = frozenset({"cancel", "refund", "at_risk", "likely", "regulars"})
# nouns of what is counted rather than of a measure: "고객은 4번 구매" counts purchases
ENTITY_NOUNS = frozenset({"customers", "products", "campaigns", "keywords"})
# a figure of these measures is a result, never a parameter echoed from the question
RESULT_MEASURES = frozenset(
    {
        "revenue", "orders", "units", "aov", "spend", "roas", "ctr", "cpc", "cpa", "ordered",
        "cancel", "refund", "conv_rate", "conversions", "visits", "clicks", "impressions",
        "profit", "price", "stock",
    }
)  # fmt: skip


def measures_in(text: str) -> frozenset[str]:
    """The measure tags named in `text`."""
    found: set[str] = set()
    for pattern, tags in MEASURE_WORDS:
        if pattern.search(text):
            found |= tags
    return frozenset(found)


# a figure's own predicate may qualify it: "16건이 취소됐어요", "16 orders were cancelled"
QUALIFYING_PREDICATE = re.compile(
    r"(?:취소|환불|반품)\s?(?:됐|되었|된|되어|처리|요청|접수)|(?:were|was|got|been|being)\s+"
    r"(?:cancell?ed|refunded|returned)|cancell?ed or refunded|refunded or cancell?ed",
    re.IGNORECASE,
)

# -- directions -----------------------------------------------------------------------

_KO_UP_STRONG = r"증가|늘었|늘어|늘고|늘면|늘린|늘며|상승|올랐|올라|오른|뛰었|뛰어|급증|성장|반등"
_KO_DOWN_STRONG = (
    r"감소|줄었|줄어|줄고|줄면|줄며|하락|떨어|내렸|내려갔|빠졌|빠져|급감|반토막|반\s토막"
)
_KO_UP_WEAK = r"많아|많았|많습|많고|많은|많이|높아|높았|높습|높고|높은|더\s?팔|개선|상회|↑|플러스"
_KO_DOWN_WEAK = (
    r"적어|적었|적습|적고|적은|낮아|낮았|낮습|낮고|낮은|덜\s?팔|악화|하회|↓|마이너스|부진|못\s?미"
)
_EN_UP_STRONG = (
    r"rose|risen|rising|rises|increased|increases|increasing|grew|grown|growing|climbed|"
    r"jumped|surged|gained|went up|doubled|tripled|rebounded"
)
_EN_DOWN_STRONG = (
    r"fell|fallen|falling|falls|decreased|decreases|decreasing|declined|declines|declining|"
    r"dropped|drops|dropping|dipped|slipped|shrank|shrunk|sank|slumped|plunged|went down|halved"
)
_EN_UP_WEAK = r"up|higher|more|increase|rise|growth|gain|jump|improved|ahead|above"
_EN_DOWN_WEAK = r"down|lower|less|fewer|decrease|decline|drop|fall|dip|behind|below|short"

KO_UP = re.compile(f"{_KO_UP_STRONG}|{_KO_UP_WEAK}")
KO_DOWN = re.compile(f"{_KO_DOWN_STRONG}|{_KO_DOWN_WEAK}")
KO_STRONG = re.compile(f"(?P<up>{_KO_UP_STRONG})|(?P<down>{_KO_DOWN_STRONG})")
EN_UP = re.compile(rf"\b(?:{_EN_UP_STRONG}|{_EN_UP_WEAK})\b", re.IGNORECASE)
EN_DOWN = re.compile(rf"\b(?:{_EN_DOWN_STRONG}|{_EN_DOWN_WEAK})\b", re.IGNORECASE)
EN_STRONG = re.compile(
    rf"\b(?:(?P<up>{_EN_UP_STRONG})|(?P<down>{_EN_DOWN_STRONG}))\b", re.IGNORECASE
)
# "than" / "보다": a weak word ("more", "적어") speaks of a change only beside one
COMPARED = re.compile(r"보다|대비|비해|比|than|compared|versus|\bvs\.?|from\b", re.IGNORECASE)


def direction_of(word: str) -> int:
    if KO_UP.fullmatch(word) or EN_UP.fullmatch(word):
        return 1
    if KO_DOWN.fullmatch(word) or EN_DOWN.fullmatch(word):
        return -1
    return 0


# -- approximations and bounds ----------------------------------------------------------

APPROX_BEFORE = re.compile(
    r"(?:약|대략|얼추|대충|어림잡아|about|around|approximately|approx\.?|roughly|some|(?<!\d)~|≈)\s*$",
    re.IGNORECASE,
)
OVER_BEFORE = re.compile(
    r"(?:over|more than|above|at least|upwards of|in excess of|just over|exceeding)\s*$",
    re.IGNORECASE,
)
UNDER_BEFORE = re.compile(
    r"(?:거의|nearly|almost|under|less than|below|just under|up to|close to|not quite)\s*$",
    re.IGNORECASE,
)
APPROX_AFTER = re.compile(r"^\s*(?:정도|쯤|가량|내외|안팎|언저리|남짓|여\b)")
OVER_AFTER = re.compile(r"^\s*(?:을|를|이|가)?\s*(?:넘|이상|초과|돌파|상회|남짓|\+)")
UNDER_AFTER = re.compile(
    r"^\s*(?:에|이|가)?\s*(?:가까이|가깝|가까운|육박|미만|이하|아래|밑|못\s?미|조금\s?안)"
)
BAND_AFTER = re.compile(r"^대(?![가-힣])|^대[에의가는]")

# -- actions a read-only advisor cannot have taken ------------------------------------

ACTION_CLAIM = re.compile(
    r"(?:중지|정지|중단|완료|처리|변경|수정|삭제|적용|등록|설정|발송|전송|예약|반영|조정|끄기|껐)"
    r"\s?(?:했|하였|해\s?드렸|해\s?놓았|해\s?뒀|시켰)"
    r"|(?:꺼|바꿔|보내|올려|내려)\s?(?:드렸|놨|놓았|뒀)"
    r"|\bI(?:'ve| have)?\s+(?:already\s+)?(?:paused|stopped|turned off|sent|updated|changed|"
    r"applied|deleted|completed|scheduled|cancell?ed|adjusted|raised|lowered|set up|done)\b"
    r"|^\s*(?:done|completed|all set)\b",
    re.IGNORECASE,
)

# -- questions that ask for a figure --------------------------------------------------

_METRIC = (
    r"(?:revenue|sales|orders?|roas|ctr|cpc|cpa|conversion rate|spend|aov|average order(?: value)?|"
    r"ad spend|takings)"
)
ASKS_FIGURE = re.compile(
    r"얼마|몇|얼만큼|수치|how much|how many"
    rf"|what(?:'s| is| was| were| are)\s+(?:the\s+|my\s+|our\s+|today's\s+|yesterday's\s+)?"
    rf"(?:total\s+)?{_METRIC}"
    r"|(?:매출|주문|판매량|객단가|광고비|광고 ?효율|ROAS|전환율|클릭률)\S{0,2}\s?(?:어때|어땠|어떻|알려|보여|얼마)"
    rf"|how(?:'s| is| are| was| were| did| do)\s+(?:my\s+|our\s+|the\s+|today's\s+|yesterday's\s+)?{_METRIC}",
    re.IGNORECASE,
)
# any question about the store's figures, answered after a tool ran
ASKS_ABOUT_FIGURES = re.compile(
    r"얼마|몇|얼만큼|수치|금액|매출|주문|판매량|객단가|전환율|광고비|roas|ctr|cpc|cpa|재고|방문|"
    r"어때|어땠|어떻게 돼|how much|how many|revenue|sales|orders?\b|spend|conversion|visits|stock|"
    r"how(?:'s| is| was| are| were| did| do)",
    re.IGNORECASE,
)
# a question about which one, answered by naming it
ASKS_WHICH = re.compile(
    r"뭐가|무엇이|무슨|어떤|어느|누가|누구|제일|가장|which|what sold|best|worst|top\b",
    re.IGNORECASE,
)
ASKS_AMOUNT = re.compile(r"얼마|몇|얼만큼|how much|how many", re.IGNORECASE)

# "주문이 없어요", "no orders": a zero said in words
ZERO_CLAIM = re.compile(
    r"(?P<ko>[가-힣A-Za-z]+(?:\s[가-힣A-Za-z]+)?)\s?(?:이|가|은|는|도)\s?"
    r"(?:아직\s?|전혀\s?|하나도\s?|한\s?(?:건|개|명)도\s?)?없(?:어요|습니다|었어요|었습니다|었고|네요|고|어|음|는|었|다)"
    r"|\b(?:no|zero)\s+(?P<en>(?:paid\s+|new\s+|cancell?ed\s+|refunded\s+)?(?:orders|sales|revenue|"
    r"conversions|purchases|visits|clicks|refunds|cancell?ations|units|stock))\b",
    re.IGNORECASE,
)

# an answer saying it did what was asked: "완료했어요", "처리됐어요", "done"
CLAIMS_SUCCESS = re.compile(
    r"완료|처리\s?(?:했|됐|되었)|반영\s?(?:했|됐)|됐어요|되었습니다|했어요\.?$|\bdone\b|\bcompleted?\b|"
    r"all set|taken care",
    re.IGNORECASE,
)
