// The stale-metrics cleanup once ran as `NOT IN (list)`: past work_mem PostgreSQL plans that as
// a plain subplan that scans the list for every row, quadratic (400,000 customers never
// finished). This test builds 300,000 metric rows with PostgreSQL's default work_mem (4 MB)
// and asserts the plan of the statement the analysis runs: an anti-join, no per-row subplan.
// It asserts the plan, not a time (timings belong in bench/).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DELETE_STALE_CUSTOMER_METRICS_SQL, deleteStaleCustomerMetrics } from "~/models/analytics.server";
import { openMigrated } from "../helpers/db";

const SHOP = "plan-test.myshopify.com";
const ROWS = 300_000;

interface PlanNode {
  "Node Type": string;
  "Join Type"?: string;
  "Subplan Name"?: string;
  Plans?: PlanNode[];
}

function nodes(plan: PlanNode): PlanNode[] {
  return [plan, ...(plan.Plans ?? []).flatMap(nodes)];
}

describe("stale CustomerMetrics cleanup on PostgreSQL, 300,000 rows", () => {
  let ctx: Awaited<ReturnType<typeof openMigrated>>;
  beforeAll(async () => {
    ctx = await openMigrated("postgres");
    const db = ctx.db.prisma;
    await db.$executeRawUnsafe(`INSERT INTO "Shop" (domain, "updatedAt") VALUES ($1, now())`, SHOP);
    await db.$executeRawUnsafe(
      `INSERT INTO "Customer" (id, shop, "shopifyId", "updatedAt") SELECT g, $1, g::text, now() FROM generate_series(1, ${ROWS}) g`,
      SHOP,
    );
    await db.$executeRawUnsafe(
      `INSERT INTO "CustomerMetrics" ("customerId", shop, "recencyDays", frequency, "purchaseDays", monetary, currency, "rScore", "fScore",
         "mScore", segment, "segmentChangedAt", "firstOrderAt", "lastOrderAt", "lowConfidence", "computedAt")
       SELECT g, $1, 1, 1, 1, 10, 'EUR', 1, 1, 1, 'champions', now(), now(), now(), false, now() FROM generate_series(1, ${ROWS}) g`,
      SHOP,
    );
    await db.$executeRawUnsafe(`ANALYZE "CustomerMetrics"`);
  }, 300_000);
  afterAll(async () => {
    await ctx?.cleanup();
  });

  it("is planned as an anti-join with the default work_mem, never as a per-row subplan over the list", async () => {
    const keep = Array.from({ length: ROWS - 1 }, (_, i) => i + 2); // every customer but #1
    const plan = await ctx.db.prisma.$transaction(async (tx) => {
      await tx.$executeRawUnsafe(`SET LOCAL work_mem = '4MB'`);
      const [row] = await tx.$queryRawUnsafe<{ "QUERY PLAN": [{ Plan: PlanNode }] }[]>(
        `EXPLAIN (FORMAT JSON) ${DELETE_STALE_CUSTOMER_METRICS_SQL}`,
        SHOP,
        keep.join(","),
      );
      return row["QUERY PLAN"][0].Plan;
    });
    const all = nodes(plan);
    expect(all.filter((n) => n["Subplan Name"]).map((n) => n["Subplan Name"])).toEqual([]);
    expect(all.some((n) => n["Join Type"] === "Anti")).toBe(true);
  });

  it("deletes exactly the rows not kept", async () => {
    const keep = Array.from({ length: ROWS - 2 }, (_, i) => i + 3); // drops customers #1 and #2
    await deleteStaleCustomerMetrics(ctx.db.prisma, SHOP, keep);
    const [{ n, lo }] = await ctx.db.prisma.$queryRawUnsafe<{ n: number; lo: number }[]>(
      `SELECT count(*)::int AS n, min("customerId") AS lo FROM "CustomerMetrics" WHERE shop = $1`,
      SHOP,
    );
    expect(n).toBe(ROWS - 2);
    expect(lo).toBe(3);
  });
});
