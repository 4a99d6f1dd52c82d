// Admin GraphQL: the bulk export of every order of the shop (the backfill's orders phase).
import { ORDER_FIELDS } from "./selections";

export const bulkOrdersQuery = (search?: string) => `
  {
    orders${search ? `(query: ${JSON.stringify(search)})` : ""} {
      edges {
        node {
          ${ORDER_FIELDS}
        }
      }
    }
  }
`;
