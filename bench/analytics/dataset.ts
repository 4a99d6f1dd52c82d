// The benchmark shop, generated inside the database with generate_series and a seeded hash
// (hashint8extended), so it is identical on every run and on both backends, and loads in
// seconds instead of minutes of client-side inserts.
//
// Shape: CUSTOMERS customers, each with a first order spread over three years before END_DAY;
// the remaining orders go to customers with a skewed preference (a few heavy buyers, many
// one-time buyers), on days between their first order and a customer-specific last active
// day (so some customers look "dead"). 3 % of repeat orders are guest orders, 2 % cancelled,
// 0.5 % test orders, 3 % half-refunded. Plus checkouts (70 % abandoned) and 36 months of spend.
import type { PrismaClient } from "@prisma/client";

export const BENCH_SHOP = "bench.myshopify.com";
export const END_DAY = "2026-11-22";

export interface DatasetSize {
  orders: number;
  customers: number;
  checkouts: number;
}

export async function generateDataset(prisma: PrismaClient, size: DatasetSize): Promise<void> {
  const { orders, customers, checkouts } = size;
  if (orders < customers) throw new RangeError("need at least one order per customer");
  const run = (sql: string) => prisma.$executeRawUnsafe(sql);
  await run(`CREATE OR REPLACE FUNCTION bench_u(bigint, bigint) RETURNS float8 IMMUTABLE PARALLEL SAFE LANGUAGE sql
             AS $$ SELECT (hashint8extended($1, $2) & 2147483647)::float8 / 2147483648 $$`);
  await run(`INSERT INTO "Shop" (domain, name, currency, "ianaTimezone", "updatedAt")
             VALUES ('${BENCH_SHOP}', 'Benchmark shop', 'EUR', 'Europe/Paris', now())`);
  await run(`INSERT INTO "Customer" (id, shop, "shopifyId", "updatedAt")
             SELECT c, '${BENCH_SHOP}', (1000000 + c)::text, now() FROM generate_series(1, ${customers}) c`);
  await run(`SELECT setval(pg_get_serial_sequence('"Customer"', 'id'), ${customers})`);
  await run(`
    INSERT INTO "Order" (shop, "shopifyId", name, "customerId", "processedAt", "shopifyCreatedAt", "cancelledAt", currency,
                         "totalPrice", "subtotalPrice", "totalDiscounts", "totalTax", "totalShipping", "totalRefunded", test, "updatedAt")
    SELECT '${BENCH_SHOP}', i::text, '#' || i, CASE WHEN guest THEN NULL ELSE c END, at, at,
           CASE WHEN bench_u(i, 6) < 0.02 THEN at + interval '1 hour' END, 'EUR',
           amount, amount, 0, 0, 0,
           CASE WHEN bench_u(i, 9) < 0.03 THEN round(amount / 2, 2) ELSE 0 END,
           bench_u(i, 7) < 0.005, now()
    FROM (
      SELECT i, c, guest,
             TIMESTAMP '${END_DAY} 00:00:00'
               - make_interval(days => CASE WHEN i <= ${customers} THEN first_ago
                                            ELSE first_ago - floor(bench_u(i, 3) * first_ago * bench_u(c, 12))::int END)
               + make_interval(secs => floor(bench_u(i, 5) * 86400)) AS at,
             round(((20 + 80 * bench_u(c, 13)) * (0.5 + bench_u(i, 8)))::numeric, 2) AS amount
      FROM (
        SELECT i, c, i > ${customers} AND bench_u(i, 4) < 0.03 AS guest, floor(bench_u(c, 11) * 1095)::int AS first_ago
        FROM (
          SELECT i, CASE WHEN i <= ${customers} THEN i ELSE 1 + floor(${customers} * power(bench_u(i, 1), 1.3))::int END AS c
          FROM generate_series(1, ${orders}) i
        ) a
      ) b
    ) o`);
  await run(`
    INSERT INTO "Checkout" (shop, "shopifyId", token, "totalPrice", currency, "shopifyCreatedAt", "completedAt", "updatedAt")
    SELECT '${BENCH_SHOP}', k::text, 'tok' || k, 50, 'EUR', at, CASE WHEN bench_u(k, 22) < 0.3 THEN at + interval '5 minutes' END, now()
    FROM (SELECT k, TIMESTAMP '${END_DAY} 00:00:00' - make_interval(secs => floor(bench_u(k, 21) * 1095 * 86400)) AS at
          FROM generate_series(1, ${checkouts}) k) x`);
  await run(`
    INSERT INTO "MarketingSpend" (shop, month, amount, currency, "updatedAt")
    SELECT '${BENCH_SHOP}', to_char(DATE '${END_DAY}' - make_interval(months => m), 'YYYY-MM'), 2000 + 100 * m, 'EUR', now()
    FROM generate_series(0, 35) m`);
  await run(`DROP FUNCTION bench_u(bigint, bigint)`);
  await run(`ANALYZE`);
}

/** Mulberry32: a small seeded generator for the CSV of the CLI benchmark. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * The same shape as a CSV (customer_id,order_date,revenue), one row per order, for
 * `rapport rfm` and `rapport clv`.
 */
export function datasetCsv(rows: number, customers: number, seed = 7): string {
  const rand = mulberry32(seed);
  const end = Date.UTC(2026, 10, 22);
  const firstAgo = new Int32Array(customers + 1);
  const active = new Float64Array(customers + 1);
  const mean = new Float64Array(customers + 1);
  for (let c = 1; c <= customers; c++) {
    firstAgo[c] = Math.floor(rand() * 1095);
    active[c] = rand();
    mean[c] = 20 + 80 * rand();
  }
  const parts: string[] = ["customer_id,order_date,revenue\n"];
  let chunk = "";
  for (let i = 1; i <= rows; i++) {
    const c = i <= customers ? i : 1 + Math.floor(customers * Math.pow(rand(), 1.3));
    const ago = i <= customers ? firstAgo[c] : firstAgo[c] - Math.floor(rand() * firstAgo[c] * active[c]);
    const day = new Date(end - ago * 86_400_000).toISOString().slice(0, 10);
    const amount = (mean[c] * (0.5 + rand())).toFixed(2);
    chunk += `${1000000 + c},${day},${amount}\n`;
    if (chunk.length > 1 << 16) {
      parts.push(chunk);
      chunk = "";
    }
  }
  parts.push(chunk);
  return parts.join("");
}
