// The backfill (a shop's history, on install and on demand) and the reconciliation (what the
// webhooks missed, nightly and on demand), through Admin API bulk operations. Each phase
// (products, customers, orders: a large shop's orders in several date ranges, each exported
// while the one before is imported) runs a bulk query, streams its JSONL into the sync service
// that the webhooks use (newest wins, so a webhook arriving meanwhile is never overwritten by
// an older export line), and moves its checkpoint in the same transaction as the rows: a crash
// resumes from the last applied object. See docs/decisions/010-backfill-bulk-operations.md.
import { ADMIN_API_VERSION, AdminApiError, AdminClient, UserErrorsError } from "~/lib/adminApi.server";
import { env } from "~/lib/env.server";
import { logger } from "~/lib/logger.server";
import { inTransaction, type DbClient, type Tx } from "~/lib/transaction.server";
import { ACCESS_SCOPES_QUERY, type AccessScopesResponse } from "~/graphql/accessScopes";
import { BULK_OPERATION_QUERY, type BulkOperationNode, type BulkOperationResponse } from "~/graphql/bulkOperation";
import { BULK_OPERATION_CANCEL } from "~/graphql/bulkOperationCancel";
import { BULK_OPERATION_RUN_QUERY, type BulkOperationRunQueryPayload } from "~/graphql/bulkOperationRunQuery";
import { bulkCustomersQuery } from "~/graphql/bulkCustomers";
import { bulkOrdersQuery } from "~/graphql/bulkOrders";
import { bulkProductsQuery } from "~/graphql/bulkProducts";
import { CURRENT_BULK_OPERATION_QUERY } from "~/graphql/currentBulkOperation";
import { OBJECT_COUNTS_QUERY, type ObjectCountsResponse } from "~/graphql/objectCounts";
import { ORDER_DATE_BOUNDS_QUERY, type OrderDateBoundsResponse } from "~/graphql/orderDateBounds";
import { SHOP_DETAILS_QUERY, type ShopDetailsResponse } from "~/graphql/shopDetails";
import { WEBHOOK_SUBSCRIPTIONS_QUERY, type WebhookSubscriptionsResponse } from "~/graphql/webhookSubscriptions";
import { checkSubscriptions, type WebhookCheck } from "~/domain/webhookSubscriptions";
import { commitWithoutWaitingForFlush, createRun, latestCompletedRun, latestRun, updateRun, type RunKind } from "~/models/backfillRun.server";
import { findStoredCustomers } from "~/models/customer.server";
import { findStoredOrders } from "~/models/order.server";
import { findStoredProducts } from "~/models/product.server";
import { findOfflineSession } from "~/models/session.server";
import { getShopCurrency, upsertShopDetails } from "~/models/shop.server";
import { analyzeShop } from "./analytics.server";
import { BulkLineError, readBulkObjects, rereadBulkObject, type JsonlObject } from "./backfill/jsonl";
import { legacyPlan, orderDateRanges, orderExportCount, planExports, type ExportPlan } from "./backfill/exportPlan";
import {
  customerToPayload,
  MappingError,
  orderToPayload,
  productToPayload,
  type GqlCustomer,
  type GqlOrder,
  type GqlProduct,
} from "./backfill/mapper";
import {
  copyText,
  CUSTOMER_COLUMNS,
  FieldError,
  LINE_ITEM_COLUMNS,
  ORDER_COLUMNS,
  ORDER_PERSONAL_COLUMNS,
  PRODUCT_COLUMNS,
  REFUND_COLUMNS,
  REFUND_LINE_ITEM_COLUMNS,
  stageCustomer,
  stageOrder,
  stageProduct,
  type StagedCustomer,
  type StagedObject,
  type StagedOrder,
  type StagedProduct,
} from "./backfill/copyRows";
import {
  bulkCopyOrders,
  bulkCustomerLinks,
  bulkHasEngagementsSince,
  bulkInsertCustomers,
  bulkInsertProducts,
  bulkNextIds,
  bulkProductTypes,
  isUniqueViolation,
  LINE_ITEM_COPY_PREFIX,
  ParentRowGone,
  ORDER_COPY_PREFIX,
  ORDER_PERSONAL_COPY_PREFIX,
  REFUND_COPY_PREFIX,
  REFUND_LINE_ITEM_COPY_PREFIX,
  bulkSaveCheckpoint,
  bulkStoredVersions,
  bulkTombstoned,
  hasBulkConnection,
  inBulkTransaction,
} from "~/models/backfillBulk.server";
import type { StoredVersion } from "~/models/synced.server";
import type { CustomerPayload, OrderPayload, ProductPayload } from "~/lib/shopifyPayloads";
import { ensureShop, syncCustomers, syncOrders, syncProducts } from "./sync.server";
import { PHASES, runView, type Phase, type PhaseCounts, type RunView } from "./backfill/runView";

export { PHASES, runView, type Phase, type PhaseCounts, type PhaseProgress, type RunView } from "./backfill/runView";

export interface SyncJobOptions {
  /** Continue the last unfinished run (default true). False starts over. */
  resume?: boolean;
  /** Objects per transaction (default 1000). */
  batchSize?: number;
  /** Bulk operation polling interval (default 2 s). */
  pollMs?: number;
  /** Each checkpoint (tests: throwing here simulates a crash after a committed batch). */
  onCheckpoint?: (run: RunView) => void | Promise<void>;
  onProgress?: (run: RunView) => void;
  /** Each committed batch and how it was written: COPY (the fast path) or the webhook sync (ADR 010). */
  onBatch?: (batch: { phase: Phase; objects: number; path: "copy" | "webhook-sync" }) => void;
  /**
   * Tests: called inside a COPY batch's transaction once its stored versions are read (or, in a
   * backfill's optimistic orders batch, not read), before it writes (a webhook landing in between
   * must still lose or win by newest-wins). PostgreSQL only:
   * on PGlite that transaction holds the one connection, so a query from here would wait forever.
   */
  beforeBatchWrite?: (phase: Phase) => Promise<void>;
  /** A backfill's orders per export (default ORDERS_PER_EXPORT): more orders, more date ranges (exportPlan.ts). */
  ordersPerExport?: number;
  /** How long the job waited for an export of `phase` to complete (ms; the bench separates Shopify's export time from the import). */
  onExportWait?: (phase: Phase, ms: number) => void;
  /** Run the analysis at the end (default true). */
  analyze?: boolean;
  now?: () => Date;
}

/** Reconciliation reads objects updated since the last watermark minus this margin. */
export const RECONCILE_OVERLAP_MS = 60 * 60_000;

/** The Admin API client of a job: the shop's offline token (or SHOPIFY_ACCESS_TOKEN with a local Admin API). */
export async function adminClientForShop(
  db: DbClient,
  shop: string,
  options: Partial<ConstructorParameters<typeof AdminClient>[0]> = {},
): Promise<AdminClient> {
  const config = env();
  const session = await findOfflineSession(db, shop);
  const accessToken = session?.accessToken ?? (config.SHOPIFY_ADMIN_ORIGIN ? process.env.SHOPIFY_ACCESS_TOKEN : undefined);
  if (!accessToken) {
    throw new AdminApiError(
      `no offline access token stored for ${shop}: install the app on the shop first (or set SHOPIFY_ACCESS_TOKEN with SHOPIFY_ADMIN_ORIGIN)`,
    );
  }
  return new AdminClient({ shop, accessToken, origin: config.SHOPIFY_ADMIN_ORIGIN, ...options });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function startBulk(admin: AdminClient, query: string): Promise<string>;
async function startBulk(admin: AdminClient, query: string, options: { ahead: true }): Promise<string | null>;
/**
 * Starts a bulk query. At the limit of running ones (one before API 2026-01, five since), a run's
 * own export cancels what a crashed run left running; an export started `ahead` gives way
 * instead (null: the unit starts its own when its turn comes).
 */
async function startBulk(admin: AdminClient, query: string, options: { ahead?: boolean } = {}): Promise<string | null> {
  for (let attempt = 0; ; attempt++) {
    const payload = await admin.request<{ bulkOperationRunQuery: BulkOperationRunQueryPayload }>(BULK_OPERATION_RUN_QUERY, { query });
    const result = payload.bulkOperationRunQuery;
    const inProgress = result.userErrors.find((e) => e.code === "OPERATION_IN_PROGRESS");
    if (inProgress && options.ahead) return null;
    if (inProgress && attempt < 3) {
      // One bulk query per app and shop: a run that crashed left its export running. Ours to cancel.
      const current = await admin.request<{ currentBulkOperation: BulkOperationNode | null }>(CURRENT_BULK_OPERATION_QUERY);
      if (current.currentBulkOperation && ["CREATED", "RUNNING"].includes(current.currentBulkOperation.status)) {
        await admin.request(BULK_OPERATION_CANCEL, { id: current.currentBulkOperation.id });
      }
      await sleep(500);
      continue;
    }
    if (result.userErrors.length) throw new UserErrorsError("bulkOperationRunQuery", result.userErrors);
    if (!result.bulkOperation) throw new AdminApiError("bulkOperationRunQuery returned no operation");
    return result.bulkOperation.id;
  }
}

async function pollBulk(admin: AdminClient, id: string, pollMs: number): Promise<BulkOperationNode> {
  for (;;) {
    const { bulkOperation } = await admin.request<BulkOperationResponse>(BULK_OPERATION_QUERY, { id });
    if (!bulkOperation) throw new AdminApiError(`bulk operation ${id} not found`);
    if (!["CREATED", "RUNNING", "CANCELING"].includes(bulkOperation.status)) return bulkOperation;
    await sleep(pollMs);
  }
}

/** The backfill's orders exports: creation-date ranges when the shop has many orders (exportPlan.ts). */
async function orderRanges(admin: AdminClient, count: number, perExport?: number): Promise<Array<string | undefined>> {
  const parts = orderExportCount(count, perExport);
  if (parts <= 1) return [undefined];
  const bounds = await admin.request<OrderDateBoundsResponse>(ORDER_DATE_BOUNDS_QUERY);
  const first = bounds.first.nodes[0]?.createdAt;
  const last = bounds.last.nodes[0]?.createdAt;
  if (!first || !last) return [undefined];
  return orderDateRanges(new Date(first), new Date(last), parts);
}

/** Restartable failure of a phase's export: run the bulk query again. */
class RestartExport extends Error {}

function searchFor(kind: RunKind, since: Date | null): string | undefined {
  return kind === "reconcile" && since ? `updated_at:>='${since.toISOString()}'` : undefined;
}

function queryFor(phase: Phase, search: string | undefined) {
  return phase === "orders" ? bulkOrdersQuery(search) : phase === "customers" ? bulkCustomersQuery(search) : bulkProductsQuery(search);
}

/** A phase's objects mapped to the webhook payloads. */
type PhaseBatch =
  { phase: "products"; items: ProductPayload[] } | { phase: "customers"; items: CustomerPayload[] } | { phase: "orders"; items: OrderPayload[] };

const OBJECT_NAME: Record<Phase, string> = { products: "product", customers: "customer", orders: "order" };

/** A mapping or validation failure, with the JSONL line it comes from (a child's own line when the field is in one). */
function lineError(phase: Phase, read: JsonlObject, error: unknown): unknown {
  const what = `${OBJECT_NAME[phase]} ${String(read.object.id)}`;
  if (error instanceof FieldError) {
    const line = (error.within && read.childLines.get(error.within)) || read.line;
    return new BulkLineError(`bulk JSONL line ${line}: ${what}: ${error.message}`);
  }
  if (error instanceof MappingError || error instanceof TypeError)
    return new BulkLineError(`bulk JSONL line ${read.line}: ${error instanceof MappingError ? "" : `${what}: `}${error.message}`);
  return error;
}

/** An object of a fast-path batch as kept: its lines' text, not the parsed object (read again if needed). */
type KeptRead = Pick<JsonlObject, "line" | "lineEnd" | "texts">;

/**
 * A batch being read (pure work, done while the previous batch is written): the objects as read,
 * validated and turned into COPY lines for the fast path when the database has a COPY
 * connection, else mapped to the webhook payloads at once. The fast path keeps each object's
 * text rather than its parsed form: the parsed objects die young (a batch of 2,000 orders is
 * ≈ 200,000 small objects that the garbage collector would otherwise copy and promote), and the
 * rare batch that needs the webhook sync parses its text again.
 */
interface ReadBatch {
  phase: Phase;
  reads: KeptRead[];
  staged: StagedObject[] | null;
  payloads: PhaseBatch | null;
}

function emptyReadBatch(phase: Phase, fast: boolean): ReadBatch {
  return { phase, reads: [], staged: fast ? [] : null, payloads: fast ? null : ({ phase, items: [] } as unknown as PhaseBatch) };
}

function stage(phase: Phase, o: Record<string, unknown>): StagedObject {
  return phase === "products" ? stageProduct(o) : phase === "customers" ? stageCustomer(o) : stageOrder(o);
}

function toPayload(phase: Phase, object: Record<string, unknown>) {
  if (phase === "products") return productToPayload(object as unknown as GqlProduct);
  if (phase === "customers") return customerToPayload(object as unknown as GqlCustomer);
  return orderToPayload(object as unknown as GqlOrder);
}

function addToBatch(batch: ReadBatch, read: JsonlObject) {
  try {
    if (batch.staged) {
      batch.staged.push(stage(batch.phase, read.object));
      batch.reads.push({ line: read.line, lineEnd: read.lineEnd, texts: read.texts });
    } else (batch.payloads!.items as unknown[]).push(toPayload(batch.phase, read.object));
  } catch (error) {
    if (error instanceof FieldError && read.texts) {
      // The reader kept text instead of each child's line: read the object again to name the line.
      const again = rereadBulkObject(read.texts, read.line);
      try {
        stage(batch.phase, again.object);
      } catch (same) {
        throw lineError(batch.phase, again, same);
      }
    }
    throw lineError(batch.phase, read, error);
  }
}

function objectCount(batch: ReadBatch): number {
  return batch.staged ? batch.staged.length : batch.payloads!.items.length;
}

/** The webhook payloads of a batch (the fast path's batches map them only when they need the webhook sync). */
function payloadsOf(batch: ReadBatch): PhaseBatch {
  if (batch.payloads) return batch.payloads;
  const items = batch.reads.map((kept) => {
    const read = rereadBulkObject(kept.texts!, kept.line);
    try {
      return toPayload(batch.phase, read.object);
    } catch (error) {
      throw lineError(batch.phase, read, error);
    }
  });
  return { phase: batch.phase, items } as unknown as PhaseBatch;
}

/** The batch needs the webhook sync: stored objects to update, a row a webhook inserted meanwhile, attribution to decide. */
class NeedsWebhookSync extends Error {}

/** An optimistic batch met a stored order: redo it reading the stored versions first. */
class StoredOrderMet extends Error {}

/** sync/newestWins `newestById` on the staged versions. */
function newestStaged<T extends StagedObject>(items: T[]): T[] {
  const byId = new Map<string, T>();
  for (const item of items) {
    const current = byId.get(item.id);
    if (!current || !(current.updatedAt !== null && item.updatedAt !== null && item.updatedAt < current.updatedAt)) byId.set(item.id, item);
  }
  return [...byId.values()];
}

/** Longest attribution window a shop can set (recommendationTracking's settings): a superset of any shop's. */
const MAX_ATTRIBUTION_WINDOW_MS = 90 * 86_400_000;

const TABLE_OF: Record<Phase, "product" | "customer" | "order"> = { products: "product", customers: "customer", orders: "order" };

/**
 * The fast path (ADR 010): the batch's new objects by COPY into staging tables and a few
 * INSERT … SELECT, with the checkpoint, in one transaction of the COPY connection. Returns null
 * (nothing written) when the batch needs the webhook sync instead: an object stored at an older
 * version (to update), a row a webhook inserted since the versions were read, or storefront
 * engagements that recommendation attribution must look at.
 * `optimistic` (orders): the stored versions are not read; every order is taken for new, and a
 * stored one (the unique (shop, shopifyId) index fails the COPY) rolls the batch back and returns
 * "stored": the caller redoes it reading them.
 */
async function applyBatchFast(
  db: DbClient,
  shop: string,
  batch: ReadBatch,
  currency: string,
  checkpoint: (counts: PhaseCounts) => { lineOffset: number; progress: object; counts: object },
  runId: number,
  beforeWrite?: (phase: Phase) => Promise<void>,
  optimistic = false,
): Promise<PhaseCounts | null | "stored"> {
  const staged = batch.staged!;
  try {
    return await inBulkTransaction(db, async (tx) => {
      const counts: PhaseCounts = { created: 0, updated: 0, unchanged: 0 };
      const stored = optimistic
        ? new Map<string, number | null>()
        : await bulkStoredVersions(
            tx,
            TABLE_OF[batch.phase],
            shop,
            staged.map((s) => s.id),
          );
      const created: StagedObject[] = [];
      for (const item of staged) {
        if (!stored.has(item.id)) {
          counts.created++;
          created.push(item);
          continue;
        }
        const version = stored.get(item.id);
        if (version !== null && version !== undefined && item.updatedAt !== null && version >= item.updatedAt) {
          counts.unchanged++;
          continue;
        }
        throw new NeedsWebhookSync();
      }
      await beforeWrite?.(batch.phase);
      const fresh = newestStaged(created);
      const now = new Date().toISOString();
      if (batch.phase === "products") {
        const result = await bulkInsertProducts(tx, shop, currency, PRODUCT_COLUMNS, (fresh as StagedProduct[]).map((p) => p.line).join(""), now);
        if (result.inserted !== result.expected) throw new NeedsWebhookSync();
      } else if (batch.phase === "customers") {
        const result = await bulkInsertCustomers(tx, shop, CUSTOMER_COLUMNS, (fresh as StagedCustomer[]).map((c) => c.line).join(""), now);
        if (result.inserted !== result.expected) throw new NeedsWebhookSync();
      } else {
        const dead = fresh.length
          ? await bulkTombstoned(
              tx,
              shop,
              "order",
              fresh.map((o) => o.id),
            )
          : new Set<string>();
        const orders = (fresh as StagedOrder[]).filter((o) => !dead.has(o.id));
        if (orders.length) {
          const earliest = Math.min(...orders.map((o) => o.processedAt));
          if (await bulkHasEngagementsSince(tx, shop, new Date(earliest - MAX_ATTRIBUTION_WINDOW_MS))) throw new NeedsWebhookSync();
          // Embedded customers first, as the webhook sync does: the last copy of each wins; those
          // stored already (usually all: the customers phase ran first) are left alone.
          const embedded = new Map<string, string>();
          for (const o of orders) if (o.customer) embedded.set(o.customer.id, o.customer.line);
          let links = new Map<string, number | null>();
          if (embedded.size) {
            links = await bulkCustomerLinks(tx, shop, [...embedded.keys()]);
            const missing = [...embedded.keys()].filter((id) => !links.has(id));
            if (missing.length) {
              await bulkInsertCustomers(tx, shop, CUSTOMER_COLUMNS, missing.map((id) => embedded.get(id)!).join(""), now);
              for (const [id, row] of await bulkCustomerLinks(tx, shop, missing)) links.set(id, row);
            }
          }
          const productIds = new Set<string>();
          for (const o of orders) for (const p of o.lineProducts) if (p) productIds.add(p);
          const types = productIds.size ? await bulkProductTypes(tx, shop, [...productIds]) : new Map<string, string | null>();
          const orderIds = await bulkNextIds(tx, "Order", orders.length);
          const refundIds = await bulkNextIds(
            tx,
            "Refund",
            orders.reduce((n, o) => n + o.refunds.length, 0),
          );
          const shopText = copyText(shop);
          let orderLines = "";
          let personalLines = "";
          let lineItemLines = "";
          let refundLines = "";
          let refundLineItemLines = "";
          let r = 0;
          orders.forEach((o, i) => {
            const orderId = orderIds[i];
            const customerId = o.customer ? (links.get(o.customer.id) ?? null) : null;
            orderLines += `${orderId}\t${shopText}\t${customerId ?? "\\N"}\t${o.totalRefunded}\t${now}\t${now}\t${o.line}\n`;
            personalLines += `${orderId}\t${shopText}\t${o.personal}\n`;
            o.lineItems.forEach((line, j) => {
              const product = o.lineProducts[j];
              const type = product ? (types.get(product) ?? null) : null;
              lineItemLines += `${shopText}\t${orderId}\t${type === null ? "\\N" : copyText(type)}\t${line}\n`;
            });
            for (const refund of o.refunds) {
              const refundId = refundIds[r++];
              refundLines += `${refundId}\t${shopText}\t${orderId}\t${now}\t${refund.line}\n`;
              for (const line of refund.lines) refundLineItemLines += `${shopText}\t${refundId}\t${line}\n`;
            }
          });
          const customerIds = new Set<number>();
          for (const o of orders) {
            const id = o.customer ? links.get(o.customer.id) : null;
            if (id !== null && id !== undefined) customerIds.add(id);
          }
          try {
            await bulkCopyOrders(tx, shop, [...customerIds], {
              orders: { columns: [...ORDER_COPY_PREFIX, ...ORDER_COLUMNS], lines: orderLines },
              personal: { columns: [...ORDER_PERSONAL_COPY_PREFIX, ...ORDER_PERSONAL_COLUMNS], lines: personalLines },
              lineItems: { columns: [...LINE_ITEM_COPY_PREFIX, ...LINE_ITEM_COLUMNS], lines: lineItemLines },
              refunds: { columns: [...REFUND_COPY_PREFIX, ...REFUND_COLUMNS], lines: refundLines },
              refundLineItems: { columns: [...REFUND_LINE_ITEM_COPY_PREFIX, ...REFUND_LINE_ITEM_COLUMNS], lines: refundLineItemLines },
            });
          } catch (error) {
            if (isUniqueViolation(error)) throw optimistic ? new StoredOrderMet() : new NeedsWebhookSync();
            if (error instanceof ParentRowGone) throw new NeedsWebhookSync();
            throw error;
          }
        }
      }
      await bulkSaveCheckpoint(tx, shop, runId, checkpoint(counts), now);
      return counts;
    });
  } catch (error) {
    if (error instanceof NeedsWebhookSync) return null;
    if (error instanceof StoredOrderMet) return "stored";
    throw error;
  }
}

/**
 * Applies one batch; returns what changed. One query reads the stored versions of the batch's
 * objects: those stored at the same or a newer version are skipped, and the sync service reuses
 * the versions read here instead of reading them again.
 */
async function applyBatch(tx: Tx, shop: string, batch: PhaseBatch, currency: string): Promise<PhaseCounts> {
  const counts: PhaseCounts = { created: 0, updated: 0, unchanged: 0 };
  const classify = <T extends { id: string; updated_at?: Date | null }>(items: T[], stored: Map<string, StoredVersion>) =>
    items.filter((item) => {
      const s = stored.get(item.id);
      if (!s) {
        counts.created++;
        return true;
      }
      if (s.shopifyUpdatedAt && item.updated_at && s.shopifyUpdatedAt.getTime() >= item.updated_at.getTime()) {
        counts.unchanged++;
        return false;
      }
      counts.updated++;
      return true;
    });
  const ids = batch.items.map((i) => i.id);
  if (batch.phase === "products") {
    const stored = await findStoredProducts(tx, shop, ids);
    await syncProducts(tx, shop, classify(batch.items, stored), currency, { stored });
  } else if (batch.phase === "customers") {
    const stored = await findStoredCustomers(tx, shop, ids);
    await syncCustomers(tx, shop, classify(batch.items, stored), { stored });
  } else {
    const stored = await findStoredOrders(tx, shop, ids);
    await syncOrders(tx, shop, classify(batch.items, stored), { stored });
  }
  return counts;
}

async function refreshShop(db: DbClient, admin: AdminClient, shop: string) {
  const { shop: details } = await admin.request<NonNullable<ShopDetailsResponse["data"]>>(SHOP_DETAILS_QUERY);
  await upsertShopDetails(db, shop, {
    name: details.name,
    currency: details.currencyCode,
    ianaTimezone: details.ianaTimezone,
    countryCode: details.billingAddress?.countryCodeV2 ?? null,
  });
}

/** The shop's subscriptions against the declared topics; a failed query is logged, not fatal (the repair matters more). */
async function checkWebhookSubscriptions(admin: AdminClient, shop: string): Promise<WebhookCheck | null> {
  try {
    const { webhookSubscriptions } = await admin.request<WebhookSubscriptionsResponse>(WEBHOOK_SUBSCRIPTIONS_QUERY);
    return checkSubscriptions(webhookSubscriptions.edges.map((e) => e.node.topic));
  } catch (error) {
    logger.warn({ shop, err: error instanceof Error ? error.message : String(error) }, "reconciliation: webhook subscriptions not checked");
    return null;
  }
}

/**
 * Runs (or resumes) a backfill or a reconciliation of `shop`. Returns the finished run; a
 * failure is recorded on the run (status failed, error) and rethrown.
 */
export async function runSyncJob(
  db: DbClient,
  admin: AdminClient,
  shop: string,
  kind: "backfill" | "reconcile",
  options: SyncJobOptions = {},
): Promise<RunView> {
  const now = options.now ?? (() => new Date());
  const batchSize = options.batchSize ?? 1000;
  const pollMs = options.pollMs ?? 2000;
  await ensureShop(db, shop);

  let row = options.resume === false ? null : await latestRun(db, shop, kind);
  if (row && row.status === "completed") row = null;
  const resumed = row !== null;
  if (!row) {
    let since: Date | null = null;
    if (kind === "reconcile") {
      const previous = (await latestCompletedRun(db, shop, "reconcile")) ?? (await latestCompletedRun(db, shop, "backfill"));
      const watermark = previous?.until ?? previous?.startedAt ?? null;
      since = watermark ? new Date(watermark.getTime() - RECONCILE_OVERLAP_MS) : null;
    }
    row = await createRun(db, shop, kind, { phase: PHASES[0], since, until: now() });
  } else {
    await updateRun(db, shop, row.id, { status: "running", error: null });
  }
  const runId = row.id;
  const progress = (row.progress ?? {}) as RunView["progress"];
  const counts = (row.counts ?? {}) as RunView["counts"];
  let phase = row.phase;
  let bulkId = row.bulkOperationId;
  let lineOffset = row.lineOffset;
  const since = row.since;
  const view = (): RunView => ({ ...runView(row!), status: "running", phase, progress, counts });

  try {
    await refreshShop(db, admin, shop);
    const scopes = await admin.request<AccessScopesResponse>(ACCESS_SCOPES_QUERY);
    const ordersLimited = !scopes.currentAppInstallation.accessScopes.some((s) => s.handle === "read_all_orders");
    row = { ...row, ordersLimited };
    if (kind === "backfill") {
      const totals = await admin.request<ObjectCountsResponse>(OBJECT_COUNTS_QUERY);
      progress.products = { done: progress.products?.done ?? 0, total: totals.productsCount.count };
      progress.customers = { done: progress.customers?.done ?? 0, total: totals.customersCount.count };
      progress.orders = { done: progress.orders?.done ?? 0, total: totals.ordersCount.count };
    }
    const webhookCheck = kind === "reconcile" ? await checkWebhookSubscriptions(admin, shop) : null;
    if (webhookCheck) row = { ...row, webhookCheck: webhookCheck as unknown as typeof row.webhookCheck };
    await updateRun(db, shop, runId, { ordersLimited, progress, ...(webhookCheck ? { webhookCheck } : {}) });
    const currency = await getShopCurrency(db, shop);

    const search = searchFor(kind, since);
    const plan: ExportPlan =
      (row.exportPlan as ExportPlan | null) ??
      (resumed
        ? legacyPlan(search, phase)
        : planExports(
            search,
            kind === "backfill" ? { ranges: await orderRanges(admin, progress.orders?.total ?? 0, options.ordersPerExport) } : undefined,
          ));
    if (!row.exportPlan) await updateRun(db, shop, runId, { exportPlan: plan });

    for (let u = plan.unit; u < plan.units.length; u++) {
      const unit = plan.units[u];
      const p = unit.phase;
      phase = p;
      counts[p] ??= { created: 0, updated: 0, unchanged: 0 };
      progress[p] ??= { done: 0, total: null };
      let restarts = 0;
      for (;;) {
        if (!bulkId) {
          // The export started ahead of this unit, or a new one (the first, or after a failed one).
          bulkId = plan.ahead?.unit === u ? plan.ahead.id : await startBulk(admin, queryFor(p, unit.search));
          plan.ahead = null;
          lineOffset = 0;
          await updateRun(db, shop, runId, { phase: p, bulkOperationId: bulkId, lineOffset: 0, exportPlan: plan });
        }
        try {
          const waitStart = performance.now();
          const op = await pollBulk(admin, bulkId, pollMs);
          options.onExportWait?.(p, performance.now() - waitStart);
          if (op.status !== "COMPLETED")
            throw new RestartExport(`bulk operation ${op.id} ended ${op.status}${op.errorCode ? ` (${op.errorCode})` : ""}`);
          // The next unit is exported while this one is imported (a second bulk query at a time:
          // API 2026-01 and later allow five). Recorded, so that a resumed run uses it.
          if (u + 1 < plan.units.length && plan.ahead === null) {
            const next = plan.units[u + 1];
            const id = await startBulk(admin, queryFor(next.phase, next.search), { ahead: true });
            if (id) {
              plan.ahead = { unit: u + 1, id };
              await updateRun(db, shop, runId, { exportPlan: plan });
            }
          }
          if (kind === "reconcile") progress[p] = { done: progress[p]!.done, total: Number(op.rootObjectCount) };
          await streamPhase(
            db,
            admin,
            shop,
            runId,
            p,
            bulkId,
            op,
            pollMs,
            batchSize,
            currency,
            () => lineOffset,
            (end, c, n) => {
              lineOffset = end;
              const total = counts[p]!;
              total.created += c.created;
              total.updated += c.updated;
              total.unchanged += c.unchanged;
              progress[p]!.done += n;
            },
            async () => {
              await options.onCheckpoint?.(view());
              options.onProgress?.(view());
            },
            progress,
            counts,
            { onBatch: options.onBatch, beforeBatchWrite: options.beforeBatchWrite, optimistic: kind === "backfill" },
          );
          break;
        } catch (error) {
          if (!(error instanceof RestartExport) || ++restarts > 2) throw error;
          logger.warn({ shop, phase: p, err: error.message }, "backfill: export restarted");
          bulkId = null;
        }
      }
      bulkId = null;
      lineOffset = 0;
      plan.unit = u + 1;
      const next = plan.units[u + 1]?.phase ?? "analysis";
      phase = next;
      await updateRun(db, shop, runId, { phase: next, bulkOperationId: null, lineOffset: 0, progress, counts, exportPlan: plan });
      if (next !== p) options.onProgress?.(view());
    }

    if (options.analyze !== false) {
      phase = "analysis";
      options.onProgress?.(view());
      await analyzeShop(db, shop, { now: now() });
    }
    await updateRun(db, shop, runId, { status: "completed", phase: "done", finishedAt: now(), progress, counts });
    phase = "done";
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    await updateRun(db, shop, runId, { status: "failed", error: message.slice(0, 1000) }).catch(() => undefined);
    throw error;
  }
  return runView((await latestRun(db, shop, kind))!);
}

/** Streams a completed export from the checkpoint; re-reads the operation for a fresh URL when the link expired or the download broke. */
async function streamPhase(
  db: DbClient,
  admin: AdminClient,
  shop: string,
  runId: number,
  phase: Phase,
  bulkId: string,
  op: BulkOperationNode,
  pollMs: number,
  batchSize: number,
  currency: string,
  offset: () => number,
  advance: (lineEnd: number, counts: PhaseCounts, objects: number) => void,
  checkpoint: () => Promise<void>,
  progress: RunView["progress"],
  counts: RunView["counts"],
  hooks: Pick<SyncJobOptions, "onBatch" | "beforeBatchWrite"> & {
    /** A backfill's orders: the batches skip the stored-version read until one meets a stored order. */
    optimistic?: boolean;
  },
) {
  // Most batches of a first backfill store nothing yet: their orders' unique index is the only
  // check needed (a stored order fails the COPY). Once one batch meets a stored order (a rerun, a
  // webhook that came first), the phase reads the stored versions for every batch, as before.
  let optimistic = phase === "orders" && hooks.optimistic === true;
  let url = op.url;
  for (let attempt = 0; ; attempt++) {
    if (!url) return; // an export with no objects has no file
    let response: Response;
    try {
      response = await fetch(url);
    } catch (error) {
      if (attempt >= 5) throw error;
      await sleep(Math.min(10_000, 500 * 2 ** attempt));
      url = (await pollBulk(admin, bulkId, pollMs)).url;
      continue;
    }
    if (!response.ok || !response.body) {
      await response.body?.cancel();
      // Expired or revoked link: the operation gives a fresh one; a gone export is run again.
      if (attempt >= 3) throw new RestartExport(`bulk result of ${bulkId} could not be downloaded (HTTP ${response.status})`);
      const again = await pollBulk(admin, bulkId, pollMs);
      if (again.status !== "COMPLETED") throw new RestartExport(`bulk operation ${bulkId} is ${again.status}`);
      url = again.url;
      continue;
    }
    // Pipelined: the next batch is read, parsed and mapped while the previous one is written.
    // Batches still commit one after the other (a batch starts once the previous one and its
    // checkpoint are done), so the checkpoint only ever moves forward over committed rows.
    let pending: Promise<void> | null = null;
    const settle = async () => {
      const previous = pending;
      pending = null;
      if (previous) await previous;
    };
    try {
      const fast = hasBulkConnection(db);
      let batch = emptyReadBatch(phase, fast);
      let batchEnd = offset();
      const flush = async (objects: ReadBatch, end: number) => {
        const n = objectCount(objects);
        if (!n) return;
        // The checkpoint moves with the rows it describes.
        const checkpointFor = (applied: PhaseCounts) => {
          const total = counts[phase]!;
          return {
            lineOffset: end,
            progress: { ...progress, [phase]: { ...progress[phase]!, done: progress[phase]!.done + n } },
            counts: {
              ...counts,
              [phase]: {
                created: total.created + applied.created,
                updated: total.updated + applied.updated,
                unchanged: total.unchanged + applied.unchanged,
              },
            },
          };
        };
        let answer = fast ? await applyBatchFast(db, shop, objects, currency, checkpointFor, runId, hooks.beforeBatchWrite, optimistic) : null;
        if (answer === "stored") {
          // Redone at once, reading the stored versions (the test hook ran for this batch already).
          optimistic = false;
          answer = await applyBatchFast(db, shop, objects, currency, checkpointFor, runId);
        }
        // Only an optimistic batch answers "stored".
        let c = answer as PhaseCounts | null;
        const viaCopy = c !== null;
        if (!c) {
          const payloads = payloadsOf(objects);
          c = await inTransaction(
            db,
            async (tx) => {
              await commitWithoutWaitingForFlush(tx);
              const applied = await applyBatch(tx, shop, payloads, currency);
              await updateRun(tx, shop, runId, checkpointFor(applied));
              return applied;
            },
            { timeout: 120_000, maxWait: 60_000 },
          );
        }
        advance(end, c, n);
        hooks.onBatch?.({ phase, objects: n, path: viaCopy ? "copy" : "webhook-sync" });
        await checkpoint();
      };
      for await (const read of readBulkObjects(response.body, offset(), { keepText: fast })) {
        addToBatch(batch, read);
        batchEnd = read.lineEnd;
        if (objectCount(batch) >= batchSize) {
          await settle();
          pending = flush(batch, batchEnd);
          // Observed at the next settle(); this only keeps Node from calling it unhandled meanwhile.
          pending.catch(() => undefined);
          batch = emptyReadBatch(phase, fast);
        }
      }
      await settle();
      await flush(batch, batchEnd);
      return;
    } catch (error) {
      // The batch being written finishes first: its failure is the one to report, its success moves the checkpoint.
      await settle();
      // A broken download (not a mapping or database error) continues from the checkpoint.
      const network =
        error instanceof TypeError || (error as { code?: string }).code === "ECONNRESET" || /terminated|aborted|socket/i.test(String(error));
      if (!network || attempt >= 5) throw error;
      logger.warn({ shop, phase, err: String(error) }, "backfill: download interrupted, resuming from the checkpoint");
      url = (await pollBulk(admin, bulkId, pollMs)).url;
    }
  }
}

export function runBackfill(db: DbClient, admin: AdminClient, shop: string, options: SyncJobOptions = {}) {
  return runSyncJob(db, admin, shop, "backfill", options);
}

export function runReconcile(db: DbClient, admin: AdminClient, shop: string, options: SyncJobOptions = {}) {
  return runSyncJob(db, admin, shop, "reconcile", { ...options, resume: options.resume ?? false });
}

/** The last run of each kind, for the admin and the CLI. */
export async function backfillStatus(db: DbClient, shop: string) {
  const [backfill, reconcile, writeback] = await Promise.all([
    latestRun(db, shop, "backfill"),
    latestRun(db, shop, "reconcile"),
    latestRun(db, shop, "writeback"),
  ]);
  return {
    backfill: backfill ? runView(backfill) : null,
    reconcile: reconcile ? runView(reconcile) : null,
    writeback: writeback ? runView(writeback) : null,
    apiVersion: ADMIN_API_VERSION,
  };
}

export const inFlight = new Map<string, Promise<unknown>>();
/**
 * Starts the backfill in the background (after install, the admin's button): once per shop at a
 * time; does nothing when a backfill already completed unless `force`.
 */
export async function startBackfillInBackground(
  db: DbClient,
  shop: string,
  options: { force?: boolean; admin?: AdminClient } = {},
): Promise<boolean> {
  if (inFlight.has(shop)) return false;
  const last = await latestRun(db, shop, "backfill");
  if (last?.status === "completed" && !options.force) return false;
  const job = (async () => {
    const admin = options.admin ?? (await adminClientForShop(db, shop));
    return runBackfill(db, admin, shop, { resume: !options.force });
  })()
    .catch((error) => logger.error({ shop, err: error instanceof Error ? error.message : String(error) }, "backfill failed"))
    .finally(() => inFlight.delete(shop));
  inFlight.set(shop, job);
  return true;
}

/** Nightly: reconciles every shop whose backfill completed (called by the analytics scheduler). */
export async function reconcileShopQuietly(db: DbClient, shop: string) {
  try {
    const last = await latestCompletedRun(db, shop, "backfill");
    if (!last) return null;
    return await runReconcile(db, await adminClientForShop(db, shop), shop, { analyze: false });
  } catch (error) {
    logger.error({ shop, err: error instanceof Error ? error.message : String(error) }, "reconciliation failed");
    return null;
  }
}
