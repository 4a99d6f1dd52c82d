// Shared by the models of synced Shopify objects (customers, orders, products, checkouts):
// what newest-wins needs to know about stored rows, and the key new rows are unique on.
import { chunks } from "~/lib/chunks";
import type { Db } from "~/lib/transaction.server";

export interface StoredVersion {
  id: number;
  shopifyUpdatedAt: Date | null;
}

export type SyncedTable = "customer" | "order" | "product" | "checkout";

/** Another transaction may insert the same object first: new rows skip conflicts on this key. */
export const SHOPIFY_KEY = ["shop", "shopifyId"];

/** The stored id and Shopify `updated_at` of each of `shopifyIds` that exists, by Shopify id. */
export async function findStoredVersions(db: Db, table: SyncedTable, shop: string, shopifyIds: string[]): Promise<Map<string, StoredVersion>> {
  const found = new Map<string, StoredVersion>();
  for (const part of chunks(shopifyIds)) {
    if (!part.length) continue;
    const args = { where: { shop, shopifyId: { in: part } }, select: { id: true, shopifyId: true, shopifyUpdatedAt: true } };
    // The four delegates share this query shape; TypeScript cannot see through the union.
    const rows = await (db[table] as unknown as { findMany(a: typeof args): Promise<(StoredVersion & { shopifyId: string })[]> }).findMany(args);
    for (const row of rows) found.set(row.shopifyId, row);
  }
  return found;
}
