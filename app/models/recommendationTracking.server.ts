// Storefront tracking rows (ADR 011): shopper preferences, recommendation events, attributed
// order lines, and one key of the shop's settings JSON. Every query is shop-scoped and indexed.
import { Prisma } from "@prisma/client";
import { invalidateServing } from "~/lib/servingCache.server";
import type { Db } from "~/lib/transaction.server";

// ---- Shop settings: one key of Shop.settings, updated in place so other keys stay untouched.

export async function writeShopSettingsKey(db: Db, shop: string, key: string, value: unknown): Promise<void> {
  await db.$executeRaw`UPDATE "Shop" SET settings = jsonb_set(COALESCE(settings, '{}'::jsonb), ARRAY[${key}]::text[], ${JSON.stringify(value)}::jsonb), "updatedAt" = now() WHERE domain = ${shop}`;
  invalidateServing(shop, "shop");
}

// ---- Shopper preferences

export function findShopperPreference(db: Db, shop: string, customerId: string) {
  return db.shopperPreference.findUnique({ where: { shop_customerId: { shop, customerId } }, select: { personalization: true, surveys: true } });
}

export async function upsertShopperPreference(db: Db, shop: string, customerId: string, values: { personalization?: boolean; surveys?: boolean }) {
  await db.shopperPreference.upsert({
    where: { shop_customerId: { shop, customerId } },
    create: { shop, customerId, ...values },
    update: values,
  });
}

/** customers/redact: the customer's preferences and recommendation events go. */
export async function deleteShopperRows(db: Db, shop: string, customerIds: string[]) {
  if (!customerIds.length) return;
  await db.shopperPreference.deleteMany({ where: { shop, customerId: { in: customerIds } } });
  await db.recommendationEvent.deleteMany({ where: { shop, customerId: { in: customerIds } } });
}

// ---- Events

export interface EventRow {
  kind: string;
  recId: string;
  placement: string;
  strategy: string;
  productId: string | null;
  customerId: string | null;
  visitorId: string | null;
  occurredAt: Date;
}

export async function insertRecommendationEvent(db: Db, shop: string, event: EventRow) {
  await db.recommendationEvent.create({ data: { shop, ...event } });
}

/** Clicks and add-to-carts of `productIds` by these customers or visitors since `since` (newest first). */
export function findEngagements(
  db: Db,
  shop: string,
  options: { customerId: string | null; visitorId: string | null; productIds: string[]; since: Date; until: Date },
) {
  const who: Prisma.RecommendationEventWhereInput[] = [];
  if (options.customerId) who.push({ customerId: options.customerId });
  if (options.visitorId) who.push({ visitorId: options.visitorId });
  if (!who.length || !options.productIds.length) return Promise.resolve([]);
  return db.recommendationEvent.findMany({
    where: {
      shop,
      OR: who,
      kind: { in: ["click", "add_to_cart"] },
      productId: { in: options.productIds },
      occurredAt: { gte: options.since, lte: options.until },
    },
    orderBy: { occurredAt: "desc" },
    select: { recId: true, placement: true, strategy: true, productId: true, occurredAt: true },
  });
}

// ---- Attribution

export interface AttributionRow {
  orderShopifyId: string;
  orderProcessedAt: Date;
  productId: string;
  reason: "line_property" | "click";
  recId: string | null;
  placement: string;
  strategy: string;
  revenue: string;
  currency: string;
}

export async function replaceOrderAttributions(db: Db, shop: string, orderShopifyId: string, rows: AttributionRow[]) {
  await db.recommendationAttribution.deleteMany({ where: { shop, orderShopifyId } });
  if (rows.length) await db.recommendationAttribution.createMany({ data: rows.map((row) => ({ shop, ...row })), skipDuplicates: true });
}

/** Any engagement at all in the window: lets the order sync skip attribution queries for shops without any. */
export async function hasEngagementsSince(db: Db, shop: string, since: Date): Promise<boolean> {
  const row = await db.recommendationEvent.findFirst({
    where: { shop, occurredAt: { gte: since }, kind: { in: ["click", "add_to_cart"] } },
    select: { id: true },
  });
  return row !== null;
}

export async function replaceOrderVisitor(
  db: Db,
  shop: string,
  orderShopifyId: string,
  visitor: { visitorId: string; orderProcessedAt: Date } | null,
) {
  await db.recommendationOrderVisitor.deleteMany({ where: { shop, orderShopifyId } });
  if (visitor) await db.recommendationOrderVisitor.create({ data: { shop, orderShopifyId, ...visitor } });
}

// ---- Report (admin page)

export interface FunnelRow {
  placement: string;
  strategy: string;
  impressions: number;
  clicks: number;
  addToCarts: number;
}

export async function funnelByPlacementAndStrategy(db: Db, shop: string, from: Date, to: Date): Promise<FunnelRow[]> {
  const rows = await db.$queryRaw<{ placement: string; strategy: string; impressions: bigint; clicks: bigint; add_to_carts: bigint }[]>`
    SELECT placement, strategy,
      COUNT(*) FILTER (WHERE kind = 'impression') AS impressions,
      COUNT(*) FILTER (WHERE kind = 'click') AS clicks,
      COUNT(*) FILTER (WHERE kind = 'add_to_cart') AS add_to_carts
    FROM "RecommendationEvent"
    WHERE shop = ${shop} AND "occurredAt" >= ${from} AND "occurredAt" < ${to} AND kind <> 'holdout'
    GROUP BY placement, strategy
    ORDER BY placement, strategy`;
  return rows.map((r) => ({
    placement: r.placement,
    strategy: r.strategy,
    impressions: Number(r.impressions),
    clicks: Number(r.clicks),
    addToCarts: Number(r.add_to_carts),
  }));
}

export async function attributedByPlacementAndStrategy(db: Db, shop: string, from: Date, to: Date) {
  const rows = await db.$queryRaw<{ placement: string; strategy: string; orders: bigint; revenue: Prisma.Decimal | null }[]>`
    SELECT placement, strategy, COUNT(DISTINCT "orderShopifyId") AS orders, SUM(revenue) AS revenue
    FROM "RecommendationAttribution"
    WHERE shop = ${shop} AND "orderProcessedAt" >= ${from} AND "orderProcessedAt" < ${to}
    GROUP BY placement, strategy`;
  return rows.map((r) => ({
    placement: r.placement,
    strategy: r.strategy,
    orders: Number(r.orders),
    revenue: (r.revenue ?? new Prisma.Decimal(0)).toFixed(2),
  }));
}

export async function attributedTotals(db: Db, shop: string, from: Date, to: Date) {
  const [row] = await db.$queryRaw<{ orders: bigint; revenue: Prisma.Decimal | null }[]>`
    SELECT COUNT(DISTINCT "orderShopifyId") AS orders, SUM(revenue) AS revenue
    FROM "RecommendationAttribution"
    WHERE shop = ${shop} AND "orderProcessedAt" >= ${from} AND "orderProcessedAt" < ${to}`;
  return { orders: Number(row?.orders ?? 0), revenue: (row?.revenue ?? new Prisma.Decimal(0)).toFixed(2) };
}

export async function topRecommendedProducts(db: Db, shop: string, from: Date, to: Date, limit: number) {
  const rows = await db.$queryRaw<
    { product_id: string; title: string | null; clicks: bigint; add_to_carts: bigint; orders: bigint; revenue: Prisma.Decimal | null }[]
  >`
    WITH engaged AS (
      SELECT "productId" AS product_id, COUNT(*) FILTER (WHERE kind = 'click') AS clicks, COUNT(*) FILTER (WHERE kind = 'add_to_cart') AS add_to_carts
      FROM "RecommendationEvent"
      WHERE shop = ${shop} AND "occurredAt" >= ${from} AND "occurredAt" < ${to} AND "productId" IS NOT NULL
      GROUP BY "productId"
    ), sold AS (
      SELECT "productId" AS product_id, COUNT(DISTINCT "orderShopifyId") AS orders, SUM(revenue) AS revenue
      FROM "RecommendationAttribution"
      WHERE shop = ${shop} AND "orderProcessedAt" >= ${from} AND "orderProcessedAt" < ${to}
      GROUP BY "productId"
    )
    SELECT COALESCE(e.product_id, s.product_id) AS product_id, p.title,
      COALESCE(e.clicks, 0) AS clicks, COALESCE(e.add_to_carts, 0) AS add_to_carts, COALESCE(s.orders, 0) AS orders, s.revenue
    FROM engaged e FULL OUTER JOIN sold s ON s.product_id = e.product_id
    LEFT JOIN "Product" p ON p.shop = ${shop} AND p."shopifyId" = COALESCE(e.product_id, s.product_id)
    ORDER BY COALESCE(s.revenue, 0) DESC, COALESCE(e.clicks, 0) DESC, 1
    LIMIT ${limit}`;
  return rows.map((r) => ({
    productId: r.product_id,
    title: r.title,
    clicks: Number(r.clicks),
    addToCarts: Number(r.add_to_carts),
    orders: Number(r.orders),
    revenue: (r.revenue ?? new Prisma.Decimal(0)).toFixed(2),
  }));
}

/**
 * The holdout comparison's raw totals per arm: visitors with an impression (treatment) or a
 * holdout exposure in the period, keyed by customer id else visitor id; a visitor converts with
 * an order (not cancelled, not test) placed after their first exposure and before `to`, linked
 * by customer id or by the `_rapport_vid` cart attribute the block writes.
 */
export async function holdoutArmTotals(db: Db, shop: string, from: Date, to: Date) {
  const rows = await db.$queryRaw<
    { arm: string; visitors: bigint; converters: bigint; revenue: Prisma.Decimal | null; revenue_squares: Prisma.Decimal | null }[]
  >`
    WITH exposed AS (
      SELECT COALESCE('c:' || "customerId", 'v:' || "visitorId") AS visitor,
        MAX("customerId") AS customer_id, MAX("visitorId") AS visitor_id,
        CASE WHEN bool_or(kind = 'holdout') THEN 'holdout' ELSE 'treatment' END AS arm,
        MIN("occurredAt") AS first_seen
      FROM "RecommendationEvent"
      WHERE shop = ${shop} AND "occurredAt" >= ${from} AND "occurredAt" < ${to} AND kind IN ('impression', 'holdout')
        AND ("customerId" IS NOT NULL OR "visitorId" IS NOT NULL)
      GROUP BY 1
    ), per_visitor AS (
      SELECT e.visitor, e.arm, COUNT(o.id) AS orders, COALESCE(SUM(o."totalPrice" - o."totalRefunded"), 0) AS revenue
      FROM exposed e
      LEFT JOIN "Order" o ON o.shop = ${shop} AND o."processedAt" >= e.first_seen AND o."processedAt" < ${to}
        AND o."cancelledAt" IS NULL AND NOT o.test
        AND (o."customerShopifyId" = e.customer_id OR o."shopifyId" IN (
          SELECT v."orderShopifyId" FROM "RecommendationOrderVisitor" v WHERE v.shop = ${shop} AND v."visitorId" = e.visitor_id))
      GROUP BY e.visitor, e.arm
    )
    SELECT arm, COUNT(*) AS visitors, COUNT(*) FILTER (WHERE orders > 0) AS converters, SUM(revenue) AS revenue, SUM(revenue * revenue) AS revenue_squares
    FROM per_visitor GROUP BY arm`;
  const empty = { visitors: 0, converters: 0, revenue: 0, revenueSquares: 0 };
  const arms = { treatment: { ...empty }, holdout: { ...empty } };
  for (const r of rows) {
    arms[r.arm as "treatment" | "holdout"] = {
      visitors: Number(r.visitors),
      converters: Number(r.converters),
      revenue: Number(r.revenue ?? 0),
      revenueSquares: Number(r.revenue_squares ?? 0),
    };
  }
  return arms;
}
