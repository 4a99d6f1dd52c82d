// Admin GraphQL: the bulk export of every product of the shop (the backfill's products phase).
import { PRODUCT_FIELDS } from "./selections";

export const bulkProductsQuery = (search?: string) => `
  {
    products${search ? `(query: ${JSON.stringify(search)})` : ""} {
      edges {
        node {
          ${PRODUCT_FIELDS}
        }
      }
    }
  }
`;
