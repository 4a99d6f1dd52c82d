// The customer profile page's reads: one customer of one shop with its profile and metrics,
// its orders (lines, refunds), its segment moves and the shop's latest fitted model.
import type { Db } from "~/lib/transaction.server";

/** The customer, by Shopify id, of this shop only (null otherwise). */
export function findCustomerForProfile(db: Db, shop: string, shopifyId: string) {
  return db.customer.findUnique({
    where: { shop_shopifyId: { shop, shopifyId } },
    select: {
      id: true,
      shopifyId: true,
      tags: true,
      state: true,
      emailMarketingState: true,
      shopifyCreatedAt: true,
      redactedAt: true,
      profile: { select: { email: true, firstName: true, lastName: true, phone: true } },
      metrics: true,
    },
  });
}

/** The customer's most recent orders (uses the (shop, customerId) index), with lines and refunds. */
export function customerOrders(db: Db, shop: string, customerId: number, limit: number) {
  return db.order.findMany({
    where: { shop, customerId },
    orderBy: [{ processedAt: "desc" }, { id: "desc" }],
    take: limit,
    select: {
      id: true,
      shopifyId: true,
      name: true,
      processedAt: true,
      cancelledAt: true,
      financialStatus: true,
      currency: true,
      totalPrice: true,
      totalRefunded: true,
      test: true,
      lineItems: { select: { id: true, title: true, variantTitle: true, quantity: true, price: true, totalDiscount: true }, orderBy: { id: "asc" } },
      refunds: { select: { id: true, processedAt: true, amount: true }, orderBy: { processedAt: "asc" } },
    },
  });
}

export function countCustomerOrders(db: Db, shop: string, customerId: number) {
  return db.order.count({ where: { shop, customerId } });
}

/** Every recorded segment change of the customer, oldest first. */
export function customerSegmentMoves(db: Db, shop: string, customerId: number) {
  return db.segmentMove.findMany({
    where: { shop, customerId },
    orderBy: [{ movedAt: "asc" }, { id: "asc" }],
    select: { fromSegment: true, toSegment: true, movedAt: true, source: true },
  });
}

/** The shop's latest analysis: its day and fitted models. */
export function latestAnalysisModel(db: Db, shop: string) {
  return db.analysisSnapshot.findFirst({
    where: { shop },
    orderBy: { date: "desc" },
    select: { date: true, model: true, lowConfidence: true, computedAt: true },
  });
}
