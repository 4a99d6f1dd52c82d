// A worker that dies while holding claims must not make its events wait out the 5-minute lease
// (ADR 006). PGlite: the next start releases every claim. PostgreSQL: a live worker releases the
// claims of workers whose liveness lock is gone, and never those of a worker that is alive.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { WebhookWorker } from "~/jobs/webhookWorker.server";
import { workerLiveness } from "~/lib/workerLiveness.server";
import { insertWebhookEvents } from "~/models/webhookEvent.server";
import * as f from "../factories/shopify";
import { BACKENDS, openMigrated } from "../helpers/db";

const SHOP = "recovery-test.myshopify.com";
const EVENTS = 12;

describe.each(BACKENDS)("claims of a dead worker on %s", (backend) => {
  let ctx: Awaited<ReturnType<typeof openMigrated>>;
  const target = () => ctx.db.target;
  let batch = 0;

  beforeAll(async () => {
    ctx = await openMigrated(backend);
  });
  afterAll(async () => {
    await ctx?.cleanup();
  });
  beforeEach(async () => {
    batch++;
    await ctx.db.prisma.webhookEvent.deleteMany({});
    await insertWebhookEvents(
      ctx.db.prisma,
      Array.from({ length: EVENTS }, (_, i) => ({
        shop: SHOP,
        topic: "orders/create",
        eventId: `evt-${batch}-${i}`,
        webhookId: `wh-${batch}-${i}`,
        apiVersion: "2026-10",
        triggeredAt: new Date(),
        payloadJson: JSON.stringify(f.order(batch * 1000 + i, 700)),
      })),
    );
  });

  const statuses = async () =>
    (await ctx.db.prisma.webhookEvent.groupBy({ by: ["status"], _count: { _all: true }, orderBy: { status: "asc" } })).map((g) => [
      g.status,
      g._count._all,
    ]);

  it("applies them at once in the next worker, well inside the lease", async () => {
    // The first worker claims everything, then dies before applying anything.
    const dying = new WebhookWorker({ prisma: ctx.db.prisma, liveness: workerLiveness(target()), batchSize: EVENTS });
    await dying.recoverOrphanedClaims(); // takes its liveness lock, as a running worker does
    expect(await dying.claim()).toHaveLength(EVENTS);
    await dying.stop(); // its liveness lock goes as its connection closes, like a killed process
    expect(await statuses()).toEqual([["processing", EVENTS]]);

    const next = new WebhookWorker({ prisma: ctx.db.prisma, liveness: workerLiveness(target()), leaseMs: 5 * 60_000 });
    expect(await next.drain()).toEqual({ processed: EVENTS, retried: 0, dead: 0, skipped: 0 });
    await next.stop();
    expect(await statuses()).toEqual([["processed", EVENTS]]);
    // The crash used one attempt: the events were claimed twice.
    const attempts = await ctx.db.prisma.webhookEvent.findMany({ select: { attempts: true } });
    expect(attempts.map((a) => a.attempts)).toEqual(Array(EVENTS).fill(2));
  });

  it.runIf(backend === "postgres")("leaves the claims of a worker that is alive", async () => {
    const alive = new WebhookWorker({ prisma: ctx.db.prisma, liveness: workerLiveness(target()), batchSize: EVENTS });
    await alive.recoverOrphanedClaims();
    expect(await alive.claim()).toHaveLength(EVENTS);

    const other = new WebhookWorker({ prisma: ctx.db.prisma, liveness: workerLiveness(target()) });
    expect(await other.drain()).toEqual({ processed: 0, retried: 0, dead: 0, skipped: 0 });
    await other.stop();
    const owners = await ctx.db.prisma.webhookEvent.findMany({ select: { status: true, lockedBy: true } });
    expect(owners).toEqual(Array(EVENTS).fill({ status: "processing", lockedBy: alive.workerId }));
    await alive.stop();
  });

  it("without liveness, a claim waits for its lease as before", async () => {
    const dying = new WebhookWorker({ prisma: ctx.db.prisma, batchSize: EVENTS });
    expect(await dying.claim()).toHaveLength(EVENTS);
    const other = new WebhookWorker({ prisma: ctx.db.prisma, leaseMs: 5 * 60_000 });
    expect(await other.drain()).toEqual({ processed: 0, retried: 0, dead: 0, skipped: 0 });
    expect(await statuses()).toEqual([["processing", EVENTS]]);
  });
});
