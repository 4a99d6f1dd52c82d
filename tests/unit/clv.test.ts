import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { encodeMessageRef } from "~/domain/messageRef";
import { messageText } from "~/i18n";
import {
  CONFIDENCE_THRESHOLDS,
  assessConfidence,
  bgnbdLikelihoodDerivatives,
  bgnbdLogLikelihood,
  conditionalExpectedPurchases,
  customerClv,
  discountedExpectedPurchasesOf,
  expectedAverageValue,
  expectedNextOrderDate,
  expectedNextOrderPeriods,
  expectedPurchases,
  fitBgNbd,
  fitGammaGamma,
  fitGammaGammaGrouped,
  gammaGammaLikelihoodDerivatives,
  groupRft,
  groupRftArrays,
  groupSpend,
  predictRftColumns,
  probabilityAlive,
  probabilityOfPurchaseWithin,
  probabilityOfPurchases,
  summarizeTransactions,
  type BgNbdParams,
  type GroupedRft,
  type TransactionRow,
} from "~/domain/clv";
import { newtonMaximize, numericalHessian, standardErrorsFromHessian, trigamma } from "~/domain/stats";

const DATA = path.resolve(process.cwd(), "tests/fixtures/datasets/cdnow_sample_transactions.csv");
const BTYD: BgNbdParams = { r: 0.2425982, alpha: 4.4136842, a: 0.7929899, b: 2.4261667 };
const day = (s: string) => new Date(`${s}T00:00:00Z`);

function loadCdnow(): TransactionRow[] {
  const lines = readFileSync(DATA, "utf8").trim().split(/\r?\n/);
  const header = lines[0].split(",");
  const [ci, di, ai] = ["customer_id", "date", "amount"].map((c) => header.indexOf(c));
  return lines.slice(1).map((line) => {
    const f = line.split(",");
    return { customerId: f[ci], date: day(f[di]), amount: Number(f[ai]) };
  });
}

const summaries = summarizeTransactions(loadCdnow(), { calibrationEnd: day("1997-09-30"), period: "week" });

describe("CDNOW summaries (x, t_x, T, monetary value)", () => {
  it("has the published customer counts", () => {
    expect(summaries).toHaveLength(2357);
    expect(summaries.filter((s) => s.x > 0)).toHaveLength(946);
  });

  it("matches BTYD's customer 1516", () => {
    const c = summaries.find((s) => s.customerId === "1516")!;
    expect(c.x).toBe(26);
    expect(c.tx).toBeCloseTo(30.85714, 5);
    expect(c.T).toBeCloseTo(31, 10);
  });
});

describe("BG/NBD fit on the CDNOW sample", () => {
  const fit = fitBgNbd(summaries);

  it("finds BTYD's maximum-likelihood parameters", () => {
    expect(Math.abs(fit.params.r - BTYD.r)).toBeLessThan(0.001);
    expect(Math.abs(fit.params.alpha - BTYD.alpha)).toBeLessThan(0.001);
    expect(Math.abs(fit.params.a - BTYD.a)).toBeLessThan(0.001);
    expect(Math.abs(fit.params.b - BTYD.b)).toBeLessThan(0.001);
    expect(Math.abs(fit.logLikelihood - -9582.429)).toBeLessThan(0.01);
    expect(fit.converged).toBe(true);
  });

  it("scores BTYD's parameters at the published log-likelihood", () => {
    expect(bgnbdLogLikelihood(BTYD, groupRft(summaries))).toBeCloseTo(-9582.429, 2);
  });

  it("reports finite standard errors and is not low-confidence", () => {
    for (const v of Object.values(fit.standardErrors)) {
      expect(v).not.toBeNull();
      expect(v!).toBeGreaterThan(0);
    }
    // Fader, Hardie & Lee's spreadsheet gives SE(r) ≈ 0.0126 on these data.
    expect(fit.standardErrors.r!).toBeGreaterThan(0.01);
    expect(fit.standardErrors.r!).toBeLessThan(0.015);
    expect(assessConfidence(fit).lowConfidence).toBe(false);
  });
});

describe("BG/NBD predictions with BTYD's parameters", () => {
  it("customer 1516: expected purchases in 52 weeks and P(alive)", () => {
    // 25.75659 published; the exact value with the rounded parameters is 25.756536 (40-digit check).
    expect(Math.abs(conditionalExpectedPurchases(BTYD, 52, 26, 30.85714, 31) - 25.75659)).toBeLessThan(1e-4);
    expect(conditionalExpectedPurchases(BTYD, 52, 26, 30.85714, 31)).toBeCloseTo(25.756536041055, 9);
    expect(Math.abs(probabilityAlive(BTYD, 26, 30.85714, 31) - 0.9688523)).toBeLessThan(1e-6);
  });

  it("x = 2, t_x = 30.43, T = 38.86: 1.226 purchases in the next 39 weeks", () => {
    expect(conditionalExpectedPurchases(BTYD, 39, 2, 30.43, 38.86)).toBeCloseTo(1.226, 3);
  });

  it("unconditional E[X(52)] = 1.444004", () => {
    expect(Math.abs(expectedPurchases(BTYD, 52) - 1.444004)).toBeLessThan(1e-6);
    // 40-digit evaluation of FHL eq. 9 (mpmath): 1.44400480103592...
    expect(expectedPurchases(BTYD, 52)).toBeCloseTo(1.444004801035927, 11);
  });

  it("P(X(t) = n) is a distribution whose mean is E[X(t)]", () => {
    let total = 0;
    let mean = 0;
    for (let n = 0; n < 400; n++) {
      const p = probabilityOfPurchases(BTYD, n, 52);
      total += p;
      mean += n * p;
    }
    expect(total).toBeCloseTo(1, 8);
    expect(mean).toBeCloseTo(1.4440048, 6);
    expect(probabilityOfPurchases(BTYD, 0, 0)).toBe(1);
    expect(probabilityOfPurchases(BTYD, 3, 0)).toBe(0);
  });

  it("P(alive) = 1 for x = 0, whatever the time since the first purchase", () => {
    expect(probabilityAlive(BTYD, 0, 0, 38.86)).toBe(1);
    expect(probabilityAlive(BTYD, 0, 0, 1e6)).toBe(1);
  });
});

describe("numerical stability at extreme inputs", () => {
  const cases: [number, number, number][] = [
    [1000, 10, 100],
    [1000, 100, 100],
    [5000, 1, 5000],
    [0, 0, 0],
    [0, 0, 1e6],
    [1, 1e-9, 1e6],
    [300, 299.9, 300],
  ];

  it("x = 1000, t_x = 10, T = 100 is almost surely dead", () => {
    expect(probabilityAlive(BTYD, 1000, 10, 100)).toBeLessThan(1e-100);
    expect(conditionalExpectedPurchases(BTYD, 52, 1000, 10, 100)).toBeLessThan(1e-100);
  });

  it("never returns NaN or Infinity", () => {
    for (const [x, tx, T] of cases) {
      for (const t of [0, 1e-6, 1, 52, 1e4]) {
        const values = [
          probabilityAlive(BTYD, x, tx, T),
          conditionalExpectedPurchases(BTYD, t, x, tx, T),
          probabilityOfPurchaseWithin(BTYD, t, x, tx, T),
          expectedNextOrderPeriods(BTYD, x, tx, T) ?? 0,
        ];
        for (const v of values) expect(Number.isFinite(v)).toBe(true);
      }
    }
    const weird: BgNbdParams[] = [
      { r: 1e-6, alpha: 1e-6, a: 1e-6, b: 1e-6 },
      { r: 1e6, alpha: 1e6, a: 1e6, b: 1e6 },
      { r: 0.5, alpha: 10, a: 1, b: 2 }, // a = 1: removable singularity
      { r: 0.5, alpha: 10, a: 0.3, b: 0.4 }, // a + b < 1
    ];
    for (const p of weird) {
      for (const [x, tx, T] of cases) {
        expect(Number.isFinite(conditionalExpectedPurchases(p, 52, x, tx, T))).toBe(true);
        expect(Number.isFinite(probabilityAlive(p, x, tx, T))).toBe(true);
      }
      expect(Number.isFinite(expectedPurchases(p, 52))).toBe(true);
      expect(Number.isFinite(probabilityOfPurchases(p, 5, 52))).toBe(true);
    }
  });

  it("is continuous across a = 1", () => {
    const near = (a: number) => conditionalExpectedPurchases({ r: 0.5, alpha: 10, a, b: 2 }, 52, 3, 20, 30);
    expect(near(1)).toBeCloseTo(near(1 + 1e-4), 3);
    expect(near(1)).toBeCloseTo(near(1 - 1e-4), 3);
  });

  it("gives large buyers with a recent purchase many expected purchases", () => {
    const e = conditionalExpectedPurchases(BTYD, 52, 1000, 100, 100);
    expect(e).toBeGreaterThan(300);
    expect(e).toBeLessThan(600);
  });
});

describe("Gamma-Gamma spend model", () => {
  const gg = fitGammaGamma(summaries);

  it("reproduces Fader & Hardie's p, q, gamma on 946 customers", () => {
    expect(gg.customers).toBe(946);
    expect(Math.abs(gg.params.p - 6.25)).toBeLessThan(0.01);
    expect(Math.abs(gg.params.q - 3.74)).toBeLessThan(0.01);
    expect(Math.abs(gg.params.gamma - 15.44)).toBeLessThan(0.01);
  });

  it("shrinks a customer's mean towards the population mean", () => {
    const pop = expectedAverageValue(gg.params, 0, null)!;
    expect(pop).toBeCloseTo((gg.params.gamma * gg.params.p) / (gg.params.q - 1), 10);
    const few = expectedAverageValue(gg.params, 1, 100)!;
    const many = expectedAverageValue(gg.params, 50, 100)!;
    expect(few).toBeGreaterThan(pop);
    expect(few).toBeLessThan(many);
    expect(many).toBeLessThan(100);
    expect(expectedAverageValue({ p: 1, q: 0.9, gamma: 1 }, 2, 10)).toBeNull();
  });
});

describe("CLV and next order date", () => {
  const c = { x: 2, tx: 30.43, T: 38.86 };

  it("without discounting equals expected purchases × average value", () => {
    const res = customerClv(BTYD, 40, c, { horizon: 39, periodDays: 7 });
    expect(res.expectedPurchases).toBeCloseTo(1.226, 3);
    expect(res.clv!).toBeCloseTo(res.expectedPurchases * 40, 10);
  });

  it("discounting lowers the value, and more for a longer horizon", () => {
    const flat = customerClv(BTYD, 40, c, { horizon: 104, periodDays: 7 }).clv!;
    const disc = customerClv(BTYD, 40, c, { horizon: 104, periodDays: 7, annualDiscountRate: 0.1 }).clv!;
    expect(disc).toBeLessThan(flat);
    // Purchases fall within two years, so the discount factor is between 1/1.1² and 1.
    expect(disc).toBeGreaterThan(flat / 1.21);
    expect(customerClv(BTYD, null, c, { horizon: 52, periodDays: 7 }).clv).toBeNull();
  });

  it("the next order date is the median waiting time", () => {
    const t = expectedNextOrderPeriods(BTYD, 26, 30.85714, 31)!;
    expect(probabilityOfPurchaseWithin(BTYD, t, 26, 30.85714, 31)).toBeCloseTo(0.5, 10);
    // Customer 1516 buys almost weekly: the next purchase is expected within about a week.
    expect(t).toBeGreaterThan(0.3);
    expect(t).toBeLessThan(2);
    const date = expectedNextOrderDate(BTYD, { x: 26, tx: 30.85714, T: 31 }, day("1997-09-30"), 7)!;
    expect(date.getTime()).toBeCloseTo(day("1997-09-30").getTime() + t * 7 * 86_400_000, -1);
  });

  it("for many customers at once (kept per (x, T)) is exactly the monthly sum of one customer at a time", () => {
    const opts = { horizon: 52, periodDays: 7, annualDiscountRate: 0.1 };
    const many = discountedExpectedPurchasesOf(BTYD, opts);
    const step = 365.25 / 12 / 7;
    // Several t_x for each (x, T), so most answers come from the kept series.
    for (const s of summaries) {
      for (const tx of [s.tx, s.tx / 2, 0]) {
        const c = { x: s.x, tx: s.x > 0 ? tx : 0, T: s.T };
        let prev = 0;
        let discounted = 0;
        for (let k = 1; k <= 12; k++) {
          const t = k === 12 ? 52 : k * step;
          const e = conditionalExpectedPurchases(BTYD, t, c.x, c.tx, c.T);
          discounted += (e - prev) / Math.pow(1.1, (t * 7) / 365.25);
          prev = e;
        }
        expect(many(c)).toEqual({ expectedPurchases: prev, discountedPurchases: discounted });
      }
    }
  });

  it("over columns (predictRftColumns, the CLI's groups) gives the same numbers bit for bit", () => {
    const opts = { horizon: 52, periodDays: 7, annualDiscountRate: 0.1 };
    const many = discountedExpectedPurchasesOf(BTYD, opts);
    const rows = summaries.flatMap((s) => [s.tx, s.tx / 2, 0].map((tx) => ({ x: s.x, tx: s.x > 0 ? tx : 0, T: s.T })));
    const col = (f: (r: (typeof rows)[number]) => number) => Float64Array.from(rows, f);
    const out = { pAlive: new Float64Array(rows.length), expected: new Float64Array(rows.length), discounted: new Float64Array(rows.length) };
    predictRftColumns(
      BTYD,
      opts,
      col((r) => r.x),
      col((r) => r.tx),
      col((r) => r.T),
      out,
    );
    rows.forEach((r, i) => {
      const d = many(r);
      expect([out.pAlive[i], out.expected[i], out.discounted[i]]).toEqual([
        probabilityAlive(BTYD, r.x, r.tx, r.T),
        d.expectedPurchases,
        d.discountedPurchases,
      ]);
    });
  });

  it("is null when the customer is unlikely to buy again", () => {
    expect(expectedNextOrderPeriods(BTYD, 1000, 10, 100)).toBeNull();
    // x = 0 is "alive" but buys rarely: the median wait is far beyond two years.
    expect(expectedNextOrderDate(BTYD, { x: 0, tx: 0, T: 38.86 }, day("1997-09-30"), 7)).toBeNull();
  });
});

describe("transaction summaries", () => {
  it("merges same-day transactions and excludes the first purchase from the monetary value", () => {
    const rows: TransactionRow[] = [
      { customerId: "a", date: day("2024-01-01"), amount: 100 },
      { customerId: "a", date: day("2024-01-08"), amount: 10 },
      { customerId: "a", date: day("2024-01-08"), amount: 20 },
      { customerId: "a", date: day("2024-01-15"), amount: 50 },
      { customerId: "a", date: day("2024-02-01"), amount: 999 }, // after calibration
      { customerId: "b", date: day("2024-01-29"), amount: 5 },
      { customerId: "c", date: day("2024-02-02"), amount: 5 }, // first purchase after calibration
    ];
    const s = summarizeTransactions(rows, { calibrationEnd: day("2024-01-29"), period: "week" });
    expect(s).toEqual([
      { customerId: "a", x: 2, tx: 2, T: 4, monetaryValue: 40 },
      { customerId: "b", x: 0, tx: 0, T: 0, monetaryValue: null },
    ]);
    const days = summarizeTransactions(rows, { calibrationEnd: day("2024-01-29"), period: "day" });
    expect(days[0]).toMatchObject({ x: 2, tx: 14, T: 28 });
  });

  it("takes calendar days in the shop's time zone", () => {
    const rows: TransactionRow[] = [
      { customerId: "a", date: new Date("2024-01-01T10:00:00Z"), amount: 1 },
      // 23:30 UTC on 1 Jan is 2 Jan in Paris: a separate purchase day there, not in UTC.
      { customerId: "a", date: new Date("2024-01-01T23:30:00Z"), amount: 1 },
    ];
    const end = new Date("2024-01-10T12:00:00Z");
    expect(summarizeTransactions(rows, { calibrationEnd: end, period: "day" })[0].x).toBe(0);
    expect(summarizeTransactions(rows, { calibrationEnd: end, period: "day", timeZone: "Europe/Paris" })[0]).toMatchObject({ x: 1, tx: 1 });
  });
});

describe("data-size confidence", () => {
  it("flags a small fit but still returns parameters and standard errors", () => {
    const small = summaries.slice(0, 120);
    const fit = fitBgNbd(small);
    const report = assessConfidence(fit);
    expect(fit.customers).toBeLessThan(CONFIDENCE_THRESHOLDS.minCustomers);
    expect(report.lowConfidence).toBe(true);
    expect(report.issues[0]).toEqual({ key: "confidence.fewCustomers", params: { customers: 120, min: 300 } });
    expect(report.reasons).toEqual(report.issues.map(encodeMessageRef));
    expect(messageText("en", report.issues[0])).toBe("Only 120 customers (at least 300 recommended).");
    expect(messageText("fr", report.issues[0])).toBe("Seulement 120 clients (au moins 300 recommandés).");
    expect(Number.isFinite(fit.params.r)).toBe(true);
    expect(report.bgnbdStandardErrors).toBe(fit.standardErrors);
  });

  it("degenerate data (nobody came back) still gives finite numbers, flagged low-confidence", () => {
    const rows = Array.from({ length: 50 }, (_, i) => ({ x: 0, tx: 0, T: 10 + i }));
    const fit = fitBgNbd(rows);
    for (const v of Object.values(fit.params)) expect(Number.isFinite(v)).toBe(true);
    expect(Number.isFinite(fit.logLikelihood)).toBe(true);
    expect(assessConfidence(fit).lowConfidence).toBe(true);
    expect(Number.isFinite(conditionalExpectedPurchases(fit.params, 52, 0, 0, 30))).toBe(true);
    expect(() => fitGammaGamma(rows.map((r) => ({ x: r.x, monetaryValue: null })))).toThrow(/no customers with repeat purchases/);
  });

  it("rejects inconsistent summaries", () => {
    expect(() => fitBgNbd([{ x: 1, tx: 5, T: 3 }])).toThrow(/t_x <= T/);
  });
});

/** A seeded uniform generator and Gamma variates (Marsaglia–Tsang, with the shape < 1 boost). */
function storyRandom(start: number) {
  let seed = start;
  const rand = () => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return (seed + 0.5) / 2 ** 32;
  };
  const gamma = (shape: number): number => {
    if (shape < 1) return gamma(shape + 1) * rand() ** (1 / shape);
    const d = shape - 1 / 3;
    const c = 1 / Math.sqrt(9 * d);
    for (;;) {
      const u1 = rand();
      const z = Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * rand());
      const v = (1 + c * z) ** 3;
      if (v > 0 && Math.log(rand()) < 0.5 * z * z + d - d * v + d * Math.log(v)) return d * v;
    }
  };
  return { rand, gamma };
}

describe("fits on sufficient statistics (grouped customers)", () => {
  const rel = (u: number, v: number) => Math.abs(u - v) / Math.abs(v);

  it("groups identical (x, t_x, T) triples, 0 and −0 alike, remembering each customer's group", () => {
    const g = groupRftArrays([0, -0, 1, 1, 0], [0, 0, 2, 2, 0], [5, 5, 7, 7.5, 5]);
    expect([...g.x]).toEqual([0, 1, 1]);
    expect([...g.tx]).toEqual([0, 2, 2]);
    expect([...g.T]).toEqual([5, 7, 7.5]);
    expect([...g.weight]).toEqual([3, 1, 1]);
    expect([...g.groupOf]).toEqual([0, 0, 1, 2, 0]);
    expect(g.repeatCustomers).toBe(2);
    const s = groupSpend([1, 10, 2, 10, 1, 10, 1, 10.5]);
    expect([...s.x]).toEqual([1, 2, 1]);
    expect([...s.m]).toEqual([10, 10, 10.5]);
    expect([...s.weight]).toEqual([2, 1, 1]);
  });

  it("BG/NBD on (x, t_x, T) groups lands on the optimum of the one-row-per-customer fit, to 1e-9", () => {
    const grouped = groupRft(summaries);
    expect(grouped.customers).toBe(2357);
    expect(grouped.x.length).toBe(GROUPS_RFT);
    expect(grouped.weight.reduce((s, w) => s + w, 0)).toBe(2357);
    const n = summaries.length;
    const ungrouped: GroupedRft = {
      x: Float64Array.from(summaries, (c) => c.x),
      tx: Float64Array.from(summaries, (c) => c.tx),
      T: Float64Array.from(summaries, (c) => c.T),
      weight: new Float64Array(n).fill(1),
      customers: n,
      repeatCustomers: summaries.filter((c) => c.x > 0).length,
    };
    const a = fitBgNbd(grouped);
    const b = fitBgNbd(ungrouped);
    for (const k of ["r", "alpha", "a", "b"] as const) expect(rel(a.params[k], b.params[k])).toBeLessThan(1e-9);
    expect(rel(a.logLikelihood, b.logLikelihood)).toBeLessThan(1e-12);
    expect(Math.abs(a.logLikelihood - -9582.429)).toBeLessThan(0.01);
  });

  it("BG/NBD on many groups: starting points raced on a sample, then one descent, land on the optimum of the full race, to 1e-9", () => {
    // 40,000 customers drawn from the BG/NBD story (continuous times: every customer is a group).
    const { rand, gamma } = storyRandom(11);
    const rows: { x: number; tx: number; T: number }[] = [];
    for (let i = 0; i < 40_000; i++) {
      const T = 10 + rand() * 150;
      const lambda = gamma(0.8) / 4;
      const g1 = gamma(0.9);
      const p = g1 / (g1 + gamma(4));
      let t = 0;
      let x = 0;
      let tx = 0;
      for (;;) {
        t += -Math.log(rand()) / lambda;
        if (t > T) break;
        x++;
        tx = t;
        if (rand() < p) break;
      }
      rows.push({ x, tx, T });
    }
    const grouped = groupRft(rows);
    expect(grouped.x.length).toBeGreaterThan(20_000);
    const raced = fitBgNbd(grouped);
    const full = fitBgNbd(grouped, { sampleStartsAboveGroups: Infinity });
    expect(raced.converged).toBe(true);
    for (const k of ["r", "alpha", "a", "b"] as const) expect(rel(raced.params[k], full.params[k])).toBeLessThan(1e-9);
    expect(rel(raced.logLikelihood, full.logLikelihood)).toBeLessThan(1e-12);
    // An interior optimum near the story's parameters (r = 0.8, α = 4, a = 0.9, b = 4).
    expect(raced.params.r).toBeGreaterThan(0.6);
    expect(raced.params.r).toBeLessThan(1);
    expect(raced.params.b).toBeLessThan(20);
    // A start near the optimum needs one descent and finds the same point.
    const warm = fitBgNbd(grouped, { start: { r: 0.7, alpha: 3, a: 1, b: 5 } });
    for (const k of ["r", "alpha", "a", "b"] as const) expect(rel(warm.params[k], full.params[k])).toBeLessThan(1e-9);
  });

  it("Gamma-Gamma on many groups: starting points raced on a sample, then Newton, land on the optimum of the full race, to 1e-9", () => {
    // 30,000 repeat customers from the Gamma-Gamma story (p = 6, q = 4, γ = 15): x purchases of
    // Gamma(p, ν) values, ν ~ Gamma(q, γ); continuous means, so every customer is a group.
    const { rand, gamma } = storyRandom(5);
    const pairs: number[] = [];
    for (let i = 0; i < 30_000; i++) {
      const x = 1 + Math.floor(rand() * 8);
      const nu = gamma(4) / 15;
      let sum = 0;
      for (let k = 0; k < x; k++) sum += gamma(6) / nu;
      pairs.push(x, sum / x);
    }
    const grouped = groupSpend(pairs);
    expect(grouped.x.length).toBe(30_000);
    const raced = fitGammaGammaGrouped(grouped);
    const full = fitGammaGammaGrouped(grouped, { sampleStartsAboveGroups: Infinity });
    expect(raced.converged).toBe(true);
    for (const k of ["p", "q", "gamma"] as const) expect(rel(raced.params[k], full.params[k])).toBeLessThan(1e-9);
    expect(rel(raced.logLikelihood, full.logLikelihood)).toBeLessThan(1e-12);
    // Near the story's parameters.
    expect(Math.abs(raced.params.p - 6)).toBeLessThan(0.5);
    expect(Math.abs(raced.params.q - 4)).toBeLessThan(0.5);
  });

  it("Gamma-Gamma on (x, m) groups lands on the optimum of the one-row-per-customer fit, to 1e-9", () => {
    const repeat = summaries.filter((c) => c.x > 0 && c.monetaryValue! > 0);
    const grouped = groupSpend(repeat.flatMap((c) => [c.x, c.monetaryValue!]));
    expect(grouped.customers).toBe(946);
    expect(grouped.x.length).toBe(GROUPS_SPEND);
    const ungrouped = {
      x: Float64Array.from(repeat, (c) => c.x),
      m: Float64Array.from(repeat, (c) => c.monetaryValue!),
      weight: new Float64Array(repeat.length).fill(1),
      customers: repeat.length,
    };
    const a = fitGammaGammaGrouped(grouped);
    const b = fitGammaGammaGrouped(ungrouped);
    const viaRows = fitGammaGamma(summaries);
    for (const k of ["p", "q", "gamma"] as const) {
      expect(rel(a.params[k], b.params[k])).toBeLessThan(1e-9);
      expect(viaRows.params[k]).toBe(a.params[k]);
    }
    expect(rel(a.logLikelihood, b.logLikelihood)).toBeLessThan(1e-12);
  });
});

describe("Newton's method with analytic Hessians", () => {
  const rel = (u: number, v: number) => Math.abs(u - v) / Math.max(Math.abs(v), 1e-300);

  it("trigamma: known values and the recurrence", () => {
    expect(rel(trigamma(1), Math.PI ** 2 / 6)).toBeLessThan(1e-14);
    expect(rel(trigamma(0.5), Math.PI ** 2 / 2)).toBeLessThan(1e-14);
    expect(rel(trigamma(2.5) + 1 / 2.5 ** 2, trigamma(1.5 + 1) + 1 / 2.5 ** 2)).toBe(0);
    expect(rel(trigamma(3.7), trigamma(4.7) + 1 / 3.7 ** 2)).toBeLessThan(1e-14);
    expect(trigamma(0)).toBeNaN();
  });

  it("BG/NBD: the gradient and Hessian are those of the log-likelihood (central differences), at two points", () => {
    const grouped = groupRft(summaries);
    for (const at of [BTYD, { r: 0.5, alpha: 2, a: 1.5, b: 6 }]) {
      const d = bgnbdLikelihoodDerivatives(at, grouped);
      expect(d.f).toBe(bgnbdLogLikelihood(at, grouped));
      const keys = ["r", "alpha", "a", "b"] as const;
      const v = keys.map((k) => at[k]);
      const toP = (u: number[]) => ({ r: u[0], alpha: u[1], a: u[2], b: u[3] });
      keys.forEach((_, j) => {
        const h = 1e-6 * v[j];
        const up = v.slice();
        const down = v.slice();
        up[j] += h;
        down[j] -= h;
        const numeric = (bgnbdLogLikelihood(toP(up), grouped) - bgnbdLogLikelihood(toP(down), grouped)) / (2 * h);
        // Absolute, on the scale of the log-likelihood (at BTYD's optimum the gradient is ≈ 0).
        expect(Math.abs(d.g[j] - numeric) * v[j]).toBeLessThan(1e-7 * Math.abs(d.f));
      });
      const H = numericalHessian((u) => bgnbdLikelihoodDerivatives(toP(u), grouped).g, v);
      for (let i = 0; i < 4; i++) for (let j = 0; j < 4; j++) expect(Math.abs(d.H[i][j] - H[i][j])).toBeLessThan(1e-6 * Math.abs(H[i][i]));
    }
  });

  it("Gamma-Gamma: the gradient and Hessian are those of the log-likelihood (central differences)", () => {
    const repeat = summaries.filter((c) => c.x > 0 && c.monetaryValue! > 0);
    const grouped = groupSpend(repeat.flatMap((c) => [c.x, c.monetaryValue!]));
    for (const at of [
      { p: 6.25, q: 3.74, gamma: 15.44 },
      { p: 2, q: 8, gamma: 40 },
    ]) {
      const d = gammaGammaLikelihoodDerivatives(at, grouped);
      const v = [at.p, at.q, at.gamma];
      const toP = (u: number[]) => ({ p: u[0], q: u[1], gamma: u[2] });
      v.forEach((_, j) => {
        const h = 1e-6 * v[j];
        const up = v.slice();
        const down = v.slice();
        up[j] += h;
        down[j] -= h;
        const numeric = (gammaGammaLikelihoodDerivatives(toP(up), grouped).f - gammaGammaLikelihoodDerivatives(toP(down), grouped).f) / (2 * h);
        expect(Math.abs(d.g[j] - numeric) * v[j]).toBeLessThan(1e-7 * Math.abs(d.f));
      });
      const H = numericalHessian((u) => gammaGammaLikelihoodDerivatives(toP(u), grouped).g, v);
      for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) expect(Math.abs(d.H[i][j] - H[i][j])).toBeLessThan(1e-6 * Math.abs(H[i][i]));
    }
  });

  it("the published CDNOW fit: standard errors from the analytic Hessian at the optimum", () => {
    const fit = fitBgNbd(groupRft(summaries));
    const x = [fit.params.r, fit.params.alpha, fit.params.a, fit.params.b];
    const d = bgnbdLikelihoodDerivatives(fit.params, groupRft(summaries));
    // At the optimum the gradient vanishes (to rounding of a sum of 2,357 terms).
    for (let j = 0; j < 4; j++) expect(Math.abs(d.g[j] * x[j])).toBeLessThan(1e-6);
    const se = Object.values(fit.standardErrors) as number[];
    // The same as from a central-difference Hessian of the gradient (what the fit used before).
    const d0 = (u: number[]) => bgnbdLikelihoodDerivatives({ r: u[0], alpha: u[1], a: u[2], b: u[3] }, groupRft(summaries));
    const numeric = standardErrorsFromHessian(numericalHessian((u) => d0(u).g.map((v) => -v), x));
    se.forEach((v, j) => expect(rel(v, numeric[j]!)).toBeLessThan(1e-8));
    expect(se.map((v) => Number(v.toPrecision(4)))).toEqual([0.01256, 0.3782, 0.1857, 0.7054]);
  });

  it("newtonMaximize climbs a concave function to its maximum and refuses a convex one", () => {
    // f = −(x − 2)² − 3(y − 1)² + (x − 2)(y − 1): maximum at (2, 1).
    const concave = (u: number[]) => {
      const [a, b] = [u[0] - 2, u[1] - 1];
      return {
        f: -a * a - 3 * b * b + a * b,
        g: [-2 * a + b, -6 * b + a],
        H: [
          [-2, 1],
          [1, -6],
        ],
      };
    };
    const top = newtonMaximize(concave, [0.5, 3])!;
    expect(top.x[0]).toBeCloseTo(2, 14);
    expect(top.x[1]).toBeCloseTo(1, 14);
    expect(top.iterations).toBe(2);
    const convex = (u: number[]) => ({ f: u[0] * u[0], g: [2 * u[0]], H: [[2]] });
    expect(newtonMaximize(convex, [1])).toBeNull();
  });
});

// Distinct (x, t_x, T) triples and (x, m) pairs among the CDNOW sample's 2,357 and 946 customers.
const GROUPS_RFT = 1016;
const GROUPS_SPEND = 760;
