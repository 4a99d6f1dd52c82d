// The dashboard's revenue and orders series (services/dashboard.server.ts seriesOf): daily up to
// 92 days, then weekly sums of the weeks ending on the period's last day, adding up to its total.
import { describe, expect, it } from "vitest";
import { parseDayLabel } from "~/domain/time";
import { seriesOf } from "~/services/dashboard.server";

const span = (from: string, to: string) => ({ first: parseDayLabel(from), last: parseDayLabel(to) });
// One order of 10.00 every day of 2026.
const daily = Array.from({ length: 365 }, (_, i) => {
  const d = new Date(Date.UTC(2026, 0, 1 + i));
  return { date: d.toISOString().slice(0, 10), orders: 1, netRevenue: 10, newCustomers: 0 };
});

describe("the dashboard's series", () => {
  it("has one point per day up to 92 days", () => {
    const s = seriesOf(daily, span("2026-10-01", "2026-12-31"));
    expect(s).toHaveLength(92);
    expect(s[0]).toEqual({ date: "2026-10-01", orders: 1, netRevenue: 10 });
  });

  it("sums whole weeks ending on the last day; only the oldest point may be shorter", () => {
    const s = seriesOf(daily, span("2026-01-01", "2026-12-31"));
    // 365 days: 52 whole weeks and 1 day.
    expect(s).toHaveLength(53);
    expect(s[0]).toEqual({ date: "2026-01-01", orders: 1, netRevenue: 10 });
    expect(s[1]).toEqual({ date: "2026-01-02", orders: 7, netRevenue: 70 });
    expect(s.at(-1)).toEqual({ date: "2026-12-25", orders: 7, netRevenue: 70 });
    expect(s.slice(1).every((p) => p.orders === 7)).toBe(true);
    expect(s.reduce((t, p) => t + p.netRevenue, 0)).toBe(3650);
  });
});
