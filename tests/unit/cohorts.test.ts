import { describe, expect, it } from "vitest";
import { buildCohorts, buildCohortsFromCells, type CohortActivityRow, type CohortCell } from "~/domain/cohorts";

const at = (iso: string) => new Date(iso);
const A = at("2024-01-31T23:30:00Z"); // 1 February in Paris
const B = at("2024-02-10T10:00:00Z");
const C = at("2024-01-15T10:00:00Z");
const rows: CohortActivityRow[] = [
  { customerId: "A", firstOrderAt: A, orderAt: A, netRevenue: 10 },
  { customerId: "A", firstOrderAt: A, orderAt: at("2024-03-05T10:00:00Z"), netRevenue: 20 },
  { customerId: "B", firstOrderAt: B, orderAt: B, netRevenue: 30 },
  { customerId: "B", firstOrderAt: B, orderAt: at("2024-02-20T10:00:00Z"), netRevenue: 5 },
  { customerId: "B", firstOrderAt: B, orderAt: at("2024-03-01T10:00:00Z"), netRevenue: 15 },
  { customerId: "C", firstOrderAt: C, orderAt: C, netRevenue: 40 },
  { customerId: "C", firstOrderAt: C, orderAt: at("2024-02-29T23:30:00Z"), netRevenue: 25 }, // March in Paris
];
const asOf = at("2024-03-15T12:00:00Z");

describe("monthly first-order cohorts", () => {
  it("buckets months in the shop's time zone", () => {
    const cohorts = buildCohorts(rows, { timeZone: "Europe/Paris", asOf });
    expect(cohorts.map((c) => [c.cohort, c.customers])).toEqual([
      ["2024-01", 1],
      ["2024-02", 2],
    ]);
    const [jan, feb] = cohorts;
    expect(jan.months.map((m) => m.retentionRate)).toEqual([100, 0, 100]);
    expect(jan.months.map((m) => m.revenue)).toEqual([40, 0, 25]);
    expect(jan.months.map((m) => m.cumulativeRevenuePerCustomer)).toEqual([40, 40, 65]);
    expect(jan.months.map((m) => m.month)).toEqual(["2024-01", "2024-02", "2024-03"]);
    expect(jan.months.map((m) => m.partial)).toEqual([false, false, true]);
    expect(feb.months.map((m) => m.activeCustomers)).toEqual([2, 2]);
    expect(feb.months.map((m) => m.revenuePerCustomer)).toEqual([22.5, 17.5]);
  });

  it("gives different cohorts in UTC", () => {
    const cohorts = buildCohorts(rows, { timeZone: "UTC", asOf });
    expect(cohorts.map((c) => [c.cohort, c.customers])).toEqual([
      ["2024-01", 2],
      ["2024-02", 1],
    ]);
    expect(cohorts[0].months.map((m) => m.activeCustomers)).toEqual([2, 1, 1]);
    expect(cohorts[0].months.map((m) => m.revenue)).toEqual([50, 25, 20]);
  });

  it("honours from, maxMonths and asOf", () => {
    const onlyFeb = buildCohorts(rows, { timeZone: "Europe/Paris", asOf, from: at("2024-02-01T00:00:00Z") });
    expect(onlyFeb.map((c) => c.cohort)).toEqual(["2024-02"]);
    const capped = buildCohorts(rows, { timeZone: "Europe/Paris", asOf, maxMonths: 1 });
    expect(capped[0].months).toHaveLength(2);
    const early = buildCohorts(rows, { timeZone: "Europe/Paris", asOf: at("2024-02-15T00:00:00Z") });
    expect(early.map((c) => c.months.length)).toEqual([2, 1]);
    expect(early[1].months[0].revenue).toBe(45); // March orders are after asOf
    expect(buildCohorts([], { timeZone: "UTC", asOf })).toEqual([]);
  });
});

describe("cohorts from cells aggregated in SQL", () => {
  const month = (y: number, m: number) => y * 12 + m - 1;
  it("gives the same table as buildCohorts for the same activity, and leaves out cohorts after the as-of month", () => {
    // The rows above in Paris: January cohort C (40 in month 0, 25 in month 2), February
    // cohort A and B (10 + 30 + 5 in month 0, 20 + 15 in month 1).
    const cells: CohortCell[] = [
      { cohortMonth: month(2024, 1), monthsSinceFirst: 0, activeCustomers: 1, revenue: 40 },
      { cohortMonth: month(2024, 1), monthsSinceFirst: 2, activeCustomers: 1, revenue: 25 },
      { cohortMonth: month(2024, 2), monthsSinceFirst: 0, activeCustomers: 2, revenue: 45 },
      { cohortMonth: month(2024, 2), monthsSinceFirst: 1, activeCustomers: 2, revenue: 35 },
      { cohortMonth: month(2024, 4), monthsSinceFirst: 0, activeCustomers: 3, revenue: 1 },
    ];
    const fromCells = buildCohortsFromCells(cells, month(2024, 3));
    expect(fromCells).toEqual(buildCohorts(rows, { timeZone: "Europe/Paris", asOf }));
    expect(fromCells.map((c) => c.cohort)).toEqual(["2024-01", "2024-02"]);
    expect(fromCells[1].months.map((m) => m.revenuePerCustomer)).toEqual([22.5, 17.5]);
  });
});
