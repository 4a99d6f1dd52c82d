// The backfill's COPY of new orders checks their foreign keys once per batch when the role may
// (ADR 010, "Fourth round"): it locks the shop's and the customers' rows as PostgreSQL's per-row
// checks would, then skips those checks for the COPYs only. This proves that the checks still
// refuse a missing parent, that the locks hold a concurrent deletion back until the commit (whose
// ON DELETE action then reaches the new orders), that the tallies still move, and that a role
// without the privilege keeps PostgreSQL's own per-row checks.
import { randomBytes } from "node:crypto";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { openDatabase } from "~/lib/database.server";
import { countShopData } from "~/models/dataHealth.server";
import { bulkCopyOrders, bulkNextIds, inBulkTransaction, ParentRowGone, type BulkWrite } from "~/models/backfillBulk.server";
import { ensureShop } from "~/services/sync.server";
import { BACKENDS, createTestDatabase, openMigrated, POSTGRES_ADMIN_URL } from "../helpers/db";

const SHOP = "keys.myshopify.com";
const NOW = "2026-11-30T12:00:00.000Z";

const ORDER_COLUMNS = [
  "id",
  "shop",
  "shopifyId",
  "name",
  "customerId",
  "processedAt",
  "shopifyCreatedAt",
  "currency",
  "totalPrice",
  "subtotalPrice",
  "totalDiscounts",
  "totalTax",
  "totalShipping",
  "createdAt",
  "updatedAt",
];
const LINE_COLUMNS = ["shop", "shopifyId", "orderId", "title", "quantity", "price", "currency"];

/** One order of 42.00 with one line, for `customerId` (null: none), by COPY in `tx`. */
async function copyOneOrder(tx: BulkWrite, shopifyId: string, customerId: number | null) {
  const [id] = await bulkNextIds(tx, "Order", 1);
  await bulkCopyOrders(tx, SHOP, customerId === null ? [] : [customerId], {
    orders: {
      columns: ORDER_COLUMNS,
      lines: `${id}\t${SHOP}\t${shopifyId}\t#${shopifyId}\t${customerId ?? "\\N"}\t${NOW}\t${NOW}\tEUR\t42.00\t42.00\t0\t0\t0\t${NOW}\t${NOW}\n`,
    },
    personal: { columns: ["orderId", "shop"], lines: `${id}\t${SHOP}\n` },
    lineItems: { columns: LINE_COLUMNS, lines: `${SHOP}\t${shopifyId}1\t${id}\tTea\t1\t42.00\tEUR\n` },
    refunds: { columns: [], lines: "" },
    refundLineItems: { columns: [], lines: "" },
  });
  return id;
}

async function newCustomer(prisma: { customer: { create: (a: never) => Promise<{ id: number }> } }, shopifyId: string) {
  return (await prisma.customer.create({ data: { shop: SHOP, shopifyId } } as never)).id;
}

describe.each(BACKENDS)("orders' foreign keys checked per batch (%s)", (backend) => {
  const cleanups: Array<() => Promise<void>> = [];
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  it("a superuser's batch writes with the per-batch check: the tallies move, a missing customer is refused and nothing stays", async () => {
    const { db, cleanup } = await openMigrated(backend);
    cleanups.push(cleanup);
    await ensureShop(db.prisma, SHOP);
    const customerId = await newCustomer(db.prisma as never, "501");

    const used = await inBulkTransaction(db.prisma, async (tx) => {
      await copyOneOrder(tx, "9001", customerId);
      return tx.mayCheckKeysPerBatch;
    });
    expect(used).toBe(true);
    const tally = await countShopData(db.prisma, SHOP);
    expect(tally.orders).toBe(1);
    expect(tally.customers).toBe(1);
    expect(Number(tally.grossRevenue)).toBe(42);

    // A customer row that does not exist (deleted since its link was read): refused, rolled back.
    await expect(inBulkTransaction(db.prisma, (tx) => copyOneOrder(tx, "9002", customerId + 1000))).rejects.toBeInstanceOf(ParentRowGone);
    expect(await db.prisma.order.count({ where: { shop: SHOP } })).toBe(1);
    expect(await db.prisma.lineItem.count({ where: { shop: SHOP } })).toBe(1);
    expect((await countShopData(db.prisma, SHOP)).orders).toBe(1);

    // The replication role is back to origin after the COPYs: a later statement's keys are checked per row.
    await expect(
      inBulkTransaction(db.prisma, async (tx) => {
        await copyOneOrder(tx, "9003", null);
        await tx.query(
          `INSERT INTO "LineItem" ("shop", "shopifyId", "orderId", "title", "quantity", "price", "currency") VALUES ($1, 'x', -5, 'Tea', 1, 1, 'EUR')`,
          [SHOP],
        );
      }),
    ).rejects.toMatchObject({ code: "23503" });
    expect(await db.prisma.order.count({ where: { shop: SHOP } })).toBe(1);
  }, 120_000);

  it.runIf(backend === "postgres")(
    "holds a concurrent deletion of the batch's customer until its commit; the deletion then unlinks the new order",
    async () => {
      const { db, test, cleanup } = await openMigrated("postgres");
      cleanups.push(cleanup);
      await ensureShop(db.prisma, SHOP);
      const customerId = await newCustomer(db.prisma as never, "601");
      const other = new pg.Client({ connectionString: test.url });
      await other.connect();
      try {
        let release!: () => void;
        const held = new Promise<void>((resolve) => (release = resolve));
        let copied!: () => void;
        const copiedNow = new Promise<void>((resolve) => (copied = resolve));
        const batch = inBulkTransaction(db.prisma, async (tx) => {
          await copyOneOrder(tx, "9101", customerId);
          copied();
          await held;
        });
        await copiedNow;
        await other.query("SET lock_timeout = '300ms'");
        // The customer's row is locked FOR KEY SHARE by the batch, as a per-row check would lock it.
        await expect(other.query(`DELETE FROM "Customer" WHERE "id" = $1`, [customerId])).rejects.toMatchObject({ code: "55P03" });
        release();
        await batch;
        await other.query(`DELETE FROM "Customer" WHERE "id" = $1`, [customerId]);
        const order = await db.prisma.order.findFirstOrThrow({ where: { shop: SHOP, shopifyId: "9101" } });
        expect(order.customerId).toBeNull();
      } finally {
        await other.end();
      }
    },
    120_000,
  );

  it.runIf(backend === "postgres")(
    "a role that is not a superuser keeps PostgreSQL's per-row checks",
    async () => {
      const test = await createTestDatabase("postgres");
      const owner = openDatabase({ kind: "postgres", url: test.url });
      const { applyMigrations } = await import("../../prisma/migrator");
      await applyMigrations(owner.migrationAdapter);
      await ensureShop(owner.prisma, SHOP);
      const customerId = await newCustomer(owner.prisma as never, "701");
      await owner.close();

      const role = `rapport_app_${randomBytes(4).toString("hex")}`;
      const admin = new pg.Client({ connectionString: test.url });
      await admin.connect();
      await admin.query(`CREATE ROLE "${role}" LOGIN NOSUPERUSER`);
      await admin.query(`GRANT ALL ON ALL TABLES IN SCHEMA public TO "${role}"`);
      await admin.query(`GRANT ALL ON ALL SEQUENCES IN SCHEMA public TO "${role}"`);
      const url = new URL(test.url);
      url.username = role;
      const app = openDatabase({ kind: "postgres", url: url.toString() });
      cleanups.push(async () => {
        await app.close();
        await admin.query(`DROP OWNED BY "${role}"`);
        await admin.end();
        await test.drop();
        const server = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
        await server.connect();
        await server.query(`DROP ROLE IF EXISTS "${role}"`);
        await server.end();
      });

      const used = await inBulkTransaction(app.prisma, async (tx) => {
        await copyOneOrder(tx, "9201", customerId);
        return tx.mayCheckKeysPerBatch;
      });
      expect(used).toBe(false);
      expect(await app.prisma.order.count({ where: { shop: SHOP } })).toBe(1);
      // Without the per-batch lock query, a missing customer is PostgreSQL's own foreign key violation.
      await expect(inBulkTransaction(app.prisma, (tx) => copyOneOrder(tx, "9202", customerId + 1000))).rejects.toMatchObject({ code: "23503" });
      expect(await app.prisma.order.count({ where: { shop: SHOP } })).toBe(1);
    },
    120_000,
  );
});
