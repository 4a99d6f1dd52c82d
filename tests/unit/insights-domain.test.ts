import { describe, expect, it } from "vitest";
import { histogram, niceStep } from "~/domain/analysisExtras";
import { type PeriodError, resolvePeriod, sameDateYearBefore } from "~/domain/periods";
import { dayLabel, parseDayLabel } from "~/domain/time";

const today = parseDayLabel("2026-11-30");
const span = (p: ReturnType<typeof resolvePeriod>) => [
  dayLabel(p.current.first),
  dayLabel(p.current.last),
  dayLabel(p.comparison.first),
  dayLabel(p.comparison.last),
];

describe("the dashboard's period picker", () => {
  it("presets end with the analysis day and compare with the days just before", () => {
    expect(span(resolvePeriod(new URLSearchParams("period=30"), today))).toEqual(["2026-11-01", "2026-11-30", "2026-10-02", "2026-10-31"]);
    expect(resolvePeriod(new URLSearchParams("period=90"), today).rangeKind).toBe("last_90_days");
    expect(span(resolvePeriod(new URLSearchParams("period=365"), today))).toEqual(["2025-12-01", "2026-11-30", "2024-12-01", "2025-11-30"]);
  });

  it("compares with the same dates a year before; 29 February becomes 28 February", () => {
    expect(span(resolvePeriod(new URLSearchParams("period=30&compare=year"), today))).toEqual([
      "2026-11-01",
      "2026-11-30",
      "2025-11-01",
      "2025-11-30",
    ]);
    expect(dayLabel(sameDateYearBefore(parseDayLabel("2028-02-29")))).toBe("2027-02-28");
  });

  it("falls back to 30 days for unknown values and rejects bad custom ranges with a reason", () => {
    expect(resolvePeriod(new URLSearchParams("period=7&compare=x"), today)).toMatchObject({ period: "30", compare: "previous" });
    expect(span(resolvePeriod(new URLSearchParams("period=custom&from=2026-01-01&to=2026-01-31"), today))).toEqual([
      "2026-01-01",
      "2026-01-31",
      "2025-12-01",
      "2025-12-31",
    ]);
    const reason = (q: string) => {
      try {
        resolvePeriod(new URLSearchParams(q), today);
        return null;
      } catch (error) {
        return (error as PeriodError).reason;
      }
    };
    expect(reason("period=custom&from=2026-02-30&to=2026-03-01")).toBe("badDate");
    expect(reason("period=custom&from=2026-03-01&to=2026-02-01")).toBe("order");
    expect(reason("period=custom&from=2026-11-01&to=2026-12-01")).toBe("future");
    expect(reason("period=custom&from=2025-01-01&to=2026-11-30")).toBe("tooLong");
  });
});

describe("the predicted CLV histogram", () => {
  it("uses nice steps up to the 98th percentile and one open bin above", () => {
    expect(niceStep(7.3)).toBe(10);
    expect(niceStep(0.18)).toBe(0.2);
    const values = [...Array.from({ length: 99 }, (_, i) => i), 10_000];
    const bins = histogram(values, 10);
    expect(bins[0]).toEqual({ from: 0, to: 10, customers: 10 });
    expect(bins.at(-1)).toEqual({ from: 100, to: null, customers: 1 });
    expect(bins.reduce((s, b) => s + b.customers, 0)).toBe(100);
    expect(histogram([])).toEqual([]);
  });
});
