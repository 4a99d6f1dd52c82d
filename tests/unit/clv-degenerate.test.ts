// Degenerate BG/NBD and Gamma-Gamma fits (domain/clv.ts): the checks must pass every
// customer of a healthy fit (CDNOW) and catch the fits of tiny shops whose predictions are
// absurd.
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import {
  bgNbdDegeneracy,
  bgNbdPredictionProblem,
  conditionalExpectedPurchases,
  discountedExpectedPurchases,
  expectedAverageValue,
  fitBgNbd,
  fitGammaGamma,
  gammaGammaDegeneracy,
  maxConditionalExpectedPurchases,
  probabilityAlive,
  summarizeTransactions,
  type BgNbdParams,
  type GammaGammaFit,
  type Rft,
} from "~/domain/clv";

const DATA = path.resolve(process.cwd(), "tests/fixtures/datasets/cdnow_sample_transactions.csv");
const day = (s: string) => new Date(`${s}T00:00:00Z`);
// As the analytics service: weeks, 52-week horizon, 10 % a year.
const OPTS = { horizon: 52, periodDays: 7, annualDiscountRate: 0.1 };

function cdnow() {
  const lines = readFileSync(DATA, "utf8").trim().split(/\r?\n/);
  const header = lines[0].split(",");
  const [ci, di, ai] = ["customer_id", "date", "amount"].map((c) => header.indexOf(c));
  const rows = lines.slice(1).map((line) => {
    const f = line.split(",");
    return { customerId: f[ci], date: day(f[di]), amount: Number(f[ai]) };
  });
  return summarizeTransactions(rows, { calibrationEnd: day("1997-09-30"), period: "week" });
}

function prediction(p: BgNbdParams, c: Rft) {
  return { pAlive: probabilityAlive(p, c.x, c.tx, c.T), ...discountedExpectedPurchases(p, c, OPTS) };
}

describe("degenerate-fit checks on a healthy fit (CDNOW)", () => {
  const summaries = cdnow();
  const bg = fitBgNbd(summaries);
  const gg = fitGammaGamma(summaries);

  it("finds nothing wrong with the BG/NBD fit or any customer's prediction", () => {
    expect(bgNbdDegeneracy(bg, summaries)).toEqual([]);
    const problems = summaries.map((c) => bgNbdPredictionProblem(bg.params, c, OPTS, prediction(bg.params, c))).filter((p) => p !== null);
    expect(problems).toEqual([]);
  });

  it("bounds the conditional expectation by the no-dropout expectation", () => {
    for (const c of summaries.slice(0, 300)) {
      const e = conditionalExpectedPurchases(bg.params, 52, c.x, c.tx, c.T);
      expect(e).toBeLessThanOrEqual(maxConditionalExpectedPurchases(bg.params, 52, c.x, c.T) * (1 + 1e-9));
    }
    // A customer who is certainly alive with no dropout ahead comes close to the bound when
    // dropout is rare (b large): a sharp bound, not a loose one.
    const rare = { ...bg.params, a: 0.01, b: 1e6 };
    const c = { x: 3, tx: 20, T: 21 };
    expect(conditionalExpectedPurchases(rare, 52, c.x, c.tx, c.T) / maxConditionalExpectedPurchases(rare, 52, c.x, c.T)).toBeGreaterThan(0.99);
  });

  it("finds nothing wrong with the Gamma-Gamma fit", () => {
    expect(gammaGammaDegeneracy(gg, summaries)).toEqual([]);
  });
});

describe("degenerate fits of tiny shops", () => {
  it("flags the two-customer shop whose expected purchases overflowed the database (10^138)", () => {
    // C1 bought yesterday and today, C2 first bought today (weeks).
    const rows: Rft[] = [
      { x: 1, tx: 1 / 7, T: 1 / 7 },
      { x: 0, tx: 0, T: 0 },
    ];
    const bg = fitBgNbd(rows);
    expect(bgNbdDegeneracy(bg, rows)).toEqual([]); // finite parameters, some observation time…
    const problems = rows.map((c) => bgNbdPredictionProblem(bg.params, c, OPTS, prediction(bg.params, c)));
    // …but at least one prediction breaks the model's own bounds.
    expect(problems.some((p) => p !== null && /above the bound|expected purchases|discounted/.test(p))).toBe(true);
  });

  it("flags a fit without any observation time (every first purchase today)", () => {
    const rows: Rft[] = [
      { x: 0, tx: 0, T: 0 },
      { x: 0, tx: 0, T: 0 },
    ];
    const bg = fitBgNbd(rows);
    expect(bgNbdDegeneracy(bg, rows).join(" ")).toMatch(/no customer has been observed/);
  });

  it("keeps the fit of a single one-time customer: no repeat purchases, essentially none expected", () => {
    const rows: Rft[] = [{ x: 0, tx: 0, T: 10 / 7 }];
    const bg = fitBgNbd(rows);
    expect(bgNbdDegeneracy(bg, rows)).toEqual([]);
    const p = prediction(bg.params, rows[0]);
    expect(bgNbdPredictionProblem(bg.params, rows[0], OPTS, p)).toBeNull();
    expect(p.pAlive).toBe(1);
    expect(p.expectedPurchases).toBeLessThan(0.01);
  });

  it("rejects impossible predictions: P(alive) outside [0, 1], non-finite values, more purchase days than days", () => {
    const p: BgNbdParams = { r: 0.24, alpha: 4.4, a: 0.79, b: 2.4 };
    const c = { x: 2, tx: 10, T: 20 };
    const ok = prediction(p, c);
    expect(bgNbdPredictionProblem(p, c, OPTS, ok)).toBeNull();
    expect(bgNbdPredictionProblem(p, c, OPTS, { ...ok, pAlive: 1.5 })).toMatch(/P\(alive\)/);
    expect(bgNbdPredictionProblem(p, c, OPTS, { ...ok, expectedPurchases: NaN })).toMatch(/expected purchases = NaN/);
    expect(bgNbdPredictionProblem(p, c, OPTS, { ...ok, expectedPurchases: Infinity })).toMatch(/expected purchases = Infinity/);
    expect(bgNbdPredictionProblem(p, c, OPTS, { ...ok, expectedPurchases: 100 })).toMatch(/above the bound/);
    expect(bgNbdPredictionProblem(p, c, OPTS, { ...ok, discountedPurchases: ok.expectedPurchases * 2 })).toMatch(/discounted/);
    // A huge rate: the model bound is far above a year, the horizon's 364 days cap it.
    const fast: BgNbdParams = { r: 1e6, alpha: 1, a: 0.79, b: 2.4 };
    expect(bgNbdPredictionProblem(fast, c, OPTS, { pAlive: 1, expectedPurchases: 365, discountedPurchases: 300 })).toMatch(/bound 364/);
  });

  it("flags a Gamma-Gamma fit without a finite or plausible average, keeps one fitted on a single repeat customer", () => {
    const rows = [
      { x: 1, monetaryValue: 50 },
      { x: 0, monetaryValue: null },
    ];
    const gg = fitGammaGamma(rows);
    expect(gammaGammaDegeneracy(gg, rows)).toEqual([]);
    expect(expectedAverageValue(gg.params, 0, null)).toBeCloseTo(50, 3);
    const fake = (p: number, q: number, gamma: number): GammaGammaFit => ({ ...gg, params: { p, q, gamma } });
    expect(gammaGammaDegeneracy(fake(2, 0.9, 10), rows).join(" ")).toMatch(/q ≤ 1/);
    expect(gammaGammaDegeneracy(fake(2, 1 + 1e-6, 10), rows).join(" ")).toMatch(/implausible/); // average 2·10^7
    expect(gammaGammaDegeneracy(fake(2, 3, 0.001), rows).join(" ")).toMatch(/implausible/); // average 0.001
    expect(gammaGammaDegeneracy(fake(NaN, 3, 10), rows).join(" ")).toMatch(/not finite/);
  });
});
