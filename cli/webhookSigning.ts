// How Shopify signs and addresses a webhook delivery, as pure functions: the HMAC of the raw
// body, the X-Shopify-* headers, and which of Rapport's routes (shopify.app.toml) takes a topic.
// Used by `rapport webhook send|replay`, by tests and by the benchmark.
import { createHmac, randomUUID } from "node:crypto";
import { UsageError } from "./io";

export const DEFAULT_API_VERSION = "2026-10";
export const DEFAULT_SHOP = "rapport-demo.myshopify.com";
/** The demo secret of app/lib/env.server.ts (DEMO_DEFAULTS), used when SHOPIFY_API_SECRET is unset. */
export const DEMO_API_SECRET = "rapport-demo-api-secret";
export const SHOPIFY_USER_AGENT = "Shopify-Captain-Hook";

/** The environment variables read for defaults (process.env, or a plain object in tests). */
export type Env = Record<string, string | undefined>;

/** X-Shopify-Hmac-Sha256: base64 of HMAC-SHA256 over the raw body bytes, keyed with the app secret. */
export function signWebhookBody(body: Buffer | string, secret: string): string {
  return createHmac("sha256", secret).update(body).digest("base64");
}

export interface WebhookHeaderInput {
  topic: string;
  shop: string;
  body: Buffer | string;
  secret: string;
  /** Shopify sends the same event id on every retry of one event; a fresh UUID if omitted. */
  eventId?: string;
  /** Unique per delivery; a fresh UUID if omitted. */
  webhookId?: string;
  /** When Shopify triggered the delivery; now if omitted. */
  triggeredAt?: Date | string;
  apiVersion?: string;
}

/** The headers of one delivery, named and cased as Shopify sends them. */
export function webhookHeaders(input: WebhookHeaderInput): Record<string, string> {
  const triggeredAt = input.triggeredAt ?? new Date();
  return {
    "Content-Type": "application/json",
    "X-Shopify-Topic": input.topic,
    "X-Shopify-Hmac-Sha256": signWebhookBody(input.body, input.secret),
    "X-Shopify-Shop-Domain": input.shop,
    "X-Shopify-API-Version": input.apiVersion ?? DEFAULT_API_VERSION,
    "X-Shopify-Webhook-Id": input.webhookId ?? randomUUID(),
    "X-Shopify-Event-Id": input.eventId ?? randomUUID(),
    "X-Shopify-Triggered-At": typeof triggeredAt === "string" ? triggeredAt : triggeredAt.toISOString(),
    "User-Agent": SHOPIFY_USER_AGENT,
  };
}

const TOPIC = /^[a-z][a-z0-9_]*\/[a-z][a-z0-9_]*$/;

/** A topic as Shopify writes it: resource/event, lower case with underscores. */
export function isWebhookTopic(topic: string): boolean {
  return TOPIC.test(topic);
}

/** The path of the route that receives a topic, as subscribed in shopify.app.toml. */
export function routeForTopic(topic: string): string {
  if (!TOPIC.test(topic)) throw new UsageError(`"${topic}" is not a webhook topic (expected something like orders/create).`);
  const [resource] = topic.split("/");
  switch (topic) {
    case "refunds/create":
      return "/webhooks/refunds";
    case "customers/create":
    case "customers/update":
    case "customers/delete":
      return "/webhooks/customers";
    case "app/uninstalled":
      return "/webhooks/app/uninstalled";
    case "app/scopes_update":
      return "/webhooks/app/scopes_update";
    case "shop/update":
      return "/webhooks/shop/update";
    case "customers/data_request":
    case "customers/redact":
    case "shop/redact":
      return "/webhooks/compliance";
  }
  if (resource === "orders") return "/webhooks/orders";
  if (resource === "products") return "/webhooks/products";
  if (resource === "checkouts") return "/webhooks/checkouts";
  throw new UsageError(`Rapport has no route for the topic ${topic}; pass --url with the full address to send it anyway.`);
}

/**
 * Where to POST a topic. An explicit URL with a path other than "/" is used as is; otherwise the
 * topic's route is appended to it, or to SHOPIFY_APP_URL, or to http://localhost:$PORT (3000).
 */
export function webhookUrl(topic: string, url?: string, env: Env = process.env): string {
  if (url !== undefined) {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new UsageError(`--url must be an absolute http(s) address such as http://localhost:3000 (got "${url}").`);
    }
    if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
      throw new UsageError(`--url must be an http or https address (got "${url}").`);
    }
    if (parsed.pathname !== "/") return parsed.toString();
    return `${parsed.origin}${routeForTopic(topic)}${parsed.search}`;
  }
  const base = env.SHOPIFY_APP_URL || `http://localhost:${env.PORT || 3000}`;
  return `${base.replace(/\/+$/, "")}${routeForTopic(topic)}`;
}

/** The shop a payload names (compliance payloads carry shop_domain), else the demo shop. */
export function shopForPayload(body: Buffer | string): string {
  try {
    const payload: unknown = JSON.parse(body.toString());
    if (payload && typeof payload === "object" && "shop_domain" in payload && typeof payload.shop_domain === "string" && payload.shop_domain) {
      return payload.shop_domain;
    }
  } catch {
    // Not JSON: sent as is (a test of the app's handling of bad bodies), with the default shop.
  }
  return DEFAULT_SHOP;
}

/** SHOPIFY_API_SECRET, else the demo secret. */
export function defaultSecret(env: Env = process.env): string {
  return env.SHOPIFY_API_SECRET || DEMO_API_SECRET;
}

/** `orders__create.json` or `01-orders__create.json` → `orders/create`; null for other names. */
export function topicFromFileName(fileName: string): string | null {
  const match = /^(?:\d+[-_.])?([a-z][a-z0-9_]*?)__([a-z][a-z0-9_]*)\.json$/.exec(fileName);
  return match ? `${match[1]}/${match[2]}` : null;
}
