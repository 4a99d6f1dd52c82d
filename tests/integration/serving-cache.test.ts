// The storefront's serving caches (app/lib/servingCache.server.ts, ADR 011) on both databases:
// with every cache warm, a write made in this process (a merchant's setting, the holdout share,
// a product change from a webhook, a new model, a shopper's opt-out) is honoured by the very next
// answer; a write made behind the process's back (another process) is honoured once the TTL ran out.
import type { PrismaClient } from "@prisma/client";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { inHoldout } from "~/domain/holdout";
import { SERVING_CACHE_TTL_MS } from "~/lib/servingCache.server";
import { orderPayload, productPayload } from "~/lib/shopifyPayloads";
import { clearRecommendationCache, saveRecommendationSettings, trainRecommendations } from "~/services/recommendations.server";
import { recommendationQuery, saveTrackingSettings, serveRecommendations } from "~/services/recommendationTracking.server";
import { setShopperPreferences } from "~/services/shopperPreferences.server";
import { ensureShop, syncOrders, syncProducts } from "~/services/sync.server";
import { BACKENDS, openMigrated, type TestDatabase } from "../helpers/db";

const SHOP = "serving-cache.myshopify.com";
const SECRET = "serving-cache-secret";
const NOW = new Date("2026-11-30T12:00:00Z");
const at = (days: number) => new Date(NOW.getTime() - days * 86_400_000).toISOString();

function product(id: number, over: { inventory?: number; updated?: string } = {}) {
  return productPayload.parse({
    id,
    title: `Tea ${id}`,
    handle: `tea-${id}`,
    status: "active",
    product_type: `Type ${id}`,
    vendor: "Maison",
    tags: "",
    created_at: "2026-01-01T00:00:00Z",
    updated_at: over.updated ?? "2026-01-02T00:00:00Z",
    published_at: "2026-01-01T00:00:00Z",
    variants: [
      { id: id * 100 + 1, price: "10.00", inventory_quantity: over.inventory ?? 5, inventory_policy: "deny", inventory_management: "shopify" },
    ],
    image: { src: `https://cdn.example/${id}.jpg` },
  });
}

let seq = 7000;
function order(productIds: number[], days: number, customer: string | null = null) {
  const id = String(++seq);
  return orderPayload.parse({
    id,
    name: `#${id}`,
    email: null,
    created_at: at(days),
    processed_at: at(days),
    updated_at: at(days),
    cancelled_at: null,
    currency: "EUR",
    total_price: "10.00",
    subtotal_price: "10.00",
    total_discounts: "0.00",
    total_tax: "0.00",
    test: false,
    customer: customer ? { id: customer, email: null, updated_at: at(days) } : null,
    line_items: productIds.map((p, i) => ({ id: `${id}${i}`, product_id: p, variant_id: p * 100 + 1, title: `P${p}`, quantity: 1, price: "10.00" })),
    refunds: [],
  });
}

describe.each(BACKENDS)("serving caches on %s", (backend) => {
  let prisma: PrismaClient;
  let test: TestDatabase;
  let cleanup: () => Promise<void>;

  const serve = async (q: Record<string, string>, customerId: string | null = null) =>
    serveRecommendations(prisma, SHOP, SECRET, { query: recommendationQuery.parse({ limit: "4", ...q }), customerId, now: NOW });
  const ids = (answer: { products: { id: string }[] }) => answer.products.map((p) => p.id);
  const boughtWith1 = () => serve({ placement: "product", product_id: "1" });

  beforeAll(async () => {
    const opened = await openMigrated(backend);
    prisma = opened.db.prisma;
    test = opened.test;
    cleanup = opened.cleanup;
    clearRecommendationCache();
    await ensureShop(prisma, SHOP);
    await syncProducts(
      prisma,
      SHOP,
      [1, 2, 3, 4, 5].map((id) => product(id)),
      "EUR",
    );
    // 1 is bought with 2 (three times), then 3 (twice), then 4; customer 42 bought 1 and 5.
    await syncOrders(prisma, SHOP, [
      order([1, 2], 30),
      order([1, 2], 25),
      order([1, 2], 20),
      order([1, 3], 15),
      order([1, 3], 10),
      order([1, 4], 5),
      order([1, 5], 3, "42"),
    ]);
  });
  afterAll(async () => cleanup?.());

  it("serves the model as soon as this process trained it", async () => {
    // No model yet: trending, and the stamp "no model" is now cached.
    expect((await boughtWith1()).strategy).toBe("trending");
    expect((await boughtWith1()).strategy).toBe("trending");
    await trainRecommendations(prisma, SHOP, NOW);
    const answer = await boughtWith1();
    expect(answer.strategy).toBe("bought_together");
    expect(ids(answer).slice(0, 3)).toEqual(["2", "3", "4"]);
  });

  it("honours a merchant's exclusion on the next answer, and its removal", async () => {
    expect(ids(await boughtWith1())).toContain("2");
    await saveRecommendationSettings(prisma, SHOP, { excludedProductIds: ["2"] });
    expect(ids(await boughtWith1())).not.toContain("2");
    await saveRecommendationSettings(prisma, SHOP, {});
    expect(ids(await boughtWith1())[0]).toBe("2");
  });

  it("honours a new holdout share on the next answer", async () => {
    const visitor = Array.from({ length: 100 }, (_, i) => `visitor${String(i).padStart(4, "0")}`).find((v) => inHoldout(SHOP, `v:${v}`, 0.5))!;
    const asVisitor = () => serve({ placement: "product", product_id: "1", vid: visitor });
    await saveTrackingSettings(prisma, SHOP, { attributionWindowDays: 7, holdoutShare: 0 });
    expect((await asVisitor()).strategy).toBe("bought_together");
    await saveTrackingSettings(prisma, SHOP, { attributionWindowDays: 7, holdoutShare: 0.5 });
    expect(await asVisitor()).toMatchObject({ strategy: "holdout", products: [] });
    await saveTrackingSettings(prisma, SHOP, { attributionWindowDays: 7, holdoutShare: 0 });
    expect((await asVisitor()).strategy).toBe("bought_together");
  });

  it("stops showing a product that sold out as soon as its webhook is applied, and shows it again when restocked", async () => {
    expect(ids(await boughtWith1())).toContain("2");
    await syncProducts(prisma, SHOP, [product(2, { inventory: 0, updated: "2026-11-29T00:00:00Z" })], "EUR");
    expect(ids(await boughtWith1())).not.toContain("2");
    await syncProducts(prisma, SHOP, [product(2, { inventory: 9, updated: "2026-11-29T01:00:00Z" })], "EUR");
    expect(ids(await boughtWith1())).toContain("2");
  });

  it("serves a customer who just opted out as an anonymous visitor (preferences are never cached)", async () => {
    const home = () => serve({ placement: "home" }, "42");
    expect((await home()).personal).toBe(true);
    await setShopperPreferences(prisma, SHOP, "42", { personalization: false });
    expect(await home()).toMatchObject({ personal: false, strategy: "trending" });
    await setShopperPreferences(prisma, SHOP, "42", { personalization: true });
    expect((await home()).personal).toBe(true);
  });

  // Only PostgreSQL can be written by another process while this one has it open.
  it.runIf(backend === "postgres")("honours a write of another process once the cache's TTL has run out", async () => {
    expect(ids(await boughtWith1())).toContain("2");
    const other = new pg.Client({ connectionString: test.url });
    await other.connect();
    try {
      // What the CLI or a separate worker would do: a committed write this process is not told of.
      await other.query(
        `UPDATE "Shop" SET settings = jsonb_set(COALESCE(settings, '{}'::jsonb), '{recommendations}', '{"excludedProductIds": ["2"]}'::jsonb) WHERE domain = $1`,
        [SHOP],
      );
      await new Promise((resolve) => setTimeout(resolve, SERVING_CACHE_TTL_MS + 200));
      expect(ids(await boughtWith1())).not.toContain("2");
    } finally {
      await other.end();
    }
  });
});
