// Refunds and their lines. An order's `totalRefunded` is the sum of its stored refunds.
import { Prisma } from "@prisma/client";
import type { Db } from "~/lib/transaction.server";
import type { RefundPayload } from "~/lib/shopifyPayloads";
import { insertRows } from "./bulk.server";
import { refundLineItemRows, refundRow } from "./rows.server";

export interface NewRefund {
  orderId: number;
  /** The order's currency (shop money). */
  currency: string;
  refund: RefundPayload;
}

/** Inserts refunds with their lines; returns the new rows' ids by Shopify id. */
export async function insertRefunds(db: Db, shop: string, refunds: NewRefund[]): Promise<Map<string, number>> {
  const created = await insertRows<{ id: number; shopifyId: string }>(
    db,
    "Refund",
    refunds.map((r) => refundRow(shop, r.orderId, r.refund, r.currency)),
    ["id", "shopifyId"],
  );
  const idOf = new Map(created.map((row) => [row.shopifyId, row.id]));
  await insertRows(
    db,
    "RefundLineItem",
    refunds.flatMap((r) => refundLineItemRows(shop, idOf.get(r.refund.id)!, r.refund)),
  );
  return idOf;
}

export async function findRefundId(db: Db, shop: string, shopifyId: string): Promise<number | null> {
  const row = await db.refund.findUnique({ where: { shop_shopifyId: { shop, shopifyId } }, select: { id: true } });
  return row?.id ?? null;
}

/** Deletes a refund and its lines (cascade). */
export async function deleteRefund(db: Db, shop: string, id: number) {
  await db.refund.delete({ where: { id, shop } });
}

/** The sum of the order's stored refunds (zero when it has none). */
export async function sumOrderRefunds(db: Db, shop: string, orderId: number): Promise<Prisma.Decimal> {
  const total = await db.refund.aggregate({ where: { shop, orderId }, _sum: { amount: true } });
  return total._sum.amount ?? new Prisma.Decimal(0);
}
