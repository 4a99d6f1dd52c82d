// The backfill's fast path (ADR 010): a batch of new objects goes into temporary staging tables
// by COPY and into the synced tables by one INSERT … SELECT per table, ids resolved in SQL
// (customer of an order, order of a line, product type of a line), in one transaction with the
// run's checkpoint. Only objects not stored yet take this path: ON CONFLICT DO NOTHING skips a
// row a webhook inserted meanwhile, and the caller then redoes the batch through the webhook
// sync (newest wins), as it does for any batch with stored objects to update.
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
  order: "rapport_bulk_order",
  lineItem: "rapport_bulk_line_item",
  refund: "rapport_bulk_refund",
  refundLineItem: "rapport_bulk_refund_line_item",
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
CREATE TEMP TABLE IF NOT EXISTS ${STAGING.order} (
  "shopifyId" text, "name" text, "customerShopifyId" text, "processedAt" timestamp(3), "shopifyCreatedAt" timestamp(3),
  "cancelledAt" timestamp(3), "cancelReason" text, "financialStatus" text, "fulfillmentStatus" text, "currency" text,
  "presentmentCurrency" text, "totalPrice" numeric, "subtotalPrice" numeric, "totalDiscounts" numeric, "totalTax" numeric,
  "totalShipping" numeric, "sourceName" text, "test" boolean, "tags" text[], "customerLocale" text, "checkoutToken" text,
  "shopifyUpdatedAt" timestamp(3), "email" text, "phone" text, "note" text, "shippingAddress" jsonb, "billingAddress" jsonb
) ON COMMIT DELETE ROWS;
CREATE TEMP TABLE IF NOT EXISTS ${STAGING.lineItem} (
  "orderShopifyId" text, "shopifyId" text, "productShopifyId" text, "variantShopifyId" text, "sku" text, "title" text,
  "variantTitle" text, "vendor" text, "quantity" integer, "price" numeric, "totalDiscount" numeric, "currency" text
) ON COMMIT DELETE ROWS;
CREATE TEMP TABLE IF NOT EXISTS ${STAGING.refund} (
  "orderShopifyId" text, "shopifyId" text, "processedAt" timestamp(3), "shopifyCreatedAt" timestamp(3), "amount" numeric,
  "currency" text, "restock" boolean
) ON COMMIT DELETE ROWS;
CREATE TEMP TABLE IF NOT EXISTS ${STAGING.refundLineItem} (
  "refundShopifyId" text, "shopifyId" text, "lineItemShopifyId" text, "quantity" integer, "subtotal" numeric
) ON COMMIT DELETE ROWS;
`;

/** Whether `db` has a COPY connection (opened by openDatabase): the fast path is available. */
export function hasBulkConnection(db: DbClient): boolean {
  return bulkConnectionOf(db) !== null;
}

/** Runs `work` in one transaction of the COPY connection of `db`'s database. */
export function inBulkTransaction<T>(db: DbClient, work: (tx: BulkTx) => Promise<T>): Promise<T> {
  const connection = bulkConnectionOf(db);
  if (!connection) throw new Error("this database client has no bulk connection (open it with openDatabase)");
  return connection.transaction(STAGING_SETUP, async (tx) => {
    // As the Prisma path does for a batch: its rows commit with their checkpoint, so a database
    // crash can only lose both together (docs/decisions/010).
    await tx.query("SET LOCAL synchronous_commit = off");
    return work(tx);
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

export interface StagedOrderTables {
  orders: { columns: readonly string[]; lines: string };
  lineItems: { columns: readonly string[]; lines: string };
  refunds: { columns: readonly string[]; lines: string };
  refundLineItems: { columns: readonly string[]; lines: string };
}

/**
 * Orders not stored yet (none tombstoned: the caller left those out), with their personal data,
 * lines and refunds. The customer link goes to the stored customer of that id (the caller
 * inserted the missing ones first), unless Shopify deleted it; a line gets its product's type.
 */
export async function bulkInsertOrders(tx: BulkTx, shop: string, staged: StagedOrderTables, now: string): Promise<BulkInsertCount> {
  if (!staged.orders.lines) return { inserted: 0, expected: 0 };
  await tx.copy(STAGING.order, staged.orders.columns, staged.orders.lines);
  if (staged.lineItems.lines) await tx.copy(STAGING.lineItem, staged.lineItems.columns, staged.lineItems.lines);
  if (staged.refunds.lines) await tx.copy(STAGING.refund, staged.refunds.columns, staged.refunds.lines);
  if (staged.refundLineItems.lines) await tx.copy(STAGING.refundLineItem, staged.refundLineItems.columns, staged.refundLineItems.lines);
  const [row] = await tx.query<BulkInsertCount>(
    `WITH ins AS (
      INSERT INTO "Order" ("shop", "shopifyId", "name", "customerId", "customerShopifyId", "processedAt", "shopifyCreatedAt", "cancelledAt",
                           "cancelReason", "financialStatus", "fulfillmentStatus", "currency", "presentmentCurrency", "totalPrice",
                           "subtotalPrice", "totalDiscounts", "totalTax", "totalShipping", "totalRefunded", "sourceName", "test", "tags",
                           "customerLocale", "checkoutToken", "shopifyUpdatedAt", "createdAt", "updatedAt")
      SELECT $1, s."shopifyId", s."name", c."id", s."customerShopifyId", s."processedAt", s."shopifyCreatedAt", s."cancelledAt",
             s."cancelReason", s."financialStatus", s."fulfillmentStatus", s."currency", s."presentmentCurrency", s."totalPrice",
             s."subtotalPrice", s."totalDiscounts", s."totalTax", s."totalShipping", coalesce(r."amount", 0), s."sourceName", s."test",
             s."tags", s."customerLocale", s."checkoutToken", s."shopifyUpdatedAt", $2::timestamp(3), $2::timestamp(3)
      FROM ${STAGING.order} s
      LEFT JOIN "Customer" c
        ON c."shop" = $1 AND c."shopifyId" = s."customerShopifyId" AND ${notTombstoned("customer", 's."customerShopifyId"')}
      LEFT JOIN (SELECT "orderShopifyId", sum("amount") AS "amount" FROM ${STAGING.refund} GROUP BY 1) r
        ON r."orderShopifyId" = s."shopifyId"
      ON CONFLICT ("shop", "shopifyId") DO NOTHING
      RETURNING "id", "shopifyId"
    ), personal AS (
      INSERT INTO "OrderPersonal" ("orderId", "shop", "email", "phone", "note", "shippingAddress", "billingAddress")
      SELECT ins."id", $1, s."email", s."phone", s."note", s."shippingAddress", s."billingAddress"
      FROM ins JOIN ${STAGING.order} s ON s."shopifyId" = ins."shopifyId"
    ), lines AS (
      INSERT INTO "LineItem" ("shop", "shopifyId", "orderId", "productShopifyId", "variantShopifyId", "sku", "title", "variantTitle",
                              "vendor", "productType", "quantity", "price", "totalDiscount", "currency")
      SELECT $1, l."shopifyId", ins."id", l."productShopifyId", l."variantShopifyId", l."sku", l."title", l."variantTitle",
             l."vendor", p."productType", l."quantity", l."price", l."totalDiscount", l."currency"
      FROM ${STAGING.lineItem} l
      JOIN ins ON ins."shopifyId" = l."orderShopifyId"
      LEFT JOIN "Product" p ON p."shop" = $1 AND p."shopifyId" = l."productShopifyId"
    ), refunds AS (
      INSERT INTO "Refund" ("shop", "shopifyId", "orderId", "processedAt", "shopifyCreatedAt", "amount", "currency", "restock", "createdAt")
      SELECT $1, x."shopifyId", ins."id", x."processedAt", x."shopifyCreatedAt", x."amount", x."currency", x."restock", $2::timestamp(3)
      FROM ${STAGING.refund} x JOIN ins ON ins."shopifyId" = x."orderShopifyId"
      RETURNING "id", "shopifyId"
    ), refund_lines AS (
      INSERT INTO "RefundLineItem" ("shop", "shopifyId", "refundId", "lineItemShopifyId", "quantity", "subtotal")
      SELECT $1, x."shopifyId", refunds."id", x."lineItemShopifyId", x."quantity", x."subtotal"
      FROM ${STAGING.refundLineItem} x JOIN refunds ON refunds."shopifyId" = x."refundShopifyId"
    )
    SELECT (SELECT count(*) FROM ins)::int AS "inserted", (SELECT count(*) FROM ${STAGING.order})::int AS "expected"`,
    [shop, now],
  );
  return row;
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
