// The storefront side of recommendations (ADR 011): serving through the app proxy (holdout,
// opt-outs, the signed recId), recording the block's events, and attributing orders as they are
// applied. Rules here; queries in app/models/recommendationTracking.server.ts.
import { z } from "zod";
import { inHoldout } from "~/domain/holdout";
import { scaledToDecimal, toScaled } from "~/domain/money";
import { env } from "~/lib/env.server";
import { createRecId, parseRecId } from "~/lib/recId.server";
import type { Db, DbClient } from "~/lib/transaction.server";
import type { OrderPayload } from "~/lib/shopifyPayloads";
import {
  findEngagements,
  hasEngagementsSince,
  insertRecommendationEvent,
  replaceOrderAttributions,
  replaceOrderVisitor,
  writeShopSettingsKey,
  type AttributionRow,
} from "~/models/recommendationTracking.server";
import { recommend, servingShopRow, type Placement, type RecommendedProduct, type StrategyChoice } from "./recommendations.server";
import { getShopperPreferences } from "./shopperPreferences.server";

// ---- Settings (attribution window, holdout share), in Shop.settings.recommendationTracking.

export const trackingSettingsSchema = z.object({
  attributionWindowDays: z.number().int().min(1).max(90),
  holdoutShare: z.number().min(0).max(0.5),
});
export type TrackingSettings = z.infer<typeof trackingSettingsSchema>;
export const DEFAULT_TRACKING_SETTINGS: TrackingSettings = { attributionWindowDays: 7, holdoutShare: 0.1 };
const SETTINGS_KEY = "recommendationTracking";

/** The shop's attribution window and holdout share (serving reads them from the briefly cached shop row). */
export async function getTrackingSettings(db: Db, shop: string): Promise<TrackingSettings> {
  const row = await servingShopRow(db, shop);
  const settings = row?.settings;
  const raw = settings && typeof settings === "object" && !Array.isArray(settings) ? (settings as Record<string, unknown>)[SETTINGS_KEY] : undefined;
  const parsed = trackingSettingsSchema.safeParse(raw);
  return parsed.success ? parsed.data : DEFAULT_TRACKING_SETTINGS;
}

export async function saveTrackingSettings(db: Db, shop: string, settings: TrackingSettings): Promise<void> {
  await writeShopSettingsKey(db, shop, SETTINGS_KEY, trackingSettingsSchema.parse(settings));
}

// ---- Serving

import { PLACEMENTS, STRATEGY_CHOICES } from "~/domain/storefrontOptions";
export { PLACEMENTS, STRATEGY_CHOICES };

const numericId = z.string().regex(/^\d{1,20}$/);
/** The storefront's query, validated; anything else in the query (a customer id…) is ignored. */
export const recommendationQuery = z.object({
  placement: z.enum(PLACEMENTS),
  strategy: z.enum(STRATEGY_CHOICES).default("automatic"),
  product_id: numericId.optional(),
  cart: z
    .string()
    .max(2000)
    .optional()
    .transform((value, ctx) => {
      const ids = (value ?? "")
        .split(",")
        .map((id) => id.trim())
        .filter(Boolean);
      if (ids.some((id) => !/^\d{1,20}$/.test(id))) {
        ctx.addIssue({ code: "custom", message: "cart must be comma-separated numeric product ids" });
        return z.NEVER;
      }
      return [...new Set(ids)].slice(0, 50);
    }),
  limit: z.coerce.number().int().min(1).max(24).default(8),
  // The anonymous id the block keeps once consent allows: a holdout bucket key, not an identity.
  vid: z
    .string()
    .regex(/^[A-Za-z0-9_-]{8,64}$/)
    .optional(),
});
export type RecommendationQuery = z.infer<typeof recommendationQuery>;

export interface ServedAnswer {
  recId: string;
  strategy: string;
  products: (RecommendedProduct & { position: number })[];
  /** True when the answer depends on who asks (customer or visitor id): never shared by caches. */
  personal: boolean;
}

export async function serveRecommendations(
  db: DbClient,
  shop: string,
  secret: string,
  input: { query: RecommendationQuery; customerId: string | null; now: Date },
): Promise<ServedAnswer> {
  const { query, now } = input;
  // An opted-out customer is served as an anonymous visitor: nothing personal, no holdout key.
  const optedOut = input.customerId !== null && !(await getShopperPreferences(db, shop, input.customerId)).personalization;
  const customerId = optedOut ? null : input.customerId;
  const visitorKey = customerId ? `c:${customerId}` : !optedOut && query.vid ? `v:${query.vid}` : null;
  const settings = await getTrackingSettings(db, shop);
  if (visitorKey && inHoldout(shop, visitorKey, settings.holdoutShare)) {
    return {
      recId: createRecId(secret, shop, { placement: query.placement, strategy: "holdout", servedAt: now }),
      strategy: "holdout",
      products: [],
      personal: true,
    };
  }
  const answer = await recommend(db, shop, {
    placement: query.placement,
    strategy: query.strategy as StrategyChoice,
    productId: query.product_id ?? null,
    cartProductIds: query.cart,
    customerId,
    limit: query.limit,
    now,
  });
  return {
    recId: createRecId(secret, shop, { placement: query.placement as Placement, strategy: answer.strategy, servedAt: now }),
    strategy: answer.strategy,
    products: answer.products.map((product, index) => ({ ...product, position: index + 1 })),
    personal: visitorKey !== null,
  };
}

// ---- Events

export const eventBody = z.object({
  kind: z.enum(["impression", "click", "add_to_cart", "holdout"]),
  recId: z.string().max(80),
  productId: numericId.optional(),
  vid: z
    .string()
    .regex(/^[A-Za-z0-9_-]{8,64}$/)
    .optional(),
});
export type EventBody = z.infer<typeof eventBody>;

export type RecordOutcome = "recorded" | "opted_out" | "invalid";

/**
 * Records one event of the block. The browser sends events only when the Customer Privacy API
 * allows analytics; the server also refuses events of customers who opted out, events whose
 * recId is not ours, and product events without a product.
 */
export async function recordRecommendationEvent(
  db: Db,
  shop: string,
  secret: string,
  input: { body: EventBody; customerId: string | null; now: Date },
): Promise<RecordOutcome> {
  const { body, customerId, now } = input;
  const rec = parseRecId(secret, shop, body.recId);
  if (!rec) return "invalid";
  if ((body.kind === "click" || body.kind === "add_to_cart") !== (body.productId !== undefined)) return "invalid";
  if ((body.kind === "holdout") !== (rec.strategy === "holdout")) return "invalid";
  if (customerId && !(await getShopperPreferences(db, shop, customerId)).personalization) return "opted_out";
  await insertRecommendationEvent(db, shop, {
    kind: body.kind,
    recId: body.recId,
    placement: rec.placement,
    strategy: rec.strategy,
    productId: body.productId ?? null,
    customerId,
    visitorId: body.vid ?? null,
    occurredAt: now,
  });
  return "recorded";
}

// ---- Attribution (called by the order sync, inside the order's transaction)

function attributeValue(list: { name: string; value: unknown }[], name: string): string | null {
  const found = list.find((entry) => entry.name === name);
  return typeof found?.value === "string" && found.value.length > 0 ? found.value : null;
}

/**
 * Attributes each applied order (docs/metrics.md, "Recommendations"): a line whose properties
 * carry `_rapport_rec` with one of our recIds is attributed to that recommendation; otherwise a
 * line whose product the same customer (or the visitor of the order's `_rapport_vid` cart
 * attribute) clicked or added from a block within the window before the order is attributed to
 * the latest such engagement. Cancelled and test orders have no attribution. Idempotent: an order
 * applied again replaces its rows.
 */
export async function attributeOrders(db: Db, shop: string, applied: { order: OrderPayload; fresh: boolean }[]): Promise<void> {
  if (!applied.length) return;
  const settings = await getTrackingSettings(db, shop);
  const windowMs = settings.attributionWindowDays * 86_400_000;
  const earliest = new Date(Math.min(...applied.map(({ order }) => (order.processed_at ?? order.created_at).getTime())) - windowMs);
  const anyEngagement = await hasEngagementsSince(db, shop, earliest);
  for (const { order, fresh } of applied) {
    const processedAt = order.processed_at ?? order.created_at;
    const rawVisitor = attributeValue(order.note_attributes, "_rapport_vid");
    const visitorId = rawVisitor && /^[A-Za-z0-9_-]{8,64}$/.test(rawVisitor) ? rawVisitor : null;
    const hasProperty = order.line_items.some((line) => attributeValue(line.properties, "_rapport_rec"));
    // A new order with no mark and no engagement in the shop: nothing to write (the common case).
    if (fresh && !visitorId && !hasProperty && !anyEngagement) continue;
    if (!fresh || visitorId) await replaceOrderVisitor(db, shop, order.id, visitorId ? { visitorId, orderProcessedAt: processedAt } : null);
    const rows: AttributionRow[] = [];
    if (!order.cancelled_at && !order.test && (hasProperty || anyEngagement)) {
      const productIds = [...new Set(order.line_items.map((line) => line.product_id).filter((id): id is string => !!id))];
      const engagements = anyEngagement
        ? await findEngagements(db, shop, {
            customerId: order.customer?.id ?? null,
            visitorId,
            productIds,
            since: new Date(processedAt.getTime() - windowMs),
            until: processedAt,
          })
        : [];
      const secret = env().SHOPIFY_API_SECRET;
      for (const line of order.line_items) {
        if (!line.product_id || rows.some((row) => row.productId === line.product_id)) continue;
        // Shop money, exact to 4 decimals like the stored amounts.
        const price = toScaled(Number(line.price_set?.shop_money.amount ?? line.price));
        const discount = toScaled(Number(line.total_discount_set?.shop_money.amount ?? line.total_discount ?? 0));
        const revenue = scaledToDecimal(price * line.quantity - discount);
        const currency = order.total_price_set?.shop_money.currency_code ?? order.currency;
        const base = { orderShopifyId: order.id, orderProcessedAt: processedAt, productId: line.product_id, revenue, currency };
        const recId = attributeValue(line.properties, "_rapport_rec");
        const rec = recId ? parseRecId(secret, shop, recId) : null;
        if (rec && recId && rec.strategy !== "holdout") {
          rows.push({ ...base, reason: "line_property", recId, placement: rec.placement, strategy: rec.strategy });
          continue;
        }
        const engagement = engagements.find((e) => e.productId === line.product_id);
        if (engagement)
          rows.push({ ...base, reason: "click", recId: engagement.recId, placement: engagement.placement, strategy: engagement.strategy });
      }
    }
    if (!fresh || rows.length) await replaceOrderAttributions(db, shop, order.id, rows);
  }
}
