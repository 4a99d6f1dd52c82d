// The range rules (domain/ranges.ts): whole local days, both ends included, the previous
// period = the same number of calendar days just before, stored periods ending today.
import { describe, expect, it } from "vitest";
import { comparisonRanges, daySpan, previousSpan, spanDays, spanInstants, storedSpan } from "~/domain/ranges";
import { dayLabel, daysFromCivil } from "~/domain/time";

const PARIS = "Europe/Paris";
const day = (ymd: string) => {
  const [y, m, d] = ymd.split("-").map(Number);
  return daysFromCivil(y, m, d);
};
const labels = (s: { first: number; last: number }) => [dayLabel(s.first), dayLabel(s.last)];
const iso = (r: { from: Date; to: Date }) => [r.from.toISOString(), r.to.toISOString()];

describe("range rules", () => {
  it("reads --from and --to as local days, both included", () => {
    expect(labels(daySpan("2026-10-01", "2026-10-31"))).toEqual(["2026-10-01", "2026-10-31"]);
    expect(spanDays(daySpan("2026-10-01", "2026-10-31"))).toBe(31);
    expect(spanDays(daySpan("2024-02-29", "2024-02-29"))).toBe(1);
    expect(() => daySpan("2026-05-10", "2026-05-01")).toThrow(/must end on or after its first day/);
    expect(() => daySpan("2026-02-29", "2026-03-01")).toThrow(/not a calendar date/);
  });

  it("turns days into instants at local midnights: October 2026 in Paris is an hour longer than 31 days", () => {
    // The autumn DST change (25 October 2026) lies inside October.
    const oct = spanInstants(daySpan("2026-10-01", "2026-10-31"), PARIS);
    expect(iso(oct)).toEqual(["2026-09-30T22:00:00.000Z", "2026-10-31T23:00:00.000Z"]);
    expect(oct.to.getTime() - oct.from.getTime()).toBe(31 * 86_400_000 + 3_600_000);
    expect(iso(spanInstants(daySpan("2026-10-01", "2026-10-31"), "Pacific/Auckland"))).toEqual([
      "2026-09-30T11:00:00.000Z",
      "2026-10-31T11:00:00.000Z",
    ]);
    expect(iso(spanInstants(daySpan("2026-03-08", "2026-03-08"), "America/Los_Angeles"))).toEqual([
      "2026-03-08T08:00:00.000Z",
      "2026-03-09T07:00:00.000Z",
    ]);
  });

  it("compares with the same number of calendar days just before, whatever DST does", () => {
    // October 2026 (31 days) → 31 days before: 31 August to 30 September.
    const oct = comparisonRanges(daySpan("2026-10-01", "2026-10-31"), PARIS);
    expect(labels(oct.previous)).toEqual(["2026-08-31", "2026-09-30"]);
    expect(iso(oct.windows.previous)).toEqual(["2026-08-30T22:00:00.000Z", "2026-09-30T22:00:00.000Z"]);
    expect(oct.windows.previous.to.getTime()).toBe(oct.windows.current.from.getTime());
    expect(labels(previousSpan(oct.previous))).toEqual(["2026-07-31", "2026-08-30"]);
    expect(oct.windows.beforePrevious.to.getTime()).toBe(oct.windows.previous.from.getTime());
    // November 2026 (30 days) starts after the change: its previous period contains it, and
    // still starts at a local midnight (an hour-based length would start it at 01:00).
    const nov = comparisonRanges(daySpan("2026-11-01", "2026-11-30"), PARIS);
    expect(labels(nov.previous)).toEqual(["2026-10-02", "2026-10-31"]);
    expect(iso(nov.windows.previous)).toEqual(["2026-10-01T22:00:00.000Z", "2026-10-31T23:00:00.000Z"]);
    // February of a leap year: 29 days → 2 to 31 January.
    expect(labels(previousSpan(daySpan("2024-02-01", "2024-02-29")))).toEqual(["2024-01-03", "2024-01-31"]);
    // A single day: the day before.
    expect(labels(previousSpan(daySpan("2026-03-29", "2026-03-29")))).toEqual(["2026-03-28", "2026-03-28"]);
  });

  it("ends the stored periods with today", () => {
    const today = day("2026-03-29"); // the spring DST change in Paris
    expect(labels(storedSpan("last_30_days", today))).toEqual(["2026-02-28", "2026-03-29"]);
    expect(labels(storedSpan("last_90_days", today))).toEqual(["2025-12-30", "2026-03-29"]);
    expect(labels(storedSpan("last_12_months", today))).toEqual(["2025-03-30", "2026-03-29"]);
    expect(iso(spanInstants(storedSpan("last_30_days", today), PARIS))).toEqual(["2026-02-27T23:00:00.000Z", "2026-03-29T22:00:00.000Z"]);
    // 29 February: a year earlier is read as 28 February, so the year starts on 1 March (366 days).
    const leap = storedSpan("last_12_months", day("2024-02-29"));
    expect(labels(leap)).toEqual(["2023-03-01", "2024-02-29"]);
    expect(spanDays(leap)).toBe(366);
    expect(labels(storedSpan("last_12_months", day("2026-12-31")))).toEqual(["2026-01-01", "2026-12-31"]);
    expect(labels(previousSpan(storedSpan("last_12_months", day("2026-12-31"))))).toEqual(["2025-01-01", "2025-12-31"]);
  });
});
