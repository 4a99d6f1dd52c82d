// The analytics service on both databases: a small shop whose every number can be computed by
// hand, applied through the real sync service (Shopify-shaped payloads validated by the zod
// schemas), then analyzeShop and the stored tables.
import type { PrismaClient } from "@prisma/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { noteText } from "~/i18n";
import { aggregateOrders, scoreRfm } from "~/domain/rfm";
import { dayNumber } from "~/domain/time";
import type { Database } from "~/lib/database.server";
import { setDatabase } from "~/lib/db.server";
import { analyzeShop, kpisForRange } from "~/services/analytics.server";
import { getLatestKpis, getSegmentSummary } from "~/services/analyticsReads.server";
import { ensureShop, syncCheckouts, syncOrders } from "~/services/sync.server";
import { checkoutPayload, orderPayload } from "~/lib/shopifyPayloads";
import { BACKENDS, openMigrated } from "../helpers/db";

const SHOP = "analytics-a.myshopify.com";
const OTHER = "analytics-b.myshopify.com";
const RANDOM = "analytics-random.myshopify.com";
const RANGES = "analytics-ranges.myshopify.com";
const TZ = "Europe/Paris";
// 13:00 in Paris on Sunday 22 November 2026 (CET, UTC+1).
const NOW = new Date("2026-11-22T12:00:00Z");
const DAY_MS = 86_400_000;

let orderSeq = 5000;
function order(o: { customer?: string | null; at: string; total: string; refund?: string; cancelled?: boolean; test?: boolean; id?: string }) {
  const id = o.id ?? String(++orderSeq);
  return orderPayload.parse({
    id,
    name: `#${id}`,
    email: null,
    created_at: o.at,
    processed_at: o.at,
    updated_at: o.at,
    cancelled_at: o.cancelled ? o.at : null,
    currency: "EUR",
    total_price: o.total,
    subtotal_price: o.total,
    total_discounts: "0.00",
    total_tax: "0.00",
    test: o.test ?? false,
    customer: o.customer ? { id: o.customer, email: null, updated_at: "2026-01-01T00:00:00Z" } : null,
    line_items: [{ id: `${id}1`, title: "Coffee", quantity: 1, price: o.total }],
    refunds: o.refund
      ? [
          {
            id: `${id}9`,
            order_id: id,
            created_at: o.at,
            transactions: [{ kind: "refund", status: "success", amount: o.refund }],
          },
        ]
      : [],
  });
}

function checkout(id: string, createdAt: string, completedAt: string | null) {
  return checkoutPayload.parse({
    id,
    token: `tok${id}`,
    created_at: createdAt,
    updated_at: completedAt ?? createdAt,
    completed_at: completedAt,
    total_price: "30.00",
    currency: "EUR",
  });
}

/**
 * Shop A, by hand (analysis date 2026-11-22 in Paris):
 *   C1 1001: 20 Nov 100.00; 15 Nov 50.00 − refund 20.00; 10 Nov 70.00 cancelled
 *            → frequency 2, monetary 130.00, recency 2 days
 *   C2 1002: 1 Oct 40.00; 21 Nov 999.00 test order → frequency 1, monetary 40.00, recency 52
 *   C3 1003: 31 Oct 23:30 UTC = 1 Nov 00:30 in Paris, 25.00 → recency 21 (22 in UTC), cohort 2026-11
 *   C4 1004: 1 Jun, 1 Jul, 1 Aug 60.00 each → frequency 3, monetary 180.00, recency 113
 *   C5 1005: 1 Dec 2025 200.00 → frequency 1, monetary 200.00, recency 356
 *   guest:   18 Nov 10.00
 * RFM breakpoints (type-7 quantiles + 1): recency 18.2/40.6/77.4/162.6, frequency 2/2/2.4/3.2,
 * monetary 38/95/151/185 → C1 (5,3,3) potential_loyalist, C2 (3,1,2) about_to_sleep,
 * C3 (4,1,1) new_customers, C4 (2,4,4) loyal_customers, C5 (1,1,5) lost.
 */
async function seedShopA(prisma: PrismaClient) {
  await ensureShop(prisma, SHOP);
  await prisma.shop.update({ where: { domain: SHOP }, data: { currency: "EUR", ianaTimezone: TZ } });
  await prisma.$transaction(async (tx) => {
    await syncOrders(tx, SHOP, [
      order({ customer: "1001", at: "2026-11-20T10:00:00Z", total: "100.00" }),
      order({ customer: "1001", at: "2026-11-15T10:00:00Z", total: "50.00", refund: "20.00" }),
      order({ customer: "1001", at: "2026-11-10T10:00:00Z", total: "70.00", cancelled: true }),
      order({ customer: "1002", at: "2026-10-01T10:00:00Z", total: "40.00" }),
      order({ customer: "1002", at: "2026-11-21T10:00:00Z", total: "999.00", test: true }),
      order({ customer: "1003", at: "2026-10-31T23:30:00Z", total: "25.00" }),
      order({ customer: "1004", at: "2026-06-01T10:00:00Z", total: "60.00" }),
      order({ customer: "1004", at: "2026-07-01T10:00:00Z", total: "60.00" }),
      order({ customer: "1004", at: "2026-08-01T10:00:00Z", total: "60.00" }),
      order({ customer: "1005", at: "2025-12-01T10:00:00Z", total: "200.00" }),
      order({ customer: null, at: "2026-11-18T10:00:00Z", total: "10.00" }),
    ]);
  });
  // Checkouts: 3 older than 24 h in the last 30 days (2 abandoned), one from this morning
  // (too young to count) and one in September.
  await syncCheckouts(
    prisma,
    SHOP,
    [
      checkout("71", "2026-11-10T09:00:00Z", "2026-11-10T09:10:00Z"),
      checkout("72", "2026-11-12T09:00:00Z", null),
      checkout("73", "2026-11-14T09:00:00Z", null),
      checkout("74", "2026-11-22T06:00:00Z", null),
      checkout("75", "2026-09-01T09:00:00Z", null),
    ],
    "EUR",
  );
  await prisma.marketingSpend.createMany({
    data: [
      { shop: SHOP, month: "2026-10", amount: "310.00", currency: "EUR" },
      { shop: SHOP, month: "2026-11", amount: "300.00", currency: "EUR" },
    ],
  });
}

/** Shop B reuses C1's Shopify id with big orders: nothing of it may reach shop A. */
async function seedShopB(prisma: PrismaClient) {
  await ensureShop(prisma, OTHER);
  await syncOrders(prisma, OTHER, [
    order({ customer: "1001", at: "2026-11-21T10:00:00Z", total: "5000.00" }),
    order({ customer: "1001", at: "2026-11-19T10:00:00Z", total: "5000.00" }),
    order({ customer: null, at: "2026-11-19T10:00:00Z", total: "777.00" }),
  ]);
}

/** A deterministic random shop (60 customers) for the database-vs-memory RFM comparison. */
async function seedRandomShop(prisma: PrismaClient) {
  let seed = 42;
  const rand = () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
  await ensureShop(prisma, RANDOM);
  await prisma.shop.update({ where: { domain: RANDOM }, data: { ianaTimezone: "America/New_York", currency: "USD" } });
  const orders = [];
  for (let c = 0; c < 60; c++) {
    const n = 1 + Math.floor(rand() * rand() * 8);
    for (let k = 0; k < n; k++) {
      const at = new Date(NOW.getTime() - Math.floor(rand() * 500 * DAY_MS));
      const cents = 500 + Math.floor(rand() * 20000);
      orders.push(
        order({
          customer: String(9000 + c),
          at: at.toISOString(),
          total: (cents / 100).toFixed(2),
          refund: rand() < 0.1 ? (Math.floor(cents / 3) / 100).toFixed(2) : undefined,
          cancelled: rand() < 0.05,
          test: rand() < 0.03,
        }),
      );
    }
  }
  await syncOrders(prisma, RANDOM, orders);
}

describe.each(BACKENDS)("analytics on %s", (backend) => {
  let db: Database;
  let cleanup: () => Promise<void>;
  let prisma: PrismaClient;

  beforeAll(async () => {
    const opened = await openMigrated(backend);
    db = opened.db;
    cleanup = opened.cleanup;
    prisma = db.prisma;
    setDatabase(db);
    await seedShopA(prisma);
    await seedShopB(prisma);
    await seedRandomShop(prisma);
    await analyzeShop(prisma, OTHER, { now: NOW });
  });
  afterAll(async () => {
    setDatabase(undefined);
    await cleanup?.();
  });

  async function dropDay(ymd: string) {
    const where = { shop: SHOP, date: new Date(`${ymd}T00:00:00Z`) };
    await prisma.segmentSnapshot.deleteMany({ where });
    await prisma.kpiSnapshot.deleteMany({ where });
    await prisma.analysisSnapshot.deleteMany({ where });
  }

  async function metricsOf(shop: string) {
    const rows = await prisma.customerMetrics.findMany({ where: { shop }, include: { customer: { select: { shopifyId: true } } } });
    return new Map(rows.map((r) => [r.customer.shopifyId, r]));
  }

  it("computes recency, frequency and monetary per customer: cancelled and test orders out, refunds deducted, guests not customers", async () => {
    const summary = await analyzeShop(prisma, SHOP, { now: NOW });
    expect(summary.date).toBe("2026-11-22");
    expect(summary.customers).toBe(5);
    const m = await metricsOf(SHOP);
    expect([...m.keys()].sort()).toEqual(["1001", "1002", "1003", "1004", "1005"]);
    const rfm = (id: string) => {
      const r = m.get(id)!;
      return [r.recencyDays, r.frequency, r.monetary.toFixed(2), r.currency];
    };
    expect(rfm("1001")).toEqual([2, 2, "130.00", "EUR"]);
    expect(rfm("1002")).toEqual([52, 1, "40.00", "EUR"]);
    expect(rfm("1003")).toEqual([21, 1, "25.00", "EUR"]);
    expect(rfm("1004")).toEqual([113, 3, "180.00", "EUR"]);
    expect(rfm("1005")).toEqual([356, 1, "200.00", "EUR"]);
    expect(m.get("1001")!.firstOrderAt.toISOString()).toBe("2026-11-15T10:00:00.000Z");
    expect(m.get("1001")!.lastOrderAt.toISOString()).toBe("2026-11-20T10:00:00.000Z");
    expect(m.get("1004")!.purchaseDays).toBe(3);
  });

  it("assigns RFM scores and segments by the rule table", async () => {
    const m = await metricsOf(SHOP);
    const seg = (id: string) => {
      const r = m.get(id)!;
      return [r.rScore, r.fScore, r.mScore, r.segment];
    };
    expect(seg("1001")).toEqual([5, 3, 3, "potential_loyalist"]);
    expect(seg("1002")).toEqual([3, 1, 2, "about_to_sleep"]);
    expect(seg("1003")).toEqual([4, 1, 1, "new_customers"]);
    expect(seg("1004")).toEqual([2, 4, 4, "loyal_customers"]);
    expect(seg("1005")).toEqual([1, 1, 5, "lost"]);
    // Five customers are far too few for the models: flagged, with reasons.
    const summary = (await getLatestKpis(SHOP))!;
    expect(summary.lowConfidence).toBe(true);
    expect(summary.confidenceNotes.map((note) => noteText("en", note))).toContain("Only 5 customers (at least 300 recommended).");
    expect([...m.values()].every((r) => r.lowConfidence)).toBe(true);
  });

  it("computes the store KPIs of the last 30 days exactly (guests in revenue and orders, CAC, abandonment)", async () => {
    const latest = (await getLatestKpis(SHOP))!;
    const r30 = latest.ranges.find((r) => r.rangeKind === "last_30_days")!;
    // 24 October 00:00 to 23 November 00:00 in Paris.
    expect(r30.from).toBe("2026-10-23T22:00:00.000Z");
    expect(r30.to).toBe("2026-11-22T23:00:00.000Z");
    const k = r30.current;
    expect(k.orders).toBe(4); // C1 ×2, C3, guest
    expect(k.netRevenue).toBe(165); // 100 + 30 + 25 + 10
    expect(k.averageOrderValue).toBeCloseTo(41.25, 9);
    expect(k.guestOrders).toBe(1);
    expect(k.customers).toBe(2);
    expect(k.newCustomers).toBe(2);
    expect(k.repeatPurchaseRate).toBeCloseTo(50, 9);
    expect(k.retentionRate).toBe(0); // C2 ordered in the previous 30 days, not in these
    // 3 checkouts older than 24 h, 2 never completed.
    expect(k.cartAbandonmentRate).toBeCloseTo((2 / 3) * 100, 9);
    // Spend: 8/31 of October's 310 + 22/30 of November's 300 = 80 + 220; 2 new customers.
    expect(k.marketingSpend).toBeCloseTo(300, 9);
    expect(k.cac).toBeCloseTo(150, 9);
    expect(k.nps).toBeNull();
    expect(k.medianDaysToSecondOrder).toBe(5); // C1: 15 → 20 November
    const p = r30.previous;
    expect(p.orders).toBe(1); // C2's 1 October order
    expect(p.netRevenue).toBe(40);
    expect(r30.comparison.orders).toEqual({ current: 4, previous: 1, change: 3, changePercent: 300 });

    const row = await prisma.kpiSnapshot.findFirstOrThrow({ where: { shop: SHOP, rangeKind: "last_30_days" } });
    expect(row.netRevenue.toFixed(2)).toBe("165.00");
    expect(row.averageOrderValue!.toFixed(2)).toBe("41.25");
    expect(row.date.toISOString().slice(0, 10)).toBe("2026-11-22");

    const year = latest.ranges.find((r) => r.rangeKind === "last_12_months")!.current;
    // 23 November 2025 to 22 November 2026: every counted order, C5's 1 December 2025 included.
    expect(year.orders).toBe(9);
  });

  it("buckets days and months in the shop's time zone", async () => {
    const latest = (await getLatestKpis(SHOP))!;
    const cohorts = new Map(latest.cohorts.map((c) => [c.cohort, c.customers]));
    // C3's 31 October 23:30 UTC order is a November order in Paris.
    expect(cohorts.get("2026-11")).toBe(2);
    expect(cohorts.get("2026-10")).toBe(1);
    expect(cohorts.get("2025-12")).toBe(1);
    const june = latest.cohorts.find((c) => c.cohort === "2026-06")!;
    expect(june.months.slice(0, 3).map((m) => m.activeCustomers)).toEqual([1, 1, 1]);
    expect(june.months.at(-1)!.partial).toBe(true);

    // 23:30 UTC on 22 November is already 23 November in Paris: a new day, one more day of recency.
    const late = await analyzeShop(prisma, SHOP, { now: new Date("2026-11-22T23:30:00Z") });
    expect(late.date).toBe("2026-11-23");
    const m = await metricsOf(SHOP);
    expect(m.get("1001")!.recencyDays).toBe(3);
    expect(m.get("1003")!.recencyDays).toBe(22);
    await dropDay("2026-11-23");
    await analyzeShop(prisma, SHOP, { now: NOW });
  });

  it("keeps one snapshot per segment when run twice on the same day, and records segment moves", async () => {
    await analyzeShop(prisma, SHOP, { now: NOW });
    await analyzeShop(prisma, SHOP, { now: new Date(NOW.getTime() + 3_600_000) });
    const day = new Date("2026-11-22T00:00:00Z");
    const snaps = await prisma.segmentSnapshot.findMany({ where: { shop: SHOP, date: day } });
    expect(snaps.length).toBe(11); // 10 rules + others
    expect(new Set(snaps.map((s) => s.segment)).size).toBe(11);
    expect(await prisma.kpiSnapshot.count({ where: { shop: SHOP, date: day } })).toBe(3);
    expect(await prisma.analysisSnapshot.count({ where: { shop: SHOP, date: day } })).toBe(1);
    expect(await prisma.customerMetrics.count({ where: { shop: SHOP } })).toBe(5);
    const loyal = snaps.find((s) => s.segment === "loyal_customers")!;
    expect([loyal.customers, loyal.orders, loyal.revenue.toFixed(2)]).toEqual([1, 3, "180.00"]);

    // A new order makes C2 (about to sleep) recent and frequent: the move is recorded.
    await syncOrders(prisma, SHOP, [order({ customer: "1002", at: "2026-11-21T15:00:00Z", total: "90.00", id: "6001" })]);
    const moved = await analyzeShop(prisma, SHOP, { now: new Date("2026-11-23T12:00:00Z") });
    const m = await metricsOf(SHOP);
    const c2 = m.get("1002")!;
    expect(c2.previousSegment).toBe("about_to_sleep");
    // Recent again, but with two orders among five customers its frequency score stays low:
    // the rfm package's rules put R 5 with a low F in "new customers".
    expect(c2.segment).toBe("new_customers");
    expect(c2.segmentChangedAt.toISOString()).toBe("2026-11-23T12:00:00.000Z");
    expect(moved.movements).toContainEqual({ from: "about_to_sleep", to: "new_customers", customers: 1 });
    const into = await prisma.segmentSnapshot.findFirstOrThrow({
      where: { shop: SHOP, date: new Date("2026-11-23T00:00:00Z"), segment: c2.segment },
    });
    expect((into.movedIn as Record<string, number>).about_to_sleep).toBe(1);
    const summary = (await getSegmentSummary(SHOP))!;
    expect(summary.date).toBe("2026-11-23");
    expect(summary.trend.filter((t) => t.segment === "lost").map((t) => t.date)).toEqual(["2026-11-22", "2026-11-23"]);
    // Undo for the other tests: remove the order and go back to the 22nd.
    await prisma.order.deleteMany({ where: { shop: SHOP, shopifyId: "6001" } });
    await dropDay("2026-11-23");
    await analyzeShop(prisma, SHOP, { now: NOW });
  });

  it("keeps a customer's previous segment and change date while the segment stays, and drops customers without counted orders", async () => {
    // C2 moves on the 23rd (as above), then a second run later that day leaves every segment as is.
    await syncOrders(prisma, SHOP, [order({ customer: "1002", at: "2026-11-21T15:00:00Z", total: "90.00", id: "6002" })]);
    const moved = await analyzeShop(prisma, SHOP, { now: new Date("2026-11-23T12:00:00Z") });
    const before = await metricsOf(SHOP);
    expect(moved.movements.find((m) => m.from === "about_to_sleep")).toEqual({
      from: "about_to_sleep",
      to: before.get("1002")!.segment,
      customers: 1,
    });
    const again = await analyzeShop(prisma, SHOP, { now: new Date("2026-11-23T13:00:00Z") });
    expect(again.movements).toEqual([]);
    const after = await metricsOf(SHOP);
    for (const [id, row] of before) {
      const r = after.get(id)!;
      expect([r.segment, r.previousSegment, r.segmentChangedAt.toISOString()]).toEqual([
        row.segment,
        row.previousSegment,
        row.segmentChangedAt.toISOString(),
      ]);
      expect(r.computedAt.toISOString()).toBe("2026-11-23T13:00:00.000Z");
    }
    expect(after.get("1002")!.previousSegment).toBe("about_to_sleep");
    expect(after.get("1002")!.segmentChangedAt.toISOString()).toBe("2026-11-23T12:00:00.000Z");
    // The day's snapshot still counts C2 as moved in today.
    const into = await prisma.segmentSnapshot.findFirstOrThrow({
      where: { shop: SHOP, date: new Date("2026-11-23T00:00:00Z"), segment: after.get("1002")!.segment },
    });
    expect((into.movedIn as Record<string, number>).about_to_sleep).toBe(1);
    await prisma.order.deleteMany({ where: { shop: SHOP, shopifyId: "6002" } });
    await dropDay("2026-11-23");
    await analyzeShop(prisma, SHOP, { now: NOW });

    // The random shop: a new customer appears (previous segment null, a movement from null),
    // then loses their only order: their metrics row goes, the others stay.
    const first = await analyzeShop(prisma, RANDOM, { now: NOW });
    await syncOrders(prisma, RANDOM, [order({ customer: "9999", at: "2026-11-20T10:00:00Z", total: "15.00", id: "6003" })]);
    const added = await analyzeShop(prisma, RANDOM, { now: NOW });
    const b = await metricsOf(RANDOM);
    expect(b.size).toBe(first.customers + 1);
    expect(b.get("9999")!.previousSegment).toBeNull();
    expect(b.get("9999")!.segmentChangedAt.toISOString()).toBe(NOW.toISOString());
    expect(added.movements).toContainEqual({ from: null, to: b.get("9999")!.segment, customers: 1 });
    await prisma.order.deleteMany({ where: { shop: RANDOM, shopifyId: "6003" } });
    const removed = await analyzeShop(prisma, RANDOM, { now: NOW });
    const left = await metricsOf(RANDOM);
    expect(left.has("9999")).toBe(false);
    expect(left.size).toBe(removed.customers);
    expect(left.size).toBe(first.customers);
  });

  it("keeps shops apart", async () => {
    const a = await metricsOf(SHOP);
    expect(a.get("1001")!.monetary.toFixed(2)).toBe("130.00");
    const b = await metricsOf(OTHER);
    expect([...b.keys()]).toEqual(["1001"]);
    expect(b.get("1001")!.monetary.toFixed(2)).toBe("10000.00");
    const latestA = (await getLatestKpis(SHOP))!;
    expect(latestA.ranges[0].current.netRevenue).toBe(165);
    const latestB = (await getLatestKpis(OTHER))!;
    expect(latestB.ranges[0].current.orders).toBe(3);
    const byMonetary = [...a.values()].sort((x, y) => y.monetary.comparedTo(x.monetary) || x.customerId - y.customerId);
    expect(byMonetary.map((r) => [r.customer.shopifyId, r.monetary.toFixed()])).toEqual([
      ["1005", "200"],
      ["1004", "180"],
      ["1001", "130"],
      ["1002", "40"],
      ["1003", "25"],
    ]);
    expect([...a.values()].filter((r) => r.segment === "lost").map((r) => r.customer.shopifyId)).toEqual(["1005"]);
  });

  it("applies the range rules on demand: local days with --to included, the previous period in calendar days, abandonment by the clock", async () => {
    // October 2026 in Paris (31 days, the autumn DST change inside it); its previous period is
    // 31 August to 30 September (local midnights), never "31 days and an hour" before.
    await ensureShop(prisma, RANGES);
    await prisma.shop.update({ where: { domain: RANGES }, data: { currency: "EUR", ianaTimezone: TZ } });
    await syncOrders(prisma, RANGES, [
      order({ customer: "2002", at: "2026-08-30T21:30:00Z", total: "50.00" }), // 30 August, 23:30 in Paris: before the previous period
      order({ customer: "2001", at: "2026-09-30T21:30:00Z", total: "30.00" }), // 30 September, 23:30: previous period
      order({ customer: "2001", at: "2026-10-10T10:00:00Z", total: "0.10" }),
      order({ customer: "2003", at: "2026-10-31T22:30:00Z", total: "0.20" }), // 31 October, 23:30 in Paris (CET)
    ]);
    await syncCheckouts(
      prisma,
      RANGES,
      [
        checkout("81", "2026-10-15T10:00:00Z", null),
        checkout("82", "2026-10-31T12:00:00Z", null), // the range's last day
        checkout("83", "2026-10-31T20:00:00Z", "2026-10-31T20:05:00Z"),
      ],
      "EUR",
    );
    const oct = await kpisForRange(prisma, RANGES, { from: "2026-10-01", to: "2026-10-31" }, new Date("2026-11-20T12:00:00Z"));
    expect([oct.from, oct.to, oct.timeZone]).toEqual(["2026-10-01", "2026-10-31", TZ]);
    expect([oct.current.orders, oct.current.customers, oct.current.newCustomers]).toEqual([2, 2, 1]);
    expect([oct.previous.orders, oct.previous.customers]).toEqual([1, 1]);
    expect(oct.previous.netRevenue).toBe(30);
    // Money is summed exactly: 0.10 + 0.20 is 0.3, not 0.30000000000000004.
    expect(oct.current.netRevenue).toBe(0.3);
    expect(oct.current.averageOrderValue).toBe(0.15);
    expect(oct.current.retentionRate).toBe(100);
    // Three weeks later every October checkout is older than 24 hours: all three count.
    expect(oct.current.cartAbandonmentRate).toBeCloseTo((2 / 3) * 100, 9);
    // A range that ends today: only the checkouts at least 24 hours old by the clock count.
    const lastDay = { from: "2026-10-31", to: "2026-10-31" };
    expect((await kpisForRange(prisma, RANGES, lastDay, new Date("2026-10-31T22:00:00Z"))).current.cartAbandonmentRate).toBeNull();
    const nextDay = await kpisForRange(prisma, RANGES, lastDay, new Date("2026-11-01T12:30:00Z"));
    expect(nextDay.current.cartAbandonmentRate).toBe(100); // 82 counts, 83 is not 24 hours old yet
    expect(nextDay.current.orders).toBe(1);
    expect(nextDay.previous.orders).toBe(0); // 30 October
  });

  it("gives the same RFM scores through the database as scoreRfm on the orders in memory", async () => {
    const now = NOW;
    const summary = await analyzeShop(prisma, RANDOM, { now });
    const tz = "America/New_York";
    const orders = await prisma.order.findMany({ where: { shop: RANDOM }, include: { customer: { select: { shopifyId: true } } } });
    expect(orders.length).toBeGreaterThan(100);
    // In memory: the documented definitions (calendar days in the shop's zone, cents summed).
    const inputs = aggregateOrders(
      orders.map((o) => ({
        customerId: o.customer!.shopifyId,
        date: new Date(dayNumber(o.processedAt, tz) * DAY_MS),
        revenue: Math.round(o.totalPrice.minus(o.totalRefunded).toNumber() * 100),
        cancelled: o.cancelledAt !== null,
        test: o.test,
      })),
    ).map((c) => ({ ...c, revenue: c.revenue / 100 }));
    const expected = scoreRfm(inputs, new Date(dayNumber(now, tz) * DAY_MS));
    const stored = await metricsOf(RANDOM);
    expect(stored.size).toBe(expected.length);
    expect(summary.customers).toBe(expected.length);
    for (const e of expected) {
      const s = stored.get(e.customerId)!;
      expect([s.recencyDays, s.frequency, s.monetary.toNumber(), s.rScore, s.fScore, s.mScore, s.segment]).toEqual([
        e.recencyDays,
        e.frequency,
        e.monetary,
        e.r,
        e.f,
        e.m,
        e.segment,
      ]);
    }
    // The scores are not all alike (the comparison would be weak otherwise).
    expect(new Set(expected.map((e) => e.segment)).size).toBeGreaterThan(3);
  });
});
