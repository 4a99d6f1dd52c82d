// The stored extras of the analysis and the reads of the dashboard, segments, cohorts and
// predictions pages, on both databases, with exact values from a hand-made shop: the daily
// series, the backtest's actual figures, the segment CSV, the moves between two analyses, and
// the dashboard's KPIs (which must agree with the daily series they sit next to).
import type { PrismaClient } from "@prisma/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AnalysisExtras } from "~/domain/analysisExtras";
import type { Database } from "~/lib/database.server";
import { setDatabase } from "~/lib/db.server";
import { orderPayload } from "~/lib/shopifyPayloads";
import { latestAnalysisSnapshot, segmentMoveCounts } from "~/models/insightReads.server";
import { analyzeShop } from "~/services/analytics.server";
import { getCohortsPage } from "~/services/cohortsPage.server";
import { getDashboard } from "~/services/dashboard.server";
import { getPredictionsPage } from "~/services/predictionsPage.server";
import { getSegmentsPage, segmentCsvStream } from "~/services/segmentsPage.server";
import { ensureShop, syncOrders } from "~/services/sync.server";
import { BACKENDS, openMigrated } from "../helpers/db";

const SHOP = "insights.myshopify.com";
const OTHER = "insights-other.myshopify.com";
// 13:00 in Paris on Sunday 22 November 2026.
const NOW = new Date("2026-11-22T12:00:00Z");
const DAY = 86_400_000;
const at = (daysAgo: number) => new Date(NOW.getTime() - daysAgo * DAY).toISOString();

let seq = 9000;
function order(customer: string | null, daysAgo: number, total: string) {
  const id = String(++seq);
  const when = at(daysAgo);
  return orderPayload.parse({
    id,
    name: `#${id}`,
    email: null,
    created_at: when,
    processed_at: when,
    updated_at: when,
    cancelled_at: null,
    currency: "EUR",
    total_price: total,
    subtotal_price: total,
    total_discounts: "0.00",
    total_tax: "0.00",
    test: false,
    customer: customer ? { id: customer, email: null, updated_at: "2026-01-01T00:00:00Z" } : null,
    line_items: [{ id: `${id}1`, title: "Tea", quantity: 1, price: total }],
    refunds: [],
  });
}

// A: five orders, B: two, C: one long ago, D: a new customer, plus a guest order.
const ORDERS = [
  order("501", 300, "40.00"),
  order("501", 200, "35.50"),
  order("501", 100, "20.00"),
  order("501", 50, "60.00"),
  order("501", 10, "25.25"),
  order("502", 250, "80.00"),
  order("502", 60, "45.00"),
  order("503", 190, "15.00"),
  order("504", 20, "99.99"),
  order(null, 5, "12.00"),
];

async function readCsv(stream: ReadableStream<Uint8Array>) {
  // Bytes, not Response.text(): that would drop the byte-order mark the test checks.
  return new TextDecoder("utf-8", { ignoreBOM: true }).decode(await new Response(stream).arrayBuffer());
}

describe.each(BACKENDS)("insight page reads on %s", (backend) => {
  let db: Database;
  let cleanup: () => Promise<void>;
  let prisma: PrismaClient;
  let extras: AnalysisExtras;

  beforeAll(async () => {
    const opened = await openMigrated(backend);
    db = opened.db;
    cleanup = opened.cleanup;
    prisma = db.prisma;
    setDatabase(db);
    for (const shop of [SHOP, OTHER]) {
      await ensureShop(prisma, shop);
      await prisma.shop.update({ where: { domain: shop }, data: { currency: "EUR", ianaTimezone: "Europe/Paris" } });
    }
    await syncOrders(prisma, SHOP, ORDERS);
    // Another shop's order on the same day: never counted for SHOP.
    await syncOrders(prisma, OTHER, [order("601", 10, "1000.00")]);
    // Two analyses: 40 days ago and now (customer A leaves and re-enters segments in between).
    await analyzeShop(prisma, SHOP, { now: new Date(NOW.getTime() - 40 * DAY) });
    await analyzeShop(prisma, SHOP, { now: NOW });
    await analyzeShop(prisma, OTHER, { now: NOW });
    extras = (await latestAnalysisSnapshot(prisma, SHOP))!.extras as unknown as AnalysisExtras;
  });

  afterAll(async () => {
    setDatabase(undefined);
    await cleanup();
  });

  it("stores the daily series: every day of two years, exact per day, shop-scoped", () => {
    expect(extras.daily).toHaveLength(731);
    expect(extras.daily.at(-1)!.date).toBe("2026-11-22");
    expect(extras.daily.find((d) => d.date === "2026-11-12")).toEqual({ date: "2026-11-12", orders: 1, netRevenue: 25.25, newCustomers: 0 });
    expect(extras.daily.find((d) => d.date === "2026-11-02")).toEqual({ date: "2026-11-02", orders: 1, netRevenue: 99.99, newCustomers: 1 });
    const total = extras.daily.reduce((s, d) => s + d.netRevenue, 0);
    expect(total.toFixed(2)).toBe("432.74");
    expect(extras.daily.reduce((s, d) => s + d.orders, 0)).toBe(10);
  });

  it("stores segment figures and the RFM grid that add up to the customers", () => {
    expect(extras.segments.reduce((s, x) => s + x.customers, 0)).toBe(4);
    expect(extras.rfmGrid.customers.flat().reduce((s, x) => s + x, 0)).toBe(4);
    expect(extras.segments.reduce((s, x) => s + x.revenue, 0).toFixed(2)).toBe("420.74");
    expect(extras.segments.reduce((s, x) => s + x.orders, 0)).toBe(9);
  });

  it("backtests the purchase model on the 90 days before today: actual figures exact", () => {
    const bt = extras.backtest!;
    expect(extras.backtestSkipped).toBeNull();
    expect(bt.cutoff).toBe("2026-08-24");
    expect(bt.end).toBe("2026-11-21");
    // A, B and C had ordered before the cut-off; A ordered twice after it, B once.
    expect(bt.customers).toBe(3);
    expect(bt.actualPurchases).toBe(3);
    expect(bt.actualRevenue).toBe(130.25);
    expect(bt.weeks).toHaveLength(13);
    expect(bt.weeks.at(-1)!.actualCumulative).toBe(3);
    expect(bt.byRepeatPurchases.reduce((s, b) => s + b.customers, 0)).toBe(3);
  });

  it("the dashboard's KPIs agree with its daily series and come from the stored snapshot", async () => {
    const page = await getDashboard(SHOP, new URLSearchParams("period=30"));
    if (page.state !== "ready") throw new Error("no analysis");
    expect(page.period).toMatchObject({
      from: "2026-10-24",
      to: "2026-11-22",
      comparisonFrom: "2026-09-24",
      comparisonTo: "2026-10-23",
      computedOnDemand: false,
    });
    const kpi = (key: string) => page.kpis.find((k) => k.key === key)!;
    // Days 20, 10 and 5 ago: 99.99 + 25.25 + 12.00.
    expect(kpi("netRevenue").value).toBe(137.24);
    expect(page.series.reduce((s, p) => s + p.netRevenue, 0).toFixed(2)).toBe("137.24");
    expect(kpi("orders").value).toBe(3);
    expect(kpi("nps").value).toBeNull();
    // A custom period is computed on demand, with the same definitions.
    const custom = await getDashboard(SHOP, new URLSearchParams("period=custom&from=2026-10-24&to=2026-11-22"));
    if (custom.state !== "ready") throw new Error("no analysis");
    expect(custom.period.computedOnDemand).toBe(true);
    expect(custom.kpis.find((k) => k.key === "netRevenue")!.value).toBe(137.24);
    // The year before: nothing then.
    const year = await getDashboard(SHOP, new URLSearchParams("period=30&compare=year"));
    if (year.state !== "ready") throw new Error("no analysis");
    expect(year.kpis.find((k) => k.key === "netRevenue")!.previous).toBe(0);
  });

  it("counts the moves between the two analyses, and the segments page reads them", async () => {
    const rows = await prisma.segmentMove.findMany({ where: { shop: SHOP } });
    const counts = await segmentMoveCounts(prisma, SHOP, new Date(NOW.getTime() - DAY), new Date(NOW.getTime() + DAY));
    expect(counts.reduce((s, c) => s + c.customers, 0)).toBe(rows.length);
    const page = await getSegmentsPage(SHOP, new URLSearchParams("from=2026-11-01&to=2026-11-22"));
    if (page.state !== "ready") throw new Error("no analysis");
    expect(page.moves.counts.reduce((s, c) => s + c.customers, 0)).toBe(rows.length);
    expect(page.trend.dates).toEqual(["2026-10-13", "2026-11-22"]);
    expect(page.total).toBe(4);
  });

  it("exports a segment as CSV with a BOM, exact amounts and only that shop's customers", async () => {
    const a = await prisma.customerMetrics.findFirstOrThrow({ where: { shop: SHOP, customer: { shopifyId: "501" } } });
    const csv = await readCsv((await segmentCsvStream(SHOP, a.segment))!);
    expect(csv.charCodeAt(0)).toBe(0xfeff);
    const lines = csv.slice(1).trim().split("\r\n");
    expect(lines[0].split(",")[0]).toBe("shopify_customer_id");
    const rowA = lines.find((l) => l.startsWith("501,"))!;
    expect(rowA.split(",").slice(4, 11)).toEqual([a.segment, String(a.rScore), String(a.fScore), String(a.mScore), "5", "180.75", "EUR"]);
    expect(lines.some((l) => l.startsWith("601,"))).toBe(false);
    expect(await segmentCsvStream("unknown.myshopify.com", a.segment)).toBeNull();
  });

  it("cohorts and predictions read what the analysis stored", async () => {
    const cohorts = await getCohortsPage(SHOP);
    if (cohorts.state !== "ready") throw new Error("no analysis");
    // First orders within the last 24 months: A (Jan 2026), B (Mar 2026), C (May 2026), D (Nov 2026).
    expect(cohorts.cohorts.reduce((s, c) => s + c.customers, 0)).toBe(4);
    const predictions = await getPredictionsPage(SHOP);
    if (predictions.state !== "ready") throw new Error("no analysis");
    expect(predictions.analysis.customers).toBe(4);
    expect(predictions.analysis.lowConfidence).toBe(true);
    expect(predictions.backtest?.actualPurchases).toBe(3);
    expect(await getPredictionsPage("unknown.myshopify.com")).toMatchObject({ state: "empty" });
  });
});
