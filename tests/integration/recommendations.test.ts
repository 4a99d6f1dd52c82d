// Train + recommend on both databases: a small shop whose answers are worked out by hand
// (docs/metrics.md "Recommendations"): trending before any model, bought together, cart
// complements, for you without recent purchases, eligibility, pins and exclusions, a shop
// without orders.
import type { PrismaClient } from "@prisma/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "~/lib/database.server";
import { setDatabase } from "~/lib/db.server";
import { orderPayload, productPayload } from "~/lib/shopifyPayloads";
import {
  clearRecommendationCache,
  getRecommendationSettings,
  recommend,
  saveRecommendationSettings,
  trainRecommendations,
  type RecommendationRequest,
} from "~/services/recommendations.server";
import { ensureShop, syncOrders, syncProducts } from "~/services/sync.server";
import { BACKENDS, openMigrated } from "../helpers/db";

const SHOP = "recs-shop.myshopify.com";
const EMPTY = "recs-empty.myshopify.com";
const NOW = new Date("2026-11-30T12:00:00Z");
const daysAgo = (d: number) => new Date(NOW.getTime() - d * 86_400_000).toISOString();

function product(
  id: number,
  o: {
    title: string;
    type: string;
    price: string;
    compareAt?: string;
    status?: string;
    published?: string | null;
    tags?: string;
    created?: string;
    updated?: string;
  },
) {
  return productPayload.parse({
    id,
    title: o.title,
    handle: o.title.toLowerCase().replace(/ /g, "-"),
    status: o.status ?? "active",
    product_type: o.type,
    vendor: "Maison",
    tags: o.tags ?? "",
    created_at: o.created ?? "2026-01-01T00:00:00Z",
    updated_at: o.updated ?? "2026-01-02T00:00:00Z",
    published_at: o.published === undefined ? "2026-01-01T00:00:00Z" : o.published,
    variants: [
      {
        id: id * 100 + 1,
        price: o.price,
        compare_at_price: o.compareAt ?? null,
        inventory_quantity: 5,
        inventory_policy: "deny",
        inventory_management: "shopify",
      },
    ],
    image: { src: `https://cdn.example/${id}.jpg` },
  });
}

let seq = 9000;
function order(productIds: number[], at: string, customer: string | null = null, giftCards: number[] = []) {
  const id = String(++seq);
  return orderPayload.parse({
    id,
    name: `#${id}`,
    email: null,
    created_at: at,
    processed_at: at,
    updated_at: at,
    cancelled_at: null,
    currency: "EUR",
    total_price: "10.00",
    subtotal_price: "10.00",
    total_discounts: "0.00",
    total_tax: "0.00",
    test: false,
    customer: customer ? { id: customer, email: null, updated_at: at } : null,
    line_items: productIds.map((p, i) => ({
      id: `${id}${i}`,
      product_id: p,
      variant_id: p * 100 + 1,
      title: `P${p}`,
      quantity: 1,
      price: "5.00",
      gift_card: giftCards.includes(p),
    })),
    refunds: [],
  });
}

const request = (over: Partial<RecommendationRequest>): RecommendationRequest => ({
  placement: "product",
  strategy: "automatic",
  productId: null,
  cartProductIds: [],
  customerId: null,
  limit: 4,
  now: NOW,
  ...over,
});

describe.each(BACKENDS)("recommendations on %s", (backend) => {
  let db: Database;
  let cleanup: () => Promise<void>;
  let prisma: PrismaClient;

  beforeAll(async () => {
    const opened = await openMigrated(backend);
    db = opened.db;
    cleanup = opened.cleanup;
    prisma = db.prisma;
    setDatabase(db);
    clearRecommendationCache();
    for (const shop of [SHOP, EMPTY]) {
      await ensureShop(prisma, shop);
      await prisma.shop.update({ where: { domain: shop }, data: { currency: "EUR" } });
    }
    const catalogue = [
      product(1, { title: "Teapot", type: "Teaware", price: "35.00" }),
      product(2, { title: "Cups", type: "Teaware", price: "12.50", compareAt: "15.00" }),
      product(3, { title: "Sencha", type: "Tea", price: "9.90" }),
      product(4, { title: "Gift Card", type: "Gift Card", price: "25.00" }),
      product(5, { title: "Draft Kettle", type: "Teaware", price: "50.00", status: "draft" }),
      product(6, { title: "Matcha", type: "Tea", price: "19.00", tags: "hidden-from-recs" }),
      product(7, { title: "Oolong", type: "Tea", price: "14.00", created: "2026-11-20T00:00:00Z" }),
      // A gift card whose type does not say so: known from its order line's gift_card flag.
      product(8, { title: "E-Voucher", type: "Voucher", price: "50.00" }),
    ];
    await syncProducts(prisma, SHOP, catalogue, "EUR");
    await syncProducts(
      prisma,
      EMPTY,
      [
        product(11, { title: "Old", type: "Tea", price: "5.00", created: "2025-01-01T00:00:00Z" }),
        product(12, { title: "New", type: "Tea", price: "6.00", created: "2026-10-01T00:00:00Z" }),
      ],
      "EUR",
    );
    await syncOrders(prisma, SHOP, [
      order([1, 2], daysAgo(40)),
      order([1, 2], daysAgo(35)),
      order([1, 2, 3], daysAgo(30)),
      order([1, 3], daysAgo(20)),
      order([3, 6], daysAgo(3)),
      order([3], daysAgo(2)),
      order([3], daysAgo(1)),
      order([2, 4], daysAgo(1)),
      order([8], daysAgo(1), null, [8]),
      order([1], daysAgo(5), "501"),
    ]);
  });
  afterAll(async () => {
    setDatabase(undefined);
    await cleanup?.();
  });

  it("serves trending before any model: recent sales, eligible products only", async () => {
    const answer = await recommend(prisma, SHOP, request({ productId: "3" }));
    expect(answer.strategy).toBe("trending");
    // Last 14 days, 2^(−age/7): Sencha 3 lines (current product), Cups 2^(−1/7) = 0.91 (gift card
    // of that order never), Matcha 2^(−3/7) = 0.74, Teapot 2^(−5/7) = 0.61; then the newest, Oolong.
    expect(answer.products.map((p) => p.id)).toEqual(["2", "6", "1", "7"]);
  });

  it("trains and serves bought together, with the storefront's fields", async () => {
    // The gift card's product update arrives after its order: it stays a gift card.
    await syncProducts(prisma, SHOP, [product(8, { title: "E-Voucher", type: "Voucher", price: "55.00", updated: "2026-11-30T00:00:00Z" })], "EUR");
    // (the update was applied: its new price is stored)
    expect(String((await prisma.product.findFirst({ where: { shop: SHOP, shopifyId: "8" } }))?.priceMin)).toBe("55");
    expect(
      await prisma.product.findMany({ where: { shop: SHOP, giftCard: true }, select: { shopifyId: true }, orderBy: { shopifyId: "asc" } }),
    ).toEqual([{ shopifyId: "4" }, { shopifyId: "8" }]);
    const summary = await trainRecommendations(prisma, SHOP, NOW);
    // 10 orders, of which the gift-card-only one has no product left.
    expect(summary).toMatchObject({ orders: 9, products: 4 });
    const answer = await recommend(prisma, SHOP, request({ productId: "1" }));
    expect(answer.strategy).toBe("bought_together");
    expect(answer.products[0]).toEqual({
      id: "2",
      handle: "cups",
      title: "Cups",
      url: "/products/cups",
      price: "12.50",
      compareAtPrice: "15.00",
      currency: "EUR",
      image: "https://cdn.example/2.jpg",
      available: true,
      variantId: "201",
      productType: "Teaware",
    });
    const ids = answer.products.map((p) => p.id);
    expect(ids).not.toContain("1");
    expect(ids).not.toContain("4");
    expect(ids).not.toContain("5");
    expect(ids).toHaveLength(4);
  });

  it("serves trending for a product nobody bought yet", async () => {
    const answer = await recommend(prisma, SHOP, request({ productId: "7" }));
    expect(answer.strategy).toBe("trending");
    expect(answer.products.map((p) => p.id)).not.toContain("7");
    expect(answer.products).toHaveLength(4);
  });

  it("complements the cart, never repeating it", async () => {
    const answer = await recommend(prisma, SHOP, request({ placement: "cart", cartProductIds: ["2"] }));
    expect(answer.strategy).toBe("cart_complements");
    expect(answer.products[0].id).toBe("1");
    expect(answer.products.map((p) => p.id)).not.toContain("2");
  });

  it("for you: from the customer's history, without what they bought recently; anonymous gets trending", async () => {
    const answer = await recommend(prisma, SHOP, request({ placement: "home", customerId: "501" }));
    expect(answer.strategy).toBe("for_you");
    expect(answer.products[0].id).toBe("2");
    expect(answer.products.map((p) => p.id)).not.toContain("1");
    const anonymous = await recommend(prisma, SHOP, request({ placement: "home" }));
    expect(anonymous.strategy).toBe("trending");
  });

  it("applies the merchant's pins, exclusions and diversity", async () => {
    const saved = await saveRecommendationSettings(prisma, SHOP, {
      pinnedProductIds: ["7"],
      excludedTags: ["Hidden-From-Recs"],
      excludedProductIds: ["2"],
      maxPerType: 1,
    });
    expect(saved.ok).toBe(true);
    expect(await getRecommendationSettings(prisma, SHOP)).toMatchObject({ pinnedProductIds: ["7"], excludedProductIds: ["2"], maxPerType: 1 });
    const bad = await saveRecommendationSettings(prisma, SHOP, { maxPerType: 99 });
    expect(bad).toEqual({ ok: false, errors: [{ field: "maxPerType", message: "must be a whole number from 1 to 24" }] });
    const answer = await recommend(prisma, SHOP, request({ productId: "1", limit: 3 }));
    // Oolong pinned first; Cups excluded; Matcha excluded by tag; Sencha is the one Tea left.
    expect(answer.products.map((p) => p.id)).toEqual(["7", "3"]);
    await saveRecommendationSettings(prisma, SHOP, {});
  });

  it("a shop without orders gets its newest products", async () => {
    const answer = await recommend(prisma, EMPTY, request({ placement: "home", limit: 5 }));
    expect(answer).toMatchObject({ strategy: "trending" });
    expect(answer.products.map((p) => p.id)).toEqual(["12", "11"]);
  });
});
