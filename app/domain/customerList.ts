// The customers page's query, as data: which filters, which sort, where a page starts. Parsed
// from the URL (`?q=&segment=&r=&f=&risk=&clvMin=&clvMax=&from=&to=&sort=&dir=&after=|before=`)
// here, run by models/customerList.server.ts. Pure: no I/O.

/** Metrics a merchant can sort by (CustomerMetrics columns). */
export const CUSTOMER_SORTS = ["lastOrderAt", "monetary", "frequency", "predictedClv12m", "pAlive"] as const;
export type CustomerSort = (typeof CUSTOMER_SORTS)[number];
export type SortDirection = "asc" | "desc";

/**
 * Churn risk bands from P(alive), the BG/NBD probability that the customer still buys:
 * high below 30 %, medium from 30 % to 70 %, low from 70 %.
 */
export const RISK_BANDS = {
  high: { min: 0, max: 0.3 },
  medium: { min: 0.3, max: 0.7 },
  low: { min: 0.7, max: Infinity },
} as const;
export type RiskBand = keyof typeof RISK_BANDS;

export function riskBandOf(pAlive: number | null): RiskBand | null {
  if (pAlive === null || Number.isNaN(pAlive)) return null;
  if (pAlive < RISK_BANDS.high.max) return "high";
  if (pAlive < RISK_BANDS.medium.max) return "medium";
  return "low";
}

export interface CustomerFilter {
  /** Part of a name or e-mail, any case. */
  q?: string;
  segment?: string;
  /** RFM grid cell. */
  r?: number;
  f?: number;
  risk?: RiskBand;
  /** Predicted 12-month CLV range, decimal strings in the shop currency. */
  clvMin?: string;
  clvMax?: string;
  /** Last order on or after / before these local days (YYYY-MM-DD, inclusive). */
  from?: string;
  to?: string;
}

/** Where a page starts: after or before a row, identified by its sort value and customer id. */
export interface Cursor {
  /** 1: customers with orders (CustomerMetrics), 2: customers without orders (after every phase-1 row). */
  phase: 1 | 2;
  /**
   * The row's sort value as text (ISO instant, decimal or number; for P(alive) the whole
   * percentage shown, for predicted CLV "key:value", its coarse sort key and the exact value);
   * null when the metric is null.
   */
  value: string | null;
  id: number;
}

/** Steps of the CLV sort key in a decade, in tenths of its power of ten (1, 1.2, … 8). */
const CLV_KEY_STEPS = [10, 12, 15, 20, 25, 30, 40, 50, 60, 80];

/**
 * The customers page's sort key of a non-negative predicted CLV (a decimal string), exactly as
 * the database generates CustomerMetrics.predictedClv12mKey (migration
 * customer_metrics_hot_rewrites; a test compares the two): the value rounded down to a step of
 * 1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8 × 10^k, to tenths below 1, 0.0001 below 0.1, 0 for 0.
 */
export function clvSortKey(value: string): string {
  const [whole, fraction = ""] = value.split(".");
  const digits = whole.replace(/^0+/, "");
  if (!digits) {
    if (fraction[0] && fraction[0] !== "0") return `0.${fraction[0]}`;
    return /[1-9]/.test(fraction) ? "0.0001" : "0";
  }
  const lead = Number(`${digits}${fraction}0`.slice(0, 2));
  const step = CLV_KEY_STEPS.filter((s) => s <= lead).at(-1)!;
  return digits.length === 1 ? String(step / 10) : `${step}${"0".repeat(digits.length - 2)}`;
}

/** The parts of a cursor's sort value, one per sort key; null when they do not fit the sort. */
export function sortValueParts(sort: CustomerSort, value: string): string[] | null {
  const parts = value.split(":");
  if (sort === "lastOrderAt") return Number.isNaN(Date.parse(value)) ? null : [value];
  const numbers = parts.every((p) => /^-?\d+(\.\d+)?$/.test(p));
  return numbers && parts.length === (sort === "predictedClv12m" ? 2 : 1) ? parts : null;
}

export interface CustomerQuery {
  filter: CustomerFilter;
  sort: CustomerSort;
  dir: SortDirection;
  after?: Cursor;
  before?: Cursor;
  limit: number;
}

export const PAGE_SIZE = 50;

/** Whether customers without orders (no metrics) can match: only when no metric filter is set. */
export function includesCustomersWithoutOrders(filter: CustomerFilter): boolean {
  return (
    filter.segment === undefined &&
    filter.r === undefined &&
    filter.f === undefined &&
    filter.risk === undefined &&
    filter.clvMin === undefined &&
    filter.clvMax === undefined &&
    filter.from === undefined &&
    filter.to === undefined
  );
}

/** "phase.id.-" (null value) or "phase.id.v<value>": short, readable in the URL. */
export function encodeCursor(cursor: Cursor): string {
  return `${cursor.phase}.${cursor.id}.${cursor.value === null ? "-" : `v${cursor.value}`}`;
}

export function decodeCursor(text: string | null): Cursor | undefined {
  const match = text ? /^([12])\.(\d{1,10})\.(-|v[-0-9.:TZ]{1,48})$/.exec(text) : null;
  if (!match) return undefined;
  return { phase: Number(match[1]) as 1 | 2, id: Number(match[2]), value: match[3] === "-" ? null : match[3].slice(1) };
}

const DECIMAL = /^\d{1,15}(\.\d{1,4})?$/;
const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** The query of a customers-page URL; unknown or malformed values are ignored (the page shows the rest). */
export function parseCustomerQuery(params: URLSearchParams, limit = PAGE_SIZE): CustomerQuery {
  const text = (name: string) => params.get(name)?.trim() || undefined;
  const score = (name: string) => {
    const n = Number(params.get(name));
    return Number.isInteger(n) && n >= 1 && n <= 5 ? n : undefined;
  };
  const decimal = (name: string) => {
    const v = text(name)?.replace(",", ".");
    return v && DECIMAL.test(v) ? v : undefined;
  };
  const day = (name: string) => {
    const v = text(name);
    return v && DAY.test(v) && !Number.isNaN(Date.parse(`${v}T00:00:00Z`)) ? v : undefined;
  };
  const risk = text("risk");
  const sort = text("sort");
  const segment = text("segment");
  const filter: CustomerFilter = {
    q: text("q")?.slice(0, 100),
    segment: segment && /^[a-z0-9_]+$/.test(segment) ? segment : undefined,
    r: score("r"),
    f: score("f"),
    risk: risk && risk in RISK_BANDS ? (risk as RiskBand) : undefined,
    clvMin: decimal("clvMin"),
    clvMax: decimal("clvMax"),
    from: day("from"),
    to: day("to"),
  };
  for (const key of Object.keys(filter) as (keyof CustomerFilter)[]) if (filter[key] === undefined) delete filter[key];
  const sortKey: CustomerSort = (CUSTOMER_SORTS as readonly string[]).includes(sort ?? "") ? (sort as CustomerSort) : "lastOrderAt";
  return {
    filter,
    sort: sortKey,
    dir: params.get("dir") === "asc" ? "asc" : "desc",
    after: cursorFor(decodeCursor(params.get("after")), sortKey),
    before: cursorFor(decodeCursor(params.get("before")), sortKey),
    limit,
  };
}

/** A phase-1 cursor whose value does not fit the sort (another sort's, or an older format) starts over. */
function cursorFor(cursor: Cursor | undefined, sort: CustomerSort): Cursor | undefined {
  if (!cursor || cursor.phase !== 1 || cursor.value === null) return cursor;
  return sortValueParts(sort, cursor.value) ? cursor : undefined;
}
