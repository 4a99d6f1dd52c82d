// Read-only counts behind the "data health" card: what is stored for a shop, and how fresh.
import { Prisma, type WebhookEventStatus } from "@prisma/client";
import type { Db } from "~/lib/transaction.server";

/** Rows of a shop's tally past which a read folds them into one (each write statement adds one). */
const TALLY_FOLD_AT = 200;

/**
 * What is stored for a shop: counts, sums and the first and last order. The counts and sums are
 * the shop's ShopTally rows (kept by triggers on every write, migration shop_tally): a read of a
 * few rows instead of every order. The first and last order are the ends of the
 * (shop, processedAt) index.
 */
export async function countShopData(db: Db, shop: string) {
  const [[tally], first, last] = await Promise.all([
    db.$queryRaw<
      {
        customers: number;
        orders: number;
        cancelledOrders: number;
        products: number;
        checkouts: number;
        gross: Prisma.Decimal;
        refunded: Prisma.Decimal;
        rows: number;
      }[]
    >(Prisma.sql`
      SELECT coalesce(sum(customers), 0)::int AS customers, coalesce(sum(orders), 0)::int AS orders,
             coalesce(sum("cancelledOrders"), 0)::int AS "cancelledOrders", coalesce(sum(products), 0)::int AS products,
             coalesce(sum(checkouts), 0)::int AS checkouts, coalesce(sum("grossRevenue"), 0) AS gross,
             coalesce(sum(refunded), 0) AS refunded, count(*)::int AS rows
      FROM "ShopTally" WHERE shop = ${shop}`),
    db.order.findFirst({ where: { shop, test: false }, orderBy: { processedAt: "asc" }, select: { processedAt: true } }),
    db.order.findFirst({ where: { shop, test: false }, orderBy: { processedAt: "desc" }, select: { processedAt: true } }),
  ]);
  if (tally.rows > TALLY_FOLD_AT) await foldShopTally(db, shop);
  return {
    customers: tally.customers,
    orders: tally.orders,
    cancelledOrders: tally.cancelledOrders,
    products: tally.products,
    checkouts: tally.checkouts,
    grossRevenue: tally.gross,
    refunded: tally.refunded,
    /** Paid totals of non-cancelled orders minus their refunds. */
    netRevenue: tally.gross.minus(tally.refunded),
    firstOrderAt: first?.processedAt ?? null,
    lastOrderAt: last?.processedAt ?? null,
  };
}

/**
 * Folds a shop's tally rows into one, in one statement: a concurrent reader sees the rows before
 * or after, with the same sums; rows written meanwhile are not in the statement's snapshot and stay.
 */
export async function foldShopTally(db: Db, shop: string) {
  await db.$executeRaw(Prisma.sql`
    WITH gone AS (DELETE FROM "ShopTally" WHERE shop = ${shop} RETURNING *)
    INSERT INTO "ShopTally" (shop, customers, orders, "cancelledOrders", "grossRevenue", refunded, products, checkouts)
    SELECT ${shop}, sum(customers), sum(orders), sum("cancelledOrders"), sum("grossRevenue"), sum(refunded), sum(products), sum(checkouts)
    FROM gone HAVING count(*) > 0`);
}

// Plain SQL rather than Prisma's groupBy: a third of the time on PGlite (bench/admin).
export async function lastEventPerTopic(db: Db, shop: string) {
  return db.$queryRaw<{ topic: string; lastReceivedAt: Date | null; count: number }[]>(Prisma.sql`
    SELECT topic, max("receivedAt") AS "lastReceivedAt", count(*)::int AS count
    FROM "WebhookEvent" WHERE shop = ${shop} GROUP BY topic ORDER BY topic`);
}

export async function inboxCountsByStatus(db: Db, shop: string): Promise<Record<WebhookEventStatus, number>> {
  const rows = await db.$queryRaw<{ status: WebhookEventStatus; n: number }[]>(
    Prisma.sql`SELECT status::text AS status, count(*)::int AS n FROM "WebhookEvent" WHERE shop = ${shop} GROUP BY status`,
  );
  const counts: Record<WebhookEventStatus, number> = { pending: 0, processing: 0, processed: 0, dead: 0 };
  for (const row of rows) counts[row.status] = row.n;
  return counts;
}
