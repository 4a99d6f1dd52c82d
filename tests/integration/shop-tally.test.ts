// The Data page's counts and sums come from ShopTally (rows written by triggers on every write
// statement, migration shop_tally) instead of a scan of the orders. On both databases, through
// every kind of write the app makes (sync upserts, cancellation, refunds, test orders, deletes,
// bulk inserts, another shop's rows), the tally must equal an aggregate of the tables, exactly,
// and folding its rows must change nothing.
import type { PrismaClient } from "@prisma/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "~/lib/database.server";
import { setDatabase } from "~/lib/db.server";
import { orderPayload } from "~/lib/shopifyPayloads";
import { COUNT_CAP, countListedCustomers } from "~/models/customerList.server";
import { countShopData, foldShopTally } from "~/models/dataHealth.server";
import { getDataHealth } from "~/services/dataHealth.server";
import { deleteCustomer, deleteOrder, ensureShop, syncOrders } from "~/services/sync.server";
import { BACKENDS, openMigrated } from "../helpers/db";

const SHOP = "tally.myshopify.com";
const OTHER = "tally-other.myshopify.com";

function order(id: string, customer: string | null, total: string, opts: { cancelled?: boolean; test?: boolean; day?: number } = {}) {
  const when = new Date(Date.UTC(2026, 9, opts.day ?? 1, 12)).toISOString();
  return orderPayload.parse({
    id,
    name: `#${id}`,
    email: null,
    created_at: when,
    processed_at: when,
    updated_at: when,
    cancelled_at: opts.cancelled ? when : null,
    currency: "EUR",
    total_price: total,
    subtotal_price: total,
    total_discounts: "0.00",
    total_tax: "0.00",
    test: opts.test ?? false,
    customer: customer ? { id: customer, email: null, updated_at: "2026-01-01T00:00:00Z" } : null,
    line_items: [{ id: `${id}1`, title: "Tea", quantity: 1, price: total }],
    refunds: [],
  });
}

/** What the Data page showed before the tally: an aggregate of the tables. */
async function oracle(prisma: PrismaClient, shop: string) {
  const [row] = await prisma.$queryRawUnsafe<Record<string, unknown>[]>(
    `SELECT (SELECT count(*)::int FROM "Customer" WHERE shop = $1) AS customers,
            (SELECT count(*)::int FROM "Order" WHERE shop = $1 AND NOT test) AS orders,
            (SELECT count(*)::int FROM "Order" WHERE shop = $1 AND NOT test AND "cancelledAt" IS NOT NULL) AS "cancelledOrders",
            (SELECT count(*)::int FROM "Product" WHERE shop = $1) AS products,
            (SELECT count(*)::int FROM "Checkout" WHERE shop = $1) AS checkouts,
            (SELECT coalesce(sum("totalPrice"), 0)::text FROM "Order" WHERE shop = $1 AND NOT test AND "cancelledAt" IS NULL) AS gross,
            (SELECT coalesce(sum("totalRefunded"), 0)::text FROM "Order" WHERE shop = $1 AND NOT test AND "cancelledAt" IS NULL) AS refunded`,
    shop,
  );
  return row;
}

async function tallied(prisma: PrismaClient, shop: string) {
  const d = await countShopData(prisma, shop);
  return {
    customers: d.customers,
    orders: d.orders,
    cancelledOrders: d.cancelledOrders,
    products: d.products,
    checkouts: d.checkouts,
    gross: d.grossRevenue.toFixed(4),
    refunded: d.refunded.toFixed(4),
  };
}

async function tallyRows(prisma: PrismaClient, shop: string) {
  const [row] = await prisma.$queryRawUnsafe<{ n: number }[]>(`SELECT count(*)::int AS n FROM "ShopTally" WHERE shop = $1`, shop);
  return row.n;
}

const fixed = (row: Record<string, unknown>) => ({ ...row, gross: Number(row.gross).toFixed(4), refunded: Number(row.refunded).toFixed(4) });

describe.each(BACKENDS)("shop tally on %s", (backend) => {
  let db: Database;
  let cleanup: () => Promise<void>;
  let prisma: PrismaClient;

  beforeAll(async () => {
    const opened = await openMigrated(backend);
    db = opened.db;
    cleanup = opened.cleanup;
    prisma = db.prisma;
    setDatabase(db);
    for (const shop of [SHOP, OTHER]) await ensureShop(prisma, shop);
  });

  afterAll(async () => {
    setDatabase(undefined);
    await cleanup();
  });

  it("starts at zero, with no first or last order", async () => {
    const health = await getDataHealth(SHOP);
    expect(health).toMatchObject({
      customers: 0,
      orders: 0,
      cancelledOrders: 0,
      products: 0,
      checkouts: 0,
      grossRevenue: "0.00",
      refunded: "0.00",
      netRevenue: "0.00",
      firstOrderAt: null,
      lastOrderAt: null,
    });
  });

  it("follows synced orders, a cancellation, a refund, a test order, deletes and another shop", async () => {
    await syncOrders(prisma, SHOP, [
      order("1", "11", "40.00", { day: 3 }),
      order("2", "11", "35.50", { day: 5 }),
      order("3", "12", "20.00", { day: 9, cancelled: true }),
      order("4", null, "12.25", { day: 2, test: true }),
      order("5", "13", "99.99", { day: 20 }),
    ]);
    await syncOrders(prisma, OTHER, [order("1", "11", "1000.00")]);
    // Updated in Shopify: a new total, then cancelled; a refund on another order.
    await syncOrders(prisma, SHOP, [order("2", "11", "36.50", { day: 5 })]);
    await syncOrders(prisma, SHOP, [order("5", "13", "99.99", { day: 20, cancelled: true })]);
    await prisma.order.updateMany({ where: { shop: SHOP, shopifyId: "1" }, data: { totalRefunded: "10.0000" } });
    await deleteOrder(prisma, SHOP, "2", new Date());
    await deleteCustomer(prisma, SHOP, "12", new Date());
    await prisma.product.createMany({
      data: [1, 2, 3].map((i) => ({ shop: SHOP, shopifyId: String(i), handle: `p${i}`, title: `P${i}`, status: "active", currency: "EUR" })),
    });
    await prisma.product.deleteMany({ where: { shop: SHOP, shopifyId: "3" } });
    await prisma.checkout.createMany({
      data: [1, 2].map((i) => ({
        shop: SHOP,
        shopifyId: String(i),
        token: `t${i}`,
        totalPrice: "5.00",
        currency: "EUR",
        shopifyCreatedAt: new Date(),
      })),
    });

    expect(await tallied(prisma, SHOP)).toEqual(fixed(await oracle(prisma, SHOP)));
    expect(await tallied(prisma, OTHER)).toEqual(fixed(await oracle(prisma, OTHER)));
    const health = await getDataHealth(SHOP);
    // Orders 1, 3 (cancelled) and 5 (cancelled) are left; the test order is not counted.
    expect(health).toMatchObject({
      customers: 2,
      orders: 3,
      cancelledOrders: 2,
      products: 2,
      checkouts: 2,
      grossRevenue: "40.00",
      refunded: "10.00",
      netRevenue: "30.00",
      firstOrderAt: "2026-10-03T12:00:00.000Z",
      lastOrderAt: "2026-10-20T12:00:00.000Z",
    });
  });

  it("counts a bulk insert of many orders in one statement, and folds its rows without changing a figure", async () => {
    await prisma.$executeRawUnsafe(
      `INSERT INTO "Order" (shop, "shopifyId", name, "processedAt", "shopifyCreatedAt", currency, "totalPrice", "subtotalPrice",
                            "totalDiscounts", "totalTax", "totalShipping", test, "updatedAt")
       SELECT $1, 'bulk-' || i, '#b' || i, TIMESTAMP '2026-10-10' + make_interval(mins => i), TIMESTAMP '2026-10-10', 'EUR',
              i * 0.01, i * 0.01, 0, 0, 0, i % 10 = 0, now()
       FROM generate_series(1, 5000) i`,
      SHOP,
    );
    // Many small writes: each statement adds a row; past the threshold a read folds them.
    for (let i = 0; i < 260; i++)
      await prisma.order.updateMany({ where: { shop: SHOP, shopifyId: `bulk-${i + 1}` }, data: { totalRefunded: "0.0100" } });
    const before = await tallyRows(prisma, SHOP);
    expect(before).toBeGreaterThan(200);
    const expected = fixed(await oracle(prisma, SHOP));
    expect(await tallied(prisma, SHOP)).toEqual(expected);
    expect(await tallyRows(prisma, SHOP)).toBe(1);
    expect(await tallied(prisma, SHOP)).toEqual(expected);
    await foldShopTally(prisma, SHOP);
    expect(await tallied(prisma, SHOP)).toEqual(expected);
    expect(expected).toMatchObject({ orders: 4503, gross: "112540.0000", refunded: "12.3400" });
  });

  it("the customers page counts a big shop as '10,000+' from the tally, and a search's matches exactly", async () => {
    const big = "tally-big.myshopify.com";
    await ensureShop(prisma, big);
    await prisma.$executeRawUnsafe(
      `INSERT INTO "Customer" (shop, "shopifyId", "updatedAt") SELECT $1, 'c' || i, now() FROM generate_series(1, ${COUNT_CAP + 1}) i`,
      big,
    );
    await prisma.$executeRawUnsafe(
      `INSERT INTO "CustomerProfile" ("customerId", shop, email, "lastName")
       SELECT id, shop, 'p' || id || '@example.com', CASE WHEN id % 1000 = 0 THEN 'Dubois' ELSE 'Martin' END FROM "Customer" WHERE shop = $1`,
      big,
    );
    expect(await countListedCustomers(prisma, big, {}, true)).toEqual({ withOrders: COUNT_CAP, withoutOrders: 0, capped: true });
    const [dubois] = await prisma.$queryRawUnsafe<{ n: number }[]>(
      `SELECT count(*)::int AS n FROM "CustomerProfile" WHERE shop = $1 AND "lastName" = 'Dubois'`,
      big,
    );
    expect(dubois.n).toBeGreaterThan(5);
    expect(await countListedCustomers(prisma, big, { q: "duBOIS" }, true)).toEqual({ withOrders: 0, withoutOrders: dubois.n, capped: false });
    expect(await countListedCustomers(prisma, big, { q: "martin" }, true)).toMatchObject({ capped: false, withoutOrders: COUNT_CAP + 1 - dubois.n });
    // Under the cap, the unfiltered count is the rows' own.
    expect(await countListedCustomers(prisma, SHOP, {}, true)).toEqual({ withOrders: 0, withoutOrders: 2, capped: false });
  });
});
