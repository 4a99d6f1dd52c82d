// Admin GraphQL: the bulk export of every customer of the shop (the backfill's customers phase).
import { CUSTOMER_FIELDS } from "./selections";

export const bulkCustomersQuery = (search?: string) => `
  {
    customers${search ? `(query: ${JSON.stringify(search)})` : ""} {
      edges {
        node {
          ${CUSTOMER_FIELDS}
        }
      }
    }
  }
`;
