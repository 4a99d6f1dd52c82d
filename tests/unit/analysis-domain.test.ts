// The pure helpers of the daily analysis: calendar days, exact money strings and the
// empty-shop predictions.
import { describe, expect, it } from "vitest";
import { kpisWithDecimalAmounts, lifetimeNetRevenue, periodKpisOf } from "~/domain/analysisKpis";
import { amountToDecimal, fromScaled, moneyToDecimal, scaledToDecimal, toScaled, unitsToDecimal } from "~/domain/money";
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

describe("exact sums", () => {
  it("converts between amounts and integers of 10^-4 without drift", () => {
    expect(toScaled(85833.26)).toBe(858332600);
    expect(fromScaled(858332600)).toBe(85833.26);
    expect(fromScaled(toScaled(0.1) + toScaled(0.2))).toBe(0.3);
    expect(amountToDecimal(85833.26, 2)).toBe("85833.26");
    expect(amountToDecimal(1200, 0)).toBe("1200");
    expect(amountToDecimal(12.345, 3)).toBe("12.345");
    expect(amountToDecimal(0.0001, 2)).toBe("0.0001"); // more decimals than the currency: all of them
    expect(amountToDecimal(-3.5, 2)).toBe("-3.50");
  });

  it("sums the revenue of a window as integers, guests included, and prints it exactly", () => {
    // Three customers with 0.10, 0.20 and 85,833.96 in the window (NET_SCALE units), a guest with 0.70.
    const agg = {
      count: 3,
      customerId: [1, 2, 3],
      netScaled: [1000, 2000, 858339600],
      firstOrderAt: [0, 0, 0],
      secondOrderAt: [NaN, NaN, NaN],
      windowOrders: [
        [1, 1, 1],
        [0, 0, 0],
        [0, 0, 0],
      ],
      windowNetScaled: [
        [1000, 2000, 858339600],
        [0, 0, 0],
        [0, 0, 0],
      ],
    };
    const range = { from: new Date(0), to: new Date(86_400_000) };
    const inputs = {
      agg,
      guests: [
        { orders: 1, netScaled: 7000 },
        { orders: 0, netScaled: 0 },
        { orders: 0, netScaled: 0 },
      ],
      checkouts: [
        { created: 0, abandoned: 0 },
        { created: 0, abandoned: 0 },
        { created: 0, abandoned: 0 },
      ],
      spend: [],
      timeZone: "UTC",
      lifetimeNet: lifetimeNetRevenue(agg),
    };
    expect(inputs.lifetimeNet).toBe(85834.26);
    const k = periodKpisOf(inputs, 0, 0, range);
    expect([k.netRevenue, k.guestNetRevenue, k.orders]).toEqual([85834.96, 0.7, 4]);
    const printed = kpisWithDecimalAmounts(k, 2);
    expect([printed.netRevenue, printed.guestNetRevenue, printed.averageOrderValue, printed.cac, printed.historicalClv]).toEqual([
      "85834.96",
      "0.70",
      "21458.74",
      null,
      "28611.42",
    ]);
    expect(printed.orders).toBe(4);
  });
});

describe("predictions of a shop without customers", () => {
  it("fits nothing and says why", () => {
    const none = { count: 0, purchaseDays: [], firstDay: [], lastDay: [], repeatNetRevenue: [] };
    expect(fitModels(none, 20000)).toBeNull();
    const result = predictCustomers(null, new Date("2026-01-01T00:00:00Z"));
    expect(result).toEqual({
      bg: null,
      gg: null,
      bgDegenerate: false,
      ggDegenerate: false,
      confidence: null,
      lowConfidence: true,
      notes: ["@analysis.noCustomers {}"],
      predictions: null,
    });
    expect(modelSummaryOf(result)).toEqual({ period: "week", horizonPeriods: 52, annualDiscountRate: 0.1, bgnbd: null, gammaGamma: null });
  });
});
