// Tombstones: Shopify objects deleted in the shop, kept so a late webhook cannot resurrect them.
import { chunks } from "~/lib/chunks";
import type { Db } from "~/lib/transaction.server";

export type TombstoneKind = "order" | "product" | "customer";

/** Those of `shopifyIds` that have a tombstone. */
export async function findTombstonedIds(db: Db, shop: string, kind: TombstoneKind, shopifyIds: string[]): Promise<Set<string>> {
  const dead = new Set<string>();
  for (const part of chunks(shopifyIds)) {
    const rows = await db.tombstone.findMany({ where: { shop, kind, shopifyId: { in: part } }, select: { shopifyId: true } });
    for (const row of rows) dead.add(row.shopifyId);
  }
  return dead;
}

export async function isTombstoned(db: Db, shop: string, kind: TombstoneKind, shopifyId: string): Promise<boolean> {
  return (await db.tombstone.findUnique({ where: { shop_kind_shopifyId: { shop, kind, shopifyId } } })) !== null;
}

/** Records the deletion; a second delete of the same object keeps the first date. */
export async function addTombstone(db: Db, shop: string, kind: TombstoneKind, shopifyId: string, deletedAt: Date) {
  await db.tombstone.upsert({
    where: { shop_kind_shopifyId: { shop, kind, shopifyId } },
    create: { shop, kind, shopifyId, deletedAt },
    update: {},
  });
}
