// One customer's outlook for the profile page, from the stored run's fitted BG/NBD model and
// the customer's stored history: expected purchases over the next 90 days, and how uncertain the
// predicted 12-month CLV is. Pure; the same functions as the analysis (clv.ts, predictions.ts).
import { seededRandom } from "./random";
import { conditionalExpectedPurchases, discountedExpectedPurchases, type BgNbdParams } from "./clv";
import { MODEL_SETTINGS } from "./predictions";
import { quantileType7 } from "./stats";

export interface OutlookInput {
  /** Local day numbers (shop time zone) of the first and last order and of the analysis. */
  firstDay: number;
  lastDay: number;
  today: number;
  /** Days with an order (x = purchaseDays − 1 repeat purchases). */
  purchaseDays: number;
}

function rftOf(c: OutlookInput) {
  const pd = MODEL_SETTINGS.periodDays;
  return { x: c.purchaseDays - 1, tx: (c.lastDay - c.firstDay) / pd, T: Math.max(c.today - c.firstDay, c.lastDay - c.firstDay) / pd };
}

/** Expected purchases in the `days` after the analysis day. */
export function expectedPurchasesWithin(params: BgNbdParams, c: OutlookInput, days: number): number {
  const { x, tx, T } = rftOf(c);
  return conditionalExpectedPurchases(params, days / MODEL_SETTINGS.periodDays, x, tx, T);
}

function normal(rand: () => number) {
  const u = Math.max(rand(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rand());
}

/**
 * An 80 % range for the predicted 12-month CLV from the purchase model's parameter
 * uncertainty: the parameters are drawn around their estimates (log-normal with the fitted
 * standard errors, independent), the discounted purchases recomputed for each draw and
 * valued at the stored expected order value. Null when a standard error is unknown.
 */
export function clvRange(
  params: BgNbdParams,
  standardErrors: Record<keyof BgNbdParams, number | null>,
  c: OutlookInput,
  expectedOrderValue: number,
  draws = 200,
): { low: number; high: number } | null {
  const keys = ["r", "alpha", "a", "b"] as const;
  if (keys.some((k) => standardErrors[k] === null || !Number.isFinite(standardErrors[k]!))) return null;
  const rand = seededRandom(0x5eed); // the same interval on every page load
  const rft = rftOf(c);
  const options = {
    horizon: MODEL_SETTINGS.horizonPeriods,
    periodDays: MODEL_SETTINGS.periodDays,
    annualDiscountRate: MODEL_SETTINGS.annualDiscountRate,
  };
  const values = new Float64Array(draws);
  for (let i = 0; i < draws; i++) {
    const p = { ...params };
    // Log-normal keeps the parameters positive; sd of ln θ ≈ SE / θ (delta method).
    for (const k of keys) p[k] = params[k] * Math.exp((standardErrors[k]! / params[k]) * normal(rand));
    values[i] = discountedExpectedPurchases(p, rft, options).discountedPurchases * expectedOrderValue;
  }
  values.sort();
  return { low: quantileType7(values, 0.1), high: quantileType7(values, 0.9) };
}
