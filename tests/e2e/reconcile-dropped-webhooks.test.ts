// The reconciliation test: the simulator shop's order and customer webhooks go through
// the real signed path (HMAC checked by Shopify's helper, the inbox, the worker) with a seeded
// random 5 % dropped and the rest shuffled; one reconciliation against the Admin API simulator
// then leaves the database equal to the simulator's shop, order by order, amount by amount.
import type { PrismaClient } from "@prisma/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seededRandom } from "~/domain/random";
import { WebhookWorker } from "~/jobs/webhookWorker.server";
import { AdminClient } from "~/lib/adminApi.server";
import { runReconcile } from "~/services/backfill.server";
import { generateDemoShop, type DemoShop, type ShopifyOrderPayload } from "~/services/demo/generator";
import { simShopOf, type SimShop } from "../../cli/simulator/store";
import { DEFAULT_TOKEN, ShopifySimulator } from "../../cli/simulator/server";
import { signedWebhook } from "../factories/shopify";
import { useDatabase, useTestEnvironment } from "../helpers/app";
import { BACKENDS, openMigrated } from "../helpers/db";

useTestEnvironment();
type Handler = (args: { request: Request; params: object; context: object }) => Promise<Response>;

const OPTIONS = { customers: 80, orders: 400, products: 20, months: 12, seed: 7, endDate: new Date("2026-06-30T00:00:00Z") };
const DROP_RATE = 0.05;

function shuffle<T>(items: T[], random: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

interface Delivery {
  topic: string;
  route: "orders" | "customers" | "refunds";
  payload: unknown;
}

/**
 * What Shopify sends over an order's life: orders/create with the order as first placed (paid, no
 * refund, not cancelled, updated when created), one refunds/create per refund, then the final
 * state as orders/cancelled or orders/updated.
 */
function orderDeliveries(order: ShopifyOrderPayload): Delivery[] {
  const changed = order.refunds.length > 0 || order.cancelled_at !== null;
  const placed = changed
    ? { ...order, refunds: [], cancelled_at: null, cancel_reason: null, financial_status: "paid", updated_at: order.created_at }
    : order;
  const out: Delivery[] = [{ topic: "orders/create", route: "orders", payload: placed }];
  for (const refund of order.refunds) out.push({ topic: "refunds/create", route: "refunds", payload: refund });
  if (order.cancelled_at) out.push({ topic: "orders/cancelled", route: "orders", payload: order });
  else if (order.refunds.length) out.push({ topic: "orders/updated", route: "orders", payload: order });
  return out;
}

const legacy = (id: string | null | undefined) => (id ? id.split("/").pop()! : null);
const cents = (value: { toString(): string } | string | number) => Math.round(Number(value.toString()) * 100);
const time = (value: Date | string | null) => (value === null ? null : new Date(value).toISOString());

/** The simulator's shop in the shape compared: orders with their amounts, refunds, customer and cancellation. */
function expectedOrders(shop: SimShop) {
  return [...shop.orders.values()]
    .map((o) => ({
      id: legacy(o.id),
      name: o.name,
      customer: legacy(o.customerId),
      processedAt: time(o.processedAt),
      cancelledAt: time(o.cancelledAt),
      cancelReason: o.cancelReason?.toLowerCase() ?? null,
      financialStatus: o.displayFinancialStatus.toLowerCase(),
      total: cents(o.totalPriceSet.shopMoney.amount),
      subtotal: cents(o.subtotalPriceSet.shopMoney.amount),
      discounts: cents(o.totalDiscountsSet.shopMoney.amount),
      tax: cents(o.totalTaxSet.shopMoney.amount),
      shipping: cents(o.totalShippingPriceSet.shopMoney.amount),
      refunded: o.refunds.reduce((sum, r) => sum + cents(r.totalRefundedSet.shopMoney.amount), 0),
      refunds: o.refunds
        .map((r) => ({ id: legacy(r.id), amount: cents(r.totalRefundedSet.shopMoney.amount) }))
        .sort((a, b) => a.id!.localeCompare(b.id!)),
      lines: o.lineItems
        .map((l) => ({ id: legacy(l.id), quantity: l.quantity, price: cents(l.originalUnitPriceSet.shopMoney.amount) }))
        .sort((a, b) => a.id!.localeCompare(b.id!)),
    }))
    .sort((a, b) => a.id!.localeCompare(b.id!));
}

async function storedOrders(prisma: PrismaClient, shop: string) {
  const rows = await prisma.order.findMany({
    where: { shop },
    include: { refunds: true, lineItems: true },
  });
  return rows
    .map((o) => ({
      id: o.shopifyId,
      name: o.name,
      customer: o.customerShopifyId,
      processedAt: time(o.processedAt),
      cancelledAt: time(o.cancelledAt),
      cancelReason: o.cancelReason?.toLowerCase() ?? null,
      financialStatus: o.financialStatus?.toLowerCase() ?? null,
      total: cents(o.totalPrice),
      subtotal: cents(o.subtotalPrice),
      discounts: cents(o.totalDiscounts),
      tax: cents(o.totalTax),
      shipping: cents(o.totalShipping),
      refunded: cents(o.totalRefunded),
      refunds: o.refunds.map((r) => ({ id: r.shopifyId, amount: cents(r.amount) })).sort((a, b) => a.id.localeCompare(b.id)),
      lines: o.lineItems.map((l) => ({ id: l.shopifyId, quantity: l.quantity, price: cents(l.price) })).sort((a, b) => a.id.localeCompare(b.id)),
    }))
    .sort((a, b) => a.id.localeCompare(b.id));
}

function expectedCustomers(shop: SimShop) {
  return [...shop.customers.values()]
    .map((c) => ({
      id: legacy(c.id),
      state: c.state.toLowerCase(),
      tags: [...c.tags].sort(),
      email: c.defaultEmailAddress?.emailAddress ?? null,
      firstName: c.firstName,
      lastName: c.lastName,
      emailMarketing: c.defaultEmailAddress?.marketingState.toLowerCase() ?? null,
    }))
    .sort((a, b) => a.id!.localeCompare(b.id!));
}

async function storedCustomers(prisma: PrismaClient, shop: string) {
  const rows = await prisma.customer.findMany({ where: { shop }, include: { profile: true } });
  return rows
    .map((c) => ({
      id: c.shopifyId,
      state: c.state?.toLowerCase() ?? null,
      tags: [...c.tags].sort(),
      email: c.profile?.email ?? null,
      firstName: c.profile?.firstName ?? null,
      lastName: c.profile?.lastName ?? null,
      emailMarketing: c.emailMarketingState?.toLowerCase() ?? null,
    }))
    .sort((a, b) => a.id.localeCompare(b.id));
}

describe.each(BACKENDS)("reconciliation repairs dropped and reordered webhooks (%s)", (backend) => {
  let ctx: Awaited<ReturnType<typeof openMigrated>>;
  let prisma: PrismaClient;
  let sim: ShopifySimulator;
  let origin: string;
  let demo: DemoShop;
  const routes: Record<string, Handler> = {};

  beforeAll(async () => {
    demo = generateDemoShop(OPTIONS);
    sim = new ShopifySimulator({ shop: simShopOf(demo), bulkChunk: 100 });
    origin = await sim.start();
    ctx = await openMigrated(backend);
    prisma = ctx.db.prisma;
    useDatabase(ctx.db);
    for (const name of ["orders", "customers", "refunds"])
      routes[name] = ((await import(`../../app/routes/webhooks.${name}.tsx`)) as { action: Handler }).action;
  }, 120_000);

  afterAll(async () => {
    useDatabase(undefined);
    await sim?.stop();
    await ctx?.cleanup();
  });

  it("one reconciliation after 5 % of the deliveries dropped and the rest shuffled leaves the database equal to the shop", async () => {
    const shop = demo.shop.domain;
    const all: Delivery[] = [
      ...demo.customers.map((c): Delivery => ({ topic: "customers/create", route: "customers", payload: c })),
      ...demo.orders.flatMap(orderDeliveries),
    ];
    const random = seededRandom(20261130);
    const dropCount = Math.round(all.length * DROP_RATE);
    const dropped = new Set(shuffle([...all.keys()], random).slice(0, dropCount));
    const delivered = shuffle(
      all.filter((_, i) => !dropped.has(i)),
      random,
    );
    expect(all.length).toBeGreaterThan(500);
    expect(delivered.length).toBe(all.length - dropCount);
    expect([...dropped].some((i) => all[i].topic === "orders/create")).toBe(true);
    expect([...dropped].some((i) => all[i].topic !== "orders/create")).toBe(true);

    // Through the real routes, signed, a few at a time (the inbox commits concurrent deliveries together).
    for (let i = 0; i < delivered.length; i += 25) {
      const responses = await Promise.all(
        delivered.slice(i, i + 25).map((d) =>
          routes[d.route]({
            request: signedWebhook(d.topic, d.payload, { shop, url: `https://rapport.example.com/webhooks/${d.route}` }),
            params: {},
            context: {},
          }),
        ),
      );
      expect(responses.map((r) => r.status)).toEqual(responses.map(() => 200));
    }
    expect(await prisma.webhookEvent.count({ where: { shop } })).toBe(delivered.length);
    const worker = new WebhookWorker({ prisma, workerId: `reconcile-${backend}`, baseDelayMs: 60_000, incremental: false });
    const drained = await worker.drain();
    expect(drained.dead).toBe(0);

    // The webhooks alone left the database short of the shop.
    const expected = { orders: expectedOrders(sim.shop), customers: expectedCustomers(sim.shop) };
    const before = { orders: await storedOrders(prisma, shop), customers: await storedCustomers(prisma, shop) };
    expect(before.orders.length).toBeLessThan(expected.orders.length);
    expect(before).not.toEqual(expected);

    const admin = new AdminClient({ shop, accessToken: DEFAULT_TOKEN, origin, retryBaseMs: 5 });
    const run = await runReconcile(prisma, admin, shop, { pollMs: 10, batchSize: 100, analyze: false });
    expect(run.status).toBe("completed");
    const repaired = (p: "orders" | "customers") => run.counts[p]!.created + run.counts[p]!.updated;
    expect(run.counts.orders!.created).toBe(expected.orders.length - before.orders.length);
    // Orders whose refund or cancellation was lost are stale, not missing.
    expect(run.counts.orders!.updated).toBeGreaterThan(0);
    // A customer whose customers/create was lost came in through an order, without tags or
    // consent (Shopify's embedded copy has none) and without a version: the reconciliation completes it.
    expect(repaired("customers")).toBe([...dropped].filter((i) => all[i].topic === "customers/create").length);

    const after = { orders: await storedOrders(prisma, shop), customers: await storedCustomers(prisma, shop) };
    expect(after.orders.length).toBe(expected.orders.length);
    expect(after.customers.length).toBe(expected.customers.length);
    for (let i = 0; i < expected.orders.length; i++) expect(after.orders[i], `order ${expected.orders[i].id}`).toEqual(expected.orders[i]);
    expect(after.customers).toEqual(expected.customers);

    // Refunds that came before their order wait in the inbox; applied after the repair, they change nothing.
    const later = new WebhookWorker({
      prisma,
      workerId: `reconcile-${backend}-later`,
      incremental: false,
      clock: () => new Date(Date.now() + 24 * 3600_000),
    });
    expect((await later.drain()).dead).toBe(0);
    expect({ orders: await storedOrders(prisma, shop), customers: await storedCustomers(prisma, shop) }).toEqual(expected);
  }, 180_000);
});
