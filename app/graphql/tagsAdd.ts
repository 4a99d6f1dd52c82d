// Admin GraphQL: adds tags to a customer (Rapport adds only its own prefixed tags).
export const TAGS_ADD = `#graphql
  mutation RapportTagsAdd($id: ID!, $tags: [String!]!) {
    tagsAdd(id: $id, tags: $tags) {
      node {
        id
      }
      userErrors {
        field
        message
      }
    }
  }
`;
