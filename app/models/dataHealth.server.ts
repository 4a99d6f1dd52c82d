// Read-only counts behind the "data health" card: what is stored for a shop, and how fresh.
import type { WebhookEventStatus } from "@prisma/client";
import type { Db } from "~/lib/transaction.server";

export async function countShopData(db: Db, shop: string) {
  const [customers, orders, cancelledOrders, products, checkouts, revenue, range] = await Promise.all([
    db.customer.count({ where: { shop } }),
    db.order.count({ where: { shop, test: false } }),
    db.order.count({ where: { shop, test: false, cancelledAt: { not: null } } }),
    db.product.count({ where: { shop } }),
    db.checkout.count({ where: { shop } }),
    db.order.aggregate({
      where: { shop, test: false, cancelledAt: null },
      _sum: { totalPrice: true, totalRefunded: true },
    }),
    db.order.aggregate({ where: { shop, test: false }, _min: { processedAt: true }, _max: { processedAt: true } }),
  ]);
  return {
    customers,
    orders,
    cancelledOrders,
    products,
    checkouts,
    grossRevenue: revenue._sum.totalPrice,
    refunded: revenue._sum.totalRefunded,
    /** Paid totals of non-cancelled orders minus their refunds (null without orders). */
    netRevenue:
      revenue._sum.totalPrice && revenue._sum.totalRefunded ? revenue._sum.totalPrice.minus(revenue._sum.totalRefunded) : revenue._sum.totalPrice,
    firstOrderAt: range._min.processedAt,
    lastOrderAt: range._max.processedAt,
  };
}

export async function lastEventPerTopic(db: Db, shop: string) {
  const rows = await db.webhookEvent.groupBy({
    by: ["topic"],
    where: { shop },
    _max: { receivedAt: true },
    _count: { _all: true },
    orderBy: { topic: "asc" },
  });
  return rows.map((row) => ({ topic: row.topic, lastReceivedAt: row._max.receivedAt, count: row._count._all }));
}

export async function inboxCountsByStatus(db: Db, shop: string): Promise<Record<WebhookEventStatus, number>> {
  const rows = await db.webhookEvent.groupBy({ by: ["status"], where: { shop }, _count: { _all: true } });
  const counts: Record<WebhookEventStatus, number> = { pending: 0, processing: 0, processed: 0, dead: 0 };
  for (const row of rows) counts[row.status] = row._count._all;
  return counts;
}
