// Database side of the analytics service: aggregate queries (one SQL dialect, PostgreSQL, the
// same on PGlite and a PostgreSQL server) and the writes/reads of the precomputed tables
// (CustomerMetrics, SegmentSnapshot, KpiSnapshot, AnalysisSnapshot). Every function is keyed
// by shop. Orders never travel to Node one by one: they are grouped per customer in SQL and
// the results come back as one JSON document (much cheaper than 100,000 Prisma rows).
//
// Order rules, everywhere: cancelled (cancelledAt set) and test orders are excluded, the order
// date is processedAt, net revenue = totalPrice − totalRefunded, and orders after the analysis
// instant are ignored (an injected "now" in the past gives the state as of that instant).
import { Prisma } from "@prisma/client";
import { prisma } from "~/lib/db.server";
import { insertRows } from "~/models/bulk.server";
import type { Db } from "~/services/sync.server";

/** A half-open instant range [from, to). */
export interface Window {
  from: Date;
  to: Date;
}

/** Per-customer aggregates (identified customers only; guests have no customerId). */
export interface CustomerAggregate {
  customerId: number;
  orders: number;
  /** Exact net revenue, decimal string (shop currency). */
  netRevenue: string;
  firstOrderAt: Date;
  lastOrderAt: Date;
  /** Distinct local calendar days with an order. */
  purchaseDays: number;
  /** Local day numbers (days since 1970-01-01 in the shop's time zone). */
  firstDay: number;
  lastDay: number;
  /** Net revenue of the days after the first purchase day (Gamma-Gamma input). */
  repeatNetRevenue: number;
  /** The customer's second order (null with one order). */
  secondOrderAt: Date | null;
  /** Per window (same order as requested): orders and net revenue inside it. */
  windowOrders: number[];
  windowRevenue: number[];
}

const ORDER_FILTER = `shop = $1 AND "cancelledAt" IS NULL AND NOT test AND "processedAt" < $3::timestamp`;
// Local calendar day number of an order in the shop's zone ($2). processedAt is stored as a
// UTC timestamp without zone.
const LOCAL = `(("processedAt" AT TIME ZONE 'UTC') AT TIME ZONE $2)`;

/**
 * Amounts are summed in SQL as integers of 10^-4 (the precision of the Decimal(19, 4)
 * columns): exact, and much faster than numeric sums over a million rows.
 */
export const NET_SCALE = 10_000;

/** 1234500 → "123.4500". */
export function scaledToDecimal(units: number): string {
  const sign = units < 0 ? "-" : "";
  const abs = Math.abs(units);
  const int = Math.floor(abs / NET_SCALE);
  return `${sign}${int}.${String(abs - int * NET_SCALE).padStart(4, "0")}`;
}

function iso(d: Date): string {
  return d.toISOString();
}

function windowParams(windows: readonly Window[], first: number): { clauses: string[]; params: string[] } {
  const clauses: string[] = [];
  const params: string[] = [];
  windows.forEach((w, i) => {
    const a = first + 2 * i;
    clauses.push(`at >= $${a}::timestamp AND at < $${a + 1}::timestamp`);
    params.push(iso(w.from), iso(w.to));
  });
  return { clauses, params };
}

/**
 * Per-transaction planner settings for the big aggregate. PostgreSQL: a larger sort memory
 * (1M orders sort in memory). PGlite: its WebAssembly heap never shrinks once grown, so a
 * modest work_mem (spilling to its data folder) keeps the process's memory lower.
 */
export async function useWorkMem(db: Db) {
  const [{ v }] = await db.$queryRawUnsafe<{ v: string }[]>(`SELECT version() AS v`);
  const workMem = /pglite/i.test(v) ? "32MB" : "128MB";
  await db.$executeRawUnsafe(`SET LOCAL work_mem = '${workMem}'`);
  // Walking the (shop, customerId) index visits the heap in random order: on a shop with a
  // million orders that is several times slower than a bitmap or sequential scan plus a sort.
  await db.$executeRawUnsafe(`SET LOCAL enable_indexscan = off`);
}

export interface CohortCell {
  /** Month number (year × 12 + month − 1) of the first order, in the shop's time zone. */
  cohortMonth: number;
  monthsSinceFirst: number;
  activeCustomers: number;
  revenue: number;
}

/**
 * One row per customer with at least one counted order before `now`, and the monthly cohort
 * cells (first-order month from `cohortFromMonth` on). A single sort of the shop's orders by
 * (customer, time) feeds window functions (order rank, previous order's day and month, first
 * day and month), materialized once and then grouped twice: per customer and per cohort cell.
 */
export async function aggregateCustomers(
  db: Db,
  shop: string,
  opts: { timeZone: string; now: Date; windows: readonly Window[]; cohortFromMonth: number; countOnly?: readonly boolean[] },
): Promise<{ customers: CustomerAggregate[]; cohorts: CohortCell[] }> {
  const { clauses, params } = windowParams(opts.windows, 5);
  const windowCols = clauses.flatMap((c, i) => [
    `COUNT(*) FILTER (WHERE ${c}) AS wo${i}`,
    opts.countOnly?.[i] ? `0 AS wn${i}` : `COALESCE(SUM(net) FILTER (WHERE ${c}), 0)::bigint AS wn${i}`,
  ]);
  const windowNames = clauses.flatMap((_, i) => [`wo${i}`, `wn${i}`]);
  const sql = `
    WITH o AS (
      -- OFFSET 0 keeps both subqueries from being flattened: the local time, day and month
      -- are computed once per order, below the sort. Flattened, every window function
      -- re-evaluated its argument (lag, first_value: up to 9 time-zone conversions per
      -- order), which made the window node cost 3.5 s on 1M orders.
      SELECT c, at, net, (lt::date - DATE '1970-01-01') AS day,
             (date_part('year', lt) * 12 + date_part('month', lt) - 1)::int AS m
      FROM (SELECT "customerId" AS c, "processedAt" AS at,
                   (("totalPrice" - "totalRefunded") * ${NET_SCALE})::bigint AS net, ${LOCAL} AS lt
            FROM "Order"
            WHERE ${ORDER_FILTER} AND "customerId" IS NOT NULL
            OFFSET 0) x
      OFFSET 0
    ), w AS MATERIALIZED (
      -- One window node (ROWS frame): much cheaper than a second, partition-wide window.
      SELECT c, at, net, day, m,
             row_number() OVER win AS rn,
             lag(day) OVER win AS prev_day,
             lag(m) OVER win AS prev_m,
             first_value(day) OVER win AS first_day,
             first_value(m) OVER win AS first_m
      FROM o
      WINDOW win AS (PARTITION BY c ORDER BY at ROWS UNBOUNDED PRECEDING)
    ), a AS (
      SELECT c,
             COUNT(*) AS orders,
             SUM(net)::bigint AS net,
             (date_part('epoch', MIN(at)) * 1000)::bigint AS first_at,
             (date_part('epoch', MAX(at)) * 1000)::bigint AS last_at,
             COUNT(*) FILTER (WHERE prev_day IS NULL OR day <> prev_day) AS days,
             MIN(day) AS first_day,
             MAX(day) AS last_day,
             COALESCE(SUM(net) FILTER (WHERE day <> first_day), 0)::bigint AS repeat_net,
             (date_part('epoch', MIN(at) FILTER (WHERE rn = 2)) * 1000)::bigint AS second_at
             ${windowCols.map((col) => `, ${col}`).join("")}
      FROM w
      GROUP BY c
    ), k AS (
      SELECT first_m, m - first_m AS k, COUNT(*) FILTER (WHERE prev_m IS NULL OR m <> prev_m) AS active, SUM(net)::bigint AS revenue
      FROM w WHERE first_m >= $4::int
      GROUP BY 1, 2
    )
    SELECT
      (SELECT COALESCE(json_agg(json_build_array(c, orders, net, first_at, last_at, days, first_day, last_day, repeat_net, second_at
              ${windowNames.map((name) => `, ${name}`).join("")})), '[]')::text FROM a) AS customers,
      (SELECT COALESCE(json_agg(json_build_array(first_m, k, active, revenue) ORDER BY first_m, k), '[]')::text FROM k) AS cohorts`;
  const rows = await db.$queryRawUnsafe<{ customers: string; cohorts: string }[]>(sql, shop, opts.timeZone, iso(opts.now), opts.cohortFromMonth, ...params);
  const data = JSON.parse(rows[0].customers) as (number | string | null)[][];
  const n = opts.windows.length;
  const customers = data.map((v) => {
    const windowOrders: number[] = new Array(n);
    const windowRevenue: number[] = new Array(n);
    for (let i = 0; i < n; i++) {
      windowOrders[i] = Number(v[10 + 2 * i]);
      windowRevenue[i] = Number(v[11 + 2 * i]) / NET_SCALE;
    }
    return {
      customerId: Number(v[0]),
      orders: Number(v[1]),
      netRevenue: scaledToDecimal(Number(v[2])),
      firstOrderAt: new Date(Number(v[3])),
      lastOrderAt: new Date(Number(v[4])),
      purchaseDays: Number(v[5]),
      firstDay: Number(v[6]),
      lastDay: Number(v[7]),
      repeatNetRevenue: Number(v[8]) / NET_SCALE,
      secondOrderAt: v[9] === null ? null : new Date(Number(v[9])),
      windowOrders,
      windowRevenue,
    };
  });
  const cohorts = (JSON.parse(rows[0].cohorts) as number[][]).map(([cohortMonth, monthsSinceFirst, activeCustomers, revenue]) => ({
    cohortMonth,
    monthsSinceFirst,
    activeCustomers,
    revenue: revenue / NET_SCALE,
  }));
  return { customers, cohorts };
}

/** Guest orders (no customer): orders and net revenue per window. */
export async function guestTotals(
  db: Db,
  shop: string,
  opts: { timeZone: string; now: Date; windows: readonly Window[] },
): Promise<{ orders: number; netRevenue: number }[]> {
  if (!opts.windows.length) return [];
  const { clauses, params } = windowParams(opts.windows, 4);
  const cols = clauses.map((c, i) => `COUNT(*) FILTER (WHERE ${c})::int AS o${i}, COALESCE(SUM(net) FILTER (WHERE ${c}), 0)::float8 AS n${i}`);
  // $2 (time zone) is unused here but keeps the shared parameter numbering.
  const sql = `
    SELECT ${cols.join(", ")}
    FROM (SELECT "processedAt" AS at, ("totalPrice" - "totalRefunded") AS net, $2::text AS tz
          FROM "Order" WHERE ${ORDER_FILTER} AND "customerId" IS NULL) g`;
  const [row] = await db.$queryRawUnsafe<Record<string, number>[]>(sql, shop, opts.timeZone, iso(opts.now), ...params);
  return opts.windows.map((_, i) => ({ orders: Number(row[`o${i}`]), netRevenue: Number(row[`n${i}`]) }));
}

/**
 * Checkouts created per window and those still not completed (abandoned). Checkouts created
 * after `cutoff` are left out entirely: they may still be completed.
 */
export async function checkoutCounts(
  db: Db,
  shop: string,
  opts: { cutoff: Date; windows: readonly Window[] },
): Promise<{ created: number; abandoned: number }[]> {
  if (!opts.windows.length) return [];
  const { clauses, params } = windowParams(opts.windows, 3);
  const cols = clauses.map(
    (c, i) => `COUNT(*) FILTER (WHERE ${c})::int AS c${i}, COUNT(*) FILTER (WHERE ${c} AND "completedAt" IS NULL)::int AS a${i}`,
  );
  const sql = `
    SELECT ${cols.join(", ")}
    FROM (SELECT "shopifyCreatedAt" AS at, "completedAt" FROM "Checkout"
          WHERE shop = $1 AND "shopifyCreatedAt" < $2::timestamp) k`;
  const [row] = await db.$queryRawUnsafe<Record<string, number>[]>(sql, shop, iso(opts.cutoff), ...params);
  return opts.windows.map((_, i) => ({ created: Number(row[`c${i}`]), abandoned: Number(row[`a${i}`]) }));
}

export async function monthlyMarketingSpend(db: Db, shop: string): Promise<{ month: string; amount: number }[]> {
  const rows = await db.marketingSpend.findMany({ where: { shop }, select: { month: true, amount: true }, orderBy: { month: "asc" } });
  return rows.map((r) => ({ month: r.month, amount: Number(r.amount) }));
}

export interface StoredSegment {
  segment: string;
  previousSegment: string | null;
  segmentChangedAt: Date;
}

/** The segments stored by the previous run, by customer id. */
export async function storedSegments(db: Db, shop: string): Promise<Map<number, StoredSegment>> {
  const [row] = await db.$queryRawUnsafe<{ data: string }[]>(
    `SELECT COALESCE(json_agg(json_build_array("customerId", segment, "previousSegment", (date_part('epoch', "segmentChangedAt") * 1000)::bigint)), '[]')::text AS data
     FROM "CustomerMetrics" WHERE shop = $1`,
    shop,
  );
  const out = new Map<number, StoredSegment>();
  for (const [id, segment, previous, changed] of JSON.parse(row.data) as [number, string, string | null, number][]) {
    out.set(id, { segment, previousSegment: previous, segmentChangedAt: new Date(changed) });
  }
  return out;
}

export interface CustomerMetricsRow {
  customerId: number;
  shop: string;
  recencyDays: number;
  frequency: number;
  purchaseDays: number;
  monetary: string;
  currency: string;
  rScore: number;
  fScore: number;
  mScore: number;
  segment: string;
  previousSegment: string | null;
  segmentChangedAt: Date;
  pAlive: number | null;
  expectedPurchases12m: number | null;
  expectedOrderValue: string | null;
  predictedClv12m: string | null;
  expectedNextOrderAt: Date | null;
  firstOrderAt: Date;
  lastOrderAt: Date;
  lowConfidence: boolean;
  computedAt: Date;
}

/** Replaces all of a shop's CustomerMetrics (call inside a transaction). */
export async function replaceCustomerMetrics(db: Db, shop: string, rows: CustomerMetricsRow[]) {
  await db.customerMetrics.deleteMany({ where: { shop } });
  await insertRows(db, "CustomerMetrics", rows as unknown as Record<string, unknown>[]);
}

export interface SnapshotRows {
  date: string;
  segments: Record<string, unknown>[];
  kpis: Record<string, unknown>[];
  analysis: Record<string, unknown>;
}

/** Writes the day's snapshots, replacing those of an earlier run on the same local day. */
export async function replaceSnapshots(db: Db, shop: string, rows: SnapshotRows) {
  const date = new Date(`${rows.date}T00:00:00Z`);
  await db.segmentSnapshot.deleteMany({ where: { shop, date } });
  await db.kpiSnapshot.deleteMany({ where: { shop, date } });
  await db.analysisSnapshot.deleteMany({ where: { shop, date } });
  await insertRows(db, "SegmentSnapshot", rows.segments);
  await insertRows(db, "KpiSnapshot", rows.kpis);
  await insertRows(db, "AnalysisSnapshot", [rows.analysis]);
}

// ---------------------------------------------------------------------------------------
// Reads for the admin pages (process-wide database).

/** The KPI snapshots of the most recent analysed day, one per range kind, and that day's models. */
export async function latestKpiSnapshots(shop: string) {
  const db = prisma();
  const latest = await db.analysisSnapshot.findFirst({ where: { shop }, orderBy: { date: "desc" } });
  if (!latest) return null;
  const kpis = await db.kpiSnapshot.findMany({ where: { shop, date: latest.date }, orderBy: { id: "asc" } });
  return { analysis: latest, kpis };
}

/** Segment snapshots of the last `days` analysed days (ascending by date). */
export async function segmentSnapshotsSince(shop: string, since: Date) {
  return prisma().segmentSnapshot.findMany({ where: { shop, date: { gte: since } }, orderBy: [{ date: "asc" }, { id: "asc" }] });
}

/** Customers by segment transition: previous segment → current segment, counts. */
export async function segmentTransitions(shop: string, since: Date) {
  const rows = await prisma().customerMetrics.groupBy({
    by: ["previousSegment", "segment"],
    where: { shop, segmentChangedAt: { gte: since } },
    _count: { _all: true },
  });
  return rows.map((r) => ({ from: r.previousSegment, to: r.segment, customers: r._count._all }));
}

export type CustomerMetricsOrder = "predictedClv12m" | "monetary" | "recencyDays" | "frequency" | "pAlive" | "lastOrderAt" | "expectedNextOrderAt";

const NULLABLE_ORDERS = new Set<CustomerMetricsOrder>(["predictedClv12m", "pAlive", "expectedNextOrderAt"]);

function orderClause(field: CustomerMetricsOrder, direction: "asc" | "desc"): Prisma.CustomerMetricsOrderByWithRelationInput {
  // Customers without a prediction come last whatever the direction.
  return (NULLABLE_ORDERS.has(field) ? { [field]: { sort: direction, nulls: "last" } } : { [field]: direction }) as Prisma.CustomerMetricsOrderByWithRelationInput;
}

export async function findCustomerMetrics(
  shop: string,
  opts: { segment?: string; limit: number; offset: number; orderBy: CustomerMetricsOrder; direction: "asc" | "desc" },
) {
  const where: Prisma.CustomerMetricsWhereInput = { shop, ...(opts.segment ? { segment: opts.segment } : {}) };
  const db = prisma();
  const [total, rows] = await Promise.all([
    db.customerMetrics.count({ where }),
    db.customerMetrics.findMany({
      where,
      orderBy: [orderClause(opts.orderBy, opts.direction), { customerId: "asc" }],
      take: opts.limit,
      skip: opts.offset,
      include: { customer: { select: { shopifyId: true } } },
    }),
  ]);
  return { total, rows };
}
