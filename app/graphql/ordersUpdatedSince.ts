// Admin GraphQL: one page of the orders updated since a time (reconciliation), oldest first.
import { ORDER_FIELDS } from "./selections";

export const ORDERS_UPDATED_SINCE_QUERY = `#graphql
  query RapportOrdersUpdatedSince($query: String!, $after: String) {
    orders(first: 50, after: $after, query: $query, sortKey: UPDATED_AT) {
      edges {
        node {
          ${ORDER_FIELDS}
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`;
