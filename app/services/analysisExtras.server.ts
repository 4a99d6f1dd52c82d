// The extras of the daily analysis (domain/analysisExtras.ts), stored on its AnalysisSnapshot
// so that the admin pages read them as they are: called by analyzeShop with the run's
// in-memory columns and what its aggregate reads alongside (the backtest's calibration and
// holdout columns, the daily order series): no query of its own.
import { computeExtras, HORIZON_DAYS, runBacktest, type AnalysisExtras, type ExtrasColumns } from "~/domain/analysisExtras";
import type { ModelFits, ModelResult } from "~/domain/predictions";
import type { BacktestAggregate } from "~/models/analytics.server";

/** Days of the stored daily series: two years and a day (a year compared with the one before). */
export const SERIES_DAYS = 731;
/** The backtest needs at least this many days of orders before its cut-off. */
const MIN_CALIBRATION_DAYS = 90;

export interface ExtrasRun {
  today: number;
  agg: ExtrasColumns;
  scored: readonly { recencyDays: number; r: number; f: number; segment: string }[];
  segmentOrder: readonly string[];
  fits: ModelFits | null;
  model: ModelResult;
  /** The backtest's columns, from the run's aggregate (aggregateCustomers with `backtest`). */
  backtest: BacktestAggregate | null;
  /** Orders and net revenue per local day from seriesFirstDayOf(today), guests included (models/analysisExtras.server.ts dailyOrderTotals). */
  dailyOrders: { day: number; orders: number; netRevenue: number }[];
}

/** The backtest's cut-off: its holdout is the 90 full days before today (today is not over yet). */
export const backtestCutoffDay = (today: number) => today - HORIZON_DAYS;

/** First day of the stored daily series. */
export const seriesFirstDayOf = (today: number) => today - (SERIES_DAYS - 1);

export function computeAnalysisExtras(run: ExtrasRun): AnalysisExtras {
  const { today, agg } = run;
  const seriesFirstDay = seriesFirstDayOf(today);
  const cutoffDay = backtestCutoffDay(today);
  let firstDay = Infinity;
  for (let i = 0; i < agg.count; i++) firstDay = Math.min(firstDay, agg.firstDay[i]);
  const enoughHistory = firstDay <= cutoffDay - MIN_CALIBRATION_DAYS;
  const cols = enoughHistory ? run.backtest : null;

  const backtest = cols
    ? runBacktest(cols, { cutoffDay, holdoutDays: HORIZON_DAYS, weeklyActual: cols.weeklyActual, start: run.fits?.bg?.params })
    : { result: null, skipped: "too_little_history" as const };
  const { model } = run;
  return computeExtras(
    {
      agg,
      scored: run.scored,
      segmentOrder: run.segmentOrder,
      fits: run.fits,
      bg: model.bg && !model.bgDegenerate ? model.bg.params : null,
      gg: model.gg && !model.ggDegenerate ? model.gg.params : null,
      predictions: model.predictions,
      dailyOrders: run.dailyOrders,
      seriesFirstDay,
      today,
    },
    backtest,
  );
}
