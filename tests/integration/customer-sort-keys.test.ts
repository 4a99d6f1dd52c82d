// The daily rewrite of CustomerMetrics as a HOT update (ADR 013) and the customers page's sorts
// by P(alive) and predicted CLV through the generated keys that make it possible: the keys'
// exact values, the table's fillfactor, which rewrites are HOT, and the exact order of every
// page (ties, nulls, filters, keyset pages both ways), on both backends.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clvSortKey, parseCustomerQuery } from "~/domain/customerList";
import { writeCustomerMetricsBatch, type CustomerMetricsBatch } from "~/models/analytics.server";
import { listCustomers } from "~/services/customers.server";
import { useDatabase } from "../helpers/app";
import { BACKENDS, openMigrated } from "../helpers/db";

const SHOP = "sort-keys.myshopify.com";
const DAY = 86_400_000;
const NOW = new Date("2026-11-22T20:00:00Z");

// Customer id, P(alive), predicted CLV, and the keys the database must derive from them: the
// whole percentage the page shows (Math.round(pAlive × 100), in binary floating point) and the
// CLV rounded down to the series 1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8 × 10^k (tenths below 1,
// 0.0001 below 0.1 and 0 for 0 alone).
const ROWS: [id: number, pAlive: number | null, clv: string | null, percent: number | null, clvKey: string | null][] = [
  [1, 0.125, "150.00", 13, "150.0000"], // 12.5 %: half up
  [2, 0.995, "149.99", 100, "120.0000"], // 99.5 % shows 100 %
  [3, 0.3, "0.00", 30, "0.0000"], // key 0: CLV 0 and nothing else
  [4, 0.2996, "150.00", 30, "150.0000"], // shows 30 % (high risk, below 0.3); same CLV as 1
  [5, 0.304, "0.05", 30, "0.0001"],
  [6, 1, "12345.67", 100, "12000.0000"],
  [7, 2e-9, "0.99", 0, "0.9000"],
  [8, 0.005, "1.00", 1, "1.0000"], // 0.5 %: half up
  [9, 0.00499, "1.19", 0, "1.0000"],
  [10, null, null, null, null], // no fitted model
  [11, 0.7, "7.99", 70, "6.0000"],
  [12, 0.125, "8.00", 13, "8.0000"],
  [13, 0.6999, "9.99", 70, "8.0000"],
  [14, 0.285, "100.00", 28, "100.0000"], // 0.285 × 100 = 28.499999999999996
  [15, 0.13, "99.99", 13, "80.0000"],
  [16, 0, "10.00", 0, "10.0000"],
  [17, 0.5, "0.10", 50, "0.1000"],
  [19, 0.02, "0.00", 2, "0.0000"], // CLV 0 and unknown CLV: ties read in customer order
  [20, null, null, null, null],
  [21, 0, "0.00", 0, "0.0000"],
  [22, 0.9, "-5.00", 90, "-5.0000"], // never seen, but the order holds below 0 too
];
// A customer without orders (no metrics): listed after every customer with orders.
const WITHOUT_ORDERS = 18;

function batchOf(rows: typeof ROWS, day: number, change: (id: number) => { pAlive?: number; clv?: string } = () => ({})): CustomerMetricsBatch {
  const last = NOW.getTime() - 30 * DAY;
  return {
    customerId: rows.map((r) => r[0]),
    recencyDays: rows.map(() => 30 + day),
    frequency: rows.map(() => 3),
    purchaseDays: rows.map(() => 3),
    monetary: rows.map(() => "120.00"),
    rScore: rows.map(() => 3),
    fScore: rows.map(() => 3),
    mScore: rows.map(() => 3),
    segment: rows.map(() => 0),
    pAlive: rows.map((r) => change(r[0]).pAlive ?? r[1]),
    expectedPurchases12m: rows.map((r) => (r[1] === null ? null : 1.5 - day / 100)),
    expectedOrderValue: rows.map((r) => (r[1] === null ? null : "40.00")),
    predictedClv12m: rows.map((r) => change(r[0]).clv ?? r[2]),
    expectedNextOrderAt: rows.map(() => null),
    firstOrderAt: rows.map(() => last - 400 * DAY),
    lastOrderAt: rows.map(() => last),
  };
}

describe.each(BACKENDS)("CustomerMetrics sort keys and HOT rewrites on %s", (backend) => {
  let ctx: Awaited<ReturnType<typeof openMigrated>>;
  const q = (query: string, limit = 50) => listCustomers(SHOP, parseCustomerQuery(new URLSearchParams(query), limit));
  const ids = (page: Awaited<ReturnType<typeof q>>) => page.customers.map((c) => Number(c.id) - 9000);
  const run = (day: number) => ({
    currency: "EUR",
    lowConfidence: false,
    computedAt: new Date(NOW.getTime() + day * DAY),
    startOfToday: new Date(NOW.getTime() + day * DAY - 20 * 3_600_000),
    segmentNames: ["loyal"],
  });

  beforeAll(async () => {
    ctx = await openMigrated(backend);
    useDatabase(ctx.db);
    const sql = (text: string, ...params: unknown[]) => ctx.db.prisma.$executeRawUnsafe(text, ...params);
    await sql(`INSERT INTO "Shop" (domain, currency, "ianaTimezone", "updatedAt") VALUES ($1, 'EUR', 'Europe/Paris', now())`, SHOP);
    for (const id of [...ROWS.map((r) => r[0]), WITHOUT_ORDERS]) {
      await sql(`INSERT INTO "Customer" (id, shop, "shopifyId", "updatedAt") VALUES ($1, $2, $3, now())`, id, SHOP, String(9000 + id));
    }
    await ctx.db.prisma.$transaction((tx) => writeCustomerMetricsBatch(tx, SHOP, run(0), batchOf(ROWS, 0)));
  });
  afterAll(async () => {
    useDatabase(undefined);
    await ctx?.cleanup();
  });

  it("leaves half of each page free and indexes the keys, not P(alive) or CLV themselves", async () => {
    const [table] = await ctx.db.prisma.$queryRawUnsafe<{ options: string[] }[]>(
      `SELECT reloptions AS options FROM pg_class WHERE relname = 'CustomerMetrics'`,
    );
    expect(table.options).toEqual(["fillfactor=50"]);
    const indexes = await ctx.db.prisma.$queryRawUnsafe<{ def: string }[]>(
      `SELECT indexdef AS def FROM pg_indexes WHERE tablename = 'CustomerMetrics' AND indexdef ~ '(pAlive|predictedClv12m)' ORDER BY 1`,
    );
    expect(indexes.map((i) => i.def.replace(/^.* USING btree /, ""))).toEqual([
      `(shop, "pAlivePercent", "customerId")`,
      `(shop, "predictedClv12mKey", "customerId")`,
    ]);
  });

  it("derives the whole percentage shown and the CLV key exactly", async () => {
    const rows = await ctx.db.prisma.$queryRawUnsafe<{ id: number; percent: number | null; key: string | null }[]>(
      `SELECT "customerId" AS id, "pAlivePercent" AS percent, "predictedClv12mKey"::text AS key FROM "CustomerMetrics" ORDER BY 1`,
    );
    expect(rows).toEqual(ROWS.map(([id, , , percent, key]) => ({ id, percent, key })));
    // The customers page computes the key of a CLV filter's bound itself: the same rule.
    for (const [, , clv, , key] of ROWS) if (clv !== null && !clv.startsWith("-")) expect(clvSortKey(clv)).toBe(String(Number(key)));
    // What the page shows is the stored percentage.
    const page = await q("sort=pAlive&dir=desc");
    for (const c of page.customers) {
      const row = ROWS.find((r) => r[0] === Number(c.id) - 9000);
      if (row) expect(c.pAlive === null ? null : Math.round(c.pAlive * 100)).toBe(row[3]);
    }
  });

  it("rewrites a row as a HOT update unless an indexed value changes (the percentage, the CLV key)", async () => {
    // The next day: recency, expected purchases, P(alive) and CLV change for everyone; customer
    // 2 drops to 99 % and customer 14's CLV to the step below (99.99 → 80): theirs are not HOT.
    const changes: Record<number, { pAlive?: number; clv?: string }> = {
      1: { pAlive: 0.1251, clv: "151.20" },
      2: { pAlive: 0.99 },
      6: { pAlive: 0.99999, clv: "12000.01" },
      14: { clv: "99.99" },
      17: { pAlive: 0.4999, clv: "0.11" },
    };
    const counts = await ctx.db.prisma.$transaction(async (tx) => {
      await writeCustomerMetricsBatch(
        tx,
        SHOP,
        run(1),
        batchOf(ROWS, 1, (id) => changes[id] ?? {}),
      );
      return tx.$queryRawUnsafe<{ updated: number; hot: number }[]>(
        `SELECT n_tup_upd::int AS updated, n_tup_hot_upd::int AS hot FROM pg_stat_xact_user_tables WHERE relname = 'CustomerMetrics'`,
      );
    });
    expect(counts).toEqual([{ updated: ROWS.length, hot: ROWS.length - 2 }]);
    const changed = await ctx.db.prisma.$queryRawUnsafe<{ id: number; percent: number | null; key: string | null }[]>(
      `SELECT "customerId" AS id, "pAlivePercent" AS percent, "predictedClv12mKey"::text AS key FROM "CustomerMetrics" WHERE "customerId" IN (1, 2, 6, 14, 17) ORDER BY 1`,
    );
    expect(changed).toEqual([
      { id: 1, percent: 13, key: "150.0000" },
      { id: 2, percent: 99, key: "120.0000" },
      { id: 6, percent: 100, key: "12000.0000" },
      { id: 14, percent: 28, key: "80.0000" },
      { id: 17, percent: 50, key: "0.1000" },
    ]);
    // Back to the values of the other tests.
    await ctx.db.prisma.$transaction((tx) => writeCustomerMetricsBatch(tx, SHOP, run(2), batchOf(ROWS, 2)));
  });

  it("sorts by predicted CLV exactly (ties by customer, unknown last when ascending), page after page both ways", async () => {
    const desc = [20, 10, 6, 4, 1, 2, 14, 15, 16, 13, 12, 11, 9, 8, 7, 17, 5, 21, 19, 3, 22];
    expect(ids(await q("sort=predictedClv12m&dir=desc"))).toEqual([...desc, WITHOUT_ORDERS]);
    expect(ids(await q("sort=predictedClv12m&dir=asc"))).toEqual([...[...desc].reverse(), WITHOUT_ORDERS]);
    await expectPages("sort=predictedClv12m&dir=desc", [...desc, WITHOUT_ORDERS], 4);
    await expectPages("sort=predictedClv12m&dir=asc", [...[...desc].reverse(), WITHOUT_ORDERS], 3);
  });

  it("sorts by the P(alive) shown, customers showing the same percentage by id, page after page both ways", async () => {
    const desc = [20, 10, 6, 2, 22, 13, 11, 17, 5, 4, 3, 14, 15, 12, 1, 19, 8, 21, 16, 9, 7];
    expect(ids(await q("sort=pAlive&dir=desc"))).toEqual([...desc, WITHOUT_ORDERS]);
    expect(ids(await q("sort=pAlive&dir=asc"))).toEqual([...[...desc].reverse(), WITHOUT_ORDERS]);
    await expectPages("sort=pAlive&dir=desc", [...desc, WITHOUT_ORDERS], 4);
    await expectPages("sort=pAlive&dir=asc", [...[...desc].reverse(), WITHOUT_ORDERS], 5);
  });

  it("filters by churn risk and CLV range on the exact values", async () => {
    // Customer 4 shows 30 % but is below 0.3: high risk, not medium.
    expect(ids(await q("risk=medium&sort=pAlive&dir=asc"))).toEqual([3, 5, 17, 13]);
    expect(ids(await q("risk=high&sort=pAlive&dir=desc"))).toEqual([4, 14, 15, 12, 1, 19, 8, 21, 16, 9, 7]);
    expect(ids(await q("risk=low&sort=predictedClv12m&dir=asc"))).toEqual([22, 11, 2, 6]);
    expect(ids(await q("clvMin=8&clvMax=100&sort=predictedClv12m&dir=asc"))).toEqual([12, 13, 16, 15, 14]);
    expect(ids(await q("clvMin=0.05&clvMax=0.99&sort=predictedClv12m&dir=desc"))).toEqual([7, 17, 5]);
    expect(ids(await q("clvMin=150&sort=pAlive&dir=desc"))).toEqual([6, 4, 1]);
    await expectPages("risk=high&sort=predictedClv12m&dir=desc", [4, 1, 14, 15, 16, 12, 9, 8, 7, 21, 19], 2);
  });

  it("starts over on a cursor that does not fit the sort (another sort's, or one from before the keys)", async () => {
    const first = ids(await q("sort=predictedClv12m&dir=desc", 3));
    expect(first).toEqual([20, 10, 6]);
    expect(ids(await q("sort=predictedClv12m&dir=desc&after=1.4.v150.00", 3))).toEqual(first);
    expect(ids(await q("sort=pAlive&dir=desc&after=1.4.v2026-11-20T10:00:00.000Z", 3))).toEqual([20, 10, 6]);
  });

  /** Every page of `query` forwards (by `after`), then backwards from the last (by `before`). */
  async function expectPages(query: string, expected: number[], size: number) {
    const pages: number[][] = [];
    const cursors: (string | null)[] = [];
    let page = await q(query, size);
    for (;;) {
      pages.push(ids(page));
      cursors.push(page.previous);
      if (!page.next) break;
      page = await q(`${query}&after=${page.next}`, size);
    }
    expect(pages.flat()).toEqual(expected);
    expect(pages.slice(0, -1).every((p) => p.length === size)).toBe(true);
    for (let i = pages.length - 1; i >= 1; i--) expect(ids(await q(`${query}&before=${cursors[i]}`, size))).toEqual(pages[i - 1]);
  }
});
