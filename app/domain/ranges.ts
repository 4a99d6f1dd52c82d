// The KPI ranges of the daily analysis, in the shop's time zone.
import type { DateRange } from "./kpis";
import { civilFromDays, daysFromCivil, startOfDayNumber } from "./time";

export const RANGE_KINDS = ["last_30_days", "last_90_days", "last_12_months"] as const;
export type RangeKind = (typeof RANGE_KINDS)[number];

/**
 * The current range of a kind, ending with today (local): [start of first day, start of
 * tomorrow). last_12_months starts the day after the same date a year earlier.
 */
export function currentRange(kind: RangeKind, today: number, timeZone: string): DateRange {
  const to = startOfDayNumber(today + 1, timeZone);
  let first: number;
  if (kind === "last_30_days") first = today - 29;
  else if (kind === "last_90_days") first = today - 89;
  else {
    const c = civilFromDays(today);
    first = daysFromCivil(c.year - 1, c.month, c.day) + 1;
  }
  return { from: startOfDayNumber(first, timeZone), to };
}
