// The extras of the daily analysis (domain/analysisExtras.ts), stored on its AnalysisSnapshot
// so that the admin pages read them as they are: called by analyzeShop with the run's
// in-memory columns (the backtest's calibration/holdout columns come from the run's aggregate),
// plus one aggregate of its own: the daily order series.
import type { PrismaClient } from "@prisma/client";
import { computeExtras, HORIZON_DAYS, runBacktest, type AnalysisExtras, type ExtrasColumns } from "~/domain/analysisExtras";
import type { ModelFits, ModelResult } from "~/domain/predictions";
import { startOfDayNumber } from "~/domain/time";
import { inTransaction } from "~/lib/transaction.server";
import { dailyOrderTotals, useShopTimeZone } from "~/models/analysisExtras.server";
import type { BacktestAggregate } from "~/models/analytics.server";

/** Days of the stored daily series: two years and a day (a year compared with the one before). */
export const SERIES_DAYS = 731;
/** The backtest needs at least this many days of orders before its cut-off. */
const MIN_CALIBRATION_DAYS = 90;

export interface ExtrasRun {
  timeZone: string;
  now: Date;
  today: number;
  agg: ExtrasColumns;
  scored: readonly { recencyDays: number; r: number; f: number; segment: string }[];
  segmentOrder: readonly string[];
  fits: ModelFits | null;
  model: ModelResult;
  /** The backtest's columns, from the run's aggregate (aggregateCustomers with `backtest`). */
  backtest: BacktestAggregate | null;
}

/** The backtest's cut-off: its holdout is the 90 full days before today (today is not over yet). */
export const backtestCutoffDay = (today: number) => today - HORIZON_DAYS;

export async function computeAnalysisExtras(prisma: PrismaClient, shop: string, run: ExtrasRun): Promise<AnalysisExtras> {
  const { timeZone, today, agg } = run;
  const seriesFirstDay = today - (SERIES_DAYS - 1);
  const cutoffDay = backtestCutoffDay(today);
  let firstDay = Infinity;
  for (let i = 0; i < agg.count; i++) firstDay = Math.min(firstDay, agg.firstDay[i]);
  const enoughHistory = firstDay <= cutoffDay - MIN_CALIBRATION_DAYS;

  const dailyOrders = await inTransaction(
    prisma,
    async (tx) => {
      await useShopTimeZone(tx, timeZone);
      return dailyOrderTotals(tx, shop, {
        now: run.now,
        fromDay: seriesFirstDay,
        fromInstant: startOfDayNumber(seriesFirstDay, timeZone),
      });
    },
    { timeout: 600_000, maxWait: 60_000 },
  );
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
      dailyOrders,
      seriesFirstDay,
      today,
    },
    backtest,
  );
}
