// The NPS arithmetic against values computed by hand (the working is in the comments).
import { describe, expect, it } from "vitest";
import {
  adjustedWaldInterval,
  canAnswer,
  canMoveFollowUp,
  clvBandEdges,
  clvBandOf,
  detractorValue,
  EMPTY_SURVEY_STATE,
  isCheckoutPage,
  monthlyTrend,
  nextAskAt,
  npsGroup,
  shouldAsk,
  summarizeBy,
  summarizeDistribution,
  summarizeScores,
  surveySettingsFrom,
  validateAnswer,
  waldInterval,
} from "~/domain/nps";

const DAY = 86_400_000;

describe("groups and score", () => {
  it("puts 9–10 in promoters, 7–8 in passives, 0–6 in detractors", () => {
    expect([0, 6, 7, 8, 9, 10].map(npsGroup)).toEqual(["detractor", "detractor", "passive", "passive", "promoter", "promoter"]);
    expect(() => npsGroup(11)).toThrow(RangeError);
    expect(() => npsGroup(7.5)).toThrow(RangeError);
    expect(() => npsGroup(-1)).toThrow(RangeError);
  });

  it("scores 50 promoters, 30 passives, 20 detractors as 30 with a 95 % interval", () => {
    // 10×50 + 8×30 + 3×20 answers: P = 50, passives = 30, D = 20, n = 100.
    const dist = [0, 0, 0, 20, 0, 0, 0, 0, 30, 0, 50];
    const s = summarizeDistribution(dist);
    expect(s).toMatchObject({ answers: 100, promoters: 50, passives: 30, detractors: 20, nps: 30, lowSample: false });
    expect(s.promoterShare).toBe(50);
    expect(s.passiveShare).toBe(30);
    expect(s.detractorShare).toBe(20);
    // Plain Wald: p = .5, d = .2, var = (.7 − .3²)/100 = .0061, half-width = 1.96 × .078102 = .153080.
    const w = waldInterval(50, 20, 100)!;
    expect(w.low).toBeCloseTo(14.6922, 4);
    expect(w.high).toBeCloseTo(45.3078, 4);
    // Adjusted Wald: p̃ = 50.75/103 = .492718, d̃ = 20.75/103 = .201456, p̃ − d̃ = .291262,
    // var = (.694175 − .084834)/103 = .0059159, half-width = 1.96 × .076915 = .150751.
    expect(s.interval!.low).toBeCloseTo(14.0511, 4);
    expect(s.interval!.high).toBeCloseTo(44.2013, 4);
  });

  it("keeps a usable interval for tiny samples where Wald collapses", () => {
    // Three answers of 10: Wald gives 100 ± 0, the adjusted interval is 3.75/6 − .75/6 = .5 ± 1.96 × √((.75 − .25)/6) = 50 ± 56.58, clipped to 100.
    expect(waldInterval(3, 0, 3)).toEqual({ low: 100, high: 100 });
    const s = summarizeScores([10, 10, 10]);
    expect(s.nps).toBe(100);
    expect(s.lowSample).toBe(true);
    expect(s.interval!.low).toBeCloseTo(-6.5793, 4);
    expect(s.interval!.high).toBe(100);
    // One promoter and one detractor: 0 ± 1.96 × √(.7/5) = ±73.34.
    const two = adjustedWaldInterval(1, 1, 2)!;
    expect(two.low).toBeCloseTo(-73.3351, 4);
    expect(two.high).toBeCloseTo(73.3351, 4);
  });

  it("has no score and no interval without answers", () => {
    const s = summarizeScores([]);
    expect(s).toMatchObject({ answers: 0, nps: null, interval: null, promoterShare: null, lowSample: true });
    expect(s.distribution).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    expect(() => summarizeDistribution([1, 2])).toThrow(RangeError);
  });

  it("breaks answers down per key, in the order asked, with empty keys kept", () => {
    const rows = [
      { score: 10, key: "champions" },
      { score: 3, key: "at_risk" },
      { score: 9, key: "champions" },
      { score: 7, key: "champions" },
    ] as const;
    const by = summarizeBy(rows, ["champions", "at_risk", "lost"]);
    expect(by.map((b) => [b.key, b.summary.answers, b.summary.nps])).toEqual([
      ["champions", 3, (2 / 3) * 100],
      ["at_risk", 1, -100],
      ["lost", 0, null],
    ]);
  });
});

describe("predicted-CLV bands and value at stake", () => {
  it("cuts at the quartiles (type 7) and keeps customers without a prediction apart", () => {
    // 10, 20, …, 100: q1 = 10 + .25×9×10 = 32.5, q2 = 55, q3 = 77.5.
    const edges = clvBandEdges([10, 20, 30, 40, 50, 60, 70, 80, 90, 100, null]);
    expect(edges).toEqual({ q1: 32.5, q2: 55, q3: 77.5 });
    expect([100, 77.5, 60, 55, 40, 32.5, 10, null].map((v) => clvBandOf(v, edges))).toEqual([
      "top",
      "top",
      "upper",
      "upper",
      "lower",
      "lower",
      "bottom",
      "none",
    ]);
    expect(clvBandEdges([null])).toBeNull();
    expect(clvBandOf(50, null)).toBe("none");
  });

  it("sums revenue and predicted CLV of customers whose latest answer is a detractor's, once each", () => {
    const v = detractorValue([
      { score: 2, customerId: 1, revenue: 100.1, predictedClv12m: 50.05 },
      { score: 3, customerId: 1, revenue: 100.1, predictedClv12m: 50.05 }, // same customer: once
      { score: 0, customerId: 2, revenue: 0.2, predictedClv12m: null },
      { score: 4, customerId: 3, revenue: 999, predictedClv12m: 999 },
      { score: 9, customerId: 3, revenue: 999, predictedClv12m: 999 }, // now a promoter
      { score: 1, customerId: null, revenue: null, predictedClv12m: null }, // anonymous
    ]);
    expect(v).toEqual({ customers: 2, revenue: 100.3, predictedClv12m: 50.05 });
  });
});

describe("monthly trend in the shop's time zone", () => {
  it("puts an answer at 23:30 UTC on 31 January in February for Paris, and keeps empty months", () => {
    const answers = [
      { score: 10, at: new Date("2026-01-31T23:30:00Z") }, // 00:30 on 1 February in Paris
      { score: 2, at: new Date("2026-01-15T12:00:00Z") },
    ];
    const range = { from: new Date("2025-12-31T23:00:00Z"), to: new Date("2026-03-31T22:00:00Z") };
    const trend = monthlyTrend(answers, range, "Europe/Paris");
    expect(trend.map((m) => [m.month, m.summary.answers, m.summary.nps])).toEqual([
      ["2026-01", 1, -100],
      ["2026-02", 1, 100],
      ["2026-03", 0, null],
    ]);
  });
});

describe("answer validation", () => {
  it("accepts integers 0–10 (numbers, or digits from a form) and trims text", () => {
    expect(validateAnswer({ score: 0 })).toEqual({ ok: true, answer: { score: 0, comment: null, page: null } });
    expect(validateAnswer({ score: "10", comment: "  merci  ", page: "/products/x" })).toEqual({
      ok: true,
      answer: { score: 10, comment: "merci", page: "/products/x" },
    });
  });

  it("refuses anything else with a reason", () => {
    expect(validateAnswer({})).toEqual({ ok: false, problem: "score_missing" });
    for (const score of [11, -1, 7.5, "7.5", "abc", true, NaN, [7]])
      expect(validateAnswer({ score })).toEqual({ ok: false, problem: "score_invalid" });
    expect(validateAnswer({ score: 5, comment: 5 })).toEqual({ ok: false, problem: "comment_not_text" });
    expect(validateAnswer({ score: 5, comment: "é".repeat(2000) }).ok).toBe(true);
    expect(validateAnswer({ score: 5, comment: "é".repeat(2001) })).toEqual({ ok: false, problem: "comment_too_long" });
    // 2,000 emoji are 4,000 UTF-16 units but 2,000 characters: accepted.
    expect(validateAnswer({ score: 5, comment: "😀".repeat(2000) }).ok).toBe(true);
    expect(validateAnswer({ score: 5, page: "/x".repeat(300) })).toEqual({ ok: false, problem: "page_too_long" });
  });
});

describe("throttling", () => {
  const now = new Date("2026-06-01T12:00:00Z");
  const settings = surveySettingsFrom({});
  const ask = (state = EMPTY_SURVEY_STATE, extra: Partial<Parameters<typeof shouldAsk>[0]> = {}) =>
    shouldAsk({ now, settings, state, optedOut: false, page: "/", visitId: "v1", ...extra });

  it("reads settings with defaults of 90 and 7 days, refusing nonsense", () => {
    expect(settings).toEqual({ reaskDays: 90, snoozeDays: 7 });
    expect(surveySettingsFrom({ reaskDays: 30, snoozeDays: 3 })).toEqual({ reaskDays: 30, snoozeDays: 3 });
    expect(surveySettingsFrom({ reaskDays: 0, snoozeDays: "7" })).toEqual({ reaskDays: 90, snoozeDays: 7 });
  });

  it("asks a new shopper, never an opted-out one, never on the cart or checkout", () => {
    expect(ask()).toEqual({ ask: true });
    expect(ask(EMPTY_SURVEY_STATE, { optedOut: true })).toEqual({ ask: false, reason: "opted_out" });
    for (const page of ["/cart", "/cart/", "/fr/cart", "/checkout", "/checkouts/cn/abc", "/en-ca/checkouts/x?step=1"]) {
      expect(ask(EMPTY_SURVEY_STATE, { page }), page).toEqual({ ask: false, reason: "checkout_page" });
    }
    for (const page of ["/products/cart-wheel", "/collections/carts", "/pages/checkout-help", null])
      expect(isCheckoutPage(page), String(page)).toBe(false);
  });

  it("waits 90 days after an answer, 7 days after “not now”, and shows once per visit", () => {
    const answered = { ...EMPTY_SURVEY_STATE, lastAnsweredAt: new Date(now.getTime() - 89 * DAY) };
    expect(ask(answered)).toEqual({ ask: false, reason: "answered_recently" });
    expect(ask({ ...answered, lastAnsweredAt: new Date(now.getTime() - 90 * DAY) })).toEqual({ ask: true });
    const snoozed = { ...EMPTY_SURVEY_STATE, lastDismissedAt: new Date(now.getTime() - 6 * DAY) };
    expect(ask(snoozed)).toEqual({ ask: false, reason: "snoozed" });
    expect(ask({ ...snoozed, lastDismissedAt: new Date(now.getTime() - 7 * DAY) })).toEqual({ ask: true });
    // Once per visit: the same visit id, or offered less than 30 minutes ago (no cookie needed).
    const shown = { ...EMPTY_SURVEY_STATE, lastShownVisit: "v1", lastShownAt: new Date(now.getTime() - 31 * 60_000) };
    expect(ask(shown)).toEqual({ ask: false, reason: "shown_this_visit" });
    expect(ask(shown, { visitId: "v2" })).toEqual({ ask: true });
    expect(ask({ ...shown, lastShownAt: new Date(now.getTime() - 29 * 60_000) }, { visitId: null })).toEqual({
      ask: false,
      reason: "shown_this_visit",
    });
    expect(ask({ ...shown, lastShownVisit: null }, { visitId: null })).toEqual({ ask: true });
    expect(nextAskAt({ ...answered, lastDismissedAt: snoozed.lastDismissedAt }, settings)).toEqual(new Date(now.getTime() + DAY));
    expect(nextAskAt(EMPTY_SURVEY_STATE, settings)).toBeNull();
  });

  it("accepts an answer unless opted out or answered inside the window", () => {
    expect(canAnswer({ now, settings, state: EMPTY_SURVEY_STATE, optedOut: false })).toEqual({ ok: true });
    expect(canAnswer({ now, settings, state: EMPTY_SURVEY_STATE, optedOut: true })).toEqual({ ok: false, reason: "opted_out" });
    const last = new Date(now.getTime() - 10 * DAY);
    expect(canAnswer({ now, settings, state: { ...EMPTY_SURVEY_STATE, lastAnsweredAt: last }, optedOut: false })).toEqual({
      ok: false,
      reason: "answered_recently",
      retryAt: new Date(last.getTime() + 90 * DAY),
    });
    // "Not now" does not stop a shopper who decides to answer.
    expect(canAnswer({ now, settings, state: { ...EMPTY_SURVEY_STATE, lastDismissedAt: now }, optedOut: false })).toEqual({ ok: true });
  });
});

describe("follow-up transitions", () => {
  it("move forward only", () => {
    expect(canMoveFollowUp("open", "contacted")).toBe(true);
    expect(canMoveFollowUp("open", "resolved")).toBe(true);
    expect(canMoveFollowUp("contacted", "resolved")).toBe(true);
    expect(canMoveFollowUp("resolved", "open")).toBe(false);
    expect(canMoveFollowUp("contacted", "contacted")).toBe(false);
  });
});
