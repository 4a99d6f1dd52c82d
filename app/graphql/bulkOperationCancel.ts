// Admin GraphQL: cancels a running bulk query (another app run left it behind).
export const BULK_OPERATION_CANCEL = `#graphql
  mutation RapportBulkOperationCancel($id: ID!) {
    bulkOperationCancel(id: $id) {
      bulkOperation {
        id
        status
      }
      userErrors {
        field
        message
      }
    }
  }
`;
