// Admin GraphQL: the creation dates of the shop's first and last orders (the backfill splits the
// orders export into date ranges between them, docs/decisions/010 "Fourth round").
export const ORDER_DATE_BOUNDS_QUERY = `#graphql
  query RapportOrderDateBounds {
    first: orders(first: 1, sortKey: CREATED_AT) {
      nodes {
        createdAt
      }
    }
    last: orders(first: 1, sortKey: CREATED_AT, reverse: true) {
      nodes {
        createdAt
      }
    }
  }
`;

export interface OrderDateBoundsResponse {
  first: { nodes: Array<{ createdAt: string }> };
  last: { nodes: Array<{ createdAt: string }> };
}
