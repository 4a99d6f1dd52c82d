// The holdout's arm assignment and its arithmetic, against values computed by hand.
import { describe, expect, it } from "vitest";
import { compareArms, fnv1a, inHoldout } from "~/domain/holdout";

describe("holdout arms", () => {
  it("hashes with FNV-1a 32 bit (published test vectors)", () => {
    expect(fnv1a("")).toBe(0x811c9dc5);
    expect(fnv1a("a")).toBe(0xe40c292c);
    expect(fnv1a("foobar")).toBe(0xbf9cf968);
  });

  it("puts a stable share of visitors in the holdout", () => {
    const keys = Array.from({ length: 20_000 }, (_, i) => `c:${7_400_000_000_000 + i}`);
    const held = keys.filter((k) => inHoldout("shop.myshopify.com", k, 0.1)).length;
    // 10 % of 20,000 = 2,000; binomial sd ≈ 42: well within 5 sd.
    expect(Math.abs(held - 2000)).toBeLessThan(210);
    expect(keys.filter((k) => inHoldout("shop.myshopify.com", k, 0.1))).toEqual(keys.filter((k) => inHoldout("shop.myshopify.com", k, 0.1)));
    expect(keys.some((k) => inHoldout("shop.myshopify.com", k, 0))).toBe(false);
  });
});

describe("compareArms", () => {
  it("computes conversion and revenue per visitor lifts with 95 % intervals", () => {
    // Treatment: 1,000 visitors, 50 converters, revenue per visitor values summing to 2,500 with
    // Σx² = 250,000. Holdout: 100 visitors, 3 converters, Σx = 120, Σx² = 9,600.
    const result = compareArms(
      { visitors: 1000, converters: 50, revenue: 2500, revenueSquares: 250_000 },
      { visitors: 100, converters: 3, revenue: 120, revenueSquares: 9600 },
    );
    expect(result.treatment).toEqual({ visitors: 1000, conversionRate: 0.05, revenuePerVisitor: 2.5 });
    expect(result.holdout).toEqual({ visitors: 100, conversionRate: 0.03, revenuePerVisitor: 1.2 });
    // se = sqrt(0.05·0.95/1000 + 0.03·0.97/100) = sqrt(0.0000475 + 0.000291) = sqrt(0.0003385) = 0.0183984
    const conv = result.conversionLift!;
    expect(conv.estimate).toBeCloseTo(0.02, 12);
    expect(conv.low).toBeCloseTo(0.02 - 1.96 * 0.018398369, 7);
    expect(conv.high).toBeCloseTo(0.02 + 1.96 * 0.018398369, 7);
    // Treatment variance = (250000 − 2500²/1000)/999 = 243750/999 = 243.993994; /1000 = 0.243994
    // Holdout variance = (9600 − 120²/100)/99 = 9456/99 = 95.515152; /100 = 0.955152
    // se = sqrt(1.199146) = 1.095055; estimate 1.3
    const rpv = result.revenuePerVisitorLift!;
    expect(rpv.estimate).toBeCloseTo(1.3, 12);
    expect(rpv.low).toBeCloseTo(1.3 - 1.96 * 1.0950552, 6);
    expect(rpv.high).toBeCloseTo(1.3 + 1.96 * 1.0950552, 6);
    expect(result.confidence).toBe(0.95);
  });

  it("says nothing about lift when an arm has fewer than 2 visitors", () => {
    const result = compareArms(
      { visitors: 10, converters: 1, revenue: 20, revenueSquares: 400 },
      { visitors: 1, converters: 0, revenue: 0, revenueSquares: 0 },
    );
    expect(result.conversionLift).toBeNull();
    expect(result.revenuePerVisitorLift).toBeNull();
    expect(
      compareArms({ visitors: 0, converters: 0, revenue: 0, revenueSquares: 0 }, { visitors: 0, converters: 0, revenue: 0, revenueSquares: 0 })
        .treatment.conversionRate,
    ).toBeNull();
  });
});
