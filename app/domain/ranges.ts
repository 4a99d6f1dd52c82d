// The range rules of every KPI, written once (docs/metrics.md, "Periods"):
// - a period is a run of whole local calendar days in the shop's time zone, its first and last
//   day both included (`rapport kpis --from 2026-10-01 --to 2026-10-31` is October);
// - as instants it is [local midnight starting the first day, local midnight ending the last);
// - the previous period is the same number of calendar days just before it (never a length in
//   milliseconds: a period containing a DST change is an hour shorter or longer than its days);
// - the stored periods of the daily analysis end with the analysis day ("today").
import type { DateRange } from "./kpis";
import { civilFromDays, daysFromCivil, parseDayLabel, startOfDayNumber } from "./time";

/** Local calendar days `first` to `last`, both included (day numbers, see time.ts). */
export interface DaySpan {
  first: number;
  last: number;
}

export const RANGE_KINDS = ["last_30_days", "last_90_days", "last_12_months"] as const;
export type RangeKind = (typeof RANGE_KINDS)[number];

/** Number of days of a span. */
export function spanDays(span: DaySpan): number {
  return span.last - span.first + 1;
}

/** "YYYY-MM-DD" to "YYYY-MM-DD", both included; RangeError when `to` is before `from`. */
export function daySpan(from: string, to: string): DaySpan {
  const span = { first: parseDayLabel(from), last: parseDayLabel(to) };
  if (span.last < span.first) throw new RangeError(`The range must end on or after its first day (got ${from} to ${to}).`);
  return span;
}

/**
 * A stored period, ending with `today`: the last 30 or 90 days (today and the 29 or 89 days
 * before), or the last 12 months (from the day after the same date a year earlier; a
 * 29 February a year earlier is read as 28 February).
 */
export function storedSpan(kind: RangeKind, today: number): DaySpan {
  if (kind === "last_30_days") return { first: today - 29, last: today };
  if (kind === "last_90_days") return { first: today - 89, last: today };
  const c = civilFromDays(today);
  const y = c.year - 1;
  const monthStart = daysFromCivil(y, c.month, 1);
  const monthLength = (c.month === 12 ? daysFromCivil(y + 1, 1, 1) : daysFromCivil(y, c.month + 1, 1)) - monthStart;
  const sameDateAYearEarlier = monthStart + Math.min(c.day, monthLength) - 1;
  return { first: sameDateAYearEarlier + 1, last: today };
}

/** The same number of calendar days just before `span`. */
export function previousSpan(span: DaySpan): DaySpan {
  return { first: span.first - spanDays(span), last: span.first - 1 };
}

/** The instants of a span in a time zone: [start of its first day, start of the day after its last). */
export function spanInstants(span: DaySpan, timeZone: string): DateRange {
  return { from: startOfDayNumber(span.first, timeZone), to: startOfDayNumber(span.last + 1, timeZone) };
}

export interface ComparisonRanges {
  current: DaySpan;
  previous: DaySpan;
  /** As instants: the period, the previous one, and the one before (the previous period's retention needs it). */
  windows: { current: DateRange; previous: DateRange; beforePrevious: DateRange };
}

/** A period and its comparison periods, as days and as instants in the shop's zone. */
export function comparisonRanges(span: DaySpan, timeZone: string): ComparisonRanges {
  const previous = previousSpan(span);
  return {
    current: span,
    previous,
    windows: {
      current: spanInstants(span, timeZone),
      previous: spanInstants(previous, timeZone),
      beforePrevious: spanInstants(previousSpan(previous), timeZone),
    },
  };
}
