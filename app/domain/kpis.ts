// Store KPIs for a date range (instants [from, to); the range rules are in ranges.ts), computed
// from compact pre-aggregated rows that a SQL GROUP BY can produce. Money values are numbers
// in the shop currency's major units; sums of amounts are exact (summed as integers of 10^-4,
// the stored precision; see money.ts). Rates are percentages (0–100).
// Every ratio is null, never NaN, when its denominator is 0.

import { fromScaled, toScaled } from "./money";
import { median } from "./stats";
import { dayLabel, daysFromCivil, zonedCalendar } from "./time";

export interface DateRange {
  /** Inclusive start instant (usually local midnight in the shop's time zone). */
  from: Date;
  /** Exclusive end instant. */
  to: Date;
}

/** A checkout counts in cart abandonment once it is this old, by the clock: until then it may still complete. */
export const CHECKOUT_SETTLE_MS = 24 * 3_600_000;

/**
 * Checkouts created after this instant are left out of cart abandonment (both counts),
 * whatever the period: the 24 hours are measured from `now`, the time of computation.
 */
export function checkoutCutoff(now: Date): Date {
  return new Date(now.getTime() - CHECKOUT_SETTLE_MS);
}

/**
 * One row per customer who placed at least one order in the range:
 *   SELECT customer_id, COUNT(*) AS orders, SUM(total - refunded) AS net_revenue,
 *          MIN(first_order_at) ... WHERE NOT cancelled AND NOT test AND created_at in range
 *   GROUP BY customer_id
 */
export interface PeriodCustomerRow {
  customerId: string;
  /** Orders in the range (cancelled and test orders excluded). */
  orders: number;
  /** Order totals minus refunds on those orders, major units. */
  netRevenue: number;
  /** The customer's first order ever (same exclusions), which decides new vs returning. */
  firstOrderAt: Date;
}

/** A customer's first two orders (SQL window function), for the time to second order. */
export interface FirstSecondOrderRow {
  firstOrderAt: Date;
  secondOrderAt: Date;
}

/** Answer counts per NPS score (GROUP BY score). */
export interface NpsCount {
  score: number;
  count: number;
}

export interface PeriodKpiInput {
  range: DateRange;
  /** The shop's IANA time zone, used for calendar-day differences. */
  timeZone: string;
  customers: readonly PeriodCustomerRow[];
  /** Ids of customers who ordered in the preceding period of equal length; omit → retention null. */
  priorPeriodCustomerIds?: Iterable<string>;
  /** All customers with at least one order before `to`, and their total net revenue. */
  lifetime?: { customers: number; netRevenue: number };
  /** Per-customer model outputs from clv.ts for the active customer base. */
  predictions?: { pAlive: ArrayLike<number>; clv12m: ArrayLike<number | null> };
  /** Customers whose second order was placed in the range. */
  secondOrders?: readonly FirstSecondOrderRow[];
  checkouts?: { created: number; abandoned: number };
  /** Marketing spend attributed to the range (see marketingSpendForRange); null/absent → CAC null. */
  marketingSpend?: number | null;
  nps?: readonly NpsCount[];
}

export interface PeriodKpis {
  netRevenue: number;
  orders: number;
  customers: number;
  newCustomers: number;
  returningCustomers: number;
  averageOrderValue: number | null;
  purchaseFrequency: number | null;
  repeatPurchaseRate: number | null;
  retentionRate: number | null;
  churnRate: number | null;
  modelChurnRate: number | null;
  historicalClv: number | null;
  predictedClv12m: number | null;
  medianDaysToSecondOrder: number | null;
  cartAbandonmentRate: number | null;
  cac: number | null;
  ltvToCac: number | null;
  /** Which CLV the LTV:CAC ratio uses. */
  ltvBasis: "predicted_12m" | "historical" | null;
  nps: number | null;
}

/** a / b, or null when b is 0 (or either side is not finite). */
export function ratio(a: number, b: number): number | null {
  if (b === 0 || !Number.isFinite(a) || !Number.isFinite(b)) return null;
  return a / b;
}

function pct(a: number, b: number): number | null {
  const r = ratio(a, b);
  return r === null ? null : r * 100;
}

/** Mean of the finite values, null when there are none. */
export function meanOf(values: ArrayLike<number | null>): number | null {
  let s = 0;
  let n = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v !== null && Number.isFinite(v)) {
      s += v;
      n++;
    }
  }
  return n === 0 ? null : s / n;
}

/** Retention: share of the prior period's customers who ordered again in this period. */
export function retentionRate(priorIds: Iterable<string>, currentIds: ReadonlySet<string>): number | null {
  let prior = 0;
  let kept = 0;
  for (const id of new Set(priorIds)) {
    prior++;
    if (currentIds.has(id)) kept++;
  }
  return pct(kept, prior);
}

/** Cart abandonment rate = abandoned checkouts / checkouts created × 100. */
export function cartAbandonmentRate(created: number, abandoned: number): number | null {
  return pct(abandoned, created);
}

/** CAC = marketing spend / new customers. */
export function customerAcquisitionCost(spend: number | null | undefined, newCustomers: number): number | null {
  if (spend === null || spend === undefined) return null;
  return ratio(spend, newCustomers);
}

/** NPS = % promoters (9–10) − % detractors (0–6), in points (−100..100); null with no answers. */
export function netPromoterScore(counts: readonly NpsCount[]): number | null {
  let total = 0;
  let promoters = 0;
  let detractors = 0;
  for (const { score, count } of counts) {
    if (!Number.isInteger(score) || score < 0 || score > 10) throw new RangeError(`NPS score ${score} is not an integer 0–10`);
    total += count;
    if (score >= 9) promoters += count;
    else if (score <= 6) detractors += count;
  }
  if (total === 0) return null;
  return ((promoters - detractors) / total) * 100;
}

/** Median calendar days (shop time zone) from first to second order. */
export function medianDaysToSecondOrder(rows: readonly FirstSecondOrderRow[], timeZone: string): number | null {
  const cal = zonedCalendar(timeZone);
  return median(rows.map((r) => cal.dayNumber(r.secondOrderAt.getTime()) - cal.dayNumber(r.firstOrderAt.getTime())));
}

/** Monthly marketing spend entered by the merchant ("YYYY-MM" in the shop's time zone). */
export interface MonthlySpend {
  month: string;
  amount: number;
}

/**
 * Spend attributed to a range: each month's amount is spread evenly over its days, and the
 * range gets the days it covers (local calendar days of the shop). Null when no month
 * overlapping the range has an entry, so CAC is not shown as 0 for unknown spend.
 */
export function marketingSpendForRange(monthly: readonly MonthlySpend[], range: DateRange, timeZone: string): number | null {
  const cal = zonedCalendar(timeZone);
  const firstDay = cal.dayNumber(range.from.getTime());
  // `to` is exclusive: the last covered day is the one containing the instant just before it.
  const lastDay = cal.dayNumber(range.to.getTime() - 1);
  if (lastDay < firstDay) return null;
  let total = 0;
  let any = false;
  for (const { month, amount } of monthly) {
    const m = /^(\d{4})-(\d{2})$/.exec(month);
    if (!m) throw new RangeError(`marketing spend month "${month}" is not YYYY-MM`);
    const y = Number(m[1]);
    const mo = Number(m[2]);
    const start = daysFromCivil(y, mo, 1);
    const end = mo === 12 ? daysFromCivil(y + 1, 1, 1) : daysFromCivil(y, mo + 1, 1); // exclusive
    const overlap = Math.min(end, lastDay + 1) - Math.max(start, firstDay);
    if (overlap <= 0) continue;
    any = true;
    total += (amount * overlap) / (end - start);
  }
  return any ? total : null;
}

/** All KPIs of one period. Call it twice (current, previous) and compare with compareKpis. */
export function computePeriodKpis(input: PeriodKpiInput): PeriodKpis {
  const from = input.range.from.getTime();
  const to = input.range.to.getTime();
  let netScaled = 0;
  let orders = 0;
  let customers = 0;
  let newCustomers = 0;
  let repeaters = 0;
  const ids = new Set<string>();
  for (const row of input.customers) {
    if (row.orders <= 0) continue;
    customers++;
    ids.add(row.customerId);
    orders += row.orders;
    netScaled += toScaled(row.netRevenue);
    if (row.orders >= 2) repeaters++;
    const first = row.firstOrderAt.getTime();
    if (first >= from && first < to) newCustomers++;
  }
  const retention = input.priorPeriodCustomerIds ? retentionRate(input.priorPeriodCustomerIds, ids) : null;
  const medianDays = input.secondOrders ? medianDaysToSecondOrder(input.secondOrders, input.timeZone) : null;
  return periodKpisOfTotals(input, { netScaled, orders, customers, newCustomers, repeaters, retention, medianDaysToSecondOrder: medianDays });
}

/** What computePeriodKpis takes from the per-customer rows: counts and sums. */
export interface PeriodCustomerTotals {
  /** Net revenue of the customers' orders in the range, NET_SCALE units. */
  netScaled: number;
  orders: number;
  /** Customers with an order in the range, those of them whose first order is in it, those with two or more. */
  customers: number;
  newCustomers: number;
  repeaters: number;
  /** retentionRate of the prior period's customers; null when not known. */
  retention: number | null;
  /** medianDaysToSecondOrder of the customers whose second order is in the range; null when not known. */
  medianDaysToSecondOrder: number | null;
}

/**
 * The KPIs from the per-customer totals (computePeriodKpis without its rows): for callers that
 * hold customers as columns, so that a million customers need no row objects.
 */
export function periodKpisOfTotals(
  input: Omit<PeriodKpiInput, "customers" | "priorPeriodCustomerIds" | "secondOrders">,
  totals: PeriodCustomerTotals,
): PeriodKpis {
  const { netScaled, orders, customers, newCustomers, repeaters, retention } = totals;
  const historicalClv = input.lifetime ? ratio(input.lifetime.netRevenue, input.lifetime.customers) : null;
  const pAliveMean = input.predictions ? meanOf(input.predictions.pAlive) : null;
  const predictedClv12m = input.predictions ? meanOf(input.predictions.clv12m) : null;
  const cac = customerAcquisitionCost(input.marketingSpend, newCustomers);
  const ltv = predictedClv12m ?? historicalClv;
  const netRevenue = fromScaled(netScaled);
  return {
    netRevenue,
    orders,
    customers,
    newCustomers,
    returningCustomers: customers - newCustomers,
    averageOrderValue: ratio(netRevenue, orders),
    purchaseFrequency: ratio(orders, customers),
    repeatPurchaseRate: pct(repeaters, customers),
    retentionRate: retention,
    churnRate: retention === null ? null : 100 - retention,
    modelChurnRate: pAliveMean === null ? null : (1 - pAliveMean) * 100,
    historicalClv,
    predictedClv12m,
    medianDaysToSecondOrder: totals.medianDaysToSecondOrder,
    cartAbandonmentRate: input.checkouts ? cartAbandonmentRate(input.checkouts.created, input.checkouts.abandoned) : null,
    cac,
    ltvToCac: ltv === null || cac === null ? null : ratio(ltv, cac),
    ltvBasis: ltv === null ? null : predictedClv12m !== null ? "predicted_12m" : "historical",
    nps: input.nps ? netPromoterScore(input.nps) : null,
  };
}

export interface KpiChange {
  current: number | null;
  previous: number | null;
  /** current − previous. */
  change: number | null;
  /** (current − previous) / |previous| × 100; null when previous is 0 or missing. */
  changePercent: number | null;
}

export type KpiComparison = { [K in Exclude<keyof PeriodKpis, "ltvBasis">]: KpiChange };

/** Side-by-side current and previous values with absolute and relative change. */
export function compareKpis(current: PeriodKpis, previous: PeriodKpis): KpiComparison {
  const out = {} as Record<string, KpiChange>;
  for (const key of Object.keys(current) as (keyof PeriodKpis)[]) {
    if (key === "ltvBasis") continue;
    const c = current[key] as number | null;
    const p = previous[key] as number | null;
    // A difference of exact amounts is exact too.
    const change = c === null || p === null ? null : key === "netRevenue" ? fromScaled(toScaled(c) - toScaled(p)) : c - p;
    out[key] = { current: c, previous: p, change, changePercent: change === null || p === null ? null : pct(change, Math.abs(p)) };
  }
  return out as KpiComparison;
}

/** Start and end (exclusive) day numbers → "YYYY-MM-DD" labels, for display of a range. */
export function rangeLabel(range: DateRange, timeZone: string): { from: string; toInclusive: string } {
  const cal = zonedCalendar(timeZone);
  return { from: dayLabel(cal.dayNumber(range.from.getTime())), toInclusive: dayLabel(cal.dayNumber(range.to.getTime() - 1)) };
}
