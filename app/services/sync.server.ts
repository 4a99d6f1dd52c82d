// The one sync service: webhooks, the backfill and the demo seeder all apply Shopify objects
// through these functions. Rules: every write is keyed by (shop, shopifyId); newest wins (a
// payload older than what is stored changes nothing); an order is written with its line items,
// refunds and customer, all or nothing (callers pass a transaction).
import { Prisma } from "@prisma/client";
import type { Db } from "~/lib/transaction.server";
import { insertRows } from "~/models/bulk.server";
import {
  checkoutRow,
  customerProfileRow,
  customerRow,
  isStale,
  lineItemRows,
  newestById,
  orderPersonalRow,
  orderRow,
  productRow,
  refundLineItemRows,
  refundRow,
} from "./sync/mappers";
import type { CheckoutPayload, CustomerPayload, OrderPayload, ProductPayload, RefundPayload } from "./sync/payloads";

export interface SyncResult {
  created: number;
  updated: number;
  /** Payloads older than the stored version: ignored. */
  stale: number;
}

const CHUNK = 5000;
function chunks<T>(items: T[], size = CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

function emptyResult(): SyncResult {
  return { created: 0, updated: 0, stale: 0 };
}

/** An event that cannot be applied yet (e.g. a refund whose order has not arrived): retry later. */
export class RetryableSyncError extends Error {}

type TombstoneKind = "order" | "product" | "customer";

/** Drops payloads of objects Shopify deleted, so a late webhook cannot resurrect them. */
async function withoutTombstoned<T extends { id: string }>(db: Db, shop: string, kind: TombstoneKind, items: T[]): Promise<{ kept: T[]; dropped: number }> {
  if (!items.length) return { kept: items, dropped: 0 };
  const dead = new Set<string>();
  for (const part of chunks(items.map((i) => i.id))) {
    const rows = await db.tombstone.findMany({ where: { shop, kind, shopifyId: { in: part } }, select: { shopifyId: true } });
    for (const row of rows) dead.add(row.shopifyId);
  }
  const kept = items.filter((i) => !dead.has(i.id));
  return { kept, dropped: items.length - kept.length };
}

async function bury(db: Db, shop: string, kind: TombstoneKind, shopifyId: string, deletedAt: Date) {
  await db.tombstone.upsert({
    where: { shop_kind_shopifyId: { shop, kind, shopifyId } },
    create: { shop, kind, shopifyId, deletedAt },
    update: {},
  });
}

/** orders/delete: the order and its lines go; the shop's totals no longer count it. */
export async function deleteOrder(db: Db, shop: string, shopifyId: string, deletedAt: Date) {
  await db.order.deleteMany({ where: { shop, shopifyId } });
  await bury(db, shop, "order", shopifyId, deletedAt);
}

export async function deleteProduct(db: Db, shop: string, shopifyId: string, deletedAt: Date) {
  await db.product.deleteMany({ where: { shop, shopifyId } });
  await bury(db, shop, "product", shopifyId, deletedAt);
}

/**
 * customers/delete: the customer and their personal data go; their orders stay (as Shopify
 * keeps them) without the link, so revenue stays right.
 */
export async function deleteCustomer(db: Db, shop: string, shopifyId: string, deletedAt: Date) {
  await db.customer.deleteMany({ where: { shop, shopifyId } });
  await bury(db, shop, "customer", shopifyId, deletedAt);
}

/** refunds/create: adds the refund to its order and updates the order's refunded total. */
export async function syncRefund(db: Db, shop: string, refund: RefundPayload): Promise<SyncResult> {
  const order = await db.order.findUnique({ where: { shop_shopifyId: { shop, shopifyId: refund.order_id } }, select: { id: true, currency: true } });
  if (!order) {
    if (await db.tombstone.findUnique({ where: { shop_kind_shopifyId: { shop, kind: "order", shopifyId: refund.order_id } } })) {
      return { created: 0, updated: 0, stale: 1 };
    }
    throw new RetryableSyncError(`order ${refund.order_id} is not stored yet; the refund will be applied once it is`);
  }
  const existing = await db.refund.findUnique({ where: { shop_shopifyId: { shop, shopifyId: refund.id } }, select: { id: true } });
  if (existing) await db.refund.delete({ where: { id: existing.id } });
  const [created] = await insertRows<{ id: number }>(db, "Refund", [refundRow(shop, order.id, refund, order.currency)], ["id"]);
  await insertRows(db, "RefundLineItem", refundLineItemRows(shop, created.id, refund));
  const total = await db.refund.aggregate({ where: { orderId: order.id }, _sum: { amount: true } });
  await db.order.update({ where: { id: order.id }, data: { totalRefunded: total._sum.amount ?? new Prisma.Decimal(0) } });
  return existing ? { created: 0, updated: 1, stale: 0 } : { created: 1, updated: 0, stale: 0 };
}

/** Makes sure the shop row exists (a signed webhook may arrive before the OAuth session). */
export async function ensureShop(db: Db, shop: string) {
  await db.shop.upsert({ where: { domain: shop }, create: { domain: shop }, update: {} });
}

type Stored = { id: number; shopifyUpdatedAt: Date | null };
type Model = "customer" | "order" | "product" | "checkout";

async function findStored(db: Db, model: Model, shop: string, shopifyIds: string[]): Promise<Map<string, Stored>> {
  const found = new Map<string, Stored>();
  for (const part of chunks(shopifyIds)) {
    if (!part.length) continue;
    const args = { where: { shop, shopifyId: { in: part } }, select: { id: true, shopifyId: true, shopifyUpdatedAt: true } };
    // The four delegates share this query shape; TypeScript cannot see through the union.
    const rows = (await (db[model] as unknown as { findMany(a: typeof args): Promise<(Stored & { shopifyId: string })[]> }).findMany(args));
    for (const row of rows) found.set(row.shopifyId, row);
  }
  return found;
}

const KEY = ["shop", "shopifyId"];

export async function syncCustomers(db: Db, shop: string, payloads: CustomerPayload[]): Promise<SyncResult & { ids: Map<string, number> }> {
  const result = { ...emptyResult(), ids: new Map<string, number>() };
  const { kept: items, dropped } = await withoutTombstoned(db, shop, "customer", newestById(payloads, (c) => c.updated_at));
  result.stale += dropped;
  if (!items.length) return result;
  const existing = await findStored(db, "customer", shop, items.map((c) => c.id));
  const inserted = new Set<string>();

  for (const part of chunks(items.filter((c) => !existing.has(c.id)))) {
    const created = await insertRows<{ id: number; shopifyId: string }>(db, "Customer", part.map((c) => customerRow(shop, c)), ["id", "shopifyId"], { skipConflictsOn: KEY });
    const idOf = new Map(created.map((row) => [row.shopifyId, row.id]));
    await insertRows(db, "CustomerProfile", part.filter((c) => idOf.has(c.id)).map((c) => customerProfileRow(shop, idOf.get(c.id)!, c)));
    for (const [shopifyId, id] of idOf) {
      result.ids.set(shopifyId, id);
      inserted.add(shopifyId);
    }
    result.created += created.length;
    const raced = part.filter((c) => !idOf.has(c.id)).map((c) => c.id);
    for (const [shopifyId, row] of await findStored(db, "customer", shop, raced)) existing.set(shopifyId, row);
  }

  for (const c of items.filter((c) => existing.has(c.id) && !inserted.has(c.id))) {
    const stored = existing.get(c.id)!;
    result.ids.set(c.id, stored.id);
    if (isStale(stored.shopifyUpdatedAt, c.updated_at)) {
      result.stale++;
      continue;
    }
    await db.customer.update({ where: { id: stored.id }, data: customerRow(shop, c) });
    const profile = customerProfileRow(shop, stored.id, c);
    await db.customerProfile.upsert({ where: { customerId: stored.id }, create: profile, update: profile });
    result.updated++;
  }
  return result;
}

async function productTypesOf(db: Db, shop: string, orders: OrderPayload[]) {
  const ids = [...new Set(orders.flatMap((o) => o.line_items.map((li) => li.product_id).filter((id): id is string => !!id)))];
  const types = new Map<string, string | null>();
  for (const part of chunks(ids)) {
    const rows = await db.product.findMany({ where: { shop, shopifyId: { in: part } }, select: { shopifyId: true, productType: true } });
    for (const row of rows) types.set(row.shopifyId, row.productType);
  }
  return types;
}

async function writeOrderChildren(db: Db, shop: string, orders: { id: number; payload: OrderPayload; currency: string }[], productTypes: Map<string, string | null>) {
  await insertRows(db, "OrderPersonal", orders.map((o) => orderPersonalRow(shop, o.id, o.payload)));
  await insertRows(db, "LineItem", orders.flatMap((o) => lineItemRows(shop, o.id, o.payload, productTypes)));
  const refunds = orders.flatMap((o) => (o.payload.refunds ?? []).map((r) => ({ orderId: o.id, refund: r, currency: o.currency })));
  const created = await insertRows<{ id: number; shopifyId: string }>(
    db,
    "Refund",
    refunds.map((r) => refundRow(shop, r.orderId, r.refund, r.currency)),
    ["id", "shopifyId"],
  );
  const idOf = new Map(created.map((row) => [row.shopifyId, row.id]));
  await insertRows(db, "RefundLineItem", refunds.flatMap((r) => refundLineItemRows(shop, idOf.get(r.refund.id)!, r.refund)));
}

export async function syncOrders(db: Db, shop: string, payloads: OrderPayload[]): Promise<SyncResult> {
  const result = emptyResult();
  const { kept: items, dropped } = await withoutTombstoned(db, shop, "order", newestById(payloads, (o) => o.updated_at));
  result.stale += dropped;
  if (!items.length) return result;

  const embedded = items.map((o) => o.customer).filter((c): c is CustomerPayload => !!c);
  const customers = await syncCustomers(db, shop, embedded);
  const productTypes = await productTypesOf(db, shop, items);

  const existing = await findStored(db, "order", shop, items.map((o) => o.id));
  const inserted = new Set<string>();
  const customerIdOf = (o: OrderPayload) => (o.customer ? (customers.ids.get(o.customer.id) ?? null) : null);

  for (const part of chunks(items.filter((o) => !existing.has(o.id)))) {
    const rows = part.map((o) => orderRow(shop, o, customerIdOf(o)));
    const created = await insertRows<{ id: number; shopifyId: string }>(db, "Order", rows, ["id", "shopifyId"], { skipConflictsOn: KEY });
    const idOf = new Map(created.map((row) => [row.shopifyId, row.id]));
    await writeOrderChildren(
      db,
      shop,
      part.flatMap((o, i) => (idOf.has(o.id) ? [{ id: idOf.get(o.id)!, payload: o, currency: rows[i].currency }] : [])),
      productTypes,
    );
    for (const shopifyId of idOf.keys()) inserted.add(shopifyId);
    result.created += created.length;
    const raced = part.filter((o) => !idOf.has(o.id)).map((o) => o.id);
    for (const [shopifyId, row] of await findStored(db, "order", shop, raced)) existing.set(shopifyId, row);
  }

  for (const o of items.filter((o) => existing.has(o.id) && !inserted.has(o.id))) {
    const stored = existing.get(o.id)!;
    if (isStale(stored.shopifyUpdatedAt, o.updated_at)) {
      result.stale++;
      continue;
    }
    // The payload carries the complete order: replace its children rather than diffing them.
    const row = orderRow(shop, o, customerIdOf(o));
    await db.order.update({ where: { id: stored.id }, data: row });
    await db.lineItem.deleteMany({ where: { orderId: stored.id } });
    await db.refund.deleteMany({ where: { orderId: stored.id } });
    await db.orderPersonal.deleteMany({ where: { orderId: stored.id } });
    await writeOrderChildren(db, shop, [{ id: stored.id, payload: o, currency: row.currency }], productTypes);
    result.updated++;
  }
  return result;
}

export async function syncProducts(db: Db, shop: string, payloads: ProductPayload[], currency: string): Promise<SyncResult> {
  const result = emptyResult();
  const { kept: items, dropped } = await withoutTombstoned(db, shop, "product", newestById(payloads, (p) => p.updated_at));
  result.stale += dropped;
  const existing = await findStored(db, "product", shop, items.map((p) => p.id));
  const fresh = items.filter((p) => !existing.has(p.id));
  const created = await insertRows<{ shopifyId: string }>(db, "Product", fresh.map((p) => productRow(shop, p, currency)), ["shopifyId"], { skipConflictsOn: KEY });
  const inserted = new Set(created.map((row) => row.shopifyId));
  result.created += created.length;
  for (const [shopifyId, row] of await findStored(db, "product", shop, fresh.filter((p) => !inserted.has(p.id)).map((p) => p.id))) existing.set(shopifyId, row);
  for (const p of items.filter((p) => existing.has(p.id) && !inserted.has(p.id))) {
    const stored = existing.get(p.id)!;
    if (isStale(stored.shopifyUpdatedAt, p.updated_at)) {
      result.stale++;
      continue;
    }
    await db.product.update({ where: { id: stored.id }, data: productRow(shop, p, currency) });
    result.updated++;
  }
  // Orders can arrive before their products: give their lines the product type now.
  for (const p of items) {
    if (!p.product_type) continue;
    await db.lineItem.updateMany({ where: { shop, productShopifyId: p.id, productType: null }, data: { productType: p.product_type } });
  }
  return result;
}

export async function syncCheckouts(db: Db, shop: string, payloads: CheckoutPayload[], currency: string): Promise<SyncResult> {
  const result = emptyResult();
  const items = newestById(payloads, (c) => c.updated_at ?? c.created_at);
  const customerIds = new Map<string, number>();
  const wanted = [...new Set(items.map((c) => c.customer?.id).filter((id): id is string => !!id))];
  for (const part of chunks(wanted)) {
    const rows = await db.customer.findMany({ where: { shop, shopifyId: { in: part } }, select: { id: true, shopifyId: true } });
    for (const row of rows) customerIds.set(row.shopifyId, row.id);
  }
  const existing = await findStored(db, "checkout", shop, items.map((c) => c.id));
  const rowOf = (c: CheckoutPayload) => checkoutRow(shop, c, c.customer ? (customerIds.get(c.customer.id) ?? null) : null, currency);
  const fresh = items.filter((c) => !existing.has(c.id));
  const created = await insertRows<{ shopifyId: string }>(db, "Checkout", fresh.map(rowOf), ["shopifyId"], { skipConflictsOn: KEY });
  const inserted = new Set(created.map((row) => row.shopifyId));
  result.created += created.length;
  for (const [shopifyId, row] of await findStored(db, "checkout", shop, fresh.filter((c) => !inserted.has(c.id)).map((c) => c.id))) existing.set(shopifyId, row);
  for (const c of items.filter((c) => existing.has(c.id) && !inserted.has(c.id))) {
    const stored = existing.get(c.id)!;
    if (isStale(stored.shopifyUpdatedAt, c.updated_at ?? c.created_at)) {
      result.stale++;
      continue;
    }
    await db.checkout.update({ where: { id: stored.id }, data: rowOf(c) });
    result.updated++;
  }
  return result;
}
