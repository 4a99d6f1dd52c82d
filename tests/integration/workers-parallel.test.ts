// Two worker processes draining one PostgreSQL inbox must never process the same event twice.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { insertWebhookEvents } from "~/models/webhookEvent.server";
import * as f from "../factories/shopify";
import { runCli } from "../helpers/cli";
import { openMigrated } from "../helpers/db";

const SHOP = "parallel-test.myshopify.com";
const EVENTS = 300;

describe("two workers in parallel on PostgreSQL", () => {
  let ctx: Awaited<ReturnType<typeof openMigrated>>;

  beforeAll(async () => {
    ctx = await openMigrated("postgres");
    // Three customers for 300 orders: both workers keep meeting the same customers.
    const fresh = await insertWebhookEvents(
      ctx.db.prisma,
      Array.from({ length: EVENTS }, (_, i) => ({
        shop: SHOP,
        topic: "orders/create",
        eventId: `evt-${i}`,
        webhookId: `wh-${i}`,
        apiVersion: "2026-10",
        triggeredAt: new Date(),
        payloadJson: JSON.stringify(f.order(20_000 + i, 600 + (i % 3))),
      })),
    );
    expect(fresh.every(Boolean)).toBe(true);
  });
  afterAll(async () => {
    await ctx?.cleanup();
  });

  it("splits the inbox between them: every event applied once", async () => {
    const env = { DATABASE_URL: ctx.test.url };
    const [a, b] = await Promise.all([runCli(["worker", "--once", "--batch", "5"], env), runCli(["worker", "--once", "--batch", "5"], env)]);
    expect(a.code, a.stderr).toBe(0);
    expect(b.code, b.stderr).toBe(0);
    const applied = [a, b].map((r) => Number(/: (\d+) applied/.exec(r.stdout)?.[1]));
    expect(applied[0] + applied[1]).toBe(EVENTS);
    // Both took part (each claims small batches, so neither can take everything at once).
    expect(Math.min(...applied)).toBeGreaterThan(0);

    const prisma = ctx.db.prisma;
    const events = await prisma.webhookEvent.groupBy({ by: ["status", "attempts"], _count: { _all: true } });
    expect(events).toEqual([{ status: "processed", attempts: 1, _count: { _all: EVENTS } }]);
    expect(await prisma.order.count({ where: { shop: SHOP } })).toBe(EVENTS);
    expect(await prisma.lineItem.count({ where: { shop: SHOP } })).toBe(EVENTS * 2);
    expect(await prisma.customer.count({ where: { shop: SHOP } })).toBe(3);
  });
});
