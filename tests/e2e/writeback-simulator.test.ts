// Write-back of segments and churn risk to the simulated Shopify, over real HTTP, both backends.
import type { PrismaClient } from "@prisma/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AdminClient } from "~/lib/adminApi.server";
import { runBackfill } from "~/services/backfill.server";
import { registerWriteBackContributor, runWriteBack, setWriteBackSettings, WriteBackDisabledError } from "~/services/writeBack.server";
import { ShopifySimulator, DEFAULT_TOKEN } from "../../cli/simulator/server";
import { BACKENDS, openMigrated } from "../helpers/db";

const SHOP = "rapport-demo.myshopify.com";
const SMALL = { customers: 80, orders: 400, products: 20, months: 12, endDate: new Date("2026-06-30T00:00:00Z") };
const NS = "app--1--rapport";

describe.each(BACKENDS)("write-back to the Admin API simulator (%s)", (backend) => {
  let sim: ShopifySimulator;
  let prisma: PrismaClient;
  let cleanup: () => Promise<void>;
  let admin: AdminClient;

  beforeAll(async () => {
    sim = new ShopifySimulator(SMALL);
    const origin = await sim.start();
    ({ cleanup } = await openMigrated(backend).then((o) => ({ cleanup: o.cleanup, db: (prisma = o.db.prisma) })));
    admin = new AdminClient({ shop: SHOP, accessToken: DEFAULT_TOKEN, origin, retryBaseMs: 5 });
    await runBackfill(prisma, admin, SHOP, { pollMs: 10, now: () => new Date("2026-06-30T12:00:00Z") });
  }, 180_000);

  afterAll(async () => {
    await sim?.stop();
    await cleanup?.();
  });

  it("is off by default", async () => {
    await expect(runWriteBack(prisma, admin, SHOP)).rejects.toBeInstanceOf(WriteBackDisabledError);
  });

  it("writes tags and metafields once, leaves merchant tags, and a rerun writes nothing", async () => {
    await setWriteBackSettings(prisma, SHOP, { enabled: true });
    const merchantTags = new Map([...sim.shop.customers.values()].map((c) => [c.id, [...c.tags]]));
    const metrics = await prisma.customerMetrics.findMany({ where: { shop: SHOP }, include: { customer: { select: { shopifyId: true } } } });
    expect(metrics.length).toBeGreaterThan(10);

    const first = await runWriteBack(prisma, admin, SHOP);
    const counts = first.counts as unknown as Record<string, number>;
    expect(counts.errors).toBe(0);
    expect(counts.changed).toBe(metrics.length);
    expect(counts.redactedSkipped).toBe(0);

    for (const m of metrics) {
      const c = sim.shop.customers.get(`gid://shopify/Customer/${m.customer.shopifyId}`)!;
      expect(c.tags).toContain(`rapport:${m.segment.replace(/_/g, "-")}`);
      for (const tag of merchantTags.get(c.id)!) expect(c.tags).toContain(tag);
      expect(c.metafields.get(`${NS}.rfm_segment`)?.value).toBe(m.segment);
      expect(c.metafields.get(`${NS}.rfm_score`)?.value).toBe(`${m.rScore}${m.fScore}${m.mScore}`);
      if (m.predictedClv12m) expect(c.metafields.get(`${NS}.predicted_clv`)?.value).toBe(Number(m.predictedClv12m).toFixed(2));
    }
    expect([...sim.metafieldDefinitions.values()].map((d) => d.key).sort()).toEqual(
      ["churn_risk", "expected_next_order", "nps_group", "p_alive", "predicted_clv", "rfm_score", "rfm_segment"].sort(),
    );

    const callsBefore = sim.requests.length;
    const again = await runWriteBack(prisma, admin, SHOP);
    expect((again.counts as unknown as Record<string, number>).changed).toBe(0);
    // Only the definitions (answered TAKEN) were sent again.
    expect(sim.requests.length - callsBefore).toBe(7);
  }, 120_000);

  it("moves a customer's segment tag, honours redaction, surfaces Shopify's refusals", async () => {
    const [moved, redacted, gone] = await prisma.customerMetrics.findMany({
      where: { shop: SHOP },
      include: { customer: true },
      take: 3,
      orderBy: { customerId: "asc" },
    });
    const oldTag = `rapport:${moved.segment.replace(/_/g, "-")}`;
    const newSegment = moved.segment === "lost" ? "champions" : "lost";
    await prisma.customerMetrics.update({ where: { customerId: moved.customerId }, data: { segment: newSegment } });
    await prisma.customerMetrics.update({ where: { customerId: redacted.customerId }, data: { segment: newSegment } });
    await prisma.customer.update({ where: { id: redacted.customerId }, data: { redactedAt: new Date() } });
    await prisma.customerMetrics.update({ where: { customerId: gone.customerId }, data: { segment: newSegment } });
    sim.shop.customers.delete(`gid://shopify/Customer/${gone.customer.shopifyId}`);

    const run = await runWriteBack(prisma, admin, SHOP);
    const counts = run.counts as unknown as Record<string, number>;
    expect(counts).toMatchObject({ changed: 2, redactedSkipped: 1, errors: 1, tagsAdded: 1, tagsRemoved: 1, metafields: 1 });
    const c = sim.shop.customers.get(`gid://shopify/Customer/${moved.customer.shopifyId}`)!;
    expect(c.tags).toContain(`rapport:${newSegment}`);
    expect(c.tags).not.toContain(oldTag);
    const r = sim.shop.customers.get(`gid://shopify/Customer/${redacted.customer.shopifyId}`)!;
    expect(r.metafields.get(`${NS}.rfm_segment`)?.value).toBe(redacted.segment);
    const stored = await prisma.backfillRun.findFirstOrThrow({ where: { shop: SHOP, kind: "writeback" }, orderBy: { id: "desc" } });
    expect(stored.error).toContain("tagsRemove: id: Resource not found");
  }, 120_000);

  it("writes what a contributor (NPS) adds, in the same calls", async () => {
    const target = await prisma.customerMetrics.findFirstOrThrow({
      where: { shop: SHOP, customer: { redactedAt: null } },
      include: { customer: true },
      orderBy: { customerId: "desc" },
    });
    const unregister = registerWriteBackContributor(
      async (_db, _shop, ids) =>
        new Map(
          ids.includes(target.customerId) ? [[target.customerId, { tags: ["rapport:nps-promoter"], metafields: { nps_group: "promoter" } }]] : [],
        ),
    );
    const run = await runWriteBack(prisma, admin, SHOP).finally(unregister);
    // The customer Shopify refused earlier is tried again (nothing was recorded as written for it).
    expect(run.counts as unknown as Record<string, number>).toMatchObject({ changed: 2, errors: 1, tagsAdded: 1, metafields: 1 });
    const c = sim.shop.customers.get(`gid://shopify/Customer/${target.customer.shopifyId}`)!;
    expect(c.tags).toContain("rapport:nps-promoter");
    expect(c.metafields.get(`${NS}.nps_group`)?.value).toBe("promoter");
  }, 120_000);
});
