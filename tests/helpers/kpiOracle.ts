// An independent oracle for docs/metrics.md: every KPI recomputed in plain SQL straight from
// the text, to check the app against its written definitions. Deliberately shares no code with
// app/domain (kpis.ts, cohorts.ts, time.ts) or app/models/analytics.server.ts: local days come
// from PostgreSQL's own time-zone rules (`AT TIME ZONE`), ranges are calendar dates, sums are
// exact numerics. Slow and simple on purpose: one plain query per figure.
//
// Rules (docs/metrics.md, "Ranges"): a range is the local calendar days `from`..`to` inclusive
// in the shop's zone; the previous period is the same number of calendar days just before;
// cancelled and test orders never count; orders are dated by processedAt, net = totalPrice −
// totalRefunded; only orders placed before the clock exist; a checkout counts in the cart
// abandonment rate once it is 24 hours old by the clock, whatever the range.

/** Anything that runs raw SQL: a PrismaClient or a transaction. */
export interface RawDb {
  $queryRawUnsafe<T = unknown>(query: string, ...values: unknown[]): Promise<T>;
}

export interface OraclePeriod {
  /** Inclusive local days. */
  from: string;
  to: string;
  /** Exact decimal strings (money), numbers (counts and rates). */
  netRevenue: string;
  orders: number;
  guestOrders: number;
  guestNetRevenue: string;
  customers: number;
  newCustomers: number;
  returningCustomers: number;
  /** Customers with 2+ orders in the period. */
  repeatCustomers: number;
  /** Orders of identified customers (purchase frequency's numerator). */
  customerOrders: number;
  /** Money ratios: exact decimal strings. */
  averageOrderValue: string | null;
  purchaseFrequency: number | null;
  repeatPurchaseRate: number | null;
  /** Customers of the previous period, and those of them who ordered again in this one. */
  priorCustomers: number;
  keptCustomers: number;
  retentionRate: number | null;
  churnRate: number | null;
  lifetimeCustomers: number;
  lifetimeNetRevenue: string;
  historicalClv: string | null;
  medianDaysToSecondOrder: number | null;
  checkoutsCreated: number;
  checkoutsAbandoned: number;
  cartAbandonmentRate: number | null;
  marketingSpend: string | null;
  cac: string | null;
  /** Historical CLV ÷ CAC (the basis when no prediction exists). */
  ltvToCacHistorical: number | null;
  /** Survey answers given in the period (local day of the answer), and the NPS from them. */
  npsAnswers: number;
  nps: number | null;
}

export interface OracleRange {
  timeZone: string;
  currency: string;
  current: OraclePeriod;
  previous: OraclePeriod;
  /** Local midnight starting `from` and the one ending `to`, as UTC ISO instants. */
  fromInstant: string;
  toInstant: string;
}

const pct = (a: number, b: number) => (b === 0 ? null : (a / b) * 100);
const div = (a: number, b: number) => (b === 0 ? null : a / b);

/** "2026-06-30T00:00:00.000Z" → "2026-06-30 00:00:00.000": columns are UTC timestamps without zone. */
export function sqlInstant(d: Date): string {
  return d.toISOString().replace("T", " ").replace("Z", "");
}

// Counted orders as of the clock, each with its local calendar day in the shop's zone.
const ORDERS = `
  WITH o AS (
    SELECT o.id, o."customerId" AS c, o."processedAt" AS at, o."totalPrice" - o."totalRefunded" AS net,
           ((o."processedAt" AT TIME ZONE 'UTC') AT TIME ZONE s."ianaTimezone")::date AS day
    FROM "Order" o JOIN "Shop" s ON s.domain = o.shop
    WHERE o.shop = $1 AND o."cancelledAt" IS NULL AND NOT o.test AND o."processedAt" < $2::timestamp
  )`;

/** a ÷ b as an exact decimal string (PostgreSQL numeric, 16+ significant digits), null when b is 0. */
async function exactDiv(db: RawDb, a: string, b: number): Promise<string | null> {
  if (b === 0) return null;
  return (await one<{ q: string }>(db, `SELECT ($1::numeric / $2::numeric)::text AS q`, a, String(b))).q;
}

async function one<T>(db: RawDb, sql: string, ...values: unknown[]): Promise<T> {
  const rows = await db.$queryRawUnsafe<T[]>(sql, ...values);
  return rows[0];
}

/** The KPIs of the local days from..to (inclusive), as of `clock`, and of the previous period. */
export async function oracleKpis(db: RawDb, shop: string, days: { from: string; to: string }, clock: Date): Promise<OracleRange> {
  const s = await one<{ tz: string; currency: string; n: number; pfrom: string; pto: string; ppfrom: string; ppto: string; fi: string; ti: string }>(
    db,
    `SELECT "ianaTimezone" AS tz, currency,
            ($3::date - $2::date + 1)::int AS n,
            ($2::date - ($3::date - $2::date + 1))::text AS pfrom, ($2::date - 1)::text AS pto,
            ($2::date - 2 * ($3::date - $2::date + 1))::text AS ppfrom, ($2::date - ($3::date - $2::date + 1) - 1)::text AS ppto,
            to_char(($2::date::timestamp AT TIME ZONE "ianaTimezone") AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS fi,
            to_char((($3::date + 1)::timestamp AT TIME ZONE "ianaTimezone") AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS ti
     FROM "Shop" WHERE domain = $1`,
    shop,
    days.from,
    days.to,
  );
  if (!s) throw new Error(`no shop ${shop}`);
  if (s.n < 1) throw new RangeError(`${days.from}..${days.to} is empty`);
  const current = await oraclePeriod(db, shop, { from: days.from, to: days.to }, { from: s.pfrom, to: s.pto }, clock);
  const previous = await oraclePeriod(db, shop, { from: s.pfrom, to: s.pto }, { from: s.ppfrom, to: s.ppto }, clock);
  return { timeZone: s.tz, currency: s.currency, current, previous, fromInstant: s.fi, toInstant: s.ti };
}

/** One period's KPIs; `prior` is the period just before it (for retention). */
export async function oraclePeriod(
  db: RawDb,
  shop: string,
  range: { from: string; to: string },
  prior: { from: string; to: string },
  clock: Date,
): Promise<OraclePeriod> {
  const now = sqlInstant(clock);
  const args = [shop, now, range.from, range.to] as const;
  const IN = `day BETWEEN $3::date AND $4::date`;

  // Net revenue and orders: every counted order of the period, guests included.
  const all = await one<{ orders: number; net: string; guest_orders: number; guest_net: string }>(
    db,
    `${ORDERS} SELECT COUNT(*)::int AS orders, COALESCE(SUM(net), 0)::text AS net,
            COUNT(*) FILTER (WHERE c IS NULL)::int AS guest_orders, COALESCE(SUM(net) FILTER (WHERE c IS NULL), 0)::text AS guest_net
     FROM o WHERE ${IN}`,
    ...args,
  );
  // Customers: identified customers with an order in the period.
  const cust = await one<{ customers: number; repeaters: number; orders: number }>(
    db,
    `${ORDERS} SELECT COUNT(*)::int AS customers, COUNT(*) FILTER (WHERE n >= 2)::int AS repeaters, COALESCE(SUM(n), 0)::int AS orders
     FROM (SELECT c, COUNT(*) AS n FROM o WHERE c IS NOT NULL AND ${IN} GROUP BY c) x`,
    ...args,
  );
  // New customers: first order ever placed in the period.
  const fresh = await one<{ n: number }>(
    db,
    `${ORDERS} SELECT COUNT(*)::int AS n FROM (SELECT c, MIN(day) AS first_day FROM o WHERE c IS NOT NULL GROUP BY c) f
     WHERE first_day BETWEEN $3::date AND $4::date`,
    ...args,
  );
  // Retention: customers of the previous period who ordered again in this one.
  const kept = await one<{ prior: number; kept: number }>(
    db,
    `${ORDERS} SELECT COUNT(*)::int AS prior,
            COUNT(*) FILTER (WHERE EXISTS (SELECT 1 FROM o x WHERE x.c = p.c AND x.day BETWEEN $3::date AND $4::date))::int AS kept
     FROM (SELECT DISTINCT c FROM o WHERE c IS NOT NULL AND day BETWEEN $5::date AND $6::date) p`,
    ...args,
    prior.from,
    prior.to,
  );
  // Historical CLV: customers' net revenue up to the end of the period ÷ customers who ever ordered by then.
  const life = await one<{ customers: number; net: string }>(
    db,
    `${ORDERS} SELECT COUNT(DISTINCT c)::int AS customers, COALESCE(SUM(net), 0)::text AS net FROM o WHERE c IS NOT NULL AND day <= $3::date`,
    shop,
    now,
    range.to,
  );
  // Days to second order: median calendar days first → second order, second order in the period.
  const second = await one<{ median: number | null }>(
    db,
    `${ORDERS} SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY day - first_day) AS median
     FROM (SELECT c, day, row_number() OVER (PARTITION BY c ORDER BY at, id) AS rn, MIN(day) OVER (PARTITION BY c) AS first_day
           FROM o WHERE c IS NOT NULL) r
     WHERE rn = 2 AND ${IN}`,
    ...args,
  );
  // Cart abandonment: checkouts created in the period that are 24 hours old by the clock.
  const carts = await one<{ created: number; abandoned: number }>(
    db,
    `SELECT COUNT(*)::int AS created, COUNT(*) FILTER (WHERE k."completedAt" IS NULL)::int AS abandoned
     FROM "Checkout" k JOIN "Shop" s ON s.domain = k.shop
     WHERE k.shop = $1 AND k."shopifyCreatedAt" <= $2::timestamp - INTERVAL '24 hours'
       AND ((k."shopifyCreatedAt" AT TIME ZONE 'UTC') AT TIME ZONE s."ianaTimezone")::date BETWEEN $3::date AND $4::date`,
    ...args,
  );
  // Marketing spend: each entered month's amount × days of it covered ÷ its days.
  const spend = await one<{ spend: string | null }>(
    db,
    `SELECT SUM(amount * covered / month_days)::text AS spend
     FROM (SELECT amount, LEAST($3::date, (m + INTERVAL '1 month')::date - 1) - GREATEST($2::date, m) + 1 AS covered,
                  (m + INTERVAL '1 month')::date - m AS month_days
           FROM (SELECT amount, to_date(month || '-01', 'YYYY-MM-DD') AS m FROM "MarketingSpend" WHERE shop = $1) e) x
     WHERE covered > 0`,
    shop,
    range.from,
    range.to,
  );

  // NPS: answers whose local day (their instant in the shop's zone) is in the period, given
  // before the clock; % promoters (9–10) − % detractors (0–6).
  const nps = await one<{ n: number; p: number; d: number }>(
    db,
    `SELECT COUNT(*)::int AS n, COUNT(*) FILTER (WHERE r.score >= 9)::int AS p, COUNT(*) FILTER (WHERE r.score <= 6)::int AS d
     FROM "NpsResponse" r JOIN "Shop" s ON s.domain = r.shop
     WHERE r.shop = $1 AND r."createdAt" < $2::timestamp
       AND ((r."createdAt" AT TIME ZONE 'UTC') AT TIME ZONE s."ianaTimezone")::date BETWEEN $3::date AND $4::date`,
    ...args,
  );

  const netRevenue = all.net;
  const retentionRate = pct(kept.kept, kept.prior);
  const historicalClv = await exactDiv(db, life.net, life.customers);
  const cac = spend.spend === null ? null : await exactDiv(db, spend.spend, fresh.n);
  return {
    from: range.from,
    to: range.to,
    netRevenue,
    orders: all.orders,
    guestOrders: all.guest_orders,
    guestNetRevenue: all.guest_net,
    customers: cust.customers,
    newCustomers: fresh.n,
    returningCustomers: cust.customers - fresh.n,
    repeatCustomers: cust.repeaters,
    customerOrders: cust.orders,
    averageOrderValue: await exactDiv(db, netRevenue, all.orders),
    purchaseFrequency: div(cust.orders, cust.customers),
    repeatPurchaseRate: pct(cust.repeaters, cust.customers),
    priorCustomers: kept.prior,
    keptCustomers: kept.kept,
    retentionRate,
    churnRate: retentionRate === null ? null : 100 - retentionRate,
    lifetimeCustomers: life.customers,
    lifetimeNetRevenue: life.net,
    historicalClv,
    medianDaysToSecondOrder: second.median === null ? null : Number(second.median),
    checkoutsCreated: carts.created,
    checkoutsAbandoned: carts.abandoned,
    cartAbandonmentRate: pct(carts.abandoned, carts.created),
    marketingSpend: spend.spend,
    cac,
    ltvToCacHistorical: historicalClv === null || cac === null ? null : div(Number(historicalClv), Number(cac)),
    npsAnswers: nps.n,
    nps: nps.n === 0 ? null : ((nps.p - nps.d) / nps.n) * 100,
  };
}

// ---------------------------------------------------------------------------------------
// Cohorts (docs/metrics.md "Cohorts"): customers grouped by the local month of their first
// order; per month since then, active customers and net revenue.

export interface OracleCohortMonth {
  monthsSinceFirst: number;
  month: string;
  activeCustomers: number;
  revenue: string;
}

export interface OracleCohort {
  cohort: string;
  customers: number;
  months: OracleCohortMonth[];
}

/** Cohorts of first-order months `fromMonth`..the clock's month ("YYYY-MM"), months up to the clock's month. */
export async function oracleCohorts(db: RawDb, shop: string, fromMonth: string, clock: Date): Promise<OracleCohort[]> {
  const rows = await db.$queryRawUnsafe<{ cohort: string; size: number; month: string; k: number; active: number; revenue: string }[]>(
    `${ORDERS}, first AS (SELECT c, date_trunc('month', MIN(day))::date AS cm FROM o WHERE c IS NOT NULL GROUP BY c),
     now_month AS (SELECT date_trunc('month', (($2::timestamp AT TIME ZONE 'UTC') AT TIME ZONE s."ianaTimezone"))::date AS nm
                   FROM "Shop" s WHERE s.domain = $1),
     cohort AS (SELECT cm, COUNT(*)::int AS size FROM first, now_month WHERE cm >= $3::date AND cm <= nm GROUP BY cm),
     months AS (SELECT cm, size, generate_series(cm, nm, INTERVAL '1 month')::date AS m FROM cohort, now_month)
     SELECT to_char(months.cm, 'YYYY-MM') AS cohort, months.size, to_char(months.m, 'YYYY-MM') AS month,
            ((date_part('year', months.m) - date_part('year', months.cm)) * 12 + date_part('month', months.m) - date_part('month', months.cm))::int AS k,
            COUNT(DISTINCT o.c)::int AS active, COALESCE(SUM(o.net), 0)::text AS revenue
     FROM months
     LEFT JOIN first ON first.cm = months.cm
     LEFT JOIN o ON o.c = first.c AND date_trunc('month', o.day)::date = months.m
     GROUP BY months.cm, months.size, months.m
     ORDER BY months.cm, months.m`,
    shop,
    sqlInstant(clock),
    `${fromMonth}-01`,
  );
  const out: OracleCohort[] = [];
  for (const r of rows) {
    let c = out[out.length - 1];
    if (!c || c.cohort !== r.cohort) out.push((c = { cohort: r.cohort, customers: r.size, months: [] }));
    c.months.push({ monthsSinceFirst: r.k, month: r.month, activeCustomers: r.active, revenue: r.revenue });
  }
  return out;
}

// ---------------------------------------------------------------------------------------
// Exact money comparisons, independent of app/domain/money.ts.

/** Minor units of the currency (Intl's own table: EUR → 2, JPY → 0). */
export function currencyDigits(currency: string): number {
  return new Intl.NumberFormat("en", { style: "currency", currency }).resolvedOptions().maximumFractionDigits ?? 2;
}

/** An exact decimal string rounded half away from zero to `digits` decimals, as an integer of minor units. */
export function decimalToMinor(value: string, digits: number): bigint {
  const m = /^(-?)(\d+)(?:\.(\d*))?$/.exec(value.trim());
  if (!m) throw new Error(`not a decimal: ${value}`);
  const frac = (m[3] ?? "").padEnd(digits + 1, "0");
  let units = BigInt(m[2] + frac.slice(0, digits));
  if (Number(frac[digits]) >= 5) units += 1n;
  return m[1] === "-" ? -units : units;
}

/** A float rounded to minor units (the app's money may still come out as floats). */
export function floatToMinor(value: number, digits: number): bigint {
  return BigInt(Math.round(Math.abs(value) * 10 ** digits)) * (value < 0 ? -1n : 1n);
}
