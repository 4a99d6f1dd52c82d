// RFM scoring and segmentation, reproducing the method of the R package `rfm`
// (quantile breakpoints, ties share a bin) so our numbers match its published results.
// Money values are plain numbers in the shop currency's major units (e.g. 12.5 = €12.50):
// they are only summed and ranked here, never persisted.

import { quantileType7 } from "./stats";
import type { MessageRef } from "./messageRef";

export interface RfmCustomerInput {
  customerId: string;
  lastOrderAt: Date;
  firstOrderAt?: Date;
  /** Number of orders (cancelled and test orders already excluded). */
  orders: number;
  /** Net revenue of those orders, major units. */
  revenue: number;
}

export interface RfmOrderRow {
  customerId: string;
  date: Date;
  revenue: number;
  cancelled?: boolean;
  test?: boolean;
}

export type Score = 1 | 2 | 3 | 4 | 5;

export interface RfmScored {
  customerId: string;
  recencyDays: number;
  frequency: number;
  monetary: number;
  firstOrderAt?: Date;
  lastOrderAt: Date;
  r: Score;
  f: Score;
  m: Score;
  /** Segment key of the first matching rule, or "others". */
  segment: string;
}

export interface ScoreRange {
  min: number;
  max: number;
}

export interface SegmentRule {
  key: string;
  r: ScoreRange;
  f: ScoreRange;
  m: ScoreRange;
}

/** The five bins of one dimension: bin i (0-based) is [lower[i], upper[i]). */
export interface Breakpoints {
  /** b1..b4: the 20/40/60/80 % type-7 quantiles, each plus 1. */
  breaks: [number, number, number, number];
  min: number;
  max: number;
}

const DAY_MS = 86_400_000;

/** Whole days from `last` to `analysisDate` (UTC day arithmetic, like R's difftime in days). */
export function recencyDays(last: Date, analysisDate: Date): number {
  return Math.floor((analysisDate.getTime() - last.getTime()) / DAY_MS);
}

/** Aggregates raw order rows per customer; cancelled and test orders are excluded. */
export function aggregateOrders(rows: Iterable<RfmOrderRow>): RfmCustomerInput[] {
  const byId = new Map<string, RfmCustomerInput>();
  for (const row of rows) {
    if (row.cancelled || row.test) continue;
    const cur = byId.get(row.customerId);
    if (!cur) {
      byId.set(row.customerId, {
        customerId: row.customerId,
        firstOrderAt: row.date,
        lastOrderAt: row.date,
        orders: 1,
        revenue: row.revenue,
      });
      continue;
    }
    cur.orders += 1;
    cur.revenue += row.revenue;
    if (row.date.getTime() > cur.lastOrderAt.getTime()) cur.lastOrderAt = row.date;
    if (cur.firstOrderAt && row.date.getTime() < cur.firstOrderAt.getTime()) cur.firstOrderAt = row.date;
  }
  return [...byId.values()];
}

/** Breakpoints of the `rfm` package for one dimension. */
export function computeBreakpoints(values: ArrayLike<number>): Breakpoints {
  if (values.length === 0) throw new Error("computeBreakpoints: no values");
  const sorted = Float64Array.from(values as ArrayLike<number>).sort();
  const q = (p: number) => quantileType7(sorted, p) + 1;
  return {
    breaks: [q(0.2), q(0.4), q(0.6), q(0.8)],
    min: sorted[0],
    max: sorted[sorted.length - 1],
  };
}

/**
 * Bin number 1..5 of a value: bins are [min, b1), [b1, b2), [b2, b3), [b3, b4), [b4, max + 1).
 * Equal values always land in the same bin. When breakpoints coincide the lower bins are
 * empty, as in the package.
 */
export function binOf(value: number, bp: Breakpoints): Score {
  const [b1, b2, b3, b4] = bp.breaks;
  if (value >= b4) return 5;
  if (value >= b3) return 4;
  if (value >= b2) return 3;
  if (value >= b1) return 2;
  return 1;
}

function inRange(v: number, r: ScoreRange): boolean {
  return v >= r.min && v <= r.max;
}

/** Key of the first rule whose R, F and M ranges (inclusive) all contain the scores, else "others". */
export function matchSegment(r: number, f: number, m: number, rules: readonly Pick<SegmentRule, "key" | "r" | "f" | "m">[]): string {
  for (const rule of rules) {
    if (inRange(r, rule.r) && inRange(f, rule.f) && inRange(m, rule.m)) return rule.key;
  }
  return OTHERS_KEY;
}

/** The breakpoints of the three dimensions of one scoring run (recency in days at its date). */
export interface RfmBreakpoints {
  recency: Breakpoints;
  frequency: Breakpoints;
  monetary: Breakpoints;
}

/**
 * Scores of one customer against given breakpoints. Recency is scored in reverse (most recent
 * = 5). `recencyShift`: days elapsed since the breakpoints' date, subtracted before binning, so
 * a customer scored later is ranked as of that date (the incremental path, ADR 007).
 */
export function scoreAgainst(
  recency: number,
  orders: number,
  revenue: number,
  bp: RfmBreakpoints,
  rules: readonly Pick<SegmentRule, "key" | "r" | "f" | "m">[],
  recencyShift = 0,
): { r: Score; f: Score; m: Score; segment: string } {
  const r = (6 - binOf(recency - recencyShift, bp.recency)) as Score;
  const f = binOf(orders, bp.frequency);
  const m = binOf(revenue, bp.monetary);
  return { r, f, m, segment: matchSegment(r, f, m, rules) };
}

/**
 * Scores every customer and assigns segments. Recency is scored in reverse (most recent = 5).
 * Customers are returned in input order.
 */
export function scoreRfm(
  customers: readonly RfmCustomerInput[],
  analysisDate: Date,
  rules: readonly SegmentRule[] = DEFAULT_SEGMENT_RULES,
): RfmScored[] {
  return scoreRfmWithBreakpoints(customers, analysisDate, rules).scored;
}

/** scoreRfm, with the breakpoints it used (null without customers). */
export function scoreRfmWithBreakpoints(
  customers: readonly RfmCustomerInput[],
  analysisDate: Date,
  rules: readonly SegmentRule[] = DEFAULT_SEGMENT_RULES,
): { scored: RfmScored[]; breakpoints: RfmBreakpoints | null } {
  if (customers.length === 0) return { scored: [], breakpoints: null };
  const rec = customers.map((c) => recencyDays(c.lastOrderAt, analysisDate));
  const bp: RfmBreakpoints = {
    recency: computeBreakpoints(rec),
    frequency: computeBreakpoints(customers.map((c) => c.orders)),
    monetary: computeBreakpoints(customers.map((c) => c.revenue)),
  };
  const scored = customers.map((c, i) => ({
    customerId: c.customerId,
    recencyDays: rec[i],
    frequency: c.orders,
    monetary: c.revenue,
    firstOrderAt: c.firstOrderAt,
    lastOrderAt: c.lastOrderAt,
    ...scoreAgainst(rec[i], c.orders, c.revenue, bp, rules),
  }));
  return { scored, breakpoints: bp };
}

/** A customer's RFM scores (scoreRfmColumns): what the stored analysis keeps of RfmScored. */
export interface RfmScore {
  recencyDays: number;
  r: Score;
  f: Score;
  m: Score;
  segment: string;
}

/**
 * scoreRfmWithBreakpoints on columns (index = customer): recency in whole days, orders and
 * net revenue (major units). Same breakpoints and scores, without an input object, id string
 * and Date per customer (the daily analysis scores up to a million customers).
 */
export function scoreRfmColumns(
  customers: { count: number; recencyDays: ArrayLike<number>; orders: ArrayLike<number>; revenue: ArrayLike<number> },
  rules: readonly SegmentRule[] = DEFAULT_SEGMENT_RULES,
): { scored: RfmScore[]; breakpoints: RfmBreakpoints | null } {
  const { count, recencyDays: rec, orders, revenue } = customers;
  if (count === 0) return { scored: [], breakpoints: null };
  const bp: RfmBreakpoints = {
    recency: computeBreakpoints(rec),
    frequency: computeBreakpoints(orders),
    monetary: computeBreakpoints(revenue),
  };
  const scored: RfmScore[] = new Array(count);
  for (let i = 0; i < count; i++) scored[i] = { recencyDays: rec[i], ...scoreAgainst(rec[i], orders[i], revenue[i], bp, rules) };
  return { scored, breakpoints: bp };
}

export interface SegmentSummary {
  segment: string;
  customers: number;
  orders: number;
  revenue: number;
}

/** Totals per segment, in rule order then "others" (segments without customers included). */
export function summarizeSegments(scored: readonly RfmScored[], rules: readonly SegmentRule[] = DEFAULT_SEGMENT_RULES): SegmentSummary[] {
  const out = new Map<string, SegmentSummary>();
  for (const rule of rules) out.set(rule.key, { segment: rule.key, customers: 0, orders: 0, revenue: 0 });
  out.set(OTHERS_KEY, { segment: OTHERS_KEY, customers: 0, orders: 0, revenue: 0 });
  for (const s of scored) {
    let agg = out.get(s.segment);
    if (!agg) {
      agg = { segment: s.segment, customers: 0, orders: 0, revenue: 0 };
      out.set(s.segment, agg);
    }
    agg.customers += 1;
    agg.orders += s.frequency;
    agg.revenue += s.monetary;
  }
  return [...out.values()];
}

/**
 * Checks a rule table edited by a merchant; returns its problems as translation keys with their
 * numbers (empty = valid): the settings page and the CLI put them into words.
 */
export function validateRules(rules: readonly SegmentRule[]): MessageRef[] {
  const problems: MessageRef[] = [];
  const keys = new Set<string>();
  for (const rule of rules) {
    if (!/^[a-z0-9_]+$/.test(rule.key)) problems.push({ key: "rules.badKey", params: { segment: rule.key } });
    if (keys.has(rule.key)) problems.push({ key: "rules.duplicateKey", params: { segment: rule.key } });
    if (rule.key === OTHERS_KEY) problems.push({ key: "rules.reservedKey", params: { segment: OTHERS_KEY } });
    keys.add(rule.key);
    for (const dim of ["r", "f", "m"] as const) {
      const { min, max } = rule[dim];
      if (!Number.isInteger(min) || !Number.isInteger(max) || min < 1 || max > 5 || min > max) {
        problems.push({ key: "rules.badRange", params: { segment: rule.key, dimension: dim.toUpperCase(), min, max } });
      }
    }
  }
  return problems;
}

export const OTHERS_KEY = "others";

const range = (min: number, max: number): ScoreRange => ({ min, max });

/**
 * Segment keys with built-in names, descriptions and suggested actions in the translation files
 * (`segment.<key>.name|description|action`): the rule tables' keys, "hibernating" (for rule
 * editors) and "others".
 */
export const BUILT_IN_SEGMENT_KEYS = [
  "champions",
  "potential_loyalist",
  "loyal_customers",
  "promising",
  "new_customers",
  "cant_lose_them",
  "at_risk",
  "need_attention",
  "about_to_sleep",
  "hibernating",
  "lost",
  OTHERS_KEY,
] as const;

/** Default rule table (the README's 10-segment table); first match wins. */
export const DEFAULT_SEGMENT_RULES: readonly SegmentRule[] = [
  { key: "champions", r: range(5, 5), f: range(5, 5), m: range(5, 5) },
  { key: "potential_loyalist", r: range(3, 5), f: range(3, 5), m: range(2, 5) },
  { key: "loyal_customers", r: range(2, 4), f: range(2, 4), m: range(2, 4) },
  { key: "promising", r: range(3, 4), f: range(1, 3), m: range(3, 5) },
  { key: "new_customers", r: range(4, 5), f: range(1, 3), m: range(1, 5) },
  { key: "cant_lose_them", r: range(1, 2), f: range(3, 4), m: range(4, 5) },
  { key: "at_risk", r: range(1, 2), f: range(2, 5), m: range(4, 5) },
  { key: "need_attention", r: range(1, 3), f: range(3, 5), m: range(3, 5) },
  { key: "about_to_sleep", r: range(2, 3), f: range(1, 3), m: range(1, 4) },
  { key: "lost", r: range(1, 1), f: range(1, 5), m: range(1, 5) },
];

/** The rule table of the `rfm` package's own test suite (used to check published numbers). */
export const RFM_PACKAGE_TEST_RULES: readonly SegmentRule[] = [
  { key: "champions", r: range(4, 5), f: range(4, 5), m: range(4, 5) },
  { key: "loyal_customers", r: range(2, 5), f: range(3, 5), m: range(3, 5) },
  { key: "potential_loyalist", r: range(3, 5), f: range(1, 3), m: range(1, 3) },
  { key: "new_customers", r: range(4, 5), f: range(1, 1), m: range(1, 1) },
  { key: "promising", r: range(3, 4), f: range(1, 1), m: range(1, 1) },
  { key: "need_attention", r: range(2, 3), f: range(2, 3), m: range(2, 3) },
  { key: "about_to_sleep", r: range(2, 3), f: range(1, 2), m: range(1, 2) },
  { key: "at_risk", r: range(1, 2), f: range(2, 5), m: range(2, 5) },
  { key: "cant_lose_them", r: range(1, 1), f: range(4, 5), m: range(4, 5) },
  { key: "lost", r: range(1, 2), f: range(1, 2), m: range(1, 2) },
];
