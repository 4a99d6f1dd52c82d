// Aggregates for the extras of the daily analysis (services/analysisExtras.server.ts): the
// daily order series and the backtest's calibration / holdout columns. Same order rules as
// models/analytics.server.ts: cancelled and test orders excluded, dated by processedAt, net =
// totalPrice − totalRefunded, nothing after the analysis instant. Local days in the shop's time
// zone: call inside a transaction (the session time zone is set for the transaction only).
import { NET_SCALE } from "~/domain/money";
import type { Db } from "~/lib/transaction.server";

const ORDER_FILTER = `shop = $1 AND "cancelledAt" IS NULL AND NOT test AND "processedAt" < $2::timestamp`;
// The local day number of an order (the session time zone is the shop's).
const LOCAL_DAY = `((("processedAt" AT TIME ZONE 'UTC')::date) - DATE '1970-01-01')`;

/** Sets the transaction's time zone (local day arithmetic in SQL). */
export async function useShopTimeZone(db: Db, timeZone: string) {
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

/**
 * Per customer whose first order day is before `cutoffDay`: the calibration columns (first and
 * last order day before the cut-off, distinct order days, net revenue of the days after the
 * first) and the holdout (distinct order days and net revenue from the cut-off up to `now`),
 * plus the holdout's order days per week since the cut-off. One JSON array per column.
 */
export async function backtestColumns(db: Db, shop: string, opts: { now: Date; cutoffDay: number }) {
  // No joins: the first order day comes from a window over the (customer, day) groups, then
  // one pass groups per customer and one per holdout week.
  const sql = `
    WITH d AS MATERIALIZED (
      SELECT c, day, net, MIN(day) OVER (PARTITION BY c) AS first_day
      FROM (SELECT "customerId" AS c, ${LOCAL_DAY}::int AS day, SUM((("totalPrice" - "totalRefunded") * ${NET_SCALE})::bigint) AS net
            FROM "Order"
            WHERE ${ORDER_FILTER} AND "customerId" IS NOT NULL
            GROUP BY 1, 2) g
    ), a AS (
      SELECT c, MIN(first_day) AS first_day,
             MAX(day) FILTER (WHERE day < $3) AS last_day,
             COUNT(*) FILTER (WHERE day < $3) AS cal_days,
             COALESCE(SUM(net) FILTER (WHERE day > first_day AND day < $3), 0)::bigint AS repeat_net,
             COUNT(*) FILTER (WHERE day >= $3) AS hold_days,
             COALESCE(SUM(net) FILTER (WHERE day >= $3), 0)::bigint AS hold_net
      FROM d WHERE first_day < $3 GROUP BY c
    )
    SELECT
      (SELECT json_build_array(COALESCE(json_agg(first_day ORDER BY c), '[]'), COALESCE(json_agg(last_day ORDER BY c), '[]'),
              COALESCE(json_agg(cal_days ORDER BY c), '[]'), COALESCE(json_agg(repeat_net ORDER BY c), '[]'),
              COALESCE(json_agg(hold_days ORDER BY c), '[]'), COALESCE(json_agg(hold_net ORDER BY c), '[]'))::text
       FROM a) AS cols,
      (SELECT COALESCE(json_agg(json_build_array(w, n) ORDER BY w), '[]')::text
       FROM (SELECT (day - $3) / 7 AS w, COUNT(*) AS n FROM d WHERE first_day < $3 AND day >= $3 GROUP BY 1) x) AS weeks`;
  const [row] = await db.$queryRawUnsafe<{ cols: string; weeks: string }[]>(sql, shop, opts.now.toISOString(), opts.cutoffDay);
  const [firstDay, lastDay, calDays, repeatNet, holdDays, holdNet] = JSON.parse(row.cols) as number[][];
  const weekly: number[] = [];
  for (const [w, n] of JSON.parse(row.weeks) as number[][]) weekly[w] = n;
  return {
    count: firstDay.length,
    firstDay,
    lastDay,
    purchaseDays: calDays,
    repeatNetRevenue: repeatNet.map((v) => v / NET_SCALE),
    holdoutDays: holdDays,
    holdoutRevenue: holdNet.map((v) => v / NET_SCALE),
    weeklyActual: Array.from({ length: weekly.length }, (_, i) => weekly[i] ?? 0),
  };
}
