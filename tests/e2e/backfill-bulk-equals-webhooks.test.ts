// The backfill's bulk path (batches of many objects, one stored-version read per batch, the
// next batch parsed while the previous one is written) stores exactly what the webhook path
// stores for the same objects: the simulator's bulk export, mapped once, is applied (a) by the
// backfill and (b) one object per transaction as webhook deliveries are; every column of every
// synced table is then compared (database ids replaced by the Shopify ids they point to).
import type { PrismaClient } from "@prisma/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AdminClient } from "~/lib/adminApi.server";
import { inTransaction } from "~/lib/transaction.server";
import type { CustomerPayload, OrderPayload, ProductPayload } from "~/lib/shopifyPayloads";
import { BULK_OPERATION_QUERY, type BulkOperationResponse } from "~/graphql/bulkOperation";
import { BULK_OPERATION_RUN_QUERY, type BulkOperationRunQueryPayload } from "~/graphql/bulkOperationRunQuery";
import { bulkCustomersQuery } from "~/graphql/bulkCustomers";
import { bulkOrdersQuery } from "~/graphql/bulkOrders";
import { bulkProductsQuery } from "~/graphql/bulkProducts";
import { countShopData } from "~/models/dataHealth.server";
import { runBackfill } from "~/services/backfill.server";
import { readBulkObjects } from "~/services/backfill/jsonl";
import { customerToPayload, orderToPayload, productToPayload, type GqlCustomer, type GqlOrder, type GqlProduct } from "~/services/backfill/mapper";
import { ensureShop, syncCustomers, syncOrders, syncProducts } from "~/services/sync.server";
import { DEFAULT_TOKEN, ShopifySimulator } from "../../cli/simulator/server";
import { BACKENDS, openMigrated } from "../helpers/db";

const SHOP = "rapport-demo.myshopify.com";
const SIZE = { customers: 90, orders: 400, products: 25, months: 12, endDate: new Date("2026-06-30T00:00:00Z") };

async function exportObjects(admin: AdminClient, query: string): Promise<Record<string, unknown>[]> {
  const started = await admin.request<{ bulkOperationRunQuery: BulkOperationRunQueryPayload }>(BULK_OPERATION_RUN_QUERY, { query });
  const id = started.bulkOperationRunQuery.bulkOperation!.id;
  for (;;) {
    const { bulkOperation } = await admin.request<BulkOperationResponse>(BULK_OPERATION_QUERY, { id });
    if (bulkOperation!.status === "COMPLETED") {
      const response = await fetch(bulkOperation!.url!);
      const out: Record<string, unknown>[] = [];
      for await (const { object } of readBulkObjects(response.body!)) out.push(object);
      return out;
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Every synced table's rows, without database ids and row timestamps; links by Shopify id. */
async function tables(prisma: PrismaClient) {
  const where = { shop: SHOP };
  const customers = await prisma.customer.findMany({ where, orderBy: { shopifyId: "asc" } });
  const orders = await prisma.order.findMany({ where, orderBy: { shopifyId: "asc" } });
  const refunds = await prisma.refund.findMany({ where, orderBy: { shopifyId: "asc" } });
  const customerOf = new Map(customers.map((c) => [c.id, c.shopifyId]));
  const orderOf = new Map(orders.map((o) => [o.id, o.shopifyId]));
  const refundOf = new Map(refunds.map((r) => [r.id, r.shopifyId]));
  const strip = <T extends Record<string, unknown>>(row: T) => {
    const { id: _id, createdAt: _c, updatedAt: _u, ...rest } = row as Record<string, unknown>;
    const out: Record<string, unknown> = { ...rest };
    if ("customerId" in out) out.customerId = out.customerId === null ? null : customerOf.get(out.customerId as number);
    if ("orderId" in out) out.orderId = orderOf.get(out.orderId as number);
    if ("refundId" in out) out.refundId = refundOf.get(out.refundId as number);
    return out;
  };
  const byKey = (key: string) => (a: Record<string, unknown>, b: Record<string, unknown>) => String(a[key]).localeCompare(String(b[key]));
  return JSON.parse(
    JSON.stringify({
      products: (await prisma.product.findMany({ where, orderBy: { shopifyId: "asc" } })).map(strip),
      customers: customers.map(strip),
      customerProfiles: (await prisma.customerProfile.findMany({ where })).map(strip).sort(byKey("customerId")),
      orders: orders.map(strip),
      orderPersonal: (await prisma.orderPersonal.findMany({ where })).map(strip).sort(byKey("orderId")),
      lineItems: (await prisma.lineItem.findMany({ where, orderBy: { shopifyId: "asc" } })).map(strip),
      refunds: refunds.map(strip),
      refundLineItems: (await prisma.refundLineItem.findMany({ where, orderBy: { shopifyId: "asc" } })).map(strip),
    }),
  );
}

describe.each(BACKENDS)("the backfill's bulk path stores what the webhooks store (%s)", (backend) => {
  let sim: ShopifySimulator;
  let admin: AdminClient;
  let payloads: { products: ProductPayload[]; customers: CustomerPayload[]; orders: OrderPayload[] };
  const opened: Array<() => Promise<void>> = [];

  async function freshDb() {
    const { db, cleanup } = await openMigrated(backend);
    opened.push(cleanup);
    return db.prisma;
  }

  beforeAll(async () => {
    sim = new ShopifySimulator({ ...SIZE, bulkChunk: 100 });
    const origin = await sim.start();
    admin = new AdminClient({ shop: SHOP, accessToken: DEFAULT_TOKEN, origin, retryBaseMs: 5 });
    payloads = {
      products: (await exportObjects(admin, bulkProductsQuery())).map((o) => productToPayload(o as unknown as GqlProduct)),
      customers: (await exportObjects(admin, bulkCustomersQuery())).map((o) => customerToPayload(o as unknown as GqlCustomer)),
      orders: (await exportObjects(admin, bulkOrdersQuery())).map((o) => orderToPayload(o as unknown as GqlOrder)),
    };
  }, 120_000);

  afterAll(async () => {
    await sim?.stop();
    for (const cleanup of opened) await cleanup();
  });

  // Its time limit guards against hangs, not speed: alone on PGlite this takes ≈ 3 minutes on 2
  // busy cores.
  it("same rows, column by column; a backfill over the webhooks' rows writes nothing", async () => {
    expect(payloads.orders.length).toBe(SIZE.orders);
    expect(payloads.orders.some((o) => (o.refunds ?? []).length > 0)).toBe(true);
    expect(payloads.orders.some((o) => !o.customer)).toBe(true);

    const bulk = await freshDb();
    const run = await runBackfill(bulk, admin, SHOP, { pollMs: 10, batchSize: 64, analyze: false });
    expect(run.counts.orders).toEqual({ created: SIZE.orders, updated: 0, unchanged: 0 });

    // One delivery per object, each in its own transaction, as the webhook worker applies them.
    const hooks = await freshDb();
    await ensureShop(hooks, SHOP);
    await hooks.shop.update({ where: { domain: SHOP }, data: { currency: sim.shop.currencyCode } });
    for (const p of payloads.products) await inTransaction(hooks, (tx) => syncProducts(tx, SHOP, [p], sim.shop.currencyCode));
    for (const c of payloads.customers) await inTransaction(hooks, (tx) => syncCustomers(tx, SHOP, [c]));
    for (const o of payloads.orders) await inTransaction(hooks, (tx) => syncOrders(tx, SHOP, [o]));

    const expected = await tables(hooks);
    expect(expected.lineItems.length).toBeGreaterThan(SIZE.orders);
    expect(expected.refundLineItems.length).toBeGreaterThan(0);
    expect(await tables(bulk)).toEqual(expected);
    // The tallies (triggers) move with the bulk path's COPYs as with the webhooks' upserts.
    const tally = await countShopData(hooks, SHOP);
    expect(tally.orders).toBeGreaterThan(0);
    expect(JSON.stringify(await countShopData(bulk, SHOP))).toBe(JSON.stringify(tally));

    // The backfill over what the webhooks stored: every object already up to date, nothing written.
    const again = await runBackfill(hooks, admin, SHOP, { pollMs: 10, batchSize: 64, analyze: false });
    expect(again.counts).toEqual({
      products: { created: 0, updated: 0, unchanged: SIZE.products },
      customers: { created: 0, updated: 0, unchanged: SIZE.customers },
      orders: { created: 0, updated: 0, unchanged: SIZE.orders },
    });
    expect(await tables(hooks)).toEqual(expected);
  }, 420_000);
});
