"""Arguments named in a question: how many, by what, which way, which customers,
which keyword, and the free text of an inquiry or an advice topic. Each finder
returns None when the question does not name it (the caller then keeps the
previous turn's value or the tool's default)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from analytics.number_words import EN_ONES, EN_TENS, NATIVE_ONES, NATIVE_TENS, alternation
from tools.router._text import strip_particle

_KO_NUMBERS = {**NATIVE_ONES, **NATIVE_TENS}
_EN_NUMBERS = {**EN_ONES, **EN_TENS}
_KO_NUM = alternation(_KO_NUMBERS)
_EN_NUM = alternation(_EN_NUMBERS)

_LIMIT_PATTERNS = (
    re.compile(rf"(?:\btop|상위|베스트|\bbest|탑|톱)\s*(\d{{1,3}}|{_EN_NUM})\b", re.I),
    re.compile(r"(?<![\d.])(\d{1,3})\s*(?:개|위|명|가지|등|건)(?!월|입)"),
    re.compile(
        r"(?<![\d.])(\d{1,3})\s+(?:items?|products?|customers?|best|sellers?|results?|things|"
        r"people|buyers|names|rows|of them|instead)\b",
        re.I,
    ),
    re.compile(rf"(?<![가-힣])({_KO_NUM})\s*(?:개|명|가지)(?![가-힣]*월)"),
    re.compile(rf"\b({_EN_NUM})\s+(?:items?|products?|customers?|best|sellers?|instead)\b", re.I),
    re.compile(r"^\s*(\d{1,3})\s*(?:개로|명으로|개만|명만|개까지|명까지)?\s*[?!.]*\s*$"),
)
MAX_LIMIT = 50


def find_limit(text: str) -> int | None:
    """ "top 3", "상위 10개", "20명까지", "세 개", "top ten" -> the number (1..50)."""
    for pattern in _LIMIT_PATTERNS:
        match = pattern.search(text)
        if match:
            raw = match.group(1).lower()
            value = int(raw) if raw.isdigit() else _KO_NUMBERS.get(raw) or _EN_NUMBERS.get(raw, 0)
            if value > 0:
                return min(value, MAX_LIMIT)
    return None


_UNITS = re.compile(
    r"수량|개수|갯수|판매량|판매\s*개수|몇\s*개|\bunits?\b|\bquantit(?:y|ies)\b|\bqty\b|\bvolume\b|"
    r"\bpieces\b|how many",
    re.I,
)
_REVENUE = re.compile(r"매출|금액|매상|\brevenue\b|\bsales amount\b|원어치|\bby sales\b", re.I)


_REFUNDS = re.compile(
    r"환불|반품|취소|\brefund\w*|\breturn(?:s|ed)?\b|\bcancel\w*", re.I
)  # ranked by the refunded and cancelled amount (top_products metric "refunds")


def find_metric(text: str) -> str | None:
    if _REFUNDS.search(text):
        return "refunds"
    if _UNITS.search(text):
        return "units"
    if _REVENUE.search(text):
        return "revenue"
    return None


_RISING = re.compile(
    r"뜨는|떠오르|급상승|상승|늘어난|늘어나|늘고|늘었|증가|오르는|올라가|오른|올랐|성장|치고\s*올라|"
    r"\btrend(?:ing|s)?\b|\bris(?:ing|e|ers?)\b|\bgrow(?:ing|th)?\b|\bpicking up\b|\bgaining\b|"
    r"\bup-and-coming\b|\bmomentum\b|\bclimb(?:ing)?\b|\bsurg(?:e|ing)\b|"
    r"반응\s*(?:오|와|이\s*좋)|인기\s*(?:많아지|올라)|\btak(?:ing|es)\s+off\b|\bheating\s+up\b|"
    r"\bbreaking\s+out\b|\bon\s+the\s+rise\b",
    re.I,
)
_FALLING = re.compile(
    r"떨어지|떨어진|떨어졌|하락|줄어|감소|줄고|줄었|내려가|빠지는|빠졌|안\s*팔리|부진|주춤|꺾|"
    r"\bfall(?:ing|ers?)?\b|\bdeclin\w*|\bdrop(?:ping|ped|s)?\b|\blos(?:ing|e)\b|\bslow(?:ing)?\b|"
    r"\bslump\w*|\bworst\b|\bgoing down\b|\bdown\b",
    re.I,
)
_TOP = re.compile(
    r"베스트|잘\s*팔|잘\s*나가|잘\s*나간|인기|많이\s*팔|많이\s*나|1위|순위|랭킹|효자|"
    r"\bbest\b|\btop\b|\bmost\b|\bpopular\b|\branking\b",
    re.I,
)


def find_direction(text: str) -> str | None:
    if _FALLING.search(text):
        return "falling"
    if _RISING.search(text):
        return "rising"
    if _TOP.search(text):
        return "top"
    return None


_AT_RISK = re.compile(
    r"이탈|떠날|떠나|떠난|안\s*오는|안\s*와|발길|끊긴|끊겼|끊은|멀어|잃을|뜸한|뜸해|안\s*사는|"
    r"돌아오지|\bchurn\w*|\bat[\s-]risk\b|\bdrift\w*|\bleaving\b|\blapsed\b|\bstopped (?:buying|ordering|coming)\b|"
    r"\bhaven'?t (?:come|bought|ordered)|\bslipping\b|\babout to leave\b|\blost\b|\bwin back\b",
    re.I,
)
_LIKELY = re.compile(
    r"될\s*것|될\s*만한|될만한|될\s*사람|될\s*손님|될\s*고객|재구매할|다시\s*살|다시\s*구매할|다시\s*올|"
    r"살\s*것\s*같|잠재|예비|유망|\blikely\b|\bwill (?:buy|order|come|return)|\bmight become\b|"
    r"\bfuture\b|\bpotential\b|\bbuy again\b|\bcome back\b|\border again\b|\bpredict\w*",
    re.I,
)
_REGULARS = re.compile(
    r"단골|충성|vip|우수\s*고객|자주\s*사는|자주\s*오는|재구매\s*고객|\bregulars?\b|\bloyal\b|"
    r"\bbest customers\b|\brepeat (?:customers|buyers)\b|\bfrequent\b|\bvips?\b",
    re.I,
)


def find_segment(text: str) -> str | None:
    if _AT_RISK.search(text):
        return "at_risk"
    if _LIKELY.search(text):
        return "likely_regulars"
    if _REGULARS.search(text):
        return "regulars"
    return None


_QUOTED = re.compile(
    r"\"([^\"]{1,200})\"|“([^”]{1,200})”|'([^']{1,200})'|‘([^’]{1,200})’|「([^」]{1,200})」"
)


@dataclass(frozen=True, slots=True)
class Quoted:
    text: str
    span: tuple[int, int]


def find_quoted(text: str) -> Quoted | None:
    """The first quoted passage ("...", '...', “...”), unless the apostrophe is an
    English contraction."""
    for match in _QUOTED.finditer(text):
        inner = next(group for group in match.groups() if group is not None)
        if (
            match.group(0).startswith("'")
            and re.match(r"[a-z]", inner[:1] or "")
            and re.search(r"\w'\w", text[max(0, match.start() - 1) : match.start() + 2])
        ):
            continue
        if inner.strip():
            return Quoted(inner.strip(), (match.start(), match.end()))
    return None


_KEYWORD_GENERIC = frozenset(
    "사람들이 사람들 사람 뭘 뭐 뭐라고 무엇 무엇을 무슨 어떤 어떻게 인기 유입 주로 많이 제일 자주 고객 고객들이 "
    "손님 손님들이 고객이 손님이 키워드 검색어 상품 제품 우리 다들 실제로 직접 그냥 많은 요즘 최근 보통 가장 "
    "중에 중 별 순위 분석 리포트 보고서 목록 현황 통계 데이터 결과 전환율 유입 "
    "this that what which people customers shoppers visitors someone anyone they them we us for the a "
    "an to on in of and or".split()
)
_KO_BEFORE_SEARCH = re.compile(r"([\w가-힣][\w가-힣 ]{0,30}?)(?:으로|로|을|를|라고|이라고)?\s*검색")
_KO_AFTER_WORD = re.compile(r"(?:키워드|검색어)\s*[:：]?\s*([\w가-힣]{2,30})")
_EN_AFTER_SEARCH = re.compile(
    r"\b(?:search(?:ed|es|ing)?|look(?:ed|ing)?\s+for|typed)\s+(?:for\s+|of\s+)?([a-z0-9][a-z0-9 \-]{0,40})",
    re.I,
)


def find_keyword(text: str, common_words: frozenset[str]) -> str | None:
    """The search keyword a question names: quoted, or the word before 검색 /
    after "searched for"; never a word every question uses."""
    quoted = find_quoted(text)
    if quoted:
        return quoted.text[:100]

    def usable(word: str) -> bool:
        folded = word.casefold()
        return bool(folded) and folded not in _KEYWORD_GENERIC and folded not in common_words

    for match in _KO_BEFORE_SEARCH.finditer(text):
        candidate = match.group(1).split()[-1] if match.group(1).split() else ""
        candidate = re.sub(r"(?:으로|로|을|를|라고|이라고)$", "", candidate)
        if len(candidate) >= 2 and usable(candidate):
            return candidate
    for match in _KO_AFTER_WORD.finditer(text):
        candidate = match.group(1)
        if usable(candidate):
            return candidate
    for match in _EN_AFTER_SEARCH.finditer(text):
        kept: list[str] = []
        for word in match.group(1).split():
            if not usable(word) or word.casefold() in common_words:
                break
            kept.append(word)
        if kept:
            return " ".join(kept[:4])
    return None


_INQUIRY_PREFIX = re.compile(
    r"문의|답장|답변|초안|고객|손님|구매자|\bcs\b|리뷰\s*답|"
    r"\breply|\brespon[ds]|\binquir|\benquir|\bcustomer|\banswer|\bdraft|\bbuyer|\basked\b|\bwants to know",
    re.I,
)
_ADVICE_PREFIX = re.compile(r"조언|충고|상담|\btips?\b|\badvi[cs]e|\bidea", re.I)
_SPLIT = re.compile(r"\s*[:：]\s*|\s+[-–—]\s+")


@dataclass(frozen=True, slots=True)
class Cue:
    kind: str  # "inquiry" or "advice"
    text: str


def split_cue(text: str) -> Cue | None:
    """ "고객 문의: 배송 언제 와요?" -> inquiry "배송 언제 와요?"; "조언: ..." -> advice."""
    match = _SPLIT.search(text)
    if not match or match.start() > 80:
        return None
    prefix, rest = text[: match.start()], _unquote(text[match.end() :].strip())
    if not rest:
        return None
    if _ADVICE_PREFIX.search(prefix):
        return Cue("advice", rest)
    if _INQUIRY_PREFIX.search(prefix):
        return Cue("inquiry", rest)
    return None


_INQUIRY_CONTEXT = re.compile(
    r"고객|손님|구매자|문의|물어|답장|답변|\bcustomer|\bbuyer|\basked|\basks|\binquir|\breply|\banswer",
    re.I,
)


def quoted_inquiry(text: str) -> str | None:
    """'고객이 "교환 가능한가요?"라고 물어봤어' -> the quoted customer text."""
    quoted = find_quoted(text)
    if quoted is None:
        return None
    outside = text[: quoted.span[0]] + " " + text[quoted.span[1] :]
    return quoted.text if _INQUIRY_CONTEXT.search(outside) else None


_CATEGORY_WORD = re.compile(r"카테고리|카테고리별|분류|품목|\bcategor(?:y|ies)\b", re.I)


def names_category(text: str) -> bool:
    """The question says it names a category ("커피 카테고리 매출", "coffee category")."""
    return _CATEGORY_WORD.search(text) is not None


_CATEGORY_QUERY = re.compile(
    r"([\w가-힣-]+)\s*(?:카테고리|분류|품목)(?!별)"
    r"|\bcategor(?:y|ies)\s*(?:of\s+|called\s+|named\s+|[:：]\s*)?([\w가-힣-]+)"
    r"|([\w가-힣-]+)\s+categor(?:y|ies)\b",
    re.I,
)
_NOT_A_CATEGORY = frozenset(
    "어떤 무슨 각 전체 모든 여러 우리 이 그 제일 가장 which what each every all the a an by per "
    "top best in this that my our any for from sales revenue products items".split()
)


def category_query(text: str) -> str | None:
    """The word a question gives as a category name: "커피" in "커피 카테고리 매출",
    "coffee" in "the coffee category" or "category: coffee"; None without one."""
    for match in _CATEGORY_QUERY.finditer(text):
        word = next((group for group in match.groups() if group), "")
        word = strip_particle(word.casefold()) if word else ""
        if word and word not in _NOT_A_CATEGORY and not names_category(word):
            return word
    return None


_CAMPAIGN_QUERY = re.compile(r"([\w가-힣-]+)\s*(?:캠페인|\bcampaigns?\b)", re.I)
_NOT_A_CAMPAIGN = _NOT_A_CATEGORY | frozenset(
    "광고 ad ads 마케팅 marketing 진행중인 진행 중인 running active 돌리는 돌리고 있는".split()
)


def campaign_query(text: str) -> str | None:
    """The word a question gives as a campaign's name: "tiktok" in "tiktok campaign
    results", "카카오" in "카카오 캠페인 효율"; None without one."""
    for match in _CAMPAIGN_QUERY.finditer(text):
        word = strip_particle(match.group(1).casefold())
        if word and word not in _NOT_A_CAMPAIGN:
            return word
    return None


def asks_for_inquiry(text: str) -> bool:
    """The question is about a customer's words (a draft reply), whatever the topic."""
    return _INQUIRY_CONTEXT.search(text) is not None


_ADVICE_ASKED = re.compile(
    r"조언|충고|상담|팁|방법|아이디어|전략|어떻게\s*하면|어떻게\s*해야|줄이려면|늘리려면|줄이는|늘리는|"
    r"개선|\btips?\b|\badvi[cs]e|\bideas?\b|\bstrateg\w*|\bhow\s+(?:can|do|should)\s+(?:i|we)\b|"
    r"\bways?\s+to\b|\bhow\s+to\b|\bimprove\b|\breduce\b",
    re.I,
)


def asks_for_advice(text: str) -> bool:
    """The question asks what to do (advice), whatever the topic."""
    return _ADVICE_ASKED.search(text) is not None


def _unquote(text: str) -> str:
    if len(text) >= 2 and text[0] in "\"'“‘" and text[-1] in "\"'”’":
        return text[1:-1].strip()
    return text


_ADVICE_ON = re.compile(
    r"^\s*(?:advice|tips?|ideas?|suggestions?)\s+(?:on|about|for|regarding)\s+(.+)$"
    r"|^\s*(.+?)\s*(?:에|에\s*대해|에\s*대한|관련)\s*(?:조언|팁|아이디어)",
    re.I,
)
_TRAILING = re.compile(r"[\s?？!！.。~]+$")


def advice_topic(text: str) -> str:
    """The topic in the seller's words: after "advice on" / before "에 대해 조언",
    else the whole question, without trailing punctuation."""
    match = _ADVICE_ON.search(text)
    topic = next((g for g in match.groups() if g), text) if match else text
    return _TRAILING.sub("", topic.strip())[:500] or text.strip()[:500]


_FOLLOWUP_START = re.compile(
    r"^\s*(?:그럼|그러면|그렇다면|그리고|그건|그거|그\s*중에|그중에|그\s*중|또|근데|그래서|아\s*그럼|"
    r"what\s+about|how\s+about|and|then|ok(?:ay)?|also|same\s+for|now|what\s+of)\b",
    re.I,
)
_FOLLOWUP_END = re.compile(
    r"(?:은|는|도|이랑은|으로는|로는|기준으로는|기준은|만)\s*[?？]*\s*$|\binstead\b|\btoo\s*[?]*\s*$|"
    r"만\s*(?:보여\s*줘|알려\s*줘|봐\s*줘|볼래|보자)\s*[?]*\s*$|\bonly\s*[?]*\s*$|"
    r"(?:으로|로)\s*(?:보여\s*줘|해\s*줘|바꿔\s*줘|다시)\s*[?]*\s*$",
    re.I,
)


def strip_followup_start(text: str) -> str:
    return _FOLLOWUP_START.sub(" ", text, count=1).strip()


# the last turn's period, referred to: "which products sold best then?", "그때 광고는?"
_PERIOD_BACK = re.compile(
    r"\bthen\s*[?.!]*\s*$|\b(?:that|the\s+same)\s+(?:week|month|day|period|time)\b|"
    r"그\s*때|그\s*기간|같은\s*기간|그\s*주(?![문가])|그\s*달",
    re.I,
)
# thanks and acknowledgements on their own: not a question, nor a follow-up
_THANKS = re.compile(
    r"^\s*(?:(?:ok(?:ay)?|got\s+it|great|cool|nice|perfect)[\s,.!]*)?"
    r"(?:thanks?(?:\s+(?:you|a\s+lot|so\s+much))?|thx|ty|cheers|"
    r"고마워(?:요)?|감사(?:합니다|해요|해)?|ㄱㅅ|ㄳ|알겠(?:어|어요|습니다)|ㅇㅋ|오케이)[\s.!~^ㅎㅋ]*$",
    re.I,
)


def is_followup_phrase(text: str) -> bool:
    return bool(
        _FOLLOWUP_START.search(text) or _FOLLOWUP_END.search(text) or _PERIOD_BACK.search(text)
    )


def is_thanks(text: str) -> bool:
    """ "ok thanks", "고마워요", "알겠어": an acknowledgement, not a question."""
    return _THANKS.search(text) is not None


_ANAPHORA = re.compile(
    r"그\s*상품|이\s*상품|그\s*제품|이\s*제품|그\s*물건|그거|이거|얘|걔|"
    r"\bthat\s+(?:product|item|one)\b|\bthis\s+(?:product|item)\b|\bthe\s+same\s+(?:product|item)\b|"
    r"\bit\b",
    re.I,
)


def mentions_previous_product(text: str) -> bool:
    return _ANAPHORA.search(text) is not None


_ORDINALS = {
    "첫": 1, "두": 2, "세": 3, "네": 4, "다섯": 5, "first": 1, "second": 2, "third": 3,
    "fourth": 4, "fifth": 5, "1st": 1, "2nd": 2, "3rd": 3, "4th": 4, "5th": 5,
}  # fmt: skip
_CHOICE = re.compile(
    r"^\s*(?:#|no\.?\s*|number\s+|option\s+)?(\d{1,2})\s*(?:번|번째|번이요|번요|번으로)?\s*[.!?]*\s*$"
    r"|^\s*(첫|두|세|네|다섯)\s*번째(?:\s*(?:거|것|상품|꺼))?\s*[.!?]*\s*$"
    r"|^\s*(?:the\s+)?(first|second|third|fourth|fifth|1st|2nd|3rd|4th|5th)(?:\s+one)?\s*[.!?]*\s*$",
    re.I,
)


def find_choice(text: str) -> int | None:
    """ "1번", "두 번째", "the second one", "2" -> 1-based choice."""
    match = _CHOICE.match(text)
    if not match:
        return None
    if match.group(1):
        return int(match.group(1))
    return _ORDINALS[(match.group(2) or match.group(3)).lower()]


# "두 번째", "셋째", "첫 번째": the native numbers before 째 (한 and 하나 never stand there)
_KO_ORDINALS = {**NATIVE_ONES, "첫": 1, "열": 10}
_EN_ORDINALS = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7,
    "eighth": 8, "ninth": 9, "tenth": 10,
}  # fmt: skip
_NOT_A_PERIOD = r"(?!\s*(?:주|달|날|일|월|분기|weeks?\b|months?\b|days?\b|quarters?\b|of\b))"
_ORDINAL = re.compile(
    rf"({'|'.join(sorted(_KO_ORDINALS, key=len, reverse=True))})\s*(?:번\s*)?째{_NOT_A_PERIOD}"
    rf"|(?<![\d.])(\d{{1,2}})\s*번\s*째{_NOT_A_PERIOD}"
    r"|(?<![\d.])(\d{1,2})\s*(?:번|위)\s*(?:거|것|꺼|상품|제품|물건)"
    rf"|\b({'|'.join(_EN_ORDINALS)}){_NOT_A_PERIOD}"
    rf"|\b(\d{{1,2}})(?:st|nd|rd|th)\b{_NOT_A_PERIOD}"
    r"|(?:\bnumber|\bno\.|#)\s*(\d{1,2})\b",
    re.I,
)


def find_ordinal(text: str) -> int | None:
    """ "그 중에 두번째 상품", "2번째 거", "3위 상품", "the second one", "the 3rd",
    "number 2" -> the 1-based position in a list; never a week or day ("둘째 주",
    "the 2nd week" are periods)."""
    match = _ORDINAL.search(text)
    if match is None:
        return None
    word = next(group for group in match.groups() if group is not None).lower()
    if word.isdigit():
        return int(word) or None
    return _KO_ORDINALS.get(word) or _EN_ORDINALS.get(word)


_CHART = re.compile(
    r"차트|그래프|시각화|그림으로|\bcharts?\b|\bgraphs?\b|\bplot(?:ted)?\b|\bvisuali[sz]\w*",
    re.I,
)


def chart_spans(text: str) -> list[tuple[int, int]]:
    """Where the question asks for a picture ("차트도", "그래프로", "with a chart")."""
    return [match.span() for match in _CHART.finditer(text)]


_VERSUS = re.compile(
    r"\bvs\.?|\bversus\b|\bcompared?\b|\bagainst\b|\band\b|대비|비교|(?:이랑|랑|하고|와|과)(?=\s)",
    re.I,
)


def names_versus(text: str) -> bool:
    """Two things side by side: "가습기 vs 그라인더", "가습기랑 그라인더 비교", "A and B"."""
    return _VERSUS.search(text) is not None


def versus_cuts(text: str) -> list[tuple[int, int]]:
    """Where `text` may split into two things compared, explicit markers ("vs", "대비")
    before joining words ("랑", "and")."""
    found = [match.span() for match in _VERSUS.finditer(text)]
    joining = re.compile(r"(?:이랑|랑|하고|와|과)$|^and$", re.I)
    return sorted(found, key=lambda span: bool(joining.search(text[span[0] : span[1]])))
