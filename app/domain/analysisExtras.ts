// Figures of the daily analysis that the admin pages show as they are, computed once per run
// from the analysis's in-memory columns (never by a page): the RFM grid, per-segment figures,
// the predicted CLV histogram, the "at risk and valuable" customers, the expected orders and
// revenue of the next 90 days, and the backtest of the purchase model (predictions made at a
// past cut-off against what happened). Pure: every input is passed in. Money in major units.
import { conditionalExpectedPurchases, expectedAverageValue, type BgNbdParams, type GammaGammaParams } from "./clv";
import { fitModels, MODEL_SETTINGS, type ModelFits, type PredictionColumns } from "./predictions";
import { dayLabel } from "./time";

/** Days ahead of the "next 90 days" expectation, and the backtest's holdout length. */
export const HORIZON_DAYS = 90;
/** P(alive) below this, with a value in the top fifth, is "at risk and valuable". */
export const AT_RISK_P_ALIVE = 0.5;
export const AT_RISK_LIST = 50;

export interface DailyPoint {
  /** Local calendar day, YYYY-MM-DD. */
  date: string;
  orders: number;
  netRevenue: number;
  newCustomers: number;
}

export interface SegmentFigures {
  segment: string;
  customers: number;
  orders: number;
  revenue: number;
  /** revenue / orders, null without orders. */
  averageOrderValue: number | null;
  /** Median days since the last order. */
  medianRecencyDays: number | null;
}

export interface HistogramBin {
  /** Lower bound (included) and upper bound (excluded; null for the open last bin). */
  from: number;
  to: number | null;
  customers: number;
}

export interface AtRiskCustomer {
  customerId: number;
  pAlive: number;
  monetary: number;
  predictedClv12m: number | null;
  orders: number;
}

export interface BacktestWeek {
  /** 1 = the first week after the cut-off. */
  week: number;
  /** Days since the cut-off at the end of this week (the last one may be shorter). */
  days: number;
  predictedCumulative: number;
  actualCumulative: number;
}

export interface BacktestBucket {
  /** Repeat purchases before the cut-off: "0".."5", "6+". */
  repeatPurchases: string;
  customers: number;
  predictedMean: number;
  actualMean: number;
}

export interface Backtest {
  /** First day after the calibration period and last day of the holdout (local days). */
  cutoff: string;
  end: string;
  holdoutDays: number;
  /** Customers whose first order was before the cut-off. */
  customers: number;
  /** Repeat purchases (days with an order) in the holdout: predicted at the cut-off vs actual. */
  predictedPurchases: number;
  actualPurchases: number;
  /** Net revenue of those customers in the holdout: predicted (null without a spend model) vs actual. */
  predictedRevenue: number | null;
  actualRevenue: number;
  weeks: BacktestWeek[];
  byRepeatPurchases: BacktestBucket[];
  params: BgNbdParams;
}

export interface AnalysisExtras {
  daily: DailyPoint[];
  /** counts[r-1][f-1]: customers with recency score r and frequency score f (5 × 5). */
  rfmGrid: { customers: number[][]; revenue: number[][] };
  segments: SegmentFigures[];
  clvHistogram: HistogramBin[];
  atRisk: AtRiskCustomer[];
  /** Expected repeat purchases and revenue of today's customers in the next 90 days (null: no usable model). */
  next90: { purchases: number; revenue: number | null; customers: number } | null;
  /** Null when there is too little history or the model cannot be fitted at the cut-off (reason given). */
  backtest: Backtest | null;
  backtestSkipped: "too_little_history" | "no_fit" | null;
}

/** The analysis's per-customer columns the extras read (index = customer). */
export interface ExtrasColumns {
  count: number;
  customerId: ArrayLike<number>;
  orders: ArrayLike<number>;
  /** Exact lifetime net revenue, NET_SCALE units. */
  netScaled: ArrayLike<number>;
  firstDay: ArrayLike<number>;
}

/** Rounded to `digits` decimals (stored JSON stays short and stable). */
const round = (v: number, digits: number) => (Number.isFinite(v) ? Number(v.toFixed(digits)) : 0);

const median = (sorted: number[]) =>
  sorted.length === 0 ? null : sorted.length % 2 ? sorted[(sorted.length - 1) / 2] : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;

/** A "nice" step (1, 2, 2.5 or 5 × 10^k) at least `raw`. */
export function niceStep(raw: number): number {
  if (!(raw > 0)) return 1;
  const p = 10 ** Math.floor(Math.log10(raw));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= raw) return m * p;
  return 10 * p;
}

/**
 * Equal-width bins from 0 up to the 98th percentile (rounded to a nice step), then one open bin
 * for the rest: a few very valuable customers do not squash the chart.
 */
export function histogram(values: readonly number[], bins = 12): HistogramBin[] {
  if (!values.length) return [];
  const sorted = [...values].sort((a, b) => a - b);
  const top = sorted[Math.min(sorted.length - 1, Math.floor(0.98 * (sorted.length - 1)))];
  const step = niceStep(top / bins);
  const n = Math.max(1, Math.ceil(top / step));
  const out: HistogramBin[] = Array.from({ length: n + 1 }, (_, i) => ({ from: i * step, to: i === n ? null : (i + 1) * step, customers: 0 }));
  for (const v of sorted) out[Math.min(n, Math.max(0, Math.floor(v / step)))].customers++;
  while (out.length > 1 && out[out.length - 1].customers === 0) {
    out.pop();
    out[out.length - 1].to = null;
  }
  return out;
}

/** Sum over customers of E[repeat purchases in the next `days`] for each group of (x, t_x, T). */
function expectedByCustomer(params: BgNbdParams, fits: ModelFits, days: number): Float64Array {
  const t = days / MODEL_SETTINGS.periodDays;
  const g = fits.grouped;
  const perGroup = new Float64Array(g.x.length);
  for (let k = 0; k < g.x.length; k++) perGroup[k] = conditionalExpectedPurchases(params, t, g.x[k], g.tx[k], g.T[k]);
  const out = new Float64Array(fits.count);
  for (let i = 0; i < fits.count; i++) out[i] = perGroup[g.groupOf[i]];
  return out;
}

export interface ExtrasInputs {
  agg: ExtrasColumns;
  scored: readonly { recencyDays: number; r: number; f: number; segment: string }[];
  segmentOrder: readonly string[];
  /** The run's fits, and the parameters whose predictions are used (null: none or degenerate). */
  fits: ModelFits | null;
  bg: BgNbdParams | null;
  gg: GammaGammaParams | null;
  /** Per-customer predictions of the run (null when the purchase model is unusable). */
  predictions: { pAlive: ArrayLike<number>; clv: readonly (number | null)[]; averageValue: readonly (number | null)[] } | null;
  /** Orders and net revenue per local day (guests included), ascending, from the SQL series. */
  dailyOrders: readonly { day: number; orders: number; netRevenue: number }[];
  /** First and last day of the daily series. */
  seriesFirstDay: number;
  today: number;
}

export function computeExtras(
  input: ExtrasInputs,
  backtest: { result: Backtest | null; skipped: AnalysisExtras["backtestSkipped"] },
): AnalysisExtras {
  const { agg, scored, predictions } = input;
  const n = agg.count;

  // Daily series: every day of the window, zeros included (charts need the gaps).
  const newByDay = new Map<number, number>();
  for (let i = 0; i < n; i++) if (agg.firstDay[i] >= input.seriesFirstDay) newByDay.set(agg.firstDay[i], (newByDay.get(agg.firstDay[i]) ?? 0) + 1);
  const byDay = new Map(input.dailyOrders.map((d) => [d.day, d]));
  const daily: DailyPoint[] = [];
  for (let d = input.seriesFirstDay; d <= input.today; d++) {
    const o = byDay.get(d);
    daily.push({ date: dayLabel(d), orders: o?.orders ?? 0, netRevenue: o ? round(o.netRevenue, 4) : 0, newCustomers: newByDay.get(d) ?? 0 });
  }

  const gridCustomers = Array.from({ length: 5 }, () => [0, 0, 0, 0, 0]);
  const gridRevenue = Array.from({ length: 5 }, () => [0, 0, 0, 0, 0]);
  const seg = new Map(input.segmentOrder.map((s) => [s, { customers: 0, orders: 0, revenueScaled: 0, recency: [] as number[] }]));
  for (let i = 0; i < n; i++) {
    const s = scored[i];
    if (s.r >= 1 && s.r <= 5 && s.f >= 1 && s.f <= 5) {
      gridCustomers[s.r - 1][s.f - 1]++;
      gridRevenue[s.r - 1][s.f - 1] += agg.netScaled[i];
    }
    const t = seg.get(s.segment);
    if (t) {
      t.customers++;
      t.orders += agg.orders[i];
      t.revenueScaled += agg.netScaled[i];
      t.recency.push(s.recencyDays);
    }
  }
  const segments: SegmentFigures[] = [...seg.entries()].map(([segment, t]) => {
    const revenue = t.revenueScaled / 1e4;
    return {
      segment,
      customers: t.customers,
      orders: t.orders,
      revenue: round(revenue, 4),
      averageOrderValue: t.orders ? round(revenue / t.orders, 4) : null,
      medianRecencyDays: median(t.recency.sort((a, b) => a - b)),
    };
  });

  const clvValues: number[] = [];
  if (predictions) for (const v of predictions.clv) if (v !== null && Number.isFinite(v)) clvValues.push(v);

  // At risk and valuable: low P(alive) among the top fifth by lifetime revenue, most valuable first.
  const atRisk: AtRiskCustomer[] = [];
  if (predictions && n) {
    const revenues = Array.from({ length: n }, (_, i) => agg.netScaled[i]).sort((a, b) => a - b);
    const threshold = revenues[Math.floor(0.8 * (n - 1))];
    const candidates: number[] = [];
    for (let i = 0; i < n; i++) if (predictions.pAlive[i] < AT_RISK_P_ALIVE && agg.netScaled[i] >= threshold) candidates.push(i);
    candidates.sort((a, b) => agg.netScaled[b] - agg.netScaled[a] || agg.customerId[a] - agg.customerId[b]);
    for (const i of candidates.slice(0, AT_RISK_LIST)) {
      atRisk.push({
        customerId: agg.customerId[i],
        pAlive: round(predictions.pAlive[i], 6),
        monetary: agg.netScaled[i] / 1e4,
        predictedClv12m: predictions.clv[i] === null ? null : round(predictions.clv[i]!, 4),
        orders: agg.orders[i],
      });
    }
  }

  let next90: AnalysisExtras["next90"] = null;
  if (input.bg && input.fits && predictions) {
    const e = expectedByCustomer(input.bg, input.fits, HORIZON_DAYS);
    let purchases = 0;
    let revenue = 0;
    let withValue = true;
    for (let i = 0; i < n; i++) {
      purchases += e[i];
      const v = predictions.averageValue[i];
      if (v === null) withValue = false;
      else revenue += e[i] * v;
    }
    next90 = { purchases: round(purchases, 2), revenue: withValue && input.gg ? round(revenue, 2) : null, customers: n };
  }

  return {
    daily,
    rfmGrid: { customers: gridCustomers, revenue: gridRevenue.map((row) => row.map((v) => v / 1e4)) },
    segments,
    clvHistogram: histogram(clvValues),
    atRisk,
    next90,
    backtest: backtest.result,
    backtestSkipped: backtest.skipped,
  };
}

/** Calibration (before the cut-off) and holdout columns of the customers whose first order was before the cut-off. */
export interface BacktestColumns extends PredictionColumns {
  /** Distinct order days in the holdout, and its net revenue (major units). */
  holdoutDays: ArrayLike<number>;
  holdoutRevenue: ArrayLike<number>;
}

/**
 * The purchase model fitted as if today were the day before `cutoffDay`, its predictions for the
 * `holdoutDays` that followed, and what those customers actually did: in total, week by week
 * (cumulative) and by number of repeat purchases before the cut-off. `weeklyActual[w]` = order
 * days in week w of the holdout.
 */
export function runBacktest(
  cols: BacktestColumns,
  opts: {
    cutoffDay: number;
    holdoutDays: number;
    weeklyActual: readonly number[];
    /** The latest fit's parameters: the cut-off's optimum lies near them (one descent instead of several). */
    start?: BgNbdParams;
  },
): { result: Backtest | null; skipped: AnalysisExtras["backtestSkipped"] } {
  if (cols.count < 2) return { result: null, skipped: "too_little_history" };
  const fits = fitModels(cols, opts.cutoffDay - 1, { bgStart: opts.start });
  if (!fits?.bg || !fits.bg.converged) return { result: null, skipped: "no_fit" };
  const params = fits.bg.params;
  const gg = fits.gg?.converged ? fits.gg.params : null;
  const total = expectedByCustomer(params, fits, opts.holdoutDays);
  let predictedPurchases = 0;
  let actualPurchases = 0;
  let predictedRevenue = 0;
  let actualRevenue = 0;
  let revenueOk = gg !== null;
  const buckets = Array.from({ length: 7 }, (_, k) => ({ repeatPurchases: k === 6 ? "6+" : String(k), customers: 0, predicted: 0, actual: 0 }));
  for (let i = 0; i < cols.count; i++) {
    predictedPurchases += total[i];
    actualPurchases += cols.holdoutDays[i];
    actualRevenue += cols.holdoutRevenue[i];
    if (gg) {
      const v = expectedAverageValue(gg, fits.spend[i].x, fits.spend[i].monetaryValue);
      if (v === null || !Number.isFinite(v)) revenueOk = false;
      else predictedRevenue += total[i] * v;
    }
    const b = buckets[Math.min(6, fits.x[i])];
    b.customers++;
    b.predicted += total[i];
    b.actual += cols.holdoutDays[i];
  }
  const weeks: BacktestWeek[] = [];
  let actualCumulative = 0;
  for (let w = 0; w * 7 < opts.holdoutDays; w++) {
    const days = Math.min((w + 1) * 7, opts.holdoutDays);
    const e = w * 7 + 7 >= opts.holdoutDays ? total : expectedByCustomer(params, fits, days);
    let s = 0;
    for (let i = 0; i < cols.count; i++) s += e[i];
    actualCumulative += opts.weeklyActual[w] ?? 0;
    weeks.push({ week: w + 1, days, predictedCumulative: round(s, 2), actualCumulative });
  }
  return {
    skipped: null,
    result: {
      cutoff: dayLabel(opts.cutoffDay),
      end: dayLabel(opts.cutoffDay + opts.holdoutDays - 1),
      holdoutDays: opts.holdoutDays,
      customers: cols.count,
      predictedPurchases: round(predictedPurchases, 2),
      actualPurchases,
      predictedRevenue: revenueOk ? round(predictedRevenue, 2) : null,
      actualRevenue: round(actualRevenue, 2),
      weeks,
      byRepeatPurchases: buckets
        .filter((b) => b.customers > 0)
        .map((b) => ({
          repeatPurchases: b.repeatPurchases,
          customers: b.customers,
          predictedMean: round(b.predicted / b.customers, 4),
          actualMean: round(b.actual / b.customers, 4),
        })),
      params: { r: params.r, alpha: params.alpha, a: params.a, b: params.b },
    },
  };
}
