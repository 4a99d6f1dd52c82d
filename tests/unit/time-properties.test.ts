// Property-based tests of the calendar arithmetic behind every range (app/domain/time.ts and
// the way ranges are built from it: kpisForRange's [start of `from`, start of the day after
// `to`), domain previousSpan, storedSpan of the stored snapshots), in zones with DST changes
// at 02:00, at midnight, of 30 minutes, east and west of UTC. A fixed seed keeps runs identical.
import fc from "fast-check";
import { describe, expect, it, vi } from "vitest";
import type { DateRange } from "~/domain/kpis";
import { previousSpan, RANGE_KINDS, spanInstants, storedSpan } from "~/domain/ranges";
import { civilFromDays, dayNumber, daysFromCivil, monthNumber, startOfLocalDay, zonedCalendar, zonedParts, zonedTimeToInstant } from "~/domain/time";

fc.configureGlobal({ seed: 20_260_612, numRuns: 400 });
// Hundreds of generated cases per property, each with many Intl look-ups: a guard against a
// hang, not a speed limit (speed is measured in bench/).
vi.setConfig({ testTimeout: 120_000 });

const ZONES = [
  "UTC",
  "Europe/Paris",
  "Europe/London",
  "America/Los_Angeles",
  "America/St_Johns", // −03:30 / −02:30
  "America/Sao_Paulo", // DST started at midnight until 2019: some days begin at 01:00
  "Asia/Beirut", // DST starts at midnight, east of UTC
  "Africa/Cairo", // the same since 2023
  "Asia/Amman", // midnight repeated in autumn (until 2022)
  "Asia/Kolkata", // +05:30, no DST
  "Australia/Lord_Howe", // 30-minute DST
  "Pacific/Auckland",
  "Pacific/Chatham", // +12:45 / +13:45
] as const;

const DAY_MS = 86_400_000;
const FIRST_DAY = daysFromCivil(2000, 1, 1);
const LAST_DAY = daysFromCivil(2037, 12, 31);

const zone = fc.constantFrom(...ZONES);
const day = fc.integer({ min: FIRST_DAY, max: LAST_DAY });
/** 29 February of the leap years (rare among random days, so drawn on purpose). */
const leapDay = fc.constantFrom(...[2000, 2004, 2008, 2012, 2016, 2020, 2024, 2028, 2032, 2036].map((y) => daysFromCivil(y, 2, 29)));
/** Any instant of 2000–2037, to the second. */
const instant = fc.integer({ min: FIRST_DAY * 86_400, max: LAST_DAY * 86_400 }).map((s) => new Date(s * 1000));

/** "YYYY-MM-DD" of a day number, by UTC date arithmetic (not the code under test). */
function ymd(d: number): string {
  return new Date(d * DAY_MS).toISOString().slice(0, 10);
}

/** kpisForRange's range for the local days from..to (inclusive). */
function daysRange(from: number, to: number, timeZone: string): DateRange {
  return { from: startOfLocalDay(ymd(from), timeZone), to: startOfLocalDay(ymd(to + 1), timeZone) };
}

describe("calendar days", () => {
  it("day numbers and civil dates round-trip, and agree with UTC dates", () => {
    fc.assert(
      fc.property(fc.integer({ min: -800_000, max: 800_000 }), (d) => {
        const c = civilFromDays(d);
        expect(daysFromCivil(c.year, c.month, c.day)).toBe(d);
        if (d >= FIRST_DAY && d <= LAST_DAY) expect(ymd(d)).toBe(`${c.year}-${String(c.month).padStart(2, "0")}-${String(c.day).padStart(2, "0")}`);
      }),
    );
  });

  it("a local day starts at the first instant of that day: the instant before belongs to the day before", () => {
    fc.assert(
      fc.property(zone, day, (tz, d) => {
        const start = startOfLocalDay(ymd(d), tz);
        expect(dayNumber(start, tz)).toBe(d);
        expect(dayNumber(new Date(start.getTime() - 1), tz)).toBe(d - 1);
      }),
    );
  });

  it("the same holds on the days of DST changes (the first change after a random day)", () => {
    fc.assert(
      fc.property(fc.constantFrom(...ZONES.filter((z) => z !== "UTC" && z !== "Asia/Kolkata")), day, (tz, d) => {
        // UTC offset at an instant, in minutes (Intl directly, not the code under test).
        const offset = (ms: number) => {
          const name = new Intl.DateTimeFormat("en-US", { timeZone: tz, timeZoneName: "longOffset" })
            .formatToParts(ms)
            .find((p) => p.type === "timeZoneName")!.value;
          const m = /GMT([+-])(\d{2}):(\d{2})/.exec(name);
          return m ? (m[1] === "-" ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3])) : 0;
        };
        let change = -1;
        for (let k = d; k < d + 400 && change < 0; k++) if (offset(k * DAY_MS) !== offset((k + 1) * DAY_MS)) change = k;
        fc.pre(change >= 0); // zones that stopped changing (São Paulo after 2019)
        for (const c of [change - 1, change, change + 1, change + 2]) {
          const start = startOfLocalDay(ymd(c), tz);
          expect(dayNumber(start, tz), `${tz} ${ymd(c)}`).toBe(c);
          expect(dayNumber(new Date(start.getTime() - 1), tz), `${tz} ${ymd(c)}`).toBe(c - 1);
        }
      }),
      { numRuns: 60 },
    );
  });

  it("the fast calendar gives the same local day and month as the exact one", () => {
    fc.assert(
      fc.property(zone, instant, (tz, at) => {
        const cal = zonedCalendar(tz);
        expect(cal.dayNumber(at.getTime())).toBe(dayNumber(at, tz));
        expect(cal.monthNumber(at.getTime())).toBe(monthNumber(at, tz));
        const c = civilFromDays(dayNumber(at, tz));
        expect(monthNumber(at, tz)).toBe(c.year * 12 + c.month - 1);
      }),
    );
  });
});

describe("local time ↔ instant", () => {
  it("instant → local wall clock → instant gives the same instant (or the other occurrence of a repeated hour)", () => {
    fc.assert(
      fc.property(zone, instant, (tz, raw) => {
        const at = new Date(Math.floor(raw.getTime() / 60_000) * 60_000); // zonedTimeToInstant takes minutes
        const p = zonedParts(at, tz);
        const back = zonedTimeToInstant(p.year, p.month, p.day, tz, p.hour, p.minute);
        expect(zonedParts(back, tz)).toEqual(p);
        if (back.getTime() !== at.getTime()) {
          // Only a wall-clock time that occurs twice (the hour repeated in autumn) may map elsewhere.
          expect(Math.abs(back.getTime() - at.getTime())).toBeLessThanOrEqual(2 * 3_600_000);
        }
      }),
    );
  });

  it("a local wall-clock time that exists maps to an instant showing it", () => {
    fc.assert(
      fc.property(zone, day, fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 59 }), (tz, d, h, m) => {
        const c = civilFromDays(d);
        const at = zonedTimeToInstant(c.year, c.month, c.day, tz, h, m);
        const p = zonedParts(at, tz);
        const shown = daysFromCivil(p.year, p.month, p.day) * 1440 + p.hour * 60 + p.minute;
        const asked = d * 1440 + h * 60 + m;
        // Skipped by a DST jump: the instant just after the jump (never earlier, at most the jump later).
        expect(shown - asked).toBeGreaterThanOrEqual(0);
        expect(shown - asked).toBeLessThanOrEqual(60);
        if (shown !== asked) expect(zonedParts(new Date(at.getTime() - 60_000), tz)).not.toEqual(expect.objectContaining({ hour: h, minute: m }));
      }),
    );
  });
});

describe("ranges of local days", () => {
  it("every local day (and every instant of it) belongs to exactly one range of a partition", () => {
    fc.assert(
      fc.property(
        zone,
        day,
        fc.array(fc.integer({ min: 1, max: 31 }), { minLength: 1, maxLength: 6 }),
        fc.integer({ min: 0, max: 1000 }),
        (tz, start, lengths, probe) => {
          const cuts = [start];
          for (const n of lengths) cuts.push(cuts[cuts.length - 1] + n);
          const ranges = lengths.map((_, i) => daysRange(cuts[i], cuts[i + 1] - 1, tz));
          for (let i = 1; i < ranges.length; i++) expect(ranges[i].from.getTime()).toBe(ranges[i - 1].to.getTime());
          for (let d = start; d < cuts[cuts.length - 1]; d++) {
            const dayStart = startOfLocalDay(ymd(d), tz).getTime();
            const dayEnd = startOfLocalDay(ymd(d + 1), tz).getTime();
            expect(dayEnd).toBeGreaterThan(dayStart);
            // The day's first instant, its last and one in between.
            for (const t of [dayStart, dayEnd - 1, dayStart + ((probe * 997) % (dayEnd - dayStart))]) {
              const owners = ranges.filter((r) => r.from.getTime() <= t && t < r.to.getTime());
              expect(owners).toHaveLength(1);
              const k = ranges.indexOf(owners[0]);
              expect(d >= cuts[k] && d < cuts[k + 1]).toBe(true);
              expect(dayNumber(new Date(t), tz)).toBe(d);
            }
          }
        },
      ),
      { numRuns: 100 },
    );
  });

  it("the previous range (domain previousSpan) is the same number of calendar days just before", () => {
    fc.assert(
      fc.property(zone, day, fc.integer({ min: 1, max: 400 }), (tz, from, n) => {
        const previous = spanInstants(previousSpan({ first: from, last: from + n - 1 }), tz);
        expect({ from: previous.from.toISOString(), to: previous.to.toISOString() }).toEqual({
          from: startOfLocalDay(ymd(from - n), tz).toISOString(),
          to: startOfLocalDay(ymd(from), tz).toISOString(),
        });
      }),
    );
  });

  it("the stored ranges cover 30 days, 90 days and 12 months of whole local days ending today", () => {
    fc.assert(
      fc.property(zone, fc.oneof(day, leapDay), (tz, today) => {
        const c = civilFromDays(today);
        // The same date a year earlier; 28 February for 29 February (docs/metrics.md, "Ranges").
        const yearAgo = daysFromCivil(c.year - 1, c.month, Math.min(c.day, c.month === 2 ? 28 : 31));
        const firstDay = { last_30_days: today - 29, last_90_days: today - 89, last_12_months: yearAgo + 1 };
        for (const kind of RANGE_KINDS) {
          const r = spanInstants(storedSpan(kind, today), tz);
          expect(r.from.toISOString(), kind).toBe(startOfLocalDay(ymd(firstDay[kind]), tz).toISOString());
          expect(r.to.toISOString(), kind).toBe(startOfLocalDay(ymd(today + 1), tz).toISOString());
        }
      }),
    );
  });
});
