// The webhook subscriptions Rapport declares in shopify.app.toml (a test keeps the two equal),
// and the comparison with what the Admin API lists for a shop. The compliance topics are left
// out: they are configured for the app and cannot be subscribed to through the API.

export interface DeclaredSubscription {
  /** Shopify's topic as webhooks carry it: orders/create. */
  topic: string;
  /** The app's route that receives it. */
  uri: string;
}

const declare = (uri: string, ...topics: string[]): DeclaredSubscription[] => topics.map((topic) => ({ topic, uri }));

export const DECLARED_SUBSCRIPTIONS: readonly DeclaredSubscription[] = [
  ...declare("/webhooks/orders", "orders/create", "orders/updated", "orders/cancelled", "orders/delete"),
  ...declare("/webhooks/refunds", "refunds/create"),
  ...declare("/webhooks/customers", "customers/create", "customers/update", "customers/delete"),
  ...declare("/webhooks/products", "products/create", "products/update", "products/delete"),
  ...declare("/webhooks/checkouts", "checkouts/create", "checkouts/update"),
  ...declare("/webhooks/shop/update", "shop/update"),
  ...declare("/webhooks/app/uninstalled", "app/uninstalled"),
  ...declare("/webhooks/app/scopes_update", "app/scopes_update"),
];

/** orders/create → ORDERS_CREATE (the Admin GraphQL WebhookSubscriptionTopic enum). */
export function topicEnum(topic: string): string {
  return topic.replace("/", "_").toUpperCase();
}

/** ORDERS_CREATE → orders/create, for the declared topics; other enum values are returned as they are. */
export function topicFromEnum(value: string): string {
  return DECLARED_SUBSCRIPTIONS.find((s) => topicEnum(s.topic) === value)?.topic ?? value;
}

export interface WebhookCheck {
  /** Subscriptions the Admin API listed for the shop. */
  listed: number;
  /**
   * Declared topics with no subscription listed, in declaration order. Null when the API listed
   * none at all: app-specific subscriptions (shopify.app.toml) are managed by Shopify and the
   * webhookSubscriptions query does not return them, so an empty list says nothing is missing.
   */
  missing: string[] | null;
}

export function checkSubscriptions(
  listedTopics: readonly string[],
  declared: readonly DeclaredSubscription[] = DECLARED_SUBSCRIPTIONS,
): WebhookCheck {
  if (listedTopics.length === 0) return { listed: 0, missing: null };
  const present = new Set(listedTopics);
  return { listed: listedTopics.length, missing: declared.map((d) => d.topic).filter((topic) => !present.has(topicEnum(topic))) };
}
