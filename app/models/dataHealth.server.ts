// Read-only counts behind the "data health" card: what is stored for a shop, and how fresh.
import type { WebhookEventStatus } from "@prisma/client";
import { prisma } from "~/lib/db.server";

export async function countShopData(shop: string) {
  const db = prisma();
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
    firstOrderAt: range._min.processedAt,
    lastOrderAt: range._max.processedAt,
  };
}

export async function lastEventPerTopic(shop: string) {
  const rows = await prisma().webhookEvent.groupBy({
    by: ["topic"],
    where: { shop },
    _max: { receivedAt: true },
    _count: { _all: true },
    orderBy: { topic: "asc" },
  });
  return rows.map((row) => ({ topic: row.topic, lastReceivedAt: row._max.receivedAt, count: row._count._all }));
}

export async function inboxCountsByStatus(shop: string): Promise<Record<WebhookEventStatus, number>> {
  const rows = await prisma().webhookEvent.groupBy({ by: ["status"], where: { shop }, _count: { _all: true } });
  const counts: Record<WebhookEventStatus, number> = { pending: 0, processing: 0, processed: 0, dead: 0 };
  for (const row of rows) counts[row.status] = row._count._all;
  return counts;
}
