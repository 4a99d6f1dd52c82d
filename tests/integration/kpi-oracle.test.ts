// The app against its written definitions: every KPI of docs/metrics.md recomputed by an
// independent oracle (tests/helpers/kpiOracle.ts, plain SQL, no app code), compared exactly
// with kpisForRange and with the stored snapshots, for many ranges, three time zones and both
// databases; then cohorts and segment movement. Money is compared to the cent, rates to 1e-9.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seededRandom } from "~/domain/random";
import { analyzeShop, kpisForRange, type AnalysisSummary } from "~/services/analytics.server";
import { getLatestKpis } from "~/services/analyticsReads.server";
import { seedDemoShop } from "~/services/demo.server";
import { useDatabase } from "../helpers/app";
import { BACKENDS, openMigrated, type Backend } from "../helpers/db";
import {
  currencyDigits,
  decimalToMinor,
  floatToMinor,
  oracleCohorts,
  oracleKpis,
  sqlInstant,
  type OraclePeriod,
  type OracleRange,
  type RawDb,
} from "../helpers/kpiOracle";

// The clock: mid-morning in Paris, so "today" is a partial day and the 24-hour checkout rule
// cuts through yesterday. The data (26 months back from it) covers 29 February 2028 and two
// DST changes each way in every zone below.
const CLOCK = new Date("2028-03-30T08:30:00Z");
const SEED = { customers: 150, orders: 1200, products: 30, months: 26, endDate: CLOCK };

interface ShopCase {
  shop: string;
  seed: number;
  timeZone: string;
  /** Local dates of a spring-forward and a fall-back change inside the data. */
  spring: string;
  autumn: string;
}

const SHOPS: ShopCase[] = [
  { shop: "rapport-demo.myshopify.com", seed: 21, timeZone: "Europe/Paris", spring: "2027-03-28", autumn: "2027-10-31" },
  { shop: "rapport-east.myshopify.com", seed: 22, timeZone: "Pacific/Auckland", spring: "2027-09-26", autumn: "2027-04-04" },
  { shop: "rapport-west.myshopify.com", seed: 23, timeZone: "America/Los_Angeles", spring: "2027-03-14", autumn: "2027-11-07" },
];

// ---------------------------------------------------------------------------------------
// Ranges (inclusive local days)

function addDays(day: string, n: number): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

/** The local date of an instant in a zone (Intl, not app code). */
function localDate(at: Date, timeZone: string): string {
  return new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit" }).format(at);
}

interface RangeCase {
  label: string;
  from: string;
  to: string;
}

function rangesFor(c: ShopCase): RangeCase[] {
  const today = localDate(CLOCK, c.timeZone);
  const out: RangeCase[] = [
    { label: "October 2026 (the issue's month)", from: "2026-10-01", to: "2026-10-31" },
    { label: "a week across the spring change", from: addDays(c.spring, -3), to: addDays(c.spring, 3) },
    {
      label: "a month starting the day after the spring change (previous period contains it)",
      from: addDays(c.spring, 1),
      to: addDays(c.spring, 30),
    },
    { label: "a week across the autumn change", from: addDays(c.autumn, -3), to: addDays(c.autumn, 3) },
    { label: "the autumn change day alone (25 hours)", from: c.autumn, to: c.autumn },
    { label: "the spring change day alone (23 hours)", from: c.spring, to: c.spring },
    { label: "a month starting the day after the autumn change", from: addDays(c.autumn, 1), to: addDays(c.autumn, 30) },
    { label: "February 2027 (month end, 28 days)", from: "2027-02-01", to: "2027-02-28" },
    { label: "a month end alone", from: "2027-04-30", to: "2027-04-30" },
    { label: "across the new year", from: "2027-12-31", to: "2028-01-01" },
    { label: "29 February 2028 alone", from: "2028-02-29", to: "2028-02-29" },
    { label: "February 2028 (29 days)", from: "2028-02-01", to: "2028-02-29" },
    { label: "29 February to 28 March 2028", from: "2028-02-29", to: "2028-03-28" },
    { label: "a single day", from: "2027-06-15", to: "2027-06-15" },
    { label: "today alone", from: today, to: today },
    { label: "yesterday alone (the 24-hour rule cuts through it)", from: addDays(today, -1), to: addDays(today, -1) },
    { label: "the last 7 days, ending today", from: addDays(today, -6), to: today },
    { label: "the last 365 days, ending today", from: addDays(today, -364), to: today },
    { label: "a range running past today", from: addDays(today, -2), to: addDays(today, 2) },
    { label: "before the first order", from: "2020-01-01", to: "2020-01-31" },
  ];
  const random = seededRandom(c.seed * 7919);
  const start = Date.parse("2025-12-01T00:00:00Z");
  const span = Math.round((Date.parse(`${today}T00:00:00Z`) - start) / 86_400_000);
  for (let i = 0; i < 10; i++) {
    const from = addDays("2025-12-01", Math.floor(random() * span));
    const to = addDays(from, Math.floor(random() * 120));
    out.push({ label: `random #${i + 1}`, from, to: to > today ? today : to });
  }
  return out;
}

// ---------------------------------------------------------------------------------------
// Comparison: a list of mismatches (empty when the app agrees with the oracle)

/** A period of the app's answer, read field by field. */
type AppPeriod = object;

const COUNTS = ["orders", "guestOrders", "customers", "newCustomers", "returningCustomers"] as const;
const RATES = ["purchaseFrequency", "repeatPurchaseRate", "retentionRate", "churnRate"] as const;
// Money: the app may still return floats (85833.26000000004): its value is rounded to the
// currency's minor unit, the oracle's exact decimal is rounded half away from zero.
const EXACT_MONEY = ["netRevenue", "guestNetRevenue", "marketingSpend"] as const;
const DERIVED_MONEY = ["averageOrderValue", "historicalClv", "cac"] as const;

function sameRate(a: unknown, b: number | null): boolean {
  if (b === null || a === null) return a === b;
  return typeof a === "number" && Math.abs(a - b) <= 1e-9;
}

function compareMoney(field: string, a: unknown, exact: string | number | null, digits: number, out: string[], where: string) {
  if (exact === null || a === null || a === undefined) {
    if (a !== exact) out.push(`${where} ${field}: app ${String(a)}, definition ${String(exact)}`);
    return;
  }
  const want = typeof exact === "string" ? decimalToMinor(exact, digits) : floatToMinor(exact, digits);
  const got = floatToMinor(Number(a), digits);
  if (got !== want) out.push(`${where} ${field}: app ${String(a)}, definition ${String(exact)}`);
}

/** Every KPI of one period except cart abandonment. */
function kpiMismatches(period: AppPeriod, o: OraclePeriod, digits: number, where: string): string[] {
  const app = period as Record<string, unknown>;
  const out: string[] = [];
  for (const f of COUNTS) if (app[f] !== o[f]) out.push(`${where} ${f}: app ${String(app[f])}, definition ${o[f]}`);
  for (const f of RATES) if (!sameRate(app[f], o[f])) out.push(`${where} ${f}: app ${String(app[f])}, definition ${String(o[f])}`);
  for (const f of EXACT_MONEY) compareMoney(f, app[f], o[f], digits, out, where);
  for (const f of DERIVED_MONEY) compareMoney(f, app[f], o[f], digits, out, where);
  if (app.medianDaysToSecondOrder !== o.medianDaysToSecondOrder) {
    out.push(`${where} medianDaysToSecondOrder: app ${String(app.medianDaysToSecondOrder)}, definition ${String(o.medianDaysToSecondOrder)}`);
  }
  if (!sameRate(app.nps, o.nps)) out.push(`${where} nps: app ${String(app.nps)}, definition ${String(o.nps)} (${o.npsAnswers} answers)`);
  return out;
}

function cartMismatches(period: AppPeriod, o: OraclePeriod, where: string): string[] {
  const app = period as Record<string, unknown>;
  return sameRate(app.cartAbandonmentRate, o.cartAbandonmentRate)
    ? []
    : [
        `${where} cartAbandonmentRate: app ${String(app.cartAbandonmentRate)}, definition ${String(o.cartAbandonmentRate)} (${o.checkoutsAbandoned} of ${o.checkoutsCreated} checkouts)`,
      ];
}

/** One line per mismatch in the failure message (an array diff would be truncated). */
function expectNone(mismatches: string[]) {
  expect(mismatches.join("\n")).toBe("");
}

// Results per backend, to assert that both databases give identical answers.
const recorded: Record<Backend, Map<string, unknown>> = { pglite: new Map(), postgres: new Map() };

async function setUp(prisma: Parameters<typeof seedDemoShop>[0]) {
  for (const c of SHOPS) {
    await seedDemoShop(prisma, { ...SEED, seed: c.seed, shopDomain: c.shop, analyze: false });
    // The demo shop is in Paris: the others are moved east and west of UTC before analysis.
    await prisma.$executeRawUnsafe(`UPDATE "Shop" SET "ianaTimezone" = $1 WHERE domain = $2`, c.timeZone, c.shop);
    await analyzeShop(prisma, c.shop, { now: CLOCK });
  }
}

describe.each(BACKENDS)("KPIs against their definitions on %s", (backend) => {
  let ctx: Awaited<ReturnType<typeof openMigrated>>;
  let db: RawDb;
  beforeAll(async () => {
    ctx = await openMigrated(backend);
    useDatabase(ctx.db);
    db = ctx.db.prisma;
    await setUp(ctx.db.prisma);
  });
  afterAll(async () => {
    useDatabase(undefined);
    await ctx?.cleanup();
  });

  describe.each(SHOPS)("$timeZone", (c) => {
    const oracles = new Map<string, Promise<{ app: Awaited<ReturnType<typeof kpisForRange>>; oracle: OracleRange }>>();
    /** The app's and the oracle's answers for a range, computed once for both tests. */
    const both = (r: RangeCase) => {
      const key = `${c.shop} ${r.from}..${r.to}`;
      let p = oracles.get(key);
      if (!p) {
        p = (async () => {
          const app = await kpisForRange(ctx.db.prisma, c.shop, { from: r.from, to: r.to }, CLOCK);
          const oracle = await oracleKpis(db, c.shop, r, CLOCK);
          recorded[backend].set(key, { app, oracle });
          return { app, oracle };
        })();
        oracles.set(key, p);
      }
      return p;
    };

    it("has the shop in the intended time zone, with data on both sides of the ranges", async () => {
      const [row] = await db.$queryRawUnsafe<{ tz: string; first: string; n: number }[]>(
        `SELECT s."ianaTimezone" AS tz, MIN(o."processedAt")::text AS first, COUNT(*)::int AS n
         FROM "Shop" s JOIN "Order" o ON o.shop = s.domain WHERE s.domain = $1 GROUP BY 1`,
        c.shop,
      );
      expect(row.tz).toBe(c.timeZone);
      expect(row.n).toBeGreaterThan(1000);
      expect(row.first < "2026-03-01").toBe(true);
    });

    it.each(rangesFor(c))("$label ($from to $to): every KPI but cart abandonment", async (r) => {
      const { app, oracle } = await both(r);
      const digits = currencyDigits(oracle.currency);
      expect(app.timeZone).toBe(c.timeZone);
      expect([app.from, app.to]).toEqual([r.from, r.to]);
      const mismatches = [
        ...kpiMismatches(app.current, oracle.current, digits, "current"),
        ...kpiMismatches(app.previous, oracle.previous, digits, `previous (${oracle.previous.from}..${oracle.previous.to})`),
      ];
      // Model-based figures exist only for the daily analysis; LTV:CAC falls back to historical CLV.
      for (const p of ["current", "previous"] as const) {
        if (app[p].predictedClv12m !== null || app[p].modelChurnRate !== null) mismatches.push(`${p}: model figures on a custom range`);
        if (!sameRate(app[p].ltvToCac, oracle[p].ltvToCacHistorical))
          mismatches.push(`${p} ltvToCac: app ${app[p].ltvToCac}, definition ${oracle[p].ltvToCacHistorical}`);
      }
      expectNone(mismatches);
    });

    it.each(rangesFor(c))("$label ($from to $to): cart abandonment (24 hours old by the clock)", async (r) => {
      const { app, oracle } = await both(r);
      expectNone([...cartMismatches(app.current, oracle.current, "current"), ...cartMismatches(app.previous, oracle.previous, "previous")]);
    });

    it("a range before the first order is empty, and its rates are empty rather than 0", async () => {
      const { oracle } = await both({ label: "", from: "2020-01-01", to: "2020-01-31" });
      expect(oracle.current).toMatchObject({
        orders: 0,
        customers: 0,
        netRevenue: "0",
        repeatPurchaseRate: null,
        retentionRate: null,
        averageOrderValue: null,
        historicalClv: null,
      });
    });

    it("stores the last 30 / 90 days and 12 months as defined: ranges, current and previous period", async () => {
      useDatabase(ctx.db);
      const stored = await getLatestKpis(c.shop);
      expect(stored).not.toBeNull();
      const today = localDate(CLOCK, c.timeZone);
      expect(stored!.date).toBe(today);
      // The last 12 months start the day after the same date a year earlier.
      const [{ year_ago }] = await db.$queryRawUnsafe<{ year_ago: string }[]>(
        `SELECT (($1::date - INTERVAL '1 year')::date + 1)::text AS year_ago`,
        today,
      );
      const expected = { last_30_days: addDays(today, -29), last_90_days: addDays(today, -89), last_12_months: year_ago };
      expect(stored!.ranges.map((r) => r.rangeKind)).toEqual(Object.keys(expected));
      // The demo history has survey answers: the stored year has an NPS to check.
      expect(stored!.ranges.find((r) => r.rangeKind === "last_12_months")!.current.nps).not.toBeNull();
      const mismatches: string[] = [];
      for (const range of stored!.ranges) {
        const oracle = await oracleKpis(db, c.shop, { from: expected[range.rangeKind], to: today }, CLOCK);
        recorded[backend].set(`${c.shop} stored ${range.rangeKind}`, { range, oracle });
        const digits = currencyDigits(oracle.currency);
        const where = (p: string) => `${range.rangeKind} ${p}`;
        if (range.from !== oracle.fromInstant || range.to !== oracle.toInstant) {
          mismatches.push(`${range.rangeKind} instants: app ${range.from}..${range.to}, definition ${oracle.fromInstant}..${oracle.toInstant}`);
        }
        for (const p of ["current", "previous"] as const) {
          const app = range[p];
          mismatches.push(...kpiMismatches(app, oracle[p], digits, where(p)), ...cartMismatches(app, oracle[p], where(p)));
          // LTV:CAC: the predicted CLV when there is one (the model is not part of the oracle).
          const ltv = range[p].predictedClv12m ?? oracle[p].historicalClv;
          const cac = oracle[p].cac === null ? null : Number(oracle[p].cac);
          const want = ltv === null || cac === null || cac === 0 ? null : Number(ltv) / cac;
          if (!sameRate(range[p].ltvToCac, want)) mismatches.push(`${where(p)} ltvToCac: app ${range[p].ltvToCac}, definition ${want}`);
        }
      }
      expectNone(mismatches);
    });

    it("stores the KpiSnapshot columns to the cent", async () => {
      const rows = await db.$queryRawUnsafe<
        { kind: string; net: string; orders: number; customers: number; fresh: number; aov: string | null; repeat: number | null }[]
      >(
        `SELECT "rangeKind" AS kind, "netRevenue"::text AS net, orders, customers, "newCustomers" AS fresh, "averageOrderValue"::text AS aov,
                "repeatPurchaseRate" AS repeat
         FROM "KpiSnapshot" WHERE shop = $1 AND date = (SELECT MAX(date) FROM "KpiSnapshot" WHERE shop = $1) ORDER BY id`,
        c.shop,
      );
      const today = localDate(CLOCK, c.timeZone);
      expect(rows).toHaveLength(3);
      for (const row of rows.filter((r) => r.kind !== "last_12_months")) {
        const from = addDays(today, row.kind === "last_30_days" ? -29 : -89);
        const o = (await oracleKpis(db, c.shop, { from, to: today }, CLOCK)).current;
        const digits = currencyDigits("EUR");
        expect(decimalToMinor(row.net, digits), row.kind).toBe(decimalToMinor(o.netRevenue, digits));
        expect([row.orders, row.customers, row.fresh], row.kind).toEqual([o.orders, o.customers, o.newCustomers]);
        expect(decimalToMinor(row.aov!, digits), row.kind).toBe(decimalToMinor(o.averageOrderValue!, digits));
        expect(sameRate(row.repeat, o.repeatPurchaseRate), row.kind).toBe(true);
      }
    });

    it("stores cohorts as defined: size, retention and revenue per customer per month since the first order", async () => {
      const stored = await getLatestKpis(c.shop);
      const cohorts = stored!.cohorts;
      expect(cohorts.length).toBeGreaterThan(12);
      const clockMonth = localDate(CLOCK, c.timeZone).slice(0, 7);
      const oracle = await oracleCohorts(db, c.shop, cohorts[0].cohort, CLOCK);
      recorded[backend].set(`${c.shop} cohorts`, oracle);
      // The stored cohorts are the first-order months of the last 24 months.
      const [{ first }] = await db.$queryRawUnsafe<{ first: string }[]>(
        `SELECT to_char(($1 || '-01')::date - INTERVAL '23 months', 'YYYY-MM') AS first`,
        clockMonth,
      );
      expect(cohorts[0].cohort >= first).toBe(true);
      expect(oracle.map((o) => o.cohort)).toEqual(cohorts.map((s) => s.cohort));
      const mismatches: string[] = [];
      const half = 0.00005 + 1e-9; // half a unit of the stored 4th decimal
      for (const [i, o] of oracle.entries()) {
        const s = cohorts[i];
        if (s.customers !== o.customers) mismatches.push(`${o.cohort} size: app ${s.customers}, definition ${o.customers}`);
        if (s.months.length !== o.months.length) mismatches.push(`${o.cohort} months: app ${s.months.length}, definition ${o.months.length}`);
        let cumulative = 0;
        for (const [k, om] of o.months.entries()) {
          const sm = s.months[k];
          if (!sm) break;
          const at = `${o.cohort} +${om.monthsSinceFirst}`;
          cumulative += Number(om.revenue);
          const want = {
            monthsSinceFirst: om.monthsSinceFirst,
            month: om.month,
            activeCustomers: om.activeCustomers,
            partial: om.month === clockMonth,
          };
          const got = { monthsSinceFirst: sm.monthsSinceFirst, month: sm.month, activeCustomers: sm.activeCustomers, partial: sm.partial };
          if (JSON.stringify(got) !== JSON.stringify(want)) mismatches.push(`${at}: app ${JSON.stringify(got)}, definition ${JSON.stringify(want)}`);
          if (!sameRate(sm.retentionRate, (om.activeCustomers / o.customers) * 100)) mismatches.push(`${at} retention: app ${sm.retentionRate}`);
          if (floatToMinor(sm.revenue, 4) !== decimalToMinor(om.revenue, 4))
            mismatches.push(`${at} revenue: app ${sm.revenue}, definition ${om.revenue}`);
          if (Math.abs(sm.revenuePerCustomer - Number(om.revenue) / o.customers) > half)
            mismatches.push(`${at} revenue per customer: app ${sm.revenuePerCustomer}`);
          if (Math.abs(sm.cumulativeRevenuePerCustomer - cumulative / o.customers) > half)
            mismatches.push(`${at} cumulative revenue per customer: app ${sm.cumulativeRevenuePerCustomer}`);
        }
        if (o.months[0].activeCustomers !== o.customers) mismatches.push(`${o.cohort}: month 0 is not 100 %`);
      }
      expectNone(mismatches);
    });

    it("stores segment totals that add up: customers, orders and revenue per segment from the orders", async () => {
      const rows = await db.$queryRawUnsafe<
        {
          segment: string;
          customers: number;
          orders: number;
          revenue: string;
          s_customers: number | null;
          s_orders: number | null;
          s_revenue: string | null;
        }[]
      >(
        `WITH o AS (SELECT "customerId" AS c, "totalPrice" - "totalRefunded" AS net FROM "Order"
                    WHERE shop = $1 AND "cancelledAt" IS NULL AND NOT test AND "processedAt" < $2::timestamp AND "customerId" IS NOT NULL),
              seg AS (SELECT m.segment, COUNT(DISTINCT m."customerId")::int AS customers, COUNT(o.c)::int AS orders, COALESCE(SUM(o.net), 0) AS revenue
                       FROM "CustomerMetrics" m LEFT JOIN o ON o.c = m."customerId" WHERE m.shop = $1 GROUP BY m.segment),
              snap AS (SELECT segment, customers, orders, revenue FROM "SegmentSnapshot"
                       WHERE shop = $1 AND date = (SELECT MAX(date) FROM "SegmentSnapshot" WHERE shop = $1))
         SELECT COALESCE(seg.segment, snap.segment) AS segment, COALESCE(seg.customers, 0) AS customers, COALESCE(seg.orders, 0) AS orders,
                COALESCE(seg.revenue, 0)::text AS revenue, snap.customers AS s_customers, snap.orders AS s_orders, snap.revenue::text AS s_revenue
         FROM seg FULL JOIN snap ON snap.segment = seg.segment ORDER BY 1`,
        c.shop,
        sqlInstant(CLOCK),
      );
      expect(rows.length).toBeGreaterThan(3);
      for (const r of rows) {
        expect([r.s_customers, r.s_orders], r.segment).toEqual([r.customers, r.orders]);
        expect(decimalToMinor(r.s_revenue!, 4), r.segment).toBe(decimalToMinor(r.revenue, 4));
      }
      const [{ total }] = await db.$queryRawUnsafe<{ total: number }[]>(
        `SELECT COUNT(DISTINCT "customerId")::int AS total FROM "Order"
         WHERE shop = $1 AND "cancelledAt" IS NULL AND NOT test AND "processedAt" < $2::timestamp AND "customerId" IS NOT NULL`,
        c.shop,
        sqlInstant(CLOCK),
      );
      expect(rows.reduce((s, r) => s + r.customers, 0)).toBe(total);
    });
  });

  describe("segment movement between two analyses", () => {
    const shop = SHOPS[0].shop;
    const EARLIER = new Date(CLOCK.getTime() - 45 * 86_400_000);
    let before: Map<number, { segment: string; previous: string | null; changedAt: string }>;
    let after: Map<number, { segment: string; previous: string | null; changedAt: string }>;
    let summary: AnalysisSummary;
    let earlierDate: string;
    let laterDate: string;

    const metrics = async () => {
      const rows = await db.$queryRawUnsafe<{ id: number; segment: string; previous: string | null; changed: string }[]>(
        `SELECT "customerId" AS id, segment, "previousSegment" AS previous, to_char("segmentChangedAt", 'YYYY-MM-DD HH24:MI:SS.MS') AS changed FROM "CustomerMetrics" WHERE shop = $1`,
        shop,
      );
      return new Map(rows.map((r) => [r.id, { segment: r.segment, previous: r.previous, changedAt: r.changed }]));
    };
    const snapshotCounts = async (date: string) => {
      const rows = await db.$queryRawUnsafe<{ segment: string; customers: number; moved: Record<string, number> }[]>(
        `SELECT segment, customers, "movedIn" AS moved FROM "SegmentSnapshot" WHERE shop = $1 AND date = $2::date`,
        shop,
        date,
      );
      return rows;
    };

    beforeAll(async () => {
      // As if the shop had first been analysed 45 days before the clock (orders after that
      // ignored), then at the clock: the stored state ends as it was after seeding.
      await db.$queryRawUnsafe(`DELETE FROM "CustomerMetrics" WHERE shop = $1 RETURNING 1`, shop);
      const early = await analyzeShop(ctx.db.prisma, shop, { now: EARLIER });
      earlierDate = early.date;
      before = await metrics();
      summary = await analyzeShop(ctx.db.prisma, shop, { now: CLOCK });
      laterDate = summary.date;
      after = await metrics();
    });

    it("rows of the movement matrix sum to the earlier snapshot's counts, columns to the later's", async () => {
      const matrix = new Map<string, number>(); // "from→to", from "new" / to "gone" for customers on one side only
      const add = (from: string, to: string) => matrix.set(`${from}→${to}`, (matrix.get(`${from}→${to}`) ?? 0) + 1);
      for (const [id, b] of before) add(b.segment, after.get(id)?.segment ?? "gone");
      for (const [id, a] of after) if (!before.has(id)) add("new", a.segment);
      const rowSum = new Map<string, number>();
      const colSum = new Map<string, number>();
      for (const [key, n] of matrix) {
        const [from, to] = key.split("→");
        rowSum.set(from, (rowSum.get(from) ?? 0) + n);
        colSum.set(to, (colSum.get(to) ?? 0) + n);
      }
      const earlier = await snapshotCounts(earlierDate);
      const later = await snapshotCounts(laterDate);
      expect(earlier.length).toBeGreaterThan(3);
      for (const s of earlier) expect(rowSum.get(s.segment) ?? 0, `row ${s.segment}`).toBe(s.customers);
      for (const s of later) expect(colSum.get(s.segment) ?? 0, `column ${s.segment}`).toBe(s.customers);
      // Customers appear between the two dates (their first order is later), none disappear.
      expect(rowSum.get("new")).toBeGreaterThan(0);
      expect(colSum.get("gone") ?? 0).toBe(0);
      expect(matrix.size).toBeGreaterThan(earlier.length); // some customers did move

      // The app's own account of the moves: the summary's movements, the later snapshot's
      // movedIn (customers whose segment changed on that day, by where they came from) and
      // CustomerMetrics.previousSegment are the off-diagonal cells of the matrix.
      const offDiagonal = [...matrix].filter(([key]) => key.split("→")[0] !== key.split("→")[1]).sort(([a], [b]) => a.localeCompare(b));
      expect(
        summary.movements.map((m) => [`${m.from ?? "new"}→${m.to}`, m.customers] as [string, number]).sort(([a], [b]) => a.localeCompare(b)),
      ).toEqual(offDiagonal);
      const movedIn = later.flatMap((s) => Object.entries(s.moved).map(([from, n]) => [`${from}→${s.segment}`, n] as [string, number]));
      expect(movedIn.sort(([a], [b]) => a.localeCompare(b))).toEqual(offDiagonal);
      for (const [id, a] of after) {
        const b = before.get(id);
        if (!b) expect(a.previous, `customer ${id}`).toBeNull();
        else if (b.segment !== a.segment) expect([a.previous, a.changedAt], `customer ${id}`).toEqual([b.segment, sqlInstant(CLOCK)]);
        else expect([a.previous, a.changedAt], `customer ${id}`).toEqual([b.previous, b.changedAt]);
      }
      recorded[backend].set("movement", offDiagonal);
    });
  });
});

describe("PGlite and PostgreSQL", () => {
  it("give identical answers on identical data, from the app and from the oracle", () => {
    expect(recorded.pglite.size).toBeGreaterThan(100);
    expect([...recorded.postgres.keys()]).toEqual([...recorded.pglite.keys()]);
    for (const [key, value] of recorded.pglite) expect(recorded.postgres.get(key), key).toEqual(value);
  });
});
