import { describe, expect, it } from "vitest";
import { digamma, hyp2f1, lgamma, median, minimizeBfgs, quantileType7 } from "~/domain/stats";
import { toMajorUnits, toMinorUnits, currencyExponent } from "~/domain/money";
import { civilFromDays, dayNumber, daysFromCivil, monthKey, startOfLocalDay, zonedCalendar, zonedTimeToInstant } from "~/domain/time";

describe("special functions", () => {
  it("lgamma matches known values", () => {
    expect(lgamma(1)).toBeCloseTo(0, 14);
    expect(lgamma(0.5)).toBeCloseTo(Math.log(Math.sqrt(Math.PI)), 14);
    expect(lgamma(10)).toBeCloseTo(Math.log(362880), 12);
    expect(lgamma(1e-8)).toBeCloseTo(18.420680738180209, 8);
    expect(lgamma(1000.5)).toBeCloseTo(5908.674175848677, 8);
  });

  it("digamma matches known values", () => {
    expect(digamma(1)).toBeCloseTo(-0.5772156649015329, 13);
    expect(digamma(0.5)).toBeCloseTo(-1.9635100260214235, 13);
    expect(digamma(100)).toBeCloseTo(4.600161852738087, 13);
  });

  it("hyp2f1 matches closed forms", () => {
    // 2F1(1, 1; 2; z) = −ln(1 − z) / z
    expect(hyp2f1(1, 1, 2, 0.5)).toBeCloseTo(-Math.log(0.5) / 0.5, 13);
    // 2F1(a, b; b; z) = (1 − z)^−a
    expect(hyp2f1(2.5, 3, 3, 0.3)).toBeCloseTo(Math.pow(0.7, -2.5), 12);
  });

  it("type-7 quantiles and median", () => {
    const s = Float64Array.from([1, 2, 3, 4, 10]);
    expect(quantileType7(s, 0)).toBe(1);
    expect(quantileType7(s, 1)).toBe(10);
    expect(quantileType7(s, 0.9)).toBeCloseTo(7.6, 12);
    expect(median([3, 1, 2, 10])).toBe(2.5);
    expect(median([])).toBeNull();
  });

  it("BFGS minimises the Rosenbrock function", () => {
    const res = minimizeBfgs(
      ([x, y], g) => {
        g[0] = -2 * (1 - x) - 400 * x * (y - x * x);
        g[1] = 200 * (y - x * x);
        return (1 - x) ** 2 + 100 * (y - x * x) ** 2;
      },
      [-1.2, 1],
      { maxIterations: 1000 },
    );
    expect(res.x[0]).toBeCloseTo(1, 5);
    expect(res.x[1]).toBeCloseTo(1, 5);
  });
});

describe("time zones", () => {
  it("23:30 UTC on 31 January is February in Paris", () => {
    const d = new Date("2024-01-31T23:30:00Z");
    expect(monthKey(d, "Europe/Paris")).toBe("2024-02");
    expect(monthKey(d, "UTC")).toBe("2024-01");
    expect(dayNumber(d, "Europe/Paris") - dayNumber(d, "UTC")).toBe(1);
    expect(zonedCalendar("Europe/Paris").monthNumber(d.getTime())).toBe(2024 * 12 + 1);
  });

  it("local midnights across daylight-saving changes", () => {
    expect(zonedTimeToInstant(2024, 3, 31, "Europe/Paris").toISOString()).toBe("2024-03-30T23:00:00.000Z");
    expect(startOfLocalDay("2024-04-01", "Europe/Paris").toISOString()).toBe("2024-03-31T22:00:00.000Z");
    expect(startOfLocalDay("2024-11-03", "America/New_York").toISOString()).toBe("2024-11-03T04:00:00.000Z");
    expect(startOfLocalDay("2024-02-01", "Asia/Kolkata").toISOString()).toBe("2024-01-31T18:30:00.000Z");
  });

  it("the cached calendar agrees with Intl around a DST change", () => {
    const cal = zonedCalendar("America/New_York");
    const start = Date.parse("2024-03-09T00:00:00Z");
    for (let ms = start; ms < start + 3 * 86_400_000; ms += 17 * 60_000) {
      expect(cal.dayNumber(ms)).toBe(dayNumber(new Date(ms), "America/New_York"));
    }
  });

  it("offsets and wall-clock times resolve DST gaps and overlaps to the later instant", () => {
    const paris = zonedCalendar("Europe/Paris");
    const wall = (iso: string) => paris.wallToInstant(Date.parse(`${iso}Z`));
    expect(paris.offsetMs(Date.parse("2025-01-15T09:30:00Z"))).toBe(3_600_000);
    expect(paris.offsetMs(Date.parse("2025-07-15T09:30:00Z"))).toBe(7_200_000);
    expect(new Date(wall("2025-03-30T01:59:00")).toISOString()).toBe("2025-03-30T00:59:00.000Z");
    // 02:30 does not exist on 30 March 2025: moved forward by the hour of the gap (03:30 +02:00).
    expect(new Date(wall("2025-03-30T02:30:00")).toISOString()).toBe("2025-03-30T01:30:00.000Z");
    expect(new Date(wall("2025-03-30T03:00:00")).toISOString()).toBe("2025-03-30T01:00:00.000Z");
    // 02:30 happens twice on 26 October 2025: the second one (+01:00).
    expect(new Date(wall("2025-10-26T02:30:00")).toISOString()).toBe("2025-10-26T01:30:00.000Z");
    expect(new Date(wall("2025-10-26T01:30:00")).toISOString()).toBe("2025-10-25T23:30:00.000Z");
    expect(new Date(wall("2025-10-26T03:30:00")).toISOString()).toBe("2025-10-26T02:30:00.000Z");
    const ny = zonedCalendar("America/New_York");
    expect(new Date(ny.wallToInstant(Date.parse("2024-03-10T02:30:00Z"))).toISOString()).toBe("2024-03-10T07:30:00.000Z");
    expect(new Date(ny.wallToInstant(Date.parse("2024-11-03T01:30:00Z"))).toISOString()).toBe("2024-11-03T06:30:00.000Z");
  });

  it("day numbers round-trip", () => {
    for (const [y, m, d] of [
      [1970, 1, 1],
      [2000, 2, 29],
      [1997, 9, 30],
      [2100, 12, 31],
    ]) {
      expect(civilFromDays(daysFromCivil(y, m, d))).toEqual({ year: y, month: m, day: d });
    }
    expect(daysFromCivil(1970, 1, 1)).toBe(0);
  });
});

describe("money", () => {
  it("converts between minor and major units", () => {
    expect(toMinorUnits(1.005)).toBe(101);
    expect(toMinorUnits(-2.5, 0)).toBe(-3);
    expect(toMajorUnits(1234n)).toBe(12.34);
    expect(currencyExponent("JPY")).toBe(0);
    expect(currencyExponent("EUR")).toBe(2);
  });
});
