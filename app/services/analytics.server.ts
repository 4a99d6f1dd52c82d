// The analytics service: per shop, aggregate orders in SQL (models/analytics.server.ts), run the
// pure domain code (RFM, BG/NBD + Gamma-Gamma, KPIs, cohorts) and store the results
// (CustomerMetrics, SegmentSnapshot, KpiSnapshot, AnalysisSnapshot). Runs after sync activity
// (debounced), nightly, and on demand.
//
// Definitions are those of docs/metrics.md. Choices specific to the stored analysis:
// - Orders: cancelled and test orders excluded, dated by processedAt, net = totalPrice −
//   totalRefunded, in the shop's currency; orders after the analysis instant `now` ignored.
// - Guests (no customer) count in net revenue, orders and AOV, never as customers (customer
//   counts, repeat rate, frequency, retention, CLV and CustomerMetrics are customers only).
// - "Today" is the local date of `now` in Shop.ianaTimezone. RFM recency = calendar days from
//   the last order's local day to today. KPI ranges end with today: last 30 / 90 days and
//   last 12 months (from the day after the same date a year ago); the previous period is the
//   one of equal length just before (domain previousRange).
// - BG/NBD in weeks, 12-month horizon = 52 weeks, 10 % annual discount (as `rapport clv`).
// - Cart abandonment: checkouts created in the range and older than 24 hours, abandoned =
//   still not completed (younger checkouts may still complete, so they are not counted yet).
// - CAC from MarketingSpend (months prorated by days, domain marketingSpendForRange); NPS is
//   null until survey answers are stored.
// - Cohorts: first-order months of the last 24 months.
import type { PrismaClient } from "@prisma/client";
import {
  assessConfidence,
  discountedExpectedPurchases,
  expectedAverageValue,
  expectedNextOrderPeriods,
  fitBgNbd,
  fitGammaGamma,
  groupRftArrays,
  probabilityAlive,
  type BgNbdFit,
  type ConfidenceReport,
  type GammaGammaFit,
} from "~/domain/clv";
import {
  compareKpis,
  computePeriodKpis,
  marketingSpendForRange,
  previousRange,
  ratio,
  type DateRange,
  type PeriodKpis,
} from "~/domain/kpis";
import { currencyExponent, toMinorUnits } from "~/domain/money";
import { DEFAULT_SEGMENT_RULES, OTHERS_KEY, scoreRfm, type SegmentRule } from "~/domain/rfm";
import type { Cohort, CohortMonth } from "~/domain/cohorts";
import { civilFromDays, daysFromCivil, monthLabel, zonedCalendar, zonedTimeToInstant } from "~/domain/time";
import { logger } from "~/lib/logger.server";
import {
  aggregateCustomers,
  checkoutCounts,
  findCustomerMetrics,
  guestTotals,
  latestKpiSnapshots,
  monthlyMarketingSpend,
  replaceCustomerMetrics,
  replaceSnapshots,
  segmentSnapshotsSince,
  segmentTransitions,
  storedSegments,
  useWorkMem,
  type CohortCell,
  type CustomerAggregate,
  type CustomerMetricsOrder,
  type CustomerMetricsRow,
  type Window,
} from "~/models/analytics.server";
import { UnknownShopError } from "~/services/dataHealth.server";

const DAY_MS = 86_400_000;

/** BG/NBD time unit (weeks, as the CDNOW reference and `rapport clv`), 12-month horizon. */
export const MODEL_SETTINGS = {
  period: "week" as const,
  periodDays: 7,
  horizonPeriods: 52,
  annualDiscountRate: 0.1,
  /** Next-order dates further than this are left empty (docs/metrics.md). */
  nextOrderMaxDays: 730,
};

/** Checkouts younger than this are not counted yet: they may still be completed. */
export const CHECKOUT_SETTLE_MS = 24 * 3_600_000;

/** Cohorts reported: first-order months within the last 24 months (current month included). */
export const COHORT_MONTHS = 24;

export const RANGE_KINDS = ["last_30_days", "last_90_days", "last_12_months"] as const;
export type RangeKind = (typeof RANGE_KINDS)[number];

export interface AnalyzeOptions {
  /** The analysis instant: orders after it are ignored; "today" is its day in the shop's zone. */
  now: Date;
  /** Segment rule table (default: DEFAULT_SEGMENT_RULES). */
  rules?: readonly SegmentRule[];
}

export interface KpiRangeSummary {
  rangeKind: RangeKind;
  /** Inclusive first and last local day. */
  from: string;
  to: string;
  current: StoredKpis;
  previous: StoredKpis;
}

/** The domain's PeriodKpis plus the guest part of orders and revenue. */
export type StoredKpis = PeriodKpis & { guestOrders: number; guestNetRevenue: number; marketingSpend: number | null };

export interface ModelSummary {
  period: "week";
  horizonPeriods: number;
  annualDiscountRate: number;
  bgnbd: (BgNbdFit["params"] & { logLikelihood: number; standardErrors: BgNbdFit["standardErrors"]; converged: boolean; iterations: number }) | null;
  gammaGamma: (GammaGammaFit["params"] & { logLikelihood: number; standardErrors: GammaGammaFit["standardErrors"]; converged: boolean; customers: number }) | null;
}

export interface AnalysisSummary {
  shop: string;
  /** Local date of the analysis in the shop's time zone (YYYY-MM-DD). */
  date: string;
  computedAt: string;
  timeZone: string;
  currency: string;
  customers: number;
  repeatCustomers: number;
  /** Milliseconds per stage. */
  timings: Record<"load" | "aggregate" | "rfm" | "fit" | "predict" | "kpis" | "cohorts" | "write" | "total", number>;
  /** Resident memory of the process (MiB) at the end of each stage. */
  rssMb: Record<string, number>;
  segments: { segment: string; customers: number; orders: number; revenue: string }[];
  /** Customers who changed segment in this run (from null = first analysis of the customer). */
  movements: { from: string | null; to: string; customers: number }[];
  model: ModelSummary;
  lowConfidence: boolean;
  confidenceNotes: string[];
  kpis: KpiRangeSummary[];
}

// ---------------------------------------------------------------------------------------
// Calendar helpers

function ymd(dayNo: number): string {
  const c = civilFromDays(dayNo);
  return `${String(c.year).padStart(4, "0")}-${String(c.month).padStart(2, "0")}-${String(c.day).padStart(2, "0")}`;
}

function startOfDay(dayNo: number, timeZone: string): Date {
  const c = civilFromDays(dayNo);
  return zonedTimeToInstant(c.year, c.month, c.day, timeZone);
}

/**
 * The current range of a kind, ending with today (local): [start of first day, start of
 * tomorrow). last_12_months starts the day after the same date a year earlier.
 */
export function currentRange(kind: RangeKind, today: number, timeZone: string): DateRange {
  const to = startOfDay(today + 1, timeZone);
  let first: number;
  if (kind === "last_30_days") first = today - 29;
  else if (kind === "last_90_days") first = today - 89;
  else {
    const c = civilFromDays(today);
    first = daysFromCivil(c.year - 1, c.month, c.day) + 1;
  }
  return { from: startOfDay(first, timeZone), to };
}

// ---------------------------------------------------------------------------------------
// Money helpers: exact decimal strings for storage, numbers for statistics.

const SCALE = 4; // Decimal(19, 4)

/** "123.4500" → 1234500 (units of 10^-4). */
function toScaled(value: string): number {
  const m = /^(-?)(\d*)(?:\.(\d*))?$/.exec(value.trim());
  if (!m) throw new RangeError(`"${value}" is not a decimal amount`);
  const frac = (m[3] ?? "").padEnd(SCALE, "0").slice(0, SCALE);
  const units = Number(m[2] || "0") * 10 ** SCALE + Number(frac);
  return m[1] ? -units : units;
}

function fromScaled(units: number): string {
  const sign = units < 0 ? "-" : "";
  const abs = Math.abs(units);
  const int = Math.floor(abs / 10 ** SCALE);
  const frac = String(abs - int * 10 ** SCALE).padStart(SCALE, "0");
  return `${sign}${int}.${frac}`;
}

/** A float amount rounded to the currency's minor unit, as a decimal string. */
function money(value: number | null, exponent: number): string | null {
  if (value === null || !Number.isFinite(value)) return null;
  const minor = toMinorUnits(value, exponent);
  return (minor / 10 ** exponent).toFixed(exponent);
}

function rounded(value: number | null, digits = 6): number | null {
  return value === null || !Number.isFinite(value) ? null : Number(value.toFixed(digits));
}

/**
 * The cohort table of domain/cohorts.ts (same shape and definitions as buildCohorts) from
 * cells already aggregated in SQL: every customer orders in month 0 of their cohort, so the
 * cohort size is month 0's active customers.
 */
export function buildCohortsFromCells(cells: readonly CohortCell[], asOfMonth: number): Cohort[] {
  const byCohort = new Map<number, Map<number, CohortCell>>();
  for (const cell of cells) {
    if (cell.cohortMonth > asOfMonth) continue;
    let m = byCohort.get(cell.cohortMonth);
    if (!m) byCohort.set(cell.cohortMonth, (m = new Map()));
    m.set(cell.monthsSinceFirst, cell);
  }
  return [...byCohort.keys()]
    .sort((a, b) => a - b)
    .map((c) => {
      const m = byCohort.get(c)!;
      const size = m.get(0)?.activeCustomers ?? 0;
      const months: CohortMonth[] = [];
      let cumulative = 0;
      for (let k = 0; k <= asOfMonth - c; k++) {
        const active = m.get(k)?.activeCustomers ?? 0;
        const revenue = m.get(k)?.revenue ?? 0;
        cumulative += revenue;
        months.push({
          monthsSinceFirst: k,
          month: monthLabel(c + k),
          activeCustomers: active,
          retentionRate: size ? (active / size) * 100 : 0,
          revenue: rounded(revenue, 4)!,
          revenuePerCustomer: size ? rounded(revenue / size, 4)! : 0,
          cumulativeRevenuePerCustomer: size ? rounded(cumulative / size, 4)! : 0,
          partial: c + k === asOfMonth,
        });
      }
      return { cohort: monthLabel(c), customers: size, months };
    });
}

// ---------------------------------------------------------------------------------------
// The analysis

class Stopwatch {
  private last = performance.now();
  private readonly start = this.last;
  readonly laps: Record<string, number> = {};
  /** Resident memory (MiB) at the end of each stage. */
  readonly rssMb: Record<string, number> = {};
  lap(name: string) {
    const t = performance.now();
    this.laps[name] = Math.round(t - this.last);
    this.last = t;
    this.rssMb[name] = Math.round(process.memoryUsage().rss / 1048576);
  }
  total() {
    return Math.round(performance.now() - this.start);
  }
}

interface Predictions {
  pAlive: Float64Array;
  expected: Float64Array;
  clv: (number | null)[];
  averageValue: (number | null)[];
  nextOrderAt: (Date | null)[];
}

function predict(
  agg: readonly CustomerAggregate[],
  today: number,
  now: Date,
): { bg: BgNbdFit | null; gg: GammaGammaFit | null; confidence: ConfidenceReport | null; notes: string[]; predictions: Predictions | null; fitMs: number } {
  const n = agg.length;
  const notes: string[] = [];
  if (n === 0) return { bg: null, gg: null, confidence: null, notes: ["No customers with orders yet."], predictions: null, fitMs: 0 };
  const pd = MODEL_SETTINGS.periodDays;
  const x = new Float64Array(n);
  const tx = new Float64Array(n);
  const T = new Float64Array(n);
  const spend: { x: number; monetaryValue: number | null }[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const c = agg[i];
    x[i] = c.purchaseDays - 1;
    tx[i] = (c.lastDay - c.firstDay) / pd;
    T[i] = Math.max(today - c.firstDay, c.lastDay - c.firstDay) / pd;
    spend[i] = { x: x[i], monetaryValue: x[i] > 0 ? c.repeatNetRevenue / x[i] : null };
  }
  const t0 = performance.now();
  const grouped = groupRftArrays(x, tx, T);
  let bg: BgNbdFit | null = null;
  try {
    bg = fitBgNbd(grouped);
  } catch (error) {
    notes.push(`The purchase model could not be fitted: ${(error as Error).message}`);
  }
  let gg: GammaGammaFit | null = null;
  try {
    gg = fitGammaGamma(spend);
  } catch (error) {
    notes.push(`The spend model could not be fitted: ${(error as Error).message}`);
  }
  const fitMs = Math.round(performance.now() - t0);
  if (!bg) return { bg, gg, confidence: null, notes, predictions: null, fitMs };
  const confidence = assessConfidence(bg, gg ?? undefined);
  // Predictions depend only on (x, t_x, T): computed once per group.
  const G = grouped.x.length;
  const gAlive = new Float64Array(G);
  const gExp = new Float64Array(G);
  const gDisc = new Float64Array(G);
  const gNext = new Float64Array(G);
  const opts = { horizon: MODEL_SETTINGS.horizonPeriods, periodDays: pd, annualDiscountRate: MODEL_SETTINGS.annualDiscountRate };
  for (let g = 0; g < G; g++) {
    const c = { x: grouped.x[g], tx: grouped.tx[g], T: grouped.T[g] };
    gAlive[g] = probabilityAlive(bg.params, c.x, c.tx, c.T);
    const d = discountedExpectedPurchases(bg.params, c, opts);
    gExp[g] = d.expectedPurchases;
    gDisc[g] = d.discountedPurchases;
    gNext[g] = expectedNextOrderPeriods(bg.params, c.x, c.tx, c.T, { maxPeriods: MODEL_SETTINGS.nextOrderMaxDays / pd }) ?? NaN;
  }
  const predictions: Predictions = {
    pAlive: new Float64Array(n),
    expected: new Float64Array(n),
    clv: new Array(n),
    averageValue: new Array(n),
    nextOrderAt: new Array(n),
  };
  for (let i = 0; i < n; i++) {
    const g = grouped.groupOf[i];
    predictions.pAlive[i] = gAlive[g];
    predictions.expected[i] = gExp[g];
    const avg = gg ? expectedAverageValue(gg.params, x[i], spend[i].monetaryValue) : null;
    predictions.averageValue[i] = avg;
    predictions.clv[i] = avg === null ? null : avg * gDisc[g];
    predictions.nextOrderAt[i] = Number.isNaN(gNext[g]) ? null : new Date(now.getTime() + gNext[g] * pd * DAY_MS);
  }
  return { bg, gg, confidence, notes, predictions, fitMs };
}

/**
 * Recomputes a shop's analytics as of `options.now` and stores them: CustomerMetrics are
 * replaced, the day's snapshots (local date of `now`) are replaced, so running twice on the
 * same day leaves one set.
 */
export async function analyzeShop(prisma: PrismaClient, shop: string, options: AnalyzeOptions): Promise<AnalysisSummary> {
  const now = options.now;
  const rules = options.rules ?? DEFAULT_SEGMENT_RULES;
  const watch = new Stopwatch();
  const shopRow = await prisma.shop.findUnique({ where: { domain: shop }, select: { currency: true, ianaTimezone: true } });
  if (!shopRow) throw new UnknownShopError(shop);
  const timeZone = shopRow.ianaTimezone || "UTC";
  const currency = shopRow.currency;
  const exponent = currencyExponent(currency);
  const cal = zonedCalendar(timeZone);
  const today = cal.dayNumber(now.getTime());
  const date = ymd(today);

  // Windows: per range kind, the current period, the previous one and the one before (the
  // previous period's retention needs it).
  const ranges = RANGE_KINDS.map((kind) => {
    const current = currentRange(kind, today, timeZone);
    const previous = previousRange(current);
    return { kind, current, previous, beforePrevious: previousRange(previous) };
  });
  const windows: Window[] = ranges.flatMap((r) => [r.current, r.previous, r.beforePrevious]);
  const currentMonth = cal.monthNumber(now.getTime());
  watch.lap("load");

  const [{ customers: agg, cohorts: cells }, guests, checkouts, spend] = await prisma.$transaction(
    async (tx) => {
      await useWorkMem(tx);
      const a = await aggregateCustomers(tx, shop, {
        timeZone,
        now,
        windows,
        cohortFromMonth: currentMonth - (COHORT_MONTHS - 1),
        // The period before the previous one only serves the previous period's retention.
        countOnly: windows.map((_, i) => i % 3 === 2),
      });
      const g = await guestTotals(tx, shop, { timeZone, now, windows });
      const k = await checkoutCounts(tx, shop, { cutoff: new Date(now.getTime() - CHECKOUT_SETTLE_MS), windows });
      const s = await monthlyMarketingSpend(tx, shop);
      return [a, g, k, s] as const;
    },
    { timeout: 600_000, maxWait: 60_000 },
  );
  watch.lap("aggregate");

  // RFM: recency in calendar days of the shop's zone (day-aligned instants make
  // scoreRfm's whole-day difference a calendar-day difference).
  const scored = scoreRfm(
    agg.map((c) => ({ customerId: String(c.customerId), lastOrderAt: new Date(c.lastDay * DAY_MS), orders: c.orders, revenue: Number(c.netRevenue) })),
    new Date(today * DAY_MS),
    rules,
  );
  watch.lap("rfm");

  const model = predict(agg, today, now);
  watch.laps.fit = model.fitMs;
  watch.lap("predict");
  watch.laps.predict -= model.fitMs;
  const lowConfidence = model.confidence ? model.confidence.lowConfidence : true;
  const confidenceNotes = [...model.notes, ...(model.confidence?.reasons ?? [])];
  const preds = model.predictions;

  // KPIs of each range kind: current and previous period.
  let lifetimeNet = 0;
  for (const c of agg) lifetimeNet += Number(c.netRevenue);
  const clvValues = preds ? preds.clv : null;
  const kpiSummaries: KpiRangeSummary[] = ranges.map((r, k) => {
    const periodKpis = (p: 0 | 1): StoredKpis => {
      const w = 3 * k + p;
      const range = p === 0 ? r.current : r.previous;
      const customers = [];
      const prior: string[] = [];
      const secondOrders = [];
      let lifetimeCustomers = 0;
      let lifetimeRevenue = 0;
      for (const c of agg) {
        if (c.windowOrders[w] > 0) customers.push({ customerId: String(c.customerId), orders: c.windowOrders[w], netRevenue: c.windowRevenue[w], firstOrderAt: c.firstOrderAt });
        if (c.windowOrders[w + 1] > 0) prior.push(String(c.customerId));
        if (c.secondOrderAt && c.secondOrderAt >= range.from && c.secondOrderAt < range.to) {
          secondOrders.push({ firstOrderAt: c.firstOrderAt, secondOrderAt: c.secondOrderAt });
        }
        if (p === 1 && c.firstOrderAt < range.to) {
          lifetimeCustomers++;
          // Everything after the previous period lies in the current one.
          lifetimeRevenue += Number(c.netRevenue) - c.windowRevenue[3 * k];
        }
      }
      const marketingSpend = marketingSpendForRange(spend, range, timeZone);
      const kpis = computePeriodKpis({
        range,
        timeZone,
        customers,
        priorPeriodCustomerIds: prior,
        lifetime: p === 0 ? { customers: agg.length, netRevenue: lifetimeNet } : { customers: lifetimeCustomers, netRevenue: lifetimeRevenue },
        predictions: p === 0 && preds && clvValues ? { pAlive: preds.pAlive, clv12m: clvValues } : undefined,
        secondOrders,
        checkouts: checkouts[w],
        marketingSpend,
        // No survey answers are stored yet: NPS stays empty.
        nps: undefined,
      });
      // Guests: their orders count in revenue, orders and AOV, never as customers.
      const guest = guests[w];
      const netRevenue = kpis.netRevenue + guest.netRevenue;
      const orders = kpis.orders + guest.orders;
      return {
        ...kpis,
        netRevenue,
        orders,
        averageOrderValue: ratio(netRevenue, orders),
        guestOrders: guest.orders,
        guestNetRevenue: guest.netRevenue,
        marketingSpend,
      };
    };
    return {
      rangeKind: r.kind,
      from: ymd(cal.dayNumber(r.current.from.getTime())),
      to: ymd(cal.dayNumber(r.current.to.getTime() - 1)),
      current: periodKpis(0),
      previous: periodKpis(1),
    };
  });
  watch.lap("kpis");

  const cohorts = buildCohortsFromCells(cells, currentMonth);
  watch.lap("cohorts");

  // Segment totals with exact money.
  const segmentOrder = [...rules.map((r) => r.key), OTHERS_KEY];
  const segTotals = new Map<string, { customers: number; orders: number; revenue: number }>(segmentOrder.map((s) => [s, { customers: 0, orders: 0, revenue: 0 }]));
  for (let i = 0; i < scored.length; i++) {
    const t = segTotals.get(scored[i].segment)!;
    t.customers++;
    t.orders += scored[i].frequency;
    t.revenue += toScaled(agg[i].netRevenue);
  }

  const modelSummary: ModelSummary = {
    period: MODEL_SETTINGS.period,
    horizonPeriods: MODEL_SETTINGS.horizonPeriods,
    annualDiscountRate: MODEL_SETTINGS.annualDiscountRate,
    bgnbd: model.bg
      ? { ...model.bg.params, logLikelihood: model.bg.logLikelihood, standardErrors: model.bg.standardErrors, converged: model.bg.converged, iterations: model.bg.iterations }
      : null,
    gammaGamma: model.gg
      ? { ...model.gg.params, logLikelihood: model.gg.logLikelihood, standardErrors: model.gg.standardErrors, converged: model.gg.converged, customers: model.gg.customers }
      : null,
  };

  const startOfToday = startOfDay(today, timeZone);
  const movementCounts = new Map<string, { from: string | null; to: string; customers: number }>();
  const movedIn = new Map<string, Record<string, number>>();
  await prisma.$transaction(
    async (tx) => {
      const stored = await storedSegments(tx, shop);
      const rows: CustomerMetricsRow[] = new Array(agg.length);
      for (let i = 0; i < agg.length; i++) {
        const c = agg[i];
        const s = scored[i];
        const old = stored.get(c.customerId);
        let previousSegment: string | null;
        let segmentChangedAt: Date;
        if (old && old.segment === s.segment) {
          previousSegment = old.previousSegment;
          segmentChangedAt = old.segmentChangedAt;
        } else {
          previousSegment = old ? old.segment : null;
          segmentChangedAt = now;
          const key = `${previousSegment ?? ""}→${s.segment}`;
          const m = movementCounts.get(key) ?? { from: previousSegment, to: s.segment, customers: 0 };
          m.customers++;
          movementCounts.set(key, m);
        }
        if (segmentChangedAt >= startOfToday) {
          const into = movedIn.get(s.segment) ?? {};
          const from = previousSegment ?? "new";
          into[from] = (into[from] ?? 0) + 1;
          movedIn.set(s.segment, into);
        }
        rows[i] = {
          customerId: c.customerId,
          shop,
          recencyDays: s.recencyDays,
          frequency: c.orders,
          purchaseDays: c.purchaseDays,
          monetary: c.netRevenue,
          currency,
          rScore: s.r,
          fScore: s.f,
          mScore: s.m,
          segment: s.segment,
          previousSegment,
          segmentChangedAt,
          pAlive: preds ? rounded(preds.pAlive[i], 9) : null,
          expectedPurchases12m: preds ? rounded(preds.expected[i], 9) : null,
          expectedOrderValue: preds ? money(preds.averageValue[i], exponent) : null,
          predictedClv12m: preds ? money(preds.clv[i], exponent) : null,
          expectedNextOrderAt: preds ? preds.nextOrderAt[i] : null,
          firstOrderAt: c.firstOrderAt,
          lastOrderAt: c.lastOrderAt,
          lowConfidence,
          computedAt: now,
        };
      }
      await replaceCustomerMetrics(tx, shop, rows);
      await replaceSnapshots(tx, shop, {
        date,
        segments: segmentOrder.map((segment) => {
          const t = segTotals.get(segment)!;
          return { shop, date, segment, customers: t.customers, orders: t.orders, revenue: fromScaled(t.revenue), currency, movedIn: movedIn.get(segment) ?? {}, computedAt: now };
        }),
        kpis: kpiSummaries.map((s, k) => ({
          shop,
          date,
          rangeKind: s.rangeKind,
          rangeFrom: ranges[k].current.from,
          rangeTo: ranges[k].current.to,
          currency,
          netRevenue: money(s.current.netRevenue, exponent),
          orders: s.current.orders,
          customers: s.current.customers,
          newCustomers: s.current.newCustomers,
          averageOrderValue: money(s.current.averageOrderValue, exponent),
          repeatPurchaseRate: s.current.repeatPurchaseRate,
          current: s.current,
          previous: s.previous,
          comparison: compareKpis(s.current, s.previous),
          computedAt: now,
        })),
        analysis: {
          shop,
          date,
          customers: agg.length,
          repeatCustomers: model.bg?.repeatCustomers ?? agg.filter((c) => c.purchaseDays > 1).length,
          lowConfidence,
          confidenceNotes,
          model: modelSummary,
          cohorts,
          timings: { ...watch.laps },
          computedAt: now,
        },
      });
    },
    { timeout: 600_000, maxWait: 60_000 },
  );
  watch.lap("write");

  const timings = { load: 0, aggregate: 0, rfm: 0, fit: 0, predict: 0, kpis: 0, cohorts: 0, write: 0, ...watch.laps, total: watch.total() };
  return {
    shop,
    date,
    computedAt: now.toISOString(),
    timeZone,
    currency,
    customers: agg.length,
    repeatCustomers: agg.filter((c) => c.purchaseDays > 1).length,
    timings,
    rssMb: watch.rssMb,
    segments: segmentOrder.map((segment) => {
      const t = segTotals.get(segment)!;
      return { segment, customers: t.customers, orders: t.orders, revenue: Number(fromScaled(t.revenue)).toFixed(exponent) };
    }),
    movements: [...movementCounts.values()].sort((a, b) => b.customers - a.customers),
    model: modelSummary,
    lowConfidence,
    confidenceNotes,
    kpis: kpiSummaries,
  };
}

// ---------------------------------------------------------------------------------------
// Scheduling: after sync activity (debounced per shop), nightly for every installed shop,
// and on demand. Runs are serialized: one analysis at a time per process (PGlite has a
// single connection, and a run is CPU-heavy).

export interface SchedulerOptions {
  prisma: PrismaClient;
  /** Hour (UTC) of the nightly run of every installed shop; default 3. */
  nightlyHourUtc?: number;
  /** Quiet time after the last sync activity before a shop is analysed; default 60 s. */
  debounceMs?: number;
  /** Longest delay under continuous activity; default 10 minutes. */
  maxWaitMs?: number;
  /** Clock (tests). */
  clock?: () => Date;
}

interface Scheduler {
  options: Required<Omit<SchedulerOptions, "prisma">> & { prisma: PrismaClient };
  debounced: Map<string, { timer: NodeJS.Timeout; firstAt: number }>;
  nightly: NodeJS.Timeout | null;
}

let scheduler: Scheduler | null = null;
/** Shops scheduled before the scheduler started; analysed once it starts. */
const early = new Set<string>();
const queued = new Set<string>();
let chain: Promise<unknown> = Promise.resolve();

function enqueue(shop: string): Promise<AnalysisSummary | null> {
  const s = scheduler;
  if (!s) return Promise.resolve(null);
  if (queued.has(shop)) return Promise.resolve(null); // already waiting: that run will see the new data
  queued.add(shop);
  const run = chain.then(async () => {
    queued.delete(shop);
    if (scheduler !== s) return null;
    try {
      const summary = await analyzeShop(s.options.prisma, shop, { now: s.options.clock() });
      logger.info({ shop, timings: summary.timings, customers: summary.customers, lowConfidence: summary.lowConfidence }, "analytics: shop analysed");
      return summary;
    } catch (error) {
      logger.error({ shop, err: error }, "analytics: analysis failed");
      return null;
    }
  });
  chain = run;
  return run;
}

/** Sync activity for a shop: analyse it once activity has been quiet for a while. */
export function scheduleAnalysis(shop: string): void {
  const s = scheduler;
  if (!s) {
    early.add(shop);
    return;
  }
  const nowMs = Date.now();
  const entry = s.debounced.get(shop);
  const firstAt = entry?.firstAt ?? nowMs;
  if (entry) clearTimeout(entry.timer);
  const delay = Math.max(0, Math.min(s.options.debounceMs, firstAt + s.options.maxWaitMs - nowMs));
  const timer = setTimeout(() => {
    s.debounced.delete(shop);
    void enqueue(shop);
  }, delay);
  timer.unref?.();
  s.debounced.set(shop, { timer, firstAt });
}

/** On demand (e.g. a "recompute now" button): queued behind a running analysis. */
export function requestAnalysis(shop: string): Promise<AnalysisSummary | null> {
  const entry = scheduler?.debounced.get(shop);
  if (entry) {
    clearTimeout(entry.timer);
    scheduler!.debounced.delete(shop);
  }
  return enqueue(shop);
}

function msUntilNextHourUtc(hour: number, now: Date): number {
  const next = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate(), hour));
  if (next.getTime() <= now.getTime()) next.setUTCDate(next.getUTCDate() + 1);
  return next.getTime() - now.getTime();
}

function armNightly(s: Scheduler) {
  const delay = msUntilNextHourUtc(s.options.nightlyHourUtc, s.options.clock());
  s.nightly = setTimeout(async () => {
    try {
      const shops = await s.options.prisma.shop.findMany({ where: { uninstalledAt: null }, select: { domain: true }, orderBy: { domain: "asc" } });
      for (const { domain } of shops) void enqueue(domain);
    } catch (error) {
      logger.error({ err: error }, "analytics: nightly run could not list shops");
    }
    if (scheduler === s) armNightly(s);
  }, delay);
  s.nightly.unref?.();
}

export function startAnalyticsScheduler(options: SchedulerOptions): void {
  if (scheduler) return;
  const nightlyHourUtc = options.nightlyHourUtc ?? 3;
  if (!Number.isInteger(nightlyHourUtc) || nightlyHourUtc < 0 || nightlyHourUtc > 23) {
    throw new RangeError(`nightlyHourUtc must be a whole hour from 0 to 23 (got ${nightlyHourUtc}).`);
  }
  scheduler = {
    options: {
      prisma: options.prisma,
      nightlyHourUtc,
      debounceMs: options.debounceMs ?? 60_000,
      maxWaitMs: options.maxWaitMs ?? 600_000,
      clock: options.clock ?? (() => new Date()),
    },
    debounced: new Map(),
    nightly: null,
  };
  armNightly(scheduler);
  for (const shop of early) scheduleAnalysis(shop);
  early.clear();
}

/** Stops the timers and waits for a running analysis to finish. */
export async function stopAnalyticsScheduler(): Promise<void> {
  const s = scheduler;
  if (!s) return;
  scheduler = null;
  for (const { timer } of s.debounced.values()) clearTimeout(timer);
  s.debounced.clear();
  if (s.nightly) clearTimeout(s.nightly);
  queued.clear();
  early.clear();
  await chain.catch(() => undefined);
}

// ---------------------------------------------------------------------------------------
// Reads for the admin pages.

/** The latest KPIs (one entry per range kind, current and previous), models and cohorts. */
export async function getLatestKpis(shop: string) {
  const latest = await latestKpiSnapshots(shop);
  if (!latest) return null;
  const { analysis, kpis } = latest;
  return {
    date: analysis.date.toISOString().slice(0, 10),
    computedAt: analysis.computedAt.toISOString(),
    lowConfidence: analysis.lowConfidence,
    confidenceNotes: analysis.confidenceNotes,
    model: analysis.model as unknown as ModelSummary,
    cohorts: analysis.cohorts as unknown as ReturnType<typeof buildCohortsFromCells>,
    ranges: kpis.map((k) => ({
      rangeKind: k.rangeKind as RangeKind,
      from: k.rangeFrom.toISOString(),
      to: k.rangeTo.toISOString(),
      currency: k.currency,
      current: k.current as unknown as StoredKpis,
      previous: k.previous as unknown as StoredKpis,
      comparison: k.comparison as unknown as ReturnType<typeof compareKpis>,
    })),
  };
}

/**
 * Segments for the segments page: the latest day's totals, the trend over the last `days`
 * analysed days, and where the customers who changed segment in that time came from.
 */
export async function getSegmentSummary(shop: string, opts: { days?: number } = {}) {
  const days = opts.days ?? 90;
  const latest = await latestKpiSnapshots(shop);
  if (!latest) return null;
  const since = new Date(latest.analysis.date.getTime() - (days - 1) * DAY_MS);
  const snapshots = await segmentSnapshotsSince(shop, since);
  const latestDate = latest.analysis.date.getTime();
  const toRow = (s: (typeof snapshots)[number]) => ({
    segment: s.segment,
    customers: s.customers,
    orders: s.orders,
    revenue: s.revenue.toFixed(2),
    currency: s.currency,
    movedIn: s.movedIn as Record<string, number>,
  });
  return {
    date: latest.analysis.date.toISOString().slice(0, 10),
    segments: snapshots.filter((s) => s.date.getTime() === latestDate).map(toRow),
    trend: snapshots.map((s) => ({ date: s.date.toISOString().slice(0, 10), ...toRow(s) })),
    transitions: await segmentTransitions(shop, since),
  };
}

export interface ListCustomerMetricsOptions {
  segment?: string;
  limit: number;
  offset: number;
  orderBy: CustomerMetricsOrder;
  direction?: "asc" | "desc";
}

/** A page of customer metrics (with the customer's Shopify id), and the total matching. */
export async function listCustomerMetrics(shop: string, opts: ListCustomerMetricsOptions) {
  const limit = Math.min(Math.max(1, Math.floor(opts.limit)), 500);
  const offset = Math.max(0, Math.floor(opts.offset));
  const { total, rows } = await findCustomerMetrics(shop, { ...opts, limit, offset, direction: opts.direction ?? "desc" });
  return {
    total,
    rows: rows.map(({ customer, ...m }) => ({
      ...m,
      shopifyCustomerId: customer.shopifyId,
      monetary: m.monetary.toFixed(),
      expectedOrderValue: m.expectedOrderValue?.toFixed() ?? null,
      predictedClv12m: m.predictedClv12m?.toFixed() ?? null,
    })),
  };
}
