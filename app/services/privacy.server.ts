// GDPR webhooks (mandatory for App Store apps).
// - customers/data_request: assemble everything stored about the customer, keep it for the
//   merchant (DataRequest) and log that it exists (ids and counts only, never the data).
// - customers/redact: erase every personal field of the customer and of the named orders, and
//   scrub the raw webhook payloads that carried them. Amounts, dates and product lines stay,
//   anonymous, so the shop's revenue and analytics stay right (see README "Privacy").
// - shop/redact: delete every row of the shop.
import { Prisma } from "@prisma/client";
import { z } from "zod";
import { logger } from "~/lib/logger.server";
import type { Db } from "~/lib/transaction.server";

const id = z.union([z.number().int().nonnegative(), z.string().regex(/^\d+$/)]).transform(String);

export const dataRequestPayload = z.object({
  shop_domain: z.string().optional(),
  customer: z.object({ id: id.nullish(), email: z.string().nullish(), phone: z.string().nullish() }),
  orders_requested: z.array(id).nullish(),
  data_request: z.object({ id: id }).nullish(),
});

export const customerRedactPayload = z.object({
  shop_domain: z.string().optional(),
  customer: z.object({ id: id.nullish(), email: z.string().nullish(), phone: z.string().nullish() }),
  orders_to_redact: z.array(id).nullish(),
});

export const shopRedactPayload = z.object({ shop_domain: z.string().optional(), shop_id: id.nullish() });

/** The customers a GDPR request designates: by Shopify id, or by email when the id is unknown to us. */
async function findCustomers(db: Db, shop: string, customer: { id?: string | null; email?: string | null }) {
  const or: Prisma.CustomerWhereInput[] = [];
  if (customer.id) or.push({ shopifyId: customer.id });
  if (customer.email) or.push({ profile: { email: { equals: customer.email, mode: "insensitive" } } });
  if (!or.length) return [];
  return db.customer.findMany({ where: { shop, OR: or }, select: { id: true, shopifyId: true } });
}

async function ordersOf(db: Db, shop: string, customerIds: number[], customerShopifyIds: string[], orderShopifyIds: string[], email?: string | null) {
  const or: Prisma.OrderWhereInput[] = [];
  if (customerIds.length) or.push({ customerId: { in: customerIds } });
  if (customerShopifyIds.length) or.push({ customerShopifyId: { in: customerShopifyIds } });
  if (orderShopifyIds.length) or.push({ shopifyId: { in: orderShopifyIds } });
  if (email) or.push({ personal: { email: { equals: email, mode: "insensitive" } } });
  if (!or.length) return [];
  return db.order.findMany({ where: { shop, OR: or }, select: { id: true, shopifyId: true } });
}

export async function handleDataRequest(db: Db, shop: string, raw: unknown, now = new Date()) {
  const payload = dataRequestPayload.parse(raw);
  const customers = await findCustomers(db, shop, payload.customer);
  const requested = payload.orders_requested ?? [];
  const orders = await ordersOf(db, shop, customers.map((c) => c.id), customers.map((c) => c.shopifyId).concat(payload.customer.id ? [payload.customer.id] : []), requested, payload.customer.email);

  const report = {
    generatedAt: now.toISOString(),
    shop,
    request: { id: payload.data_request?.id ?? null, customerId: payload.customer.id ?? null, ordersRequested: requested },
    customers: await db.customer.findMany({
      where: { id: { in: customers.map((c) => c.id) } },
      include: { profile: true, checkouts: { select: { shopifyId: true, totalPrice: true, currency: true, shopifyCreatedAt: true, completedAt: true } } },
    }),
    orders: await db.order.findMany({
      where: { id: { in: orders.map((o) => o.id) } },
      include: { personal: true, lineItems: true, refunds: { include: { lineItems: true } } },
      orderBy: { processedAt: "asc" },
    }),
    // NPS answers and other shopper-provided data join this report when they exist.
  };
  const json = JSON.parse(JSON.stringify(report, (_, value) => (typeof value === "bigint" ? value.toString() : value))) as Prisma.InputJsonValue;
  const stored = await db.dataRequest.create({
    data: { shop, requestId: payload.data_request?.id ?? null, customerShopifyId: payload.customer.id ?? null, ordersRequested: requested, report: json },
    select: { id: true },
  });
  logger.info(
    { shop, dataRequestId: stored.id, customerShopifyId: payload.customer.id ?? null, customers: customers.length, orders: orders.length },
    "GDPR data request assembled and kept for the merchant",
  );
  return { dataRequestId: stored.id, customers: customers.length, orders: orders.length };
}

export async function redactCustomer(db: Db, shop: string, raw: unknown, now = new Date()) {
  const payload = customerRedactPayload.parse(raw);
  const customers = await findCustomers(db, shop, payload.customer);
  const customerIds = customers.map((c) => c.id);
  const customerShopifyIds = [...new Set(customers.map((c) => c.shopifyId).concat(payload.customer.id ? [payload.customer.id] : []))];
  const orders = await ordersOf(db, shop, customerIds, customerShopifyIds, payload.orders_to_redact ?? [], payload.customer.email);
  const orderIds = orders.map((o) => o.id);

  await db.customerProfile.deleteMany({ where: { customerId: { in: customerIds } } });
  await db.customer.updateMany({
    where: { id: { in: customerIds } },
    data: { redactedAt: now, tags: [], locale: null, countryCode: null },
  });
  await db.orderPersonal.deleteMany({ where: { orderId: { in: orderIds } } });
  await db.order.updateMany({ where: { id: { in: orderIds } }, data: { redactedAt: now, tags: [], customerLocale: null } });
  await db.dataRequest.deleteMany({ where: { shop, customerShopifyId: { in: customerShopifyIds } } });

  // The inbox keeps raw payloads: scrub every one that carried this customer's data,
  // including this redaction request itself.
  const scrubbed = await db.$executeRawUnsafe(
    `UPDATE "WebhookEvent" SET "payload" = jsonb_build_object('redacted', true, 'id', "payload"->'id')
     WHERE "shop" = $1 AND (
       ("payload"->'customer'->>'id') = ANY($2::text[])
       OR ("topic" LIKE 'customers/%' AND ("payload"->>'id') = ANY($2::text[]))
       OR ("topic" LIKE 'orders/%' AND ("payload"->>'id') = ANY($3::text[]))
       OR ("topic" = 'refunds/create' AND ("payload"->>'order_id') = ANY($3::text[]))
       OR ($4::text <> '' AND strpos(lower("payload"::text), lower($4::text)) > 0)
     )`,
    shop,
    customerShopifyIds,
    orders.map((o) => o.shopifyId).concat(payload.orders_to_redact ?? []),
    payload.customer.email ?? "",
  );
  logger.info({ shop, customers: customerIds.length, orders: orderIds.length, scrubbedEvents: scrubbed }, "GDPR customer redaction applied");
  return { customers: customerIds.length, orders: orderIds.length, scrubbedEvents: scrubbed };
}

/** Every row of the shop goes: the Shop row cascades to everything keyed by it; sessions are separate. */
export async function redactShop(db: Db, shop: string) {
  const deleted = await db.shop.deleteMany({ where: { domain: shop } });
  const sessions = await db.session.deleteMany({ where: { shop } });
  logger.info({ shop, shops: deleted.count, sessions: sessions.count }, "GDPR shop redaction applied: every row of the shop deleted");
  return { shop: deleted.count, sessions: sessions.count };
}
