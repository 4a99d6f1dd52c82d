// GDPR data requests: the report assembled for a customers/data_request, kept for the merchant.
import type { Prisma } from "@prisma/client";
import type { Db } from "~/lib/transaction.server";

export interface NewDataRequest {
  requestId: string | null;
  customerShopifyId: string | null;
  ordersRequested: string[];
  /** Any JSON-serialisable report; BigInt values are stored as strings. */
  report: unknown;
}

/** Stores the report; returns its id. */
export async function createDataRequest(db: Db, shop: string, request: NewDataRequest): Promise<number> {
  const report = JSON.parse(
    JSON.stringify(request.report, (_, value) => (typeof value === "bigint" ? value.toString() : value)),
  ) as Prisma.InputJsonValue;
  const stored = await db.dataRequest.create({
    data: { shop, requestId: request.requestId, customerShopifyId: request.customerShopifyId, ordersRequested: request.ordersRequested, report },
    select: { id: true },
  });
  return stored.id;
}

/** Reports about these customers go when the customers are redacted. */
export async function deleteDataRequestsOf(db: Db, shop: string, customerShopifyIds: string[]) {
  await db.dataRequest.deleteMany({ where: { shop, customerShopifyId: { in: customerShopifyIds } } });
}
