import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { messageText, segmentText } from "~/i18n";
import {
  DEFAULT_SEGMENT_RULES,
  OTHERS_KEY,
  RFM_PACKAGE_TEST_RULES,
  aggregateOrders,
  binOf,
  computeBreakpoints,
  matchSegment,
  recencyDays,
  scoreRfm,
  scoreRfmColumns,
  scoreRfmWithBreakpoints,
  BUILT_IN_SEGMENT_KEYS,
  summarizeSegments,
  validateRules,
  type RfmOrderRow,
  type SegmentRule,
} from "~/domain/rfm";

const DATA = path.resolve(process.cwd(), "tests/fixtures/datasets/rfm_data_orders.csv");
const day = (s: string) => new Date(`${s}T00:00:00Z`);

function loadOrders(): RfmOrderRow[] {
  const lines = readFileSync(DATA, "utf8").trim().split(/\r?\n/).slice(1);
  return lines.map((line) => {
    const [c, d, r] = line.split(",").map((f) => f.replace(/^"|"$/g, ""));
    return { customerId: c, date: day(d), revenue: Number(r) };
  });
}

describe("RFM on the rfm package's data set", () => {
  const scored = scoreRfm(aggregateOrders(loadOrders()), day("2006-12-31"), RFM_PACKAGE_TEST_RULES);
  const bySegment = new Map(summarizeSegments(scored, RFM_PACKAGE_TEST_RULES).map((s) => [s.segment, s]));

  it("reproduces the package's published Champions under its test table", () => {
    expect(scored).toHaveLength(995);
    expect(bySegment.get("champions")).toEqual({ segment: "champions", customers: 158, orders: 1234, revenue: 120178 });
  });

  it("accounts for every customer and order exactly once", () => {
    const totals = [...bySegment.values()].reduce((a, s) => ({ c: a.c + s.customers, o: a.o + s.orders }), { c: 0, o: 0 });
    expect(totals).toEqual({ c: 995, o: 4906 });
  });

  it("gives the most recent customers the highest recency score", () => {
    const minRecency = Math.min(...scored.map((s) => s.recencyDays));
    const maxRecency = Math.max(...scored.map((s) => s.recencyDays));
    expect(scored.filter((s) => s.recencyDays === minRecency).every((s) => s.r === 5)).toBe(true);
    expect(scored.filter((s) => s.recencyDays === maxRecency).every((s) => s.r === 1)).toBe(true);
  });
});

describe("breakpoints and bins (type-7 quantiles + 1)", () => {
  it("matches a hand computation on 1..5", () => {
    const bp = computeBreakpoints([5, 3, 1, 4, 2]);
    // Quantiles 1.8, 2.6, 3.4, 4.2, each plus 1.
    bp.breaks.forEach((b, i) => expect(b).toBeCloseTo([2.8, 3.6, 4.4, 5.2][i], 12));
    expect([1, 2, 3, 4, 5].map((v) => binOf(v, bp))).toEqual([1, 1, 2, 3, 4]);
  });

  it("puts ties in the same bin even when bins become unequal", () => {
    const values = [1, 1, 1, 1, 5];
    const bp = computeBreakpoints(values);
    expect(bp.breaks[0]).toBe(2);
    expect(bp.breaks[3]).toBeCloseTo(2.8, 12);
    expect(values.map((v) => binOf(v, bp))).toEqual([1, 1, 1, 1, 5]);
  });

  it("handles two values", () => {
    const bp = computeBreakpoints([10, 20]);
    expect(bp.breaks).toEqual([13, 15, 17, 19]);
    expect(binOf(10, bp)).toBe(1);
    expect(binOf(20, bp)).toBe(5);
  });

  it("scores a single customer as most recent, lowest F and M", () => {
    const [only] = scoreRfm([{ customerId: "a", lastOrderAt: day("2024-01-01"), orders: 3, revenue: 50 }], day("2024-01-11"));
    expect(only).toMatchObject({ recencyDays: 10, r: 5, f: 1, m: 1, segment: "new_customers" });
  });

  it("rejects an empty list of values", () => {
    expect(() => computeBreakpoints([])).toThrow();
    expect(scoreRfm([], day("2024-01-01"))).toEqual([]);
  });
});

describe("order aggregation and recency", () => {
  it("excludes cancelled and test orders", () => {
    const rows: RfmOrderRow[] = [
      { customerId: "a", date: day("2024-01-01"), revenue: 10 },
      { customerId: "a", date: day("2024-02-01"), revenue: 20 },
      { customerId: "a", date: day("2024-03-01"), revenue: 99, cancelled: true },
      { customerId: "b", date: day("2024-01-15"), revenue: 5, test: true },
    ];
    const agg = aggregateOrders(rows);
    expect(agg).toHaveLength(1);
    expect(agg[0]).toMatchObject({ customerId: "a", orders: 2, revenue: 30 });
    expect(agg[0].lastOrderAt.toISOString()).toBe("2024-02-01T00:00:00.000Z");
    expect(agg[0].firstOrderAt?.toISOString()).toBe("2024-01-01T00:00:00.000Z");
  });

  it("counts whole days", () => {
    expect(recencyDays(new Date("2024-01-01T18:00:00Z"), new Date("2024-01-03T06:00:00Z"))).toBe(1);
    expect(recencyDays(day("2006-12-30"), day("2006-12-31"))).toBe(1);
  });
});

describe("segment rules", () => {
  const rules: SegmentRule[] = [
    { key: "top", r: { min: 4, max: 5 }, f: { min: 4, max: 5 }, m: { min: 1, max: 5 } },
    { key: "recent", r: { min: 4, max: 5 }, f: { min: 1, max: 5 }, m: { min: 1, max: 5 } },
  ];

  it("uses the first matching rule with inclusive bounds", () => {
    expect(matchSegment(4, 4, 1, rules)).toBe("top");
    expect(matchSegment(5, 3, 5, rules)).toBe("recent");
  });

  it("falls back to Others", () => {
    expect(matchSegment(3, 5, 5, rules)).toBe(OTHERS_KEY);
    expect(segmentText("fr", OTHERS_KEY)).toBe("Autres");
  });

  it("maps the default table as in the README", () => {
    expect(matchSegment(5, 5, 5, DEFAULT_SEGMENT_RULES)).toBe("champions");
    expect(matchSegment(1, 1, 1, DEFAULT_SEGMENT_RULES)).toBe("lost");
    expect(matchSegment(1, 3, 4, DEFAULT_SEGMENT_RULES)).toBe("cant_lose_them");
    expect(matchSegment(1, 5, 5, DEFAULT_SEGMENT_RULES)).toBe("at_risk");
    expect(matchSegment(2, 1, 5, DEFAULT_SEGMENT_RULES)).toBe(OTHERS_KEY);
  });

  it("has English and French texts with an action for every segment key, in the translation files", () => {
    const keys = new Set([...DEFAULT_SEGMENT_RULES, ...RFM_PACKAGE_TEST_RULES].map((rule) => rule.key));
    for (const key of keys) expect(BUILT_IN_SEGMENT_KEYS).toContain(key);
    for (const key of BUILT_IN_SEGMENT_KEYS) {
      for (const locale of ["en", "fr"] as const) {
        // A missing key falls back to the segment key itself and empty texts.
        expect(segmentText(locale, key)).not.toBe(key);
        expect(segmentText(locale, key, "description").length).toBeGreaterThan(20);
        expect(segmentText(locale, key, "action").length).toBeGreaterThan(20);
      }
    }
    expect(segmentText("en", "champions", "action")).toBe(
      "Reward them with exclusive pre-sales and early access to new products; no discounts needed. Ask for reviews and referrals.",
    );
    expect(segmentText("fr", "cant_lose_them")).toBe("À ne pas perdre");
    expect(segmentText("en", "cant_lose_them")).toBe("Can’t Lose Them");
    expect(segmentText("fr", "vip")).toBe("vip");
    expect(segmentText("fr", "vip", "action")).toBe("");
  });

  it("validates edited rule tables", () => {
    expect(validateRules(DEFAULT_SEGMENT_RULES)).toEqual([]);
    const bad: SegmentRule[] = [
      { key: "Bad Key", r: { min: 0, max: 5 }, f: { min: 3, max: 2 }, m: { min: 1, max: 5 } },
      { key: "others", r: { min: 1, max: 5 }, f: { min: 1, max: 5 }, m: { min: 1, max: 5 } },
    ];
    expect(validateRules(bad)).toEqual([
      { key: "rules.badKey", params: { segment: "Bad Key" } },
      { key: "rules.badRange", params: { segment: "Bad Key", dimension: "R", min: 0, max: 5 } },
      { key: "rules.badRange", params: { segment: "Bad Key", dimension: "F", min: 3, max: 2 } },
      { key: "rules.reservedKey", params: { segment: "others" } },
    ]);
    expect(validateRules(bad).map((p) => messageText("fr", p))[2]).toBe(
      "Segment « Bad Key » : la plage F 3–2 doit être faite de notes entières avec 1 ≤ min ≤ max ≤ 5.",
    );
  });
});

describe("scoreRfmColumns", () => {
  it("scores columns exactly as scoreRfmWithBreakpoints scores rows (breakpoints, scores, segments)", () => {
    // 500 customers with ties in every column (few distinct recencies, orders and amounts).
    const today = new Date("2026-11-22T00:00:00Z");
    const n = 500;
    const recency = Int32Array.from({ length: n }, (_, i) => (i * 37) % 400);
    const orders = Int32Array.from({ length: n }, (_, i) => 1 + ((i * 13) % 7 === 0 ? i % 9 : 0));
    const revenue = Float64Array.from({ length: n }, (_, i) => ((i * 7919) % 1000) / 4 + 0.05);
    const rows = Array.from({ length: n }, (_, i) => ({
      customerId: String(i + 1),
      lastOrderAt: new Date(today.getTime() - recency[i] * 86_400_000),
      orders: orders[i],
      revenue: revenue[i],
    }));
    for (const rules of [DEFAULT_SEGMENT_RULES, RFM_PACKAGE_TEST_RULES]) {
      const fromRows = scoreRfmWithBreakpoints(rows, today, rules);
      const fromColumns = scoreRfmColumns({ count: n, recencyDays: recency, orders, revenue }, rules);
      expect(fromColumns.breakpoints).toEqual(fromRows.breakpoints);
      expect(fromColumns.scored).toEqual(fromRows.scored.map(({ recencyDays, r, f, m, segment }) => ({ recencyDays, r, f, m, segment })));
    }
    expect(scoreRfmColumns({ count: 0, recencyDays: [], orders: [], revenue: [] })).toEqual({ scored: [], breakpoints: null });
  });
});
