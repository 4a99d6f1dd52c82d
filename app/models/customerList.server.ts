// The customers page's reads: one page of customers (filters, search, sort, keyset pagination)
// and the counts. Customers with orders (a CustomerMetrics row) come first, in the order of the
// chosen metric (each has a (shop, metric, customerId) index, so a page is an index range scan
// whatever its depth); customers without orders follow, newest first, and only when no metric
// filter is set. P(alive) and predicted CLV, which every nightly run changes, are not indexed
// themselves (ADR 013: the daily rewrite stays a HOT update): P(alive) sorts by the whole
// percentage the page shows, then customerId; CLV by a coarse key that rarely changes, then
// the exact value (PostgreSQL's incremental sort within each key), then customerId. Search: every word, any case, anywhere in the e-mail or a name (ILIKE on a
// pg_trgm GIN index of the three together, on PGlite too). Counts stop at COUNT_CAP: an exact count of 100,000 rows
// costs more than the page itself (bench/admin, docs/benchmarks.md).
import { Prisma } from "@prisma/client";
import { clvSortKey, sortValueParts } from "~/domain/customerList";
import { escapeLike } from "~/lib/likePattern";
import type { Db } from "~/lib/transaction.server";

export type ListSort = "lastOrderAt" | "monetary" | "frequency" | "predictedClv12m" | "pAlive";

export interface ListWhere {
  q?: string;
  segment?: string;
  r?: number;
  f?: number;
  /** P(alive) in [min, max). */
  pAliveMin?: number;
  pAliveMax?: number;
  /** Predicted 12-month CLV, inclusive, decimal strings. */
  clvMin?: string;
  clvMax?: string;
  /** Last order instant in [from, before). */
  lastOrderFrom?: Date;
  lastOrderBefore?: Date;
  /** Only these customers (a bulk selection); at most a page of them. */
  customerIds?: number[];
}

export interface ListPosition {
  phase: 1 | 2;
  /** The row's sort value (sortValueOf): for CLV "key:value", for P(alive) the whole percentage. */
  value: string | null;
  id: number;
}

export interface ListedCustomer {
  id: number;
  shopifyId: string;
  email: string | null;
  firstName: string | null;
  lastName: string | null;
  tags: string[];
  /** Null for a customer without orders (no metrics). */
  segment: string | null;
  rScore: number | null;
  fScore: number | null;
  mScore: number | null;
  frequency: number | null;
  monetary: Prisma.Decimal | null;
  currency: string | null;
  pAlive: number | null;
  /** P(alive) as a whole percentage (generated column): the P(alive) sort's key. */
  pAlivePercent: number | null;
  predictedClv12m: Prisma.Decimal | null;
  /** Predicted CLV rounded down to a coarse step (generated column): the CLV sort's first key. */
  predictedClv12mKey: Prisma.Decimal | null;
  lastOrderAt: Date | null;
  firstOrderAt: Date | null;
  lowConfidence: boolean | null;
}

// Ordered without a NULLS clause, so PostgreSQL reads each (shop, key, customerId) index
// forwards or backwards: nulls (no fitted model: every customer of the shop at once) come last
// in ascending order and first in descending order, PostgreSQL's default. A sort's keys are
// null together.
interface SortKey {
  sql: Prisma.Sql;
  cast: (v: string) => Prisma.Sql;
}
const key = (column: string, cast: (v: string) => Prisma.Sql): SortKey => ({ sql: Prisma.raw(`m."${column}"`), cast });
const asNumeric = (v: string) => Prisma.sql`${v}::numeric`;
/**
 * A sort: its keys, and optionally the parts of its rows, in ascending order of the sort and
 * read one after the other, each in its own order (`keys`: how many of the sort's keys its rows
 * need ordering by, then customerId).
 */
interface Sort {
  keys: SortKey[];
  nullable: boolean;
  parts?: { where: Prisma.Sql; keys: number }[];
}
const CLV_KEY = key("predictedClv12mKey", asNumeric);
const SORTS: Record<ListSort, Sort> = {
  lastOrderAt: { keys: [key("lastOrderAt", (v) => Prisma.sql`${v}::timestamp`)], nullable: false },
  monetary: { keys: [key("monetary", asNumeric)], nullable: false },
  frequency: { keys: [key("frequency", (v) => Prisma.sql`${Number(v)}::int`)], nullable: false },
  // The coarse key first (its index gives the order of the steps), then the exact value, which
  // PostgreSQL's incremental sort orders within each step: it reads a whole step of customers.
  // Customers with a CLV of exactly 0 (key 0 and only them), or none (no model), can be a
  // large share of a shop, all tied: read apart, in customerId order straight from the index.
  predictedClv12m: {
    keys: [CLV_KEY, key("predictedClv12m", asNumeric)],
    nullable: true,
    parts: [
      { where: Prisma.sql`${CLV_KEY.sql} < 0`, keys: 2 },
      { where: Prisma.sql`${CLV_KEY.sql} = 0`, keys: 1 },
      { where: Prisma.sql`${CLV_KEY.sql} > 0`, keys: 2 },
      { where: Prisma.sql`${CLV_KEY.sql} IS NULL`, keys: 0 },
    ],
  },
  // The page shows whole percentages: customers showing the same one are in customerId order.
  pAlive: { keys: [key("pAlivePercent", (v) => Prisma.sql`${Number(v)}::int`)], nullable: true },
};

/**
 * The sort value of a row as cursor text, one part per sort key (joined by ":"; only the CLV
 * sort has two, both decimals).
 */
export function sortValueOf(row: ListedCustomer, sort: ListSort): string | null {
  const parts = sort === "predictedClv12m" ? [row.predictedClv12mKey, row.predictedClv12m] : [sort === "pAlive" ? row.pAlivePercent : row[sort]];
  if (parts[0] === null) return null;
  return parts.map((v) => (v instanceof Date ? v.toISOString() : String(v))).join(":");
}

/**
 * The e-mail, first and last name in one text, exactly as the trigram index of migration
 * customer_search_text is built (the planner uses the index only for this very expression):
 * one index scan per word instead of three, and no word can match across two fields, as words
 * hold no space.
 */
const SEARCH_TEXT = Prisma.raw(`(coalesce(p."email", '') || ' ' || coalesce(p."firstName", '') || ' ' || coalesce(p."lastName", ''))`);

/**
 * Every word of `q` must appear in the e-mail, first or last name (trigram-indexed ILIKE).
 * `p."customerId" IS NOT NULL` makes the profile join an inner join for the planner (the text
 * never matches without a profile), so it may start from the index.
 */
function searchSql(q: string | undefined): Prisma.Sql {
  const words = (q ?? "").split(/\s+/).filter(Boolean).slice(0, 5);
  if (!words.length) return Prisma.empty;
  const each = words.map((word) => Prisma.sql`${SEARCH_TEXT} ILIKE ${`%${escapeLike(word)}%`}`);
  return Prisma.sql` AND p."customerId" IS NOT NULL AND ${Prisma.join(each, " AND ")}`;
}

function idsSql(column: Prisma.Sql, ids: number[]): Prisma.Sql {
  return ids.length ? Prisma.sql`${column} IN (${Prisma.join(ids)})` : Prisma.sql`FALSE`;
}

function metricsWhere(shop: string, w: ListWhere): Prisma.Sql {
  const parts: Prisma.Sql[] = [Prisma.sql`m.shop = ${shop}`];
  if (w.segment !== undefined) parts.push(Prisma.sql`m.segment = ${w.segment}`);
  if (w.r !== undefined) parts.push(Prisma.sql`m."rScore" = ${w.r}`);
  if (w.f !== undefined) parts.push(Prisma.sql`m."fScore" = ${w.f}`);
  // Each bound on an exact value comes with the bound it implies on the indexed key, which
  // lets the planner read a range of that index. Rounding is monotone, so pAlive >= min gives
  // pAlivePercent >= round(min · 100), pAlive < max gives pAlivePercent <= round(max · 100).
  if (w.pAliveMin !== undefined) parts.push(Prisma.sql`m."pAlive" >= ${w.pAliveMin} AND m."pAlivePercent" >= ${Math.round(w.pAliveMin * 100)}`);
  if (w.pAliveMax !== undefined && Number.isFinite(w.pAliveMax)) {
    parts.push(Prisma.sql`m."pAlive" < ${w.pAliveMax} AND m."pAlivePercent" <= ${Math.round(w.pAliveMax * 100)}`);
  }
  // The CLV key is monotone and never above the value (the filter's bounds are non-negative).
  if (w.clvMin !== undefined) {
    parts.push(Prisma.sql`m."predictedClv12m" >= ${w.clvMin}::numeric AND m."predictedClv12mKey" >= ${clvSortKey(w.clvMin)}::numeric`);
  }
  if (w.clvMax !== undefined) parts.push(Prisma.sql`m."predictedClv12m" <= ${w.clvMax}::numeric AND m."predictedClv12mKey" <= ${w.clvMax}::numeric`);
  if (w.lastOrderFrom) parts.push(Prisma.sql`m."lastOrderAt" >= ${w.lastOrderFrom.toISOString()}::timestamp`);
  if (w.lastOrderBefore) parts.push(Prisma.sql`m."lastOrderAt" < ${w.lastOrderBefore.toISOString()}::timestamp`);
  if (w.customerIds) parts.push(idsSql(Prisma.raw(`m."customerId"`), w.customerIds));
  return Prisma.sql`${Prisma.join(parts, " AND ")}${searchSql(w.q)}`;
}

/**
 * Rows that come after the position `at` when reading in `dir` with nulls at `nulls`: the sort
 * keys compared in order, then customerId, all in the same direction. A range condition on
 * the first key (the index's) comes with it where it keeps every such row.
 */
function afterSql(keys: SortKey[], dir: "asc" | "desc", nulls: "first" | "last" | null, at: ListPosition, values: string[] | null): Prisma.Sql {
  const cmp = Prisma.raw(dir === "desc" ? "<" : ">");
  const first = keys[0].sql;
  const id = Prisma.sql`m."customerId" ${cmp} ${at.id}`;
  if (at.value === null || !values) {
    return nulls === "first" ? Prisma.sql`((${first} IS NULL AND ${id}) OR ${first} IS NOT NULL)` : Prisma.sql`(${first} IS NULL AND ${id})`;
  }
  const vs = keys.map((k, i) => k.cast(values[i]));
  let after = id;
  for (let i = keys.length - 1; i >= 0; i--) after = Prisma.sql`(${keys[i].sql} ${cmp} ${vs[i]} OR (${keys[i].sql} = ${vs[i]} AND ${after}))`;
  if (nulls === "last") return Prisma.sql`(${after} OR ${first} IS NULL)`;
  return Prisma.sql`${first} ${Prisma.raw(dir === "desc" ? "<=" : ">=")} ${vs[0]} AND ${after}`;
}

const METRICS_COLUMNS = Prisma.sql`
  SELECT c.id, c."shopifyId", c.tags, p.email, p."firstName", p."lastName",
         m.segment, m."rScore", m."fScore", m."mScore", m.frequency, m.monetary, m.currency, m."pAlive", m."pAlivePercent",
         m."predictedClv12m", m."predictedClv12mKey", m."lastOrderAt", m."firstOrderAt", m."lowConfidence"`;
const JOINED = Prisma.sql`JOIN "Customer" c ON c.id = m."customerId" LEFT JOIN "CustomerProfile" p ON p."customerId" = m."customerId"`;

/**
 * The first `limit` metrics rows matching `where` in `order`, with their customer and profile.
 * Without a search, the rows are chosen from CustomerMetrics alone and joined afterwards: a
 * plan that sorts a filtered range (thousands of rows) then joins only the page's rows.
 */
function metricsPageSql(where: Prisma.Sql, order: Prisma.Sql, limit: number, search: boolean): Prisma.Sql {
  if (search) return Prisma.sql`${METRICS_COLUMNS} FROM "CustomerMetrics" m ${JOINED} WHERE ${where} ORDER BY ${order} LIMIT ${limit}`;
  return Prisma.sql`${METRICS_COLUMNS}
    FROM (SELECT * FROM "CustomerMetrics" m WHERE ${where} ORDER BY ${order} LIMIT ${limit}) m ${JOINED}
    ORDER BY ${order}`;
}

/**
 * Up to `limit` customers with orders in display order (`dir`) after `at`, or, with
 * `reverse`, the `limit` rows just before `at` in reverse display order.
 */
export async function customersWithOrdersPage(
  db: Db,
  shop: string,
  w: ListWhere,
  page: { sort: ListSort; dir: "asc" | "desc"; at?: ListPosition; reverse?: boolean; limit: number },
): Promise<ListedCustomer[]> {
  const { keys, nullable, parts } = SORTS[page.sort];
  const dir = page.reverse ? (page.dir === "asc" ? "desc" : "asc") : page.dir;
  const nulls = nullable ? (dir === "desc" ? "first" : "last") : null;
  const values = page.at?.value ? sortValueParts(page.sort, page.at.value) : null;
  const keyset = page.at ? Prisma.sql` AND ${afterSql(keys, dir, nulls, page.at, values)}` : Prisma.empty;
  const d = Prisma.raw(dir.toUpperCase());
  const orderBy = (n: number) =>
    Prisma.join(
      [...keys.slice(0, n).map((k) => k.sql), Prisma.sql`m."customerId"`].map((sql) => Prisma.sql`${sql} ${d}`),
      ", ",
    );
  const where = Prisma.sql`${metricsWhere(shop, w)}${keyset}`;
  const search = searchSql(w.q) !== Prisma.empty;
  if (!parts) return db.$queryRaw<ListedCustomer[]>(metricsPageSql(where, orderBy(keys.length), page.limit, search));
  // The parts in display order, each read until the page is full (a part before the position
  // reads nothing).
  const rows: ListedCustomer[] = [];
  for (const part of dir === "asc" ? parts : [...parts].reverse()) {
    if (rows.length >= page.limit) break;
    rows.push(
      ...(await db.$queryRaw<ListedCustomer[]>(
        metricsPageSql(Prisma.sql`${where} AND ${part.where}`, orderBy(part.keys), page.limit - rows.length, search),
      )),
    );
  }
  return rows;
}

/** Customers without a counted order (no metrics), newest id first; `reverse` as above. */
export function customersWithoutOrdersPage(
  db: Db,
  shop: string,
  w: Pick<ListWhere, "q" | "customerIds">,
  page: { afterId?: number; reverse?: boolean; limit: number },
): Promise<ListedCustomer[]> {
  const dir = page.reverse ? "ASC" : "DESC";
  const ids = w.customerIds ? Prisma.sql` AND ${idsSql(Prisma.raw("c.id"), w.customerIds)}` : Prisma.empty;
  const keyset = page.afterId !== undefined ? Prisma.sql` AND c.id ${Prisma.raw(page.reverse ? ">" : "<")} ${page.afterId}` : Prisma.empty;
  return db.$queryRaw<ListedCustomer[]>`
    SELECT c.id, c."shopifyId", c.tags, p.email, p."firstName", p."lastName",
           NULL::text AS segment, NULL::int AS "rScore", NULL::int AS "fScore", NULL::int AS "mScore", NULL::int AS frequency,
           NULL::numeric AS monetary, NULL::text AS currency, NULL::float8 AS "pAlive", NULL::smallint AS "pAlivePercent",
           NULL::numeric AS "predictedClv12m", NULL::numeric AS "predictedClv12mKey",
           NULL::timestamp AS "lastOrderAt", NULL::timestamp AS "firstOrderAt", NULL::boolean AS "lowConfidence"
    FROM "Customer" c LEFT JOIN "CustomerProfile" p ON p."customerId" = c.id
    WHERE c.shop = ${shop} AND NOT EXISTS (SELECT 1 FROM "CustomerMetrics" m WHERE m."customerId" = c.id)${searchSql(w.q)}${ids}${keyset}
    ORDER BY c.id ${Prisma.raw(dir)} LIMIT ${page.limit}`;
}

/** Counts stop here: past it the page says "10,000+" (an exact count would cost more than the page). */
export const COUNT_CAP = 10_000;

/**
 * How many customers with orders match, and (when `withoutOrders` and still under the cap) how
 * many without; `capped` when there are more than COUNT_CAP in all.
 */
export async function countListedCustomers(
  db: Db,
  shop: string,
  w: ListWhere,
  withoutOrders: boolean,
): Promise<{ withOrders: number; withoutOrders: number; capped: boolean }> {
  const capped = { withOrders: COUNT_CAP, withoutOrders: 0, capped: true };
  if (withoutOrders && !w.customerIds) {
    if (!w.q) {
      // Every customer of the shop is listed: their number is the shop's tally (kept by
      // triggers, migration shop_tally), so a big shop is "10,000+" without counting rows.
      const [tally] = await db.$queryRaw<{ n: number }[]>`SELECT coalesce(sum(customers), 0)::int AS n FROM "ShopTally" WHERE shop = ${shop}`;
      if (tally.n > COUNT_CAP) return capped;
    } else {
      // A search alone: count the matching profiles (the trigram index) and look each one's
      // metrics row up, instead of joining every customer or metrics row of the shop.
      const [hits] = await db.$queryRaw<{ total: number; withOrders: number }[]>`
        SELECT count(*)::int AS total,
               count(*) FILTER (WHERE EXISTS (SELECT 1 FROM "CustomerMetrics" m WHERE m."customerId" = h.id))::int AS "withOrders"
        FROM (SELECT p."customerId" AS id FROM "CustomerProfile" p WHERE p.shop = ${shop}${searchSql(w.q)} LIMIT ${COUNT_CAP + 1}) h`;
      if (hits.total > COUNT_CAP) return capped;
      return { withOrders: hits.withOrders, withoutOrders: hits.total - hits.withOrders, capped: false };
    }
  }
  const profile = w.q ? Prisma.sql`LEFT JOIN "CustomerProfile" p ON p."customerId" = m."customerId"` : Prisma.empty;
  const [one] = await db.$queryRaw<{ n: number }[]>`
    SELECT count(*)::int AS n FROM (SELECT 1 FROM "CustomerMetrics" m ${profile} WHERE ${metricsWhere(shop, w)} LIMIT ${COUNT_CAP + 1}) x`;
  if (one.n > COUNT_CAP) return capped;
  if (!withoutOrders) return { withOrders: one.n, withoutOrders: 0, capped: false };
  const rest = COUNT_CAP - one.n;
  const [two] = await db.$queryRaw<{ n: number }[]>`
    SELECT count(*)::int AS n FROM (
      SELECT 1 FROM "Customer" c LEFT JOIN "CustomerProfile" p ON p."customerId" = c.id
      WHERE c.shop = ${shop} AND NOT EXISTS (SELECT 1 FROM "CustomerMetrics" m WHERE m."customerId" = c.id)${searchSql(w.q)}
      LIMIT ${rest + 1}) x`;
  return { withOrders: one.n, withoutOrders: Math.min(two.n, rest), capped: two.n > rest };
}

/** Stored customer ids among `shopifyIds` of this shop (bulk export of a selection). */
export async function customerIdsOfShopifyIds(db: Db, shop: string, shopifyIds: string[]): Promise<number[]> {
  const rows = await db.customer.findMany({ where: { shop, shopifyId: { in: shopifyIds } }, select: { id: true } });
  return rows.map((r) => r.id);
}
