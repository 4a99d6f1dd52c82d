// The nightly analysis hour (domain/analysisSchedule.ts): read from the shop's settings, parsed
// from the settings form, and due at the start of that hour in the shop's own time zone.
import { describe, expect, it } from "vitest";
import { analysisDue, analysisHourOf, DEFAULT_ANALYSIS_HOUR, localDateKey, msUntilNextTick, parseAnalysisHour } from "~/domain/analysisSchedule";

describe("the nightly analysis hour", () => {
  it("comes from the settings, 03:00 when unset or invalid", () => {
    expect(DEFAULT_ANALYSIS_HOUR).toBe(3);
    expect(analysisHourOf({ analysisHour: 22 })).toBe(22);
    expect(analysisHourOf({ analysisHour: 0 })).toBe(0);
    expect(analysisHourOf({})).toBe(3);
    expect(analysisHourOf(null)).toBe(3);
    expect(analysisHourOf({ analysisHour: 24 })).toBe(3);
    expect(analysisHourOf({ analysisHour: "5" })).toBe(3);
    expect(analysisHourOf({ analysisHour: 2.5 })).toBe(3);
  });

  it("parses the form's whole hours and refuses anything else with a reason", () => {
    expect(parseAnalysisHour("0")).toEqual({ ok: true, hour: 0 });
    expect(parseAnalysisHour(" 23 ")).toEqual({ ok: true, hour: 23 });
    for (const bad of ["24", "-1", "3.5", "", "three", null, 3]) {
      expect(parseAnalysisHour(bad)).toEqual({ ok: false, problem: { key: "settings.scheduleHourInvalid", params: {} } });
    }
  });

  it("is due in the first quarter of an hour of the shop's own time", () => {
    // 03:00 in Paris (winter, UTC+1) is 02:00 UTC.
    expect(analysisDue(new Date("2026-11-23T02:00:00Z"), "Europe/Paris", 3)).toBe(true);
    expect(analysisDue(new Date("2026-11-23T02:14:59Z"), "Europe/Paris", 3)).toBe(true);
    expect(analysisDue(new Date("2026-11-23T02:15:00Z"), "Europe/Paris", 3)).toBe(false);
    expect(analysisDue(new Date("2026-11-23T03:00:00Z"), "Europe/Paris", 3)).toBe(false);
    // Summer time: 03:00 in Paris is 01:00 UTC.
    expect(analysisDue(new Date("2026-07-01T01:00:00Z"), "Europe/Paris", 3)).toBe(true);
    // Half- and quarter-hour offsets: 03:00 in Kolkata (UTC+05:30) is 21:30 UTC the day before,
    // 03:00 in Kathmandu (UTC+05:45) is 21:15 UTC: both on a quarter-hour wake-up.
    expect(analysisDue(new Date("2026-11-22T21:30:00Z"), "Asia/Kolkata", 3)).toBe(true);
    expect(analysisDue(new Date("2026-11-22T21:15:00Z"), "Asia/Kathmandu", 3)).toBe(true);
    expect(analysisDue(new Date("2026-11-22T21:00:00Z"), "Asia/Kathmandu", 3)).toBe(false);
    expect(localDateKey(new Date("2026-11-22T21:30:00Z"), "Asia/Kolkata")).toBe("2026-11-23");
  });

  it("wakes up at the next quarter of an hour", () => {
    expect(msUntilNextTick(new Date("2026-11-23T02:59:59.980Z"))).toBe(20);
    expect(msUntilNextTick(new Date("2026-11-23T03:00:00Z"))).toBe(15 * 60_000);
    expect(msUntilNextTick(new Date("2026-11-23T03:07:30Z"))).toBe(7.5 * 60_000);
  });
});
