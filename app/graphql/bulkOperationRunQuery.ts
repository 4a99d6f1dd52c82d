// Admin GraphQL: starts a bulk query (the export runs on Shopify's side; poll bulkOperation).
// groupObjects: true keeps each object's nested-connection lines right after it in the JSONL,
// so the backfill can stream the file one object at a time.
export const BULK_OPERATION_RUN_QUERY = `#graphql
  mutation RapportBulkOperationRunQuery($query: String!) {
    bulkOperationRunQuery(query: $query, groupObjects: true) {
      bulkOperation {
        id
        status
      }
      userErrors {
        field
        message
        code
      }
    }
  }
`;

export interface BulkOperationRunQueryPayload {
  bulkOperation: { id: string; status: string } | null;
  userErrors: Array<{ field: string[] | null; message: string; code: string | null }>;
}
