// Admin GraphQL: removes tags from a customer (only tags Rapport wrote itself).
export const TAGS_REMOVE = `#graphql
  mutation RapportTagsRemove($id: ID!, $tags: [String!]!) {
    tagsRemove(id: $id, tags: $tags) {
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
