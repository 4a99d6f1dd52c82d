// Per-customer predictions of the daily analysis: BG/NBD (purchases, P(alive), next order) and
// Gamma-Gamma (average order value) fitted on the shop's customers, then applied to each of
// them. Pure: the customers come as columns (one array per field, index = customer), the
// analysis day and instant are passed in. Definitions in docs/metrics.md.
import {
  assessConfidence,
  bgNbdDegeneracy,
  bgNbdPredictionProblem,
  discountedExpectedPurchasesOf,
  expectedAverageValue,
  expectedNextOrderPeriods,
  fitBgNbd,
  fitGammaGamma,
  gammaGammaDegeneracy,
  groupRftArrays,
  NEXT_ORDER_MAX_DAYS,
  probabilityAlive,
  type BgNbdFit,
  type BgNbdParams,
  type ConfidenceReport,
  type GammaGammaFit,
  type GammaGammaParams,
  type Rft,
} from "./clv";
import { encodeMessageRef } from "./messageRef";

const DAY_MS = 86_400_000;

/** BG/NBD time unit (weeks, as the CDNOW reference and `rapport clv`), 12-month horizon. */
export const MODEL_SETTINGS = {
  period: "week" as const,
  periodDays: 7,
  horizonPeriods: 52,
  annualDiscountRate: 0.1,
};

/** What the models need per customer (the analysis aggregate's columns). */
export interface PredictionColumns {
  count: number;
  /** Distinct local calendar days with an order. */
  purchaseDays: ArrayLike<number>;
  /** Local day numbers of the first and last order. */
  firstDay: ArrayLike<number>;
  lastDay: ArrayLike<number>;
  /** Net revenue of the days after the first purchase day, major units. */
  repeatNetRevenue: ArrayLike<number>;
}

/** The models fitted on a shop's customers, and the per-customer inputs they were fitted on. */
export interface ModelFits {
  count: number;
  x: Float64Array;
  tx: Float64Array;
  T: Float64Array;
  spend: { x: number; monetaryValue: number | null }[];
  grouped: ReturnType<typeof groupRftArrays>;
  bg: BgNbdFit | null;
  gg: GammaGammaFit | null;
  confidence: ConfidenceReport | null;
  notes: string[];
}

export interface Predictions {
  /** NaN where the purchase model is missing or degenerate (stored as null). */
  pAlive: Float64Array;
  expected: Float64Array;
  clv: (number | null)[];
  averageValue: (number | null)[];
  nextOrderAt: (Date | null)[];
}

export interface ModelResult {
  bg: BgNbdFit | null;
  gg: GammaGammaFit | null;
  /** The fit exists but its predictions are not used (docs/metrics.md, "How much data is enough"). */
  bgDegenerate: boolean;
  ggDegenerate: boolean;
  confidence: ConfidenceReport | null;
  lowConfidence: boolean;
  notes: string[];
  predictions: Predictions | null;
}

export interface ModelSummary {
  period: "week";
  horizonPeriods: number;
  annualDiscountRate: number;
  /** degenerate: the fit is reported but its predictions are not stored (docs/metrics.md). */
  bgnbd:
    | (BgNbdFit["params"] & {
        logLikelihood: number;
        standardErrors: BgNbdFit["standardErrors"];
        converged: boolean;
        iterations: number;
        degenerate: boolean;
      })
    | null;
  gammaGamma:
    | (GammaGammaFit["params"] & {
        logLikelihood: number;
        standardErrors: GammaGammaFit["standardErrors"];
        converged: boolean;
        customers: number;
        degenerate: boolean;
      })
    | null;
}

/** One customer's model inputs: repeat purchases x, t_x and T in periods, mean repeat value. */
export function modelInputsOf(agg: PredictionColumns, i: number, today: number) {
  const pd = MODEL_SETTINGS.periodDays;
  const firstDay = agg.firstDay[i];
  const lastDay = agg.lastDay[i];
  const x = agg.purchaseDays[i] - 1;
  return {
    x,
    tx: (lastDay - firstDay) / pd,
    T: Math.max(today - firstDay, lastDay - firstDay) / pd,
    monetaryValue: x > 0 ? agg.repeatNetRevenue[i] / x : null,
  };
}

const PREDICTION_OPTIONS = {
  horizon: MODEL_SETTINGS.horizonPeriods,
  periodDays: MODEL_SETTINGS.periodDays,
  annualDiscountRate: MODEL_SETTINGS.annualDiscountRate,
};

/**
 * BG/NBD predictions for one (x, t_x, T), in periods; `problem` when they break the model's
 * bounds (bgNbdPredictionProblem), and then no values.
 */
export function predictPurchases(
  params: BgNbdParams,
  c: { x: number; tx: number; T: number },
  discountedOf: (c: Rft) => { expectedPurchases: number; discountedPurchases: number } = discountedExpectedPurchasesOf(params, PREDICTION_OPTIONS),
) {
  const pAlive = probabilityAlive(params, c.x, c.tx, c.T);
  const d = discountedOf(c);
  const problem = bgNbdPredictionProblem(params, c, PREDICTION_OPTIONS, { pAlive, ...d });
  if (problem) return { problem };
  const next = expectedNextOrderPeriods(params, c.x, c.tx, c.T, { maxPeriods: NEXT_ORDER_MAX_DAYS / MODEL_SETTINGS.periodDays }) ?? NaN;
  return { problem: null, pAlive, expected: d.expectedPurchases, discounted: d.discountedPurchases, nextPeriods: next };
}

/**
 * One customer's value figures: Gamma-Gamma average order value (null without a usable spend
 * model or a finite mean), CLV = that value × discounted purchases (NaN: no purchase model),
 * next order instant from `now` (NaN periods: none).
 */
export function customerValue(
  ggParams: GammaGammaParams | null,
  x: number,
  monetaryValue: number | null,
  discounted: number,
  nextPeriods: number,
  now: Date,
) {
  let averageValue = ggParams ? expectedAverageValue(ggParams, x, monetaryValue) : null;
  if (averageValue !== null && !Number.isFinite(averageValue)) averageValue = null;
  const clv = averageValue === null || Number.isNaN(discounted) ? null : averageValue * discounted;
  return {
    averageValue,
    clv: clv !== null && Number.isFinite(clv) ? clv : null,
    nextOrderAt: Number.isNaN(nextPeriods) ? null : new Date(now.getTime() + nextPeriods * MODEL_SETTINGS.periodDays * DAY_MS),
  };
}

/**
 * Fits BG/NBD and Gamma-Gamma on whatever data exists (`today` = the analysis day number). A
 * fit that fails is noted, never thrown. Null without customers.
 */
export function fitModels(agg: PredictionColumns, today: number, options: { bgStart?: BgNbdParams } = {}): ModelFits | null {
  const n = agg.count;
  if (n === 0) return null;
  const notes: string[] = [];
  const x = new Float64Array(n);
  const tx = new Float64Array(n);
  const T = new Float64Array(n);
  const spend: { x: number; monetaryValue: number | null }[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const c = modelInputsOf(agg, i, today);
    x[i] = c.x;
    tx[i] = c.tx;
    T[i] = c.T;
    spend[i] = { x: c.x, monetaryValue: c.monetaryValue };
  }
  const grouped = groupRftArrays(x, tx, T);
  let bg: BgNbdFit | null = null;
  try {
    bg = fitBgNbd(grouped, { start: options.bgStart });
  } catch (error) {
    notes.push(encodeMessageRef({ key: "analysis.purchaseFitFailed", params: { reason: (error as Error).message } }));
  }
  let gg: GammaGammaFit | null = null;
  try {
    gg = fitGammaGamma(spend);
  } catch (error) {
    notes.push(encodeMessageRef({ key: "analysis.spendFitFailed", params: { reason: (error as Error).message } }));
  }
  const confidence = bg ? assessConfidence(bg, gg ?? undefined) : null;
  return { count: n, x, tx, T, spend, grouped, bg, gg, confidence, notes };
}

/**
 * Predictions per customer from the fitted models, as of `now`. A degenerate fit
 * (clv.ts bgNbdDegeneracy, bgNbdPredictionProblem, gammaGammaDegeneracy) is kept in the
 * result with its standard errors but its predictions are left empty; either way the analysis
 * is flagged low-confidence, with the reason.
 */
export function predictCustomers(fits: ModelFits | null, now: Date): ModelResult {
  if (!fits) {
    return {
      bg: null,
      gg: null,
      bgDegenerate: false,
      ggDegenerate: false,
      confidence: null,
      lowConfidence: true,
      notes: [encodeMessageRef({ key: "analysis.noCustomers", params: {} })],
      predictions: null,
    };
  }
  const { count: n, x, spend, grouped, bg, gg, confidence } = fits;
  const notes = [...fits.notes];

  // Predictions depend only on (x, t_x, T): computed once per group, and checked against the
  // model's bounds (the first violation makes the whole fit degenerate).
  const G = grouped.x.length;
  const gAlive = new Float64Array(G).fill(NaN);
  const gExp = new Float64Array(G).fill(NaN);
  const gDisc = new Float64Array(G).fill(NaN);
  const gNext = new Float64Array(G).fill(NaN);
  const bgProblems = bg ? bgNbdDegeneracy(bg, grouped) : [];
  if (bg && !bgProblems.length) {
    const discountedOf = discountedExpectedPurchasesOf(bg.params, PREDICTION_OPTIONS);
    for (let g = 0; g < G; g++) {
      const p = predictPurchases(bg.params, { x: grouped.x[g], tx: grouped.tx[g], T: grouped.T[g] }, discountedOf);
      if (p.problem !== null) {
        bgProblems.push(p.problem);
        break;
      }
      gAlive[g] = p.pAlive;
      gExp[g] = p.expected;
      gDisc[g] = p.discounted;
      gNext[g] = p.nextPeriods;
    }
  }
  const bgDegenerate = bg !== null && bgProblems.length > 0;
  if (bgDegenerate) {
    gAlive.fill(NaN);
    gExp.fill(NaN);
    gDisc.fill(NaN);
    gNext.fill(NaN);
    notes.push(encodeMessageRef({ key: "analysis.purchaseDegenerate", params: { details: bgProblems.join("; ") } }));
  }
  const ggProblems = gg ? gammaGammaDegeneracy(gg, spend) : [];
  const ggDegenerate = gg !== null && ggProblems.length > 0;
  if (ggDegenerate) notes.push(encodeMessageRef({ key: "analysis.spendDegenerate", params: { details: ggProblems.join("; ") } }));
  const ggParams = gg && !ggDegenerate ? gg.params : null;

  const predictions = emptyPredictions(n);
  for (let i = 0; i < n; i++) {
    const g = grouped.groupOf[i];
    predictions.pAlive[i] = gAlive[g];
    predictions.expected[i] = gExp[g];
    const v = customerValue(ggParams, x[i], spend[i].monetaryValue, gDisc[g], gNext[g], now);
    predictions.averageValue[i] = v.averageValue;
    predictions.clv[i] = v.clv;
    predictions.nextOrderAt[i] = v.nextOrderAt;
  }
  const lowConfidence = !confidence || confidence.lowConfidence || bgDegenerate || ggDegenerate;
  return { bg, gg, bgDegenerate, ggDegenerate, confidence, lowConfidence, notes, predictions };
}

/** The models as stored and reported: parameters, fit quality, degeneracy. */
export function modelSummaryOf(model: ModelResult): ModelSummary {
  return {
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
}

/** Parameters of a stored run's models whose predictions may be used (null: none, or degenerate). */
export interface FrozenModels {
  bg: BgNbdParams | null;
  gg: GammaGammaParams | null;
}

export function frozenModelsOf(summary: ModelSummary): FrozenModels {
  const bg = summary.bgnbd;
  const gg = summary.gammaGamma;
  return {
    bg: bg && !bg.degenerate ? { r: bg.r, alpha: bg.alpha, a: bg.a, b: bg.b } : null,
    gg: gg && !gg.degenerate ? { p: gg.p, q: gg.q, gamma: gg.gamma } : null,
  };
}

/** Per-customer prediction columns for n customers, to be filled. */
function emptyPredictions(n: number): Predictions {
  return { pAlive: new Float64Array(n), expected: new Float64Array(n), clv: new Array(n), averageValue: new Array(n), nextOrderAt: new Array(n) };
}

/**
 * predictCustomers with fixed parameters (between two fits, ADR 007): the same per-customer
 * computations. A customer whose own predictions break the model's bounds gets none (the full
 * run would call the whole fit degenerate: the next one decides).
 */
export function predictWithModels(models: FrozenModels, agg: PredictionColumns, today: number, now: Date): Predictions {
  const n = agg.count;
  const predictions = emptyPredictions(n);
  for (let i = 0; i < n; i++) {
    const c = modelInputsOf(agg, i, today);
    const p = models.bg ? predictPurchases(models.bg, c) : null;
    const ok = p && p.problem === null ? p : null;
    predictions.pAlive[i] = ok ? ok.pAlive : NaN;
    predictions.expected[i] = ok ? ok.expected : NaN;
    const v = customerValue(models.gg, c.x, c.monetaryValue, ok ? ok.discounted : NaN, ok ? ok.nextPeriods : NaN, now);
    predictions.averageValue[i] = v.averageValue;
    predictions.clv[i] = v.clv;
    predictions.nextOrderAt[i] = v.nextOrderAt;
  }
  return predictions;
}
