// Admin GraphQL: one bulk operation by id (status, counts, and a fresh result URL).
export const BULK_OPERATION_QUERY = `#graphql
  query RapportBulkOperation($id: ID!) {
    bulkOperation(id: $id) {
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

export type BulkOperationStatus = "CANCELED" | "CANCELING" | "COMPLETED" | "CREATED" | "EXPIRED" | "FAILED" | "RUNNING";

export interface BulkOperationNode {
  id: string;
  status: BulkOperationStatus;
  errorCode: string | null;
  /** UnsignedInt64, serialized as a string. */
  objectCount: string;
  rootObjectCount: string;
  url: string | null;
  partialDataUrl: string | null;
}

export interface BulkOperationResponse {
  bulkOperation: BulkOperationNode | null;
}
