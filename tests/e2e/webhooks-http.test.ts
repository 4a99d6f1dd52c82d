// Signed webhooks over real HTTP into the running server (the production path: Express, the
// route action, the inbox, the embedded worker), on PostgreSQL so the test can read the
// database while the server runs.
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase, type Database } from "~/lib/database.server";
import { ROOT, runCli } from "../helpers/cli";
import { createTestDatabase, type TestDatabase } from "../helpers/db";
import { startDemoServer, type DemoServer } from "../helpers/server";

// The demo shop itself, so that its admin home shows these events.
const SHOP = "rapport-demo.myshopify.com";
const fixture = (name: string) => path.join(ROOT, "tests", "fixtures", "webhooks", `${name}.json`);

describe("webhooks over HTTP to the demo server", () => {
  let database: TestDatabase;
  let server: DemoServer;
  let db: Database;

  beforeAll(async () => {
    database = await createTestDatabase("postgres");
    server = await startDemoServer(["--customers", "20", "--orders", "120", "--products", "12", "--months", "6"], { DATABASE_URL: database.url });
    db = openDatabase({ kind: "postgres", url: database.url });
  });
  afterAll(async () => {
    await db?.close();
    await server?.stop();
    await database?.drop();
  });

  const send = (topic: string, file: string, extra: string[] = []) =>
    runCli(["webhook", "send", "--topic", topic, "--file", fixture(file), "--shop", SHOP, "--url", server.url, ...extra]);

  async function waitForDrain() {
    for (let i = 0; i < 200; i++) {
      const health = (await (await fetch(`${server.url}/healthz`)).json()) as { status: string; inbox: { waiting: number } };
      expect(health.status).toBe("ok");
      if (health.inbox.waiting === 0) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error("the inbox did not drain");
  }

  it("acknowledges signed events, applies them, and refuses forged ones", async () => {
    for (const [topic, file] of [
      ["products/create", "products__create"],
      ["customers/create", "customers__create"],
      ["orders/create", "orders__create"],
      ["refunds/create", "refunds__create"],
    ]) {
      const result = await send(topic, file);
      expect(result.code, result.stdout + result.stderr).toBe(0);
      expect(result.stdout).toContain("200");
    }
    await waitForDrain();
    const order = await db.prisma.order.findUniqueOrThrow({
      where: { shop_shopifyId: { shop: SHOP, shopifyId: "6012345678901" } },
      include: { lineItems: true },
    });
    expect(order.totalPrice.toString()).toBe("59.87");
    expect(order.totalRefunded.toString()).toBe("19.99");

    // The same event id again: 200, nothing added.
    const first = await send("orders/updated", "orders__updated", ["--event-id", "same-event"]);
    const again = await send("orders/updated", "orders__updated", ["--event-id", "same-event"]);
    expect([first.code, again.code]).toEqual([0, 0]);
    await waitForDrain();
    expect(await db.prisma.webhookEvent.count({ where: { shop: SHOP, eventId: "same-event" } })).toBe(1);

    // Signed with another secret: 401, nothing stored.
    const before = await db.prisma.webhookEvent.count();
    const forged = await send("orders/create", "orders__create", ["--secret", "not-our-secret"]);
    expect(forged.code).toBe(1);
    expect(forged.stdout + forged.stderr).toContain("401");
    expect(await db.prisma.webhookEvent.count()).toBe(before);

    // The Data page shows the events per topic: one line each, with its count (the duplicate
    // and the forged delivery added nothing). Cells are read from the server-rendered card.
    const html = await (await fetch(`${server.url}/app/data`)).text();
    const allCells = html
      .replace(/<[^>]+>/g, "\u0000")
      .split("\u0000")
      .map((cell) => cell.trim())
      .filter(Boolean);
    expect(allCells).toContain("Data");
    const cells = allCells.slice(allCells.indexOf("Last webhook per topic"));
    expect(cells.length).toBeGreaterThan(1);
    const countOf = (topic: string) => cells[cells.indexOf(topic) + 1]?.split(",")[0];
    const topics = ["customers/create", "orders/create", "orders/updated", "products/create", "refunds/create"];
    expect(topics.map((topic) => [topic, countOf(topic)])).toEqual(topics.map((topic) => [topic, "1 event"]));
    expect(cells).not.toContain("orders/cancelled");
    const health = (await (await fetch(`${server.url}/healthz`)).json()) as { database: { reachable: boolean } };
    expect(health.database.reachable).toBe(true);
  });
});
