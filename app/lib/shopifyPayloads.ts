// Zod schemas of the Shopify REST webhook payloads (Admin API 2026-10), limited to the
// fields Rapport uses. Unknown fields are dropped; a missing or malformed used field makes
// the whole event invalid, so nothing is half-applied.
import { z } from "zod";

const id = z.union([z.number().int().nonnegative(), z.string().regex(/^\d+$/, "must be a numeric id")]).transform(String);
const money = z
  .union([z.string(), z.number()])
  .transform((value) => String(value).trim())
  .refine((value) => /^-?\d+(\.\d+)?$/.test(value), { message: 'must be a decimal amount such as "42.50"' });
const timestamp = z
  .string()
  .refine((value) => !Number.isNaN(Date.parse(value)), { message: "must be an ISO 8601 date-time" })
  .transform((value) => new Date(value));
const text = z
  .string()
  .nullish()
  .transform((value) => value ?? null);
const tags = z
  .union([z.string(), z.array(z.string())])
  .nullish()
  .transform((value) => (Array.isArray(value) ? value : (value ?? "").split(",")).map((tag) => tag.trim()).filter((tag) => tag.length > 0));
const moneySet = z.object({ shop_money: z.object({ amount: money, currency_code: z.string() }) }).nullish();

const consent = z.object({ state: z.string().nullish() }).nullish();
const address = z.record(z.string(), z.unknown());

export const customerPayload = z.object({
  id,
  email: text,
  first_name: text,
  last_name: text,
  phone: text,
  note: text,
  state: text,
  locale: text,
  tags,
  created_at: timestamp.nullish(),
  updated_at: timestamp.nullish(),
  email_marketing_consent: consent,
  sms_marketing_consent: consent,
  default_address: z.object({ country_code: text }).passthrough().nullish(),
  addresses: z.array(address).nullish(),
});
export type CustomerPayload = z.infer<typeof customerPayload>;

export const lineItemPayload = z.object({
  id,
  product_id: id.nullish(),
  variant_id: id.nullish(),
  sku: text,
  title: z.string(),
  variant_title: text,
  vendor: text,
  quantity: z.number().int(),
  price: money,
  price_set: moneySet,
  total_discount: money.nullish(),
  total_discount_set: moneySet,
  // Line-item properties (the storefront's add-to-cart writes `_rapport_rec`).
  properties: z
    .array(z.object({ name: z.string(), value: z.unknown() }))
    .nullish()
    .transform((value) => value ?? []),
  gift_card: z.boolean().nullish(),
});

export const refundPayload = z.object({
  id,
  order_id: id,
  created_at: timestamp,
  processed_at: timestamp.nullish(),
  restock: z.boolean().nullish(),
  refund_line_items: z
    .array(
      z.object({
        id,
        line_item_id: id,
        quantity: z.number().int(),
        subtotal: money.nullish(),
        subtotal_set: moneySet,
      }),
    )
    .nullish(),
  transactions: z
    .array(
      z.object({
        id: id.nullish(),
        kind: z.string(),
        status: z.string().nullish(),
        amount: money,
        currency: text,
        amount_set: moneySet,
      }),
    )
    .nullish(),
});
export type RefundPayload = z.infer<typeof refundPayload>;

export const orderPayload = z.object({
  id,
  name: z.string(),
  email: text,
  phone: text,
  note: text,
  created_at: timestamp,
  processed_at: timestamp.nullish(),
  updated_at: timestamp.nullish(),
  cancelled_at: timestamp.nullish(),
  cancel_reason: text,
  financial_status: text,
  fulfillment_status: text,
  currency: z.string(),
  presentment_currency: text,
  total_price: money,
  subtotal_price: money.nullish(),
  total_discounts: money.nullish(),
  total_tax: money.nullish(),
  total_price_set: moneySet,
  subtotal_price_set: moneySet,
  total_discounts_set: moneySet,
  total_tax_set: moneySet,
  total_shipping_price_set: moneySet,
  source_name: text,
  test: z.boolean().nullish(),
  tags,
  customer_locale: text,
  checkout_token: text,
  // Cart attributes (the storefront block writes `_rapport_vid`, ADR 011).
  note_attributes: z
    .array(z.object({ name: z.string(), value: z.unknown() }))
    .nullish()
    .transform((value) => value ?? []),
  customer: customerPayload.nullish(),
  line_items: z.array(lineItemPayload),
  refunds: z.array(refundPayload).nullish(),
  shipping_address: address.nullish(),
  billing_address: address.nullish(),
});
export type OrderPayload = z.infer<typeof orderPayload>;

export const productPayload = z.object({
  id,
  title: z.string(),
  handle: z.string(),
  status: z
    .string()
    .nullish()
    .transform((value) => value ?? "active"),
  product_type: text,
  vendor: text,
  tags,
  // Not in every payload; gift card products are also known by their type and their order lines.
  gift_card: z.boolean().nullish(),
  created_at: timestamp.nullish(),
  updated_at: timestamp.nullish(),
  published_at: timestamp.nullish(),
  variants: z
    .array(
      z.object({
        id,
        price: money,
        // Shopify sends null or "" when there is no compare-at price.
        compare_at_price: z.union([money, z.literal("")]).nullish(),
        inventory_quantity: z.number().int().nullish(),
        inventory_policy: text,
        inventory_management: text,
      }),
    )
    .nullish(),
  image: z.object({ src: z.string() }).nullish(),
  images: z.array(z.object({ src: z.string() })).nullish(),
});
export type ProductPayload = z.infer<typeof productPayload>;

export const checkoutPayload = z.object({
  id,
  token: z.string().min(1),
  cart_token: text,
  created_at: timestamp,
  updated_at: timestamp.nullish(),
  completed_at: timestamp.nullish(),
  total_price: money,
  currency: text,
  presentment_currency: text,
  customer: z.object({ id }).passthrough().nullish(),
});
export type CheckoutPayload = z.infer<typeof checkoutPayload>;

/** The body of products/delete, customers/delete and orders/delete. */
export const deletePayload = z.object({ id });

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat("en", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** shop/update: the REST Shop resource; Rapport keeps its name, currency and IANA time zone. */
export const shopUpdatePayload = z.object({
  name: z.string().min(1),
  currency: z.string().regex(/^[A-Z]{3}$/, "must be an ISO 4217 code such as EUR"),
  iana_timezone: z
    .string()
    .refine(isTimeZone, { message: "must be an IANA time zone such as Europe/Paris" })
    .nullish()
    .transform((value) => value ?? null),
});

/** Shop money from a *_set field, else the plain amount. */
export function shopMoney(set: { shop_money: { amount: string } } | null | undefined, fallback: string | null | undefined): string {
  return set?.shop_money.amount ?? fallback ?? "0";
}

/** A zod error as one readable sentence: "line_items.0.price must be a decimal amount …". */
export function describeZodError(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => `${issue.path.join(".") || "payload"}: ${issue.message}`)
    .join("; ");
}
