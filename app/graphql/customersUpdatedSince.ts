// Admin GraphQL: one page of the customers updated since a time (reconciliation), oldest first.
import { CUSTOMER_FIELDS } from "./selections";

export const CUSTOMERS_UPDATED_SINCE_QUERY = `#graphql
  query RapportCustomersUpdatedSince($query: String!, $after: String) {
    customers(first: 50, after: $after, query: $query, sortKey: UPDATED_AT) {
      edges {
        node {
          ${CUSTOMER_FIELDS}
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`;
