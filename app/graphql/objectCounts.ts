// Admin GraphQL: how many customers, products and orders the shop has (the backfill's totals).
export const OBJECT_COUNTS_QUERY = `#graphql
  query RapportObjectCounts {
    customersCount(limit: null) {
      count
      precision
    }
    productsCount(limit: null) {
      count
      precision
    }
    ordersCount(limit: null) {
      count
      precision
    }
  }
`;

interface Count {
  count: number;
  precision: "EXACT" | "AT_LEAST";
}
export interface ObjectCountsResponse {
  customersCount: Count;
  productsCount: Count;
  ordersCount: Count;
}
