// Products of the catalogue (prices in the shop's currency).
import { chunks } from "~/lib/chunks";
import { invalidateServing } from "~/lib/servingCache.server";
import type { Db } from "~/lib/transaction.server";
import type { ProductPayload } from "~/lib/shopifyPayloads";
import { insertRows } from "./bulk.server";
import { productRow } from "./rows.server";
import { findStoredVersions, SHOPIFY_KEY } from "./synced.server";

export function findStoredProducts(db: Db, shop: string, shopifyIds: string[]) {
  return findStoredVersions(db, "product", shop, shopifyIds);
}

/** Inserts products not stored yet; returns the Shopify ids inserted (skipping rows another transaction inserted first). */
export async function insertProducts(db: Db, shop: string, payloads: ProductPayload[], currency: string) {
  const inserted = await insertRows<{ shopifyId: string }>(
    db,
    "Product",
    payloads.map((p) => productRow(shop, p, currency)),
    ["shopifyId"],
    { skipConflictsOn: SHOPIFY_KEY },
  );
  invalidateServing(shop, "products");
  return inserted;
}

export async function updateProduct(db: Db, shop: string, id: number, payload: ProductPayload, currency: string) {
  const row = productRow(shop, payload, currency);
  // A gift card known from its order lines stays one (product payloads rarely say so).
  await db.product.update({ where: { id, shop }, data: { ...row, giftCard: row.giftCard || undefined } });
  invalidateServing(shop, "products");
}

export async function deleteProductByShopifyId(db: Db, shop: string, shopifyId: string) {
  await db.product.deleteMany({ where: { shop, shopifyId } });
  invalidateServing(shop, "products");
}

/** The stored product type of each of `shopifyIds` that is stored, by Shopify id. */
export async function productTypesByShopifyId(db: Db, shop: string, shopifyIds: string[]): Promise<Map<string, string | null>> {
  const types = new Map<string, string | null>();
  for (const part of chunks(shopifyIds)) {
    const rows = await db.product.findMany({ where: { shop, shopifyId: { in: part } }, select: { shopifyId: true, productType: true } });
    for (const row of rows) types.set(row.shopifyId, row.productType);
  }
  return types;
}

export function countProducts(db: Db, shop: string) {
  return db.product.count({ where: { shop } });
}
