// The webhook fixtures (tests/fixtures/webhooks) parse with the sync schemas, add up, and tell one
// consistent story for rapport-fixtures.myshopify.com (see the README there).
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import type { z } from "zod";
import {
  checkoutPayload,
  customerPayload,
  deletePayload,
  orderPayload,
  productPayload,
  refundPayload,
  shopUpdatePayload,
} from "~/lib/shopifyPayloads";

const DIR = path.resolve(__dirname, "../fixtures/webhooks");
const SHOP = "rapport-fixtures.myshopify.com";

const TOPICS = [
  "orders/create",
  "orders/updated",
  "orders/cancelled",
  "orders/delete",
  "refunds/create",
  "customers/create",
  "customers/update",
  "customers/delete",
  "products/create",
  "products/update",
  "products/delete",
  "checkouts/create",
  "checkouts/update",
  "app/uninstalled",
  "app/scopes_update",
  "shop/update",
  "customers/data_request",
  "customers/redact",
  "shop/redact",
] as const;
type Topic = (typeof TOPICS)[number];

const SCHEMAS: Partial<Record<Topic, z.ZodType>> = {
  "orders/create": orderPayload,
  "orders/updated": orderPayload,
  "orders/cancelled": orderPayload,
  "orders/delete": deletePayload,
  "refunds/create": refundPayload,
  "customers/create": customerPayload,
  "customers/update": customerPayload,
  "customers/delete": deletePayload,
  "products/create": productPayload,
  "products/update": productPayload,
  "products/delete": deletePayload,
  "checkouts/create": checkoutPayload,
  "checkouts/update": checkoutPayload,
  "shop/update": shopUpdatePayload,
};

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;
const raw = (topic: Topic) => readFileSync(path.join(DIR, `${topic.replace("/", "__")}.json`), "utf8");
const load = (topic: Topic): Json => JSON.parse(raw(topic));
const F = Object.fromEntries(TOPICS.map((topic) => [topic, load(topic)])) as Record<Topic, Json>;

/** "19.99" → 1999, exactly (no float sums). */
function cents(amount: string | number): number {
  const text = String(amount);
  const match = /^(-?)(\d+)(?:\.(\d{1,2}))?$/.exec(text);
  if (!match) throw new Error(`not a money amount: ${text}`);
  return (match[1] ? -1 : 1) * (Number(match[2]) * 100 + Number((match[3] ?? "").padEnd(2, "0")));
}
const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
const shop = (set: Json) => cents(set.shop_money.amount);

/** Every value in a payload, with its key and path. */
function* walk(value: Json, at = "$", key = ""): Generator<{ at: string; key: string; value: Json }> {
  yield { at, key, value };
  if (Array.isArray(value)) for (const [i, item] of value.entries()) yield* walk(item, `${at}[${i}]`, key);
  else if (value && typeof value === "object") for (const [k, v] of Object.entries(value)) yield* walk(v, `${at}.${k}`, k);
}

describe("webhook fixtures: files and shapes", () => {
  it("has one file per topic, named <resource>__<event>.json, and a README", () => {
    const expected = [...TOPICS.map((t) => `${t.replace("/", "__")}.json`), "README.md"].sort();
    expect(readdirSync(DIR).sort()).toEqual(expected);
  });

  it.each(Object.entries(SCHEMAS))("%s parses with its sync schema", (topic, schema) => {
    const result = schema.safeParse(F[topic as Topic]);
    expect(result.success, result.success ? "" : JSON.stringify(result.error.issues.slice(0, 3))).toBe(true);
  });

  it("keeps every id exact in JavaScript: numbers are safe integers", () => {
    // Shopify's own sample ids (820982911946154508 …) exceed 2^53 and JSON.parse rounds them.
    for (const topic of TOPICS) {
      for (const { at, value } of walk(F[topic])) {
        if (typeof value === "number" && Number.isInteger(value)) expect(Number.isSafeInteger(value), `${topic} ${at}`).toBe(true);
      }
      // …and no integer literal in the text is longer than a safe one (JSON.parse would hide it).
      expect(raw(topic).match(/(?<![\d."])\d{17,}(?![\d"])/g), topic).toBeNull();
    }
  });

  it("writes ids as numbers, money as decimal strings in EUR and times as ISO 8601 with an offset", () => {
    const iso = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;
    for (const topic of TOPICS) {
      for (const { at, key, value } of walk(F[topic])) {
        if ((key === "id" || key.endsWith("_id")) && value !== null && !at.endsWith("shop_id") && typeof value !== "object") {
          // GraphQL-style ids (gid://…) and tokens are strings in Shopify's samples too.
          if (typeof value === "string") expect(value, `${topic} ${at}`).toMatch(/^(gid:\/\/shopify\/|MTU|shopify-|c?\d)/);
          else expect(typeof value, `${topic} ${at}`).toBe("number");
        }
        // (compare_at, in checkout tax lines, is a rate.)
        if (key.endsWith("_at") && key !== "compare_at" && value !== null) expect(value, `${topic} ${at}`).toMatch(iso);
        if (key === "shop_money" || key === "presentment_money") {
          expect(value.amount, `${topic} ${at}`).toMatch(/^-?\d+\.\d{2}$/);
          expect(value.currency_code ?? value.currency, `${topic} ${at}`).toBe("EUR");
        }
        // Shopify's refund sample writes a refund line item's subtotal and total_tax as numbers.
        if (/refund_line_items\[\d+\]\.(subtotal|total_tax)$/.test(at)) {
          expect(typeof value, `${topic} ${at}`).toBe("number");
        } else if (
          ["price", "total_price", "subtotal_price", "total_tax", "total_discounts", "total_discount", "amount", "line_price"].includes(key) &&
          value !== null &&
          typeof value !== "object"
        ) {
          expect(typeof value, `${topic} ${at}`).toBe("string");
          expect(value, `${topic} ${at}`).toMatch(/^\d+\.\d{2}$/);
        }
      }
    }
  });
});

describe("webhook fixtures: amounts add up", () => {
  const orders = ["orders/create", "orders/updated", "orders/cancelled"] as const;

  it.each(orders)("%s: lines − discounts = subtotal; subtotal + shipping = total (taxes included)", (topic) => {
    const order = F[topic];
    expect(order.currency).toBe("EUR");
    expect(order.taxes_included).toBe(true);
    const lines = sum(order.line_items.map((li: Json) => cents(li.price) * li.quantity));
    const lineDiscounts = sum(order.line_items.map((li: Json) => cents(li.total_discount)));
    expect(cents(order.total_line_items_price)).toBe(lines);
    expect(cents(order.total_discounts)).toBe(lineDiscounts);
    expect(cents(order.subtotal_price)).toBe(lines - cents(order.total_discounts));
    const shipping = shop(order.total_shipping_price_set);
    expect(shipping).toBe(sum(order.shipping_lines.map((s: Json) => cents(s.price))));
    // VAT is inside the prices, so it is not added again.
    expect(cents(order.total_price)).toBe(cents(order.subtotal_price) + shipping);
    const lineTax = sum(order.line_items.flatMap((li: Json) => li.tax_lines.map((t: Json) => cents(t.price))));
    const shippingTax = sum(order.shipping_lines.flatMap((s: Json) => s.tax_lines.map((t: Json) => cents(t.price))));
    expect(cents(order.total_tax)).toBe(lineTax + shippingTax);
    expect(cents(order.total_tax)).toBe(sum(order.tax_lines.map((t: Json) => cents(t.price))));
    // 20 % VAT included: tax = gross / 6, to the cent, per line.
    for (const li of order.line_items) {
      expect(cents(li.tax_lines[0].price)).toBe(Math.round((cents(li.price) * li.quantity - cents(li.total_discount)) / 6));
    }
    // The *_set shop money repeats the plain amounts.
    expect(shop(order.total_price_set)).toBe(cents(order.total_price));
    expect(shop(order.subtotal_price_set)).toBe(cents(order.subtotal_price));
    expect(shop(order.total_tax_set)).toBe(cents(order.total_tax));
    expect(shop(order.total_discounts_set)).toBe(cents(order.total_discounts));
    for (const li of order.line_items) {
      expect(shop(li.price_set)).toBe(cents(li.price));
      expect(shop(li.total_discount_set)).toBe(cents(li.total_discount));
      expect(sum(li.discount_allocations.map((d: Json) => cents(d.amount)))).toBe(cents(li.total_discount));
    }
    expect(order.line_items).toHaveLength(2);
  });

  it("the order is #1001: 2 × Small + 1 × Medium at 19.99, −5.00, +4.90 shipping = 59.87 EUR", () => {
    const order = F["orders/create"];
    expect(order.line_items.map((li: Json) => [li.variant_title, li.quantity, li.price])).toEqual([
      ["Small", 2, "19.99"],
      ["Medium", 1, "19.99"],
    ]);
    expect([order.total_line_items_price, order.total_discounts, order.subtotal_price, order.total_price, order.total_tax]).toEqual([
      "59.97",
      "5.00",
      "54.97",
      "59.87",
      "9.98",
    ]);
    expect(order.total_outstanding).toBe("0.00");
    expect(order.financial_status).toBe("paid");
  });

  it("the refund returns the Medium line: subtotal, tax and transaction agree", () => {
    const refund = F["refunds/create"];
    const order = F["orders/create"];
    expect(refund.refund_line_items).toHaveLength(1);
    const [rli] = refund.refund_line_items;
    const line = order.line_items.find((li: Json) => li.id === rli.line_item_id);
    expect(line.variant_title).toBe("Medium");
    expect(rli.quantity).toBeLessThanOrEqual(line.quantity);
    const expected = cents(line.price) * rli.quantity - Math.round((cents(line.total_discount) * rli.quantity) / line.quantity);
    expect(cents(rli.subtotal)).toBe(expected);
    expect(shop(rli.subtotal_set)).toBe(expected);
    expect(cents(rli.total_tax)).toBe(cents(line.tax_lines[0].price));
    expect(rli.line_item.id).toBe(line.id);
    expect(refund.transactions).toHaveLength(1);
    const [tx] = refund.transactions;
    expect([tx.kind, tx.status, tx.amount, tx.currency, tx.order_id]).toEqual(["refund", "success", "19.99", "EUR", order.id]);
    // Taxes included: the refund of a tax-inclusive line is its subtotal.
    expect(cents(tx.amount)).toBe(expected);
  });

  it("the cancelled order carries the refund and its current totals net of it", () => {
    const cancelled = F["orders/cancelled"];
    const refund = F["refunds/create"];
    expect(cancelled.refunds).toEqual([refund]);
    expect(cents(cancelled.current_total_price)).toBe(cents(cancelled.total_price) - cents(refund.transactions[0].amount));
    expect(cents(cancelled.current_subtotal_price)).toBe(cents(cancelled.subtotal_price) - cents(refund.refund_line_items[0].subtotal));
    expect(cents(cancelled.current_total_tax)).toBe(cents(cancelled.total_tax) - cents(refund.refund_line_items[0].total_tax));
    expect(cancelled.financial_status).toBe("partially_refunded");
    const parsed = orderPayload.parse(cancelled);
    expect(parsed.refunds?.[0].transactions?.[0].amount).toBe("19.99");
  });

  it.each(["checkouts/create", "checkouts/update"] as const)("%s: lines − discounts = subtotal; + shipping = total", (topic) => {
    const checkout = F[topic];
    const lines = sum(checkout.line_items.map((li: Json) => cents(li.price) * li.quantity));
    expect(sum(checkout.line_items.map((li: Json) => cents(li.line_price)))).toBe(lines);
    expect(cents(checkout.total_line_items_price)).toBe(lines);
    expect(cents(checkout.subtotal_price)).toBe(lines - cents(checkout.total_discounts));
    const shipping = sum(checkout.shipping_lines.map((s: Json) => cents(s.price)));
    expect(checkout.taxes_included).toBe(true);
    expect(cents(checkout.total_price)).toBe(cents(checkout.subtotal_price) + shipping);
    expect(cents(checkout.total_tax)).toBe(sum(checkout.tax_lines.map((t: Json) => cents(t.price))));
  });
});

describe("webhook fixtures: one story", () => {
  const product = F["products/create"];
  const customer = F["customers/create"];
  const order = F["orders/create"];
  const refund = F["refunds/create"];
  const time = (value: string) => Date.parse(value);

  it("the product, created, updated after the sale, then deleted", () => {
    expect(product.id).toBe(F["products/update"].id);
    expect(F["products/delete"]).toEqual({ id: product.id });
    expect(time(F["products/update"].updated_at)).toBeGreaterThan(time(product.updated_at));
    for (const li of order.line_items) {
      const variant = product.variants.find((v: Json) => v.id === li.variant_id);
      expect(li.product_id).toBe(product.id);
      expect(variant, `variant ${li.variant_id}`).toBeDefined();
      expect([li.sku, li.price, li.variant_title]).toEqual([variant.sku, variant.price, variant.title]);
      const after = F["products/update"].variants.find((v: Json) => v.id === li.variant_id);
      expect(after.inventory_quantity).toBe(variant.inventory_quantity - li.quantity);
    }
  });

  it("the customer Jeanne Martin, everywhere with the same id and email", () => {
    expect([customer.first_name, customer.last_name, customer.email]).toEqual(["Jeanne", "Martin", "jeanne.martin@example.com"]);
    const update = F["customers/update"];
    expect(update.id).toBe(customer.id);
    expect(time(update.updated_at)).toBeGreaterThan(time(customer.updated_at));
    expect(update.email_marketing_consent.state).not.toBe(customer.email_marketing_consent.state);
    expect(F["customers/delete"].id).toBe(customer.id);
    expect(order.customer.id).toBe(customer.id);
    expect(order.email).toBe(customer.email);
    for (const topic of ["checkouts/create", "checkouts/update"] as const) expect(F[topic].customer.id).toBe(customer.id);
    for (const topic of ["customers/redact", "customers/data_request"] as const) {
      expect(F[topic].customer).toEqual({ id: customer.id, email: customer.email, phone: customer.phone });
    }
  });

  it("an abandoned checkout, completed into order #1001", () => {
    const created = F["checkouts/create"];
    const updated = F["checkouts/update"];
    expect(created.completed_at).toBeNull();
    expect(updated.id).toBe(created.id);
    expect(updated.token).toBe(created.token);
    expect(updated.completed_at).not.toBeNull();
    expect(time(updated.updated_at)).toBeGreaterThan(time(created.updated_at));
    expect(order.checkout_token).toBe(updated.token);
    expect(order.cart_token).toBe(updated.cart_token);
    expect(updated.total_price).toBe(order.total_price);
    expect(time(order.created_at)).toBeGreaterThanOrEqual(time(updated.completed_at));
  });

  it("order #1001 updated, partly refunded, cancelled, deleted", () => {
    const updated = F["orders/updated"];
    const cancelled = F["orders/cancelled"];
    expect([updated.id, cancelled.id, F["orders/delete"].id, refund.order_id]).toEqual([order.id, order.id, order.id, order.id]);
    expect(F["orders/delete"]).toEqual({ id: order.id });
    expect(time(updated.updated_at)).toBeGreaterThan(time(order.updated_at));
    expect(updated.note).not.toBe(order.note);
    expect(updated.tags).not.toBe(order.tags);
    expect(order.cancelled_at).toBeNull();
    expect(time(refund.created_at)).toBeGreaterThan(time(updated.updated_at));
    expect(time(cancelled.cancelled_at)).toBeGreaterThan(time(refund.created_at));
    expect(cancelled.cancel_reason).toBe("customer");
    // Apart from what changed, the three order payloads are the same order.
    const same = (o: Json) => ({ ...o, note: null, tags: "", updated_at: null, cancelled_at: null, cancel_reason: null, closed_at: null });
    const { line_items: a, refunds: _r1, financial_status: _f1, ...createRest } = same(order);
    const { line_items: b, refunds: _r2, financial_status: _f2, ...updatedRest } = same(updated);
    expect(updatedRest).toEqual(createRest);
    expect(b).toEqual(a);
    expect(cancelled.line_items.map((li: Json) => li.id)).toEqual(a.map((li: Json) => li.id));
  });

  it("the compliance requests and the uninstall name the same shop, customer and order", () => {
    const shopPayload = F["app/uninstalled"];
    expect(shopPayload.myshopify_domain).toBe(SHOP);
    expect(shopPayload.currency).toBe("EUR");
    expect(shopPayload.taxes_included).toBe(true);
    for (const topic of ["customers/data_request", "customers/redact", "shop/redact"] as const) {
      expect(F[topic].shop_domain).toBe(SHOP);
      expect(F[topic].shop_id).toBe(shopPayload.id);
    }
    expect(F["customers/redact"].orders_to_redact).toEqual([order.id]);
    expect(F["customers/data_request"].orders_requested).toEqual([order.id]);
    expect(F["app/scopes_update"].shop_id).toBe(`gid://shopify/Shop/${shopPayload.id}`);
    expect(order.order_status_url).toContain(`https://${SHOP}/${shopPayload.id}/`);
  });
});
