// Admin GraphQL: sets up to 25 metafields in one call (atomic: all or none are written).
export const METAFIELDS_SET = `#graphql
  mutation RapportMetafieldsSet($metafields: [MetafieldsSetInput!]!) {
    metafieldsSet(metafields: $metafields) {
      metafields {
        key
        namespace
        ownerType
      }
      userErrors {
        field
        message
        code
      }
    }
  }
`;

export interface MetafieldsSetInput {
  ownerId: string;
  namespace: string;
  key: string;
  type: string;
  value: string;
}

/** Shopify's limit per metafieldsSet call. */
export const METAFIELDS_PER_CALL = 25;
