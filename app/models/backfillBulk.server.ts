// The backfill's fast path (ADR 010), in one transaction with the run's checkpoint. Only objects
// not stored yet take it; the caller redoes through the webhook sync (newest wins) a batch with
// stored objects to update or with a row a webhook inserted meanwhile.
// - Orders (the bulk of a shop) go straight into their tables by COPY: the caller resolves ids
//   (sequence), customer links and product types first, in the same transaction; a raced row
//   fails the COPY with a unique violation.
// - Customers and products (and an order's customer not stored yet) go by COPY into temporary
//   staging tables and one INSERT … SELECT … ON CONFLICT DO NOTHING each, whose counts show a
//   raced row (an order's embedded customer never overwrites a stored one).
import { bulkConnectionOf } from "~/lib/database.server";
import type { BulkTx } from "~/lib/bulkConnection.server";
import type { DbClient } from "~/lib/transaction.server";
import { invalidateServing } from "~/lib/servingCache.server";
import type { SyncedTable } from "./synced.server";
import type { TombstoneKind } from "./tombstone.server";

export type { BulkTx };

const STAGING = {
  customer: "rapport_bulk_customer",
  product: "rapport_bulk_product",
} as const;

// Column types as in the target tables, amounts unconstrained (an order's refunds are summed
// before rounding, as the webhook path sums Decimals). Emptied at every commit.
const STAGING_SETUP = `
CREATE TEMP TABLE IF NOT EXISTS ${STAGING.customer} (
  "shopifyId" text, "state" text, "countryCode" text, "locale" text, "tags" text[], "emailMarketingState" text,
  "smsMarketingState" text, "shopifyCreatedAt" timestamp(3), "shopifyUpdatedAt" timestamp(3), "email" text,
  "firstName" text, "lastName" text, "phone" text, "note" text, "addresses" jsonb
) ON COMMIT DELETE ROWS;
CREATE TEMP TABLE IF NOT EXISTS ${STAGING.product} (
  "shopifyId" text, "handle" text, "title" text, "status" text, "productType" text, "vendor" text, "tags" text[],
  "imageUrl" text, "priceMin" numeric, "priceMax" numeric, "available" boolean, "giftCard" boolean,
  "compareAtPriceMin" numeric, "defaultVariantId" text, "publishedAt" timestamp(3), "shopifyCreatedAt" timestamp(3),
  "shopifyUpdatedAt" timestamp(3)
) ON COMMIT DELETE ROWS;
`;

/** Whether `db` has a COPY connection (opened by openDatabase): the fast path is available. */
export function hasBulkConnection(db: DbClient): boolean {
  return bulkConnectionOf(db) !== null;
}

/** A transaction of the COPY connection. */
export interface BulkWrite extends BulkTx {
  /**
   * Whether the connection's role may set session_replication_role (a superuser: PGlite, or a
   * server the app owns). bulkCopyOrders then checks the orders' foreign keys once per batch
   * instead of once per row.
   */
  readonly mayCheckKeysPerBatch: boolean;
}

const keysPerBatch = new WeakMap<object, boolean>();

/** Runs `work` in one transaction of the COPY connection of `db`'s database. */
export function inBulkTransaction<T>(db: DbClient, work: (tx: BulkWrite) => Promise<T>): Promise<T> {
  const connection = bulkConnectionOf(db);
  if (!connection) throw new Error("this database client has no bulk connection (open it with openDatabase)");
  return connection.transaction(STAGING_SETUP, async (tx) => {
    // As the Prisma path does for a batch: its rows commit with their checkpoint, so a database
    // crash can only lose both together (docs/decisions/010).
    await tx.query("SET LOCAL synchronous_commit = off");
    let allowed = keysPerBatch.get(connection);
    if (allowed === undefined) {
      const [role] = await tx.query<{ superuser: boolean }>(`SELECT "rolsuper" AS "superuser" FROM "pg_roles" WHERE "rolname" = current_user`);
      allowed = role?.superuser === true;
      keysPerBatch.set(connection, allowed);
    }
    return work(Object.assign(tx, { mayCheckKeysPerBatch: allowed }));
  });
}

const TABLE: Record<SyncedTable, string> = { customer: "Customer", order: "Order", product: "Product", checkout: "Checkout" };

/** The stored Shopify `updated_at` (ms; null when none) of those of `shopifyIds` that are stored. */
export async function bulkStoredVersions(tx: BulkTx, table: SyncedTable, shop: string, shopifyIds: string[]): Promise<Map<string, number | null>> {
  const rows = await tx.query<{ shopifyId: string; ms: number | null }>(
    `SELECT "shopifyId", (extract(epoch FROM "shopifyUpdatedAt") * 1000)::float8 AS "ms" FROM "${TABLE[table]}" WHERE "shop" = $1 AND "shopifyId" = ANY($2::text[])`,
    [shop, shopifyIds],
  );
  return new Map(rows.map((r) => [r.shopifyId, r.ms === null ? null : Number(r.ms)]));
}

export async function bulkTombstoned(tx: BulkTx, shop: string, kind: TombstoneKind, shopifyIds: string[]): Promise<Set<string>> {
  const rows = await tx.query<{ shopifyId: string }>(
    `SELECT "shopifyId" FROM "Tombstone" WHERE "shop" = $1 AND "kind" = $2 AND "shopifyId" = ANY($3::text[])`,
    [shop, kind, shopifyIds],
  );
  return new Set(rows.map((r) => r.shopifyId));
}

/** A storefront click or add-to-cart since `since` (recommendation attribution then has work to do). */
export async function bulkHasEngagementsSince(tx: BulkTx, shop: string, since: Date): Promise<boolean> {
  const rows = await tx.query(
    `SELECT 1 FROM "RecommendationEvent" WHERE "shop" = $1 AND "kind" IN ('click', 'add_to_cart') AND "occurredAt" >= $2::timestamp(3) LIMIT 1`,
    [shop, since.toISOString()],
  );
  return rows.length > 0;
}

const notTombstoned = (kind: TombstoneKind, column: string) =>
  `NOT EXISTS (SELECT 1 FROM "Tombstone" t WHERE t."shop" = $1 AND t."kind" = '${kind}' AND t."shopifyId" = ${column})`;

/** Inserted and expected (staged, not tombstoned) row counts of a statement. */
export interface BulkInsertCount {
  inserted: number;
  expected: number;
}

/**
 * Customers (with their profiles) not stored yet; a stored one is left as it is (ON CONFLICT DO
 * NOTHING: an order's embedded copy never overwrites one, and a raced row shows in the counts).
 * `now`: the rows' createdAt/updatedAt, as the webhook path's insert writes them.
 */
export async function bulkInsertCustomers(
  tx: BulkTx,
  shop: string,
  columns: readonly string[],
  lines: string,
  now: string,
): Promise<BulkInsertCount> {
  if (!lines) return { inserted: 0, expected: 0 };
  await tx.copy(STAGING.customer, columns, lines);
  const [row] = await tx.query<BulkInsertCount>(
    `WITH ins AS (
      INSERT INTO "Customer" ("shop", "shopifyId", "state", "countryCode", "locale", "tags", "emailMarketingState", "smsMarketingState",
                              "shopifyCreatedAt", "shopifyUpdatedAt", "createdAt", "updatedAt")
      SELECT $1, s."shopifyId", s."state", s."countryCode", s."locale", s."tags", s."emailMarketingState", s."smsMarketingState",
             s."shopifyCreatedAt", s."shopifyUpdatedAt", $2::timestamp(3), $2::timestamp(3)
      FROM ${STAGING.customer} s
      WHERE ${notTombstoned("customer", 's."shopifyId"')}
      ON CONFLICT ("shop", "shopifyId") DO NOTHING
      RETURNING "id", "shopifyId"
    ), profiles AS (
      INSERT INTO "CustomerProfile" ("customerId", "shop", "email", "firstName", "lastName", "phone", "note", "addresses")
      SELECT ins."id", $1, s."email", s."firstName", s."lastName", s."phone", s."note", s."addresses"
      FROM ins JOIN ${STAGING.customer} s ON s."shopifyId" = ins."shopifyId"
    )
    SELECT (SELECT count(*) FROM ins)::int AS "inserted",
           (SELECT count(*) FROM ${STAGING.customer} s WHERE ${notTombstoned("customer", 's."shopifyId"')})::int AS "expected"`,
    [shop, now],
  );
  return row;
}

/** Products not stored yet; order lines stored before their product get its type (as syncProducts does). */
export async function bulkInsertProducts(
  tx: BulkTx,
  shop: string,
  currency: string,
  columns: readonly string[],
  lines: string,
  now: string,
): Promise<BulkInsertCount> {
  if (!lines) return { inserted: 0, expected: 0 };
  await tx.copy(STAGING.product, columns, lines);
  const [row] = await tx.query<BulkInsertCount>(
    `WITH ins AS (
      INSERT INTO "Product" ("shop", "shopifyId", "handle", "title", "status", "productType", "vendor", "tags", "imageUrl", "priceMin",
                             "priceMax", "currency", "available", "giftCard", "compareAtPriceMin", "defaultVariantId", "publishedAt",
                             "shopifyCreatedAt", "shopifyUpdatedAt", "createdAt", "updatedAt")
      SELECT $1, s."shopifyId", s."handle", s."title", s."status", s."productType", s."vendor", s."tags", s."imageUrl", s."priceMin",
             s."priceMax", $3, s."available", s."giftCard", s."compareAtPriceMin", s."defaultVariantId", s."publishedAt",
             s."shopifyCreatedAt", s."shopifyUpdatedAt", $2::timestamp(3), $2::timestamp(3)
      FROM ${STAGING.product} s
      WHERE ${notTombstoned("product", 's."shopifyId"')}
      ON CONFLICT ("shop", "shopifyId") DO NOTHING
      RETURNING "shopifyId", "productType"
    ), typed AS (
      UPDATE "LineItem" li SET "productType" = ins."productType"
      FROM ins
      WHERE li."shop" = $1 AND li."productShopifyId" = ins."shopifyId" AND li."productType" IS NULL AND ins."productType" IS NOT NULL
    )
    SELECT (SELECT count(*) FROM ins)::int AS "inserted",
           (SELECT count(*) FROM ${STAGING.product} s WHERE ${notTombstoned("product", 's."shopifyId"')})::int AS "expected"`,
    [shop, now, currency],
  );
  invalidateServing(shop, "products");
  return row;
}

/** Stored customers among `shopifyIds` (row id; null when Shopify deleted it: no link) and whether each is stored. */
export async function bulkCustomerLinks(tx: BulkTx, shop: string, shopifyIds: string[]): Promise<Map<string, number | null>> {
  const rows = await tx.query<{ shopifyId: string; id: number; dead: boolean }>(
    `SELECT c."shopifyId", c."id", EXISTS (SELECT 1 FROM "Tombstone" t WHERE t."shop" = $1 AND t."kind" = 'customer' AND t."shopifyId" = c."shopifyId") AS "dead"
     FROM "Customer" c WHERE c."shop" = $1 AND c."shopifyId" = ANY($2::text[])`,
    [shop, shopifyIds],
  );
  return new Map(rows.map((r) => [r.shopifyId, r.dead ? null : r.id]));
}

/** The stored product type of those of `shopifyIds` that are stored. */
export async function bulkProductTypes(tx: BulkTx, shop: string, shopifyIds: string[]): Promise<Map<string, string | null>> {
  const rows = await tx.query<{ shopifyId: string; productType: string | null }>(
    `SELECT "shopifyId", "productType" FROM "Product" WHERE "shop" = $1 AND "shopifyId" = ANY($2::text[])`,
    [shop, shopifyIds],
  );
  return new Map(rows.map((r) => [r.shopifyId, r.productType]));
}

/** `count` new row ids of `table` from its sequence (the rows' children need them before COPY). */
export async function bulkNextIds(tx: BulkTx, table: "Order" | "Refund", count: number): Promise<number[]> {
  if (!count) return [];
  const rows = await tx.query<{ id: number }>(`SELECT nextval(pg_get_serial_sequence('"${table}"', 'id'))::int AS "id" FROM generate_series(1, $1)`, [
    count,
  ]);
  return rows.map((r) => Number(r.id));
}

/** Columns of the COPY lines of bulkCopyOrders: what the caller prefixes, then copyRows' staged columns. */
export const ORDER_COPY_PREFIX = ["id", "shop", "customerId", "totalRefunded", "createdAt", "updatedAt"] as const;
export const ORDER_PERSONAL_COPY_PREFIX = ["orderId", "shop"] as const;
export const LINE_ITEM_COPY_PREFIX = ["shop", "orderId", "productType"] as const;
export const REFUND_COPY_PREFIX = ["id", "shop", "orderId", "createdAt"] as const;
export const REFUND_LINE_ITEM_COPY_PREFIX = ["shop", "refundId"] as const;

export interface OrderCopy {
  columns: readonly string[];
  lines: string;
}

/** PostgreSQL's unique_violation: a row a webhook inserted since the batch's versions were read. */
export function isUniqueViolation(error: unknown): boolean {
  return typeof error === "object" && error !== null && (error as { code?: unknown }).code === "23505";
}

/** A parent row of the batch's orders (their shop, a customer) is gone: the webhook sync, with its per-row checks, takes the batch. */
export class ParentRowGone extends Error {}

/**
 * New orders straight into their tables by COPY (ids, customer links and product types already
 * resolved by the caller in this transaction): no staging, no join. A row inserted meanwhile by
 * a webhook makes COPY fail with a unique violation (isUniqueViolation), rolling the batch back.
 *
 * Foreign keys: PostgreSQL checks each row's parents with a query and a FOR KEY SHARE lock, a
 * third of the database's work for an order and its lines (ADR 010, "Fourth round"). When the
 * role may (mayCheckKeysPerBatch), this checks them once per batch instead, as pg_restore's
 * --disable-triggers does, with the same locks: the shop's row and the linked customers' rows
 * are locked FOR KEY SHARE (so a redaction deleting one waits for this commit, then its ON
 * DELETE actions see these orders), then session_replication_role = replica skips the per-row
 * checks for the COPYs only. The other references are the batch's own rows (each line item's,
 * refund's and personal row's order, each refund line's refund: ids the caller took from the
 * sequences), invisible to other sessions until commit. The tally triggers fire always (migration
 * 20261130160000).
 */
export async function bulkCopyOrders(
  tx: BulkWrite,
  shop: string,
  customerIds: number[],
  tables: { orders: OrderCopy; personal: OrderCopy; lineItems: OrderCopy; refunds: OrderCopy; refundLineItems: OrderCopy },
): Promise<void> {
  if (!tables.orders.lines) return;
  const perBatch = tx.mayCheckKeysPerBatch;
  if (perBatch) {
    const shops = await tx.query(`SELECT 1 FROM "Shop" WHERE "domain" = $1 FOR KEY SHARE`, [shop]);
    if (shops.length !== 1) throw new ParentRowGone(`shop ${shop} is not stored`);
    if (customerIds.length) {
      const [locked] = await tx.query<{ n: number }>(
        `SELECT count(*)::int AS "n" FROM (SELECT 1 FROM "Customer" WHERE "shop" = $1 AND "id" = ANY($2::int[]) FOR KEY SHARE) c`,
        [shop, customerIds],
      );
      if (locked.n !== customerIds.length) throw new ParentRowGone(`a customer of the batch was deleted`);
    }
    await tx.query("SET LOCAL session_replication_role = replica");
  }
  await tx.copy("Order", tables.orders.columns, tables.orders.lines);
  await tx.copy("OrderPersonal", tables.personal.columns, tables.personal.lines);
  if (tables.lineItems.lines) await tx.copy("LineItem", tables.lineItems.columns, tables.lineItems.lines);
  if (tables.refunds.lines) await tx.copy("Refund", tables.refunds.columns, tables.refunds.lines);
  if (tables.refundLineItems.lines) await tx.copy("RefundLineItem", tables.refundLineItems.columns, tables.refundLineItems.lines);
  if (perBatch) await tx.query("SET LOCAL session_replication_role = origin");
}

/** The run's checkpoint, in the batch's transaction (models/backfillRun.server.ts `updateRun` for the Prisma path). */
export async function bulkSaveCheckpoint(
  tx: BulkTx,
  shop: string,
  runId: number,
  checkpoint: { lineOffset: number; progress: object; counts: object },
  now: string,
): Promise<void> {
  const rows = await tx.query(
    `UPDATE "BackfillRun" SET "lineOffset" = $3, "progress" = $4::jsonb, "counts" = $5::jsonb, "updatedAt" = $6::timestamp(3)
     WHERE "id" = $2 AND "shop" = $1 RETURNING "id"`,
    [shop, runId, checkpoint.lineOffset, JSON.stringify(checkpoint.progress), JSON.stringify(checkpoint.counts), now],
  );
  if (rows.length !== 1) throw new Error(`backfill run ${runId} of ${shop} is gone`);
}
