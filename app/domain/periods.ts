// The dashboard's period picker: which local days a choice covers and what it is compared
// with. Pure; days are day numbers (time.ts), spans include both ends (ranges.ts).
import { previousSpan, spanDays, storedSpan, type DaySpan, type RangeKind } from "./ranges";
import { civilFromDays, daysFromCivil, parseDayLabel } from "./time";

export const PERIODS = ["30", "90", "365", "custom"] as const;
export type PeriodChoice = (typeof PERIODS)[number];
export const COMPARISONS = ["previous", "year"] as const;
export type ComparisonChoice = (typeof COMPARISONS)[number];

/** The stored range kind of a preset (its KPIs are precomputed by the daily analysis). */
export const PERIOD_RANGE: Record<Exclude<PeriodChoice, "custom">, RangeKind> = {
  "30": "last_30_days",
  "90": "last_90_days",
  "365": "last_12_months",
};

/** Longest custom period, in days (the stored daily series covers two years). */
export const MAX_CUSTOM_DAYS = 366;

/** The same calendar date a year earlier (29 February → 28 February). */
export function sameDateYearBefore(day: number): number {
  const c = civilFromDays(day);
  const monthStart = daysFromCivil(c.year - 1, c.month, 1);
  const next = c.month === 12 ? daysFromCivil(c.year, 1, 1) : daysFromCivil(c.year - 1, c.month + 1, 1);
  return monthStart + Math.min(c.day, next - monthStart) - 1;
}

export function yearBefore(span: DaySpan): DaySpan {
  return { first: sameDateYearBefore(span.first), last: sameDateYearBefore(span.last) };
}

export interface ResolvedPeriod {
  period: PeriodChoice;
  compare: ComparisonChoice;
  current: DaySpan;
  comparison: DaySpan;
  /** Set for presets: the KPIs are the stored snapshot of this kind. */
  rangeKind: RangeKind | null;
}

export class PeriodError extends Error {
  constructor(readonly reason: "badDate" | "order" | "future" | "tooLong") {
    super(reason);
  }
}

/**
 * The period of the dashboard's URL (`?period=30|90|365|custom&from=&to=&compare=previous|year`)
 * as of the analysis day `today`. Unknown values fall back to the last 30 days and the previous
 * period; a bad custom range is a PeriodError (shown to the merchant, nothing computed).
 */
export function resolvePeriod(params: URLSearchParams, today: number): ResolvedPeriod {
  const raw = params.get("period");
  const period: PeriodChoice = (PERIODS as readonly string[]).includes(raw ?? "") ? (raw as PeriodChoice) : "30";
  const rawCompare = params.get("compare");
  const compare: ComparisonChoice = rawCompare === "year" ? "year" : "previous";
  let current: DaySpan;
  let rangeKind: RangeKind | null = null;
  if (period === "custom") {
    const from = params.get("from") ?? "";
    const to = params.get("to") ?? "";
    let first: number;
    let last: number;
    try {
      first = parseDayLabel(from);
      last = parseDayLabel(to);
    } catch {
      throw new PeriodError("badDate");
    }
    if (!Number.isFinite(first) || !Number.isFinite(last)) throw new PeriodError("badDate");
    if (last < first) throw new PeriodError("order");
    if (last > today) throw new PeriodError("future");
    current = { first, last };
    if (spanDays(current) > MAX_CUSTOM_DAYS) throw new PeriodError("tooLong");
  } else {
    rangeKind = PERIOD_RANGE[period];
    current = storedSpan(rangeKind, today);
  }
  return { period, compare, current, comparison: compare === "year" ? yearBefore(current) : previousSpan(current), rangeKind };
}
