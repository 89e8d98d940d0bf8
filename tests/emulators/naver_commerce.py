"""A local Naver Commerce API: tokens, product orders, changes and products.

    api = NaverCommerce()
    client_id, secret = api.add_app()
    api.pay(client_id, "2024112012345", [Item("p-1", "호박고구마 3kg", 2, 25_900)], at=when)
    api.change(client_id, "2024112012345-1", "RETURNED", at=later, claim="RETURN_DONE")
    with serve(api):
        ...  # api.url

It follows the documented shapes (apicenter.commerce.naver.com):

- `POST /external/v1/oauth2/token` (form): checks `client_secret_sign` against
  bcrypt(`{client_id}_{timestamp}`, secret) and that the millisecond timestamp is
  within 5 minutes of its clock; issues Bearer tokens that last `token_seconds`
  (`expire_tokens()` ends them early: the next call gets 401 GW.AUTHN).
- `GET .../product-orders/last-changed-statuses`: rows with `lastChangedFrom <=
  lastChangedDate <= lastChangedTo` (default and longest window 24 hours), sorted
  by change time then product order id, at most 300 (or `limitCount`), with
  `more.moreFrom` (the first row left out's time) and `more.moreSequence` (its
  product order id: rows at `moreFrom` below it are skipped).
- `GET .../product-orders?rangeType=PAYED_DATETIME&from&to&page&pageSize`: product
  orders paid in the window (at most 24 hours), `data.contents[].content`, paged.
- `POST .../product-orders/query`: details of up to 300 product order ids.
- `GET .../orders/{orderId}/product-order-ids`.
- `POST /external/v1/products/search`: channel products with stock, paged.
- `GET /external/v1/contents/qnas?fromDate&toDate&answered&page&size`: product Q&A
  asked in the window (`contents`, `totalPages`; size at most 100) and
  `PUT /external/v1/contents/qnas/{questionId}` (`commentContent`) answering one
  (an answer again replaces it, as the API does).
- `GET /external/v1/pay-user/inquiries?startSearchDate&endSearchDate&answered&page
  &size` (dates `YYYY-MM-DD`, Korean days; size at most 200; `data.content`,
  `data.totalPages`) and `POST /external/v1/pay-merchant/inquiries/{inquiryNo}/answer`
  (`answerComment`); an inquiry answered already is refused (400).
  `ask`/`inquire` add questions, `answer_elsewhere` answers one as the seller would
  in Smart Store Center; `answers` lists every answer posted through the API.

On demand: `fail(status, code, headers=..., path=..., times=...)` answers the next
matching calls with a gateway error (429 GW.RATE_LIMIT, 429 GW.QUOTA_LIMIT with
`GNCP-GW-Quota-*` headers, 401, 500, ...); `ip_allowed = False` answers every call
403 GW.IP_NOT_ALLOWED; `rate_limit` (calls per second per application and API)
answers 429 GW.RATE_LIMIT above it, counted in `refused`. Every call after the token
is logged by arrival time in `calls[(client id, "METHOD path")]` (refused ones too);
`busiest(client_id)` reads the log as the gateway does: the most calls of each API
in any one second.
"""

from __future__ import annotations

import base64
import bisect
import datetime as dt
import itertools
import time
import uuid
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

import bcrypt

from tests.emulators._http import Emulator, Request, Response

KST = ZoneInfo("Asia/Seoul")
PREFIX = "/external"
TOKEN_VALID_MS = 5 * 60 * 1000
DAY = dt.timedelta(hours=24)
MAX_ROWS = 300


def stamp(at: dt.datetime) -> str:
    local = at.astimezone(KST)
    return local.strftime("%Y-%m-%dT%H:%M:%S.") + f"{local.microsecond // 1000:03d}+09:00"


def instant(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


@dataclass(frozen=True)
class Item:
    """A product bought in an order: one product order."""

    product_id: str
    name: str
    quantity: int
    price: int  # unit price
    paid: int | None = None  # what the buyer paid for it (default quantity x price)
    code: str | None = None  # the seller's product code


@dataclass
class App:
    client_id: str
    secret: str
    product_orders: dict[str, dict[str, Any]] = field(default_factory=dict)
    products: list[dict[str, Any]] = field(default_factory=list)
    qnas: dict[str, dict[str, Any]] = field(default_factory=dict)
    inquiries: dict[str, dict[str, Any]] = field(default_factory=dict)
    _sorted: dict[str, list[tuple[dt.datetime, str]]] = field(default_factory=dict)

    def between(self, key: str, start: dt.datetime, end: dt.datetime) -> list[dict[str, Any]]:
        """Product orders with `start <= po[key] <= end`, by (po[key], id): an index
        kept until the next change, so a call does not scan the whole store."""
        if key not in self._sorted:
            self._sorted[key] = sorted((po[key], i) for i, po in self.product_orders.items())
        index = self._sorted[key]
        low = bisect.bisect_left(index, (start, ""))
        high = bisect.bisect_right(index, (end, "\uffff"))
        return [self.product_orders[i] for _, i in index[low:high]]

    def changed(self) -> None:
        self._sorted.clear()


@dataclass
class Failure:
    status: int
    code: str
    headers: dict[str, str]
    path: str | None
    times: int


class NaverCommerce(Emulator):
    def __init__(
        self,
        *,
        clock: Callable[[], float] = time.time,
        token_seconds: int = 10_800,
        rate_limit: float | None = None,
    ) -> None:
        super().__init__()
        self.clock = clock
        self.token_seconds = token_seconds
        self.rate_limit = rate_limit
        self.ip_allowed = True
        self.apps: dict[str, App] = {}
        self.tokens: dict[str, tuple[str, float]] = {}
        self.failures: list[Failure] = []
        self.issued = 0  # tokens issued
        self.refused = 0  # calls refused by `rate_limit`
        self.calls: dict[tuple[str, str], list[float]] = defaultdict(list)
        self.answers: list[tuple[str, str, str]] = []  # (kind, id, text) posted via the API
        self._ids = itertools.count(1)

    # -- set up -----------------------------------------------------------------------

    def add_app(self, client_id: str | None = None) -> tuple[str, str]:
        """A seller's application: (client id, secret); the secret is a bcrypt salt."""
        client_id = client_id or f"app{next(self._ids)}"
        secret = bcrypt.gensalt(rounds=4, prefix=b"2a").decode()
        self.apps[client_id] = App(client_id, secret)
        return client_id, secret

    def pay(
        self,
        client_id: str,
        order_id: str,
        items: Sequence[Item],
        *,
        at: dt.datetime,
        orderer: tuple[str, str] = ("buyer1", "김민수"),
    ) -> list[str]:
        """A paid order; its product order ids are `{order_id}-{n}`."""
        app = self.apps[client_id]
        ids = []
        for number, item in enumerate(items, start=1):
            product_order_id = f"{order_id}-{number}"
            app.product_orders[product_order_id] = {
                "orderId": order_id,
                "productOrderId": product_order_id,
                "paymentDate": at,
                "lastChangedDate": at,
                "lastChangedType": "PAYED",
                "productOrderStatus": "PAYED",
                "claimType": None,
                "claimStatus": None,
                "ordererId": orderer[0],
                "ordererName": orderer[1],
                "item": item,
            }
            ids.append(product_order_id)
        app.changed()
        return ids

    def change(
        self,
        client_id: str,
        product_order_id: str,
        status: str,
        *,
        at: dt.datetime,
        changed: str | None = None,
        claim: str | None = None,
    ) -> None:
        """A later change of a product order (its last change becomes `at`)."""
        self.apps[client_id].changed()
        row = self.apps[client_id].product_orders[product_order_id]
        row["productOrderStatus"] = status
        row["lastChangedDate"] = at
        row["claimStatus"] = claim
        row["claimType"] = (claim or "").split("_")[0] or None
        row["lastChangedType"] = changed or {
            "CANCELED": "CLAIM_COMPLETED",
            "RETURNED": "CLAIM_COMPLETED",
            "DELIVERING": "DISPATCHED",
            "PURCHASE_DECIDED": "PURCHASE_DECIDED",
        }.get(status, "CLAIM_REQUESTED")

    def add_product(
        self,
        client_id: str,
        channel_product_no: int,
        name: str,
        *,
        price: int,
        stock: int,
        code: str | None = None,
        category: str | None = None,
    ) -> None:
        self.apps[client_id].products.append(
            {
                "originProductNo": channel_product_no + 1_000_000,
                "channelProducts": [
                    {
                        "channelProductNo": channel_product_no,
                        "name": name,
                        "salePrice": price,
                        "discountedPrice": price,
                        "stockQuantity": stock,
                        "sellerManagementCode": code,
                        "wholeCategoryName": category,
                        "statusType": "SALE" if stock else "OUTOFSTOCK",
                    }
                ],
            }
        )

    def ask(
        self,
        client_id: str,
        question_id: str,
        question: str,
        *,
        at: dt.datetime,
        product_id: str,
        product_name: str,
        writer: str = "kim***",
        answer: str | None = None,
    ) -> None:
        """A product Q&A question (answered already when `answer` is given)."""
        self.apps[client_id].qnas[question_id] = {
            "questionId": question_id,
            "question": question,
            "answer": answer,
            "answered": answer is not None,
            "productId": product_id,
            "productName": product_name,
            "maskedWriterId": writer,
            "createDate": at,
        }

    def inquire(
        self,
        client_id: str,
        inquiry_no: str,
        title: str,
        content: str,
        *,
        at: dt.datetime,
        order_id: str | None = None,
        product_no: str | None = None,
        product_name: str | None = None,
        customer: tuple[str, str] = ("buyer1", "김민수"),
        category: str = "배송",
        answer: str | None = None,
    ) -> None:
        """A customer inquiry (1:1) about an order or a product."""
        self.apps[client_id].inquiries[inquiry_no] = {
            "inquiryNo": inquiry_no,
            "category": category,
            "title": title,
            "inquiryContent": content,
            "inquiryRegistrationDateTime": at,
            "answered": answer is not None,
            "answerContent": answer,
            "orderId": order_id,
            "productOrderIdList": f"{order_id}-1" if order_id else None,
            "productNo": product_no,
            "productName": product_name,
            "customerId": customer[0],
            "customerName": customer[1],
        }

    def answer_elsewhere(self, client_id: str, kind: str, external_id: str, text: str) -> None:
        """The seller answers in Smart Store Center (`kind`: "qna" or "inquiry")."""
        app = self.apps[client_id]
        if kind == "qna":
            app.qnas[external_id].update(answer=text, answered=True)
        else:
            app.inquiries[external_id].update(answerContent=text, answered=True)

    def fail(
        self,
        status: int,
        code: str,
        *,
        headers: dict[str, str] | None = None,
        path: str | None = None,
        times: int = 1,
    ) -> None:
        """Answer the next `times` calls (to paths ending with `path`) with an error."""
        self.failures.append(Failure(status, code, headers or {}, path, times))

    def expire_tokens(self) -> None:
        """Every token issued so far stops working (as after its 3 hours)."""
        for token, (client_id, _) in list(self.tokens.items()):
            self.tokens[token] = (client_id, 0.0)

    def busiest(self, client_id: str) -> dict[str, int]:
        """The most calls the application made to each API within any 1 s (the window
        `rate_limit` checks), by "METHOD path"."""
        found = {}
        for (owner, api), times in self.calls.items():
            if owner == client_id:
                found[api] = max(
                    bisect.bisect_left(times, start + 1.0) - index
                    for index, start in enumerate(times)
                )
        return found

    # -- answers ----------------------------------------------------------------------

    def handle(self, request: Request) -> Response:
        if not self.ip_allowed:
            return _error(403, "GW.IP_NOT_ALLOWED", "허용되지 않은 IP입니다.")
        for failure in self.failures:
            if failure.times > 0 and (failure.path is None or request.path.endswith(failure.path)):
                failure.times -= 1
                return _error(failure.status, failure.code, "emulated", failure.headers)
        path = request.path.removeprefix(PREFIX)
        if request.method == "POST" and path == "/v1/oauth2/token":
            return self._token(request)
        app = self._authorized(request)
        if isinstance(app, Response):
            return app
        refused = self._paced(app, request.method, path)
        if refused is not None:
            return refused
        base = "/v1/pay-order/seller"
        if request.method == "GET" and path == f"{base}/product-orders/last-changed-statuses":
            return self._changes(app, request)
        if request.method == "GET" and path == f"{base}/product-orders":
            return self._by_payment(app, request)
        if request.method == "POST" and path == f"{base}/product-orders/query":
            return self._query(app, request)
        if request.method == "GET" and path.startswith(f"{base}/orders/"):
            order_id = path.split("/")[-2]
            ids = sorted(
                po["productOrderId"]
                for po in app.product_orders.values()
                if po["orderId"] == order_id
            )
            return _ok(ids)
        if request.method == "POST" and path == "/v1/products/search":
            return self._products(app, request)
        if request.method == "GET" and path == "/v1/contents/qnas":
            return self._qnas(app, request)
        if request.method == "PUT" and path.startswith("/v1/contents/qnas/"):
            return self._answer_qna(app, path.split("/")[-1], request)
        if request.method == "GET" and path == "/v1/pay-user/inquiries":
            return self._inquiries(app, request)
        if (
            request.method == "POST"
            and path.startswith("/v1/pay-merchant/inquiries/")
            and path.endswith("/answer")
        ):
            return self._answer_inquiry(app, path.split("/")[-2], request)
        return _error(404, "NOT_FOUND", f"no such API: {request.method} {request.path}")

    def _token(self, request: Request) -> Response:
        if not request.headers.get("content-type", "").startswith(
            "application/x-www-form-urlencoded"
        ):
            return _invalid("content-type", "x-www-form-urlencoded 형식이어야 합니다.")
        form = request.form()
        for name in ("client_id", "timestamp", "client_secret_sign", "grant_type", "type"):
            if not form.get(name):
                return _invalid(name, "필수 값입니다.")
        if form["grant_type"] != "client_credentials" or form["type"] != "SELF":
            return _invalid("grant_type", "지원하지 않는 값입니다.")
        app = self.apps.get(form["client_id"])
        if app is None:
            return _invalid("client_id", "애플리케이션을 찾을 수 없습니다.")
        if abs(int(self.clock() * 1000) - int(form["timestamp"])) > TOKEN_VALID_MS:
            return _invalid("timestamp", "유효 시간이 지난 timestamp입니다.")
        password = f"{app.client_id}_{form['timestamp']}".encode()
        expected = base64.standard_b64encode(bcrypt.hashpw(password, app.secret.encode()))
        if form["client_secret_sign"].encode() != expected:
            return _invalid("client_secret_sign", "전자서명이 유효하지 않습니다.")
        token = uuid.uuid4().hex
        self.tokens[token] = (app.client_id, self.clock() + self.token_seconds)
        self.issued += 1
        return Response(
            200,
            {"access_token": token, "expires_in": self.token_seconds, "token_type": "Bearer"},
        )

    def _authorized(self, request: Request) -> App | Response:
        header = request.headers.get("authorization", "")
        token = header.removeprefix("Bearer ")
        found = self.tokens.get(token) if header.startswith("Bearer ") else None
        if found is None or found[1] <= self.clock():
            return _error(401, "GW.AUTHN", "인증 토큰이 유효하지 않습니다.")
        return self.apps[found[0]]

    def _paced(self, app: App, method: str, path: str) -> Response | None:
        api = (method, "/orders/*" if "/orders/" in path else path)
        now = self.clock()
        calls = self.calls[(app.client_id, f"{api[0]} {api[1]}")]
        calls.append(now)
        if self.rate_limit is not None:
            recent = [at for at in calls if at > now - 1.0]
            if len(recent) > self.rate_limit:
                self.refused += 1
                return _error(429, "GW.RATE_LIMIT", "요청이 많아 처리할 수 없습니다.")
        return None

    def _changes(self, app: App, request: Request) -> Response:
        start_text = request.arg("lastChangedFrom")
        if not start_text:
            return _invalid("lastChangedFrom", "필수 값입니다.")
        start = instant(start_text)
        end_text = request.arg("lastChangedTo")
        end = instant(end_text) if end_text else start + DAY
        if end - start > DAY or end < start:
            return _error(400, "104139", "조회 가능한 날짜 범위를 초과하였습니다.")
        limit = min(int(request.arg("limitCount") or MAX_ROWS), MAX_ROWS)
        sequence = request.arg("moreSequence")
        rows = [
            po
            for po in app.between("lastChangedDate", start, end)
            if not (sequence and po["lastChangedDate"] == start and po["productOrderId"] < sequence)
        ]
        page, rest = rows[:limit], rows[limit:]
        data: dict[str, Any] = {
            "lastChangeStatuses": [
                {
                    "orderId": po["orderId"],
                    "productOrderId": po["productOrderId"],
                    "lastChangedType": po["lastChangedType"],
                    "paymentDate": stamp(po["paymentDate"]),
                    "lastChangedDate": stamp(po["lastChangedDate"]),
                    "productOrderStatus": po["productOrderStatus"],
                    "claimType": po["claimType"],
                    "claimStatus": po["claimStatus"],
                    "receiverAddressChanged": False,
                }
                for po in page
            ],
            "count": len(page),
        }
        if rest:
            data["more"] = {
                "moreFrom": stamp(rest[0]["lastChangedDate"]),
                "moreSequence": rest[0]["productOrderId"],
            }
        return _ok(data)

    def _by_payment(self, app: App, request: Request) -> Response:
        start_text, end_text = request.arg("from"), request.arg("to")
        if not start_text:
            return _invalid("from", "필수 값입니다.")
        if request.arg("rangeType") != "PAYED_DATETIME":
            return _invalid("rangeType", "이 에뮬레이터는 PAYED_DATETIME만 지원합니다.")
        start = instant(start_text)
        end = instant(end_text) if end_text else start + DAY
        if end - start > DAY or end < start:
            return _error(400, "104139", "조회 가능한 날짜 범위를 초과하였습니다.")
        size = int(request.arg("pageSize") or MAX_ROWS)
        if size > MAX_ROWS:
            return _invalid("pageSize", "최대 300입니다.")
        page = int(request.arg("page") or 1)
        rows = app.between("paymentDate", start, end)
        chosen = rows[(page - 1) * size : page * size]
        return _ok(
            {
                "contents": [
                    {"productOrderId": po["productOrderId"], "content": _detail(po)}
                    for po in chosen
                ],
                "pagination": {"page": page, "size": size, "hasNext": page * size < len(rows)},
            }
        )

    def _query(self, app: App, request: Request) -> Response:
        body = request.json() or {}
        ids = body.get("productOrderIds") or []
        if not ids or len(ids) > MAX_ROWS:
            return _invalid("productOrderIds", "1개 이상 300개 이하여야 합니다.")
        return _ok([_detail(app.product_orders[i]) for i in ids if i in app.product_orders])

    def _products(self, app: App, request: Request) -> Response:
        body = request.json() or {}
        page, size = int(body.get("page") or 1), int(body.get("size") or 50)
        if size > 500:
            return _invalid("size", "최대 500입니다.")
        chosen = app.products[(page - 1) * size : page * size]
        pages = max(1, -(-len(app.products) // size))
        return Response(
            200,
            {
                "contents": chosen,
                "page": page,
                "size": size,
                "totalElements": len(app.products),
                "totalPages": pages,
            },
        )

    def _qnas(self, app: App, request: Request) -> Response:
        start_text, end_text = request.arg("fromDate"), request.arg("toDate")
        if not start_text or not end_text:
            return _invalid("fromDate", "필수 값입니다.")
        size = int(request.arg("size") or 100)
        if size > 100:
            return _invalid("size", "최대 100입니다.")
        page = int(request.arg("page") or 1)
        start, end = instant(start_text), instant(end_text)
        answered = request.arg("answered")
        rows = sorted(
            (
                qna
                for qna in app.qnas.values()
                if start <= qna["createDate"] <= end
                and (answered is None or str(qna["answered"]).lower() == answered.lower())
            ),
            key=lambda qna: (qna["createDate"], qna["questionId"]),
        )
        chosen = rows[(page - 1) * size : page * size]
        return Response(
            200,
            {
                "contents": [{**qna, "createDate": stamp(qna["createDate"])} for qna in chosen],
                "page": page,
                "size": size,
                "totalElements": len(rows),
                "totalPages": max(1, -(-len(rows) // size)),
            },
        )

    def _answer_qna(self, app: App, question_id: str, request: Request) -> Response:
        qna = app.qnas.get(question_id)
        if qna is None:
            return _error(404, "NOT_FOUND", "문의를 찾을 수 없습니다.")
        text = (request.json() or {}).get("commentContent")
        if not text:
            return _invalid("commentContent", "필수 값입니다.")
        qna.update(answer=text, answered=True)
        self.answers.append(("qna", question_id, text))
        return Response(200, {})

    def _inquiries(self, app: App, request: Request) -> Response:
        start_text, end_text = request.arg("startSearchDate"), request.arg("endSearchDate")
        if not start_text or not end_text:
            return _invalid("startSearchDate", "필수 값입니다.")
        size = int(request.arg("size") or 200)
        if size > 200:
            return _invalid("size", "최대 200입니다.")
        page = int(request.arg("page") or 1)
        first, last = dt.date.fromisoformat(start_text), dt.date.fromisoformat(end_text)
        answered = request.arg("answered")
        rows = sorted(
            (
                row
                for row in app.inquiries.values()
                if first <= row["inquiryRegistrationDateTime"].astimezone(KST).date() <= last
                and (answered is None or str(row["answered"]).lower() == answered.lower())
            ),
            key=lambda row: (row["inquiryRegistrationDateTime"], row["inquiryNo"]),
        )
        chosen = rows[(page - 1) * size : page * size]
        content = [
            {**row, "inquiryRegistrationDateTime": stamp(row["inquiryRegistrationDateTime"])}
            for row in chosen
        ]
        pages = max(1, -(-len(rows) // size))
        return _ok(
            {
                "content": content,
                "page": page,
                "size": size,
                "totalElements": len(rows),
                "totalPages": pages,
            }
        )

    def _answer_inquiry(self, app: App, inquiry_no: str, request: Request) -> Response:
        row = app.inquiries.get(inquiry_no)
        if row is None:
            return _error(400, "ERR-NC-101004", "문의가 존재하지 않습니다.")
        if row["answered"]:
            return _error(400, "ERR-NC-101006", "이미 답변이 등록된 문의입니다.")
        text = (request.json() or {}).get("answerComment")
        if not text:
            return _invalid("answerComment", "필수 값입니다.")
        row.update(answerContent=text, answered=True)
        self.answers.append(("inquiry", inquiry_no, text))
        return _ok({"inquiryCommentNo": f"c-{inquiry_no}"})


def _detail(po: dict[str, Any]) -> dict[str, Any]:
    item: Item = po["item"]
    paid = item.paid if item.paid is not None else item.quantity * item.price
    return {
        "order": {
            "orderId": po["orderId"],
            "orderDate": stamp(po["paymentDate"]),
            "paymentDate": stamp(po["paymentDate"]),
            "ordererId": po["ordererId"],
            "ordererName": po["ordererName"],
            "ordererNo": f"no-{po['ordererId']}",
            "paymentMeans": "신용카드",
        },
        "productOrder": {
            "productOrderId": po["productOrderId"],
            "productOrderStatus": po["productOrderStatus"],
            "claimType": po["claimType"],
            "claimStatus": po["claimStatus"],
            "productId": item.product_id,
            "productName": item.name,
            "productOption": None,
            "sellerProductCode": item.code,
            "quantity": item.quantity,
            "initialQuantity": item.quantity,
            "unitPrice": item.price,
            "totalProductAmount": item.quantity * item.price,
            "totalPaymentAmount": paid,
            "deliveryFeeAmount": 3000,
            "expectedSettlementAmount": int(paid * 0.95),
        },
    }


def _ok(data: Any) -> Response:
    return Response(
        200, {"timestamp": stamp(dt.datetime.now(dt.UTC)), "traceId": _trace(), "data": data}
    )


def _trace() -> str:
    return uuid.uuid4().hex[:24]


def _error(status: int, code: str, message: str, headers: dict[str, str] | None = None) -> Response:
    body = {
        "code": code,
        "message": message,
        "timestamp": stamp(dt.datetime.now(dt.UTC)),
        "traceId": _trace(),
    }
    return Response(status, body, {"GNCP-GW-Trace-ID": body["traceId"], **(headers or {})})


def _invalid(name: str, message: str) -> Response:
    return Response(
        400,
        {
            "code": "InvalidInputs",
            "message": f"{name}: {message}",
            "traceId": _trace(),
            "invalidInputs": [{"name": name, "type": "Invalid", "message": message}],
        },
    )
