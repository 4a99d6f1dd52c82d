// POST /proxy/nps, GET /proxy/nps and POST /proxy/nps/dismiss over HTTP on the running demo
// server (PostgreSQL, so the test can check what was stored), with requests signed exactly as
// Shopify's app proxy signs them: the answer is stored under the signed customer only, a second
// one inside 90 days is a 409, bad bodies are 400s with a reason, an opted-out shopper is
// refused, forged and stale signatures are refused, and nothing is stored in any refusal.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "~/lib/database.server";
import { DEMO_DEFAULTS } from "~/lib/env.server";
import { signProxyQuery } from "~/lib/proxySignature";
import { createTestDatabase, type TestDatabase } from "../helpers/db";
import { startDemoServer, type DemoServer } from "../helpers/server";

const SECRET = DEMO_DEFAULTS.SHOPIFY_API_SECRET;
const SHOP = DEMO_DEFAULTS.SHOP;

describe("the NPS proxy on postgres", () => {
  let database: TestDatabase;
  let db: Database;
  let server: DemoServer;
  let customer: string;
  let optedOut: string;

  function signed(path: string, query = "", options: { customer?: string; timestamp?: number; secret?: string } = {}) {
    const params = signProxyQuery(new URLSearchParams(query), {
      shop: SHOP,
      pathPrefix: "/apps/rapport",
      customerId: options.customer ?? "",
      secret: options.secret ?? SECRET,
      timestamp: options.timestamp,
    });
    return `${server.url}/proxy/${path}?${params}`;
  }
  const post = (url: string, body: string) => fetch(url, { method: "POST", headers: { "Content-Type": "application/json" }, body });
  const answers = () => db.prisma.npsResponse.count({ where: { shop: SHOP } });

  beforeAll(async () => {
    database = await createTestDatabase("postgres");
    server = await startDemoServer(["--customers", "120", "--orders", "900", "--products", "40", "--seed", "5"], { DATABASE_URL: database.url });
    db = database.open();
    // Two customers with orders who have never been asked.
    const rows = await db.prisma.$queryRawUnsafe<{ id: string }[]>(
      `SELECT DISTINCT o."customerShopifyId" AS id FROM "Order" o
       WHERE o.shop = $1 AND o."customerShopifyId" IS NOT NULL AND o."cancelledAt" IS NULL AND NOT o.test
         AND NOT EXISTS (SELECT 1 FROM "NpsSurveyState" s WHERE s.shop = o.shop AND s."subjectKey" = 'customer:' || o."customerShopifyId")
       ORDER BY 1 LIMIT 2`,
      SHOP,
    );
    [customer, optedOut] = rows.map((r) => r.id);
    await db.prisma.shopperPreference.create({ data: { shop: SHOP, customerId: optedOut, surveys: false } });
  });

  afterAll(async () => {
    await server?.stop();
    await db?.close();
    await database?.drop();
  });

  it("offers the survey once per visit to a customer with orders, never to an anonymous visitor by default", async () => {
    const ask = async (options: { customer?: string }, query = "page=%2F") => (await (await fetch(signed("nps", query, options))).json()) as unknown;
    expect(await ask({})).toEqual({ ask: false, reason: "audience" });
    expect(await ask({}, "page=%2F&audience=everyone")).toEqual({ ask: true });
    expect(await ask({ customer }, "page=%2Fcart")).toEqual({ ask: false, reason: "checkout_page" });
    expect(await ask({ customer })).toEqual({ ask: true });
    expect(await ask({ customer })).toEqual({ ask: false, reason: "shown_this_visit" });
    expect(await ask({ customer: optedOut })).toEqual({ ask: false, reason: "opted_out" });
    const response = await fetch(signed("nps", "page=%2F", { customer }));
    expect(response.headers.get("cache-control")).toBe("private, no-store");
  });

  it("refuses bad bodies with a reason, and stores nothing", async () => {
    const before = await answers();
    const cases: [string, string][] = [
      ["not json", "body_not_json"],
      [JSON.stringify({ score: 11 }), "score_invalid"],
      [JSON.stringify({ score: 7.5 }), "score_invalid"],
      [JSON.stringify({ comment: "no score" }), "score_missing"],
      [JSON.stringify({ score: 5, comment: "x".repeat(2001) }), "comment_too_long"],
      [JSON.stringify([1]), "body_not_object"],
    ];
    for (const [body, reason] of cases) {
      const response = await post(signed("nps", "", { customer }), body);
      expect(response.status, body.slice(0, 40)).toBe(400);
      expect(await response.json()).toEqual({ error: "invalid", reason });
    }
    expect(await answers()).toBe(before);
  });

  it("refuses forged, stale and foreign signatures, and an opted-out shopper, storing nothing", async () => {
    const before = await answers();
    const good = new URL(signed("nps", "", { customer }));
    good.searchParams.set("logged_in_customer_id", optedOut);
    expect((await post(good.toString(), JSON.stringify({ score: 9 }))).status).toBe(400);
    expect((await post(signed("nps", "", { customer, secret: "not-the-app-secret" }), JSON.stringify({ score: 9 }))).status).toBe(400);
    expect((await post(signed("nps", "", { customer, timestamp: Math.floor(Date.now() / 1000) - 120 }), JSON.stringify({ score: 9 }))).status).toBe(
      400,
    );
    const refused = await post(signed("nps", "", { customer: optedOut }), JSON.stringify({ score: 9 }));
    expect(refused.status).toBe(403);
    expect(await refused.json()).toEqual({ error: "opted_out", reason: "surveys_opted_out" });
    expect(await answers()).toBe(before);
  });

  it("stores an answer under the signed customer only, then answers 409 inside 90 days", async () => {
    const before = await answers();
    const body = JSON.stringify({ score: 4, comment: "<b>late</b>", page: "/products/x", customer_id: optedOut, customerId: optedOut });
    const response = await post(signed("nps", "", { customer }), body);
    expect(response.status).toBe(201);
    expect(await response.json()).toEqual({ ok: true, group: "detractor" });
    const stored = await db.prisma.npsResponse.findFirstOrThrow({ where: { shop: SHOP }, orderBy: { id: "desc" }, include: { followUp: true } });
    expect(stored).toMatchObject({ customerShopifyId: customer, score: 4, comment: "<b>late</b>", page: "/products/x", source: "storefront" });
    expect(stored.followUp?.status).toBe("open");
    const again = await post(signed("nps", "", { customer }), JSON.stringify({ score: 10 }));
    expect(again.status).toBe(409);
    expect(await again.json()).toMatchObject({ error: "throttled", reason: "answered_recently" });
    expect(await answers()).toBe(before + 1);
  });

  it("records “not now” for the signed customer", async () => {
    const other = (
      await db.prisma.$queryRawUnsafe<{ id: string }[]>(
        `SELECT DISTINCT "customerShopifyId" AS id FROM "Order" WHERE shop = $1 AND "customerShopifyId" NOT IN ($2, $3) AND NOT test ORDER BY 1 LIMIT 1`,
        SHOP,
        customer,
        optedOut,
      )
    )[0].id;
    const response = await fetch(signed("nps/dismiss", "", { customer: other }), { method: "POST", body: "{}" });
    expect(await response.json()).toEqual({ ok: true, recorded: true });
    const state = await db.prisma.npsSurveyState.findUniqueOrThrow({ where: { shop_subjectKey: { shop: SHOP, subjectKey: `customer:${other}` } } });
    expect(state.lastDismissedAt).not.toBeNull();
    expect(await (await fetch(signed("nps", "page=%2F", { customer: other }))).json()).toMatchObject({ ask: false });
  });
});
