// The app proxy over HTTP on the running demo server, with requests signed exactly as Shopify
// signs them (tests/unit/app-proxy-signature.test.ts checks the signing on Shopify's documented
// example): anonymous and logged-in answers and their cache headers, repeated parameters,
// Remix's own _data/index parameters, the locale-prefixed path, and forged or stale signatures
// refused with nothing stored.
import type { PrismaClient } from "@prisma/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_DEFAULTS } from "~/lib/env.server";
import { proxySignature, signProxyQuery } from "~/lib/proxySignature";
import { BACKENDS, createTestDatabase, type TestDatabase } from "../helpers/db";
import { startDemoServer, type DemoServer } from "../helpers/server";

const SECRET = DEMO_DEFAULTS.SHOPIFY_API_SECRET;
const SHOP = DEMO_DEFAULTS.SHOP;

describe.each(BACKENDS)("the app proxy on %s", (backend) => {
  let database: TestDatabase;
  let server: DemoServer;
  let customerId: string;
  let productId: string;
  let accepted = 0;

  function signed(path: string, query: string, options: { customer?: string; timestamp?: number; secret?: string; extra?: string } = {}) {
    const params = signProxyQuery(new URLSearchParams(query), {
      shop: SHOP,
      pathPrefix: "/apps/rapport",
      customerId: options.customer ?? "",
      secret: options.secret ?? SECRET,
      timestamp: options.timestamp,
    });
    return `${server.url}/proxy/${path}?${params}${options.extra ?? ""}`;
  }
  const get = (url: string) => fetch(url, { headers: { Accept: "application/json" } });
  const post = (url: string, body: unknown) =>
    fetch(url, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });

  beforeAll(async () => {
    database = await createTestDatabase(backend);
    server = await startDemoServer(["--customers", "120", "--orders", "900", "--products", "40", "--seed", "5"], { DATABASE_URL: database.url });
    const home = await (await fetch(`${server.url}/demo/storefront`)).text();
    customerId = /<option value="(\d+)"/.exec(home)![1];
    const handle = /href="\/demo\/storefront\/products\/([^"]+)"/.exec(home)![1];
    productId = /data-product-id="(\d+)"/.exec(await (await fetch(`${server.url}/demo/storefront/products/${handle}`)).text())![1];
  });

  afterAll(async () => {
    await server?.stop();
    await database?.drop();
  });

  it("answers an anonymous visitor with products, a recId and a short public cache", async () => {
    const response = await get(signed("recommendations", `placement=product&product_id=${productId}&limit=4`));
    expect(response.status).toBe(200);
    expect(response.headers.get("cache-control")).toBe("public, max-age=60");
    const body = (await response.json()) as { recId: string; strategy: string; products: Record<string, unknown>[] };
    expect(body.recId).toMatch(/^[0-9a-z]+\.[a-z]{2}\.[\w-]{8}\.[\w-]{16}$/);
    expect(body.products.length).toBeGreaterThan(0);
    expect(body.products.length).toBeLessThanOrEqual(4);
    for (const p of body.products) {
      expect(p.id).toMatch(/^\d+$/);
      expect(p.id).not.toBe(productId);
      expect(Object.keys(p)).toEqual(
        expect.arrayContaining(["id", "handle", "title", "url", "price", "compareAtPrice", "currency", "image", "available"]),
      );
    }
  });

  it("answers a logged-in customer privately, and ignores a customer id that is not Shopify's signed one", async () => {
    const personal = await get(signed("recommendations", "placement=home", { customer: customerId }));
    expect(personal.status).toBe(200);
    expect(personal.headers.get("cache-control")).toBe("private, no-store");
    // The same customer id in the shopper's own query: served as the anonymous visitor it is.
    const spoofed = await get(signed("recommendations", `placement=home&customer_id=${customerId}&logged_in_customer_id=${customerId}`));
    expect(spoofed.status).toBe(200);
    expect(spoofed.headers.get("cache-control")).toBe("public, max-age=60");
    expect(((await spoofed.json()) as { strategy: string }).strategy).toBe("trending");
  });

  it("verifies repeated parameters, an empty logged_in_customer_id and Remix's _data and index", async () => {
    // cart=1&cart=2 is signed as cart=1,2 (Shopify's rule for repeated keys).
    expect((await get(signed("recommendations", `placement=cart&cart=${productId}&cart=${productId}`))).status).toBe(200);
    // Shopify signed ?_data=…; Remix removes it before the loader sees the URL.
    expect((await get(signed("recommendations", "placement=home&_data=routes%2Fproxy.recommendations"))).status).toBe(200);
    // An empty index parameter Shopify did not sign is not part of the signature.
    expect((await get(signed("recommendations", "placement=home", { extra: "&index=" }))).status).toBe(200);
    const body = (await (await get(signed("recommendations", "placement=home"))).json()) as { strategy: string };
    expect(body.strategy).toBe("trending");
  });

  it("refuses Shopify's documented example here (another secret, 2011), forged, stale and unsigned requests", async () => {
    const documented =
      "extra=1&extra=2&shop=shop-name.myshopify.com&logged_in_customer_id=1&path_prefix=%2Fapps%2Fawesome_reviews&timestamp=1317327555&signature=4c68c8624d737112c91818c11017d24d334b524cb5c2b8ba08daa056f7395ddb";
    expect((await get(`${server.url}/proxy/recommendations?${documented}`)).status).toBe(400);
    const good = new URL(signed("recommendations", "placement=home", { customer: customerId }));
    // Another customer id under the original signature: forged.
    const forged = new URL(good);
    forged.searchParams.set("logged_in_customer_id", "1");
    expect((await get(forged.toString())).status).toBe(400);
    expect((await get(signed("recommendations", "placement=home", { secret: "not-the-app-secret" }))).status).toBe(400);
    const stale = Math.floor(Date.now() / 1000) - 120;
    expect((await get(signed("recommendations", "placement=home", { timestamp: stale }))).status).toBe(400);
    expect((await get(`${server.url}/proxy/recommendations?placement=home&shop=${SHOP}`)).status).toBe(400);
    // The signature is over the parameters, not the secret alone: a signature of other params fails.
    const other = new URLSearchParams(good.search);
    other.set("signature", proxySignature(new URLSearchParams("placement=home"), SECRET));
    expect((await get(`${server.url}/proxy/recommendations?${other}`)).status).toBe(400);
  });

  it("answers the demo storefront's calls under a locale prefix (/fr/apps/rapport), as Shopify proxies them", async () => {
    const french = await fetch(`${server.url}/demo/storefront/fr/apps/rapport/recommendations?placement=product&product_id=${productId}&limit=4`, {
      headers: { Accept: "application/json", "Accept-Language": "fr-FR" },
    });
    expect(french.status).toBe(200);
    const body = (await french.json()) as { strategy: string; products: unknown[] };
    expect(body.strategy).toBe("bought_together");
    expect(body.products.length).toBeGreaterThan(0);
    // Only the storefront's locales are prefixes.
    expect((await fetch(`${server.url}/demo/storefront/xx/apps/rapport/recommendations?placement=home`)).status).toBe(404);
  });

  it("records events only with a good signature and one of our recIds", async () => {
    const answer = (await (await get(signed("recommendations", "placement=home", { customer: customerId }))).json()) as {
      recId: string;
      strategy: string;
      products: { id: string }[];
    };
    const kind = answer.strategy === "holdout" ? "holdout" : "impression";
    const ok = await post(signed("events", ""), { kind, recId: answer.recId, vid: "visitor12345" });
    expect(ok.status).toBe(204);
    accepted++;
    const stale = Math.floor(Date.now() / 1000) - 120;
    expect((await post(signed("events", "", { timestamp: stale }), { kind, recId: answer.recId })).status).toBe(400);
    expect((await post(signed("events", "", { secret: "forged" }), { kind, recId: answer.recId })).status).toBe(400);
    expect((await post(signed("events", ""), { kind: "impression", recId: "1.hh.AAAAAAAA.AAAAAAAAAAAAAAAA" })).status).toBe(400);
    expect((await post(signed("events", ""), { kind: "click", recId: answer.recId })).status).toBe(400);
    expect((await get(signed("events", ""))).status).toBe(405);
  });

  it("stored exactly the accepted events (checked in the database once the server stopped)", async () => {
    await server.stop();
    const db = database.open();
    try {
      const prisma = db.prisma as PrismaClient;
      const events = await prisma.recommendationEvent.findMany({ where: { shop: SHOP } });
      expect(events.length).toBe(accepted);
      expect(events.every((e) => e.customerId === null && e.visitorId === "visitor12345")).toBe(true);
    } finally {
      await db.close();
    }
  });
});
