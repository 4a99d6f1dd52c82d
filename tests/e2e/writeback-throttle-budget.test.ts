// The write-back against a tiny cost budget (a bucket of 30 points, 10 points/s restored) on a
// VirtualClock shared by the simulator and the client, with real time stopped: every figure then
// follows from the sequence of calls alone, so they are asserted exactly. The client must pace
// itself (no THROTTLED), spend 10 points per mutation and nothing else, fill every metafieldsSet
// call with 25 metafields but the last, and finish (points − bucket + 1) / restore rate seconds
// after it started: the one point is the margin it waits for beyond the call's cost.
import type { PrismaClient } from "@prisma/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AdminClient } from "~/lib/adminApi.server";
import { runBackfill } from "~/services/backfill.server";
import { registerWriteBackContributor, runWriteBack, setWriteBackSettings } from "~/services/writeBack.server";
import { DEFAULT_TOKEN, ShopifySimulator } from "../../cli/simulator/server";
import { VirtualClock } from "../../cli/simulator/virtualClock";
import { BACKENDS, openMigrated } from "../helpers/db";

const SHOP = "rapport-demo.myshopify.com";
const NS = "app--1--rapport";
const BUCKET = 30;
const RESTORE_RATE = 10;
const START = Date.parse("2026-06-30T12:00:00Z");

type Counts = Record<string, number>;

describe.each(BACKENDS)("write-back under a tiny cost budget on a virtual clock (%s)", (backend) => {
  let sim: ShopifySimulator;
  let clock: VirtualClock;
  let prisma: PrismaClient;
  let cleanup: () => Promise<void>;
  let admin: AdminClient;

  beforeAll(async () => {
    clock = new VirtualClock({ start: START, realTime: false });
    sim = new ShopifySimulator({ customers: 50, orders: 250, products: 10, months: 12, endDate: new Date("2026-06-30T00:00:00Z"), clock });
    const origin = await sim.start();
    ({ cleanup } = await openMigrated(backend).then((o) => ({ cleanup: o.cleanup, db: (prisma = o.db.prisma) })));
    admin = new AdminClient({ shop: SHOP, accessToken: DEFAULT_TOKEN, origin, clock });
    // The backfill's bulk queries need Shopify's usual budget; the write-back gets the tiny one.
    await runBackfill(prisma, admin, SHOP, { pollMs: 10, now: () => new Date(START) });
    await setWriteBackSettings(prisma, SHOP, { enabled: true });
    sim.maximumAvailable = BUCKET;
    sim.restoreRate = RESTORE_RATE;
    sim.refillBuckets();
  }, 180_000);

  afterAll(async () => {
    await sim?.stop();
    await cleanup?.();
  });

  /** Runs a write-back from a full bucket with a fresh client on the shared clock; what the simulator saw. */
  async function measured() {
    sim.refillBuckets();
    const writer = new AdminClient({ shop: SHOP, accessToken: DEFAULT_TOKEN, origin: sim.origin, clock });
    const first = sim.requests.length;
    const t0 = clock.now();
    const sleeps0 = clock.sleeps;
    const run = await runWriteBack(prisma, writer, SHOP);
    const calls = sim.requests.slice(first);
    return {
      counts: run.counts as unknown as Counts,
      calls,
      points: calls.reduce((sum, c) => sum + (c.throttled ? 0 : c.cost), 0),
      elapsedMs: clock.now() - t0,
      sleeps: clock.sleeps - sleeps0,
      writer,
    };
  }

  it("paces itself to the budget: no THROTTLED, 10 points a call, (points − bucket + 1) / rate seconds", async () => {
    const customersWithMetrics = await prisma.customerMetrics.count({ where: { shop: SHOP } });
    const { counts, calls, points, elapsedMs, sleeps, writer } = await measured();

    // What Shopify holds now, counted on the simulator's side.
    const written = [...sim.shop.customers.values()].reduce((n, c) => n + [...c.metafields.keys()].filter((k) => k.startsWith(`${NS}.`)).length, 0);
    expect(counts).toMatchObject({ changed: customersWithMetrics, errors: 0, metafields: written });
    const metafieldCalls = Math.ceil(written / 25);
    expect(calls.filter((c) => c.operationName === "RapportMetafieldsSet")).toHaveLength(metafieldCalls);
    expect(calls.filter((c) => c.operationName === "RapportTagsAdd")).toHaveLength(customersWithMetrics);
    expect(calls.filter((c) => c.operationName === "RapportMetafieldDefinitionCreate")).toHaveLength(7);
    expect(calls).toHaveLength(7 + customersWithMetrics + metafieldCalls);
    expect(calls.filter((c) => c.throttled)).toEqual([]);
    expect(writer.stats.throttled).toBe(0);
    expect(points).toBe(10 * calls.length);

    // The first 3 calls spend the bucket; every later one waits for its 10 points (the first of
    // them 1 point longer, the margin), and nothing else takes time on a stopped clock.
    expect(sleeps).toBe(calls.length - BUCKET / 10);
    expect(elapsedMs).toBe(((points - BUCKET + 1) / RESTORE_RATE) * 1000);
  }, 120_000);

  it("after a refused metafieldsSet, the next run sends exactly the customers of that call, whole", async () => {
    // A new analysis: several metafields change per customer, so calls of 25 split customers.
    await prisma.customerMetrics.updateMany({ where: { shop: SHOP }, data: { rScore: 1, pAlive: 0.5, predictedClv12m: 1 } });
    const ids = (await prisma.customerMetrics.findMany({ where: { shop: SHOP }, select: { customerId: true }, orderBy: { customerId: "asc" } })).map(
      (m) => m.customerId,
    );
    const bad = ids[Math.floor(ids.length / 2)];
    // A value Shopify refuses for a date_time metafield: the whole call is refused (atomic).
    const unregister = registerWriteBackContributor(
      async (_db, _shop, page) => new Map(page.includes(bad) ? [[bad, { metafields: { expected_next_order: "not a date" } }]] : []),
    );
    const before = new Date();
    const refused = await measured().finally(unregister);
    const changedFirst = refused.counts.changed;
    expect(refused.counts.errors).toBeGreaterThanOrEqual(1);
    expect(refused.calls.filter((c) => c.throttled)).toEqual([]);
    const saved = await prisma.writeBackState.count({ where: { shop: SHOP, writtenAt: { gte: before } } });
    const stored = await prisma.backfillRun.findFirstOrThrow({ where: { shop: SHOP, kind: "writeback" }, orderBy: { id: "desc" } });
    // One call refused, for the one bad value (its index depends on where the call starts).
    expect(stored.error).toMatch(/^metafieldsSet: metafields\.\d+\.value: Value is invalid for type date_time\.$/);

    const repaired = await measured();
    // Exactly the customers of the refused call were left unsaved and are sent again, whole.
    expect(repaired.counts).toMatchObject({ changed: refused.counts.errors, errors: 0 });
    expect(saved).toBe(changedFirst - refused.counts.errors);
    const state = await prisma.writeBackState.findUniqueOrThrow({ where: { customerId: bad } });
    const badCustomer = await prisma.customer.findUniqueOrThrow({ where: { id: bad }, include: { metrics: true } });
    const shopify = sim.shop.customers.get(`gid://shopify/Customer/${badCustomer.shopifyId}`)!;
    expect(shopify.metafields.get(`${NS}.rfm_score`)?.value).toBe(`1${badCustomer.metrics!.fScore}${badCustomer.metrics!.mScore}`);
    expect(shopify.metafields.get(`${NS}.p_alive`)?.value).toBe("0.5000");
    expect(shopify.metafields.get(`${NS}.expected_next_order`)?.value).not.toBe("not a date");
    expect((state.metafields as Record<string, string>).rfm_score).toBe(shopify.metafields.get(`${NS}.rfm_score`)?.value);

    const again = await measured();
    expect(again.counts.changed).toBe(0);
    expect(again.calls.map((c) => c.operationName)).toEqual(Array(7).fill("RapportMetafieldDefinitionCreate"));
  }, 120_000);
});
