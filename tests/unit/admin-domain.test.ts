import { describe, expect, it } from "vitest";
import { conditionalExpectedPurchases } from "~/domain/clv";
import {
  clvSortKey,
  decodeCursor,
  encodeCursor,
  includesCustomersWithoutOrders,
  parseCustomerQuery,
  riskBandOf,
  sortValueParts,
} from "~/domain/customerList";
import { clvRange, expectedPurchasesWithin } from "~/domain/customerOutlook";
import { DEFAULT_SEGMENT_RULES } from "~/domain/rfm";
import { parseRuleTable, segmentCountsOf, segmentRulesOf } from "~/domain/shopSettings";
import { parseSpendCsv } from "~/domain/spendInput";

describe("the customers page's URL", () => {
  it("keeps known filters and drops malformed ones", () => {
    const q = parseCustomerQuery(
      new URLSearchParams(
        "q=%20Dubois%20&segment=at_risk&r=5&f=9&risk=high&clvMin=10,5&clvMax=abc&from=2026-01-01&to=2026-02-30x&sort=monetary&dir=asc",
      ),
    );
    expect(q).toMatchObject({
      filter: { q: "Dubois", segment: "at_risk", r: 5, risk: "high", clvMin: "10.5", from: "2026-01-01" },
      sort: "monetary",
      dir: "asc",
      limit: 50,
    });
    expect(q.filter).not.toHaveProperty("f");
    expect(q.filter).not.toHaveProperty("clvMax");
    expect(parseCustomerQuery(new URLSearchParams("sort=name&segment=DROP%20TABLE"))).toMatchObject({ filter: {}, sort: "lastOrderAt", dir: "desc" });
    expect(includesCustomersWithoutOrders({ q: "x" })).toBe(true);
    expect(includesCustomersWithoutOrders({ risk: "low" })).toBe(false);
  });

  it("round-trips cursors and refuses forged ones", () => {
    for (const c of [
      { phase: 1 as const, value: "2026-11-22T20:32:32.000Z", id: 52451 },
      { phase: 1 as const, value: "-12.5", id: 3 },
      { phase: 2 as const, value: null, id: 7 },
    ]) {
      expect(decodeCursor(encodeCursor(c))).toEqual(c);
    }
    expect(decodeCursor("1.5.v1'; DROP TABLE x")).toBeUndefined();
    expect(decodeCursor("3.5.-")).toBeUndefined();
  });

  it("reads a cursor's sort value in the parts of its sort, and starts over on one that does not fit", () => {
    expect(sortValueParts("predictedClv12m", "150.0000:151.2000")).toEqual(["150.0000", "151.2000"]);
    expect(sortValueParts("predictedClv12m", "151.20")).toBeNull();
    expect(sortValueParts("pAlive", "30")).toEqual(["30"]);
    expect(sortValueParts("pAlive", "2026-11-20T10:00:00.000Z")).toBeNull();
    expect(sortValueParts("lastOrderAt", "2026-11-20T10:00:00.000Z")).toEqual(["2026-11-20T10:00:00.000Z"]);
    expect(parseCustomerQuery(new URLSearchParams("sort=predictedClv12m&after=1.5.v12.5")).after).toBeUndefined();
    expect(parseCustomerQuery(new URLSearchParams("sort=predictedClv12m&before=1.5.v10:12.5")).before).toEqual({ phase: 1, value: "10:12.5", id: 5 });
    expect(parseCustomerQuery(new URLSearchParams("sort=pAlive&after=2.5.-")).after).toEqual({ phase: 2, value: null, id: 5 });
  });

  it("rounds a predicted CLV down to its sort key, a step of 1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8 × 10^k", () => {
    const keys = [
      "0",
      "0.00",
      "0.0001",
      "0.09",
      "0.1",
      "0.99",
      "1",
      "1.19",
      "1.2",
      "7.99",
      "9.9999",
      "10",
      "11.99",
      "99.99",
      "100.00",
      "149.99",
      "250",
      "12345.67",
      "999999999999999.9999",
    ].map(clvSortKey);
    expect(keys).toEqual([
      "0",
      "0",
      "0.0001",
      "0.0001",
      "0.1",
      "0.9",
      "1",
      "1",
      "1.2",
      "6",
      "8",
      "10",
      "10",
      "80",
      "100",
      "120",
      "250",
      "12000",
      "800000000000000",
    ]);
  });

  it("bands churn risk on P(alive)", () => {
    expect([0, 0.29, 0.3, 0.69, 0.7, 1, null].map(riskBandOf)).toEqual(["high", "high", "medium", "medium", "low", "low", null]);
  });
});

describe("rule tables from the settings form", () => {
  it("reports incomplete rows, then the rule problems", () => {
    expect(parseRuleTable("x").problems).toEqual([{ key: "settings.rules.notATable", params: {} }]);
    expect(parseRuleTable([]).problems).toEqual([{ key: "settings.rules.empty", params: {} }]);
    expect(parseRuleTable([{ key: "a", r: { min: 1, max: 5 } }]).problems).toEqual([{ key: "settings.rules.badRow", params: { row: 1 } }]);
    expect(parseRuleTable([{ key: "others", r: { min: 1, max: 5 }, f: { min: 1, max: 5 }, m: { min: 0, max: 5 } }]).problems).toEqual([
      { key: "rules.reservedKey", params: { segment: "others" } },
      { key: "rules.badRange", params: { segment: "others", dimension: "M", min: 0, max: 5 } },
    ]);
    expect(segmentRulesOf({ segmentRules: [{ key: "bad key" }] })).toBeNull();
    expect(segmentRulesOf({ segmentRules: DEFAULT_SEGMENT_RULES })).toEqual(DEFAULT_SEGMENT_RULES);
  });

  it("counts customers per segment from score cells, first matching rule first", () => {
    const cells = [
      { r: 5, f: 5, m: 5, customers: 3 },
      { r: 4, f: 5, m: 5, customers: 2 },
      { r: 1, f: 1, m: 1, customers: 7 },
      { r: 3, f: 1, m: 1, customers: 1 },
    ];
    expect(segmentCountsOf(cells, DEFAULT_SEGMENT_RULES).filter((c) => c.customers > 0)).toEqual([
      { segment: "champions", customers: 3 },
      { segment: "potential_loyalist", customers: 2 },
      { segment: "about_to_sleep", customers: 1 },
      { segment: "lost", customers: 7 },
    ]);
    expect(
      segmentCountsOf([{ r: 1, f: 1, m: 1, customers: 4 }], [{ key: "vip", r: { min: 5, max: 5 }, f: { min: 5, max: 5 }, m: { min: 5, max: 5 } }]),
    ).toEqual([
      { segment: "vip", customers: 0 },
      { segment: "others", customers: 4 },
    ]);
  });
});

describe("pasted marketing spend", () => {
  it("reads commas, semicolons, tabs and decimal commas; names every bad line", () => {
    expect(parseSpendCsv("month,amount\n2026-01,1250.50\n2026-02;1 250,5\n2026-03\t7\n\n")).toEqual({
      lines: [
        { month: "2026-01", amount: "1250.50" },
        { month: "2026-02", amount: "1250.5" },
        { month: "2026-03", amount: "7" },
      ],
      problems: [],
    });
    expect(parseSpendCsv("2026-1,5\n2026-02,-3\n2026-02,1e5\nhello").problems).toEqual([
      { key: "settings.spend.badMonth", params: { line: 1, value: "2026-1" } },
      { key: "settings.spend.badAmount", params: { line: 2, value: "-3" } },
      { key: "settings.spend.badAmount", params: { line: 3, value: "1e5" } },
      { key: "settings.spend.badLine", params: { line: 4 } },
    ]);
    expect(parseSpendCsv(" \n").problems).toEqual([{ key: "settings.spend.empty", params: {} }]);
  });
});

describe("a customer's outlook", () => {
  const params = { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 }; // CDNOW (Fader, Hardie & Lee 2005)
  const c = { firstDay: 0, lastDay: 210, today: 273, purchaseDays: 3 };

  it("is the BG/NBD conditional expectation over the days asked", () => {
    expect(expectedPurchasesWithin(params, c, 91)).toBeCloseTo(conditionalExpectedPurchases(params, 13, 2, 30, 39), 12);
  });

  it("gives a deterministic 80 % CLV range around the estimate", () => {
    const se = { r: 0.0124, alpha: 0.3, a: 0.128, b: 0.6 };
    const range = clvRange(params, se, c, 40)!;
    expect(range).toEqual(clvRange(params, se, c, 40));
    expect(range.low).toBeLessThan(range.high);
    expect(range.low).toBeGreaterThan(0);
    expect(clvRange(params, { ...se, a: null }, c, 40)).toBeNull();
  });
});
