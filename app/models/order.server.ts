// Orders with their children: personal data (OrderPersonal), line items and refunds.
import type { Prisma } from "@prisma/client";
import type { Db } from "~/lib/transaction.server";
import type { OrderPayload } from "~/lib/shopifyPayloads";
import { insertRows } from "./bulk.server";
import { insertRefunds } from "./refund.server";
import { lineItemRows, orderCurrency, orderPersonalRow, orderRow } from "./rows.server";
import { findStoredVersions, SHOPIFY_KEY } from "./synced.server";

export interface OrderToWrite {
  payload: OrderPayload;
  /** The stored customer's id, when the order has one. */
  customerId: number | null;
}

export function findStoredOrders(db: Db, shop: string, shopifyIds: string[]) {
  return findStoredVersions(db, "order", shop, shopifyIds);
}

/** Inserts orders not stored yet, without children; returns those inserted (skipping rows another transaction inserted first). */
export function insertOrders(db: Db, shop: string, orders: OrderToWrite[]) {
  return insertRows<{ id: number; shopifyId: string }>(
    db,
    "Order",
    orders.map((o) => orderRow(shop, o.payload, o.customerId)),
    ["id", "shopifyId"],
    { skipConflictsOn: SHOPIFY_KEY },
  );
}

/**
 * Writes the children a payload carries (personal data, line items, refunds) for orders
 * that have none. `productTypes` gives each line its product's type when the product is stored.
 */
export async function insertOrderChildren(
  db: Db,
  shop: string,
  orders: { id: number; payload: OrderPayload }[],
  productTypes: Map<string, string | null>,
) {
  await insertRows(
    db,
    "OrderPersonal",
    orders.map((o) => orderPersonalRow(shop, o.id, o.payload)),
  );
  await insertRows(
    db,
    "LineItem",
    orders.flatMap((o) => lineItemRows(shop, o.id, o.payload, productTypes)),
  );
  await insertRefunds(
    db,
    shop,
    orders.flatMap((o) => (o.payload.refunds ?? []).map((refund) => ({ orderId: o.id, refund, currency: orderCurrency(o.payload) }))),
  );
}

/** Rewrites a stored order from a complete payload: its children are replaced rather than diffed. */
export async function replaceOrder(db: Db, shop: string, id: number, order: OrderToWrite, productTypes: Map<string, string | null>) {
  await db.order.update({ where: { id, shop }, data: orderRow(shop, order.payload, order.customerId) });
  await db.lineItem.deleteMany({ where: { shop, orderId: id } });
  await db.refund.deleteMany({ where: { shop, orderId: id } });
  await db.orderPersonal.deleteMany({ where: { shop, orderId: id } });
  await insertOrderChildren(db, shop, [{ id, payload: order.payload }], productTypes);
}

/** The order and its children go (cascade). */
export async function deleteOrderByShopifyId(db: Db, shop: string, shopifyId: string) {
  await db.order.deleteMany({ where: { shop, shopifyId } });
}

export function findOrderIdAndCurrency(db: Db, shop: string, shopifyId: string) {
  return db.order.findUnique({ where: { shop_shopifyId: { shop, shopifyId } }, select: { id: true, currency: true } });
}

export async function setOrderTotalRefunded(db: Db, shop: string, id: number, totalRefunded: Prisma.Decimal) {
  await db.order.update({ where: { id, shop }, data: { totalRefunded } });
}

/** Lines stored before their product: they get its type now. */
export async function setMissingLineItemProductType(db: Db, shop: string, productShopifyId: string, productType: string) {
  await db.lineItem.updateMany({ where: { shop, productShopifyId, productType: null }, data: { productType } });
}

export function countOrders(db: Db, shop: string) {
  return db.order.count({ where: { shop } });
}

export interface OrderCriteria {
  customerIds: number[];
  customerShopifyIds: string[];
  orderShopifyIds: string[];
  /** The email on the order itself (any case). */
  email?: string | null;
}

/** The orders whose own e-mail is `email` in any case (lower() on both sides: see customerIdsWithEmail). */
async function orderIdsWithEmail(db: Db, shop: string, email: string): Promise<number[]> {
  const rows = await db.$queryRaw<{ orderId: number }[]>`
    SELECT "orderId" FROM "OrderPersonal" WHERE "shop" = ${shop} AND lower("email") = lower(${email})`;
  return rows.map((r) => r.orderId);
}

/** Orders matching any of the criteria (GDPR requests): none when no criterion is given. */
export async function findOrdersMatching(db: Db, shop: string, criteria: OrderCriteria) {
  const or: Prisma.OrderWhereInput[] = [];
  if (criteria.customerIds.length) or.push({ customerId: { in: criteria.customerIds } });
  if (criteria.customerShopifyIds.length) or.push({ customerShopifyId: { in: criteria.customerShopifyIds } });
  if (criteria.orderShopifyIds.length) or.push({ shopifyId: { in: criteria.orderShopifyIds } });
  if (criteria.email) or.push({ id: { in: await orderIdsWithEmail(db, shop, criteria.email) } });
  if (!or.length) return [];
  return db.order.findMany({ where: { shop, OR: or }, select: { id: true, shopifyId: true } });
}

/** Everything stored about these orders, oldest first, for a GDPR data request. */
export function ordersWithPersonalData(db: Db, shop: string, ids: number[]) {
  return db.order.findMany({
    where: { shop, id: { in: ids } },
    include: { personal: true, lineItems: true, refunds: { include: { lineItems: true } } },
    orderBy: { processedAt: "asc" },
  });
}

/** Erases the orders' personal data; amounts, dates and lines stay, anonymous. */
export async function redactOrders(db: Db, shop: string, ids: number[], now: Date) {
  await db.orderPersonal.deleteMany({ where: { shop, orderId: { in: ids } } });
  await db.order.updateMany({ where: { shop, id: { in: ids } }, data: { redactedAt: now, tags: [], customerLocale: null } });
}
