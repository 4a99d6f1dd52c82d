// Scoring one customer against a full run's frozen breakpoints and models (domain/incremental.ts):
// the same numbers as the full run's functions, and recency binned as of the run's day.
import { describe, expect, it } from "vitest";
import { frozenScoringOf, scoreWithFrozen } from "~/domain/incremental";
import { NET_SCALE } from "~/domain/money";
import { fitModels, modelSummaryOf, predictCustomers } from "~/domain/predictions";
import { DEFAULT_SEGMENT_RULES, scoreRfmWithBreakpoints } from "~/domain/rfm";

const DAY_MS = 86_400_000;
const TODAY = 20_000;

/** 200 customers with 1–6 purchase days over two years (deterministic). */
function columns() {
  let seed = 11;
  const rand = () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
  const n = 200;
  const c = {
    count: n,
    orders: new Int32Array(n),
    netScaled: new Float64Array(n),
    purchaseDays: new Int32Array(n),
    firstDay: new Int32Array(n),
    lastDay: new Int32Array(n),
    repeatNetRevenue: new Float64Array(n),
  };
  for (let i = 0; i < n; i++) {
    const days = 1 + Math.floor(rand() * rand() * 6);
    c.firstDay[i] = TODAY - 30 - Math.floor(rand() * 700);
    c.lastDay[i] = days === 1 ? c.firstDay[i] : c.firstDay[i] + 1 + Math.floor(rand() * (TODAY - c.firstDay[i] - 1));
    c.purchaseDays[i] = days;
    c.orders[i] = days;
    const first = 1000 + Math.floor(rand() * 9000);
    const repeat = (days - 1) * (2000 + Math.floor(rand() * 8000));
    c.netScaled[i] = (first + repeat) * 100;
    c.repeatNetRevenue[i] = (repeat * 100) / NET_SCALE;
  }
  return c;
}

function fullRun(c: ReturnType<typeof columns>, now: Date) {
  const { scored, breakpoints } = scoreRfmWithBreakpoints(
    Array.from({ length: c.count }, (_, i) => ({
      customerId: String(i),
      lastOrderAt: new Date(c.lastDay[i] * DAY_MS),
      orders: c.orders[i],
      revenue: c.netScaled[i] / NET_SCALE,
    })),
    new Date(TODAY * DAY_MS),
  );
  const model = predictCustomers(fitModels(c, TODAY), now);
  return { scored, breakpoints: breakpoints!, model, summary: modelSummaryOf(model) };
}

describe("scoring with frozen breakpoints and models", () => {
  const c = columns();
  const now = new Date(TODAY * DAY_MS + 15 * 3_600_000);
  const run = fullRun(c, now);
  const scoring = frozenScoringOf(TODAY, run.breakpoints, DEFAULT_SEGMENT_RULES);

  it("on the run's day, gives every customer exactly the full run's scores and predictions", () => {
    expect(run.model.bgDegenerate || run.model.ggDegenerate).toBe(false);
    const { scored, predictions } = scoreWithFrozen(c, scoring, run.summary, TODAY, now);
    expect(scored).toEqual(run.scored.map(({ recencyDays, r, f, m, segment }) => ({ recencyDays, r, f, m, segment })));
    expect(predictions).toEqual(run.model.predictions);
    expect(Array.from(predictions.pAlive).filter(Number.isNaN)).toEqual([]);
  });

  it("days later, ranks recency as of the run's day (thresholds move with the calendar) and ages the models' T", () => {
    const later = new Date(now.getTime() + 3 * DAY_MS);
    const { scored, predictions } = scoreWithFrozen(c, scoring, run.summary, TODAY + 3, later);
    expect(scored.map((s) => s.recencyDays)).toEqual(run.scored.map((s) => s.recencyDays + 3));
    expect(scored.map((s) => [s.r, s.f, s.m, s.segment])).toEqual(run.scored.map((s) => [s.r, s.f, s.m, s.segment]));
    // Three more days without an order: every P(alive) of a repeat customer is lower.
    for (let i = 0; i < c.count; i++) if (c.purchaseDays[i] > 1) expect(predictions.pAlive[i]).toBeLessThan(run.model.predictions!.pAlive[i]);
  });

  it("an order today lifts recency to 5 and is scored against the frozen frequency and monetary breakpoints", () => {
    const one = {
      count: 1,
      orders: [c.orders[0] + 1],
      netScaled: [c.netScaled[0] + 500_000],
      purchaseDays: [c.purchaseDays[0] + 1],
      firstDay: [c.firstDay[0]],
      lastDay: [TODAY + 1],
      repeatNetRevenue: [c.repeatNetRevenue[0] + 50],
    };
    const { scored } = scoreWithFrozen(one, scoring, run.summary, TODAY + 1, new Date(now.getTime() + DAY_MS));
    expect(scored[0].recencyDays).toBe(0);
    expect(scored[0].r).toBe(5);
    const bins = (v: number, b: readonly number[]) => 1 + b.filter((x) => v >= x).length;
    expect(scored[0].f).toBe(bins(one.orders[0], run.breakpoints.frequency.breaks));
    expect(scored[0].m).toBe(bins(one.netScaled[0] / NET_SCALE, run.breakpoints.monetary.breaks));
  });

  it("leaves predictions empty when the stored purchase model was degenerate, and the value empty without a spend model", () => {
    const summary = { ...run.summary, bgnbd: { ...run.summary.bgnbd!, degenerate: true }, gammaGamma: null };
    const { predictions } = scoreWithFrozen(c, scoring, summary, TODAY, now);
    expect(Array.from(predictions.pAlive).every(Number.isNaN)).toBe(true);
    expect(predictions.clv.every((v) => v === null)).toBe(true);
    expect(predictions.averageValue.every((v) => v === null)).toBe(true);
    expect(predictions.nextOrderAt.every((v) => v === null)).toBe(true);
  });
});
