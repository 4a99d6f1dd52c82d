// Applies one inbox event. Called by the worker inside the event's transaction: either the
// whole event is applied and marked processed, or nothing is.
import { z } from "zod";
import type { Db } from "~/lib/transaction.server";
import { deleteSessions, setSessionsScope } from "~/models/session.server";
import { getShopCurrency, markUninstalled, updateShop } from "~/models/shop.server";
import { handleDataRequest, redactCustomer, redactShop } from "./privacy.server";
import {
  deleteCustomer,
  deleteOrder,
  deleteProduct,
  ensureShop,
  syncCheckouts,
  syncCustomers,
  syncOrders,
  syncProducts,
  syncRefund,
} from "./sync.server";
import {
  checkoutPayload,
  customerPayload,
  deletePayload,
  describeZodError,
  orderPayload,
  productPayload,
  refundPayload,
  shopUpdatePayload,
} from "~/lib/shopifyPayloads";

/** Retrying will not help (invalid payload, unknown topic): the event goes straight to dead. */
export class PermanentEventError extends Error {}

export interface EventToApply {
  shop: string;
  topic: string;
  payload: unknown;
  triggeredAt: Date | null;
  receivedAt: Date;
}

export interface ApplyOutcome {
  /** The shop's analytics should be recomputed (orders, customers, checkouts changed). */
  affectsAnalytics: boolean;
  /** The event's own row was deleted (shop/redact): nothing left to mark. */
  eventDeleted?: boolean;
}

function parse<T extends z.ZodType>(schema: T, payload: unknown, topic: string): z.infer<T> {
  const result = schema.safeParse(payload);
  if (!result.success) throw new PermanentEventError(`Invalid ${topic} payload: ${describeZodError(result.error)}`);
  return result.data;
}

export const HANDLED_TOPICS = [
  "orders/create",
  "orders/updated",
  "orders/cancelled",
  "orders/paid",
  "orders/delete",
  "refunds/create",
  "customers/create",
  "customers/update",
  "customers/delete",
  "products/create",
  "products/update",
  "products/delete",
  "checkouts/create",
  "checkouts/update",
  "app/uninstalled",
  "app/scopes_update",
  "shop/update",
  "customers/data_request",
  "customers/redact",
  "shop/redact",
] as const;

/**
 * Topics whose events can be applied together: the sync service takes lists, and newest-wins
 * makes the order of create/update events of one kind irrelevant. Anything else (deletes,
 * refunds, GDPR, app events) is applied one event at a time, in arrival order.
 */
const BATCH_FAMILIES = {
  "orders/create": "orders",
  "orders/updated": "orders",
  "orders/cancelled": "orders",
  "orders/paid": "orders",
  "customers/create": "customers",
  "customers/update": "customers",
  "products/create": "products",
  "products/update": "products",
  "checkouts/create": "checkouts",
  "checkouts/update": "checkouts",
} as const;
export type BatchFamily = (typeof BATCH_FAMILIES)[keyof typeof BATCH_FAMILIES];

export function batchFamily(topic: string): BatchFamily | null {
  return (BATCH_FAMILIES as Record<string, BatchFamily>)[topic] ?? null;
}

const familySchemas = { orders: orderPayload, customers: customerPayload, products: productPayload, checkouts: checkoutPayload } as const;

/** Validates one event of a batchable family; null when invalid (it is then handled alone). */
export function parseForBatch(family: BatchFamily, payload: unknown) {
  const result = familySchemas[family].safeParse(payload);
  return result.success ? result.data : null;
}

/** Applies already-validated payloads of one family for one shop, in one call to the sync service. */
export async function applyWebhookBatch(db: Db, shop: string, family: BatchFamily, payloads: unknown[]): Promise<ApplyOutcome> {
  await ensureShop(db, shop);
  switch (family) {
    case "orders":
      await syncOrders(db, shop, payloads as z.infer<typeof orderPayload>[]);
      return { affectsAnalytics: true };
    case "customers":
      await syncCustomers(db, shop, payloads as z.infer<typeof customerPayload>[]);
      return { affectsAnalytics: true };
    case "products":
      await syncProducts(db, shop, payloads as z.infer<typeof productPayload>[], await shopCurrency(db, shop));
      return { affectsAnalytics: false };
    case "checkouts":
      await syncCheckouts(db, shop, payloads as z.infer<typeof checkoutPayload>[], await shopCurrency(db, shop));
      return { affectsAnalytics: true };
  }
}

export async function applyWebhookEvent(db: Db, event: EventToApply, now = new Date()): Promise<ApplyOutcome> {
  const { shop, topic, payload } = event;
  const deletedAt = event.triggeredAt ?? event.receivedAt;
  await ensureShop(db, shop);
  switch (topic) {
    case "orders/create":
    case "orders/updated":
    case "orders/cancelled":
    case "orders/paid":
      await syncOrders(db, shop, [parse(orderPayload, payload, topic)]);
      return { affectsAnalytics: true };
    case "orders/delete":
      await deleteOrder(db, shop, parse(deletePayload, payload, topic).id, deletedAt);
      return { affectsAnalytics: true };
    case "refunds/create":
      await syncRefund(db, shop, parse(refundPayload, payload, topic));
      return { affectsAnalytics: true };
    case "customers/create":
    case "customers/update":
      await syncCustomers(db, shop, [parse(customerPayload, payload, topic)]);
      return { affectsAnalytics: true };
    case "customers/delete":
      await deleteCustomer(db, shop, parse(deletePayload, payload, topic).id, deletedAt);
      return { affectsAnalytics: true };
    case "products/create":
    case "products/update":
      await syncProducts(db, shop, [parse(productPayload, payload, topic)], await shopCurrency(db, shop));
      return { affectsAnalytics: false };
    case "products/delete":
      await deleteProduct(db, shop, parse(deletePayload, payload, topic).id, deletedAt);
      return { affectsAnalytics: false };
    case "checkouts/create":
    case "checkouts/update":
      await syncCheckouts(db, shop, [parse(checkoutPayload, payload, topic)], await shopCurrency(db, shop));
      return { affectsAnalytics: true };
    case "app/uninstalled":
      // Shopify revoked our token: forget the sessions, keep the data until shop/redact (48 h later).
      await deleteSessions(db, shop);
      await markUninstalled(db, shop, deletedAt);
      return { affectsAnalytics: false };
    case "app/scopes_update": {
      const { current } = parse(z.object({ current: z.array(z.string()) }), payload, topic);
      const scope = current.join(",");
      await updateShop(db, shop, { scope });
      await setSessionsScope(db, shop, scope);
      return { affectsAnalytics: false };
    }
    case "shop/update": {
      // Applied in arrival order (not batched); reconciliation re-reads the shop from the Admin API.
      const details = parse(shopUpdatePayload, payload, topic);
      await updateShop(db, shop, {
        name: details.name,
        currency: details.currency,
        // Shopify's own sample sends a null zone: keep the stored one rather than guess.
        ...(details.iana_timezone ? { ianaTimezone: details.iana_timezone } : {}),
      });
      return { affectsAnalytics: true };
    }
    case "customers/data_request":
      await handleDataRequest(db, shop, payloadOrThrow(payload, topic), now);
      return { affectsAnalytics: false };
    case "customers/redact":
      await redactCustomer(db, shop, payloadOrThrow(payload, topic), now);
      return { affectsAnalytics: true };
    case "shop/redact":
      await redactShop(db, shop);
      return { affectsAnalytics: false, eventDeleted: true };
    default:
      throw new PermanentEventError(`No handler for topic "${topic}": check the subscriptions in shopify.app.toml.`);
  }
}

/** Product prices and checkout totals without a currency are in the shop's currency. */
function shopCurrency(db: Db, shop: string): Promise<string> {
  return getShopCurrency(db, shop);
}

function payloadOrThrow(payload: unknown, topic: string) {
  if (typeof payload !== "object" || payload === null) throw new PermanentEventError(`Invalid ${topic} payload: not a JSON object`);
  return payload;
}
