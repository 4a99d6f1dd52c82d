// The analytics service: per shop, aggregate orders in SQL (models/analytics.server.ts), run the
// pure domain code (RFM, BG/NBD + Gamma-Gamma, KPIs, cohorts) and store the results
// (CustomerMetrics, SegmentSnapshot, KpiSnapshot, AnalysisSnapshot). Scheduled by
// jobs/analyticsScheduler.server.ts, run on demand by `rapport analyze`; the admin pages read
// the results through services/analyticsReads.server.ts.
//
// Definitions are those of docs/metrics.md. Choices specific to the stored analysis:
// - Orders: cancelled and test orders excluded, dated by processedAt, net = totalPrice −
//   totalRefunded, in the shop's currency; orders after the analysis instant `now` ignored.
// - Guests (no customer) count in net revenue, orders and AOV, never as customers (customer
//   counts, repeat rate, frequency, retention, CLV and CustomerMetrics are customers only).
// - "Today" is the local date of `now` in Shop.ianaTimezone. RFM recency = calendar days from
//   the last order's local day to today. KPI ranges end with today: last 30 / 90 days and
//   last 12 months (from the day after the same date a year ago); the previous period is the
//   same number of calendar days just before. These range rules are domain/ranges.ts.
// - BG/NBD in weeks, 12-month horizon = 52 weeks, 10 % annual discount (as `rapport clv`).
// - Cart abandonment: checkouts created in the range and at least 24 hours old at `now` (the
//   clock, whatever the range: domain checkoutCutoff), abandoned = still not completed
//   (younger checkouts may still complete, so they are not counted yet).
// - CAC from MarketingSpend (months prorated by days, domain marketingSpendForRange); NPS from
//   the survey answers given in the period (NpsResponse.createdAt, before `now`), null without.
// - Cohorts: first-order months of the last 24 months.
import type { PrismaClient } from "@prisma/client";
import { lifetimeNetRevenue, periodKpisOf, type KpiInputs, type StoredKpis } from "~/domain/analysisKpis";
import { buildCohortsFromCells } from "~/domain/cohorts";
import { checkoutCutoff, compareKpis } from "~/domain/kpis";
import { amountToDecimal, currencyExponent, fromScaled, moneyToDecimal, scaledToDecimal } from "~/domain/money";
import { frozenScoringOf } from "~/domain/incremental";
import { fitModels, modelSummaryOf, predictCustomers, type ModelSummary, type Predictions } from "~/domain/predictions";
import { comparisonRanges, daySpan, RANGE_KINDS, storedSpan, type RangeKind } from "~/domain/ranges";
import { DEFAULT_SEGMENT_RULES, OTHERS_KEY, scoreRfmColumns, type SegmentRule } from "~/domain/rfm";
import { segmentRulesOf } from "~/domain/shopSettings";
import { rounded } from "~/domain/stats";
import { dayLabel, startOfDayNumber, zonedCalendar } from "~/domain/time";
import { inTransaction, type Tx } from "~/lib/transaction.server";
import {
  aggregateCustomers,
  backtestAggregateOf,
  checkoutCounts,
  mergeAggregates,
  readsInParallel,
  reclaimRewrittenMetrics,
  guestTotals,
  monthlyMarketingSpend,
  deleteStaleCustomerMetrics,
  writeCustomerMetricsBatch,
  useFastCommit,
  replaceSnapshots,
  useWorkMem,
  type CustomerColumns,
  type CustomerMetricsBatch,
  type Window,
} from "~/models/analytics.server";
import { npsDistributions } from "~/models/nps.server";
import { findAnalyticsShop } from "~/models/analyticsShop.server";
import { UnknownShopError } from "~/services/dataHealth.server";
import { trainRecommendations } from "~/services/recommendations.server";
import { backtestCutoffDay, computeAnalysisExtras, seriesFirstDayOf } from "~/services/analysisExtras.server";
import { dailyOrderTotals, setShopTimeZone } from "~/models/analysisExtras.server";

export type { ModelSummary } from "~/domain/predictions";
export type { RangeKind } from "~/domain/ranges";
export type { StoredKpis } from "~/domain/analysisKpis";

/** Cohorts reported: first-order months within the last 24 months (current month included). */
export const COHORT_MONTHS = 24;

/** CustomerMetrics rows per write statement. */
const METRICS_BATCH = 20_000;

export interface AnalyzeOptions {
  /** The analysis instant: orders after it are ignored; "today" is its day in the shop's zone. */
  now: Date;
  /** Segment rule table (default: the shop's own, Shop.settings.segmentRules, else DEFAULT_SEGMENT_RULES). */
  rules?: readonly SegmentRule[];
  /** Called as each stage ends (load, aggregate, rfm, fit, predict, kpis, cohorts, write): progress for the settings page. */
  onStage?: (stage: string) => void;
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
  timings: Record<"load" | "aggregate" | "rfm" | "fit" | "predict" | "kpis" | "cohorts" | "extras" | "write" | "total", number>;
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

/** The same counts with keys in a fixed order (stored JSON does not depend on batch order). */
function sortedKeys(counts: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(counts).sort(([a], [b]) => a.localeCompare(b)));
}

// ---------------------------------------------------------------------------------------
// The analysis

class Stopwatch {
  private last = performance.now();
  private readonly start = this.last;
  readonly laps: Record<string, number> = {};
  /** Resident memory (MiB) at the end of each stage. */
  readonly rssMb: Record<string, number> = {};
  constructor(private readonly onLap?: (name: string) => void) {}
  lap(name: string) {
    this.onLap?.(name);
    const t = performance.now();
    this.laps[name] = Math.round(t - this.last);
    this.last = t;
    this.rssMb[name] = Math.round(process.memoryUsage().rss / 1048576);
  }
  total() {
    return Math.round(performance.now() - this.start);
  }
}

/** Everything the analysis reads from the database, in one read transaction. */
/**
 * Parts of the customer aggregate run at once on PostgreSQL, one connection each: the
 * statement is a sort, window and group over every order, on one CPU, while the rest of the
 * analysis waits for it. Two keeps a two-core database server busy without starving the
 * webhooks. PGlite has one connection: one part.
 */
const AGGREGATE_PARTS = 2;

async function loadAggregates(
  prisma: PrismaClient,
  shop: string,
  options: {
    timeZone: string;
    now: Date;
    checkoutCutoff: Date;
    windows: Window[];
    cohortFromMonth: number;
    countOnly: boolean[];
    backtest?: { cutoffDay: number; today: number };
    /** Also the daily order series (guests included) from this local day (analysis extras). */
    dailySeries?: { fromDay: number; fromInstant: Date };
  },
) {
  const { timeZone, now, windows } = options;
  const parts = (await readsInParallel(prisma)) ? AGGREGATE_PARTS : 1;
  const transaction = { timeout: 600_000, maxWait: 60_000 };
  const aggregate = (tx: Tx, index: number) => aggregateCustomers(tx, shop, { ...options, part: { index, of: parts } });
  // The daily series goes with the last part: the first one also reads the small totals below.
  const daily = async (tx: Tx) => {
    if (!options.dailySeries) return null;
    await setShopTimeZone(tx, timeZone);
    return dailyOrderTotals(tx, shop, { now, ...options.dailySeries });
  };
  const [[first, g, k, s, n, d0], ...others] = await Promise.all([
    inTransaction(
      prisma,
      async (tx) => {
        await useWorkMem(tx);
        const a = await aggregate(tx, 0);
        const guests = await guestTotals(tx, shop, { timeZone, now, windows });
        const checkouts = await checkoutCounts(tx, shop, { cutoff: options.checkoutCutoff, windows });
        const spend = await monthlyMarketingSpend(tx, shop);
        const nps = await npsDistributions(tx, shop, { now, windows });
        return [a, guests, checkouts, spend, nps, parts === 1 ? await daily(tx) : null] as const;
      },
      transaction,
    ),
    ...Array.from({ length: parts - 1 }, (_, i) =>
      inTransaction(
        prisma,
        async (tx) => {
          await useWorkMem(tx);
          const a = await aggregate(tx, i + 1);
          return [a, i + 1 === parts - 1 ? await daily(tx) : null] as const;
        },
        transaction,
      ),
    ),
  ]);
  const merged = mergeAggregates([first, ...others.map(([a]) => a)]);
  const backtest = options.backtest ? backtestAggregateOf(merged.customers, options.backtest.cutoffDay, merged.backtestWeeks) : null;
  const dailyOrders = d0 ?? others.at(-1)?.[1] ?? null;
  return [{ ...merged, backtest, dailyOrders }, g, k, s, n] as const;
}

/**
 * Everything the analysis computes before writing: aggregate, RFM, models, KPIs, cohorts and
 * extras. A function of its own so that what only these stages use (the per-window and
 * backtest columns, the fits) is unreachable during the write: at a million customers that is
 * hundreds of MB the garbage collector can reclaim instead of carrying through the write.
 */
async function computeAnalysis(
  prisma: PrismaClient,
  shop: string,
  ctx: {
    now: Date;
    today: number;
    timeZone: string;
    rules: readonly SegmentRule[];
    ranges: (ReturnType<typeof comparisonRanges> & { kind: RangeKind })[];
    windows: Window[];
    currentMonth: number;
    watch: Stopwatch;
  },
) {
  const { now, today, timeZone, rules, ranges, windows, currentMonth, watch } = ctx;
  const [{ customers: agg, cohorts: cells, backtest, dailyOrders }, guests, checkouts, spend, nps] = await loadAggregates(prisma, shop, {
    timeZone,
    now,
    checkoutCutoff: checkoutCutoff(now),
    windows,
    cohortFromMonth: currentMonth - (COHORT_MONTHS - 1),
    // The period before the previous one only serves the previous period's retention.
    countOnly: windows.map((_, i) => i % 3 === 2),
    backtest: { cutoffDay: backtestCutoffDay(today), today },
    dailySeries: { fromDay: seriesFirstDayOf(today), fromInstant: startOfDayNumber(seriesFirstDayOf(today), timeZone) },
  });
  watch.lap("aggregate");

  // RFM: recency in calendar days of the shop's zone (local day numbers: today − last order's day).
  const { scored, breakpoints } = scoreRfmColumns(
    {
      count: agg.count,
      recencyDays: agg.lastDay.map((day) => today - day),
      orders: agg.orders,
      revenue: agg.netScaled.map((scaled) => fromScaled(scaled)),
    },
    rules,
  );
  watch.lap("rfm");

  const fits = fitModels(agg, today);
  watch.lap("fit");
  const model = predictCustomers(fits, now);
  watch.lap("predict");
  const preds = model.predictions;

  // KPIs of each range kind: current and previous period.
  const lifetimeNet = lifetimeNetRevenue(agg);
  const clvValues = preds ? preds.clv : null;
  const inputs: KpiInputs = {
    agg,
    guests,
    checkouts,
    spend,
    timeZone,
    lifetimeNet,
    predictions: preds && clvValues ? { pAlive: preds.pAlive, clv12m: clvValues } : undefined,
    nps,
  };
  const kpiSummaries: KpiRangeSummary[] = ranges.map((r, k) => {
    const periodKpis = (p: 0 | 1): StoredKpis => periodKpisOf(inputs, k, p, p === 0 ? r.windows.current : r.windows.previous);
    return {
      rangeKind: r.kind,
      from: dayLabel(r.current.first),
      to: dayLabel(r.current.last),
      current: periodKpis(0),
      previous: periodKpis(1),
    };
  });
  watch.lap("kpis");

  const cohorts = buildCohortsFromCells(cells, currentMonth);
  watch.lap("cohorts");

  // Segment totals with exact money.
  const segmentOrder = [...rules.map((r) => r.key), OTHERS_KEY];
  const segTotals = new Map<string, { customers: number; orders: number; revenue: number }>(
    segmentOrder.map((s) => [s, { customers: 0, orders: 0, revenue: 0 }]),
  );
  for (let i = 0; i < scored.length; i++) {
    const t = segTotals.get(scored[i].segment)!;
    t.customers++;
    t.orders += agg.orders[i];
    t.revenue += agg.netScaled[i];
  }

  // What the admin pages show as stored (daily series, RFM grid, backtest…): no page scans orders.
  const extras = await computeAnalysisExtras({ today, agg, scored, segmentOrder, fits, model, backtest, dailyOrders: dailyOrders ?? [] });
  watch.lap("extras");

  let repeatCustomers = 0;
  for (let i = 0; i < agg.count; i++) if (agg.purchaseDays[i] > 1) repeatCustomers++;
  // Only the columns the write needs: the per-window and backtest columns, the fits and the
  // backtest's copy become garbage before the write stage allocates its batches.
  const { count, customerId, orders, purchaseDays, netScaled, firstOrderAt, lastOrderAt } = agg;
  return {
    agg: { count, customerId, orders, purchaseDays, netScaled, firstOrderAt, lastOrderAt } satisfies MetricsColumns,
    scored,
    breakpoints,
    model,
    kpiSummaries,
    cohorts,
    segmentOrder,
    segTotals,
    extras,
    repeatCustomers,
  };
}

export async function analyzeShop(prisma: PrismaClient, shop: string, options: AnalyzeOptions): Promise<AnalysisSummary> {
  const now = options.now;
  const watch = new Stopwatch(options.onStage);
  const shopRow = await findAnalyticsShop(prisma, shop);
  if (!shopRow) throw new UnknownShopError(shop);
  const rules = options.rules ?? segmentRulesOf(shopRow.settings) ?? DEFAULT_SEGMENT_RULES;
  const { timeZone, currency } = shopRow;
  const exponent = currencyExponent(currency);
  const cal = zonedCalendar(timeZone);
  const today = cal.dayNumber(now.getTime());
  const date = dayLabel(today);

  // Windows: per range kind, the current period, the previous one and the one before (the
  // previous period's retention needs it).
  const ranges = RANGE_KINDS.map((kind) => ({ kind, ...comparisonRanges(storedSpan(kind, today), timeZone) }));
  const windows: Window[] = ranges.flatMap(({ windows: w }) => [w.current, w.previous, w.beforePrevious]);
  const currentMonth = cal.monthNumber(now.getTime());
  watch.lap("load");

  const { agg, scored, breakpoints, model, kpiSummaries, cohorts, segmentOrder, segTotals, extras, repeatCustomers } = await computeAnalysis(
    prisma,
    shop,
    {
      now,
      today,
      timeZone,
      rules,
      ranges,
      windows,
      currentMonth,
      watch,
    },
  );
  const lowConfidence = model.lowConfidence;
  const confidenceNotes = [...model.notes, ...(model.confidence?.reasons ?? [])];
  const preds = model.predictions;
  const modelSummary = modelSummaryOf(model);
  const startOfToday = startOfDayNumber(today, timeZone);
  const movementCounts = new Map<string, { from: string | null; to: string; customers: number }>();
  const movedIn = new Map<string, Record<string, number>>();
  await inTransaction(
    prisma,
    async (tx) => {
      await useFastCommit(tx);
      await deleteStaleCustomerMetrics(tx, shop, agg.customerId);
      // Rows are built and sent batch by batch, one array per column: no 100,000 row objects,
      // no JSON, and segment movement is derived in SQL from the stored rows.
      const run = { currency, lowConfidence, computedAt: now, startOfToday, segmentNames: segmentOrder };
      const segmentIndex = new Map(segmentOrder.map((key, i) => [key, i]));
      for (let from = 0; from < agg.count; from += METRICS_BATCH) {
        const to = Math.min(agg.count, from + METRICS_BATCH);
        const b = customerMetricsBatch(agg, scored, preds, segmentIndex, exponent, from, to);
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
          return {
            shop,
            date,
            segment,
            customers: t.customers,
            orders: t.orders,
            revenue: scaledToDecimal(t.revenue),
            currency,
            movedIn: sortedKeys(movedIn.get(segment) ?? {}),
            computedAt: now,
          };
        }),
        kpis: kpiSummaries.map((s, k) => ({
          shop,
          date,
          rangeKind: s.rangeKind,
          rangeFrom: ranges[k].windows.current.from,
          rangeTo: ranges[k].windows.current.to,
          currency,
          netRevenue: amountToDecimal(s.current.netRevenue, exponent),
          orders: s.current.orders,
          customers: s.current.customers,
          newCustomers: s.current.newCustomers,
          averageOrderValue: moneyToDecimal(s.current.averageOrderValue, exponent),
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
          extras,
          timings: { ...watch.laps },
          // Frozen for the incremental refresh until the next run (ADR 007).
          scoring: breakpoints ? frozenScoringOf(today, breakpoints, rules) : null,
          computedAt: now,
        },
      });
    },
    { timeout: 600_000, maxWait: 60_000 },
  );
  watch.lap("write");
  await reclaimRewrittenMetrics(prisma);
  watch.lap("vacuum");
  // The storefront recommendations learn from the same orders (ADR 008).
  await trainRecommendations(prisma, shop, now);
  watch.lap("recommendations");

  const timings = {
    load: 0,
    aggregate: 0,
    rfm: 0,
    fit: 0,
    predict: 0,
    kpis: 0,
    cohorts: 0,
    extras: 0,
    write: 0,
    ...watch.laps,
    total: watch.total(),
  };
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
      return { segment, customers: t.customers, orders: t.orders, revenue: amountToDecimal(fromScaled(t.revenue), exponent) };
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

/** The aggregate's columns CustomerMetrics stores. */
export type MetricsColumns = Pick<CustomerColumns, "count" | "customerId" | "orders" | "purchaseDays" | "netScaled" | "firstOrderAt" | "lastOrderAt">;

/**
 * CustomerMetrics columns of customers [from, to) of the aggregate, with their scores and
 * predictions (index = customer): shared by the full run and the incremental refresh.
 */
export function customerMetricsBatch(
  agg: MetricsColumns,
  scored: readonly { recencyDays: number; r: number; f: number; m: number; segment: string }[],
  preds: Predictions | null,
  segmentIndex: ReadonlyMap<string, number>,
  exponent: number,
  from: number,
  to: number,
): CustomerMetricsBatch {
  const b: CustomerMetricsBatch = {
    customerId: [],
    recencyDays: [],
    frequency: [],
    purchaseDays: [],
    monetary: [],
    rScore: [],
    fScore: [],
    mScore: [],
    segment: [],
    pAlive: [],
    expectedPurchases12m: [],
    expectedOrderValue: [],
    predictedClv12m: [],
    expectedNextOrderAt: [],
    firstOrderAt: [],
    lastOrderAt: [],
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
    b.expectedOrderValue.push(preds ? moneyToDecimal(preds.averageValue[i], exponent) : null);
    b.predictedClv12m.push(preds ? moneyToDecimal(preds.clv[i], exponent) : null);
    b.expectedNextOrderAt.push(preds ? preds.nextOrderAt[i] : null);
    b.firstOrderAt.push(agg.firstOrderAt[i]);
    b.lastOrderAt.push(agg.lastOrderAt[i]);
  }
  return b;
}

/**
 * KPIs for any range of local calendar days, `from` to `to` both included, in the shop's time
 * zone, with the previous period of the same number of days (domain/ranges.ts), computed on
 * demand (nothing is stored). The aggregate ignores orders after the end of `to` (or after
 * `clock` if sooner), so lifetime figures are as of then; cart abandonment counts the
 * checkouts at least 24 hours old by `clock`. Model-based figures (predicted CLV,
 * 1 − P(alive)) exist only for the stored ranges of the daily analysis.
 */
export async function kpisForRange(
  prisma: PrismaClient,
  shop: string,
  days: { from: string; to: string },
  clock = new Date(),
): Promise<KpiRangeSummary & { currency: string; timeZone: string }> {
  const span = daySpan(days.from, days.to);
  const shopRow = await findAnalyticsShop(prisma, shop);
  if (!shopRow) throw new UnknownShopError(shop);
  const { timeZone } = shopRow;
  const { windows: w } = comparisonRanges(span, timeZone);
  const now = new Date(Math.min(w.current.to.getTime(), clock.getTime()));
  const cal = zonedCalendar(timeZone);
  const [{ customers: agg }, guests, checkouts, spend, nps] = await loadAggregates(prisma, shop, {
    timeZone,
    now,
    checkoutCutoff: checkoutCutoff(clock),
    windows: [w.current, w.previous, w.beforePrevious],
    cohortFromMonth: cal.monthNumber(now.getTime()),
    countOnly: [false, false, true],
  });
  const lifetimeNet = lifetimeNetRevenue(agg);
  const inputs: KpiInputs = { agg, guests, checkouts, spend, timeZone, lifetimeNet, nps };
  return {
    rangeKind: "custom",
    from: days.from,
    to: days.to,
    current: periodKpisOf(inputs, 0, 0, w.current),
    previous: periodKpisOf(inputs, 0, 1, w.previous),
    currency: shopRow.currency,
    timeZone,
  };
}
