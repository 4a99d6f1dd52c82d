// Admin GraphQL: one page of the products updated since a time (reconciliation), oldest first.
import { PRODUCT_FIELDS } from "./selections";

export const PRODUCTS_UPDATED_SINCE_QUERY = `#graphql
  query RapportProductsUpdatedSince($query: String!, $after: String) {
    products(first: 50, after: $after, query: $query, sortKey: UPDATED_AT) {
      edges {
        node {
          ${PRODUCT_FIELDS}
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`;
