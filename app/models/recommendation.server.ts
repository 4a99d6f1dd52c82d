// Reads and writes of the storefront recommendations: training data (baskets, recent sales,
// product types), the stored model per shop, the products a list may show, a customer's
// history and segment, and the recommendation settings in Shop.settings.
import { type Prisma } from "@prisma/client";
import { chunks } from "~/lib/chunks";
import type { Db } from "~/lib/transaction.server";

export interface BasketRow {
  customer: string | null;
  at: Date;
  products: string[];
}

/**
 * One row per counted order (cancelled and test orders excluded) processed at or before `now`:
 * its distinct products (gift cards left out), customer and time.
 */
export async function trainingBaskets(db: Db, shop: string, now: Date): Promise<BasketRow[]> {
  const rows = await db.$queryRaw<{ customer: string | null; at: Date; products: string[] }[]>`
    SELECT o."customerShopifyId" AS customer, o."processedAt" AS at,
           array_agg(DISTINCT li."productShopifyId") AS products
    FROM "Order" o
    JOIN "LineItem" li ON li."orderId" = o.id
    LEFT JOIN "Product" p ON p.shop = o.shop AND p."shopifyId" = li."productShopifyId"
    WHERE o.shop = ${shop} AND o."cancelledAt" IS NULL AND o.test = false AND o."processedAt" <= ${now}
      AND li."productShopifyId" IS NOT NULL AND COALESCE(p."giftCard", false) = false
    GROUP BY o.id`;
  return rows;
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

/** Lines of a customer's counted orders up to `now`, by numeric Shopify customer id. */
export async function customerHistory(db: Db, shop: string, customerShopifyId: string, now: Date): Promise<CustomerHistoryLine[]> {
  const orders = await db.order.findMany({
    where: { shop, customerShopifyId, cancelledAt: null, test: false, processedAt: { lte: now } },
    select: { processedAt: true, lineItems: { select: { productShopifyId: true, productType: true, quantity: true, price: true } } },
    orderBy: { processedAt: "desc" },
    take: 200,
  });
  return orders.flatMap((o) =>
    o.lineItems
      .filter((li) => li.productShopifyId !== null)
      .map((li) => ({
        productId: li.productShopifyId as string,
        productType: li.productType,
        quantity: li.quantity,
        price: li.price,
        at: o.processedAt,
      })),
  );
}

/** The customer's RFM segment from the last analysis; null when unknown. */
export async function findCustomerSegment(db: Db, shop: string, customerShopifyId: string): Promise<string | null> {
  const row = await db.customer.findUnique({
    where: { shop_shopifyId: { shop, shopifyId: customerShopifyId } },
    select: { metrics: { select: { segment: true } } },
  });
  return row?.metrics?.segment ?? null;
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
  return true;
}
