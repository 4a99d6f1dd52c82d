// The nightly analysis hour of a shop: a whole hour of the shop's own time zone, stored in its
// settings (`analysisHour`). The scheduler wakes every quarter of an hour (UTC), so that the
// start of a local hour falls on a wake-up in every zone, half- and quarter-hour offsets
// included (India +05:30, Nepal +05:45), and runs the shops whose hour has just begun.
import type { MessageRef } from "./messageRef";
import { zonedParts } from "./time";

export const ANALYSIS_HOUR_KEY = "analysisHour";
/** 03:00 in the shop's time zone: after the day's orders, before the merchant's morning. */
export const DEFAULT_ANALYSIS_HOUR = 3;
/** The scheduler's wake-up period. */
export const SCHEDULE_TICK_MS = 15 * 60_000;

/** The shop's analysis hour from its settings (the default when unset or invalid). */
export function analysisHourOf(settings: unknown): number {
  const value = settings && typeof settings === "object" ? (settings as Record<string, unknown>)[ANALYSIS_HOUR_KEY] : undefined;
  return isHour(value) ? value : DEFAULT_ANALYSIS_HOUR;
}

function isHour(value: unknown): value is number {
  return typeof value === "number" && Number.isInteger(value) && value >= 0 && value <= 23;
}

/** A form's hour ("0"–"23"), or the reason it is refused. */
export function parseAnalysisHour(input: unknown): { ok: true; hour: number } | { ok: false; problem: MessageRef } {
  const text = typeof input === "string" ? input.trim() : "";
  const hour = /^\d{1,2}$/.test(text) ? Number(text) : NaN;
  if (!isHour(hour)) return { ok: false, problem: { key: "settings.scheduleHourInvalid", params: {} } };
  return { ok: true, hour };
}

/**
 * True when `instant` lies in the first tick of the shop's analysis hour (local time), i.e. a
 * wake-up at `instant` should start the shop's nightly run.
 */
export function analysisDue(instant: Date, timeZone: string, hour: number): boolean {
  const local = zonedParts(instant, timeZone);
  return local.hour === hour && local.minute * 60_000 + local.second * 1000 < SCHEDULE_TICK_MS;
}

/** The local date of `instant` (the key that keeps a shop to one nightly run per day). */
export function localDateKey(instant: Date, timeZone: string): string {
  const p = zonedParts(instant, timeZone);
  return `${p.year}-${String(p.month).padStart(2, "0")}-${String(p.day).padStart(2, "0")}`;
}

/** Milliseconds from `now` to the next wake-up (the next quarter of an hour, UTC). */
export function msUntilNextTick(now: Date): number {
  const t = now.getTime();
  return SCHEDULE_TICK_MS - (((t % SCHEDULE_TICK_MS) + SCHEDULE_TICK_MS) % SCHEDULE_TICK_MS);
}
