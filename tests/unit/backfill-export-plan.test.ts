// The backfill's exports plan (services/backfill/exportPlan.ts): how a large shop's orders are
// split into creation-date ranges that cover every order exactly once.
import { describe, expect, it } from "vitest";
import { legacyPlan, orderDateRanges, orderExportCount, planExports } from "~/services/backfill/exportPlan";

describe("the orders' creation-date ranges", () => {
  it("splits at whole seconds; the first range is open below, the last above, each bound shared by two neighbours", () => {
    const ranges = orderDateRanges(new Date("2026-01-01T00:00:00.400Z"), new Date("2026-01-01T00:00:09.900Z"), 4);
    // Seconds 0 to 10 (the last order's second included), cut at 2.5 → 3, 5, 7.5 → 8.
    expect(ranges).toEqual([
      "created_at:<'2026-01-01T00:00:03Z'",
      "created_at:>='2026-01-01T00:00:03Z' created_at:<'2026-01-01T00:00:05Z'",
      "created_at:>='2026-01-01T00:00:05Z' created_at:<'2026-01-01T00:00:08Z'",
      "created_at:>='2026-01-01T00:00:08Z'",
    ]);
  });

  it("never cuts inside one second: as many ranges as seconds at most, one (no search) for a single second", () => {
    expect(orderDateRanges(new Date("2026-01-01T00:00:00Z"), new Date("2026-01-01T00:00:01Z"), 10)).toEqual([
      "created_at:<'2026-01-01T00:00:01Z'",
      "created_at:>='2026-01-01T00:00:01Z'",
    ]);
    expect(orderDateRanges(new Date("2026-01-01T00:00:00.100Z"), new Date("2026-01-01T00:00:00.900Z"), 10)).toEqual([undefined]);
    expect(orderDateRanges(new Date("2025-01-01T00:00:00Z"), new Date("2026-01-01T00:00:00Z"), 1)).toEqual([undefined]);
  });

  it("takes one export per million orders, at most ten", () => {
    expect(orderExportCount(0)).toBe(1);
    expect(orderExportCount(1_000_000)).toBe(1);
    expect(orderExportCount(1_000_001)).toBe(2);
    expect(orderExportCount(10_000_000)).toBe(10);
    expect(orderExportCount(50_000_000)).toBe(10);
    expect(orderExportCount(600, 150)).toBe(4);
  });
});

describe("a run's plan", () => {
  it("products, customers, then each orders range; a reconciliation's window restricts every export", () => {
    expect(planExports(undefined, { ranges: ["created_at:<'2026-01-01T00:00:00Z'", "created_at:>='2026-01-01T00:00:00Z'"] })).toEqual({
      units: [
        { phase: "products" },
        { phase: "customers" },
        { phase: "orders", search: "created_at:<'2026-01-01T00:00:00Z'" },
        { phase: "orders", search: "created_at:>='2026-01-01T00:00:00Z'" },
      ],
      unit: 0,
      ahead: null,
    });
    const window = "updated_at:>='2026-11-29T00:00:00.000Z'";
    expect(planExports(window).units).toEqual([
      { phase: "products", search: window },
      { phase: "customers", search: window },
      { phase: "orders", search: window },
    ]);
  });

  it("a run recorded before plans resumes at its phase, one export per phase", () => {
    expect(legacyPlan(undefined, "customers")).toEqual({
      units: [{ phase: "products" }, { phase: "customers" }, { phase: "orders" }],
      unit: 1,
      ahead: null,
    });
    expect(legacyPlan(undefined, "analysis").unit).toBe(3);
  });
});
