// Aggregates for the extras of the daily analysis (services/analysisExtras.server.ts): the
// daily order series (the backtest's columns come from models/analytics.server.ts aggregateCustomers). Same order rules as
// models/analytics.server.ts: cancelled and test orders excluded, dated by processedAt, net =
// totalPrice − totalRefunded, nothing after the analysis instant. Local days in the shop's time
// zone: call inside a transaction (the session time zone is set for the transaction only).
import { NET_SCALE } from "~/domain/money";
import type { Db } from "~/lib/transaction.server";

const ORDER_FILTER = `shop = $1 AND "cancelledAt" IS NULL AND NOT test AND "processedAt" < $2::timestamp`;
// The local day number of an order (the session time zone is the shop's).
const LOCAL_DAY = `((("processedAt" AT TIME ZONE 'UTC')::date) - DATE '1970-01-01')`;

/** Sets the transaction's time zone (local day arithmetic in SQL). */
export async function setShopTimeZone(db: Db, timeZone: string) {
  await db.$queryRawUnsafe(`SELECT set_config('TimeZone', $1, true)`, timeZone);
}

/**
 * Orders and exact net revenue per local day from `fromDay` (a day number) up to `now`, guests
 * included. Reads the (shop, processedAt) index from the start of the window.
 */
export async function dailyOrderTotals(db: Db, shop: string, opts: { now: Date; fromDay: number; fromInstant: Date }) {
  const rows = await db.$queryRawUnsafe<{ day: number; orders: number; net: bigint | number }[]>(
    `SELECT ${LOCAL_DAY}::int AS day, COUNT(*)::int AS orders, SUM((("totalPrice" - "totalRefunded") * ${NET_SCALE})::bigint)::bigint AS net
     FROM "Order"
     WHERE ${ORDER_FILTER} AND "processedAt" >= $3::timestamp
     GROUP BY 1 HAVING ${LOCAL_DAY}::int >= $4 ORDER BY 1`,
    shop,
    opts.now.toISOString(),
    opts.fromInstant.toISOString(),
    opts.fromDay,
  );
  return rows.map((r) => ({ day: Number(r.day), orders: Number(r.orders), netRevenue: Number(r.net) / NET_SCALE }));
}
