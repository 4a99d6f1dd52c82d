// The exports of a backfill or reconciliation run, in the order they are imported (pure). A large
// shop's orders are split into creation-date ranges, each its own bulk operation: Admin API
// 2026-01 and later run up to five bulk queries per app and shop at a time, so the next range is
// exported while this one is imported, instead of the whole export coming before any import
// (docs/decisions/010, "Fourth round").
import { PHASES, type Phase } from "./runView";

export interface ExportUnit {
  phase: Phase;
  /** The bulk query's search (`query:` argument); none: every object. */
  search?: string;
}

export interface ExportPlan {
  units: ExportUnit[];
  /** The unit being exported or imported (units.length: all done). */
  unit: number;
  /** The next unit's bulk operation, started before this unit's import. */
  ahead: { unit: number; id: string } | null;
}

/**
 * About this many orders per export of a backfill. Measured at a million orders on two cores
 * (docs/benchmarks.md "Backfill, fourth round"): one export took 188 s end to end, ten ranges
 * 256–271 s, because the simulator builds each range on the same two cores and scans the whole
 * shop for each. Shopify builds exports on its own machines, where ranges only overlap its
 * export with our import; without a measurement of that, ranges start above a million orders.
 */
export const ORDERS_PER_EXPORT = 1_000_000;
/** At most this many orders exports (each costs a few Admin API calls and a poll). */
export const MAX_ORDER_EXPORTS = 10;

/** A search date: whole seconds, as Shopify's search syntax takes them. */
const searchDate = (seconds: number) => new Date(seconds * 1000).toISOString().replace(".000Z", "Z");

/**
 * `parts` searches covering every order, split at whole seconds between the first and the last
 * creation date: the first range has no lower bound and the last none above, so an order created
 * while the backfill runs (or one Shopify dates outside the bounds read) still falls in one, and
 * no order falls in two (`>=` one bound, `<` the next).
 */
export function orderDateRanges(first: Date, last: Date, parts: number): Array<string | undefined> {
  const from = Math.floor(first.getTime() / 1000);
  const to = Math.floor(last.getTime() / 1000) + 1;
  const n = Math.min(Math.max(1, Math.floor(parts)), to - from);
  if (!(n > 1)) return [undefined];
  const bounds: string[] = [];
  for (let i = 1; i < n; i++) bounds.push(searchDate(from + Math.round(((to - from) * i) / n)));
  return bounds
    .map((bound, i) => (i === 0 ? `created_at:<'${bound}'` : `created_at:>='${bounds[i - 1]}' created_at:<'${bound}'`))
    .concat(`created_at:>='${bounds.at(-1)}'`);
}

/** How many orders exports a backfill of `count` orders takes. */
export function orderExportCount(count: number, perExport = ORDERS_PER_EXPORT): number {
  return Math.min(MAX_ORDER_EXPORTS, Math.max(1, Math.ceil(count / perExport)));
}

/**
 * A new run's exports: products, customers, then the orders (in date ranges when `orders` says
 * the shop has many); `search` restricts every export (a reconciliation's updated_at window).
 */
export function planExports(search: string | undefined, orders: { ranges: Array<string | undefined> } = { ranges: [undefined] }): ExportPlan {
  const units: ExportUnit[] = [];
  for (const phase of PHASES) {
    if (phase !== "orders") units.push(search ? { phase, search } : { phase });
    else
      for (const range of orders.ranges) {
        const terms = [search, range].filter(Boolean).join(" ");
        units.push(terms ? { phase, search: terms } : { phase });
      }
  }
  return { units, unit: 0, ahead: null };
}

/** The plan of a run recorded before plans existed: one export per phase, from its phase on. */
export function legacyPlan(search: string | undefined, phase: string): ExportPlan {
  const plan = planExports(search);
  const at = PHASES.indexOf(phase as Phase);
  return { ...plan, unit: at >= 0 ? at : plan.units.length };
}
