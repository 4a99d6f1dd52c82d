// Admin GraphQL: the bulk export of every product of the shop (the backfill's products phase).
import { PRODUCT_FIELDS } from "./selections";

export const BULK_PRODUCTS_QUERY = `
  {
    products {
      edges {
        node {
          ${PRODUCT_FIELDS}
        }
      }
    }
  }
`;
