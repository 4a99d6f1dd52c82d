import { describe, expect, it } from "vitest";
import {
  cartAbandonmentRate,
  checkoutCutoff,
  compareKpis,
  computePeriodKpis,
  customerAcquisitionCost,
  marketingSpendForRange,
  medianDaysToSecondOrder,
  netPromoterScore,
  rangeLabel,
  retentionRate,
  type PeriodKpiInput,
} from "~/domain/kpis";
import { startOfLocalDay } from "~/domain/time";

const TZ = "Europe/Paris";
const feb = { from: startOfLocalDay("2024-02-01", TZ), to: startOfLocalDay("2024-03-01", TZ) };

const input: PeriodKpiInput = {
  range: feb,
  timeZone: TZ,
  customers: [
    { customerId: "a", orders: 2, netRevenue: 100, firstOrderAt: new Date("2023-05-01T10:00:00Z") },
    // 23:30 UTC on 31 January is 1 February in Paris: a new customer of February.
    { customerId: "b", orders: 1, netRevenue: 50, firstOrderAt: new Date("2024-01-31T23:30:00Z") },
    { customerId: "c", orders: 1, netRevenue: 30, firstOrderAt: new Date("2024-02-10T10:00:00Z") },
    { customerId: "d", orders: 0, netRevenue: 0, firstOrderAt: new Date("2023-01-01T10:00:00Z") },
  ],
  priorPeriodCustomerIds: ["a", "x", "y", "z", "x"],
  lifetime: { customers: 10, netRevenue: 1000 },
  predictions: { pAlive: [1, 0.5, 0.3, 0.2], clv12m: [10, 20, null, 30] },
  secondOrders: [
    { firstOrderAt: new Date("2024-01-01T12:00:00Z"), secondOrderAt: new Date("2024-02-05T12:00:00Z") }, // 35 days
    // 31 Jan 23:30 → 2 Feb 00:30 in Paris: 2 calendar days (1 in UTC).
    { firstOrderAt: new Date("2024-01-31T22:30:00Z"), secondOrderAt: new Date("2024-02-01T23:30:00Z") },
  ],
  checkouts: { created: 200, abandoned: 150 },
  marketingSpend: 600,
  nps: [
    { score: 10, count: 5 },
    { score: 9, count: 3 },
    { score: 8, count: 2 },
    { score: 6, count: 4 },
    { score: 0, count: 1 },
  ],
};

describe("computePeriodKpis", () => {
  const k = computePeriodKpis(input);

  it("sums revenue, orders and customers", () => {
    expect(k.netRevenue).toBe(180);
    expect(k.orders).toBe(4);
    expect(k.customers).toBe(3);
    expect(k.newCustomers).toBe(2);
    expect(k.returningCustomers).toBe(1);
  });

  it("derives the ratios", () => {
    expect(k.averageOrderValue).toBe(45);
    expect(k.purchaseFrequency).toBeCloseTo(4 / 3, 12);
    expect(k.repeatPurchaseRate).toBeCloseTo(100 / 3, 12);
    expect(k.retentionRate).toBe(25);
    expect(k.churnRate).toBe(75);
    expect(k.modelChurnRate).toBe(50);
    expect(k.historicalClv).toBe(100);
    expect(k.predictedClv12m).toBe(20);
    expect(k.medianDaysToSecondOrder).toBe(18.5);
    expect(k.cartAbandonmentRate).toBe(75);
    expect(k.cac).toBe(300);
    expect(k.ltvToCac).toBeCloseTo(20 / 300, 12);
    expect(k.ltvBasis).toBe("predicted_12m");
    expect(k.nps).toBe(20);
  });

  it("counts new customers by the shop's time zone", () => {
    const utc = computePeriodKpis({
      ...input,
      timeZone: "UTC",
      range: { from: new Date("2024-02-01T00:00:00Z"), to: new Date("2024-03-01T00:00:00Z") },
    });
    expect(utc.newCustomers).toBe(1);
  });

  it("returns nulls, not NaN, for empty denominators", () => {
    const empty = computePeriodKpis({ range: feb, timeZone: TZ, customers: [], priorPeriodCustomerIds: [], marketingSpend: 100, nps: [] });
    expect(empty).toMatchObject({
      netRevenue: 0,
      orders: 0,
      customers: 0,
      averageOrderValue: null,
      purchaseFrequency: null,
      repeatPurchaseRate: null,
      retentionRate: null,
      churnRate: null,
      modelChurnRate: null,
      historicalClv: null,
      predictedClv12m: null,
      medianDaysToSecondOrder: null,
      cartAbandonmentRate: null,
      cac: null,
      ltvToCac: null,
      ltvBasis: null,
      nps: null,
    });
    expect(JSON.stringify(empty)).not.toMatch(/NaN|Infinity/);
  });

  it("falls back to historical CLV for LTV:CAC without predictions", () => {
    const k2 = computePeriodKpis({ ...input, predictions: undefined });
    expect(k2.ltvBasis).toBe("historical");
    expect(k2.ltvToCac).toBeCloseTo(100 / 300, 12);
  });
});

describe("single KPIs", () => {
  it("retention counts distinct prior customers", () => {
    expect(retentionRate(["a", "a", "b"], new Set(["a"]))).toBe(50);
    expect(retentionRate([], new Set(["a"]))).toBeNull();
  });

  it("cart abandonment, CAC", () => {
    expect(cartAbandonmentRate(0, 0)).toBeNull();
    expect(cartAbandonmentRate(8, 2)).toBe(25);
    expect(customerAcquisitionCost(500, 0)).toBeNull();
    expect(customerAcquisitionCost(null, 5)).toBeNull();
    expect(customerAcquisitionCost(500, 4)).toBe(125);
  });

  it("NPS uses 9–10 as promoters and 0–6 as detractors", () => {
    expect(netPromoterScore([])).toBeNull();
    expect(
      netPromoterScore([
        { score: 7, count: 3 },
        { score: 8, count: 1 },
      ]),
    ).toBe(0);
    expect(
      netPromoterScore([
        { score: 9, count: 1 },
        { score: 6, count: 3 },
      ]),
    ).toBe(-50);
    expect(() => netPromoterScore([{ score: 11, count: 1 }])).toThrow();
  });

  it("median days to second order in UTC vs Paris", () => {
    expect(medianDaysToSecondOrder(input.secondOrders!, "UTC")).toBe(18);
    expect(medianDaysToSecondOrder(input.secondOrders!, TZ)).toBe(18.5);
    expect(medianDaysToSecondOrder([], TZ)).toBeNull();
  });
});

describe("marketing spend and ranges", () => {
  it("prorates monthly spend by the days of the range", () => {
    const range = { from: startOfLocalDay("2024-01-16", TZ), to: startOfLocalDay("2024-02-15", TZ) };
    const monthly = [
      { month: "2024-01", amount: 310 },
      { month: "2024-02", amount: 290 },
      { month: "2024-03", amount: 1000 },
    ];
    // 16 January days at 10/day + 14 February days at 10/day.
    expect(marketingSpendForRange(monthly, range, TZ)).toBeCloseTo(300, 9);
    expect(marketingSpendForRange([{ month: "2023-12", amount: 5 }], range, TZ)).toBeNull();
    expect(marketingSpendForRange(monthly, feb, TZ)).toBeCloseTo(290, 9);
  });

  it("labels a range with its first and last local day", () => {
    expect(rangeLabel(feb, TZ)).toEqual({ from: "2024-02-01", toInclusive: "2024-02-29" });
  });

  it("leaves out of cart abandonment the checkouts younger than 24 hours by the clock", () => {
    expect(checkoutCutoff(new Date("2026-11-01T10:00:00Z")).toISOString()).toBe("2026-10-31T10:00:00.000Z");
  });

  it("sums net revenue exactly and compares it exactly", () => {
    const row = (customerId: string, netRevenue: number) => ({ customerId, orders: 1, netRevenue, firstOrderAt: new Date("2024-02-10T10:00:00Z") });
    const cur = computePeriodKpis({ range: feb, timeZone: TZ, customers: [row("a", 0.1), row("b", 0.2)] });
    expect(cur.netRevenue).toBe(0.3);
    const prev = computePeriodKpis({ range: feb, timeZone: TZ, customers: [row("a", 85833.26)] });
    const cmp = compareKpis(prev, cur);
    expect(cmp.netRevenue.change).toBe(85832.96);
  });

  it("compares periods with null percentages when the previous value is 0", () => {
    const cur = computePeriodKpis(input);
    const prev = computePeriodKpis({ ...input, customers: input.customers.slice(0, 1) });
    const cmp = compareKpis(cur, prev);
    expect(cmp.netRevenue).toEqual({ current: 180, previous: 100, change: 80, changePercent: 80 });
    expect(cmp.newCustomers).toEqual({ current: 2, previous: 0, change: 2, changePercent: null });
    expect(cmp.cac.previous).toBeNull();
    expect(cmp.cac.change).toBeNull();
  });
});
