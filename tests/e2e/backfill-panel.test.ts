// The admin's backfill panel over HTTP: the demo server pointed at the Admin API simulator
// (SHOPIFY_ADMIN_ORIGIN), a backfill started from the resource route and polled to the end.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ShopifySimulator, DEFAULT_TOKEN } from "../../cli/simulator/server";
import { createTestDatabase, type TestDatabase } from "../helpers/db";
import { startDemoServer, type DemoServer } from "../helpers/server";

describe("backfill panel (resource route) against the simulator", () => {
  let sim: ShopifySimulator;
  let database: TestDatabase;
  let server: DemoServer;

  beforeAll(async () => {
    // Same generator and seed as the demo server's own seed: the backfill finds it all up to date.
    sim = new ShopifySimulator({ customers: 150, orders: 700, products: 30, seed: 11 });
    const origin = await sim.start();
    database = await createTestDatabase("pglite");
    server = await startDemoServer(["--customers", "150", "--orders", "700", "--products", "30", "--seed", "11"], {
      DATABASE_URL: database.url,
      SHOPIFY_ADMIN_ORIGIN: origin,
      SHOPIFY_ACCESS_TOKEN: DEFAULT_TOKEN,
    });
  }, 200_000);

  afterAll(async () => {
    await server?.stop();
    await sim?.stop();
    await database?.drop();
  });

  it("starts a backfill, reports its progress, then the write-back switch works", async () => {
    const panel = async () => (await (await fetch(`${server.url}/app/backfill`)).json()) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    expect((await panel()).backfill).toBeNull();
    const post = (intent: string) => fetch(`${server.url}/app/backfill`, { method: "POST", body: new URLSearchParams({ intent }) });
    expect((await post("nonsense")).status).toBe(400);
    const started = await (await post("backfill")).json();
    expect(started.started).toBe(true);
    let state = await panel();
    const deadline = Date.now() + 120_000;
    while (state.backfill?.status !== "completed" && Date.now() < deadline) {
      expect(state.backfill?.status ?? "running").not.toBe("failed");
      await new Promise((resolve) => setTimeout(resolve, 500));
      state = await panel();
    }
    expect(state.backfill.status).toBe("completed");
    expect(state.backfill.progress.orders).toEqual({ done: 700, total: 700 });
    expect(state.backfill.counts.orders.created).toBe(0);
    expect(state.writeBackEnabled).toBe(false);
    await post("writeback-on");
    expect((await panel()).writeBackEnabled).toBe(true);

    // The shop lost its orders/delete subscription: the reconciliation records it and /app/data says so.
    sim.webhookSubscriptions = sim.webhookSubscriptions.filter((w) => w.topic !== "ORDERS_DELETE");
    expect((await (await post("reconcile")).json()).started).toBe(true);
    state = await panel();
    while (state.reconcile?.status !== "completed" && Date.now() < deadline + 60_000) {
      expect(state.reconcile?.status ?? "running").not.toBe("failed");
      await new Promise((resolve) => setTimeout(resolve, 500));
      state = await panel();
    }
    expect(state.reconcile.webhookCheck).toEqual({ listed: 15, missing: ["orders/delete"] });
    const html = await (await fetch(`${server.url}/app/data`)).text();
    expect(html).toContain("Missing webhook subscription: orders/delete.");
  }, 200_000);
});
