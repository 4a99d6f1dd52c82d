// Scoring customers one at a time between two full analyses (ADR 007): the RFM breakpoints,
// segment rules and model parameters of the last full run are frozen, so a customer whose
// orders changed is scored alone with the same functions the full run uses (rfm.ts
// scoreAgainst, predictions.ts predictWithModels). Pure: columns in, scores out.
import { fromScaled } from "./money";
import { frozenModelsOf, predictWithModels, type ModelSummary, type PredictionColumns, type Predictions } from "./predictions";
import { scoreAgainst, type RfmBreakpoints, type Score, type SegmentRule } from "./rfm";

/** What a full run stores for the incremental path (AnalysisSnapshot.scoring). */
export interface FrozenScoring {
  /** The full run's local day number: its recency breakpoints are days before it. */
  day: number;
  breakpoints: RfmBreakpoints;
  /** The rule table's ranges, in order (texts are not needed to score). */
  rules: Pick<SegmentRule, "key" | "r" | "f" | "m">[];
}

export function frozenScoringOf(day: number, breakpoints: RfmBreakpoints, rules: readonly SegmentRule[]): FrozenScoring {
  return { day, breakpoints, rules: rules.map(({ key, r, f, m }) => ({ key, r, f, m })) };
}

/** The per-customer aggregate columns scoring needs (models/analytics.server.ts CustomerColumns). */
export interface ScoringColumns extends PredictionColumns {
  orders: ArrayLike<number>;
  /** Exact net revenue in NET_SCALE units. */
  netScaled: ArrayLike<number>;
}

export interface FrozenScore {
  recencyDays: number;
  r: Score;
  f: Score;
  m: Score;
  segment: string;
}

/**
 * Scores and predictions of the customers in `agg` as of local day `today` and instant `now`,
 * against a full run's frozen breakpoints and models. Recency is binned as of the full run's
 * day (the thresholds move with the calendar), so a customer refreshed a day later is ranked
 * like the others of that run; recencyDays itself is as of `today`.
 */
export function scoreWithFrozen(
  agg: ScoringColumns,
  scoring: FrozenScoring,
  model: ModelSummary,
  today: number,
  now: Date,
): { scored: FrozenScore[]; predictions: Predictions } {
  const shift = today - scoring.day;
  const scored: FrozenScore[] = new Array(agg.count);
  for (let i = 0; i < agg.count; i++) {
    const recencyDays = today - agg.lastDay[i];
    scored[i] = { recencyDays, ...scoreAgainst(recencyDays, agg.orders[i], fromScaled(agg.netScaled[i]), scoring.breakpoints, scoring.rules, shift) };
  }
  return { scored, predictions: predictWithModels(frozenModelsOf(model), agg, today, now) };
}
