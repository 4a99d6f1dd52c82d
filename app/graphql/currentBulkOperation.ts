// Admin GraphQL: the app's most recent bulk query on this shop (one runs at a time per shop).
export const CURRENT_BULK_OPERATION_QUERY = `#graphql
  query RapportCurrentBulkOperation {
    currentBulkOperation(type: QUERY) {
      id
      status
      errorCode
      objectCount
      rootObjectCount
      url
      partialDataUrl
    }
  }
`;
