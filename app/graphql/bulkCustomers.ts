// Admin GraphQL: the bulk export of every customer of the shop (the backfill's customers phase).
import { CUSTOMER_FIELDS } from "./selections";

export const BULK_CUSTOMERS_QUERY = `
  {
    customers {
      edges {
        node {
          ${CUSTOMER_FIELDS}
        }
      }
    }
  }
`;
