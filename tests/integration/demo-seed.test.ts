import { createHash } from "node:crypto";
import type { PrismaClient } from "@prisma/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seedDemoShop } from "~/services/demo.server";
import { BACKENDS, openMigrated } from "../helpers/db";

const SHOP = "rapport-demo.myshopify.com";
const SMALL = { customers: 120, orders: 900, products: 40, months: 12, endDate: new Date("2026-06-30T00:00:00Z") };

/** A digest of everything seeded for the shop, independent of database-generated ids. */
async function fingerprint(prisma: PrismaClient): Promise<string> {
  const hash = createHash("sha256");
  const products = await prisma.product.findMany({
    where: { shop: SHOP },
    orderBy: { shopifyId: "asc" },
    omit: { id: true, createdAt: true, updatedAt: true },
  });
  const customers = await prisma.customer.findMany({
    where: { shop: SHOP },
    orderBy: { shopifyId: "asc" },
    omit: { id: true, createdAt: true, updatedAt: true },
    include: { profile: { omit: { customerId: true } } },
  });
  const orders = await prisma.order.findMany({
    where: { shop: SHOP },
    orderBy: { shopifyId: "asc" },
    omit: { id: true, customerId: true, createdAt: true, updatedAt: true },
    include: {
      lineItems: { orderBy: { shopifyId: "asc" }, omit: { id: true, orderId: true } },
      refunds: { orderBy: { shopifyId: "asc" }, omit: { id: true, orderId: true, createdAt: true } },
      personal: { omit: { orderId: true } },
    },
  });
  const checkouts = await prisma.checkout.findMany({
    where: { shop: SHOP },
    orderBy: { shopifyId: "asc" },
    omit: { id: true, customerId: true, createdAt: true, updatedAt: true },
  });
  const spend = await prisma.marketingSpend.findMany({ where: { shop: SHOP }, orderBy: { month: "asc" }, select: { month: true, amount: true } });
  const nps = await prisma.npsResponse.findMany({
    where: { shop: SHOP },
    orderBy: [{ createdAt: "asc" }, { id: "asc" }],
    omit: { id: true, customerId: true },
    include: { followUp: { omit: { id: true, responseId: true, updatedAt: true } } },
  });
  for (const part of [products, customers, orders, checkouts, spend, nps]) hash.update(JSON.stringify(part));
  return hash.digest("hex");
}

describe.each(BACKENDS)("demo seed on %s", (backend) => {
  const dbs: Awaited<ReturnType<typeof openMigrated>>[] = [];
  beforeAll(async () => {
    for (let i = 0; i < 3; i++) dbs.push(await openMigrated(backend));
  });
  afterAll(async () => {
    for (const db of dbs) await db.cleanup();
  });

  it("seeds a shop that looks like a real one, through the sync service", async () => {
    const { prisma } = dbs[0].db;
    const result = await seedDemoShop(prisma, { ...SMALL, seed: 7 });
    expect(result.seeded).toBe(true);
    expect(result.products).toBe(SMALL.products);
    // Seed 7 is deterministic: exact counts (guests include the 2 test orders).
    expect(result).toMatchObject({ customers: 120, orders: 900, checkouts: 2920 });

    const shop = await prisma.shop.findUniqueOrThrow({ where: { domain: SHOP } });
    expect(shop).toMatchObject({ currency: "EUR", ianaTimezone: "Europe/Paris" });
    expect(await prisma.order.count({ where: { shop: SHOP } })).toBe(900);
    expect(await prisma.order.count({ where: { shop: SHOP, test: true } })).toBe(2);
    expect(await prisma.order.count({ where: { shop: SHOP, customerId: null } })).toBe(110);
    expect(await prisma.order.count({ where: { shop: SHOP, cancelledAt: { not: null } } })).toBe(22);
    expect(await prisma.refund.count({ where: { shop: SHOP } })).toBe(37);
    expect(await prisma.checkout.count({ where: { shop: SHOP, completedAt: null } })).toBe(2083);
    expect(await prisma.lineItem.count({ where: { shop: SHOP } })).toBe(2206);
    // Every line item got its product type from the catalogue.
    expect(await prisma.lineItem.count({ where: { shop: SHOP, productType: null } })).toBe(0);
    // Refund totals on orders agree with the refund rows.
    const [fromOrders, fromRefunds] = await Promise.all([
      prisma.order.aggregate({ where: { shop: SHOP }, _sum: { totalRefunded: true } }),
      prisma.refund.aggregate({ where: { shop: SHOP }, _sum: { amount: true } }),
    ]);
    expect(fromOrders._sum.totalRefunded?.toString()).toBe("2017.95");
    expect(fromRefunds._sum.amount?.toString()).toBe("2017.95");
    // NPS history of seed 7 (added with the survey, issue 10): 20 answers (13 from order
    // e-mail links), scores summing to 171, 2 detractor follow-ups; every identified answer
    // is linked to its synced customer.
    expect(result).toMatchObject({ npsAnswers: 20, npsFollowUps: 2 });
    expect(await prisma.npsResponse.count({ where: { shop: SHOP, source: "email" } })).toBe(13);
    expect((await prisma.npsResponse.aggregate({ where: { shop: SHOP }, _sum: { score: true } }))._sum.score).toBe(171);
    expect(await prisma.npsFollowUp.count({ where: { shop: SHOP } })).toBe(2);
    expect(await prisma.npsResponse.count({ where: { shop: SHOP, customerShopifyId: { not: null }, customerId: null } })).toBe(0);
  });

  it("does nothing when the shop already has orders, unless forced", async () => {
    const { prisma } = dbs[0].db;
    const before = await fingerprint(prisma);
    const again = await seedDemoShop(prisma, { ...SMALL, seed: 7 });
    expect(again).toMatchObject({ seeded: false, products: 40, customers: 120, orders: 900, checkouts: 2920 });
    expect(await fingerprint(prisma)).toBe(before);
  });

  it("is deterministic: same seed, same data; another seed, other data", async () => {
    await seedDemoShop(dbs[1].db.prisma, { ...SMALL, seed: 7 });
    await seedDemoShop(dbs[2].db.prisma, { ...SMALL, seed: 8 });
    const [a, b, c] = await Promise.all(dbs.map((d) => fingerprint(d.db.prisma)));
    expect(b).toBe(a);
    expect(c).not.toBe(a);

    // --force replaces the shop's data with the requested seed.
    await seedDemoShop(dbs[2].db.prisma, { ...SMALL, seed: 7, force: true });
    expect(await fingerprint(dbs[2].db.prisma)).toBe(a);
  });
});
