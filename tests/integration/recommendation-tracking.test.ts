// The storefront's rules in process, on both databases: opted-out shoppers, the holdout,
// events, and order attribution as orders are applied (docs/metrics.md, "Recommendations").
import type { PrismaClient } from "@prisma/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { inHoldout } from "~/domain/holdout";
import { orderPayload, productPayload } from "~/lib/shopifyPayloads";
import { createRecId, parseRecId } from "~/lib/recId.server";
import { inTransaction } from "~/lib/transaction.server";
import { holdoutArmTotals } from "~/models/recommendationTracking.server";
import {
  attributeOrders,
  recommendationQuery,
  recordRecommendationEvent,
  saveTrackingSettings,
  serveRecommendations,
} from "~/services/recommendationTracking.server";
import { setShopperPreferences } from "~/services/shopperPreferences.server";
import { ensureShop, syncOrders, syncProducts } from "~/services/sync.server";
import * as f from "../factories/shopify";
import { useTestEnvironment } from "../helpers/app";
import { BACKENDS, openMigrated } from "../helpers/db";

useTestEnvironment();
const SHOP = "tracking-test.myshopify.com";
const SECRET = f.TEST_SECRET;
const NOW = new Date("2026-03-01T10:00:00Z");
const query = (q: Record<string, string>) => recommendationQuery.parse(q);

describe.each(BACKENDS)("recommendation tracking on %s", (backend) => {
  let prisma: PrismaClient;
  let cleanup: () => Promise<void>;

  beforeAll(async () => {
    const opened = await openMigrated(backend);
    prisma = opened.db.prisma;
    cleanup = opened.cleanup;
    await ensureShop(prisma, SHOP);
    await syncProducts(
      prisma,
      SHOP,
      [501, 502, 503].map((id) => productPayload.parse(f.product(id))),
      "EUR",
    );
    // Customer 7 bought 501 with 502 twice: history for the provisional engine.
    await inTransaction(prisma, (tx) =>
      syncOrders(tx, SHOP, [
        orderPayload.parse(f.order(9001, 7)),
        orderPayload.parse(f.order(9002, 8, { created_at: "2026-02-10T12:00:00+01:00", processed_at: "2026-02-10T12:00:00+01:00" })),
      ]),
    );
  });
  afterAll(async () => cleanup?.());

  it("serves an anonymous visitor a shareable answer with a recId that names placement and strategy", async () => {
    const answer = await serveRecommendations(prisma, SHOP, SECRET, {
      query: query({ placement: "product", product_id: "501", limit: "4" }),
      customerId: null,
      now: NOW,
    });
    expect(answer.personal).toBe(false);
    expect(answer.products.map((p) => p.id)).not.toContain("501");
    expect(parseRecId(SECRET, SHOP, answer.recId)).toEqual({ placement: "product", strategy: answer.strategy, servedAt: NOW });
    // Another shop or another secret cannot read it.
    expect(parseRecId(SECRET, "other.myshopify.com", answer.recId)).toBeNull();
    expect(parseRecId("other-secret", SHOP, answer.recId)).toBeNull();
  });

  it("serves an opted-out customer as an anonymous visitor and records nothing about them", async () => {
    await setShopperPreferences(prisma, SHOP, "7", { personalization: false });
    const answer = await serveRecommendations(prisma, SHOP, SECRET, { query: query({ placement: "home" }), customerId: "7", now: NOW });
    expect(answer.personal).toBe(false);
    expect(answer.strategy).not.toBe("for_you");
    const outcome = await recordRecommendationEvent(prisma, SHOP, SECRET, {
      body: { kind: "impression", recId: answer.recId },
      customerId: "7",
      now: NOW,
    });
    expect(outcome).toBe("opted_out");
    expect(await prisma.recommendationEvent.count({ where: { shop: SHOP, customerId: "7" } })).toBe(0);
    await setShopperPreferences(prisma, SHOP, "7", { personalization: true });
  });

  it("shows the holdout nothing, stably, and refuses events that do not match their recId", async () => {
    await saveTrackingSettings(prisma, SHOP, { attributionWindowDays: 7, holdoutShare: 0.5 });
    const ids = Array.from({ length: 40 }, (_, i) => String(1000 + i));
    const held = ids.find((id) => inHoldout(SHOP, `c:${id}`, 0.5))!;
    const shown = ids.find((id) => !inHoldout(SHOP, `c:${id}`, 0.5))!;
    const a = await serveRecommendations(prisma, SHOP, SECRET, { query: query({ placement: "home" }), customerId: held, now: NOW });
    const b = await serveRecommendations(prisma, SHOP, SECRET, { query: query({ placement: "home" }), customerId: held, now: NOW });
    expect([a.strategy, a.products, b.strategy]).toEqual(["holdout", [], "holdout"]);
    expect(
      (await serveRecommendations(prisma, SHOP, SECRET, { query: query({ placement: "home" }), customerId: shown, now: NOW })).strategy,
    ).not.toBe("holdout");
    // A holdout answer records a holdout exposure, never an impression; clicks need a product.
    expect(await recordRecommendationEvent(prisma, SHOP, SECRET, { body: { kind: "impression", recId: a.recId }, customerId: held, now: NOW })).toBe(
      "invalid",
    );
    expect(await recordRecommendationEvent(prisma, SHOP, SECRET, { body: { kind: "holdout", recId: a.recId }, customerId: held, now: NOW })).toBe(
      "recorded",
    );
    expect(await recordRecommendationEvent(prisma, SHOP, SECRET, { body: { kind: "click", recId: a.recId }, customerId: held, now: NOW })).toBe(
      "invalid",
    );
    expect(
      await recordRecommendationEvent(prisma, SHOP, SECRET, {
        body: { kind: "impression", recId: "1.hh.AAAAAAAA.AAAAAAAAAAAAAAAA" },
        customerId: null,
        now: NOW,
      }),
    ).toBe("invalid");
    await saveTrackingSettings(prisma, SHOP, { attributionWindowDays: 7, holdoutShare: 0 });
  });

  it("attributes an order line carrying _rapport_rec, and a line clicked by the same customer within the window", async () => {
    const recId = createRecId(SECRET, SHOP, { placement: "product", strategy: "bought_together", servedAt: NOW });
    const clickRec = createRecId(SECRET, SHOP, { placement: "home", strategy: "for_you", servedAt: NOW });
    // Customer 42 clicked product 502 on the home page two days before ordering.
    expect(
      await recordRecommendationEvent(prisma, SHOP, SECRET, {
        body: { kind: "click", recId: clickRec, productId: "502" },
        customerId: "42",
        now: new Date("2026-02-27T10:00:00Z"),
      }),
    ).toBe("recorded");
    const payload = f.order(9100, 42, {
      created_at: "2026-03-01T12:00:00+01:00",
      processed_at: "2026-03-01T12:00:00+01:00",
      updated_at: "2026-03-01T12:00:00+01:00",
    });
    (payload.line_items[0] as Record<string, unknown>).properties = [{ name: "_rapport_rec", value: recId }];
    await inTransaction(prisma, (tx) => syncOrders(tx, SHOP, [orderPayload.parse(payload)]));
    const rows = await prisma.recommendationAttribution.findMany({ where: { shop: SHOP, orderShopifyId: "9100" }, orderBy: { productId: "asc" } });
    expect(
      rows.map((r) => ({ productId: r.productId, reason: r.reason, placement: r.placement, strategy: r.strategy, revenue: r.revenue.toFixed(2) })),
    ).toEqual([
      { productId: "501", reason: "line_property", placement: "product", strategy: "bought_together", revenue: "37.00" },
      { productId: "502", reason: "click", placement: "home", strategy: "for_you", revenue: "9.00" },
    ]);

    // The order is cancelled: applied again, it has no attribution left.
    const cancelled = { ...payload, cancelled_at: "2026-03-02T09:00:00+01:00", updated_at: "2026-03-02T09:00:00+01:00" };
    await inTransaction(prisma, (tx) => syncOrders(tx, SHOP, [orderPayload.parse(cancelled)]));
    expect(await prisma.recommendationAttribution.count({ where: { shop: SHOP, orderShopifyId: "9100" } })).toBe(0);
  });

  it("does not attribute a forged _rapport_rec, nor a click older than the window", async () => {
    await recordRecommendationEvent(prisma, SHOP, SECRET, {
      body: { kind: "click", recId: createRecId(SECRET, SHOP, { placement: "home", strategy: "trending", servedAt: NOW }), productId: "502" },
      customerId: "43",
      now: new Date("2026-02-20T10:00:00Z"),
    });
    const payload = f.order(9200, 43, {
      created_at: "2026-03-01T12:00:00+01:00",
      processed_at: "2026-03-01T12:00:00+01:00",
      updated_at: "2026-03-01T12:00:00+01:00",
    });
    (payload.line_items[0] as Record<string, unknown>).properties = [{ name: "_rapport_rec", value: "lz1.pb.AAAAAAAA.forgedforgedforg" }];
    await attributeOrders(prisma, SHOP, [{ order: orderPayload.parse(payload), fresh: true }]);
    expect(await prisma.recommendationAttribution.count({ where: { shop: SHOP, orderShopifyId: "9200" } })).toBe(0);
  });

  it("links an anonymous visitor's order through the _rapport_vid cart attribute and counts both arms", async () => {
    const from = new Date("2026-03-05T00:00:00Z");
    const to = new Date("2026-03-10T00:00:00Z");
    const at = new Date("2026-03-06T10:00:00Z");
    const treat = createRecId(SECRET, SHOP, { placement: "home", strategy: "trending", servedAt: at });
    const hold = createRecId(SECRET, SHOP, { placement: "home", strategy: "holdout", servedAt: at });
    await recordRecommendationEvent(prisma, SHOP, SECRET, {
      body: { kind: "impression", recId: treat, vid: "visitorAAAA1" },
      customerId: null,
      now: at,
    });
    await recordRecommendationEvent(prisma, SHOP, SECRET, {
      body: { kind: "impression", recId: treat, vid: "visitorBBBB2" },
      customerId: null,
      now: at,
    });
    await recordRecommendationEvent(prisma, SHOP, SECRET, { body: { kind: "holdout", recId: hold, vid: "visitorCCCC3" }, customerId: null, now: at });
    await recordRecommendationEvent(prisma, SHOP, SECRET, { body: { kind: "holdout", recId: hold, vid: "visitorDDDD4" }, customerId: null, now: at });
    const order = f.order(9300, null, {
      created_at: "2026-03-07T12:00:00+01:00",
      processed_at: "2026-03-07T12:00:00+01:00",
      updated_at: "2026-03-07T12:00:00+01:00",
      note_attributes: [{ name: "_rapport_vid", value: "visitorAAAA1" }],
    });
    await inTransaction(prisma, (tx) => syncOrders(tx, SHOP, [orderPayload.parse(order)]));
    const arms = await holdoutArmTotals(prisma, SHOP, from, to);
    expect(arms).toEqual({
      treatment: { visitors: 2, converters: 1, revenue: 51, revenueSquares: 51 * 51 },
      holdout: { visitors: 2, converters: 0, revenue: 0, revenueSquares: 0 },
    });
  });
});
