// Every topic of shopify.app.toml, end to end, with Shopify-shaped fixture payloads
// (tests/fixtures/webhooks) sent as signed Requests through the real routes and the worker.
import { readFileSync } from "node:fs";
import path from "node:path";
import type { PrismaClient } from "@prisma/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WebhookWorker } from "~/jobs/webhookWorker.server";
import { routeForTopic } from "../../cli/webhookSigning";
import { signedWebhook } from "../factories/shopify";
import { useDatabase, useTestEnvironment } from "../helpers/app";
import { ROOT } from "../helpers/cli";
import { BACKENDS, openMigrated } from "../helpers/db";

useTestEnvironment();
type Handler = (args: { request: Request; params: object; context: object }) => Promise<Response>;

const SHOP = "rapport-fixtures.myshopify.com";
const FIXTURES = path.join(ROOT, "tests", "fixtures", "webhooks");
const fixture = (topic: string) => readFileSync(path.join(FIXTURES, `${topic.replace("/", "__")}.json`), "utf8");

const ROUTES: Record<string, string> = {
  "/webhooks/orders": "webhooks.orders",
  "/webhooks/refunds": "webhooks.refunds",
  "/webhooks/customers": "webhooks.customers",
  "/webhooks/products": "webhooks.products",
  "/webhooks/checkouts": "webhooks.checkouts",
  "/webhooks/app/uninstalled": "webhooks.app.uninstalled",
  "/webhooks/app/scopes_update": "webhooks.app.scopes_update",
  "/webhooks/shop/update": "webhooks.shop.update",
  "/webhooks/compliance": "webhooks.compliance",
};

describe.each(BACKENDS)("every webhook topic on %s", (backend) => {
  let ctx: Awaited<ReturnType<typeof openMigrated>>;
  let prisma: PrismaClient;
  let worker: WebhookWorker;

  async function deliver(topic: string, headers: Record<string, string> = {}) {
    const urlPath = routeForTopic(topic);
    const route = (await import(`../../app/routes/${ROUTES[urlPath]}.tsx`)) as { action: Handler };
    const request = signedWebhook(topic, null, { shop: SHOP, body: fixture(topic), url: `https://rapport.example.com${urlPath}`, headers });
    const response = await route.action({ request, params: {}, context: {} });
    expect(response.status, `${topic} answered ${response.status}`).toBe(200);
    const result = await worker.drain();
    expect(result, topic).toMatchObject({ dead: 0, retried: 0 });
  }

  beforeAll(async () => {
    ctx = await openMigrated(backend);
    prisma = ctx.db.prisma;
    useDatabase(ctx.db);
    worker = new WebhookWorker({ prisma });
  });
  afterAll(async () => {
    useDatabase(undefined);
    await ctx?.cleanup();
  });

  it("products, customers and checkouts", async () => {
    for (const topic of ["products/create", "products/update", "customers/create", "customers/update", "checkouts/create", "checkouts/update"])
      await deliver(topic);
    const product = await prisma.product.findFirstOrThrow({ where: { shop: SHOP } });
    expect(product.shopifyId).toBe("8903512345678");
    const customer = await prisma.customer.findFirstOrThrow({ where: { shop: SHOP }, include: { profile: true } });
    expect(customer.profile?.email).toBe("jeanne.martin@example.com");
    const checkout = await prisma.checkout.findFirstOrThrow({ where: { shop: SHOP } });
    // completed_at "2026-09-07T20:14:50+02:00" in the fixture, stored in UTC.
    expect(checkout.completedAt).toEqual(new Date("2026-09-07T18:14:50Z"));
  });

  it("an order's life: created, updated, refunded, cancelled", async () => {
    await deliver("orders/create");
    let order = await prisma.order.findFirstOrThrow({ where: { shop: SHOP }, include: { lineItems: true } });
    expect(order.totalPrice.toString()).toBe("59.87");
    expect(order.lineItems).toHaveLength(2);
    expect(order.customerShopifyId).toBe("7712345678901");

    await deliver("orders/updated");
    await deliver("refunds/create");
    order = await prisma.order.findFirstOrThrow({ where: { shop: SHOP }, include: { lineItems: true } });
    expect(order.totalRefunded.toString()).toBe("19.99");
    await deliver("orders/cancelled");
    order = await prisma.order.findFirstOrThrow({ where: { shop: SHOP }, include: { lineItems: true } });
    expect(order.cancelledAt).toEqual(new Date("2026-09-13T06:45:19Z")); // "2026-09-13T08:45:19+02:00"
    expect(order.totalRefunded.toString()).toBe("19.99");
    expect(order.lineItems).toHaveLength(2);
  });

  it("compliance topics, scopes and uninstall", async () => {
    await deliver("customers/data_request");
    expect(await prisma.dataRequest.count({ where: { shop: SHOP } })).toBe(1);
    await deliver("app/scopes_update");
    expect((await prisma.shop.findUniqueOrThrow({ where: { domain: SHOP } })).scope).toBe(
      "read_orders,read_customers,read_products,write_customers,write_app_proxy",
    );
    // shop/update refreshes the name, currency and time zone the numbers are read in.
    await deliver("shop/update");
    expect(await prisma.shop.findUniqueOrThrow({ where: { domain: SHOP }, select: { name: true, currency: true, ianaTimezone: true } })).toEqual({
      name: "Rapport Fixtures Café",
      currency: "EUR",
      ianaTimezone: "Europe/Paris",
    });
    await deliver("customers/redact");
    expect(await prisma.customerProfile.count({ where: { shop: SHOP } })).toBe(0);
    expect(await prisma.orderPersonal.count({ where: { shop: SHOP } })).toBe(0);

    for (const topic of ["orders/delete", "products/delete", "customers/delete"]) await deliver(topic);
    expect(await prisma.order.count({ where: { shop: SHOP } })).toBe(0);
    expect(await prisma.product.count({ where: { shop: SHOP } })).toBe(0);
    expect(await prisma.customer.count({ where: { shop: SHOP } })).toBe(0);

    // The uninstall is dated by Shopify's X-Shopify-Triggered-At header.
    await deliver("app/uninstalled", { "X-Shopify-Triggered-At": "2026-09-20T10:00:00.000Z" });
    expect((await prisma.shop.findUniqueOrThrow({ where: { domain: SHOP } })).uninstalledAt).toEqual(new Date("2026-09-20T10:00:00.000Z"));
    await deliver("shop/redact");
    expect(await prisma.shop.count({ where: { domain: SHOP } })).toBe(0);
    expect(await prisma.webhookEvent.count({ where: { shop: SHOP } })).toBe(0);
  });
});
