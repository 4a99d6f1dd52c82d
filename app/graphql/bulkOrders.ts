// Admin GraphQL: the bulk export of every order of the shop (the backfill's orders phase).
import { ORDER_FIELDS } from "./selections";

export const BULK_ORDERS_QUERY = `
  {
    orders {
      edges {
        node {
          ${ORDER_FIELDS}
        }
      }
    }
  }
`;
