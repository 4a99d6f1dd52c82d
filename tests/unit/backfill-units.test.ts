// Pure parts of the backfill and the write-back: the GraphQL → webhook mapper, the JSONL
// reader, the write-back diff, the Admin API origin rules.
import { describe, expect, it } from "vitest";
import { rerouteAdminUrl } from "~/lib/adminApi.server";
import { EnvError, loadEnv } from "~/lib/env.server";
import { changeFrom, churnRisk, desiredState } from "~/domain/writeBack";
import { readBulkObjects, rereadBulkObject } from "~/services/backfill/jsonl";
import { legacyId, MappingError, orderToPayload, productToPayload } from "~/services/backfill/mapper";

const money = (amount: string) => ({ shopMoney: { amount, currencyCode: "EUR" } });

function stream(text: string): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(controller) {
      // Split mid-line on purpose: lines are reassembled across chunks.
      const bytes = new TextEncoder().encode(text);
      controller.enqueue(bytes.slice(0, 37));
      controller.enqueue(bytes.slice(37));
      controller.close();
    },
  });
}

describe("mapper", () => {
  it("turns global ids into the REST ids rows are keyed by", () => {
    expect(legacyId("gid://shopify/Order/5912000004767")).toBe("5912000004767");
    expect(() => legacyId("5912000004767")).toThrow(MappingError);
  });

  it("maps an order with lines, refunds, discounts, cancellation and the test flag", () => {
    const payload = orderToPayload({
      id: "gid://shopify/Order/10",
      name: "#1010",
      createdAt: "2026-01-02T10:00:00Z",
      processedAt: "2026-01-02T10:00:00Z",
      updatedAt: "2026-01-05T10:00:00Z",
      cancelledAt: "2026-01-03T10:00:00Z",
      cancelReason: "CUSTOMER",
      displayFinancialStatus: "PARTIALLY_REFUNDED",
      displayFulfillmentStatus: "UNFULFILLED",
      currencyCode: "EUR",
      totalPriceSet: money("50.00"),
      totalDiscountsSet: money("5.00"),
      totalShippingPriceSet: money("4.90"),
      test: true,
      tags: ["vip"],
      customer: {
        id: "gid://shopify/Customer/7",
        updatedAt: "2026-01-01T00:00:00Z",
        defaultEmailAddress: { emailAddress: "a@example.com", marketingState: "SUBSCRIBED" },
      },
      lineItems: [
        {
          id: "gid://shopify/LineItem/1",
          title: "Tea",
          quantity: 2,
          product: { id: "gid://shopify/Product/3" },
          originalUnitPriceSet: money("25.00"),
          totalDiscountSet: money("5.00"),
        },
      ],
      refunds: [
        {
          id: "gid://shopify/Refund/4",
          createdAt: "2026-01-04T00:00:00Z",
          totalRefundedSet: money("12.50"),
          refundLineItems: [
            {
              id: "gid://shopify/RefundLineItem/5",
              quantity: 1,
              restockType: "RETURN",
              lineItem: { id: "gid://shopify/LineItem/1" },
              subtotalSet: money("12.50"),
            },
          ],
        },
      ],
    });
    expect(payload).toMatchObject({
      id: "10",
      cancel_reason: "customer",
      financial_status: "partially_refunded",
      fulfillment_status: null,
      test: true,
      tags: ["vip"],
      total_price: "50.00",
      customer: { id: "7", email: "a@example.com", email_marketing_consent: { state: "subscribed" } },
      line_items: [{ id: "1", product_id: "3", quantity: 2, price: "25.00", total_discount: "5.00" }],
      refunds: [
        {
          id: "4",
          order_id: "10",
          restock: true,
          refund_line_items: [{ id: "5", line_item_id: "1", quantity: 1, subtotal: "12.50" }],
          transactions: [{ kind: "refund", status: "success", amount: "12.50" }],
        },
      ],
    });
  });

  it("maps availability: untracked variants are always sellable, tracked need stock or CONTINUE", () => {
    const p = productToPayload({
      id: "gid://shopify/Product/3",
      title: "Tea",
      handle: "tea",
      status: "ACTIVE",
      variants: [
        { id: "gid://shopify/ProductVariant/9", price: "8.90", inventoryQuantity: 0, inventoryPolicy: "DENY", inventoryItem: { tracked: true } },
      ],
    });
    expect(p.status).toBe("active");
    expect(p.variants).toEqual([{ id: "9", price: "8.90", inventory_quantity: 0, inventory_policy: "deny", inventory_management: "shopify" }]);
  });
});

describe("bulk JSONL reader", () => {
  const jsonl = [
    '{"id":"gid://shopify/Order/1","refunds":[{"id":"gid://shopify/Refund/8"}]}',
    '{"id":"gid://shopify/RefundLineItem/9","quantity":1,"__parentId":"gid://shopify/Refund/8"}',
    '{"id":"gid://shopify/LineItem/2","__parentId":"gid://shopify/Order/1"}',
    '{"id":"gid://shopify/LineItem/3","__parentId":"gid://shopify/Order/1"}',
    '{"id":"gid://shopify/Order/4"}',
    '{"id":"gid://shopify/LineItem/5","__parentId":"gid://shopify/Order/4"}',
  ].join("\n");

  it("gathers children under their object and reports where each object ends", async () => {
    const got = [];
    for await (const o of readBulkObjects(stream(jsonl)))
      got.push({ object: o.object, line: o.line, lineEnd: o.lineEnd, childLines: [...o.childLines.values()] });
    expect(got).toEqual([
      {
        object: {
          id: "gid://shopify/Order/1",
          refunds: [{ id: "gid://shopify/Refund/8", refundLineItems: [{ id: "gid://shopify/RefundLineItem/9", quantity: 1 }] }],
          lineItems: [{ id: "gid://shopify/LineItem/2" }, { id: "gid://shopify/LineItem/3" }],
        },
        line: 1,
        lineEnd: 4,
        childLines: [2, 3, 4],
      },
      { object: { id: "gid://shopify/Order/4", lineItems: [{ id: "gid://shopify/LineItem/5" }] }, line: 5, lineEnd: 6, childLines: [6] },
    ]);
  });

  it("resumes after a checkpoint", async () => {
    const got = [];
    for await (const o of readBulkObjects(stream(jsonl), 4)) got.push(o.object.id);
    expect(got).toEqual(["gid://shopify/Order/4"]);
  });

  it("refuses an ungrouped file instead of misattributing children", async () => {
    const ungrouped =
      '{"id":"gid://shopify/Order/1"}\n{"id":"gid://shopify/Order/4"}\n{"id":"gid://shopify/LineItem/2","__parentId":"gid://shopify/Order/1"}\n';
    await expect(async () => {
      for await (const _ of readBulkObjects(stream(ungrouped))) void _;
    }).rejects.toThrow("line 3: parent gid://shopify/Order/1 is not the object being read");
  });

  it("decodes each line on its own: multi-byte characters cut between chunks, a byte order mark, invalid bytes", async () => {
    const text = '\uFEFF{"id":"gid://shopify/Order/1","name":"Épicerie Delorme – thé"}\n{"id":"gid://shopify/Order/2","note":"bad \xff"}\n';
    const bytes = new TextEncoder().encode(text);
    // Every cut: inside the byte order mark, inside "É" (2 bytes), "–" (3 bytes).
    for (let cut = 1; cut < bytes.length; cut++) {
      const body = new ReadableStream<Uint8Array>({
        start(controller) {
          controller.enqueue(bytes.slice(0, cut));
          controller.enqueue(bytes.slice(cut));
          controller.close();
        },
      });
      const got = [];
      for await (const o of readBulkObjects(body)) got.push(o.object);
      expect(got).toEqual([
        { id: "gid://shopify/Order/1", name: "Épicerie Delorme – thé" },
        { id: "gid://shopify/Order/2", note: "bad \u00ff" },
      ]);
    }
    // Bytes that are not UTF-8 become U+FFFD, as TextDecoder makes them.
    const invalid = new Uint8Array([
      ...new TextEncoder().encode('{"id":"gid://shopify/Order/3","note":"'),
      0xff,
      0xc3,
      ...new TextEncoder().encode('"}'),
    ]);
    const body = new ReadableStream<Uint8Array>({
      start(c) {
        c.enqueue(invalid);
        c.close();
      },
    });
    const got = [];
    for await (const o of readBulkObjects(body)) got.push(o.object);
    expect(got).toEqual([JSON.parse(new TextDecoder().decode(invalid))]);
  });

  it("keeps each object's text when asked, and reads it again to the same object and child lines", async () => {
    const withBlank = jsonl.replace('"__parentId":"gid://shopify/Refund/8"}\n', '"__parentId":"gid://shopify/Refund/8"}\n\n');
    const plain = [];
    for await (const o of readBulkObjects(stream(withBlank))) plain.push(o);
    const kept = [];
    for await (const o of readBulkObjects(stream(withBlank), 0, { keepText: true })) kept.push(o);
    expect(kept.map((o) => o.texts!.length)).toEqual([5, 2]);
    expect(kept.map((o) => [o.line, o.lineEnd])).toEqual(plain.map((o) => [o.line, o.lineEnd]));
    expect(kept.map((o) => o.object)).toEqual(plain.map((o) => o.object));
    const again = kept.map((o) => rereadBulkObject(o.texts!, o.line));
    expect(again.map((o) => o.object)).toEqual(plain.map((o) => o.object));
    expect(again.map((o) => [o.line, o.lineEnd, [...o.childLines.values()]])).toEqual([
      [1, 5, [2, 4, 5]],
      [6, 7, [7]],
    ]);
    expect(plain.map((o) => [...o.childLines.values()])).toEqual([[2, 4, 5], [7]]);
  });

  it("names the line that is not JSON", async () => {
    const broken = '{"id":"gid://shopify/Order/1"}\n{"id":"gid://shopify/LineItem/2","__parentId":\n';
    await expect(async () => {
      for await (const _ of readBulkObjects(stream(broken))) void _;
    }).rejects.toThrow(/^bulk JSONL line 2: not JSON/);
  });
});

describe("write-back diff", () => {
  const analysis = { segment: "at_risk", rScore: 1, fScore: 4, mScore: 5, pAlive: 0.2, predictedClv12m: "120.456", expectedNextOrderAt: null };

  it("derives tags and metafields", () => {
    expect(churnRisk(0.29)).toBe("high");
    expect(churnRisk(0.3)).toBe("medium");
    expect(churnRisk(0.7)).toBe("low");
    expect(churnRisk(null)).toBeNull();
    expect(desiredState("rapport:", analysis)).toEqual({
      tags: ["rapport:at-risk", "rapport:churn-high"],
      metafields: { rfm_segment: "at_risk", rfm_score: "145", churn_risk: "high", p_alive: "0.2000", predicted_clv: "120.46" },
    });
  });

  it("sends only changes and removes only tags it wrote", () => {
    const desired = desiredState("rapport:", { ...analysis, segment: "lost" });
    const last = { tags: ["rapport:at-risk", "rapport:churn-high"], metafields: desiredState("rapport:", analysis).metafields };
    expect(changeFrom(last, desired)).toEqual({ addTags: ["rapport:lost"], removeTags: ["rapport:at-risk"], setMetafields: { rfm_segment: "lost" } });
    expect(changeFrom({ tags: desired.tags, metafields: desired.metafields }, desired)).toBeNull();
    // Contributions with another prefix (a merchant's) are never written.
    expect(desiredState("rapport:", null, { tags: ["vip", "rapport:nps-promoter"] }).tags).toEqual(["rapport:nps-promoter"]);
  });
});

describe("SHOPIFY_ADMIN_ORIGIN", () => {
  const base = { SHOPIFY_API_KEY: "k", SHOPIFY_API_SECRET: "s", SHOPIFY_APP_URL: "https://rapport.example.com" };

  it("reroutes Admin API URLs only", () => {
    expect(rerouteAdminUrl("https://shop.myshopify.com/admin/api/2026-10/graphql.json", "http://127.0.0.1:8787")).toBe(
      "http://127.0.0.1:8787/admin/api/2026-10/graphql.json",
    );
    expect(rerouteAdminUrl("https://storage.example.com/bulk.jsonl", "http://127.0.0.1:8787")).toBe("https://storage.example.com/bulk.jsonl");
  });

  it("is refused in production and must be an origin", () => {
    expect(loadEnv({ ...base, SHOPIFY_ADMIN_ORIGIN: "http://127.0.0.1:8787/" }).SHOPIFY_ADMIN_ORIGIN).toBe("http://127.0.0.1:8787");
    expect(() => loadEnv({ ...base, NODE_ENV: "production", SHOPIFY_ADMIN_ORIGIN: "http://127.0.0.1:8787" })).toThrow(EnvError);
    expect(() => loadEnv({ ...base, NODE_ENV: "production", SHOPIFY_ADMIN_ORIGIN: "http://127.0.0.1:8787" })).toThrow(
      /SHOPIFY_ADMIN_ORIGIN is refused when NODE_ENV=production/,
    );
    expect(() => loadEnv({ ...base, SHOPIFY_ADMIN_ORIGIN: "http://127.0.0.1:8787/admin" })).toThrow(/must be an origin/);
  });
});
