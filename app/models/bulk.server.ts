// Multi-row inserts as one statement with one parameter: the rows travel as a JSON array
// and PostgreSQL expands them with json_populate_recordset. Much faster than Prisma's
// createMany through a driver adapter (one bound parameter per value), on PGlite and
// PostgreSQL alike. Used for the first write of synced objects (backfill, demo, new orders).
import { Prisma } from "@prisma/client";
import type { Db } from "~/lib/transaction.server";

const TABLES_WITH_TIMESTAMPS: Record<string, readonly ("createdAt" | "updatedAt")[]> = {
  Customer: ["createdAt", "updatedAt"],
  Order: ["createdAt", "updatedAt"],
  Product: ["createdAt", "updatedAt"],
  Checkout: ["createdAt", "updatedAt"],
  Refund: ["createdAt"],
  MarketingSpend: ["createdAt", "updatedAt"],
  // Analytics tables carry an explicit `computedAt` (the analysis instant) instead.
  CustomerMetrics: [],
  SegmentSnapshot: [],
  KpiSnapshot: [],
  AnalysisSnapshot: [],
};

export type BulkTable =
  | "Customer"
  | "CustomerProfile"
  | "Order"
  | "OrderPersonal"
  | "LineItem"
  | "Refund"
  | "RefundLineItem"
  | "Product"
  | "Checkout"
  | "MarketingSpend"
  | "CustomerMetrics"
  | "SegmentSnapshot"
  | "KpiSnapshot"
  | "AnalysisSnapshot";

const BATCH = 5000;

function toJsonValue(value: unknown): unknown {
  if (value === Prisma.JsonNull || value === Prisma.DbNull) return null;
  if (value instanceof Date) return value.toISOString();
  if (Prisma.Decimal.isDecimal(value)) return (value as Prisma.Decimal).toString();
  return value;
}

/**
 * Inserts `rows` (all of the same shape) into `table`; returns the requested columns of the
 * inserted rows (skipped conflicts are not returned). Table and column names come from code, never from input.
 */
export async function insertRows<R extends Record<string, unknown> = Record<string, unknown>>(
  db: Db,
  table: BulkTable,
  rows: Record<string, unknown>[],
  returning: string[] = [],
  options: { skipConflictsOn?: string[] } = {},
): Promise<R[]> {
  if (!rows.length) return [];
  const stamps = TABLES_WITH_TIMESTAMPS[table] ?? [];
  const columns = [...Object.keys(rows[0]), ...stamps.filter((s) => !(s in rows[0]))];
  const quoted = columns.map((c) => `"${c}"`).join(", ");
  const now = new Date().toISOString();
  const out: R[] = [];
  for (let i = 0; i < rows.length; i += BATCH) {
    const batch = rows.slice(i, i + BATCH).map((row) => {
      const record: Record<string, unknown> = {};
      for (const column of columns) record[column] = column in row ? toJsonValue(row[column]) : now;
      return record;
    });
    const sql =
      `INSERT INTO "${table}" (${quoted}) SELECT ${quoted} FROM json_populate_recordset(NULL::"${table}", $1::json)` +
      // Another transaction inserted the same key first (two workers, one customer): skip it
      // here; the caller finds the row and applies its newest-wins update instead.
      (options.skipConflictsOn ? ` ON CONFLICT (${options.skipConflictsOn.map((c) => `"${c}"`).join(", ")}) DO NOTHING` : "") +
      (returning.length ? ` RETURNING ${returning.map((c) => `"${c}"`).join(", ")}` : "");
    const payload = JSON.stringify(batch);
    if (returning.length) out.push(...(await db.$queryRawUnsafe<R[]>(sql, payload)));
    else await db.$executeRawUnsafe(sql, payload);
  }
  return out;
}
