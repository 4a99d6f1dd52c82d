// The analytics scheduler (jobs/analyticsScheduler.server.ts) on both databases: debounce, max wait
// under continuous activity, serialized runs, the nightly run of installed shops, and
// requests before the scheduler starts. No timing thresholds: an injected clock drives the
// debounce arithmetic and the nightly hour, the hooks record which runs happened in which
// order, and the stored analyses are checked.
import type { PrismaClient } from "@prisma/client";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "~/lib/database.server";
import { setDatabase } from "~/lib/db.server";
import { scheduleAnalysis, startAnalyticsScheduler, stopAnalyticsScheduler, type SchedulerOptions } from "~/jobs/analyticsScheduler.server";
import type { AnalysisSummary } from "~/services/analytics.server";
import { ensureShop, syncOrders } from "~/services/sync.server";
import { orderPayload } from "~/lib/shopifyPayloads";
import { BACKENDS, openMigrated } from "../helpers/db";

const SHOPS = ["sched-a.myshopify.com", "sched-b.myshopify.com", "sched-c.myshopify.com"];
const GONE = "sched-gone.myshopify.com"; // uninstalled: not part of the nightly run
const HOUR = 3_600_000;

let orderSeq = 8000;
function order(customer: string, at: string, total: string) {
  const id = String(++orderSeq);
  return orderPayload.parse({
    id,
    name: `#${id}`,
    email: null,
    created_at: at,
    processed_at: at,
    updated_at: at,
    cancelled_at: null,
    currency: "EUR",
    total_price: total,
    subtotal_price: total,
    total_discounts: "0.00",
    total_tax: "0.00",
    test: false,
    customer: { id: customer, email: null, updated_at: "2026-01-01T00:00:00Z" },
    line_items: [{ id: `${id}1`, title: "Mug", quantity: 1, price: total }],
    refunds: [],
  });
}

/** Records the runs; `next(n)` resolves once n more runs have ended. */
function recorder() {
  const events: string[] = [];
  const ended: { shop: string; summary: AnalysisSummary | null }[] = [];
  let waiters: { count: number; resolve: () => void }[] = [];
  const hooks: Pick<SchedulerOptions, "onRunStart" | "onRunEnd"> = {
    onRunStart: (shop) => events.push(`start ${shop}`),
    onRunEnd: (shop, summary) => {
      events.push(`end ${shop}`);
      ended.push({ shop, summary });
      waiters = waiters.filter((w) => (ended.length >= w.count ? (w.resolve(), false) : true));
    },
  };
  const next = (n = 1) => new Promise<void>((resolve) => waiters.push({ count: ended.length + n, resolve }));
  return { events, ended, hooks, next };
}

describe.each(BACKENDS)("analytics scheduler on %s", (backend) => {
  let db: Database;
  let cleanup: () => Promise<void>;
  let prisma: PrismaClient;

  beforeAll(async () => {
    const opened = await openMigrated(backend);
    db = opened.db;
    cleanup = opened.cleanup;
    prisma = db.prisma;
    setDatabase(db);
    for (const [k, shop] of [...SHOPS, GONE].entries()) {
      await ensureShop(prisma, shop);
      await syncOrders(prisma, shop, [
        order(`${k}01`, "2026-10-01T10:00:00Z", "40.00"),
        order(`${k}01`, "2026-11-01T10:00:00Z", "60.00"),
        order(`${k}02`, "2026-11-10T10:00:00Z", "25.00"),
      ]);
    }
    await prisma.shop.update({ where: { domain: GONE }, data: { uninstalledAt: new Date("2026-11-01T00:00:00Z") } });
  });
  afterEach(async () => {
    await stopAnalyticsScheduler();
    await prisma.analysisSnapshot.deleteMany({});
  });
  afterAll(async () => {
    await stopAnalyticsScheduler();
    setDatabase(undefined);
    await cleanup?.();
  });

  const analysedAt = async (shop: string) =>
    (await prisma.analysisSnapshot.findMany({ where: { shop }, orderBy: { computedAt: "asc" } })).map((a) => a.computedAt.toISOString());

  it("debounces: several sync events for a shop give one analysis after the quiet time", async () => {
    const now = new Date("2026-11-22T12:00:00Z");
    const rec = recorder();
    // Nightly hour far from the clock's time: the nightly timer stays pending.
    startAnalyticsScheduler({ prisma, clock: () => now, debounceMs: 20, maxWaitMs: 10 * HOUR, ...rec.hooks });
    const done = rec.next(2);
    for (let i = 0; i < 5; i++) scheduleAnalysis(SHOPS[0]);
    for (let i = 0; i < 3; i++) scheduleAnalysis(SHOPS[1]);
    await done;
    await stopAnalyticsScheduler(); // waits for anything still queued
    expect(rec.events).toEqual([`start ${SHOPS[0]}`, `end ${SHOPS[0]}`, `start ${SHOPS[1]}`, `end ${SHOPS[1]}`]);
    expect(rec.ended.map((e) => e.summary?.customers)).toEqual([2, 2]);
    expect(await analysedAt(SHOPS[0])).toEqual([now.toISOString()]);
    expect(await analysedAt(SHOPS[1])).toEqual([now.toISOString()]);
    expect(await analysedAt(SHOPS[2])).toEqual([]);
  });

  it("runs at the latest maxWaitMs after the first event when activity never pauses", async () => {
    const t0 = new Date("2026-11-22T08:00:00Z").getTime();
    let now = t0;
    const rec = recorder();
    // A quiet time of an hour never elapses in this test: only the max wait can start the run.
    startAnalyticsScheduler({ prisma, clock: () => new Date(now), debounceMs: HOUR, maxWaitMs: 10 * HOUR, ...rec.hooks });
    const done = rec.next();
    // An event every 50 minutes (less than the quiet time) for 9 h 10 min: nothing runs.
    for (let k = 0; k <= 11; k++) {
      now = t0 + k * 50 * 60_000;
      scheduleAnalysis(SHOPS[2]);
    }
    // Let timers and queued work proceed: still nothing, the quiet time has not elapsed.
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(rec.events).toEqual([]);
    // The next event comes 10 h after the first: due now, whatever the quiet time.
    now = t0 + 10 * HOUR;
    scheduleAnalysis(SHOPS[2]);
    await done;
    await stopAnalyticsScheduler();
    expect(rec.events).toEqual([`start ${SHOPS[2]}`, `end ${SHOPS[2]}`]);
    expect(await analysedAt(SHOPS[2])).toEqual([new Date(t0 + 10 * HOUR).toISOString()]);
  });

  it("serializes runs: one analysis at a time, in request order, a shop already waiting is not queued twice", async () => {
    const now = new Date("2026-11-22T12:00:00Z");
    const rec = recorder();
    // No quiet time: every event queues its shop at once, behind the running analysis.
    startAnalyticsScheduler({ prisma, clock: () => now, debounceMs: 0, ...rec.hooks });
    const done = rec.next(3);
    scheduleAnalysis(SHOPS[1]);
    scheduleAnalysis(SHOPS[0]);
    scheduleAnalysis(SHOPS[0]); // SHOPS[0] is still waiting: that run will do
    scheduleAnalysis(SHOPS[2]);
    await done;
    expect(rec.ended.map((e) => e.summary?.shop ?? null)).toEqual([SHOPS[1], SHOPS[0], SHOPS[2]]);
    expect(rec.events).toEqual([SHOPS[1], SHOPS[0], SHOPS[2]].flatMap((s) => [`start ${s}`, `end ${s}`]));
    for (const shop of SHOPS) expect(await analysedAt(shop)).toEqual([now.toISOString()]);
    // Once its run is over, a shop is queued again by new activity.
    const again = rec.next();
    scheduleAnalysis(SHOPS[0]);
    await again;
    await stopAnalyticsScheduler();
    expect(rec.events.filter((e) => e === `start ${SHOPS[0]}`)).toHaveLength(2);
  });

  it("analyses every installed shop at its own nightly hour, one after the other", async () => {
    // The third shop chose 05:00 in its time zone (UTC); the others keep the default 03:00.
    await prisma.shop.update({ where: { domain: SHOPS[2] }, data: { settings: { analysisHour: 5 } } });
    const nightAt = async (hourUtc: number, runs: number) => {
      // The first reading of the clock (arming the wake-up) is 20 ms before the hour; every later
      // reading is 5 s after it, so the next wake-up is a quarter of an hour away.
      const before = new Date(Date.UTC(2026, 10, 23, hourUtc) - 20);
      const after = new Date(Date.UTC(2026, 10, 23, hourUtc, 0, 5));
      let reads = 0;
      const rec = recorder();
      const done = rec.next(runs);
      startAnalyticsScheduler({ prisma, clock: () => (reads++ === 0 ? before : after), debounceMs: HOUR, ...rec.hooks });
      await done;
      await stopAnalyticsScheduler();
      return { events: rec.events, after };
    };
    try {
      const three = await nightAt(3, 2);
      expect(three.events).toEqual(SHOPS.slice(0, 2).flatMap((s) => [`start ${s}`, `end ${s}`]));
      for (const shop of SHOPS.slice(0, 2)) expect(await analysedAt(shop)).toEqual([three.after.toISOString()]);
      expect(await analysedAt(SHOPS[2])).toEqual([]);
      expect(await analysedAt(GONE)).toEqual([]);
      const five = await nightAt(5, 1);
      expect(five.events).toEqual([`start ${SHOPS[2]}`, `end ${SHOPS[2]}`]);
      expect(await analysedAt(SHOPS[2])).toEqual([five.after.toISOString()]);
    } finally {
      await prisma.shop.update({ where: { domain: SHOPS[2] }, data: { settings: {} } });
    }
  });

  it("analyses shops with sync activity before the scheduler started once it starts, once each", async () => {
    const now = new Date("2026-11-22T12:00:00Z");
    scheduleAnalysis(SHOPS[1]);
    scheduleAnalysis(SHOPS[1]);
    const rec = recorder();
    const done = rec.next();
    startAnalyticsScheduler({ prisma, clock: () => now, debounceMs: 10, ...rec.hooks });
    await done;
    await stopAnalyticsScheduler();
    expect(rec.events).toEqual([`start ${SHOPS[1]}`, `end ${SHOPS[1]}`]);
    expect(await analysedAt(SHOPS[1])).toEqual([now.toISOString()]);
  });
});
