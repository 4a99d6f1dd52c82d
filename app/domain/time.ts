// Calendar helpers in a shop's IANA time zone, using only Intl (no dependencies).
// Day numbers are days since 1970-01-01 of the local calendar date.

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    // Throws RangeError for an unknown zone, which is what callers should see.
    f = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
    });
    formatters.set(timeZone, f);
  }
  return f;
}

export interface ZonedParts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

/** Wall-clock fields of an instant in a time zone. */
export function zonedParts(date: Date, timeZone: string): ZonedParts {
  if (timeZone === "UTC") {
    return {
      year: date.getUTCFullYear(),
      month: date.getUTCMonth() + 1,
      day: date.getUTCDate(),
      hour: date.getUTCHours(),
      minute: date.getUTCMinutes(),
      second: date.getUTCSeconds(),
    };
  }
  const out: ZonedParts = { year: 0, month: 0, day: 0, hour: 0, minute: 0, second: 0 };
  for (const p of formatter(timeZone).formatToParts(date)) {
    if (p.type === "year") out.year = Number(p.value);
    else if (p.type === "month") out.month = Number(p.value);
    else if (p.type === "day") out.day = Number(p.value);
    else if (p.type === "hour") out.hour = Number(p.value);
    else if (p.type === "minute") out.minute = Number(p.value);
    else if (p.type === "second") out.second = Number(p.value);
  }
  return out;
}

/** Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil). */
export function daysFromCivil(y: number, m: number, d: number): number {
  y -= m <= 2 ? 1 : 0;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/** Local calendar day number of an instant in the shop's time zone. */
export function dayNumber(date: Date, timeZone = "UTC"): number {
  const p = zonedParts(date, timeZone);
  return daysFromCivil(p.year, p.month, p.day);
}

/** Month number (year * 12 + month - 1) of an instant in the shop's time zone. */
export function monthNumber(date: Date, timeZone = "UTC"): number {
  const p = zonedParts(date, timeZone);
  return p.year * 12 + p.month - 1;
}

/** "YYYY-MM" label of a month number. */
export function monthLabel(monthNo: number): string {
  const y = Math.floor(monthNo / 12);
  const m = monthNo - y * 12 + 1;
  return `${String(y).padStart(4, "0")}-${String(m).padStart(2, "0")}`;
}

/** "YYYY-MM" of an instant in the shop's time zone. */
export function monthKey(date: Date, timeZone = "UTC"): string {
  return monthLabel(monthNumber(date, timeZone));
}

/**
 * The instant at which the given local wall-clock time occurs in a time zone (e.g. local
 * midnight that starts a reporting day). For times skipped by a DST jump, the instant
 * just after the jump is returned.
 */
export function zonedTimeToInstant(year: number, month: number, day: number, timeZone: string, hour = 0, minute = 0): Date {
  const wallAsUtc = Date.UTC(year, month - 1, day, hour, minute);
  // Two fixed-point iterations of offset(instant) converge for all real zones.
  let guess = wallAsUtc;
  for (let i = 0; i < 3; i++) {
    const p = zonedParts(new Date(guess), timeZone);
    const shownAsUtc = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
    const diff = shownAsUtc - wallAsUtc;
    if (diff === 0) break;
    guess -= diff;
  }
  return new Date(guess);
}

/** Start of the local day `YYYY-MM-DD` in the shop's time zone. */
export function startOfLocalDay(ymd: string, timeZone: string): Date {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(ymd);
  if (!m) throw new RangeError(`"${ymd}" is not a YYYY-MM-DD date`);
  return firstInstantOfDay(Number(m[1]), Number(m[2]), Number(m[3]), timeZone);
}

function localDayOf(ms: number, timeZone: string): number {
  const p = zonedParts(new Date(ms), timeZone);
  return daysFromCivil(p.year, p.month, p.day);
}

/**
 * The first instant whose local date is the given day. Usually local midnight; but where a
 * daylight-saving change happens at midnight (Beirut, Cairo, Amman…) midnight may not exist
 * (the day starts at 01:00) or may happen twice (the day starts at the first one).
 */
function firstInstantOfDay(year: number, month: number, day: number, timeZone: string): Date {
  const target = daysFromCivil(year, month, day);
  const guess = zonedTimeToInstant(year, month, day, timeZone).getTime();
  const isTarget = (ms: number) => localDayOf(ms, timeZone) >= target;
  let lo: number;
  let hi: number;
  if (!isTarget(guess))
    [lo, hi] = [guess, guess + 4 * HOUR_MS]; // midnight skipped: the day starts later
  else if (isTarget(guess - 1))
    [lo, hi] = [guess - 4 * HOUR_MS, guess]; // midnight repeated: it started earlier
  else return new Date(guess);
  // Binary search between an instant of the day before (lo) and one of the day (hi).
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (isTarget(mid)) hi = mid;
    else lo = mid;
  }
  return new Date(hi);
}

/** Inverse of daysFromCivil (Howard Hinnant's civil_from_days). */
export function civilFromDays(z: number): { year: number; month: number; day: number } {
  z += 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return { year: yoe + era * 400 + (month <= 2 ? 1 : 0), month, day };
}

/** "YYYY-MM-DD" of a day number. */
export function dayLabel(dayNo: number): string {
  const c = civilFromDays(dayNo);
  return `${String(c.year).padStart(4, "0")}-${String(c.month).padStart(2, "0")}-${String(c.day).padStart(2, "0")}`;
}

/** Day number of a "YYYY-MM-DD" date (a calendar date, no time zone involved). */
export function parseDayLabel(ymd: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(ymd);
  if (!m) throw new RangeError(`"${ymd}" is not a YYYY-MM-DD date`);
  const day = daysFromCivil(Number(m[1]), Number(m[2]), Number(m[3]));
  if (dayLabel(day) !== ymd) throw new RangeError(`"${ymd}" is not a calendar date`);
  return day;
}

/** The calendar day after "YYYY-MM-DD". */
export function nextDay(ymd: string): string {
  return dayLabel(parseDayLabel(ymd) + 1);
}

/** Start (local midnight, or the first instant after a DST gap) of a local day number. */
export function startOfDayNumber(dayNo: number, timeZone: string): Date {
  const c = civilFromDays(dayNo);
  return firstInstantOfDay(c.year, c.month, c.day, timeZone);
}

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

export interface ZonedCalendar {
  /** Local day number of an instant (ms since epoch). */
  dayNumber(ms: number): number;
  /** Local month number (year * 12 + month - 1) of an instant. */
  monthNumber(ms: number): number;
  /** UTC offset (ms, local minus UTC) in effect at an instant. */
  offsetMs(ms: number): number;
  /**
   * The instant of a local wall-clock time given as if it were UTC (`Date.UTC(y, m, d, h, …)`).
   * Resolves DST like Temporal's `disambiguation: "later"`: a time skipped by a spring-forward
   * gap moves forward by the gap, a time repeated by a fall-back overlap takes its later instant.
   */
  wallToInstant(wallMs: number): number;
}

/**
 * Fast local-calendar bucketing for many instants: the UTC offset is looked up once per UTC
 * day (Intl is slow) and reused when it is the same at both ends of that day, else once per
 * UTC hour likewise; hours that contain an offset change fall back to an exact lookup.
 */
export function zonedCalendar(timeZone: string): ZonedCalendar {
  const offsetOf = (ms: number): number => {
    const p = zonedParts(new Date(ms), timeZone);
    return Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second) - Math.floor(ms / 1000) * 1000;
  };
  // Span index -> offset ms, NaN when it changes inside the span.
  const dayCache = new Map<number, number>();
  const hourCache = new Map<number, number>();
  const spanOffset = (cache: Map<number, number>, span: number, index: number): number => {
    let o = cache.get(index);
    if (o === undefined) {
      const a = offsetOf(index * span);
      const b = offsetOf(index * span + span - 1000);
      o = a === b ? a : NaN;
      cache.set(index, o);
    }
    return o;
  };
  const offset = (ms: number): number => {
    if (timeZone === "UTC") return 0;
    const d = spanOffset(dayCache, DAY_MS, Math.floor(ms / DAY_MS));
    if (!Number.isNaN(d)) return d;
    const h = spanOffset(hourCache, HOUR_MS, Math.floor(ms / HOUR_MS));
    return Number.isNaN(h) ? offsetOf(ms) : h;
  };
  const dayNo = (ms: number) => Math.floor((ms + offset(ms)) / DAY_MS);
  return {
    dayNumber: dayNo,
    offsetMs: offset,
    wallToInstant(wallMs: number): number {
      // Real zones change offset at most once within a couple of days.
      const before = offset(wallMs - DAY_MS);
      const after = offset(wallMs + DAY_MS);
      if (before === after) return wallMs - before;
      const early = wallMs - before;
      const late = wallMs - after;
      const earlyOk = offset(early) === before;
      const lateOk = offset(late) === after;
      if (earlyOk && lateOk) return Math.max(early, late);
      if (earlyOk) return early;
      if (lateOk) return late;
      return early; // in the gap: shifted forward by its length
    },
    monthNumber(ms: number): number {
      const c = civilFromDays(dayNo(ms));
      return c.year * 12 + c.month - 1;
    },
  };
}
