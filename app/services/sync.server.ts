// The one sync service: webhooks, the backfill and the demo seeder all apply Shopify objects
// through these functions. Rules: every write is keyed by (shop, shopifyId); newest wins (a
// payload older than what is stored changes nothing); an object Shopify deleted stays deleted
// (tombstones); an order is written with its line items, refunds and customer, all or nothing
// (callers pass a transaction). The queries themselves are in app/models.
import { chunks } from "~/lib/chunks";
import type { Db } from "~/lib/transaction.server";
import { findStoredCheckouts, insertCheckouts, updateCheckout, type CheckoutToWrite } from "~/models/checkout.server";
import {
  customerIdsByShopifyId,
  deleteCustomerByShopifyId,
  findStoredCustomers,
  insertCustomerProfiles,
  insertCustomers,
  updateCustomer,
} from "~/models/customer.server";
import {
  deleteOrderByShopifyId,
  findOrderIdAndCurrency,
  findStoredOrders,
  insertOrderChildren,
  insertOrders,
  replaceOrder,
  setMissingLineItemProductType,
  setOrderTotalRefunded,
} from "~/models/order.server";
import { deleteProductByShopifyId, findStoredProducts, insertProducts, productTypesByShopifyId, updateProduct } from "~/models/product.server";
import { markGiftCardProducts } from "~/models/recommendation.server";
import { deleteRefund, findRefundId, insertRefunds, sumOrderRefunds } from "~/models/refund.server";
import { ensureShop as ensureShopRow } from "~/models/shop.server";
import { addTombstone, findTombstonedIds, isTombstoned, type TombstoneKind } from "~/models/tombstone.server";
import type { StoredVersion } from "~/models/synced.server";
import { isStale, newestById } from "./sync/newestWins";
import { attributeOrders } from "./recommendationTracking.server";
import type { CheckoutPayload, CustomerPayload, OrderPayload, ProductPayload, RefundPayload } from "~/lib/shopifyPayloads";

export interface SyncResult {
  created: number;
  updated: number;
  /** Payloads older than the stored version: ignored. */
  stale: number;
}

function emptyResult(): SyncResult {
  return { created: 0, updated: 0, stale: 0 };
}

/**
 * The stored versions of (at least) the payloads' objects, read by the caller in the same
 * transaction (the backfill reads them once per batch to classify it): not read again.
 */
export interface StoredOption {
  stored?: Map<string, StoredVersion>;
}

/** An event that cannot be applied yet (e.g. a refund whose order has not arrived): retry later. */
export class RetryableSyncError extends Error {}

/** Drops payloads of objects Shopify deleted, so a late webhook cannot resurrect them. */
async function withoutTombstoned<T extends { id: string }>(
  db: Db,
  shop: string,
  kind: TombstoneKind,
  items: T[],
): Promise<{ kept: T[]; dropped: number }> {
  if (!items.length) return { kept: items, dropped: 0 };
  const dead = await findTombstonedIds(
    db,
    shop,
    kind,
    items.map((i) => i.id),
  );
  const kept = items.filter((i) => !dead.has(i.id));
  return { kept, dropped: items.length - kept.length };
}

/** orders/delete: the order and its lines go; the shop's totals no longer count it. */
export async function deleteOrder(db: Db, shop: string, shopifyId: string, deletedAt: Date) {
  await deleteOrderByShopifyId(db, shop, shopifyId);
  await addTombstone(db, shop, "order", shopifyId, deletedAt);
}

export async function deleteProduct(db: Db, shop: string, shopifyId: string, deletedAt: Date) {
  await deleteProductByShopifyId(db, shop, shopifyId);
  await addTombstone(db, shop, "product", shopifyId, deletedAt);
}

/**
 * customers/delete: the customer and their personal data go; their orders stay (as Shopify
 * keeps them) without the link, so revenue stays right.
 */
export async function deleteCustomer(db: Db, shop: string, shopifyId: string, deletedAt: Date) {
  await deleteCustomerByShopifyId(db, shop, shopifyId);
  await addTombstone(db, shop, "customer", shopifyId, deletedAt);
}

/** refunds/create: adds the refund to its order and updates the order's refunded total. */
export async function syncRefund(db: Db, shop: string, refund: RefundPayload): Promise<SyncResult> {
  const order = await findOrderIdAndCurrency(db, shop, refund.order_id);
  if (!order) {
    if (await isTombstoned(db, shop, "order", refund.order_id)) return { created: 0, updated: 0, stale: 1 };
    throw new RetryableSyncError(`order ${refund.order_id} is not stored yet; the refund will be applied once it is`);
  }
  // A refund is never edited in Shopify: a second delivery replaces the stored copy.
  const existing = await findRefundId(db, shop, refund.id);
  if (existing !== null) await deleteRefund(db, shop, existing);
  await insertRefunds(db, shop, [{ orderId: order.id, refund, currency: order.currency }]);
  await setOrderTotalRefunded(db, shop, order.id, await sumOrderRefunds(db, shop, order.id));
  return existing !== null ? { created: 0, updated: 1, stale: 0 } : { created: 1, updated: 0, stale: 0 };
}

/** Makes sure the shop row exists (a signed webhook may arrive before the OAuth session). */
export async function ensureShop(db: Db, shop: string) {
  await ensureShopRow(db, shop);
}

/**
 * `partial`: the customer object embedded in an order (no tags, marketing consent, locale or
 * addresses in Shopify's payload). It creates a customer not stored yet, without a version, so
 * that the full copy (customers/create, or the reconciliation) always replaces it; it never
 * overwrites a stored customer (it would erase what it does not carry).
 */
export async function syncCustomers(
  db: Db,
  shop: string,
  payloads: CustomerPayload[],
  options: { partial?: boolean } & StoredOption = {},
): Promise<SyncResult & { ids: Map<string, number> }> {
  const result = { ...emptyResult(), ids: new Map<string, number>() };
  if (options.partial) payloads = payloads.map((c) => ({ ...c, updated_at: null }));
  const { kept: items, dropped } = await withoutTombstoned(
    db,
    shop,
    "customer",
    newestById(payloads, (c) => c.updated_at),
  );
  result.stale += dropped;
  if (!items.length) return result;
  const existing = options.stored
    ? new Map(options.stored)
    : await findStoredCustomers(
        db,
        shop,
        items.map((c) => c.id),
      );
  const inserted = new Set<string>();

  for (const part of chunks(items.filter((c) => !existing.has(c.id)))) {
    const created = await insertCustomers(db, shop, part);
    const idOf = new Map(created.map((row) => [row.shopifyId, row.id]));
    await insertCustomerProfiles(
      db,
      shop,
      part.filter((c) => idOf.has(c.id)).map((c) => ({ customerId: idOf.get(c.id)!, payload: c })),
    );
    for (const [shopifyId, id] of idOf) {
      result.ids.set(shopifyId, id);
      inserted.add(shopifyId);
    }
    result.created += created.length;
    // Another transaction inserted these first: apply newest-wins against its rows below.
    const raced = part.filter((c) => !idOf.has(c.id)).map((c) => c.id);
    for (const [shopifyId, row] of await findStoredCustomers(db, shop, raced)) existing.set(shopifyId, row);
  }

  for (const c of items.filter((c) => existing.has(c.id) && !inserted.has(c.id))) {
    const stored = existing.get(c.id)!;
    result.ids.set(c.id, stored.id);
    if (options.partial) continue;
    if (isStale(stored.shopifyUpdatedAt, c.updated_at)) {
      result.stale++;
      continue;
    }
    await updateCustomer(db, shop, stored.id, c);
    result.updated++;
  }
  return result;
}

function productTypesOf(db: Db, shop: string, orders: OrderPayload[]) {
  const ids = [...new Set(orders.flatMap((o) => o.line_items.map((li) => li.product_id).filter((id): id is string => !!id)))];
  return productTypesByShopifyId(db, shop, ids);
}

export async function syncOrders(db: Db, shop: string, payloads: OrderPayload[], options: StoredOption = {}): Promise<SyncResult> {
  const result = emptyResult();
  const { kept: items, dropped } = await withoutTombstoned(
    db,
    shop,
    "order",
    newestById(payloads, (o) => o.updated_at),
  );
  result.stale += dropped;
  if (!items.length) return result;

  const embedded = items.map((o) => o.customer).filter((c): c is CustomerPayload => !!c);
  const customers = await syncCustomers(db, shop, embedded, { partial: true });
  const productTypes = await productTypesOf(db, shop, items);

  const existing = options.stored
    ? new Map(options.stored)
    : await findStoredOrders(
        db,
        shop,
        items.map((o) => o.id),
      );
  const inserted = new Set<string>();
  const toWrite = (o: OrderPayload) => ({ payload: o, customerId: o.customer ? (customers.ids.get(o.customer.id) ?? null) : null });

  for (const part of chunks(items.filter((o) => !existing.has(o.id)))) {
    const created = await insertOrders(db, shop, part.map(toWrite));
    const idOf = new Map(created.map((row) => [row.shopifyId, row.id]));
    await insertOrderChildren(
      db,
      shop,
      part.flatMap((o) => (idOf.has(o.id) ? [{ id: idOf.get(o.id)!, payload: o }] : [])),
      productTypes,
    );
    for (const shopifyId of idOf.keys()) inserted.add(shopifyId);
    result.created += created.length;
    const raced = part.filter((o) => !idOf.has(o.id)).map((o) => o.id);
    for (const [shopifyId, row] of await findStoredOrders(db, shop, raced)) existing.set(shopifyId, row);
  }

  const updated: OrderPayload[] = [];
  for (const o of items.filter((o) => existing.has(o.id) && !inserted.has(o.id))) {
    const stored = existing.get(o.id)!;
    if (isStale(stored.shopifyUpdatedAt, o.updated_at)) {
      result.stale++;
      continue;
    }
    await replaceOrder(db, shop, stored.id, toWrite(o), productTypes);
    result.updated++;
    updated.push(o);
  }
  // Recommendation attribution is decided as orders are applied (ADR 011).
  await attributeOrders(db, shop, [
    ...items.filter((o) => inserted.has(o.id)).map((order) => ({ order, fresh: true })),
    ...updated.map((order) => ({ order, fresh: false })),
  ]);
  // Shopify flags gift card lines: those products are never recommended (docs/metrics.md).
  await markGiftCardProducts(
    db,
    shop,
    items.flatMap((o) => o.line_items.filter((li) => li.gift_card && li.product_id).map((li) => li.product_id as string)),
  );
  return result;
}

export async function syncProducts(
  db: Db,
  shop: string,
  payloads: ProductPayload[],
  currency: string,
  options: StoredOption = {},
): Promise<SyncResult> {
  const result = emptyResult();
  const { kept: items, dropped } = await withoutTombstoned(
    db,
    shop,
    "product",
    newestById(payloads, (p) => p.updated_at),
  );
  result.stale += dropped;
  const existing = options.stored
    ? new Map(options.stored)
    : await findStoredProducts(
        db,
        shop,
        items.map((p) => p.id),
      );
  const fresh = items.filter((p) => !existing.has(p.id));
  const created = await insertProducts(db, shop, fresh, currency);
  const inserted = new Set(created.map((row) => row.shopifyId));
  result.created += created.length;
  for (const [shopifyId, row] of await findStoredProducts(
    db,
    shop,
    fresh.filter((p) => !inserted.has(p.id)).map((p) => p.id),
  ))
    existing.set(shopifyId, row);
  for (const p of items.filter((p) => existing.has(p.id) && !inserted.has(p.id))) {
    const stored = existing.get(p.id)!;
    if (isStale(stored.shopifyUpdatedAt, p.updated_at)) {
      result.stale++;
      continue;
    }
    await updateProduct(db, shop, stored.id, p, currency);
    result.updated++;
  }
  // Orders can arrive before their products: give their lines the product type now.
  for (const p of items) {
    if (!p.product_type) continue;
    await setMissingLineItemProductType(db, shop, p.id, p.product_type);
  }
  return result;
}

export async function syncCheckouts(db: Db, shop: string, payloads: CheckoutPayload[], currency: string): Promise<SyncResult> {
  const result = emptyResult();
  const items = newestById(payloads, (c) => c.updated_at ?? c.created_at);
  const wanted = [...new Set(items.map((c) => c.customer?.id).filter((id): id is string => !!id))];
  const customerIds = await customerIdsByShopifyId(db, shop, wanted);
  const existing = await findStoredCheckouts(
    db,
    shop,
    items.map((c) => c.id),
  );
  const toWrite = (c: CheckoutPayload): CheckoutToWrite => ({ payload: c, customerId: c.customer ? (customerIds.get(c.customer.id) ?? null) : null });
  const fresh = items.filter((c) => !existing.has(c.id));
  const created = await insertCheckouts(db, shop, fresh.map(toWrite), currency);
  const inserted = new Set(created.map((row) => row.shopifyId));
  result.created += created.length;
  for (const [shopifyId, row] of await findStoredCheckouts(
    db,
    shop,
    fresh.filter((c) => !inserted.has(c.id)).map((c) => c.id),
  ))
    existing.set(shopifyId, row);
  for (const c of items.filter((c) => existing.has(c.id) && !inserted.has(c.id))) {
    const stored = existing.get(c.id)!;
    if (isStale(stored.shopifyUpdatedAt, c.updated_at ?? c.created_at)) {
      result.stale++;
      continue;
    }
    await updateCheckout(db, shop, stored.id, toWrite(c), currency);
    result.updated++;
  }
  return result;
}
