"""The GraphQL documents the Shopify connector sends (Admin API, version `API_VERSION`).

Connection sizes keep each query's requested cost under the 1,000 points a single
query may ask for. Shopify prices an object at 1 point and a connection at 2 plus
its `first` times its node's price: a line (the line, its MoneyBag and Money) is
3 points, a refund line (the line and its `lineItem`) 2, so an order of up to `n`
lines with its customer and refunds asks for about 1 + 1 + (2 + 3n) + (1 + 2 + 2n)
points: 82 for n = 15, and `ORDER_PAGE` (8) of them 658. An order with more lines
than `LINES` is read again on its own with `MANY_LINES` (150: 757 points).
"""

from __future__ import annotations

API_VERSION = "2025-01"
ORDER_PAGE = 8
LINES = 15
MANY_LINES = 150
VARIANT_PAGE = 100
REFUND_PAGE = 25  # orders whose refunds one query reads: 25 x 34 = 850 points


def order_cost(lines: int) -> int:
    """The requested cost of one order read with up to `lines` lines (see above)."""
    return 1 + 1 + (2 + 3 * lines) + (1 + 2 + 2 * lines)


def orders_cost(first: int, lines: int) -> int:
    return 2 + first * order_cost(lines)


def refunds_cost(orders: int, lines: int) -> int:
    """The requested cost of the refunds (up to `lines` lines each) of `orders` orders."""
    return orders * (1 + 1 + 2 + 2 * lines)


def variants_cost(first: int) -> int:
    return 2 + 3 * first


MONEY = "shopMoney { amount currencyCode }"

LINE_FIELDS = f"""
  id
  sku
  name
  quantity
  discountedUnitPriceAfterAllDiscountsSet {{ {MONEY} }}
"""

ORDER_FIELDS = f"""
fragment OrderFields on Order {{
  id
  name
  createdAt
  processedAt
  updatedAt
  cancelledAt
  displayFinancialStatus
  test
  customer {{ id displayName }}
  lineItems(first: $lines) {{
    pageInfo {{ hasNextPage }}
    edges {{ node {{ {LINE_FIELDS} }} }}
  }}
  refunds {{
    id
    createdAt
    refundLineItems(first: $lines) {{
      pageInfo {{ hasNextPage }}
      edges {{ node {{ quantity lineItem {{ id }} }} }}
    }}
  }}
}}
"""

SHOP = "query Shop { shop { name myshopifyDomain currencyCode } }"

CHECK = """
query Check {
  shop { name myshopifyDomain currencyCode }
  orders(first: 1) { edges { node { id } } }
}
"""

ORDERS = (
    """
query Orders($first: Int!, $after: String, $query: String!, $lines: Int!) {
  orders(first: $first, after: $after, query: $query, sortKey: UPDATED_AT) {
    pageInfo { hasNextPage endCursor }
    edges { node { ...OrderFields } }
  }
}
"""
    + ORDER_FIELDS
)

ORDER_NODES = (
    """
query OrderNodes($ids: [ID!]!, $lines: Int!) {
  nodes(ids: $ids) { ...OrderFields }
}
"""
    + ORDER_FIELDS
)

REFUNDS = """
query Refunds($ids: [ID!]!, $lines: Int!) {
  nodes(ids: $ids) {
    ... on Order {
      id
      refunds {
        id
        createdAt
        refundLineItems(first: $lines) {
          pageInfo { hasNextPage }
          edges { node { quantity lineItem { id } } }
        }
      }
    }
  }
}
"""

BULK_RUN = """
mutation RunBulk($query: String!) {
  bulkOperationRunQuery(query: $query) {
    bulkOperation { id status }
    userErrors { field message }
  }
}
"""

BULK_POLL = """
query BulkPoll {
  currentBulkOperation(type: QUERY) { id status errorCode objectCount url partialDataUrl }
}
"""

VARIANTS = """
query Variants($first: Int!, $after: String) {
  productVariants(first: $first, after: $after) {
    pageInfo { hasNextPage endCursor }
    edges { node {
      sku
      title
      price
      inventoryQuantity
      inventoryItem { tracked }
      product { title productType }
    } }
  }
}
"""


def bulk_orders(created_from: str) -> str:
    """The bulk backfill's query: every order created since `created_from` with its
    lines (a nested connection: one JSONL line each, with `__parentId`) and its
    refunds' ids only (a connection inside the refunds list is not allowed in a
    bulk query: the refunds of the orders that have some are read through
    `REFUNDS`)."""
    return f"""
{{
  orders(query: "created_at:>='{created_from}'") {{
    edges {{ node {{
      id
      name
      createdAt
      processedAt
      updatedAt
      cancelledAt
      displayFinancialStatus
      test
      customer {{ id displayName }}
      refunds {{ id }}
      lineItems {{ edges {{ node {{ {LINE_FIELDS} }} }} }}
    }} }}
  }}
}}
"""
