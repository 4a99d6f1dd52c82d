// The pure helpers of the daily analysis: calendar days, exact money strings and the
// empty-shop predictions.
import { describe, expect, it } from "vitest";
import { moneyToDecimal, scaledToDecimal, unitsToDecimal } from "~/domain/money";
import { fitModels, modelSummaryOf, predictCustomers } from "~/domain/predictions";
import { dayLabel, daysFromCivil, nextDay, parseDayLabel, startOfDayNumber } from "~/domain/time";

describe("calendar days", () => {
  it("labels, parses and steps days, across month, leap-year and year ends", () => {
    expect(dayLabel(daysFromCivil(2024, 2, 29))).toBe("2024-02-29");
    expect(dayLabel(0)).toBe("1970-01-01");
    expect(parseDayLabel("2024-03-01")).toBe(daysFromCivil(2024, 3, 1));
    expect(nextDay("2024-02-28")).toBe("2024-02-29");
    expect(nextDay("2023-02-28")).toBe("2023-03-01");
    expect(nextDay("2026-12-31")).toBe("2027-01-01");
    expect(() => parseDayLabel("2026-02-30")).toThrow(/not a calendar date/);
    expect(() => parseDayLabel("2026-2-3")).toThrow(/not a YYYY-MM-DD date/);
  });

  it("starts a local day at its midnight in the shop's zone", () => {
    expect(startOfDayNumber(daysFromCivil(2026, 3, 29), "Europe/Paris").toISOString()).toBe("2026-03-28T23:00:00.000Z");
    expect(startOfDayNumber(daysFromCivil(2026, 3, 30), "Europe/Paris").toISOString()).toBe("2026-03-29T22:00:00.000Z");
    expect(startOfDayNumber(daysFromCivil(2026, 3, 30), "UTC").toISOString()).toBe("2026-03-30T00:00:00.000Z");
  });
});

describe("exact money strings", () => {
  it("writes integer units as decimals without float arithmetic", () => {
    expect(unitsToDecimal(1234500, 4)).toBe("123.4500");
    expect(unitsToDecimal(-5, 2)).toBe("-0.05");
    expect(unitsToDecimal(0, 2)).toBe("0.00");
    expect(unitsToDecimal(7, 0)).toBe("7");
    expect(unitsToDecimal(12345, 3)).toBe("12.345");
    expect(scaledToDecimal(858332600)).toBe("85833.2600");
    expect(() => unitsToDecimal(0.5, 2)).toThrow(RangeError);
  });

  it("rounds a float amount to the currency's minor unit", () => {
    expect(moneyToDecimal(0.1 + 0.2, 2)).toBe("0.30");
    expect(moneyToDecimal(1.005, 2)).toBe("1.01");
    expect(moneyToDecimal(-2.5, 0)).toBe("-3");
    expect(moneyToDecimal(1234.5, 0)).toBe("1235");
    expect(moneyToDecimal(1.0005, 3)).toBe("1.001");
    expect(moneyToDecimal(null, 2)).toBeNull();
    expect(moneyToDecimal(Number.POSITIVE_INFINITY, 2)).toBeNull();
    expect(moneyToDecimal(1e15, 2)).toBeNull();
  });
});

describe("predictions of a shop without customers", () => {
  it("fits nothing and says why", () => {
    const none = { count: 0, purchaseDays: [], firstDay: [], lastDay: [], repeatNetRevenue: [] };
    expect(fitModels(none, 20000)).toBeNull();
    const result = predictCustomers(null, new Date("2026-01-01T00:00:00Z"));
    expect(result).toEqual({ bg: null, gg: null, bgDegenerate: false, ggDegenerate: false, confidence: null, lowConfidence: true, notes: ["No customers with orders yet."], predictions: null });
    expect(modelSummaryOf(result)).toEqual({ period: "week", horizonPeriods: 52, annualDiscountRate: 0.1, bgnbd: null, gammaGamma: null });
  });
});
