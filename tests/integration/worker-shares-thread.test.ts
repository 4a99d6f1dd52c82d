// The embedded worker on PGlite shares the one connection and the one thread with the webhook
// acknowledgements (ADR 007, "Sharing the thread"). Under a stream of signed deliveries that
// never pauses, it must still apply events and refresh their customers' metrics while the
// stream goes on, the acknowledgements must keep being answered between its batches, and no
// event may be lost or applied twice. Counts and order only: no timing thresholds.
import type { PrismaClient } from "@prisma/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BatchSizer, sliceFor, WebhookWorker } from "~/jobs/webhookWorker.server";
import { setDatabase } from "~/lib/db.server";
import { seedDemoShop } from "~/services/demo.server";
import * as f from "../factories/shopify";
import { useTestEnvironment } from "../helpers/app";
import { openMigrated } from "../helpers/db";

useTestEnvironment();
type Handler = (args: { request: Request; params: object; context: object }) => Promise<Response>;

const SHOP = "rapport-demo.myshopify.com";
const END = new Date("2026-11-20T00:00:00Z");
/**
 * Senders, each sending its next delivery PAUSE_MS after its last answer: a stream that never
 * leaves a lull, and leaves the thread time for the worker (a stream that takes the whole
 * thread gets the acknowledgements first, and the worker only its minimum share).
 */
const LANES = 4;
const PAUSE_MS = 20;
/** The stream stops once the worker has applied this many of its events… */
const APPLIED = 120;
/** …and refreshed this many of its customers' metrics; it fails after MAX_SENDS deliveries. */
const REFRESHED = 60;
const MAX_SENDS = 4000;

/** A migrated PGlite database with a seeded demo shop, and the orders webhook route on it. */
function useSeededPglite(shape: { customers: number; orders: number; products: number; months: number }) {
  const env = {} as { ctx: Awaited<ReturnType<typeof openMigrated>>; prisma: PrismaClient; receive: (request: Request) => Promise<Response> };
  beforeAll(async () => {
    env.ctx = await openMigrated("pglite");
    env.prisma = env.ctx.db.prisma;
    setDatabase(env.ctx.db);
    await seedDemoShop(env.prisma, { ...shape, endDate: END, now: END });
    const route = (await import("~/routes/webhooks.orders")) as { action: Handler };
    env.receive = (request) => route.action({ request, params: {}, context: {} });
  }, 120_000);
  afterAll(async () => {
    setDatabase(undefined);
    await env.ctx?.cleanup();
  });
  return env;
}

describe("the embedded worker on PGlite under a continuous stream of webhooks", () => {
  // A small demo shop, analysed: the incremental path has its frozen scoring.
  const env = useSeededPglite({ customers: 40, orders: 200, products: 12, months: 6 });

  it("applies events and refreshes metrics before the stream ends, answering every delivery, each event once", async () => {
    const { prisma, receive } = env;
    const worker = new WebhookWorker({ prisma, workerId: "shares-thread", yieldToIngestion: true, pollMs: 50 });
    worker.start();
    const customerOf = (i: number) => 900_000 + i;
    const orderOf = (i: number) => 800_000 + i;
    const statuses: number[] = [];
    /** worker.stats.batches when each acknowledgement came back, in answer order. */
    const batchesAtAck: number[] = [];
    let sends = 0;
    let stop = false;
    let appliedDuringStream = 0;
    let refreshedDuringStream = 0;

    const streamIds = () => Array.from({ length: sends }, (_, i) => String(orderOf(i)));
    async function check() {
      const customers = Array.from({ length: sends }, (_, i) => String(customerOf(i)));
      const [applied, refreshed] = await Promise.all([
        prisma.order.count({ where: { shop: SHOP, shopifyId: { in: streamIds() } } }),
        prisma.customerMetrics.count({ where: { shop: SHOP, customer: { shopifyId: { in: customers } } } }),
      ]);
      appliedDuringStream = applied;
      refreshedDuringStream = refreshed;
      if (applied >= APPLIED && refreshed >= REFRESHED) stop = true;
    }

    const lane = async () => {
      while (!stop && sends < MAX_SENDS) {
        const i = sends++;
        const response = await receive(f.signedWebhook("orders/create", f.order(orderOf(i), customerOf(i)), { shop: SHOP }));
        statuses.push(response.status);
        batchesAtAck.push(worker.stats.batches);
        // Every 25 answers, look at the database (through the same connection).
        if (statuses.length % 25 === 0) await check();
        await new Promise((resolve) => setTimeout(resolve, PAUSE_MS));
      }
    };
    await Promise.all(Array.from({ length: LANES }, lane));
    const sent = sends;

    // The worker kept up while the stream went on: not one lull was needed.
    expect(stop).toBe(true);
    expect(appliedDuringStream).toBeGreaterThanOrEqual(APPLIED);
    expect(refreshedDuringStream).toBeGreaterThanOrEqual(REFRESHED);
    expect(sent).toBeLessThan(MAX_SENDS);
    // Every delivery was answered 200, and answers kept coming between the worker's batches.
    expect(statuses).toEqual(Array.from({ length: sent }, () => 200));
    const batchesSeen = new Set(batchesAtAck.filter((b) => b > 0));
    expect(batchesSeen.size).toBeGreaterThanOrEqual(3);
    expect(worker.stats.turns).toBeGreaterThanOrEqual(worker.stats.batches);
    expect(worker.stats.deliveriesLetIn).toBeGreaterThan(0);
    // One refresh per batch at most (the batch's customers together), never one per event.
    expect(worker.stats.refreshes).toBeLessThanOrEqual(worker.stats.batches);

    await worker.stop();
    await worker.drain();
    // Each event stored once, applied once (one attempt), each order once, each customer refreshed.
    const events = await prisma.webhookEvent.findMany({ where: { shop: SHOP, topic: "orders/create" }, select: { status: true, attempts: true } });
    expect(events).toHaveLength(sent);
    expect(events.filter((e) => e.status === "processed" && e.attempts === 1)).toHaveLength(sent);
    expect(await prisma.order.count({ where: { shop: SHOP, shopifyId: { in: streamIds() } } })).toBe(sent);
    const metrics = await prisma.customerMetrics.findMany({
      where: { shop: SHOP, customer: { shopifyId: { in: Array.from({ length: sent }, (_, i) => String(customerOf(i))) } } },
      select: { frequency: true, monetary: true },
    });
    expect(metrics).toHaveLength(sent);
    expect(new Set(metrics.map((m) => `${m.frequency} ${m.monetary.toString()}`))).toEqual(new Set(["1 51"]));
  }, 300_000);
});

describe("the embedded worker on PGlite during a burst above burstRate", () => {
  const env = useSeededPglite({ customers: 20, orders: 60, products: 6, months: 3 });

  it("steps aside while the burst lasts (acknowledgements get the thread), then applies every event once", async () => {
    // A burst rate of 10 deliveries/s, so that four senders are a burst on any machine; a long
    // maxYieldMs, so that the worker's only way back in is the burst's end.
    const { prisma, receive } = env;
    const worker = new WebhookWorker({ prisma, workerId: "burst", yieldToIngestion: true, burstRate: 10, maxYieldMs: 600_000, pollMs: 50 });
    const orderOf = (i: number) => 700_000 + i;
    const TOTAL = 160;
    const statuses: number[] = [];
    let sends = 0;
    let started = false;
    const lane = async () => {
      while (sends < TOTAL) {
        const i = sends++;
        const response = await receive(f.signedWebhook("orders/create", f.order(orderOf(i), 600_000 + i), { shop: SHOP }));
        statuses.push(response.status);
        // The burst is on (40 deliveries answered): the worker starts in the middle of it.
        if (!started && statuses.length >= 40) {
          started = true;
          worker.start();
        }
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    };
    await Promise.all(Array.from({ length: 4 }, lane));
    const claimedDuringBurst = worker.stats.events;
    const waitsDuringBurst = worker.stats.burstWaits;

    expect(statuses).toEqual(Array.from({ length: TOTAL }, () => 200));
    expect(waitsDuringBurst).toBeGreaterThanOrEqual(1);
    expect(claimedDuringBurst).toBe(0);
    // The burst over (the rate falls under 10/s within a second), the worker catches up.
    const ids = Array.from({ length: TOTAL }, (_, i) => String(orderOf(i)));
    for (let tries = 0; tries < 600; tries++) {
      if ((await prisma.order.count({ where: { shop: SHOP, shopifyId: { in: ids } } })) === TOTAL) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await worker.stop();
    expect(await prisma.order.count({ where: { shop: SHOP, shopifyId: { in: ids } } })).toBe(TOTAL);
    const events = await prisma.webhookEvent.findMany({ where: { shop: SHOP, topic: "orders/create" }, select: { status: true, attempts: true } });
    expect(events.filter((e) => e.status === "processed" && e.attempts === 1)).toHaveLength(TOTAL);
  }, 300_000);
});

describe("batch sizes of a worker sharing the thread", () => {
  it("grows full batches that fit the slice (at most ×2), shrinks slow ones in proportion, within bounds", () => {
    const sizer = new BatchSizer(50, 5, 200, 25);
    expect(sizer.size()).toBe(25);
    sizer.observe(25, 20); // full and fast: ×2 at most
    expect(sizer.size()).toBe(50);
    sizer.observe(50, 40); // full, 50/40 of the slice left: 62
    expect(sizer.size()).toBe(62);
    sizer.observe(30, 30); // not full and within the slice: says nothing
    expect(sizer.size()).toBe(62);
    sizer.observe(62, 100); // twice the slice: half
    expect(sizer.size()).toBe(31);
    sizer.observe(10, 100); // not full but slow: shrinks to what fits
    expect(sizer.size()).toBe(5);
    sizer.observe(1, 1000); // never below the minimum
    expect(sizer.size()).toBe(5);
    for (let i = 0; i < 10; i++) sizer.observe(sizer.size(), 1);
    expect(sizer.size()).toBe(200); // never above the maximum
  });

  it("lengthens the slice while the worker lags (oldest event waited over 1 s), at most twice", () => {
    expect([0, 999, 1000, 1500, 2000, 60_000].map((waited) => sliceFor(100, waited))).toEqual([100, 100, 100, 150, 200, 200]);
    const sizer = new BatchSizer(100, 5, 250, 25);
    sizer.observe(25, 50, sliceFor(100, 3000)); // full, a quarter of a 200 ms slice: ×2 at most
    expect(sizer.size()).toBe(50);
    sizer.observe(50, 160, sliceFor(100, 3000)); // full, 200/160: 62
    expect(sizer.size()).toBe(62);
    sizer.observe(62, 300, sliceFor(100, 0)); // caught up: back to the 100 ms slice
    expect(sizer.size()).toBe(20);
  });
});
