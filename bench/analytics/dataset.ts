// The benchmark shop, generated inside the database with generate_series and a seeded hash
// (hashint8extended), so it is identical on every run and on both backends, and loads in
// seconds instead of minutes of client-side inserts.
//
// Shape: CUSTOMERS customers, each with a first order spread over three years before END_DAY;
// the remaining orders go to customers with a skewed preference (a few heavy buyers, many
// one-time buyers), on days between their first order and a customer-specific last active
// day (so some customers look "dead"). 3 % of repeat orders are guest orders, 2 % cancelled,
// 0.5 % test orders, 3 % half-refunded. Plus checkouts (70 % abandoned) and 36 months of spend.
import { seededRandom } from "../../app/domain/random";
import type { PrismaClient } from "@prisma/client";

export const BENCH_SHOP = "bench.myshopify.com";
export const END_DAY = "2026-11-22";

export interface DatasetSize {
  orders: number;
  customers: number;
  checkouts: number;
}

/** `shop`: the domain the rows belong to (the admin bench uses the demo shop's, which demo mode serves). */
export async function generateDataset(prisma: PrismaClient, size: DatasetSize, shop = BENCH_SHOP): Promise<void> {
  const { orders, customers, checkouts } = size;
  if (orders < customers) throw new RangeError("need at least one order per customer");
  const run = (sql: string) => prisma.$executeRawUnsafe(sql);
  await run(`CREATE OR REPLACE FUNCTION bench_u(bigint, bigint) RETURNS float8 IMMUTABLE PARALLEL SAFE LANGUAGE sql
             AS $$ SELECT (hashint8extended($1, $2) & 2147483647)::float8 / 2147483648 $$`);
  await run(`INSERT INTO "Shop" (domain, name, currency, "ianaTimezone", "updatedAt")
             VALUES ('${shop}', 'Benchmark shop', 'EUR', 'Europe/Paris', now())`);
  await run(`INSERT INTO "Customer" (id, shop, "shopifyId", "updatedAt")
             SELECT c, '${shop}', (1000000 + c)::text, now() FROM generate_series(1, ${customers}) c`);
  await run(`SELECT setval(pg_get_serial_sequence('"Customer"', 'id'), ${customers})`);
  await run(`
    INSERT INTO "Order" (shop, "shopifyId", name, "customerId", "processedAt", "shopifyCreatedAt", "cancelledAt", currency,
                         "totalPrice", "subtotalPrice", "totalDiscounts", "totalTax", "totalShipping", "totalRefunded", test, "updatedAt")
    SELECT '${shop}', i::text, '#' || i, CASE WHEN guest THEN NULL ELSE c END, at, at,
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
    SELECT '${shop}', k::text, 'tok' || k, 50, 'EUR', at, CASE WHEN bench_u(k, 22) < 0.3 THEN at + interval '5 minutes' END, now()
    FROM (SELECT k, TIMESTAMP '${END_DAY} 00:00:00' - make_interval(secs => floor(bench_u(k, 21) * 1095 * 86400)) AS at
          FROM generate_series(1, ${checkouts}) k) x`);
  await run(`
    INSERT INTO "MarketingSpend" (shop, month, amount, currency, "updatedAt")
    SELECT '${shop}', to_char(DATE '${END_DAY}' - make_interval(months => m), 'YYYY-MM'), 2000 + 100 * m, 'EUR', now()
    FROM generate_series(0, 35) m`);
  await run(`DROP FUNCTION bench_u(bigint, bigint)`);
  await run(`ANALYZE`);
}

/** Gamma(shape, 1) variate (Marsaglia & Tsang; shape < 1 through the boost U^(1/shape)). */
function gammaVariate(rand: () => number, shape: number): number {
  if (shape < 1) return gammaVariate(rand, shape + 1) * Math.pow(rand() || 1e-12, 1 / shape);
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number;
    let v: number;
    do {
      // Standard normal by Box-Muller.
      x = Math.sqrt(-2 * Math.log(rand() || 1e-12)) * Math.cos(2 * Math.PI * rand());
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const u = rand();
    if (u < 1 - 0.0331 * x ** 4 || Math.log(u || 1e-12) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v;
  }
}

/**
 * The same shape as a CSV (customer_id,order_date,revenue), one row per order, for
 * `rapport rfm` and `rapport clv`: `customers` customers and exactly `rows` rows.
 *
 * Purchases follow the BG/NBD story (so that the fit has a proper optimum, which both our
 * code and scipy can find): each customer's first order falls in the three years before
 * END_DAY; while alive, a customer buys at a rate λ ~ Gamma(0.75) and, after each purchase,
 * drops out with probability p ~ Beta(0.9, 5). The rate scale is chosen (by bisection, the
 * random streams replayed) so that the repeat orders fill the rows; the last customers lose
 * the few orders beyond. Spend: a customer mean of 20–100, each order 0.5–1.5 times it.
 */
export function datasetCsv(rows: number, customers: number, seed = 7): string {
  const rand = seededRandom(seed);
  const end = Date.UTC(2026, 10, 22);
  const firstAgo = new Float64Array(customers + 1);
  const shape = new Float64Array(customers + 1);
  const dropout = new Float64Array(customers + 1);
  const mean = new Float64Array(customers + 1);
  for (let c = 1; c <= customers; c++) {
    firstAgo[c] = rand() * 1095;
    shape[c] = gammaVariate(rand, 0.75);
    const g1 = gammaVariate(rand, 0.9);
    dropout[c] = g1 / (g1 + gammaVariate(rand, 5));
    mean[c] = 20 + 80 * rand();
  }
  // Repeat purchases of every customer at rate scale s (days since the first purchase).
  const simulate = (s: number, emit: ((c: number, ago: number) => boolean) | null): number => {
    const r = seededRandom(seed + 1);
    let total = 0;
    for (let c = 1; c <= customers; c++) {
      const rate = s * shape[c];
      let t = 0;
      for (;;) {
        t += -Math.log(1 - r()) / rate;
        if (t > firstAgo[c]) break;
        total++;
        if (emit && !emit(c, firstAgo[c] - t)) return total;
        if (r() < dropout[c]) break;
      }
    }
    return total;
  };
  const want = rows - customers;
  let lo = 1e-6;
  let hi = 10;
  for (let i = 0; i < 60 && hi / lo > 1 + 1e-12; i++) {
    const mid = Math.sqrt(lo * hi);
    if (simulate(mid, null) >= want) hi = mid;
    else lo = mid;
  }
  const parts: string[] = ["customer_id,order_date,revenue\n"];
  let chunk = "";
  const row = (c: number, ago: number) => {
    const day = new Date(end - Math.floor(ago) * 86_400_000).toISOString().slice(0, 10);
    chunk += `${1000000 + c},${day},${(mean[c] * (0.5 + rand())).toFixed(2)}\n`;
    if (chunk.length > 1 << 16) {
      parts.push(chunk);
      chunk = "";
    }
  };
  for (let c = 1; c <= Math.min(customers, rows); c++) row(c, firstAgo[c]);
  let left = want;
  if (left > 0) {
    simulate(hi, (c, ago) => {
      row(c, ago);
      return --left > 0;
    });
  }
  parts.push(chunk);
  return parts.join("");
}
