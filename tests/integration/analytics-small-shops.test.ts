// Tiny shops on both databases: a new merchant with one or two customers, only guest orders or
// no orders at all must get an analysis (flagged low-confidence), never an error, and never a
// degenerate model's absurd predictions (docs/metrics.md, "How much data is enough").
import type { PrismaClient } from "@prisma/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { noteText } from "~/i18n";
import type { Database } from "~/lib/database.server";
import { setDatabase } from "~/lib/db.server";
import { analyzeShop } from "~/services/analytics.server";
import { getLatestKpis } from "~/services/analyticsReads.server";
import { ensureShop, syncOrders } from "~/services/sync.server";
import { orderPayload } from "~/lib/shopifyPayloads";
import { BACKENDS, openMigrated } from "../helpers/db";

const TZ = "Europe/Paris";
// 13:00 in Paris on Sunday 22 November 2026.
const NOW = new Date("2026-11-22T12:00:00Z");
const ONE = "tiny-one.myshopify.com";
const TWO = "tiny-two.myshopify.com";
const GUESTS = "tiny-guests.myshopify.com";
const EMPTY = "tiny-empty.myshopify.com";

let orderSeq = 7000;
function order(o: { customer?: string | null; at: string; total: string }) {
  const id = String(++orderSeq);
  return orderPayload.parse({
    id,
    name: `#${id}`,
    email: null,
    created_at: o.at,
    processed_at: o.at,
    updated_at: o.at,
    cancelled_at: null,
    currency: "EUR",
    total_price: o.total,
    subtotal_price: o.total,
    total_discounts: "0.00",
    total_tax: "0.00",
    test: false,
    customer: o.customer ? { id: o.customer, email: null, updated_at: "2026-01-01T00:00:00Z" } : null,
    line_items: [{ id: `${id}1`, title: "Tea", quantity: 1, price: o.total }],
    refunds: [],
  });
}

async function shopWith(prisma: PrismaClient, shop: string, orders: ReturnType<typeof order>[]) {
  await ensureShop(prisma, shop);
  await prisma.shop.update({ where: { domain: shop }, data: { currency: "EUR", ianaTimezone: TZ } });
  if (orders.length) await syncOrders(prisma, shop, orders);
}

describe.each(BACKENDS)("analytics of tiny shops on %s", (backend) => {
  let db: Database;
  let cleanup: () => Promise<void>;
  let prisma: PrismaClient;

  beforeAll(async () => {
    const opened = await openMigrated(backend);
    db = opened.db;
    cleanup = opened.cleanup;
    prisma = db.prisma;
    setDatabase(db);
    // One customer, one order 10 days ago.
    await shopWith(prisma, ONE, [order({ customer: "2001", at: "2026-11-12T10:00:00Z", total: "25.00" })]);
    // The shop that crashed: C1 ordered yesterday and today, C2 first ordered today. The
    // BG/NBD fit on these two customers runs off to r, α → ∞ and its predictions overflowed
    // Decimal(19, 4) ("numeric field overflow").
    await shopWith(prisma, TWO, [
      order({ customer: "2101", at: "2026-11-21T10:00:00Z", total: "30.00" }),
      order({ customer: "2101", at: "2026-11-22T09:00:00Z", total: "50.00" }),
      order({ customer: "2102", at: "2026-11-22T10:00:00Z", total: "20.00" }),
    ]);
    await shopWith(prisma, GUESTS, [
      order({ customer: null, at: "2026-11-20T10:00:00Z", total: "12.00" }),
      order({ customer: null, at: "2026-10-01T10:00:00Z", total: "18.00" }),
    ]);
    await shopWith(prisma, EMPTY, []);
  });
  afterAll(async () => {
    setDatabase(undefined);
    await cleanup?.();
  });

  async function metricsOf(shop: string) {
    const rows = await prisma.customerMetrics.findMany({ where: { shop }, include: { customer: { select: { shopifyId: true } } } });
    return new Map(rows.map((r) => [r.customer.shopifyId, r]));
  }

  /** Every number of the stored analysis is finite (JSON has no NaN/Infinity, but null would hide a NaN). */
  function expectFiniteNumbers(value: unknown, where = "analysis") {
    if (typeof value === "number") expect(Number.isFinite(value), `${where} = ${value}`).toBe(true);
    else if (Array.isArray(value)) value.forEach((v, i) => expectFiniteNumbers(v, `${where}[${i}]`));
    else if (value && typeof value === "object") for (const [k, v] of Object.entries(value)) expectFiniteNumbers(v, `${where}.${k}`);
  }

  it("one customer with one order: RFM stored, the purchase model fitted and flagged, no spend model", async () => {
    const summary = await analyzeShop(prisma, ONE, { now: NOW });
    expect(summary.customers).toBe(1);
    expect(summary.repeatCustomers).toBe(0);
    expect(summary.lowConfidence).toBe(true);
    // Stored as keys and numbers, shown with real plural rules.
    expect(summary.confidenceNotes.map((note) => noteText("en", note))).toContain("Only 1 customer (at least 300 recommended).");
    expect(summary.confidenceNotes.map((note) => noteText("fr", note))).toContain("Seulement 1 client (au moins 300 recommandés).");
    expect(summary.confidenceNotes.map((note) => noteText("en", note)).join(" ")).toMatch(/The spend model could not be fitted \(.+\)\./);
    expect(summary.confidenceNotes.map((note) => noteText("fr", note)).join(" ")).toMatch(/Le modèle de dépense n’a pas pu être ajusté \(.+\)\./);
    expectFiniteNumbers(summary);
    // The fit is reported (with its standard errors, here not estimable), not hidden.
    expect(summary.model.bgnbd).not.toBeNull();
    expect(summary.model.bgnbd!.degenerate).toBe(false);
    expect(summary.model.gammaGamma).toBeNull();
    const m = (await metricsOf(ONE)).get("2001")!;
    expect([m.recencyDays, m.frequency, m.purchaseDays, m.monetary.toFixed(2), m.segment]).toEqual([10, 1, 1, "25.00", m.segment]);
    expect(m.lowConfidence).toBe(true);
    // No repeat purchase: alive by the model's definition, expected purchases (next 12 months)
    // essentially none (the maximum-likelihood purchase rate of a shop without repeat
    // purchases is 0), no average value hence no CLV.
    expect(m.pAlive).toBe(1);
    expect(m.expectedPurchases12m).not.toBeNull();
    expect(m.expectedPurchases12m!).toBeGreaterThanOrEqual(0);
    expect(m.expectedPurchases12m!).toBeLessThan(0.01);
    expect(m.expectedOrderValue).toBeNull();
    expect(m.predictedClv12m).toBeNull();
    const latest = (await getLatestKpis(ONE))!;
    const year = latest.ranges.find((r) => r.rangeKind === "last_12_months")!.current;
    expect([year.orders, year.customers, year.newCustomers]).toEqual([1, 1, 1]);
    expect(year.netRevenue).toBeCloseTo(25, 9);
    expect(year.predictedClv12m).toBeNull();
    expect(latest.cohorts.map((c) => [c.cohort, c.customers])).toEqual([["2026-11", 1]]);
  });

  it("two customers (the shop that crashed): analysed, the degenerate purchase model's predictions stored as null", async () => {
    const summary = await analyzeShop(prisma, TWO, { now: NOW });
    expect(summary.customers).toBe(2);
    expect(summary.repeatCustomers).toBe(1);
    expect(summary.lowConfidence).toBe(true);
    expectFiniteNumbers(summary);
    expect(summary.model.bgnbd!.degenerate).toBe(true);
    expect(summary.confidenceNotes.map((note) => noteText("en", note)).join(" ")).toMatch(
      /The purchase model is degenerate \(.+\): its predictions are not stored\./,
    );
    expect(summary.confidenceNotes.map((note) => noteText("fr", note)).join(" ")).toMatch(
      /Le modèle d’achat est dégénéré \(.+\) : ses prédictions ne sont pas enregistrées\./,
    );
    const m = await metricsOf(TWO);
    expect(m.size).toBe(2);
    const c1 = m.get("2101")!;
    const c2 = m.get("2102")!;
    expect([c1.frequency, c1.purchaseDays, c1.monetary.toFixed(2), c1.recencyDays]).toEqual([2, 2, "80.00", 0]);
    expect([c2.frequency, c2.purchaseDays, c2.monetary.toFixed(2), c2.recencyDays]).toEqual([1, 1, "20.00", 0]);
    for (const c of [c1, c2]) {
      expect(c.lowConfidence).toBe(true);
      expect([c.pAlive, c.expectedPurchases12m, c.predictedClv12m, c.expectedNextOrderAt]).toEqual([null, null, null, null]);
    }
    // The spend model is fitted on the one repeat purchase (50.00): its average is that
    // purchase, a plausible value, so it is kept for both customers.
    expect(summary.model.gammaGamma!.degenerate).toBe(false);
    expect(c1.expectedOrderValue!.toFixed(2)).toBe("50.00");
    expect(c2.expectedOrderValue!.toFixed(2)).toBe("50.00");
    const latest = (await getLatestKpis(TWO))!;
    const r30 = latest.ranges.find((r) => r.rangeKind === "last_30_days")!.current;
    expect([r30.orders, r30.customers, r30.newCustomers]).toEqual([3, 2, 2]);
    expect(r30.netRevenue).toBeCloseTo(100, 9);
    expect(r30.modelChurnRate).toBeNull();
    expect(r30.ltvBasis).toBe("historical");
    expect(r30.predictedClv12m).toBeNull();
    // Run again (the steady state replaces the rows in place): same result, no error.
    const again = await analyzeShop(prisma, TWO, { now: new Date(NOW.getTime() + 3_600_000) });
    expect(again.customers).toBe(2);
    expect(await prisma.customerMetrics.count({ where: { shop: TWO } })).toBe(2);
  });

  it("only guest orders: no customers, no models, guest revenue and orders in the KPIs", async () => {
    const summary = await analyzeShop(prisma, GUESTS, { now: NOW });
    expect(summary.customers).toBe(0);
    expect(summary.lowConfidence).toBe(true);
    expect(summary.confidenceNotes).toEqual(["@analysis.noCustomers {}"]);
    expect(summary.confidenceNotes.map((note) => noteText("fr", note))).toEqual(["Aucun client n’a encore commandé."]);
    expect(summary.model.bgnbd).toBeNull();
    expect(summary.model.gammaGamma).toBeNull();
    expectFiniteNumbers(summary);
    expect(await prisma.customerMetrics.count({ where: { shop: GUESTS } })).toBe(0);
    const latest = (await getLatestKpis(GUESTS))!;
    const r90 = latest.ranges.find((r) => r.rangeKind === "last_90_days")!.current;
    expect([r90.orders, r90.guestOrders, r90.customers, r90.newCustomers]).toEqual([2, 2, 0, 0]);
    expect(r90.netRevenue).toBeCloseTo(30, 9);
    expect(r90.averageOrderValue).toBeCloseTo(15, 9);
    expect(r90.repeatPurchaseRate).toBeNull();
    expect(latest.cohorts).toEqual([]);
    const segments = await prisma.segmentSnapshot.findMany({ where: { shop: GUESTS } });
    expect(segments.length).toBe(11);
    expect(segments.every((s) => s.customers === 0 && s.revenue.toFixed(2) === "0.00")).toBe(true);
  });

  it("no orders at all: an empty analysis with zero KPIs", async () => {
    const summary = await analyzeShop(prisma, EMPTY, { now: NOW });
    expect(summary.customers).toBe(0);
    expect(summary.lowConfidence).toBe(true);
    expect(summary.model.bgnbd).toBeNull();
    expectFiniteNumbers(summary);
    const latest = (await getLatestKpis(EMPTY))!;
    expect(latest.ranges.length).toBe(3);
    for (const r of latest.ranges) {
      expect([r.current.orders, r.current.customers, r.current.netRevenue, r.current.averageOrderValue]).toEqual([0, 0, 0, null]);
      expect([r.previous.orders, r.previous.netRevenue]).toEqual([0, 0]);
    }
    expect(latest.cohorts).toEqual([]);
    expect(await prisma.analysisSnapshot.count({ where: { shop: EMPTY } })).toBe(1);
    expect(await prisma.customerMetrics.count({ where: { shop: EMPTY } })).toBe(0);
  });
});
