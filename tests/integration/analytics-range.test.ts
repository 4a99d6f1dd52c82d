// KPIs for any range: computed on demand, they must agree with the stored daily analysis.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { kpisForRange } from "~/services/analytics.server";
import { getLatestKpis } from "~/services/analyticsReads.server";
import { seedDemoShop } from "~/services/demo.server";
import { useDatabase } from "../helpers/app";
import { BACKENDS, openMigrated } from "../helpers/db";

const SHOP = "rapport-demo.myshopify.com";
const END = new Date("2026-06-30T00:00:00Z");
const FIELDS = [
  "netRevenue",
  "orders",
  "customers",
  "newCustomers",
  "returningCustomers",
  "averageOrderValue",
  "purchaseFrequency",
  "repeatPurchaseRate",
  "retentionRate",
  "churnRate",
  "historicalClv",
  "medianDaysToSecondOrder",
  "cartAbandonmentRate",
  "cac",
] as const;

describe.each(BACKENDS)("KPIs for any range on %s", (backend) => {
  let ctx: Awaited<ReturnType<typeof openMigrated>>;
  beforeAll(async () => {
    ctx = await openMigrated(backend);
    useDatabase(ctx.db);
    await seedDemoShop(ctx.db.prisma, { customers: 150, orders: 1200, products: 40, months: 12, seed: 21, endDate: END });
  });
  afterAll(async () => {
    useDatabase(undefined);
    await ctx?.cleanup();
  });

  it("gives the stored figures for the stored ranges, current and previous period", async () => {
    const stored = await getLatestKpis(SHOP);
    expect(stored).not.toBeNull();
    for (const range of stored!.ranges) {
      const from = range.from.slice(0, 10);
      const days = await kpisForRange(
        ctx.db.prisma,
        SHOP,
        { from: await localDay(range.from), to: await localDay(new Date(Date.parse(range.to) - 1).toISOString()) },
        END,
      );
      expect(days.current.orders, range.rangeKind).toBeGreaterThan(0);
      for (const field of FIELDS) {
        for (const period of ["current", "previous"] as const) {
          const a = days[period][field];
          const b = range[period][field];
          if (b === null) expect(a, `${range.rangeKind} ${period} ${field}`).toBeNull();
          else expect(a, `${range.rangeKind} ${period} ${field} (${from})`).toBeCloseTo(b as number, 6);
        }
      }
      // Model-based figures belong to the daily analysis only.
      expect(days.current.predictedClv12m).toBeNull();
    }
  });

  it("refuses a range that ends before it starts", async () => {
    await expect(kpisForRange(ctx.db.prisma, SHOP, { from: "2026-05-10", to: "2026-05-01" }, END)).rejects.toThrow(
      /must end on or after its first day/,
    );
  });
});

/** The shop's local calendar day (Europe/Paris) of an instant. */
async function localDay(iso: string): Promise<string> {
  return new Intl.DateTimeFormat("en-CA", { timeZone: "Europe/Paris", year: "numeric", month: "2-digit", day: "2-digit" }).format(new Date(iso));
}
