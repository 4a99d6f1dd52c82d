// Admin GraphQL: declares one customer metafield (name, type) so merchants can filter on it in
// Shopify's customer segments. A definition that exists already answers code TAKEN.
export const METAFIELD_DEFINITION_CREATE = `#graphql
  mutation RapportMetafieldDefinitionCreate($definition: MetafieldDefinitionInput!) {
    metafieldDefinitionCreate(definition: $definition) {
      createdDefinition {
        id
        key
        namespace
      }
      userErrors {
        field
        message
        code
      }
    }
  }
`;
