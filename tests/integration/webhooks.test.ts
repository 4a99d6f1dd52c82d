// The webhook pipeline end to end, on both databases: signed Requests into the real routes,
// the inbox, the worker, the sync rules.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { PrismaClient } from "@prisma/client";
import { openDatabase } from "~/lib/database.server";
import { WebhookWorker } from "~/jobs/webhookWorker.server";
import * as f from "../factories/shopify";
import { useDatabase, useTestEnvironment } from "../helpers/app";
import { BACKENDS, openMigrated } from "../helpers/db";

useTestEnvironment();
type Handler = (args: { request: Request; params: object; context: object }) => Promise<Response>;
let receive: (request: Request) => Promise<Response>;

const SHOP = "webhook-test.myshopify.com";

describe.each(BACKENDS)("webhooks on %s", (backend) => {
  let ctx: Awaited<ReturnType<typeof openMigrated>>;
  let prisma: PrismaClient;
  let worker: WebhookWorker;

  beforeAll(async () => {
    ctx = await openMigrated(backend);
    prisma = ctx.db.prisma;
    useDatabase(ctx.db);
    const route = (await import("~/routes/webhooks.orders")) as { action: Handler };
    receive = (request) => route.action({ request, params: {}, context: {} });
    worker = new WebhookWorker({ prisma, workerId: `test-${backend}`, baseDelayMs: 1000 });
  });
  afterAll(async () => {
    useDatabase(undefined);
    await ctx?.cleanup();
  });
  beforeEach(async () => {
    await prisma.shop.deleteMany({});
    await prisma.session.deleteMany({});
  });

  const send = (topic: string, payload: unknown, options?: Parameters<typeof f.signedWebhook>[2]) =>
    receive(f.signedWebhook(topic, payload, options));

  it("stores a signed event once, answers 200, and the worker applies it", async () => {
    const response = await send("orders/create", f.order(9001, 77));
    expect(response.status).toBe(200);
    const stored = await prisma.webhookEvent.findMany({ where: { shop: SHOP } });
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({ topic: "orders/create", status: "pending", attempts: 0 });
    // The shop had no session: its row is created, because only Shopify can sign with our secret.
    expect(await prisma.shop.findUnique({ where: { domain: SHOP } })).toMatchObject({ domain: SHOP, uninstalledAt: null });

    expect(await worker.drain()).toMatchObject({ processed: 1, dead: 0 });
    const order = await prisma.order.findUniqueOrThrow({
      where: { shop_shopifyId: { shop: SHOP, shopifyId: "9001" } },
      include: { lineItems: true, customer: true, personal: true },
    });
    expect(order.totalPrice.toString()).toBe("51");
    expect(order.totalShipping.toString()).toBe("5");
    expect(order.lineItems.map((l) => [l.title, l.quantity, l.price.toString()])).toEqual([
      ["Café 501", 2, "18.5"],
      ["Tasse 502", 1, "9"],
    ]);
    expect(order.customer?.shopifyId).toBe("77");
    expect(order.personal?.email).toBe("jeanne.martin.77@example.com");
    expect((await prisma.webhookEvent.findFirstOrThrow({ where: { shop: SHOP } })).status).toBe("processed");
  });

  it("refuses a bad signature with 401 and stores nothing", async () => {
    const response = await send("orders/create", f.order(9002, 77), { secret: "not-the-secret" });
    expect(response.status).toBe(401);
    expect(await prisma.webhookEvent.count()).toBe(0);
    expect(await prisma.shop.count()).toBe(0);
  });

  it("refuses missing Shopify headers (400), other methods (405) and oversize bodies (413), storing nothing", async () => {
    expect((await send("orders/create", f.order(9003, 77), { headers: { "X-Shopify-Topic": null } })).status).toBe(400);
    expect((await send("orders/create", f.order(9003, 77), { headers: { "X-Shopify-Shop-Domain": null } })).status).toBe(400);
    expect((await receive(new Request("https://rapport.example.com/webhooks/orders", { method: "PUT", body: "{}" }))).status).toBe(405);
    const huge = { ...f.order(9004, 77), note: "x".repeat(3 * 1024 * 1024) };
    expect((await send("orders/create", huge)).status).toBe(413);
    expect(await prisma.webhookEvent.count()).toBe(0);
  });

  it("records a signed body that is not JSON as a dead event with its reason", async () => {
    const response = await send("orders/create", null, { body: "{not json" });
    expect(response.status).toBe(200);
    const event = await prisma.webhookEvent.findFirstOrThrow({ where: { shop: SHOP } });
    expect(event.status).toBe("dead");
    expect(event.lastError).toMatch(/^The body is not valid JSON/);
    expect(await worker.drain()).toMatchObject({ processed: 0 });
  });

  it("answers a duplicate delivery with 200 and adds nothing", async () => {
    const eventId = "dup-event-1";
    expect((await send("orders/create", f.order(9005, 77), { eventId })).status).toBe(200);
    expect((await send("orders/create", f.order(9005, 77), { eventId })).status).toBe(200);
    expect(await prisma.webhookEvent.count({ where: { shop: SHOP } })).toBe(1);
    await worker.drain();
    expect(await prisma.order.count({ where: { shop: SHOP } })).toBe(1);
    expect(await prisma.lineItem.count({ where: { shop: SHOP } })).toBe(2);
  });

  it("stores a burst of concurrent deliveries together, each exactly once", async () => {
    const deliveries = Array.from({ length: 60 }, (_, i) => ({ id: 9100 + (i % 50), eventId: `burst-${i % 50}` }));
    const responses = await Promise.all(deliveries.map((d) => send("orders/create", f.order(d.id, 77), { eventId: d.eventId })));
    expect(responses.map((r) => r.status)).toEqual(deliveries.map(() => 200));
    const texts = await Promise.all(responses.map((r) => r.text()));
    expect(texts.filter((t) => t === "Stored")).toHaveLength(50);
    expect(texts.filter((t) => t.startsWith("Duplicate"))).toHaveLength(10);
    expect(await prisma.webhookEvent.count({ where: { shop: SHOP } })).toBe(50);
    await worker.drain();
    expect(await prisma.order.count({ where: { shop: SHOP } })).toBe(50);
  });

  it("applies out-of-order and stale updates by newest wins", async () => {
    const created = f.order(9006, 77);
    const updated = { ...f.order(9006, 77), updated_at: "2026-02-02T09:00:00+01:00", tags: "gift", financial_status: "partially_refunded" };
    // orders/updated arrives before orders/create.
    await send("orders/updated", updated);
    await send("orders/create", created);
    await worker.drain();
    let order = await prisma.order.findFirstOrThrow({ where: { shop: SHOP, shopifyId: "9006" } });
    expect(order.tags).toEqual(["gift"]);
    expect(order.financialStatus).toBe("partially_refunded");
    // A late retry of an older version cannot roll the data back.
    await send("orders/updated", { ...created, updated_at: "2026-02-01T18:00:00+01:00", tags: "stale" });
    await worker.drain();
    order = await prisma.order.findFirstOrThrow({ where: { shop: SHOP, shopifyId: "9006" } });
    expect(order.tags).toEqual(["gift"]);
    expect(await prisma.lineItem.count({ where: { orderId: order.id } })).toBe(2);
  });

  it("keeps the numbers right through refunds, cancellation and deletion", async () => {
    await send("orders/create", f.order(9007, 77));
    await send("refunds/create", f.refund(7001, 9007, 90072, "9.00"));
    await worker.drain();
    let order = await prisma.order.findFirstOrThrow({ where: { shop: SHOP, shopifyId: "9007" } });
    expect(order.totalRefunded.toString()).toBe("9");
    // The same refund again (Shopify retry with a new event id) does not double-count.
    await send("refunds/create", f.refund(7001, 9007, 90072, "9.00"));
    await worker.drain();
    order = await prisma.order.findFirstOrThrow({ where: { shop: SHOP, shopifyId: "9007" } });
    expect(order.totalRefunded.toString()).toBe("9");
    expect(await prisma.refund.count({ where: { orderId: order.id } })).toBe(1);

    await send("orders/cancelled", {
      ...f.order(9007, 77),
      updated_at: "2026-02-06T10:00:00+01:00",
      cancelled_at: "2026-02-06T10:00:00+01:00",
      cancel_reason: "customer",
      financial_status: "refunded",
      refunds: [f.refund(7001, 9007, 90072, "9.00"), f.refund(7005, 9007, 90071, "42.00")],
    });
    await worker.drain();
    order = await prisma.order.findFirstOrThrow({ where: { shop: SHOP, shopifyId: "9007" } });
    expect(order.cancelledAt?.toISOString()).toBe("2026-02-06T09:00:00.000Z");
    expect(order.totalRefunded.toString()).toBe("51");

    await send("orders/delete", { id: 9007 });
    await worker.drain();
    expect(await prisma.order.count({ where: { shop: SHOP } })).toBe(0);
    // A late orders/updated for a deleted order cannot bring it back.
    await send("orders/updated", { ...f.order(9007, 77), updated_at: "2026-03-01T10:00:00+01:00" });
    await worker.drain();
    expect(await prisma.order.count({ where: { shop: SHOP } })).toBe(0);
  });

  it("retries a refund whose order has not arrived, with backoff, then applies it", async () => {
    await send("refunds/create", f.refund(7101, 9010, 90101, "18.50"));
    expect(await worker.drain()).toMatchObject({ retried: 1, processed: 0 });
    const waiting = await prisma.webhookEvent.findFirstOrThrow({ where: { shop: SHOP, topic: "refunds/create" } });
    expect(waiting).toMatchObject({ status: "pending", attempts: 1 });
    expect(waiting.lastError).toContain("order 9010 is not stored yet");
    expect(waiting.nextAttemptAt.getTime()).toBeGreaterThan(Date.now());

    await send("orders/create", f.order(9010, 77));
    await worker.drain();
    const later = new WebhookWorker({ prisma, clock: () => new Date(Date.now() + 60_000) });
    expect(await later.drain()).toMatchObject({ processed: 1 });
    const order = await prisma.order.findFirstOrThrow({ where: { shop: SHOP, shopifyId: "9010" } });
    expect(order.totalRefunded.toString()).toBe("18.5");
  });

  it("marks an event dead after the last attempt", async () => {
    const impatient = new WebhookWorker({ prisma, maxAttempts: 2, baseDelayMs: 0, maxDelayMs: 0 });
    await send("refunds/create", f.refund(7201, 9999, 99991, "1.00"));
    // No backoff: the second attempt is due at once, and it is the last.
    expect(await impatient.drain()).toMatchObject({ retried: 1, dead: 1 });
    expect(await impatient.drain()).toMatchObject({ retried: 0, dead: 0 });
    const dead = await prisma.webhookEvent.findFirstOrThrow({ where: { shop: SHOP } });
    expect(dead).toMatchObject({ status: "dead", attempts: 2 });
  });

  it("turns an invalid payload into a dead event with a readable reason, writing nothing", async () => {
    const bad = f.order(9011, 78);
    (bad.line_items[1] as Record<string, unknown>).price = "nine euros";
    await send("orders/create", bad);
    expect(await worker.drain()).toMatchObject({ dead: 1 });
    const event = await prisma.webhookEvent.findFirstOrThrow({ where: { shop: SHOP } });
    expect(event.lastError).toBe('Invalid orders/create payload: line_items.1.price: must be a decimal amount such as "42.50"');
    expect(await prisma.order.count({ where: { shop: SHOP } })).toBe(0);
    expect(await prisma.customer.count({ where: { shop: SHOP } })).toBe(0);
  });

  it("applies customers, products and checkouts", async () => {
    await send("products/create", f.product(501));
    await send("customers/create", f.customer(80));
    await send("customers/update", f.customer(80, { updated_at: "2026-01-11T10:00:00+01:00", tags: "VIP" }));
    await send("checkouts/create", f.checkout(3001, 80));
    await send("checkouts/update", f.checkout(3001, 80, { updated_at: "2026-02-01T12:00:00+01:00", completed_at: "2026-02-01T12:00:00+01:00" }));
    await send("orders/create", f.order(9012, 80));
    expect(await worker.drain()).toMatchObject({ processed: 6, dead: 0 });

    const customer = await prisma.customer.findFirstOrThrow({ where: { shop: SHOP, shopifyId: "80" }, include: { profile: true } });
    expect(customer.tags).toEqual(["VIP"]);
    expect(customer.profile?.email).toBe("jeanne.martin.80@example.com");
    const checkout = await prisma.checkout.findFirstOrThrow({ where: { shop: SHOP } });
    expect(checkout.completedAt).toEqual(new Date("2026-02-01T11:00:00Z")); // "2026-02-01T12:00:00+01:00"
    expect(checkout.customerId).toBe(customer.id);
    const lines = await prisma.lineItem.findMany({ where: { shop: SHOP }, orderBy: { shopifyId: "asc" } });
    expect(lines.map((l) => l.productType)).toEqual(["Café", null]);

    await send("products/update", f.product(502, { product_type: "Vaisselle", updated_at: "2025-12-02T09:00:00+01:00" }));
    await send("products/delete", { id: 501 });
    await send("customers/delete", { id: 80 });
    await worker.drain();
    expect((await prisma.lineItem.findMany({ where: { shop: SHOP }, orderBy: { shopifyId: "asc" } })).map((l) => l.productType)).toEqual([
      "Café",
      "Vaisselle",
    ]);
    expect(await prisma.product.count({ where: { shop: SHOP, shopifyId: "501" } })).toBe(0);
    expect(await prisma.customer.count({ where: { shop: SHOP } })).toBe(0);
    expect(await prisma.customerProfile.count()).toBe(0);
    // The order stays, without the link: revenue stays right.
    expect((await prisma.order.findFirstOrThrow({ where: { shop: SHOP } })).customerId).toBeNull();
  });

  it("handles app/uninstalled and app/scopes_update", async () => {
    await prisma.shop.create({ data: { domain: SHOP, scope: "read_orders" } });
    await prisma.session.create({ data: { id: `offline_${SHOP}`, shop: SHOP, state: "x", accessToken: "shpat_secret", scope: "read_orders" } });
    await send("app/scopes_update", {
      id: 1,
      previous: ["read_orders"],
      current: ["read_orders", "read_customers"],
      updated_at: "2026-02-01T10:00:00Z",
    });
    await worker.drain();
    expect((await prisma.session.findFirstOrThrow({ where: { shop: SHOP } })).scope).toBe("read_orders,read_customers");
    expect((await prisma.shop.findUniqueOrThrow({ where: { domain: SHOP } })).scope).toBe("read_orders,read_customers");

    await send(
      "app/uninstalled",
      { id: 1, name: "Webhook test", domain: SHOP },
      { headers: { "X-Shopify-Triggered-At": "2026-02-03T08:30:00.000Z" } },
    );
    await worker.drain();
    expect(await prisma.session.count({ where: { shop: SHOP } })).toBe(0);
    // Dated by Shopify's X-Shopify-Triggered-At header.
    expect((await prisma.shop.findUniqueOrThrow({ where: { domain: SHOP } })).uninstalledAt).toEqual(new Date("2026-02-03T08:30:00.000Z"));
  });

  it("answers 503 when the database cannot store the event, and stores the retry once", async () => {
    const down = openDatabase(
      backend === "postgres" ? { kind: "postgres", url: "postgresql://postgres@127.0.0.1:1/nowhere" } : { kind: "pglite", dataDir: null },
    );
    if (backend === "pglite") await down.close(); // a closed database refuses every query
    useDatabase(down);
    const eventId = "while-down";
    try {
      const response = await send("orders/create", f.order(9013, 77), { eventId });
      expect(response.status).toBe(503);
      expect(response.headers.get("Retry-After")).toBe("5");
    } finally {
      useDatabase(ctx.db);
      if (backend === "postgres") await down.close();
    }
    expect(await prisma.webhookEvent.count()).toBe(0);
    // Shopify retries the same event: it is stored and applied once.
    expect((await send("orders/create", f.order(9013, 77), { eventId })).status).toBe(200);
    await worker.drain();
    expect(await prisma.order.count({ where: { shop: SHOP, shopifyId: "9013" } })).toBe(1);
  });

  it("applies an event exactly once when a worker dies between claim and commit", async () => {
    await send("orders/create", f.order(9014, 77));
    const doomed = new WebhookWorker({ prisma, workerId: "doomed", leaseMs: 30_000 });
    const [claimed] = await doomed.claim();
    expect(claimed.topic).toBe("orders/create");
    // The doomed worker "dies" here. Before its lease runs out nobody else takes the event…
    const rescuer = new WebhookWorker({ prisma, workerId: "rescuer", leaseMs: 30_000, clock: () => new Date(Date.now() + 10_000) });
    expect(await rescuer.drain()).toMatchObject({ processed: 0 });
    // …after it, the event is taken again and applied.
    const later = new WebhookWorker({ prisma, workerId: "rescuer", leaseMs: 30_000, clock: () => new Date(Date.now() + 60_000) });
    expect(await later.drain()).toMatchObject({ processed: 1 });
    // If the doomed worker comes back, it finds the event no longer its own.
    expect(await doomed.processOne(claimed)).toBe("skipped");
    const event = await prisma.webhookEvent.findFirstOrThrow({ where: { shop: SHOP } });
    expect(event).toMatchObject({ status: "processed", attempts: 2 });
    expect(await prisma.lineItem.count({ where: { shop: SHOP } })).toBe(2);
  });
});
