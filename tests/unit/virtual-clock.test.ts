// The VirtualClock of benchmarks and tests: sleeping moves it without waiting, and real time
// passes on it only when asked (here a hand-driven real time source, so nothing depends on load).
import { describe, expect, it } from "vitest";
import { systemClock } from "~/lib/clock";
import { VirtualClock } from "../../cli/simulator/virtualClock";

describe("VirtualClock", () => {
  it("adds every sleep to the time and resolves without waiting for it", async () => {
    let real = 1_000;
    const clock = new VirtualClock({ start: 5_000_000, realNow: () => real });
    expect(clock.now()).toBe(5_000_000);
    await clock.sleep(3_600_000); // an hour: the test would time out if it were real
    expect(clock.now()).toBe(8_600_000);
    real += 250; // work that really took 250 ms
    expect(clock.now()).toBe(8_600_250);
    expect(clock.realElapsedMs()).toBe(250);
    await clock.sleep(0);
    await clock.sleep(-5);
    expect(clock.now()).toBe(8_600_250);
    expect({ skippedMs: clock.skippedMs, sleeps: clock.sleeps }).toEqual({ skippedMs: 3_600_000, sleeps: 1 });
  });

  it("stands still between sleeps with realTime: false", async () => {
    let real = 0;
    const clock = new VirtualClock({ start: 0, realTime: false, realNow: () => real });
    real += 10_000;
    expect(clock.now()).toBe(0);
    await clock.sleep(1_100);
    await clock.sleep(1_000);
    expect(clock.now()).toBe(2_100);
    expect(clock.realElapsedMs()).toBe(0);
  });

  it("the system clock is Date.now", () => {
    const before = Date.now();
    const now = systemClock.now();
    expect(now).toBeGreaterThanOrEqual(before);
    expect(now).toBeLessThanOrEqual(Date.now());
  });
});
