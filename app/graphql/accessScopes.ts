// Admin GraphQL: the scopes this installation was granted (read_all_orders decides how far back
// the order history goes).
export const ACCESS_SCOPES_QUERY = `#graphql
  query RapportAccessScopes {
    currentAppInstallation {
      accessScopes {
        handle
      }
    }
  }
`;

export interface AccessScopesResponse {
  currentAppInstallation: { accessScopes: Array<{ handle: string }> };
}
