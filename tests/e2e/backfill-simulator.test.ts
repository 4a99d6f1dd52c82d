// The backfill and the reconciliation end to end, over real HTTP against the local Admin API
// simulator (the only stand-in: Shopify's network edge), on both database backends.
import type { PrismaClient } from "@prisma/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AdminClient, UserErrorsError } from "~/lib/adminApi.server";
import { runBackfill, runReconcile } from "~/services/backfill.server";
import { seedDemoShop } from "~/services/demo.server";
import { syncOrders } from "~/services/sync.server";
import { orderPayload } from "~/lib/shopifyPayloads";
import { TAGS_ADD } from "~/graphql/tagsAdd";
import { ShopifySimulator, DEFAULT_TOKEN, ALL_SCOPES } from "../../cli/simulator/server";
import { BACKENDS, openMigrated } from "../helpers/db";

const SHOP = "rapport-demo.myshopify.com";
const SMALL = { customers: 120, orders: 600, products: 30, months: 12, endDate: new Date("2026-06-30T00:00:00Z") };
const FAST = { pollMs: 10, batchSize: 50, analyze: false } as const;

/** Everything a backfill and the demo seed both write, without database ids. */
async function snapshot(prisma: PrismaClient, shop: string) {
  const products = await prisma.product.findMany({
    where: { shop },
    orderBy: { shopifyId: "asc" },
    select: {
      shopifyId: true,
      handle: true,
      title: true,
      status: true,
      productType: true,
      vendor: true,
      tags: true,
      priceMin: true,
      priceMax: true,
      available: true,
      imageUrl: true,
    },
  });
  const customers = await prisma.customer.findMany({
    where: { shop },
    orderBy: { shopifyId: "asc" },
    // emailMarketingState too: an order's embedded customer (no consent in Shopify's shape) no longer erases it.
    select: {
      shopifyId: true,
      state: true,
      emailMarketingState: true,
      countryCode: true,
      tags: true,
      shopifyUpdatedAt: true,
      profile: { select: { email: true, firstName: true, lastName: true } },
    },
  });
  const orders = await prisma.order.findMany({
    where: { shop },
    orderBy: { shopifyId: "asc" },
    select: {
      shopifyId: true,
      name: true,
      customerShopifyId: true,
      processedAt: true,
      cancelledAt: true,
      cancelReason: true,
      financialStatus: true,
      fulfillmentStatus: true,
      totalPrice: true,
      subtotalPrice: true,
      totalDiscounts: true,
      totalTax: true,
      totalShipping: true,
      totalRefunded: true,
      test: true,
      tags: true,
      shopifyUpdatedAt: true,
      lineItems: {
        orderBy: { shopifyId: "asc" },
        select: { shopifyId: true, productShopifyId: true, quantity: true, price: true, totalDiscount: true, productType: true, sku: true },
      },
      refunds: {
        orderBy: { shopifyId: "asc" },
        select: { shopifyId: true, amount: true, processedAt: true, lineItems: { select: { shopifyId: true, quantity: true, subtotal: true } } },
      },
    },
  });
  return JSON.parse(JSON.stringify({ products, customers, orders }));
}

describe.each(BACKENDS)("backfill against the Admin API simulator (%s)", (backend) => {
  let sim: ShopifySimulator;
  let origin: string;
  let expected: ReturnType<typeof snapshot> extends Promise<infer T> ? T : never;
  const opened: Array<() => Promise<void>> = [];

  async function freshDb() {
    const { db, cleanup } = await openMigrated(backend);
    opened.push(cleanup);
    return db.prisma;
  }
  const client = (options: Partial<ConstructorParameters<typeof AdminClient>[0]> = {}) =>
    new AdminClient({ shop: SHOP, accessToken: DEFAULT_TOKEN, origin, retryBaseMs: 5, ...options });

  beforeAll(async () => {
    sim = new ShopifySimulator({ ...SMALL, bulkChunk: 50 });
    origin = await sim.start();
    const seeded = await freshDb();
    await seedDemoShop(seeded, { ...SMALL, analyze: false });
    expected = await snapshot(seeded, SHOP);
  }, 120_000);

  afterAll(async () => {
    await sim?.stop();
    for (const cleanup of opened) await cleanup();
  });

  it("a full backfill equals the demo seed, and a second run changes nothing", async () => {
    const prisma = await freshDb();
    const run = await runBackfill(prisma, client(), SHOP, FAST);
    expect(run.status).toBe("completed");
    expect(run.progress).toEqual({
      products: { done: SMALL.products, total: SMALL.products },
      customers: { done: SMALL.customers, total: SMALL.customers },
      orders: { done: SMALL.orders, total: SMALL.orders },
    });
    expect(run.ordersLimited).toBe(false);
    const got = await snapshot(prisma, SHOP);
    expect(got.products.length).toBe(expected.products.length);
    expect(got.customers.length).toBe(expected.customers.length);
    expect(got.orders.length).toBe(expected.orders.length);
    expect(got).toEqual(expected);

    const again = await runBackfill(prisma, client(), SHOP, { ...FAST, resume: false });
    expect(again.counts.orders).toEqual({ created: 0, updated: 0, unchanged: SMALL.orders });
    expect(await snapshot(prisma, SHOP)).toEqual(expected);
  }, 120_000);

  it("resumes after a crash from its checkpoint and ends equal to the seed", async () => {
    const prisma = await freshDb();
    let checkpoints = 0;
    await expect(
      runBackfill(prisma, client(), SHOP, {
        ...FAST,
        onCheckpoint: (run) => {
          if (run.phase === "orders" && ++checkpoints === 3) throw new Error("simulated crash");
        },
      }),
    ).rejects.toThrow("simulated crash");
    const partial = await prisma.backfillRun.findFirstOrThrow({ where: { shop: SHOP } });
    expect(partial.status).toBe("failed");
    expect(partial.phase).toBe("orders");
    expect(partial.lineOffset).toBeGreaterThan(0);
    expect(await prisma.order.count({ where: { shop: SHOP } })).toBe(150);

    const resumed = await runBackfill(prisma, client(), SHOP, FAST);
    expect(resumed.id).toBe(partial.id);
    expect(resumed.status).toBe("completed");
    // The orders before the checkpoint were not read again.
    expect(resumed.counts.orders).toEqual({ created: SMALL.orders, updated: 0, unchanged: 0 });
    expect(await snapshot(prisma, SHOP)).toEqual(expected);
  }, 120_000);

  it("splits a large shop's orders into date ranges exported one ahead of the import; a crash mid-range resumes there", async () => {
    const prisma = await freshDb();
    const ranged = { ...FAST, ordersPerExport: 150 };
    let checkpoints = 0;
    await expect(
      runBackfill(prisma, client(), SHOP, {
        ...ranged,
        onCheckpoint: (run) => {
          if (run.phase === "orders" && ++checkpoints === 7) throw new Error("simulated crash");
        },
      }),
    ).rejects.toThrow("simulated crash");
    const partial = await prisma.backfillRun.findFirstOrThrow({ where: { shop: SHOP }, orderBy: { id: "desc" } });
    const plan = partial.exportPlan as { units: Array<{ phase: string; search?: string }>; unit: number; ahead: { unit: number } | null };
    // 600 orders at 150 per export: four creation-date ranges, the first open below, the last above.
    expect(plan.units.map((u) => u.phase)).toEqual(["products", "customers", "orders", "orders", "orders", "orders"]);
    expect(plan.units[2].search).toMatch(/^created_at:<'\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ'$/);
    expect(plan.units[5].search).toMatch(/^created_at:>='[^']+'$/);
    expect(plan.unit).toBeGreaterThan(2);
    const stored = await prisma.order.count({ where: { shop: SHOP } });
    expect(stored).toBeGreaterThan(0);
    expect(stored).toBeLessThan(SMALL.orders);

    const resumed = await runBackfill(prisma, client(), SHOP, ranged);
    expect(resumed.id).toBe(partial.id);
    expect(resumed.status).toBe("completed");
    // Every order was in exactly one range, and those committed before the crash were not read again.
    expect(resumed.counts.orders).toEqual({ created: SMALL.orders, updated: 0, unchanged: 0 });
    expect(resumed.progress.orders).toEqual({ done: SMALL.orders, total: SMALL.orders });
    expect(await snapshot(prisma, SHOP)).toEqual(expected);
  }, 120_000);

  it("retries THROTTLED, 5xx, dropped connections, an expired bulk URL and a cut download", async () => {
    const prisma = await freshDb();
    // Earlier tests drained the shared simulator's bucket: only the injected throttle may count.
    sim.refillBuckets();
    sim.faults.push(
      { kind: "throttle" },
      { kind: "http", status: 502 },
      { kind: "reset" },
      { kind: "http", status: 503 },
      { kind: "bulk-expired" },
      { kind: "bulk-cut", afterLines: 7 },
    );
    const admin = client();
    const run = await runBackfill(prisma, admin, SHOP, FAST);
    expect(sim.faults).toEqual([]);
    expect(run.status).toBe("completed");
    // The injected throttle drains the bucket as a real one would: the next operations may meet
    // a real THROTTLED too, depending on timing. Every one was waited out and retried.
    expect(admin.stats.throttled).toBeGreaterThanOrEqual(1);
    expect(admin.stats.retried).toBe(3);
    expect(await snapshot(prisma, SHOP)).toEqual(expected);
  }, 120_000);

  it("surfaces userErrors instead of swallowing them", async () => {
    const error = await client()
      .mutate(TAGS_ADD, "tagsAdd", { id: "gid://shopify/Customer/1", tags: ["rapport:test"] })
      .catch((e) => e);
    expect(error).toBeInstanceOf(UserErrorsError);
    expect((error as UserErrorsError).userErrors).toEqual([{ field: ["id"], message: "Resource not found" }]);
  });

  it("a webhook newer than the export wins; reconcile repairs a missed order", async () => {
    const prisma = await freshDb();
    // A webhook applied mid-backfill carries a newer version of an order the export has not reached yet.
    const simOrder = [...sim.shop.orders.values()].sort((a, b) => Number(b.id.split("/").pop()) - Number(a.id.split("/").pop()))[0];
    const legacy = simOrder.id.split("/").pop()!;
    let injected = false;
    await runBackfill(prisma, client(), SHOP, {
      ...FAST,
      onCheckpoint: async (run) => {
        if (run.phase !== "orders" || injected) return;
        injected = true;
        expect(await prisma.order.findFirst({ where: { shop: SHOP, shopifyId: legacy } })).toBeNull();
        const webhook = orderPayload.parse({
          id: legacy,
          name: simOrder.name,
          created_at: simOrder.createdAt,
          updated_at: new Date(Date.parse(simOrder.updatedAt) + 3600_000).toISOString(),
          currency: "EUR",
          total_price: "999.00",
          tags: "from-webhook",
          line_items: [],
        });
        await syncOrders(prisma, SHOP, [webhook]);
      },
    });
    expect(injected).toBe(true);
    const kept = await prisma.order.findFirstOrThrow({ where: { shop: SHOP, shopifyId: legacy } });
    expect(kept.tags).toEqual(["from-webhook"]);
    expect(kept.totalPrice.toString()).toBe("999");

    // An order Shopify has but whose webhook never came, and one edited after the last run.
    const missing = [...sim.shop.orders.values()][20];
    await prisma.order.deleteMany({ where: { shop: SHOP, shopifyId: missing.id.split("/").pop()! } });
    const edited = [...sim.shop.orders.values()][30];
    edited.tags = [...edited.tags, "edited-in-admin"];
    sim.touch(edited.id, new Date(Date.now() + 1000));
    sim.touch(missing.id, new Date(Date.now() + 1000));
    const run = await runReconcile(prisma, client(), SHOP, FAST);
    expect(run.status).toBe("completed");
    expect(run.counts.orders).toEqual({ created: 1, updated: 1, unchanged: 0 });
    const repaired = await prisma.order.findFirstOrThrow({ where: { shop: SHOP, shopifyId: edited.id.split("/").pop()! } });
    expect(repaired.tags).toContain("edited-in-admin");
    expect(await prisma.order.count({ where: { shop: SHOP } })).toBe(SMALL.orders);
    expect((await prisma.order.findFirstOrThrow({ where: { shop: SHOP, shopifyId: legacy } })).tags).toEqual(["from-webhook"]);
  }, 120_000);

  it("reconciliation refreshes the shop's name, currency and time zone from the Admin API", async () => {
    const prisma = await freshDb();
    await runBackfill(prisma, client(), SHOP, FAST);
    const before = { name: sim.shop.name, currencyCode: sim.shop.currencyCode, ianaTimezone: sim.shop.ianaTimezone };
    const read = () => prisma.shop.findUniqueOrThrow({ where: { domain: SHOP }, select: { name: true, currency: true, ianaTimezone: true } });
    expect(await read()).toEqual({ name: before.name, currency: before.currencyCode, ianaTimezone: before.ianaTimezone });
    try {
      // The merchant renamed the shop and moved it while no shop/update webhook reached us.
      Object.assign(sim.shop, { name: "Maison Rapport Montréal", currencyCode: "CAD", ianaTimezone: "America/Toronto" });
      const run = await runReconcile(prisma, client(), SHOP, FAST);
      expect(run.status).toBe("completed");
      expect(await read()).toEqual({ name: "Maison Rapport Montréal", currency: "CAD", ianaTimezone: "America/Toronto" });
    } finally {
      Object.assign(sim.shop, before);
    }
  }, 120_000);

  it("reconciliation checks the webhook subscriptions and records the missing ones", async () => {
    const prisma = await freshDb();
    await runBackfill(prisma, client(), SHOP, FAST);
    expect((await runReconcile(prisma, client(), SHOP, FAST)).webhookCheck).toEqual({ listed: 16, missing: [] });
    const all = sim.webhookSubscriptions;
    try {
      sim.webhookSubscriptions = all.filter((w) => w.topic !== "REFUNDS_CREATE");
      const run = await runReconcile(prisma, client(), SHOP, FAST);
      expect(run.webhookCheck).toEqual({ listed: 15, missing: ["refunds/create"] });
      const stored = await prisma.backfillRun.findFirstOrThrow({ where: { shop: SHOP, kind: "reconcile" }, orderBy: { id: "desc" } });
      expect(stored.webhookCheck).toEqual({ listed: 15, missing: ["refunds/create"] });
      // The app-specific subscriptions of shopify.app.toml are not listed by the API: not "all missing".
      sim.webhookSubscriptions = [];
      expect((await runReconcile(prisma, client(), SHOP, FAST)).webhookCheck).toEqual({ listed: 0, missing: null });
    } finally {
      sim.webhookSubscriptions = all;
    }
  }, 120_000);

  it("without read_all_orders, backfills the last 60 days and says so", async () => {
    const prisma = await freshDb();
    sim.tokens.set("limited", { scopes: ALL_SCOPES.filter((s) => s !== "read_all_orders") });
    const run = await runBackfill(prisma, client({ accessToken: "limited" }), SHOP, FAST);
    expect(run.ordersLimited).toBe(true);
    const cutoff = Date.now() - 60 * 86_400_000;
    const visible = [...sim.shop.orders.values()].filter((o) => Date.parse(o.createdAt) >= cutoff).length;
    expect(await prisma.order.count({ where: { shop: SHOP } })).toBe(visible);
    expect(visible).toBeLessThan(SMALL.orders);
  }, 120_000);
});
