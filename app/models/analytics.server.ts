// Database side of the analytics service: aggregate queries (one SQL dialect, PostgreSQL, the
// same on PGlite and a PostgreSQL server) and the writes/reads of the precomputed tables
// (CustomerMetrics, SegmentSnapshot, KpiSnapshot, AnalysisSnapshot). Every function is keyed
// by shop. Orders never travel to Node one by one: they are grouped per customer in SQL and
// the results come back as JSON column arrays, a chunk of customers at a time through a cursor
// (much cheaper than 100,000 Prisma rows, and no per-customer objects in Node).
//
// Order rules, everywhere: cancelled (cancelledAt set) and test orders are excluded, the order
// date is processedAt, net revenue = totalPrice − totalRefunded, and orders after the analysis
// instant are ignored (an injected "now" in the past gives the state as of that instant).
import type { BacktestColumns } from "~/domain/analysisExtras";
import type { CohortCell } from "~/domain/cohorts";
import { NET_SCALE } from "~/domain/money";
import { prisma } from "~/lib/db.server";
import { insertRows } from "~/models/bulk.server";
import type { Db, Tx } from "~/lib/transaction.server";

/** A half-open instant range [from, to). */
export interface Window {
  from: Date;
  to: Date;
}

/** The backtest's calibration and holdout columns, and the holdout's order days per week. */
export type BacktestAggregate = BacktestColumns & { weeklyActual: number[] };

/** Per customer, the backtest's columns as of its cut-off (aggregateCustomers with `backtest`). */
export interface CalibrationColumns {
  /** Last order day before the cut-off (0 when none). */
  lastDay: Int32Array;
  /** Distinct order days before the cut-off. */
  purchaseDays: Int32Array;
  /** Net revenue of the days after the first and before the cut-off, major units. */
  repeatNetRevenue: Float64Array;
  /** Distinct order days and net revenue (major units) in the holdout. */
  holdoutDays: Int32Array;
  holdoutRevenue: Float64Array;
}

/**
 * Per-customer aggregates (identified customers only; guests have no customerId), one typed
 * array per field, index i = the i-th customer in ascending id order. Columns rather than one
 * object per customer: 100,000 customers cost a few MB of arrays instead of 100,000 objects
 * with dates, strings and nested arrays (≈100 MB of JavaScript heap per analysis).
 */
export interface CustomerColumns {
  count: number;
  customerId: Int32Array;
  orders: Int32Array;
  /** Exact net revenue in units of 10^-4 (NET_SCALE), shop currency. */
  netScaled: Float64Array;
  /** Instants as epoch milliseconds. */
  firstOrderAt: Float64Array;
  lastOrderAt: Float64Array;
  /** Distinct local calendar days with an order. */
  purchaseDays: Int32Array;
  /** Local day numbers (days since 1970-01-01 in the shop's time zone). */
  firstDay: Int32Array;
  lastDay: Int32Array;
  /** Net revenue of the days after the first purchase day (Gamma-Gamma input), major units. */
  repeatNetRevenue: Float64Array;
  /** The customer's second order (epoch ms), NaN with one order. */
  secondOrderAt: Float64Array;
  /** Per window (same order as requested): orders and exact net revenue (NET_SCALE units) inside it. */
  windowOrders: Int32Array[];
  windowNetScaled: Float64Array[];
  /** The backtest's columns, when asked for. */
  calibration?: CalibrationColumns;
}

/**
 * Customers per chunk of the aggregate's result: the server sends them one chunk at a time
 * (a cursor), so the process holds one chunk's JSON text and parsed arrays (≈8 MB and ≈13 MB
 * at 50,000 customers) instead of a whole shop's (a 10M-order shop: ≈80 MB of text and
 * ≈130 MB of parsed arrays per part, two parts at once).
 */
export const AGGREGATE_CHUNK = 50_000;

const ORDER_FILTER = `shop = $1 AND "cancelledAt" IS NULL AND NOT test AND "processedAt" < $3::timestamp`;
// processedAt is stored as a UTC timestamp without zone.

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
  // The planner's cost of the cohort cells (generate_subscripts counts 1,000 rows per customer)
  // crosses jit_above_cost and the JIT compile took seconds of a query that gains nothing from it.
  await db.$executeRawUnsafe(`SET LOCAL jit = off`);
}

/** True on PostgreSQL (a pool of connections), false on PGlite (a single one). */
export async function readsInParallel(db: Db): Promise<boolean> {
  const [{ v }] = await db.$queryRawUnsafe<{ v: string }[]>(`SELECT version() AS v`);
  return !/pglite/i.test(v);
}

/**
 * PGlite has no autovacuum: each full run leaves the previous version of every CustomerMetrics
 * row behind (39.7 MB after two runs of 100,000 customers, for 13 MB of live rows), and every
 * later scan reads them. Reclaimed after each run there; PostgreSQL's autovacuum does it itself.
 * Nor does PGlite ever gather planner statistics: without them it takes a freshly synced
 * 15,000-order shop for 10 orders and picks nested loops that ran the demo storefront's
 * best-sellers query for 23 s instead of milliseconds. So, as autovacuum would, each run
 * analyses the tables never analysed or whose size moved by more than 10 % since (ANALYZE of
 * every table of that shop takes about 3 s on PGlite; most nights none or a few qualify).
 * Outside any transaction (VACUUM cannot run in one).
 */
export async function reclaimRewrittenMetrics(db: Db) {
  if (await readsInParallel(db)) return;
  await db.$executeRawUnsafe(`VACUUM "CustomerMetrics"`);
  const stale = await db.$queryRawUnsafe<{ name: string }[]>(
    `SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = current_schema() AND c.relkind = 'r'
       AND (c.reltuples < 0 OR abs(pg_relation_size(c.oid) / current_setting('block_size')::int - c.relpages) > 10 + 0.1 * c.relpages)`,
  );
  for (const { name } of stale) await db.$executeRawUnsafe(`ANALYZE "${name.replace(/"/g, '""')}"`);
}

/**
 * The analytics write transaction does not wait for its WAL flush on PostgreSQL
 * (synchronous_commit = off, this transaction only). CustomerMetrics and the snapshots are
 * derived data, recomputed from the orders at the next run: a server crash right after the
 * commit can lose this run's result (never corrupt it), which the next run repairs. Harmless
 * on PGlite.
 */
export async function useFastCommit(db: Db) {
  await db.$executeRawUnsafe(`SET LOCAL synchronous_commit = off`);
}

/**
 * One row per customer with at least one counted order before `now`, and the monthly cohort
 * cells (first-order month from `cohortFromMonth` on). A single sort of the shop's orders by
 * (customer, time) feeds window functions (order rank, previous order's day and month, first
 * day and month, running revenue), whose sorted output is grouped per customer as it streams;
 * the cohort cells come from the per-customer rows (months ordered in, revenue at each month's
 * end). Read through a cursor (hence a transaction), AGGREGATE_CHUNK customers at a time.
 */
export async function aggregateCustomers(
  db: Tx,
  shop: string,
  opts: {
    timeZone: string;
    now: Date;
    windows: readonly Window[];
    cohortFromMonth: number;
    countOnly?: readonly boolean[];
    /** Only these customers (the incremental path): same definitions, read through the (shop, customerId) index. */
    customerIds?: readonly number[];
    /**
     * Also the backtest's columns (domain/analysisExtras.ts runBacktest): the calibration period
     * is the days before `cutoffDay`, the holdout the days from it to the day before `today`.
     * From the same pass over the orders, not a second one.
     */
    backtest?: { cutoffDay: number; today: number };
    /**
     * Only the customers whose id ≡ `index` (mod `of`): disjoint parts that separate
     * connections aggregate at the same time (PostgreSQL), merged by mergeAggregates.
     */
    part?: { index: number; of: number };
    /** Customers per chunk read from the server (default AGGREGATE_CHUNK; tests force small ones). */
    chunkSize?: number;
  },
): Promise<{ customers: CustomerColumns; cohorts: CohortCell[]; backtestWeeks: number[] | null }> {
  const chunkSize = Math.max(1, Math.floor(opts.chunkSize ?? AGGREGATE_CHUNK));
  const { clauses, params } = windowParams(opts.windows, 5);
  const only = opts.customerIds ? `AND "customerId" = ANY(string_to_array($${5 + params.length}, ',')::int[])` : "";
  if (opts.customerIds) params.push(opts.customerIds.join(","));
  const part = opts.part && opts.part.of > 1 ? `AND "customerId" % ${Number(opts.part.of)} = ${Number(opts.part.index)}` : "";
  const bt = opts.backtest;
  const cut = `$${5 + params.length}::int`;
  const upTo = `$${6 + params.length}::int`;
  if (bt) params.push(String(bt.cutoffDay), String(bt.today));
  const newDay = `(prev_day IS NULL OR day <> prev_day)`;
  const backtestCols = bt
    ? [
        `MAX(day) FILTER (WHERE day < ${cut}) AS bt_last_day`,
        `COUNT(*) FILTER (WHERE day < ${cut} AND ${newDay}) AS bt_days`,
        `COALESCE(SUM(net) FILTER (WHERE day <> first_day AND day < ${cut}), 0)::bigint AS bt_repeat_net`,
        `COUNT(*) FILTER (WHERE day >= ${cut} AND day < ${upTo} AND ${newDay}) AS bt_hold_days`,
        `COALESCE(SUM(net) FILTER (WHERE day >= ${cut} AND day < ${upTo}), 0)::bigint AS bt_hold_net`,
        // Holdout order days by week since the cut-off (customers already known at the cut-off).
        `array_agg((day - ${cut}) / 7) FILTER (WHERE day >= ${cut} AND day < ${upTo} AND first_day < ${cut} AND ${newDay}) AS bt_weeks`,
      ]
    : [];
  const backtestNames = bt ? ["bt_last_day", "bt_days", "bt_repeat_net", "bt_hold_days", "bt_hold_net"] : [];
  const windowCols = clauses.flatMap((c, i) => [
    `COUNT(*) FILTER (WHERE ${c}) AS wo${i}`,
    opts.countOnly?.[i] ? `0 AS wn${i}` : `COALESCE(SUM(net) FILTER (WHERE ${c}), 0)::bigint AS wn${i}`,
  ]);
  const windowNames = clauses.flatMap((_, i) => [`wo${i}`, `wn${i}`]);
  const customerCols = [
    "c",
    "orders",
    "net",
    "first_at",
    "last_at",
    "days",
    "first_day",
    "last_day",
    "repeat_net",
    "second_at",
    ...windowNames,
    ...backtestNames,
  ];
  const sql = `
    WITH o AS (
      -- OFFSET 0 keeps both subqueries from being flattened: the local time, day and month
      -- are computed once per order, below the sort. Flattened, every window function
      -- re-evaluated its argument (lag, first_value: up to 9 time-zone conversions per
      -- order), which made the window node cost 3.5 s on 1M orders.
      -- The local date: the instant as timestamptz, cast to date in the session time zone (set
      -- to the shop's for this query): cheaper than AT TIME ZONE <name> per order.
      SELECT c, at, net, (d - DATE '1970-01-01') AS day,
             (date_part('year', d) * 12 + date_part('month', d) - 1)::int AS m
      FROM (SELECT "customerId" AS c, "processedAt" AS at,
                   (("totalPrice" - "totalRefunded") * ${NET_SCALE})::bigint AS net, ("processedAt" AT TIME ZONE 'UTC')::date AS d
            FROM "Order"
            WHERE ${ORDER_FILTER} AND "customerId" IS NOT NULL ${only} ${part}
            OFFSET 0) x
      OFFSET 0
    ), w AS (
      -- One window node (ROWS frame), and its output stays sorted by (customer, time): the
      -- per-customer aggregate below groups that stream as it comes (GroupAggregate), with
      -- no 10M-row materialisation and no hash table of every customer spilling to disk.
      -- lead() ignores the frame; the running sum at each customer-month's last order gives
      -- the month's revenue by difference (the cohort cells, from the same pass).
      SELECT c, at, net, day, m,
             row_number() OVER win AS rn,
             lag(day) OVER win AS prev_day,
             lead(m) OVER win AS next_m,
             -- float8: exact for integers below 2^53, much cheaper than numeric.
             SUM(net::float8) OVER win AS running_net,
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
             (date_part('epoch', MIN(at) FILTER (WHERE rn = 2)) * 1000)::bigint AS second_at,
             MIN(first_m) AS first_m,
             -- Months since the first order in which the customer ordered, and the running
             -- net revenue at the end of each (cohort customers only).
             array_agg(m - first_m) FILTER (WHERE first_m >= $4::int AND (next_m IS NULL OR next_m <> m)) AS ks,
             array_agg(running_net) FILTER (WHERE first_m >= $4::int AND (next_m IS NULL OR next_m <> m)) AS ends
             ${[...windowCols, ...backtestCols].map((col) => `, ${col}`).join("")}
      FROM w
      GROUP BY c
    ), k AS (
      SELECT first_m, ks[i] AS k, COUNT(*) AS active, SUM((ends[i] - COALESCE(ends[i - 1], 0))::bigint)::bigint AS revenue
      FROM a, generate_subscripts(a.ks, 1) AS i
      GROUP BY 1, 2
    )
    -- Customers travel as chunks of CHUNK customers (one JSON array per column: parsed into
    -- typed arrays, no per-customer objects on the JavaScript side), read one at a time
    -- through a cursor, so that no more than one chunk's text is ever in memory. The first row
    -- carries the count, the cohort cells and the backtest's holdout weeks.
    SELECT body FROM (
      SELECT -1 AS chunk, json_build_array(
        (SELECT COUNT(*) FROM a),
        (SELECT COALESCE(json_agg(json_build_array(first_m, k, active, revenue) ORDER BY first_m, k), '[]') FROM k),
        ${bt ? `(SELECT COALESCE(json_agg(json_build_array(w, n) ORDER BY w), '[]') FROM (SELECT w, COUNT(*) AS n FROM a, unnest(a.bt_weeks) AS w GROUP BY w) x)` : "NULL"},
        $2::text)::text AS body
      UNION ALL
      SELECT chunk, json_build_array(${customerCols.map((col) => `json_agg(${col})`).join(", ")})::text
      FROM (SELECT *, (row_number() OVER (ORDER BY c) - 1) / ${chunkSize} AS chunk FROM a) s
      GROUP BY chunk
    ) u
    ORDER BY chunk`;
  // The session time zone becomes the shop's for this query only (restored after it, and
  // transaction-local in any case). $2 stays bound for the shared parameter numbering.
  const [{ previous }] = await db.$queryRawUnsafe<{ previous: string }[]>(
    `SELECT current_setting('TimeZone') AS previous, set_config('TimeZone', $1, true) AS now`,
    opts.timeZone,
  );
  await db.$executeRawUnsafe(
    `DECLARE rapport_customers NO SCROLL CURSOR FOR ${sql}`,
    shop,
    opts.timeZone,
    iso(opts.now),
    opts.cohortFromMonth,
    ...params,
  );
  const next = async () => (await db.$queryRawUnsafe<{ body: string }[]>(`FETCH 1 FROM rapport_customers`))[0]?.body ?? null;
  const [count, cohortRows, weekRows] = JSON.parse((await next())!) as [number, number[][], number[][] | null];
  // Column k of the chunks: its typed array and the divisor of its integer values.
  const n = opts.windows.length;
  type Spec = readonly [new (size: number) => Int32Array | Float64Array, number];
  const int: Spec = [Int32Array, 1];
  const float: Spec = [Float64Array, 1];
  const money: Spec = [Float64Array, NET_SCALE]; // NET_SCALE units → major units
  const specs: Spec[] = [
    ...[int, int, float, float, float, int, int, int, money, float], // customerId … secondOrderAt (see below)
    ...Array.from({ length: n }, () => [int, float]).flat(), // per window: orders, net revenue
    ...(bt ? [int, int, money, int, money] : []), // the backtest's columns
  ];
  const columns = specs.map(([make]) => new make(count));
  let filled = 0;
  for (let body = await next(); body !== null; body = await next()) {
    const data = JSON.parse(body) as (number | null)[][];
    const size = data[0].length;
    if (filled + size > count) throw new Error(`customer aggregate: more rows than its count (${count})`);
    specs.forEach(([, scale], k) => {
      const out = columns[k];
      const v = data[k];
      for (let i = 0; i < size; i++) {
        const x = v[i];
        out[filled + i] = x === null ? NaN : scale === 1 ? x : x / scale;
      }
    });
    filled += size;
  }
  await db.$executeRawUnsafe(`CLOSE rapport_customers`);
  await db.$queryRawUnsafe(`SELECT set_config('TimeZone', $1, true)`, previous);
  if (filled !== count) throw new Error(`customer aggregate: ${filled} rows for a count of ${count}`);
  // Customers normally arrive in ascending id order (the write batches are id ranges);
  // should the server not keep the window's order, they are sorted here.
  const ids = columns[0];
  for (let i = 1; i < count; i++) {
    if (ids[i - 1] > ids[i]) {
      const order = Int32Array.from({ length: count }, (_, k) => k).sort((x, y) => ids[x] - ids[y]);
      columns.forEach((col, k) => (columns[k] = col.map((_, j) => col[order[j]])));
      break;
    }
  }
  const i32 = (k: number) => columns[k] as Int32Array;
  const f64 = (k: number) => columns[k] as Float64Array;
  const customers: CustomerColumns = {
    count,
    customerId: i32(0),
    orders: i32(1),
    netScaled: f64(2),
    firstOrderAt: f64(3),
    lastOrderAt: f64(4),
    purchaseDays: i32(5),
    firstDay: i32(6),
    lastDay: i32(7),
    repeatNetRevenue: f64(8),
    secondOrderAt: f64(9),
    windowOrders: Array.from({ length: n }, (_, i) => i32(10 + 2 * i)),
    windowNetScaled: Array.from({ length: n }, (_, i) => f64(11 + 2 * i)),
  };
  let weeks: number[] | null = null;
  if (bt) {
    const k0 = 10 + 2 * n;
    customers.calibration = {
      lastDay: i32(k0),
      purchaseDays: i32(k0 + 1),
      repeatNetRevenue: f64(k0 + 2),
      holdoutDays: i32(k0 + 3),
      holdoutRevenue: f64(k0 + 4),
    };
    weeks = [];
    for (const [w, c] of weekRows ?? []) weeks[w] = c;
    weeks = Array.from({ length: weeks.length }, (_, i) => weeks![i] ?? 0);
  }
  const cohorts = cohortRows.map(([cohortMonth, monthsSinceFirst, activeCustomers, revenue]) => ({
    cohortMonth,
    monthsSinceFirst,
    activeCustomers,
    revenue: revenue / NET_SCALE,
  }));
  return { customers, cohorts, backtestWeeks: weeks };
}

/**
 * The backtest's input from the aggregate: the customers whose first order came before the
 * cut-off (in id order), their calibration and holdout columns, and the holdout's order days
 * per week. Null when the aggregate was run without `backtest`.
 */
export function backtestAggregateOf(customers: CustomerColumns, cutoffDay: number, weeklyActual: number[] | null): BacktestAggregate | null {
  const cal = customers.calibration;
  if (!cal || !weeklyActual) return null;
  const keep: number[] = [];
  for (let i = 0; i < customers.count; i++) if (customers.firstDay[i] < cutoffDay) keep.push(i);
  const pick = <A extends Int32Array | Float64Array>(make: new (n: number) => A, from: ArrayLike<number>): A => {
    const out = new make(keep.length);
    for (let j = 0; j < keep.length; j++) out[j] = from[keep[j]];
    return out;
  };
  return {
    count: keep.length,
    firstDay: pick(Int32Array, customers.firstDay),
    lastDay: pick(Int32Array, cal.lastDay),
    purchaseDays: pick(Int32Array, cal.purchaseDays),
    repeatNetRevenue: pick(Float64Array, cal.repeatNetRevenue),
    holdoutDays: pick(Int32Array, cal.holdoutDays),
    holdoutRevenue: pick(Float64Array, cal.holdoutRevenue),
    weeklyActual,
  };
}

type Aggregate = Awaited<ReturnType<typeof aggregateCustomers>>;

/**
 * One aggregate from the parts of aggregateCustomers run with `part` (disjoint sets of
 * customers, each in ascending id order): the customers merged in id order, the cohort cells
 * and the holdout weeks added up.
 */
export function mergeAggregates(parts: readonly Aggregate[]): Aggregate {
  if (parts.length === 1) return parts[0];
  const count = parts.reduce((sum, p) => sum + p.customers.count, 0);
  // Positions of the merged order: (part, index) pairs by ascending customer id.
  const fromPart = new Int32Array(count);
  const fromIndex = new Int32Array(count);
  const next = parts.map(() => 0);
  for (let i = 0; i < count; i++) {
    let best = -1;
    for (let p = 0; p < parts.length; p++) {
      if (next[p] < parts[p].customers.count && (best < 0 || parts[p].customers.customerId[next[p]] < parts[best].customers.customerId[next[best]]))
        best = p;
    }
    fromPart[i] = best;
    fromIndex[i] = next[best]++;
  }
  const merge = <A extends Int32Array | Float64Array>(columns: readonly A[]): A => {
    const out = new (columns[0].constructor as new (n: number) => A)(count);
    for (let i = 0; i < count; i++) out[i] = columns[fromPart[i]][fromIndex[i]];
    return out;
  };
  const c = parts.map((p) => p.customers);
  const windows = c[0].windowOrders.length;
  const customers: CustomerColumns = {
    count,
    customerId: merge(c.map((x) => x.customerId)),
    orders: merge(c.map((x) => x.orders)),
    netScaled: merge(c.map((x) => x.netScaled)),
    firstOrderAt: merge(c.map((x) => x.firstOrderAt)),
    lastOrderAt: merge(c.map((x) => x.lastOrderAt)),
    purchaseDays: merge(c.map((x) => x.purchaseDays)),
    firstDay: merge(c.map((x) => x.firstDay)),
    lastDay: merge(c.map((x) => x.lastDay)),
    repeatNetRevenue: merge(c.map((x) => x.repeatNetRevenue)),
    secondOrderAt: merge(c.map((x) => x.secondOrderAt)),
    windowOrders: Array.from({ length: windows }, (_, w) => merge(c.map((x) => x.windowOrders[w]))),
    windowNetScaled: Array.from({ length: windows }, (_, w) => merge(c.map((x) => x.windowNetScaled[w]))),
  };
  if (c.every((x) => x.calibration)) {
    const cal = c.map((x) => x.calibration!);
    customers.calibration = {
      lastDay: merge(cal.map((x) => x.lastDay)),
      purchaseDays: merge(cal.map((x) => x.purchaseDays)),
      repeatNetRevenue: merge(cal.map((x) => x.repeatNetRevenue)),
      holdoutDays: merge(cal.map((x) => x.holdoutDays)),
      holdoutRevenue: merge(cal.map((x) => x.holdoutRevenue)),
    };
  }
  const cells = new Map<string, CohortCell>();
  for (const cell of parts.flatMap((p) => p.cohorts)) {
    const key = `${cell.cohortMonth}:${cell.monthsSinceFirst}`;
    const known = cells.get(key);
    if (known) {
      known.activeCustomers += cell.activeCustomers;
      // Added in exact NET_SCALE units, as one statement would have.
      known.revenue = (Math.round(known.revenue * NET_SCALE) + Math.round(cell.revenue * NET_SCALE)) / NET_SCALE;
    } else cells.set(key, { ...cell });
  }
  const cohorts = [...cells.values()].sort((a, b) => a.cohortMonth - b.cohortMonth || a.monthsSinceFirst - b.monthsSinceFirst);
  let backtestWeeks: number[] | null = null;
  if (parts.every((p) => p.backtestWeeks)) {
    backtestWeeks = [];
    for (const p of parts) p.backtestWeeks!.forEach((n, w) => (backtestWeeks![w] = (backtestWeeks![w] ?? 0) + n));
    backtestWeeks = Array.from({ length: backtestWeeks.length }, (_, w) => backtestWeeks![w] ?? 0);
  }
  return { customers, cohorts, backtestWeeks };
}

/** Guest orders (no customer): orders and exact net revenue (NET_SCALE units) per window. */
export async function guestTotals(
  db: Db,
  shop: string,
  opts: { timeZone: string; now: Date; windows: readonly Window[] },
): Promise<{ orders: number; netScaled: number }[]> {
  if (!opts.windows.length) return [];
  const { clauses, params } = windowParams(opts.windows, 4);
  const cols = clauses.map((c, i) => `COUNT(*) FILTER (WHERE ${c})::int AS o${i}, COALESCE(SUM(net) FILTER (WHERE ${c}), 0)::bigint AS n${i}`);
  // $2 (time zone) is unused here but keeps the shared parameter numbering.
  const sql = `
    SELECT ${cols.join(", ")}
    FROM (SELECT "processedAt" AS at, (("totalPrice" - "totalRefunded") * ${NET_SCALE})::bigint AS net, $2::text AS tz
          FROM "Order" WHERE ${ORDER_FILTER} AND "customerId" IS NULL) g`;
  const [row] = await db.$queryRawUnsafe<Record<string, number | bigint>[]>(sql, shop, opts.timeZone, iso(opts.now), ...params);
  return opts.windows.map((_, i) => ({ orders: Number(row[`o${i}`]), netScaled: Number(row[`n${i}`]) }));
}

/**
 * Checkouts created per window and those still not completed (abandoned). Checkouts created
 * after `cutoff` are left out entirely: they may still be completed (one created exactly at
 * `cutoff` is 24 hours old: it counts).
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
          WHERE shop = $1 AND "shopifyCreatedAt" <= $2::timestamp) k`;
  const [row] = await db.$queryRawUnsafe<Record<string, number>[]>(sql, shop, iso(opts.cutoff), ...params);
  return opts.windows.map((_, i) => ({ created: Number(row[`c${i}`]), abandoned: Number(row[`a${i}`]) }));
}

export async function monthlyMarketingSpend(db: Db, shop: string): Promise<{ month: string; amount: number }[]> {
  const rows = await db.marketingSpend.findMany({ where: { shop }, select: { month: true, amount: true }, orderBy: { month: "asc" } });
  return rows.map((r) => ({ month: r.month, amount: Number(r.amount) }));
}

/**
 * One batch of CustomerMetrics, one array per column (same length, same order). Segments are
 * indexes into `segmentNames`. previousSegment and segmentChangedAt are not sent: they are
 * derived in SQL from the stored row (see writeCustomerMetricsBatch).
 */
export interface CustomerMetricsBatch {
  customerId: number[];
  recencyDays: number[];
  frequency: number[];
  purchaseDays: number[];
  /** Exact decimal strings. */
  monetary: string[];
  rScore: number[];
  fScore: number[];
  mScore: number[];
  segment: number[];
  pAlive: (number | null)[];
  expectedPurchases12m: (number | null)[];
  expectedOrderValue: (string | null)[];
  predictedClv12m: (string | null)[];
  expectedNextOrderAt: (Date | null)[];
  /** Epoch milliseconds. */
  firstOrderAt: number[];
  lastOrderAt: number[];
}

/** The constant columns of one analysis run's CustomerMetrics. */
export interface CustomerMetricsRun {
  currency: string;
  lowConfidence: boolean;
  /** The analysis instant (computedAt, and segmentChangedAt of customers who moved). */
  computedAt: Date;
  /** Start of the analysis day (shop's zone): changes since then count in `movedIn`. */
  startOfToday: Date;
  /** Segment keys, indexed by CustomerMetricsBatch.segment. */
  segmentNames: readonly string[];
  /** Who writes (SegmentMove.source): the full run or the incremental refresh; default full. */
  source?: "full" | "incremental";
}

/** Customers of one batch grouped by (stored segment, new segment, previous segment). */
export interface SegmentMoveCount {
  /** The stored segment before this run (null: the customer had no metrics). */
  from: string | null;
  to: string;
  /** previousSegment as written by this run. */
  previousSegment: string | null;
  /** The customer changed segment in this run (from ≠ to). */
  moved: boolean;
  /** segmentChangedAt (as written) is on the analysis day. */
  changedToday: boolean;
  customers: number;
}

// Columns travel as one text parameter each (comma-separated, "" = NULL), expanded by
// string_to_array + unnest: no JSON to parse and no row objects to build, on either backend.
// join writes null as "" and numbers as String(x) does, without an intermediate array of
// strings per column (a million customers: garbage the write stage no longer makes).
const numbers = (v: readonly (number | null)[]) => v.join(",");
// Decimal strings contain no commas.
const texts = (v: readonly (string | null)[]) => v.join(",");
// Instants go as epoch milliseconds (integer arithmetic in SQL, cheaper than parsing
// timestamps); the columns are UTC timestamps without zone.
const instants = (v: readonly (Date | null)[]) => v.map((x) => (x === null ? "" : String(x.getTime()))).join(",");
const MS_TO_TIMESTAMP = (col: string) => `(TIMESTAMP '1970-01-01' + ${col} * INTERVAL '1 millisecond')`;

/**
 * Deletes the shop's CustomerMetrics of customers not in `keep` (customers without counted
 * orders any more): the rows of the others are replaced in place by writeCustomerMetricsBatch.
 */
/**
 * Deletes the metrics of customers who are no longer analysed. An anti-join (NOT EXISTS), never
 * `NOT IN (list)`: past work_mem PostgreSQL runs `NOT IN` as a plain subplan that scans the
 * whole list for every row (quadratic; 400,000 customers never finished), while an anti-join
 * stays a hash or merge join that spills to disk at worst. tests/integration/stale-metrics-plan
 * asserts the plan.
 */
export const DELETE_STALE_CUSTOMER_METRICS_SQL = `
  DELETE FROM "CustomerMetrics" m
  WHERE m.shop = $1
    AND NOT EXISTS (SELECT 1 FROM unnest(string_to_array($2, ',')::int[]) AS keep(id) WHERE keep.id = m."customerId")`;

export async function deleteStaleCustomerMetrics(db: Db, shop: string, keep: readonly number[] | Int32Array) {
  await db.$executeRawUnsafe(DELETE_STALE_CUSTOMER_METRICS_SQL, shop, keep.join(","));
}

/**
 * Writes one batch of a shop's CustomerMetrics (call inside a transaction, after
 * deleteStaleCustomerMetrics): inserts new customers, replaces the rows of known ones
 * (INSERT … ON CONFLICT DO UPDATE: no foreign-key checks for unchanged keys, no
 * delete-then-insert). Segment movement is derived from the stored row in the same statement:
 * same segment → previousSegment and segmentChangedAt kept; different or no stored row →
 * previousSegment = the stored segment (null for a new customer), segmentChangedAt = the
 * analysis instant; each such move between two segments is added to SegmentMove. Returns the
 * batch's customers grouped for the movement counts.
 */
export async function writeCustomerMetricsBatch(db: Db, shop: string, run: CustomerMetricsRun, b: CustomerMetricsBatch): Promise<SegmentMoveCount[]> {
  if (!b.customerId.length) return [];
  let lo = b.customerId[0];
  let hi = lo;
  for (const id of b.customerId) {
    if (id < lo) lo = id;
    if (id > hi) hi = id;
  }
  const sql = `
    WITH n AS (
      SELECT * FROM unnest(
        string_to_array($1, ',')::int[], string_to_array($2, ',')::int[], string_to_array($3, ',')::int[],
        string_to_array($4, ',')::int[], string_to_array($5, ',')::numeric[], string_to_array($6, ',')::int[],
        string_to_array($7, ',')::int[], string_to_array($8, ',')::int[], string_to_array($9, ',')::int[],
        string_to_array($10, ',', '')::float8[], string_to_array($11, ',', '')::float8[],
        string_to_array($12, ',', '')::numeric[], string_to_array($13, ',', '')::numeric[],
        string_to_array($14, ',', '')::bigint[], string_to_array($15, ',')::bigint[],
        string_to_array($16, ',')::bigint[]
      ) AS t(id, recency, frequency, days, monetary, r, f, m, seg, p_alive, expected, aov, clv, next_ms, first_ms, last_ms)
    ), j AS MATERIALIZED (
      SELECT n.*, s.name AS segment, o.segment AS old_segment,
             ${MS_TO_TIMESTAMP("next_ms")} AS next_at, ${MS_TO_TIMESTAMP("first_ms")} AS first_at, ${MS_TO_TIMESTAMP("last_ms")} AS last_at,
             CASE WHEN o.segment = s.name THEN o."previousSegment" ELSE o.segment END AS previous,
             CASE WHEN o.segment = s.name THEN o."segmentChangedAt" ELSE $18::timestamp END AS changed_at
      FROM n
      JOIN (SELECT (i - 1)::int AS seg, name FROM json_array_elements_text($17::json) WITH ORDINALITY AS x(name, i)) s ON s.seg = n.seg
      -- Batches are ranges of customer ids (ascending): the stored rows are read by a range of
      -- the primary key, not by a scan of all the shop's rows per batch.
      LEFT JOIN "CustomerMetrics" o ON o."customerId" = n.id AND o.shop = $19 AND o."customerId" BETWEEN $23 AND $24
    ), ins AS (
      INSERT INTO "CustomerMetrics" ("customerId", shop, "recencyDays", frequency, "purchaseDays", monetary, currency,
        "rScore", "fScore", "mScore", segment, "previousSegment", "segmentChangedAt", "pAlive", "expectedPurchases12m",
        "expectedOrderValue", "predictedClv12m", "expectedNextOrderAt", "firstOrderAt", "lastOrderAt", "lowConfidence", "computedAt")
      SELECT id, $19, recency, frequency, days, monetary, $20, r, f, m, segment, previous, changed_at, p_alive, expected,
             aov, clv, next_at, first_at, last_at, $21, $18::timestamp
      FROM j
      ON CONFLICT ("customerId") DO UPDATE SET
        shop = EXCLUDED.shop, "recencyDays" = EXCLUDED."recencyDays", frequency = EXCLUDED.frequency,
        "purchaseDays" = EXCLUDED."purchaseDays", monetary = EXCLUDED.monetary, currency = EXCLUDED.currency,
        "rScore" = EXCLUDED."rScore", "fScore" = EXCLUDED."fScore", "mScore" = EXCLUDED."mScore",
        segment = EXCLUDED.segment, "previousSegment" = EXCLUDED."previousSegment",
        "segmentChangedAt" = EXCLUDED."segmentChangedAt", "pAlive" = EXCLUDED."pAlive",
        "expectedPurchases12m" = EXCLUDED."expectedPurchases12m", "expectedOrderValue" = EXCLUDED."expectedOrderValue",
        "predictedClv12m" = EXCLUDED."predictedClv12m", "expectedNextOrderAt" = EXCLUDED."expectedNextOrderAt",
        "firstOrderAt" = EXCLUDED."firstOrderAt", "lastOrderAt" = EXCLUDED."lastOrderAt",
        "lowConfidence" = EXCLUDED."lowConfidence", "computedAt" = EXCLUDED."computedAt"
    ), moves AS (
      -- Every move between two known segments is also kept in SegmentMove (ADR 007): the row
      -- above only remembers the last one.
      INSERT INTO "SegmentMove" (shop, "customerId", "fromSegment", "toSegment", "movedAt", source)
      SELECT $19, id, old_segment, segment, $18::timestamp, $25 FROM j WHERE old_segment <> segment
    )
    SELECT old_segment AS "from", segment AS "to", previous AS "previousSegment",
           old_segment IS DISTINCT FROM segment AS moved, changed_at >= $22::timestamp AS "changedToday",
           COUNT(*)::int AS customers
    FROM j GROUP BY 1, 2, 3, 4, 5`;
  const rows = await db.$queryRawUnsafe<SegmentMoveCount[]>(
    sql,
    numbers(b.customerId),
    numbers(b.recencyDays),
    numbers(b.frequency),
    numbers(b.purchaseDays),
    texts(b.monetary),
    numbers(b.rScore),
    numbers(b.fScore),
    numbers(b.mScore),
    numbers(b.segment),
    numbers(b.pAlive),
    numbers(b.expectedPurchases12m),
    texts(b.expectedOrderValue),
    texts(b.predictedClv12m),
    instants(b.expectedNextOrderAt),
    numbers(b.firstOrderAt),
    numbers(b.lastOrderAt),
    JSON.stringify(run.segmentNames),
    iso(run.computedAt),
    shop,
    run.currency,
    run.lowConfidence,
    iso(run.startOfToday),
    lo,
    hi,
    run.source ?? "full",
  );
  return rows.map((r) => ({ ...r, customers: Number(r.customers), moved: Boolean(r.moved), changedToday: Boolean(r.changedToday) }));
}

/** Deletes the metrics of these customers (the incremental path: no counted orders any more). */
export async function deleteCustomerMetricsOf(db: Db, shop: string, customerIds: readonly number[]) {
  if (!customerIds.length) return 0;
  return (await db.customerMetrics.deleteMany({ where: { shop, customerId: { in: [...customerIds] } } })).count;
}

/**
 * What the incremental path reuses from the shop's latest full analysis: its models, RFM
 * scoring (null before ADR 007) and confidence flag. Null when the shop was never analysed.
 */
export async function latestFrozenAnalysis(db: Db, shop: string) {
  return db.analysisSnapshot.findFirst({
    where: { shop },
    orderBy: { date: "desc" },
    select: { date: true, computedAt: true, model: true, scoring: true, lowConfidence: true },
  });
}

/** The shop's moves between segments since `since` (SegmentMove), oldest first. */
export async function segmentMovesSince(db: Db, shop: string, since: Date) {
  return db.segmentMove.findMany({
    where: { shop, movedAt: { gte: since } },
    orderBy: [{ movedAt: "asc" }, { id: "asc" }],
    select: { customerId: true, fromSegment: true, toSegment: true, movedAt: true, source: true },
  });
}

/** Internal ids of the customers of these orders (by Shopify id), without duplicates. */
export async function customerIdsOfOrders(db: Db, shop: string, orderShopifyIds: readonly string[]): Promise<number[]> {
  if (!orderShopifyIds.length) return [];
  const rows = await db.order.findMany({
    where: { shop, shopifyId: { in: [...orderShopifyIds] }, customerId: { not: null } },
    select: { customerId: true },
  });
  return [...new Set(rows.map((r) => r.customerId!))];
}

/** Internal ids of customers by Shopify id. */
export async function customerIdsByShopifyId(db: Db, shop: string, shopifyIds: readonly string[]): Promise<number[]> {
  if (!shopifyIds.length) return [];
  const rows = await db.customer.findMany({ where: { shop, shopifyId: { in: [...shopifyIds] } }, select: { id: true } });
  return rows.map((r) => r.id);
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
