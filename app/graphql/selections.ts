// The fields Rapport reads of customers, products and orders (Admin GraphQL 2026-10), shared by
// the bulk exports of the backfill and the paginated lists of the reconciliation so that both
// produce the same objects for app/services/backfill/mapper.ts. In a bulk query the `first`
// arguments are ignored (every nested object is exported as its own JSONL line).
// An order names its customer by id only: the customers phase, which runs first, brings the
// whole customer, and an order's copy could only create a customer missing from it (one created
// since), never update a stored one (services/sync.server.ts `partial`). Its fields were a
// fifth of every order's JSONL (≈ 600 of 2,800 bytes), exported, downloaded and parsed for
// nothing (docs/decisions/010, "Fourth round").
const MONEY = "shopMoney { amount currencyCode }";
const ADDRESS = "firstName lastName address1 city zip province country countryCodeV2 phone";

export const CUSTOMER_FIELDS = `
  id firstName lastName note state locale tags createdAt updatedAt
  defaultEmailAddress { emailAddress marketingState }
  defaultPhoneNumber { phoneNumber marketingState }
  defaultAddress { ${ADDRESS} }
`;

export const PRODUCT_FIELDS = `
  id title handle status productType vendor tags createdAt updatedAt publishedAt
  featuredMedia { preview { image { url } } }
  variants(first: 100) { edges { node { id price inventoryQuantity inventoryPolicy inventoryItem { tracked } } } }
`;

export const ORDER_FIELDS = `
  id name email phone note createdAt processedAt updatedAt cancelledAt cancelReason
  displayFinancialStatus displayFulfillmentStatus currencyCode presentmentCurrencyCode
  totalPriceSet { ${MONEY} } subtotalPriceSet { ${MONEY} } totalDiscountsSet { ${MONEY} }
  totalTaxSet { ${MONEY} } totalShippingPriceSet { ${MONEY} }
  sourceName test tags customerLocale discountCodes
  customer { id }
  shippingAddress { ${ADDRESS} }
  billingAddress { ${ADDRESS} }
  refunds(first: 50) {
    id createdAt
    totalRefundedSet { ${MONEY} }
    refundLineItems(first: 100) { edges { node { id quantity restockType lineItem { id } subtotalSet { ${MONEY} } } } }
  }
  lineItems(first: 100) {
    edges { node {
      id title variantTitle sku vendor quantity
      product { id } variant { id }
      originalUnitPriceSet { ${MONEY} } totalDiscountSet { ${MONEY} }
    } }
  }
`;
