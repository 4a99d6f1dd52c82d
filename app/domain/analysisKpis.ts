// KPIs of the analysis windows, assembled from the per-customer columns the SQL aggregate
// returns (one array per field, one per window) plus guest orders, checkouts and marketing
// spend. Pure: the windows, the zone and any predictions are passed in. Revenue sums are
// exact: integers of 10^-4 (NET_SCALE), turned into a number once per total.
import { marketingSpendForRange, periodKpisOfTotals, ratio, type DateRange, type MonthlySpend, type PeriodKpis } from "./kpis";
import { amountToDecimal, fromScaled, moneyToDecimal } from "./money";
import { median } from "./stats";
import { zonedCalendar } from "./time";

/** The domain's PeriodKpis plus the guest part of orders and revenue. */
export type StoredKpis = PeriodKpis & { guestOrders: number; guestNetRevenue: number; marketingSpend: number | null };

/** The aggregate's columns the KPIs read (identified customers only, index = customer). */
export interface KpiColumns {
  count: number;
  customerId: ArrayLike<number>;
  /** Exact lifetime net revenue in units of 10^-4 (NET_SCALE). */
  netScaled: ArrayLike<number>;
  /** Epoch milliseconds; secondOrderAt is NaN with one order. */
  firstOrderAt: ArrayLike<number>;
  secondOrderAt: ArrayLike<number>;
  /** Per window: orders and exact net revenue (NET_SCALE units) inside it. */
  windowOrders: ArrayLike<number>[];
  windowNetScaled: ArrayLike<number>[];
}

/** What the KPIs of window triples (current, previous, the one before) are computed from. */
export interface KpiInputs {
  agg: KpiColumns;
  /** Guest orders (no customer) per window, net revenue in NET_SCALE units. */
  guests: readonly { orders: number; netScaled: number }[];
  /** Checkouts created and abandoned per window. */
  checkouts: readonly { created: number; abandoned: number }[];
  spend: readonly MonthlySpend[];
  timeZone: string;
  /** Lifetime net revenue of all customers (major units). */
  lifetimeNet: number;
  predictions?: { pAlive: ArrayLike<number>; clv12m: ArrayLike<number | null> };
  /** NPS answers per score (index = score 0–10) in each window; absent → NPS null. */
  nps?: readonly (readonly number[])[];
}

/** Lifetime net revenue of all the aggregate's customers, major units (an exact sum). */
export function lifetimeNetRevenue(agg: Pick<KpiColumns, "count" | "netScaled">): number {
  let scaled = 0;
  for (let i = 0; i < agg.count; i++) scaled += agg.netScaled[i];
  return fromScaled(scaled);
}

/**
 * KPIs of the k-th window triple: p = 0 the current period, p = 1 the previous one (windows
 * 3k, 3k+1, 3k+2 of the aggregate; the third only serves the previous period's retention).
 */
export function periodKpisOf(inputs: KpiInputs, k: number, p: 0 | 1, range: DateRange): StoredKpis {
  const { agg, guests, checkouts, spend, timeZone, lifetimeNet, predictions, nps } = inputs;
  const w = 3 * k + p;
  // Counted straight from the columns (computePeriodKpis's definitions): no row object, id
  // string or Date per customer, which for a million customers made hundreds of MB of garbage.
  let customers = 0;
  let customerOrders = 0;
  let newCustomers = 0;
  let repeaters = 0;
  let prior = 0;
  let kept = 0;
  const daysToSecond: number[] = [];
  const cal = zonedCalendar(timeZone);
  let lifetimeCustomers = 0;
  let lifetimeScaled = 0;
  let customersScaled = 0;
  const from = range.from.getTime();
  const to = range.to.getTime();
  const wOrders = agg.windowOrders[w];
  const wRevenue = agg.windowNetScaled[w];
  const priorOrders = agg.windowOrders[w + 1];
  const currentRevenue = agg.windowNetScaled[3 * k];
  for (let i = 0; i < agg.count; i++) {
    const firstAt = agg.firstOrderAt[i];
    const o = wOrders[i];
    if (o > 0) {
      customers++;
      customerOrders += o;
      if (o >= 2) repeaters++;
      if (firstAt >= from && firstAt < to) newCustomers++;
      customersScaled += wRevenue[i];
    }
    // Retention: the prior period's customers (ids are distinct) who ordered in this one.
    if (priorOrders[i] > 0) {
      prior++;
      if (o > 0) kept++;
    }
    const second = agg.secondOrderAt[i];
    if (second >= from && second < to) daysToSecond.push(cal.dayNumber(second) - cal.dayNumber(firstAt)); // NaN: no second order
    if (p === 1 && firstAt < to) {
      lifetimeCustomers++;
      // Everything after the previous period lies in the current one.
      lifetimeScaled += agg.netScaled[i] - currentRevenue[i];
    }
  }
  const marketingSpend = marketingSpendForRange(spend, range, timeZone);
  const retention = ratio(kept, prior);
  const kpis = periodKpisOfTotals(
    {
      range,
      timeZone,
      lifetime:
        p === 0 ? { customers: agg.count, netRevenue: lifetimeNet } : { customers: lifetimeCustomers, netRevenue: fromScaled(lifetimeScaled) },
      predictions: p === 0 ? predictions : undefined,
      checkouts: checkouts[w],
      marketingSpend,
      // Answers given in the window (NpsResponse.createdAt); no answers → null.
      nps: nps ? nps[w].map((count, score) => ({ score, count })) : undefined,
    },
    {
      netScaled: customersScaled,
      orders: customerOrders,
      customers,
      newCustomers,
      repeaters,
      retention: retention === null ? null : retention * 100,
      medianDaysToSecondOrder: median(daysToSecond),
    },
  );
  // Guests: their orders count in revenue, orders and AOV, never as customers.
  const guest = guests[w];
  const netRevenue = fromScaled(customersScaled + guest.netScaled);
  const orders = kpis.orders + guest.orders;
  return {
    ...kpis,
    netRevenue,
    orders,
    averageOrderValue: ratio(netRevenue, orders),
    guestOrders: guest.orders,
    guestNetRevenue: fromScaled(guest.netScaled),
    marketingSpend,
  };
}

/** The money figures of StoredKpis. */
export const KPI_AMOUNTS = [
  "netRevenue",
  "guestNetRevenue",
  "averageOrderValue",
  "historicalClv",
  "predictedClv12m",
  "cac",
  "marketingSpend",
] as const;
type KpiAmount = (typeof KPI_AMOUNTS)[number];
/** Sums of stored amounts: exact at the currency's decimals. The other amounts are means or ratios. */
const EXACT_SUMS = new Set<KpiAmount>(["netRevenue", "guestNetRevenue"]);

export type DecimalKpis = Omit<StoredKpis, KpiAmount> & { [K in KpiAmount]: string | null };

/**
 * The KPIs with every amount as a decimal string in the currency's decimals (`exponent`, see
 * currencyExponent): sums exactly, means and ratios rounded to the minor unit.
 */
export function kpisWithDecimalAmounts(kpis: StoredKpis, exponent: number): DecimalKpis {
  const out: Record<string, unknown> = { ...kpis };
  for (const key of KPI_AMOUNTS) {
    const value = kpis[key];
    out[key] = value === null ? null : EXACT_SUMS.has(key) ? amountToDecimal(value, exponent) : moneyToDecimal(value, exponent);
  }
  return out as DecimalKpis;
}
