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
  bgNbdDegeneracy,
  bgNbdPredictionProblem,
  discountedExpectedPurchases,
  expectedAverageValue,
  expectedNextOrderPeriods,
  fitBgNbd,
  fitGammaGamma,
  gammaGammaDegeneracy,
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
import { civilFromDays, daysFromCivil, monthLabel, startOfLocalDay, zonedCalendar, zonedTimeToInstant } from "~/domain/time";
import { logger } from "~/lib/logger.server";
import {
  aggregateCustomers,
  scaledToDecimal,
  NET_SCALE,
  checkoutCounts,
  findCustomerMetrics,
  guestTotals,
  latestKpiSnapshots,
  monthlyMarketingSpend,
  deleteStaleCustomerMetrics,
  writeCustomerMetricsBatch,
  useFastCommit,
  replaceSnapshots,
  segmentSnapshotsSince,
  segmentTransitions,
  useWorkMem,
  type CohortCell,
  type CustomerColumns,
  type CustomerMetricsOrder,
  type CustomerMetricsBatch,
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

/** CustomerMetrics rows per write statement. */
const METRICS_BATCH = 20_000;

export const RANGE_KINDS = ["last_30_days", "last_90_days", "last_12_months"] as const;
export type RangeKind = (typeof RANGE_KINDS)[number];

export interface AnalyzeOptions {
  /** The analysis instant: orders after it are ignored; "today" is its day in the shop's zone. */
  now: Date;
  /** Segment rule table (default: DEFAULT_SEGMENT_RULES). */
  rules?: readonly SegmentRule[];
}

export interface KpiRangeSummary {
  /** A stored range kind, or "custom" for kpisForRange. */
  rangeKind: RangeKind | "custom";
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
  /** degenerate: the fit is reported but its predictions are not stored (docs/metrics.md). */
  bgnbd: (BgNbdFit["params"] & { logLikelihood: number; standardErrors: BgNbdFit["standardErrors"]; converged: boolean; iterations: number; degenerate: boolean }) | null;
  gammaGamma: (GammaGammaFit["params"] & { logLikelihood: number; standardErrors: GammaGammaFit["standardErrors"]; converged: boolean; customers: number; degenerate: boolean }) | null;
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

function fromScaled(units: number): string {
  const sign = units < 0 ? "-" : "";
  const abs = Math.abs(units);
  const int = Math.floor(abs / 10 ** SCALE);
  const frac = String(abs - int * 10 ** SCALE).padStart(SCALE, "0");
  return `${sign}${int}.${frac}`;
}

/** Largest magnitude a Decimal(19, 4) column holds (15 integer digits). */
const STORABLE_MONEY = 1e15;

/**
 * A float amount rounded to the currency's minor unit, as a decimal string. Null when not a
 * finite number or beyond what Decimal(19, 4) holds (predictions are checked before this:
 * this only keeps a write from ever failing with "numeric field overflow").
 */
function money(value: number | null, exponent: number): string | null {
  if (value === null || !Number.isFinite(value) || Math.abs(value) >= STORABLE_MONEY) return null;
  const minor = toMinorUnits(value, exponent);
  return (minor / 10 ** exponent).toFixed(exponent);
}

/** The same counts with keys in a fixed order (stored JSON does not depend on batch order). */
function sortedKeys(counts: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(counts).sort(([a], [b]) => a.localeCompare(b)));
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
  /** NaN where the purchase model is missing or degenerate (stored as null). */
  pAlive: Float64Array;
  expected: Float64Array;
  clv: (number | null)[];
  averageValue: (number | null)[];
  nextOrderAt: (Date | null)[];
}

interface ModelResult {
  bg: BgNbdFit | null;
  gg: GammaGammaFit | null;
  /** The fit exists but its predictions are not used (docs/metrics.md, "How much data is enough"). */
  bgDegenerate: boolean;
  ggDegenerate: boolean;
  confidence: ConfidenceReport | null;
  lowConfidence: boolean;
  notes: string[];
  predictions: Predictions | null;
  fitMs: number;
}

/**
 * Fits BG/NBD and Gamma-Gamma on whatever data exists and predicts per customer. A fit that
 * fails is noted; a degenerate one (clv.ts bgNbdDegeneracy, bgNbdPredictionProblem,
 * gammaGammaDegeneracy) is kept in the summary with its standard errors but its predictions
 * are left empty; either way the analysis is flagged low-confidence, with the reason.
 */
function predict(agg: CustomerColumns, today: number, now: Date): ModelResult {
  const n = agg.count;
  const notes: string[] = [];
  if (n === 0) {
    return { bg: null, gg: null, bgDegenerate: false, ggDegenerate: false, confidence: null, lowConfidence: true, notes: ["No customers with orders yet."], predictions: null, fitMs: 0 };
  }
  const pd = MODEL_SETTINGS.periodDays;
  const x = new Float64Array(n);
  const tx = new Float64Array(n);
  const T = new Float64Array(n);
  const spend: { x: number; monetaryValue: number | null }[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const firstDay = agg.firstDay[i];
    const lastDay = agg.lastDay[i];
    x[i] = agg.purchaseDays[i] - 1;
    tx[i] = (lastDay - firstDay) / pd;
    T[i] = Math.max(today - firstDay, lastDay - firstDay) / pd;
    spend[i] = { x: x[i], monetaryValue: x[i] > 0 ? agg.repeatNetRevenue[i] / x[i] : null };
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
  const confidence = bg ? assessConfidence(bg, gg ?? undefined) : null;

  // Predictions depend only on (x, t_x, T): computed once per group, and checked against the
  // model's bounds (the first violation makes the whole fit degenerate).
  const G = grouped.x.length;
  const gAlive = new Float64Array(G).fill(NaN);
  const gExp = new Float64Array(G).fill(NaN);
  const gDisc = new Float64Array(G).fill(NaN);
  const gNext = new Float64Array(G).fill(NaN);
  const opts = { horizon: MODEL_SETTINGS.horizonPeriods, periodDays: pd, annualDiscountRate: MODEL_SETTINGS.annualDiscountRate };
  const bgProblems = bg ? bgNbdDegeneracy(bg, grouped) : [];
  if (bg && !bgProblems.length) {
    for (let g = 0; g < G; g++) {
      const c = { x: grouped.x[g], tx: grouped.tx[g], T: grouped.T[g] };
      const pAlive = probabilityAlive(bg.params, c.x, c.tx, c.T);
      const d = discountedExpectedPurchases(bg.params, c, opts);
      const problem = bgNbdPredictionProblem(bg.params, c, opts, { pAlive, ...d });
      if (problem) {
        bgProblems.push(problem);
        break;
      }
      gAlive[g] = pAlive;
      gExp[g] = d.expectedPurchases;
      gDisc[g] = d.discountedPurchases;
      gNext[g] = expectedNextOrderPeriods(bg.params, c.x, c.tx, c.T, { maxPeriods: MODEL_SETTINGS.nextOrderMaxDays / pd }) ?? NaN;
    }
  }
  const bgDegenerate = bg !== null && bgProblems.length > 0;
  if (bgDegenerate) {
    gAlive.fill(NaN);
    gExp.fill(NaN);
    gDisc.fill(NaN);
    gNext.fill(NaN);
    notes.push(`The purchase model is degenerate (${bgProblems.join("; ")}): its predictions are not stored.`);
  }
  const ggProblems = gg ? gammaGammaDegeneracy(gg, spend) : [];
  const ggDegenerate = gg !== null && ggProblems.length > 0;
  if (ggDegenerate) notes.push(`The spend model is degenerate (${ggProblems.join("; ")}): its average values are not stored.`);
  const ggParams = gg && !ggDegenerate ? gg.params : null;

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
    let avg = ggParams ? expectedAverageValue(ggParams, x[i], spend[i].monetaryValue) : null;
    if (avg !== null && !Number.isFinite(avg)) avg = null;
    predictions.averageValue[i] = avg;
    const clv = avg === null || Number.isNaN(gDisc[g]) ? null : avg * gDisc[g];
    predictions.clv[i] = clv !== null && Number.isFinite(clv) ? clv : null;
    predictions.nextOrderAt[i] = Number.isNaN(gNext[g]) ? null : new Date(now.getTime() + gNext[g] * pd * DAY_MS);
  }
  const lowConfidence = !confidence || confidence.lowConfidence || bgDegenerate || ggDegenerate;
  return { bg, gg, bgDegenerate, ggDegenerate, confidence, lowConfidence, notes, predictions, fitMs };
}

/**
 * Recomputes a shop's analytics as of `options.now` and stores them: CustomerMetrics are
 * replaced, the day's snapshots (local date of `now`) are replaced, so running twice on the
 * same day leaves one set.
 */
/** Everything the analysis reads from the database, in one read transaction. */
function loadAggregates(
  prisma: PrismaClient,
  shop: string,
  options: { timeZone: string; now: Date; windows: Window[]; cohortFromMonth: number; countOnly: boolean[] },
) {
  const { timeZone, now, windows } = options;
  return prisma.$transaction(
    async (tx) => {
      await useWorkMem(tx);
      const a = await aggregateCustomers(tx, shop, options);
      const g = await guestTotals(tx, shop, { timeZone, now, windows });
      const k = await checkoutCounts(tx, shop, { cutoff: new Date(now.getTime() - CHECKOUT_SETTLE_MS), windows });
      const s = await monthlyMarketingSpend(tx, shop);
      return [a, g, k, s] as const;
    },
    { timeout: 600_000, maxWait: 60_000 },
  );
}

/** What the KPIs of a window triple (current, previous, the one before) are computed from. */
interface KpiInputs {
  agg: CustomerColumns;
  guests: Awaited<ReturnType<typeof guestTotals>>;
  checkouts: Awaited<ReturnType<typeof checkoutCounts>>;
  spend: Awaited<ReturnType<typeof monthlyMarketingSpend>>;
  timeZone: string;
  lifetimeNet: number;
  predictions?: { pAlive: ArrayLike<number>; clv12m: ArrayLike<number | null> };
}

/**
 * KPIs of the k-th window triple: p = 0 the current period, p = 1 the previous one (windows
 * 3k, 3k+1, 3k+2 of the aggregate; the third only serves the previous period's retention).
 */
function periodKpisOf(inputs: KpiInputs, k: number, p: 0 | 1, range: DateRange): StoredKpis {
  const { agg, guests, checkouts, spend, timeZone, lifetimeNet, predictions } = inputs;
  const w = 3 * k + p;
  const customers = [];
  const prior: string[] = [];
  const secondOrders = [];
  let lifetimeCustomers = 0;
  let lifetimeRevenue = 0;
  const from = range.from.getTime();
  const to = range.to.getTime();
  const wOrders = agg.windowOrders[w];
  const wRevenue = agg.windowRevenue[w];
  const priorOrders = agg.windowOrders[w + 1];
  const currentRevenue = agg.windowRevenue[3 * k];
  for (let i = 0; i < agg.count; i++) {
    const firstAt = agg.firstOrderAt[i];
    if (wOrders[i] > 0) customers.push({ customerId: String(agg.customerId[i]), orders: wOrders[i], netRevenue: wRevenue[i], firstOrderAt: new Date(firstAt) });
    if (priorOrders[i] > 0) prior.push(String(agg.customerId[i]));
    const second = agg.secondOrderAt[i];
    if (second >= from && second < to) secondOrders.push({ firstOrderAt: new Date(firstAt), secondOrderAt: new Date(second) }); // NaN: no second order
    if (p === 1 && firstAt < to) {
      lifetimeCustomers++;
      // Everything after the previous period lies in the current one.
      lifetimeRevenue += agg.netScaled[i] / NET_SCALE - currentRevenue[i];
    }
  }
  const marketingSpend = marketingSpendForRange(spend, range, timeZone);
  const kpis = computePeriodKpis({
    range,
    timeZone,
    customers,
    priorPeriodCustomerIds: prior,
    lifetime: p === 0 ? { customers: agg.count, netRevenue: lifetimeNet } : { customers: lifetimeCustomers, netRevenue: lifetimeRevenue },
    predictions: p === 0 ? predictions : undefined,
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
}

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

  const [{ customers: agg, cohorts: cells }, guests, checkouts, spend] = await loadAggregates(prisma, shop, {
    timeZone,
    now,
    windows,
    cohortFromMonth: currentMonth - (COHORT_MONTHS - 1),
    // The period before the previous one only serves the previous period's retention.
    countOnly: windows.map((_, i) => i % 3 === 2),
  });
  watch.lap("aggregate");

  // RFM: recency in calendar days of the shop's zone (day-aligned instants make
  // scoreRfm's whole-day difference a calendar-day difference).
  const scored = scoreRfm(
    Array.from({ length: agg.count }, (_, i) => ({
      customerId: String(agg.customerId[i]),
      lastOrderAt: new Date(agg.lastDay[i] * DAY_MS),
      orders: agg.orders[i],
      revenue: agg.netScaled[i] / NET_SCALE,
    })),
    new Date(today * DAY_MS),
    rules,
  );
  watch.lap("rfm");

  const model = predict(agg, today, now);
  watch.laps.fit = model.fitMs;
  watch.lap("predict");
  watch.laps.predict -= model.fitMs;
  const lowConfidence = model.lowConfidence;
  const confidenceNotes = [...model.notes, ...(model.confidence?.reasons ?? [])];
  const preds = model.predictions;

  // KPIs of each range kind: current and previous period.
  let lifetimeNet = 0;
  for (let i = 0; i < agg.count; i++) lifetimeNet += agg.netScaled[i] / NET_SCALE;
  const clvValues = preds ? preds.clv : null;
  const inputs: KpiInputs = { agg, guests, checkouts, spend, timeZone, lifetimeNet, predictions: preds && clvValues ? { pAlive: preds.pAlive, clv12m: clvValues } : undefined };
  const kpiSummaries: KpiRangeSummary[] = ranges.map((r, k) => {
    const periodKpis = (p: 0 | 1): StoredKpis => periodKpisOf(inputs, k, p, p === 0 ? r.current : r.previous);
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
    t.revenue += agg.netScaled[i];
  }

  const modelSummary: ModelSummary = {
    period: MODEL_SETTINGS.period,
    horizonPeriods: MODEL_SETTINGS.horizonPeriods,
    annualDiscountRate: MODEL_SETTINGS.annualDiscountRate,
    bgnbd: model.bg
      ? {
          ...model.bg.params,
          logLikelihood: model.bg.logLikelihood,
          standardErrors: model.bg.standardErrors,
          converged: model.bg.converged,
          iterations: model.bg.iterations,
          degenerate: model.bgDegenerate,
        }
      : null,
    gammaGamma: model.gg
      ? {
          ...model.gg.params,
          logLikelihood: model.gg.logLikelihood,
          standardErrors: model.gg.standardErrors,
          converged: model.gg.converged,
          customers: model.gg.customers,
          degenerate: model.ggDegenerate,
        }
      : null,
  };

  let repeatCustomers = 0;
  for (let i = 0; i < agg.count; i++) if (agg.purchaseDays[i] > 1) repeatCustomers++;
  const startOfToday = startOfDay(today, timeZone);
  const movementCounts = new Map<string, { from: string | null; to: string; customers: number }>();
  const movedIn = new Map<string, Record<string, number>>();
  await prisma.$transaction(
    async (tx) => {
      await useFastCommit(tx);
      await deleteStaleCustomerMetrics(tx, shop, agg.customerId);
      // Rows are built and sent batch by batch, one array per column: no 100,000 row objects,
      // no JSON, and segment movement is derived in SQL from the stored rows.
      const run = { currency, lowConfidence, computedAt: now, startOfToday, segmentNames: segmentOrder };
      const segmentIndex = new Map(segmentOrder.map((key, i) => [key, i]));
      for (let from = 0; from < agg.count; from += METRICS_BATCH) {
        const to = Math.min(agg.count, from + METRICS_BATCH);
        const b: CustomerMetricsBatch = {
          customerId: [], recencyDays: [], frequency: [], purchaseDays: [], monetary: [], rScore: [], fScore: [], mScore: [], segment: [],
          pAlive: [], expectedPurchases12m: [], expectedOrderValue: [], predictedClv12m: [], expectedNextOrderAt: [], firstOrderAt: [], lastOrderAt: [],
        };
        for (let i = from; i < to; i++) {
          const s = scored[i];
          b.customerId.push(agg.customerId[i]);
          b.recencyDays.push(s.recencyDays);
          b.frequency.push(agg.orders[i]);
          b.purchaseDays.push(agg.purchaseDays[i]);
          b.monetary.push(scaledToDecimal(agg.netScaled[i]));
          b.rScore.push(s.r);
          b.fScore.push(s.f);
          b.mScore.push(s.m);
          b.segment.push(segmentIndex.get(s.segment)!);
          b.pAlive.push(preds ? rounded(preds.pAlive[i], 9) : null);
          b.expectedPurchases12m.push(preds ? rounded(preds.expected[i], 9) : null);
          b.expectedOrderValue.push(preds ? money(preds.averageValue[i], exponent) : null);
          b.predictedClv12m.push(preds ? money(preds.clv[i], exponent) : null);
          b.expectedNextOrderAt.push(preds ? preds.nextOrderAt[i] : null);
          b.firstOrderAt.push(agg.firstOrderAt[i]);
          b.lastOrderAt.push(agg.lastOrderAt[i]);
        }
        for (const g of await writeCustomerMetricsBatch(tx, shop, run, b)) {
          if (g.moved) {
            const key = `${g.from ?? ""}→${g.to}`;
            const m = movementCounts.get(key) ?? { from: g.from, to: g.to, customers: 0 };
            m.customers += g.customers;
            movementCounts.set(key, m);
          }
          if (g.changedToday) {
            const into = movedIn.get(g.to) ?? {};
            const source = g.previousSegment ?? "new";
            into[source] = (into[source] ?? 0) + g.customers;
            movedIn.set(g.to, into);
          }
        }
      }
      await replaceSnapshots(tx, shop, {
        date,
        segments: segmentOrder.map((segment) => {
          const t = segTotals.get(segment)!;
          return { shop, date, segment, customers: t.customers, orders: t.orders, revenue: fromScaled(t.revenue), currency, movedIn: sortedKeys(movedIn.get(segment) ?? {}), computedAt: now };
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
          customers: agg.count,
          repeatCustomers,
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
    customers: agg.count,
    repeatCustomers,
    timings,
    rssMb: watch.rssMb,
    segments: segmentOrder.map((segment) => {
      const t = segTotals.get(segment)!;
      return { segment, customers: t.customers, orders: t.orders, revenue: Number(fromScaled(t.revenue)).toFixed(exponent) };
    }),
    // Most customers first; ties in a fixed order (batches come back in no particular order).
    movements: [...movementCounts.values()].sort(
      (a, b) => b.customers - a.customers || (a.from ?? "").localeCompare(b.from ?? "") || a.to.localeCompare(b.to),
    ),
    model: modelSummary,
    lowConfidence,
    confidenceNotes,
    kpis: kpiSummaries,
  };
}

/**
 * KPIs for any range of calendar days [from, to] in the shop's time zone, with the previous
 * period of the same length, computed on demand (nothing is stored). The aggregate ignores
 * orders after the end of `to`, so lifetime figures are as of then. Model-based figures
 * (predicted CLV, 1 − P(alive)) exist only for the stored ranges of the daily analysis.
 */
export async function kpisForRange(
  prisma: PrismaClient,
  shop: string,
  days: { from: string; to: string },
  clock = new Date(),
): Promise<KpiRangeSummary & { currency: string; timeZone: string }> {
  const shopRow = await prisma.shop.findUnique({ where: { domain: shop }, select: { currency: true, ianaTimezone: true } });
  if (!shopRow) throw new UnknownShopError(shop);
  const timeZone = shopRow.ianaTimezone || "UTC";
  const current: DateRange = { from: startOfLocalDay(days.from, timeZone), to: startOfLocalDay(nextDay(days.to), timeZone) };
  if (!(current.from.getTime() < current.to.getTime())) throw new RangeError(`The range must end on or after its first day (got ${days.from} to ${days.to}).`);
  const now = new Date(Math.min(current.to.getTime(), clock.getTime()));
  const previous = previousRange(current);
  const windows: Window[] = [current, previous, previousRange(previous)];
  const cal = zonedCalendar(timeZone);
  const [{ customers: agg }, guests, checkouts, spend] = await loadAggregates(prisma, shop, {
    timeZone,
    now,
    windows,
    cohortFromMonth: cal.monthNumber(now.getTime()),
    countOnly: [false, false, true],
  });
  let lifetimeNet = 0;
  for (let i = 0; i < agg.count; i++) lifetimeNet += agg.netScaled[i] / NET_SCALE;
  const inputs: KpiInputs = { agg, guests, checkouts, spend, timeZone, lifetimeNet };
  return {
    rangeKind: "custom",
    from: days.from,
    to: days.to,
    current: periodKpisOf(inputs, 0, 0, current),
    previous: periodKpisOf(inputs, 0, 1, previous),
    currency: shopRow.currency,
    timeZone,
  };
}

function nextDay(day: string): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
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
  /** Clock (tests): the analysis instant, the debounce and max-wait arithmetic, the nightly hour. */
  clock?: () => Date;
  /** Called when a queued analysis starts and when it ends (summary null: it failed). */
  onRunStart?: (shop: string) => void;
  onRunEnd?: (shop: string, summary: AnalysisSummary | null) => void;
}

interface Scheduler {
  options: Required<Omit<SchedulerOptions, "prisma" | "onRunStart" | "onRunEnd">> & Pick<SchedulerOptions, "prisma" | "onRunStart" | "onRunEnd">;
  debounced: Map<string, { timer: NodeJS.Timeout; firstAt: number }>;
  nightly: NodeJS.Timeout | null;
}

let scheduler: Scheduler | null = null;
/** Shops scheduled before the scheduler started; analysed once it starts. */
const early = new Set<string>();
const queued = new Set<string>();
let chain: Promise<unknown> = Promise.resolve();

/** A hook's error is logged, never allowed to break the queue. */
function hook(call: () => void) {
  try {
    call();
  } catch (error) {
    logger.error({ err: error }, "analytics: scheduler hook failed");
  }
}

function enqueue(shop: string): Promise<AnalysisSummary | null> {
  const s = scheduler;
  if (!s) return Promise.resolve(null);
  if (queued.has(shop)) return Promise.resolve(null); // already waiting: that run will see the new data
  queued.add(shop);
  const run = chain.then(async () => {
    queued.delete(shop);
    if (scheduler !== s) return null;
    hook(() => s.options.onRunStart?.(shop));
    let summary: AnalysisSummary | null = null;
    try {
      summary = await analyzeShop(s.options.prisma, shop, { now: s.options.clock() });
      logger.info({ shop, timings: summary.timings, customers: summary.customers, lowConfidence: summary.lowConfidence }, "analytics: shop analysed");
    } catch (error) {
      logger.error({ shop, err: error }, "analytics: analysis failed");
    }
    hook(() => s.options.onRunEnd?.(shop, summary));
    return summary;
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
  const nowMs = s.options.clock().getTime();
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
      onRunStart: options.onRunStart,
      onRunEnd: options.onRunEnd,
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
