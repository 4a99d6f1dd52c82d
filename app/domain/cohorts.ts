// Monthly first-order cohorts: for each month in which customers placed their first order,
// how many of them ordered again (and how much they spent) in each later month. Months are
// calendar months in the shop's IANA time zone. Money in major units (see money.ts).

import { fromScaled, toScaled } from "./money";
import { rounded } from "./stats";
import { monthLabel, zonedCalendar } from "./time";

/**
 * Customer activity, pre-aggregated by SQL: one row per customer and order day (or per
 * order, both work), e.g.
 *   SELECT customer_id, MIN(created_at) AS order_at, COUNT(*), SUM(total - refunded)
 *   ... GROUP BY customer_id, local_day
 * together with the customer's first order ever.
 */
export interface CohortActivityRow {
  customerId: string;
  firstOrderAt: Date;
  orderAt: Date;
  netRevenue: number;
}

export interface CohortMonth {
  /** 0 = the month of the first order. */
  monthsSinceFirst: number;
  /** "YYYY-MM" of this calendar month. */
  month: string;
  /** Cohort customers with at least one order in this month. */
  activeCustomers: number;
  /** activeCustomers / cohort size × 100 (100 in month 0). */
  retentionRate: number;
  revenue: number;
  /** Revenue of the month / cohort size. */
  revenuePerCustomer: number;
  /** Revenue from month 0 to this month / cohort size: historical CLV by customer age. */
  cumulativeRevenuePerCustomer: number;
  /** True for the month containing `asOf` (still in progress). */
  partial: boolean;
}

export interface Cohort {
  /** "YYYY-MM" of the first orders. */
  cohort: string;
  customers: number;
  months: CohortMonth[];
}

export interface CohortOptions {
  timeZone: string;
  /** Months after asOf's month are not reported. */
  asOf: Date;
  /** Only cohorts whose first-order month is at or after this instant's month. */
  from?: Date;
  /** Cap on months since first order (e.g. 12). */
  maxMonths?: number;
}

/** Cohorts in chronological order; every cohort has months 0..(asOf month − cohort month). */
export function buildCohorts(rows: Iterable<CohortActivityRow>, opts: CohortOptions): Cohort[] {
  const cal = zonedCalendar(opts.timeZone);
  const asOfMonth = cal.monthNumber(opts.asOf.getTime());
  const fromMonth = opts.from ? cal.monthNumber(opts.from.getTime()) : -Infinity;
  const maxMonths = opts.maxMonths ?? Infinity;
  interface Acc {
    members: Set<string>;
    active: Map<number, Set<string>>;
    revenue: Map<number, number>;
  }
  const cohorts = new Map<number, Acc>();
  for (const row of rows) {
    const c = cal.monthNumber(row.firstOrderAt.getTime());
    if (c < fromMonth || c > asOfMonth) continue;
    const m = cal.monthNumber(row.orderAt.getTime());
    const k = m - c;
    let acc = cohorts.get(c);
    if (!acc) {
      acc = { members: new Set(), active: new Map(), revenue: new Map() };
      cohorts.set(c, acc);
    }
    acc.members.add(row.customerId);
    // Orders before the recorded first order can only come from inconsistent data: ignore them.
    if (k < 0 || k > maxMonths || m > asOfMonth) continue;
    let set = acc.active.get(k);
    if (!set) {
      set = new Set();
      acc.active.set(k, set);
    }
    set.add(row.customerId);
    acc.revenue.set(k, (acc.revenue.get(k) ?? 0) + row.netRevenue);
  }
  return [...cohorts.keys()]
    .sort((a, b) => a - b)
    .map((c) => {
      const acc = cohorts.get(c)!;
      const size = acc.members.size;
      const last = Math.min(asOfMonth - c, maxMonths);
      const months: CohortMonth[] = [];
      let cumulative = 0;
      for (let k = 0; k <= last; k++) {
        const active = acc.active.get(k)?.size ?? 0;
        const revenue = acc.revenue.get(k) ?? 0;
        cumulative += revenue;
        months.push({
          monthsSinceFirst: k,
          month: monthLabel(c + k),
          activeCustomers: active,
          retentionRate: (active / size) * 100,
          revenue,
          revenuePerCustomer: revenue / size,
          cumulativeRevenuePerCustomer: cumulative / size,
          partial: c + k === asOfMonth,
        });
      }
      return { cohort: monthLabel(c), customers: size, months };
    });
}

/** One cohort cell aggregated in SQL: customers of a first-order month active k months later. */
export interface CohortCell {
  /** Month number (year × 12 + month − 1) of the first order, in the shop's time zone. */
  cohortMonth: number;
  monthsSinceFirst: number;
  activeCustomers: number;
  revenue: number;
}

/**
 * The cohort table (same shape and definitions as buildCohorts) from cells already aggregated
 * in SQL: every customer orders in month 0 of their cohort, so the cohort size is month 0's
 * active customers. Cohorts after `asOfMonth` are left out.
 */
export function buildCohortsFromCells(cells: readonly CohortCell[], asOfMonth: number): Cohort[] {
  const byCohort = new Map<number, Map<number, CohortCell>>();
  for (const cell of cells) {
    if (cell.cohortMonth > asOfMonth) continue;
    let m = byCohort.get(cell.cohortMonth);
    if (!m) byCohort.set(cell.cohortMonth, (m = new Map()));
    m.set(cell.monthsSinceFirst, cell);
  }
  return [...byCohort.keys()]
    .sort((a, b) => a - b)
    .map((c) => {
      const m = byCohort.get(c)!;
      const size = m.get(0)?.activeCustomers ?? 0;
      const months: CohortMonth[] = [];
      let cumulativeScaled = 0; // exact: integers of 10^-4
      for (let k = 0; k <= asOfMonth - c; k++) {
        const active = m.get(k)?.activeCustomers ?? 0;
        const revenue = m.get(k)?.revenue ?? 0;
        cumulativeScaled += toScaled(revenue);
        const cumulative = fromScaled(cumulativeScaled);
        months.push({
          monthsSinceFirst: k,
          month: monthLabel(c + k),
          activeCustomers: active,
          retentionRate: size ? (active / size) * 100 : 0,
          revenue: rounded(revenue, 4)!,
          revenuePerCustomer: size ? rounded(revenue / size, 4)! : 0,
          cumulativeRevenuePerCustomer: size ? rounded(cumulative / size, 4)! : 0,
          partial: c + k === asOfMonth,
        });
      }
      return { cohort: monthLabel(c), customers: size, months };
    });
}
