// GDPR webhooks (mandatory for App Store apps).
// - customers/data_request: assemble everything stored about the customer, keep it for the
//   merchant (DataRequest) and log that it exists (ids and counts only, never the data).
// - customers/redact: erase every personal field of the customer and of the named orders, and
//   scrub the raw webhook payloads that carried them. Amounts, dates and product lines stay,
//   anonymous, so the shop's revenue and analytics stay right (see README "Privacy"). Survey
//   answers lose their comment, page and links to the customer and order (the score and date
//   stay, anonymous); follow-up notes go; the customer's survey throttling state goes.
// - shop/redact: delete every row of the shop.
import { z } from "zod";
import { logger } from "~/lib/logger.server";
import type { Db } from "~/lib/transaction.server";
import { customersWithPersonalData, findCustomersByIdOrEmail, redactCustomers } from "~/models/customer.server";
import { createDataRequest, deleteDataRequestsOf } from "~/models/dataRequest.server";
import { deleteSurveyStates, npsAnswersOf, redactNpsAnswers } from "~/models/nps.server";
import { findOrdersMatching, ordersWithPersonalData, redactOrders } from "~/models/order.server";
import { deleteSessions } from "~/models/session.server";
import { deleteShop } from "~/models/shop.server";
import { scrubCustomerPayloads } from "~/models/webhookEvent.server";
import { forgetShoppers } from "./shopperPreferences.server";

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

export async function handleDataRequest(db: Db, shop: string, raw: unknown, now = new Date()) {
  const payload = dataRequestPayload.parse(raw);
  const customers = await findCustomersByIdOrEmail(db, shop, payload.customer);
  const requested = payload.orders_requested ?? [];
  const orders = await findOrdersMatching(db, shop, {
    customerIds: customers.map((c) => c.id),
    customerShopifyIds: customers.map((c) => c.shopifyId).concat(payload.customer.id ? [payload.customer.id] : []),
    orderShopifyIds: requested,
    email: payload.customer.email,
  });

  const report = {
    generatedAt: now.toISOString(),
    shop,
    request: { id: payload.data_request?.id ?? null, customerId: payload.customer.id ?? null, ordersRequested: requested },
    customers: await customersWithPersonalData(
      db,
      shop,
      customers.map((c) => c.id),
    ),
    orders: await ordersWithPersonalData(
      db,
      shop,
      orders.map((o) => o.id),
    ),
    // The shopper's own words: survey answers (score, comment, page, order) and follow-ups.
    npsAnswers: (
      await npsAnswersOf(db, shop, {
        customerIds: customers.map((c) => c.id),
        customerShopifyIds: customers.map((c) => c.shopifyId).concat(payload.customer.id ? [payload.customer.id] : []),
        orderShopifyIds: orders.map((o) => o.shopifyId).concat(requested),
      })
    ).map((a) => ({
      score: a.score,
      comment: a.comment,
      page: a.page,
      source: a.source,
      locale: a.locale,
      orderId: a.orderShopifyId,
      answeredAt: a.createdAt.toISOString(),
      followUp: a.followUp ? { status: a.followUp.status, note: a.followUp.note, createdAt: a.followUp.createdAt.toISOString() } : null,
    })),
  };
  const dataRequestId = await createDataRequest(db, shop, {
    requestId: payload.data_request?.id ?? null,
    customerShopifyId: payload.customer.id ?? null,
    ordersRequested: requested,
    report,
  });
  logger.info(
    { shop, dataRequestId, customerShopifyId: payload.customer.id ?? null, customers: customers.length, orders: orders.length },
    "GDPR data request assembled and kept for the merchant",
  );
  return { dataRequestId, customers: customers.length, orders: orders.length };
}

export async function redactCustomer(db: Db, shop: string, raw: unknown, now = new Date()) {
  const payload = customerRedactPayload.parse(raw);
  const customers = await findCustomersByIdOrEmail(db, shop, payload.customer);
  const customerIds = customers.map((c) => c.id);
  const customerShopifyIds = [...new Set(customers.map((c) => c.shopifyId).concat(payload.customer.id ? [payload.customer.id] : []))];
  const orders = await findOrdersMatching(db, shop, {
    customerIds,
    customerShopifyIds,
    orderShopifyIds: payload.orders_to_redact ?? [],
    email: payload.customer.email,
  });
  const orderIds = orders.map((o) => o.id);

  await redactCustomers(db, shop, customerIds, now);
  await redactOrders(db, shop, orderIds, now);
  await deleteDataRequestsOf(db, shop, customerShopifyIds);
  // Survey answers keep their score and date (past NPS stays right) and lose everything personal.
  const npsAnswers = await redactNpsAnswers(
    db,
    shop,
    { customerIds, customerShopifyIds, orderShopifyIds: orders.map((o) => o.shopifyId).concat(payload.orders_to_redact ?? []) },
    now,
  );
  await deleteSurveyStates(
    db,
    shop,
    customerShopifyIds.map((id) => `customer:${id}`),
  );
  await forgetShoppers(db, shop, customerShopifyIds);

  // The inbox keeps raw payloads: scrub every one that carried this customer's data,
  // including this redaction request itself.
  const scrubbed = await scrubCustomerPayloads(db, shop, {
    customerShopifyIds,
    orderShopifyIds: orders.map((o) => o.shopifyId).concat(payload.orders_to_redact ?? []),
    email: payload.customer.email,
  });
  logger.info(
    { shop, customers: customerIds.length, orders: orderIds.length, npsAnswers, scrubbedEvents: scrubbed },
    "GDPR customer redaction applied",
  );
  return { customers: customerIds.length, orders: orderIds.length, npsAnswers, scrubbedEvents: scrubbed };
}

/** Every row of the shop goes: the Shop row cascades to everything keyed by it; sessions are separate. */
export async function redactShop(db: Db, shop: string) {
  const shops = await deleteShop(db, shop);
  const sessions = await deleteSessions(db, shop);
  logger.info({ shop, shops, sessions }, "GDPR shop redaction applied: every row of the shop deleted");
  return { shop: shops, sessions };
}
