// The backfill's COPY path (ADR 010) against the simulator on both databases: newest-wins with
// webhooks that land between batches and (PostgreSQL, where transactions run concurrently)
// inside a batch, and a malformed JSONL line named by its number with nothing of its batch applied.
import type { PrismaClient } from "@prisma/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AdminClient } from "~/lib/adminApi.server";
import { orderPayload } from "~/lib/shopifyPayloads";
import { BULK_OPERATION_QUERY, type BulkOperationResponse } from "~/graphql/bulkOperation";
import { BULK_OPERATION_RUN_QUERY, type BulkOperationRunQueryPayload } from "~/graphql/bulkOperationRunQuery";
import { bulkOrdersQuery } from "~/graphql/bulkOrders";
import { runBackfill, type Phase } from "~/services/backfill.server";
import { syncOrders } from "~/services/sync.server";
import { DEFAULT_TOKEN, ShopifySimulator } from "../../cli/simulator/server";
import type { SimOrder } from "../../cli/simulator/store";
import { BACKENDS, openMigrated } from "../helpers/db";

const SHOP = "rapport-demo.myshopify.com";
const SIZE = { customers: 60, orders: 300, products: 20, months: 12, endDate: new Date("2026-06-30T00:00:00Z") };
const BATCH = 50;
const FAST = { pollMs: 10, batchSize: BATCH, analyze: false } as const;

/** The orders export's lines, as the backfill reads them. */
async function orderLines(admin: AdminClient): Promise<string[]> {
  const started = await admin.request<{ bulkOperationRunQuery: BulkOperationRunQueryPayload }>(BULK_OPERATION_RUN_QUERY, {
    query: bulkOrdersQuery(),
  });
  const id = started.bulkOperationRunQuery.bulkOperation!.id;
  for (;;) {
    const { bulkOperation } = await admin.request<BulkOperationResponse>(BULK_OPERATION_QUERY, { id });
    if (bulkOperation!.status === "COMPLETED") return (await (await fetch(bulkOperation!.url!)).text()).split("\n").filter(Boolean);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const legacy = (gid: string) => gid.split("/").pop()!;

/** A webhook delivery of `order` at `updatedAt` with a recognisable tag and total. */
function webhookFor(order: SimOrder, updatedAt: number, tag: string) {
  return orderPayload.parse({
    id: legacy(order.id),
    name: order.name,
    created_at: order.createdAt,
    updated_at: new Date(updatedAt).toISOString(),
    currency: "EUR",
    total_price: "999.00",
    tags: tag,
    line_items: [],
  });
}

describe.each(BACKENDS)("the backfill's COPY path (%s)", (backend) => {
  let sim: ShopifySimulator;
  let admin: AdminClient;
  let orders: SimOrder[];
  const opened: Array<() => Promise<void>> = [];

  async function freshDb(): Promise<PrismaClient> {
    const { db, cleanup } = await openMigrated(backend);
    opened.push(cleanup);
    return db.prisma;
  }

  beforeAll(async () => {
    sim = new ShopifySimulator({ ...SIZE, bulkChunk: 100 });
    const origin = await sim.start();
    admin = new AdminClient({ shop: SHOP, accessToken: DEFAULT_TOKEN, origin, retryBaseMs: 5 });
    // Export order: the JSONL lists orders as the simulator holds them.
    const lines = await orderLines(admin);
    const ids = lines
      .map((l) => JSON.parse(l) as { id: string; __parentId?: string })
      .filter((o) => !o.__parentId)
      .map((o) => o.id);
    orders = ids.map((id) => sim.shop.orders.get(id)!);
    expect(orders.length).toBe(SIZE.orders);
  }, 120_000);

  afterAll(async () => {
    await sim?.stop();
    for (const cleanup of opened) await cleanup();
  });

  it("keeps a webhook newer than the export and overwrites an older one, landing between batches", async () => {
    const prisma = await freshDb();
    const newer = orders[180]; // in the 4th batch of orders
    const older = orders[230]; // in the 5th
    const paths: { phase: Phase; path: string }[] = [];
    let injected = false;
    const run = await runBackfill(prisma, admin, SHOP, {
      ...FAST,
      onBatch: (b) => paths.push({ phase: b.phase, path: b.path }),
      onCheckpoint: async (r) => {
        if (r.phase !== "orders" || injected) return;
        injected = true;
        await syncOrders(prisma, SHOP, [webhookFor(newer, Date.parse(newer.updatedAt) + 3_600_000, "newer-webhook")]);
        await syncOrders(prisma, SHOP, [webhookFor(older, Date.parse(older.updatedAt) - 3_600_000, "older-webhook")]);
      },
    });
    expect(run.counts.orders).toEqual({ created: SIZE.orders - 2, updated: 1, unchanged: 1 });
    const kept = await prisma.order.findFirstOrThrow({ where: { shop: SHOP, shopifyId: legacy(newer.id) } });
    expect(kept.tags).toEqual(["newer-webhook"]);
    expect(kept.totalPrice.toString()).toBe("999");
    const replaced = await prisma.order.findFirstOrThrow({ where: { shop: SHOP, shopifyId: legacy(older.id) }, include: { lineItems: true } });
    expect(replaced.tags).toEqual(older.tags);
    expect(replaced.totalPrice.toString()).toBe(String(Number(older.totalPriceSet.shopMoney.amount)));
    expect(replaced.lineItems.length).toBe(older.lineItems.length);
    // Only the batch with an order to update went through the webhook sync; the one with the newer webhook skipped it by COPY.
    const orderPaths = paths.filter((p) => p.phase === "orders").map((p) => p.path);
    expect(orderPaths).toEqual(["copy", "copy", "copy", "copy", "webhook-sync", "copy"]);
    expect(paths.filter((p) => p.phase !== "orders").every((p) => p.path === "copy")).toBe(true);
    expect(await prisma.order.count({ where: { shop: SHOP } })).toBe(SIZE.orders);
  }, 120_000);

  it("names a malformed line and applies nothing of its batch; a new export then completes", async () => {
    const prisma = await freshDb();
    const bad = orders.slice(110, 150).find((o) => o.lineItems.length >= 2)!; // the 3rd batch: orders 100–149
    const original = bad.lineItems[1].originalUnitPriceSet.shopMoney.amount;
    bad.lineItems[1].originalUnitPriceSet.shopMoney.amount = "12,50";
    try {
      const lines = await orderLines(admin);
      const lineNo = lines.findIndex((l) => l.includes(`"${bad.lineItems[1].id}"`)) + 1;
      expect(lineNo).toBeGreaterThan(0);
      const error = await runBackfill(prisma, admin, SHOP, FAST).catch((e: Error) => e);
      expect(error).toBeInstanceOf(Error);
      expect((error as Error).message).toBe(
        `bulk JSONL line ${lineNo}: order ${bad.id}: lineItems.1.originalUnitPriceSet.shopMoney.amount: must be a decimal amount such as "42.50"`,
      );
      const failed = await prisma.backfillRun.findFirstOrThrow({ where: { shop: SHOP } });
      expect(failed.status).toBe("failed");
      expect(failed.error).toBe((error as Error).message);
      // The two batches before it committed with their checkpoint; nothing of the bad one.
      expect(await prisma.order.count({ where: { shop: SHOP } })).toBe(100);
      expect(await prisma.order.count({ where: { shop: SHOP, shopifyId: { in: orders.slice(100, 150).map((o) => legacy(o.id)) } } })).toBe(0);
      expect((failed.progress as { orders: { done: number } }).orders.done).toBe(100);
    } finally {
      bad.lineItems[1].originalUnitPriceSet.shopMoney.amount = original;
    }
    // The export itself is malformed: resuming would read the same file. A new run exports again.
    const again = await runBackfill(prisma, admin, SHOP, { ...FAST, resume: false });
    expect(again.status).toBe("completed");
    expect(again.counts.orders).toEqual({ created: SIZE.orders - 100, updated: 0, unchanged: 100 });
    expect(await prisma.order.count({ where: { shop: SHOP } })).toBe(SIZE.orders);
  }, 120_000);

  it.runIf(backend === "postgres")(
    "a webhook committed between a batch's version read and its write: newest still wins",
    async () => {
      const prisma = await freshDb();
      const newer = orders[60]; // 2nd batch
      const older = orders[110]; // 3rd batch
      const paths: string[] = [];
      let batchNo = 0;
      const run = await runBackfill(prisma, admin, SHOP, {
        ...FAST,
        onBatch: (b) => {
          if (b.phase === "orders") paths.push(b.path);
        },
        // Another connection commits while the batch's transaction is open: its insert then meets the webhook's row.
        beforeBatchWrite: async (phase) => {
          if (phase !== "orders") return;
          batchNo++;
          if (batchNo === 2) await syncOrders(prisma, SHOP, [webhookFor(newer, Date.parse(newer.updatedAt) + 3_600_000, "newer-webhook")]);
          if (batchNo === 3) await syncOrders(prisma, SHOP, [webhookFor(older, Date.parse(older.updatedAt) - 3_600_000, "older-webhook")]);
        },
      });
      // The 2nd batch did not read the stored versions (a first backfill's batches skip it until one
      // meets a stored order): its COPY met the webhook's row, and it was redone reading them, by
      // COPY, keeping the newer row. The 3rd read them before the webhook committed: rolled back
      // and redone through the webhook sync.
      expect(paths).toEqual(["copy", "copy", "webhook-sync", "copy", "copy", "copy"]);
      expect(run.counts.orders).toEqual({ created: SIZE.orders - 2, updated: 1, unchanged: 1 });
      const kept = await prisma.order.findFirstOrThrow({ where: { shop: SHOP, shopifyId: legacy(newer.id) } });
      expect(kept.tags).toEqual(["newer-webhook"]);
      const replaced = await prisma.order.findFirstOrThrow({ where: { shop: SHOP, shopifyId: legacy(older.id) }, include: { lineItems: true } });
      expect(replaced.tags).toEqual(older.tags);
      expect(replaced.lineItems.length).toBe(older.lineItems.length);
      expect(await prisma.order.count({ where: { shop: SHOP } })).toBe(SIZE.orders);
    },
    120_000,
  );
});
