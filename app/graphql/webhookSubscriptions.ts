// Admin GraphQL: the shop's webhook subscriptions made by this app (reconciliation compares
// them with the topics Rapport declares). One page: Rapport declares far fewer than 100.
export const WEBHOOK_SUBSCRIPTIONS_QUERY = `#graphql
  query RapportWebhookSubscriptions {
    webhookSubscriptions(first: 100) {
      edges {
        node {
          id
          topic
          endpoint {
            __typename
            ... on WebhookHttpEndpoint {
              callbackUrl
            }
          }
        }
      }
    }
  }
`;

export interface WebhookSubscriptionsResponse {
  webhookSubscriptions: {
    edges: Array<{
      node: { id: string; topic: string; endpoint: { __typename: string; callbackUrl?: string } };
    }>;
  };
}
