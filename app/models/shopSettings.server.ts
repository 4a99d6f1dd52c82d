// Shop.settings (JSON): read, and changed one key at a time with jsonb operators in a single
// statement, so keys other features store there are never overwritten by a stale copy.
import { Prisma } from "@prisma/client";
import { invalidateServing } from "~/lib/servingCache.server";
import type { Db } from "~/lib/transaction.server";

export async function findShopSettings(db: Db, shop: string): Promise<unknown> {
  const row = await db.shop.findUnique({ where: { domain: shop }, select: { settings: true } });
  return row?.settings ?? null;
}

/** Sets `key` to `value` (JSON) in the shop's settings. */
export async function setShopSetting(db: Db, shop: string, key: string, value: unknown) {
  await db.$executeRaw`UPDATE "Shop" SET settings = settings || jsonb_build_object(${key}::text, ${JSON.stringify(value)}::jsonb), "updatedAt" = now() WHERE domain = ${shop}`;
  invalidateServing(shop, "shop");
}

/** Removes `key` from the shop's settings. */
export async function removeShopSetting(db: Db, shop: string, key: string) {
  await db.$executeRaw`UPDATE "Shop" SET settings = settings - ${key}::text, "updatedAt" = now() WHERE domain = ${shop}`;
  invalidateServing(shop, "shop");
}

/** Customers with orders per stored (R, F, M) score cell: what a rule table is applied to. */
export async function rfmCellCounts(db: Db, shop: string) {
  return db.$queryRaw<{ r: number; f: number; m: number; customers: number }[]>(
    Prisma.sql`SELECT "rScore" AS r, "fScore" AS f, "mScore" AS m, count(*)::int AS customers FROM "CustomerMetrics" WHERE shop = ${shop} GROUP BY 1, 2, 3`,
  );
}

/** Customers per stored segment (what the last run and the refreshes since assigned). */
export async function storedSegmentCounts(db: Db, shop: string) {
  // Plain SQL: half the time of the same groupBy through Prisma on PGlite at 100,000 rows (bench/admin).
  return db.$queryRaw<{ segment: string; customers: number }[]>(
    Prisma.sql`SELECT segment, count(*)::int AS customers FROM "CustomerMetrics" WHERE shop = ${shop} GROUP BY segment`,
  );
}

/**
 * The segments stored customers are in, without counting them: a skip scan of the
 * (shop, segment) index, one index probe per segment (the customers page's segment filter).
 */
export async function storedSegmentKeys(db: Db, shop: string): Promise<string[]> {
  const rows = await db.$queryRaw<{ segment: string }[]>(Prisma.sql`
    WITH RECURSIVE s AS (
      (SELECT segment FROM "CustomerMetrics" WHERE shop = ${shop} ORDER BY segment LIMIT 1)
      UNION ALL
      SELECT (SELECT m.segment FROM "CustomerMetrics" m WHERE m.shop = ${shop} AND m.segment > s.segment ORDER BY m.segment LIMIT 1)
      FROM s WHERE s.segment IS NOT NULL
    )
    SELECT segment FROM s WHERE segment IS NOT NULL`);
  return rows.map((r) => r.segment);
}
