// Shopify-shaped webhook payloads (REST, Admin API 2026-10), only as rich as the tests need.
// Ids are numbers, money is decimal strings with *_set twins, times are ISO 8601 with offsets.
import { createHmac, randomUUID } from "node:crypto";

const money = (amount: string, currency = "EUR") => ({
  shop_money: { amount, currency_code: currency },
  presentment_money: { amount, currency_code: currency },
});

export function customer(id: number, overrides: Record<string, unknown> = {}) {
  return {
    id,
    email: `jeanne.martin.${id}@example.com`,
    first_name: "Jeanne",
    last_name: `Martin${id}`,
    phone: `+3361234${String(id).slice(-4).padStart(4, "0")}`,
    state: "enabled",
    note: `Prefers delivery after 6pm, customer ${id}`,
    tags: "VIP, newsletter",
    created_at: "2026-01-10T10:00:00+01:00",
    updated_at: "2026-01-10T10:00:00+01:00",
    email_marketing_consent: { state: "subscribed", opt_in_level: "single_opt_in", consent_updated_at: "2026-01-10T10:00:00+01:00" },
    sms_marketing_consent: null,
    default_address: {
      id: id + 1,
      customer_id: id,
      address1: `${id} rue de la Paix`,
      city: "Lyon",
      zip: "69001",
      country: "France",
      country_code: "FR",
      default: true,
    },
    addresses: [
      {
        id: id + 1,
        customer_id: id,
        address1: `${id} rue de la Paix`,
        city: "Lyon",
        zip: "69001",
        country: "France",
        country_code: "FR",
        default: true,
      },
    ],
    ...overrides,
  };
}

export function product(id: number, overrides: Record<string, unknown> = {}) {
  return {
    id,
    title: `Café de spécialité ${id}`,
    handle: `cafe-${id}`,
    product_type: "Café",
    vendor: "Maison Rapport",
    status: "active",
    tags: "café, grains",
    created_at: "2025-12-01T09:00:00+01:00",
    updated_at: "2025-12-01T09:00:00+01:00",
    published_at: "2025-12-01T09:00:00+01:00",
    variants: [
      {
        id: id * 10,
        product_id: id,
        price: "18.50",
        sku: `CAF-${id}`,
        inventory_quantity: 12,
        inventory_policy: "deny",
        inventory_management: "shopify",
      },
    ],
    image: { id: id + 5, src: `https://cdn.shopify.com/s/files/demo/${id}.jpg` },
    ...overrides,
  };
}

/** An order of two lines (2 × 18.50 + 1 × 9.00), shipping 5.00, VAT included. Total 51.00. */
export function order(id: number, customerId: number | null, overrides: Record<string, unknown> = {}) {
  return {
    id,
    admin_graphql_api_id: `gid://shopify/Order/${id}`,
    name: `#${1000 + (id % 1000)}`,
    email: customerId ? `jeanne.martin.${customerId}@example.com` : "guest@example.org",
    phone: null,
    note: "Please gift wrap",
    created_at: "2026-02-01T12:00:00+01:00",
    processed_at: "2026-02-01T12:00:00+01:00",
    updated_at: "2026-02-01T12:00:00+01:00",
    cancelled_at: null,
    cancel_reason: null,
    financial_status: "paid",
    fulfillment_status: null,
    currency: "EUR",
    presentment_currency: "EUR",
    taxes_included: true,
    total_price: "51.00",
    subtotal_price: "46.00",
    total_discounts: "0.00",
    total_tax: "8.50",
    total_price_set: money("51.00"),
    subtotal_price_set: money("46.00"),
    total_discounts_set: money("0.00"),
    total_tax_set: money("8.50"),
    total_shipping_price_set: money("5.00"),
    source_name: "web",
    test: false,
    tags: "",
    customer_locale: "fr",
    checkout_token: `tok-${id}`,
    customer: customerId ? customer(customerId) : null,
    line_items: [
      {
        id: id * 10 + 1,
        product_id: 501,
        variant_id: 5010,
        sku: "CAF-501",
        title: "Café 501",
        variant_title: "250 g",
        vendor: "Maison Rapport",
        quantity: 2,
        price: "18.50",
        price_set: money("18.50"),
        total_discount: "0.00",
        total_discount_set: money("0.00"),
      },
      {
        id: id * 10 + 2,
        product_id: 502,
        variant_id: 5020,
        sku: "TAS-502",
        title: "Tasse 502",
        variant_title: null,
        vendor: "Maison Rapport",
        quantity: 1,
        price: "9.00",
        price_set: money("9.00"),
        total_discount: "0.00",
        total_discount_set: money("0.00"),
      },
    ],
    refunds: [],
    shipping_address: {
      first_name: "Jeanne",
      last_name: "Martin",
      address1: "1 rue de la Paix",
      city: "Lyon",
      zip: "69001",
      country_code: "FR",
      phone: "+33611111111",
    },
    billing_address: { first_name: "Jeanne", last_name: "Martin", address1: "1 rue de la Paix", city: "Lyon", zip: "69001", country_code: "FR" },
    ...overrides,
  };
}

export function refund(id: number, orderId: number, lineItemId: number, amount: string, overrides: Record<string, unknown> = {}) {
  return {
    id,
    order_id: orderId,
    created_at: "2026-02-05T10:00:00+01:00",
    processed_at: "2026-02-05T10:00:00+01:00",
    note: "Damaged",
    restock: true,
    refund_line_items: [
      {
        id: id + 1,
        line_item_id: lineItemId,
        quantity: 1,
        subtotal: Number(amount),
        subtotal_set: money(amount),
        total_tax: 0,
        total_tax_set: money("0.00"),
      },
    ],
    transactions: [{ id: id + 2, order_id: orderId, kind: "refund", status: "success", amount, currency: "EUR", gateway: "shopify_payments" }],
    order_adjustments: [],
    ...overrides,
  };
}

export function checkout(id: number, customerId: number | null, overrides: Record<string, unknown> = {}) {
  return {
    id,
    token: `chk-${id}`,
    cart_token: `cart-${id}`,
    email: customerId ? `jeanne.martin.${customerId}@example.com` : null,
    created_at: "2026-02-01T11:50:00+01:00",
    updated_at: "2026-02-01T11:50:00+01:00",
    completed_at: null,
    currency: "EUR",
    presentment_currency: "EUR",
    total_price: "51.00",
    subtotal_price: "46.00",
    customer: customerId ? { id: customerId, email: `jeanne.martin.${customerId}@example.com` } : null,
    line_items: [],
    ...overrides,
  };
}

export const TEST_SECRET = "rapport-test-secret";

/** A webhook request signed as Shopify signs it. */
export function signedWebhook(
  topic: string,
  payload: unknown,
  options: { shop?: string; secret?: string; eventId?: string; url?: string; body?: string; headers?: Record<string, string | null> } = {},
): Request {
  const body = options.body ?? JSON.stringify(payload);
  const secret = options.secret ?? TEST_SECRET;
  const headers: Record<string, string> = {
    "Content-Type": "application/json",
    "X-Shopify-Topic": topic,
    "X-Shopify-Hmac-Sha256": createHmac("sha256", secret).update(body, "utf8").digest("base64"),
    "X-Shopify-Shop-Domain": options.shop ?? "webhook-test.myshopify.com",
    "X-Shopify-API-Version": "2026-10",
    "X-Shopify-Webhook-Id": randomUUID(),
    "X-Shopify-Event-Id": options.eventId ?? randomUUID(),
    "X-Shopify-Triggered-At": new Date().toISOString(),
  };
  for (const [name, value] of Object.entries(options.headers ?? {})) {
    if (value === null) delete headers[name];
    else headers[name] = value;
  }
  return new Request(options.url ?? "https://rapport.example.com/webhooks/orders", { method: "POST", headers, body });
}
