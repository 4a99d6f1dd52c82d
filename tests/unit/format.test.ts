import { describe, expect, it } from "vitest";
import { currencyDecimal, currencyDigits, formatMoney, formatNumber, formatPercent } from "~/lib/format";

// French output uses two different spaces: U+202F (narrow no-break) between digit groups and
// U+00A0 (no-break) before the currency sign or the percent sign, as ICU's CLDR data says.
const NNBSP = "\u202f";
const NBSP = "\u00a0";

describe("money", () => {
  it("uses each currency's own decimals", () => {
    expect(currencyDigits("EUR")).toBe(2);
    expect(currencyDigits("JPY")).toBe(0);
    expect(currencyDigits("KWD")).toBe(3);
  });

  it("formats amounts in English", () => {
    expect(formatMoney("85833.26", "EUR", "en")).toBe("€85,833.26");
    expect(formatMoney("1234.5", "JPY", "en")).toBe("JP¥1,235");
    expect(formatMoney("1.2345", "KWD", "en")).toBe(`KWD${NBSP}1.235`);
    expect(formatMoney("-12.5", "USD", "en")).toBe("-US$12.50");
  });

  it("formats amounts in French", () => {
    expect(formatMoney("85833.26", "EUR", "fr")).toBe(`85${NNBSP}833,26${NBSP}€`);
    expect(formatMoney("1234.5", "JPY", "fr")).toBe(`1${NNBSP}235${NBSP}JPY`);
    expect(formatMoney("1.2345", "KWD", "fr")).toBe(`1,235${NBSP}KWD`);
  });

  it("rounds a float sum to the currency's decimals, not its binary noise", () => {
    expect(formatMoney(85833.26000000004, "EUR", "en")).toBe("€85,833.26");
    expect(currencyDecimal(85833.26000000004, "EUR")).toBe("85833.26");
  });

  it("writes plain decimals with exactly the currency's digits, rounding half away from zero", () => {
    expect(currencyDecimal("0.125", "EUR")).toBe("0.13");
    expect(currencyDecimal("-0.125", "EUR")).toBe("-0.13");
    expect(currencyDecimal("12", "EUR")).toBe("12.00");
    expect(currencyDecimal("1234.5", "JPY")).toBe("1235");
    expect(currencyDecimal("1.0005", "KWD")).toBe("1.001");
    expect(currencyDecimal("123456789012345.67", "EUR")).toBe("123456789012345.67");
  });
});

describe("numbers and percentages", () => {
  it("groups digits in the viewer's language", () => {
    expect(formatNumber(1234567.5, "en")).toBe("1,234,567.5");
    expect(formatNumber(1234567.5, "fr")).toBe(`1${NNBSP}234${NNBSP}567,5`);
  });

  it("formats percentage points with Intl, one decimal by default", () => {
    expect(formatPercent(23.45, "en")).toBe("23.5%");
    expect(formatPercent(23.45, "fr")).toBe(`23,5${NBSP}%`);
    expect(formatPercent(0.1 + 0.2, "fr")).toBe(`0,3${NBSP}%`);
    expect(formatPercent(100, "en")).toBe("100%");
    expect(formatPercent(7, "en", 0)).toBe("7%");
  });

  it("formats tiny and huge values, whose string form has an exponent (a P(alive) of 2e-9)", () => {
    expect(formatPercent(2e-9 * 100, "en", 0)).toBe("0%");
    expect(formatPercent(2e-7, "en", 7)).toBe("0.0000002%");
    expect(formatPercent(-3e-7, "fr", 7)).toBe(`-0,0000003${NBSP}%`);
    expect(formatPercent(1e21, "en", 0)).toBe("1,000,000,000,000,000,000,000%");
    expect(formatPercent(0.5, "en", 0)).toBe("1%");
  });
});
