// Reads and writes of the storefront recommendations: training data (baskets, recent sales,
// product types), the stored model per shop, the products a list may show, a customer's
// history and segment, and the recommendation settings in Shop.settings.
import { type Prisma } from "@prisma/client";
import { chunks } from "~/lib/chunks";
import { invalidateServing } from "~/lib/servingCache.server";
import type { Db } from "~/lib/transaction.server";

export interface BasketRow {
  id: number;
  customer: string | null;
  at: Date;
  products: string[];
}

/**
 * One page of the training orders (cancelled and test orders excluded, processed at or before
 * `now`), by increasing order id after `afterId`: each order's distinct products (gift cards
 * left out), customer and time. Paged so that a million orders never sit in memory as rows.
 */
export async function trainingBasketsPage(db: Db, shop: string, now: Date, afterId: number, limit: number): Promise<BasketRow[]> {
  return db.$queryRaw<BasketRow[]>`
    SELECT o.id, o."customerShopifyId" AS customer, o."processedAt" AS at,
           array_agg(DISTINCT li."productShopifyId") AS products
    FROM "Order" o
    JOIN "LineItem" li ON li."orderId" = o.id
    LEFT JOIN "Product" p ON p.shop = o.shop AND p."shopifyId" = li."productShopifyId"
    WHERE o.shop = ${shop} AND o.id > ${afterId} AND o."cancelledAt" IS NULL AND o.test = false AND o."processedAt" <= ${now}
      AND li."productShopifyId" IS NOT NULL AND COALESCE(p."giftCard", false) = false
    GROUP BY o.id
    ORDER BY o.id
    LIMIT ${limit}`;
}

export interface RecentSale {
  productId: string;
  quantity: number;
  at: Date;
}

/** Lines of counted orders processed in [from, now]. */
export async function recentSales(db: Db, shop: string, from: Date, now: Date): Promise<RecentSale[]> {
  const rows = await db.$queryRaw<{ productId: string; quantity: number; at: Date }[]>`
    SELECT li."productShopifyId" AS "productId", li.quantity::int AS quantity, o."processedAt" AS at
    FROM "Order" o JOIN "LineItem" li ON li."orderId" = o.id
    WHERE o.shop = ${shop} AND o."cancelledAt" IS NULL AND o.test = false
      AND o."processedAt" >= ${from} AND o."processedAt" <= ${now} AND li."productShopifyId" IS NOT NULL`;
  return rows;
}

/** Product type of every product of the shop, by Shopify id. */
export async function productTypes(db: Db, shop: string): Promise<Map<string, string | null>> {
  const rows = await db.product.findMany({ where: { shop }, select: { shopifyId: true, productType: true } });
  return new Map(rows.map((r) => [r.shopifyId, r.productType]));
}

export interface StoredRecommendationModel {
  version: number;
  trainedAt: Date;
  orders: number;
  items: Prisma.JsonValue;
  data: Uint8Array;
  extras: Prisma.JsonValue;
  trainMs: number;
}

export async function saveRecommendationModel(db: Db, shop: string, model: StoredRecommendationModel): Promise<void> {
  const data = {
    ...model,
    items: model.items as Prisma.InputJsonValue,
    extras: model.extras as Prisma.InputJsonValue,
    data: Buffer.from(model.data),
  };
  await db.recommendationModel.upsert({ where: { shop }, create: { shop, ...data }, update: data });
  invalidateServing(shop, "model");
}

/** When the shop's model was trained (the cache key); null without a model. */
export async function findRecommendationModelStamp(db: Db, shop: string): Promise<Date | null> {
  const row = await db.recommendationModel.findUnique({ where: { shop }, select: { trainedAt: true } });
  return row?.trainedAt ?? null;
}

export async function findRecommendationModel(db: Db, shop: string): Promise<StoredRecommendationModel | null> {
  const row = await db.recommendationModel.findUnique({ where: { shop } });
  return row && { ...row, data: new Uint8Array(row.data) };
}

export const RECOMMENDABLE_PRODUCT = {
  shopifyId: true,
  handle: true,
  title: true,
  status: true,
  productType: true,
  tags: true,
  imageUrl: true,
  priceMin: true,
  compareAtPriceMin: true,
  currency: true,
  available: true,
  giftCard: true,
  defaultVariantId: true,
  publishedAt: true,
  shopifyCreatedAt: true,
} as const;

export type RecommendableProduct = Prisma.ProductGetPayload<{ select: typeof RECOMMENDABLE_PRODUCT }>;

export async function findProductsByShopifyIds(db: Db, shop: string, ids: string[]): Promise<RecommendableProduct[]> {
  const out: RecommendableProduct[] = [];
  for (const part of chunks(ids)) {
    out.push(...(await db.product.findMany({ where: { shop, shopifyId: { in: part } }, select: RECOMMENDABLE_PRODUCT })));
  }
  return out;
}

/** The newest active, available, non-gift-card products (by Shopify creation time). */
export function newestProducts(db: Db, shop: string, limit: number): Promise<RecommendableProduct[]> {
  return db.product.findMany({
    where: { shop, status: "active", available: true, giftCard: false },
    orderBy: [{ shopifyCreatedAt: { sort: "desc", nulls: "last" } }, { id: "desc" }],
    take: limit,
    select: RECOMMENDABLE_PRODUCT,
  });
}

export interface CustomerHistoryLine {
  productId: string;
  productType: string | null;
  quantity: number;
  price: Prisma.Decimal;
  at: Date;
}

/**
 * Lines of a customer's counted orders up to `now` (their latest 200 orders, newest first), by
 * numeric Shopify customer id, and the customer's RFM segment from the last analysis (null when
 * unknown, or when there is no history: it is used only with one): one query, since a logged-in
 * shopper's recommendations need both on every request.
 */
export async function customerHistoryAndSegment(
  db: Db,
  shop: string,
  customerShopifyId: string,
  now: Date,
): Promise<{ history: CustomerHistoryLine[]; segment: string | null }> {
  const rows = await db.$queryRaw<(CustomerHistoryLine & { segment: string | null })[]>`
    WITH seg AS (
      SELECT m.segment FROM "Customer" c JOIN "CustomerMetrics" m ON m."customerId" = c.id
      WHERE c.shop = ${shop} AND c."shopifyId" = ${customerShopifyId}
    ), o AS (
      SELECT id, "processedAt" FROM "Order"
      WHERE shop = ${shop} AND "customerShopifyId" = ${customerShopifyId} AND "cancelledAt" IS NULL AND test = false AND "processedAt" <= ${now}
      ORDER BY "processedAt" DESC
      LIMIT 200
    )
    SELECT li."productShopifyId" AS "productId", li."productType", li.quantity, li.price, o."processedAt" AS at, (SELECT segment FROM seg) AS segment
    FROM o JOIN "LineItem" li ON li."orderId" = o.id AND li."productShopifyId" IS NOT NULL
    ORDER BY o."processedAt" DESC, li.id`;
  return {
    history: rows.map((row) => ({ productId: row.productId, productType: row.productType, quantity: row.quantity, price: row.price, at: row.at })),
    segment: rows[0]?.segment ?? null,
  };
}

/** The shop's settings JSON and currency; null for an unknown shop. */
export async function findShopSettings(db: Db, shop: string): Promise<{ settings: Prisma.JsonValue; currency: string } | null> {
  return db.shop.findUnique({ where: { domain: shop }, select: { settings: true, currency: true } });
}

/** Replaces one top-level key of Shop.settings, keeping the others. */
export async function saveShopSettingsKey(db: Db, shop: string, key: string, value: Prisma.InputJsonValue): Promise<boolean> {
  const row = await db.shop.findUnique({ where: { domain: shop }, select: { settings: true } });
  if (!row) return false;
  const current = row.settings && typeof row.settings === "object" && !Array.isArray(row.settings) ? (row.settings as Prisma.JsonObject) : {};
  await db.shop.update({ where: { domain: shop }, data: { settings: { ...current, [key]: value } } });
  invalidateServing(shop, "shop");
  return true;
}

/** Marks products as gift cards (Shopify flagged one of their order lines `gift_card`). */
export async function markGiftCardProducts(db: Db, shop: string, shopifyIds: string[]): Promise<void> {
  const ids = [...new Set(shopifyIds)];
  if (!ids.length) return;
  await db.product.updateMany({ where: { shop, shopifyId: { in: ids }, giftCard: false }, data: { giftCard: true } });
  invalidateServing(shop, "products");
}
