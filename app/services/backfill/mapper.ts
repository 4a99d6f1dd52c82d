// Admin GraphQL objects (app/graphql/selections.ts, with nested connections gathered into
// arrays) → the webhook payloads the sync service applies. The result goes through the same zod
// schemas as a webhook, so a backfilled order and a webhook order are written by the same code.
import {
  customerPayload,
  describeZodError,
  orderPayload,
  productPayload,
  type CustomerPayload,
  type OrderPayload,
  type ProductPayload,
} from "~/lib/shopifyPayloads";
import type { z } from "zod";

interface Money {
  shopMoney: { amount: string; currencyCode: string };
}
interface Address {
  firstName?: string | null;
  lastName?: string | null;
  address1?: string | null;
  city?: string | null;
  zip?: string | null;
  province?: string | null;
  country?: string | null;
  countryCodeV2?: string | null;
  phone?: string | null;
}

export interface GqlCustomer {
  id: string;
  firstName?: string | null;
  lastName?: string | null;
  note?: string | null;
  state?: string | null;
  locale?: string | null;
  tags?: string[];
  createdAt?: string | null;
  updatedAt?: string | null;
  defaultEmailAddress?: { emailAddress: string; marketingState?: string | null } | null;
  defaultPhoneNumber?: { phoneNumber: string; marketingState?: string | null } | null;
  defaultAddress?: Address | null;
}

export interface GqlProduct {
  id: string;
  title: string;
  handle: string;
  status: string;
  productType?: string | null;
  vendor?: string | null;
  tags?: string[];
  createdAt?: string | null;
  updatedAt?: string | null;
  publishedAt?: string | null;
  featuredMedia?: { preview?: { image?: { url: string } | null } | null } | null;
  variants?: Array<{
    id: string;
    price: string;
    inventoryQuantity?: number | null;
    inventoryPolicy?: string | null;
    inventoryItem?: { tracked: boolean } | null;
  }>;
}

export interface GqlOrder {
  id: string;
  name: string;
  email?: string | null;
  phone?: string | null;
  note?: string | null;
  createdAt: string;
  processedAt?: string | null;
  updatedAt?: string | null;
  cancelledAt?: string | null;
  cancelReason?: string | null;
  displayFinancialStatus?: string | null;
  displayFulfillmentStatus?: string | null;
  currencyCode: string;
  presentmentCurrencyCode?: string | null;
  totalPriceSet: Money;
  subtotalPriceSet?: Money | null;
  totalDiscountsSet?: Money | null;
  totalTaxSet?: Money | null;
  totalShippingPriceSet?: Money | null;
  sourceName?: string | null;
  test?: boolean | null;
  tags?: string[];
  customerLocale?: string | null;
  discountCodes?: string[];
  customer?: GqlCustomer | null;
  shippingAddress?: Address | null;
  billingAddress?: Address | null;
  refunds?: Array<{
    id: string;
    createdAt?: string | null;
    totalRefundedSet?: Money | null;
    refundLineItems?: Array<{ id: string; quantity: number; restockType?: string | null; lineItem: { id: string }; subtotalSet?: Money | null }>;
  }>;
  lineItems?: Array<{
    id: string;
    title: string;
    variantTitle?: string | null;
    sku?: string | null;
    vendor?: string | null;
    quantity: number;
    product?: { id: string } | null;
    variant?: { id: string } | null;
    originalUnitPriceSet: Money;
    totalDiscountSet?: Money | null;
  }>;
}

export class MappingError extends Error {}

/** gid://shopify/Order/123 → "123" (the REST id every table is keyed by). */
export function legacyId(gid: string): string {
  const match = /^gid:\/\/shopify\/[A-Za-z]+\/(\d+)(?:\?.*)?$/.exec(gid);
  if (!match) throw new MappingError(`not a Shopify global id: "${gid}"`);
  return match[1];
}

/** The object type of a global id ("Order", "LineItem", …). */
export function gidType(gid: string): string {
  return /^gid:\/\/shopify\/([A-Za-z]+)\//.exec(gid)?.[1] ?? "";
}

const lower = (value: string | null | undefined) => (value ? value.toLowerCase() : null);
const set = (m: Money | null | undefined) => (m ? { shop_money: { amount: m.shopMoney.amount, currency_code: m.shopMoney.currencyCode } } : null);

function address(a: Address | null | undefined) {
  if (!a) return null;
  return {
    first_name: a.firstName ?? null,
    last_name: a.lastName ?? null,
    address1: a.address1 ?? null,
    city: a.city ?? null,
    zip: a.zip ?? null,
    province: a.province ?? null,
    country: a.country ?? null,
    country_code: a.countryCodeV2 ?? null,
    phone: a.phone ?? null,
  };
}

const FULFILLMENT: Record<string, string | null> = { FULFILLED: "fulfilled", PARTIALLY_FULFILLED: "partial", UNFULFILLED: null };

function check<T extends z.ZodType>(schema: T, value: unknown, what: string, id: string): z.infer<T> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new MappingError(`${what} ${id}: ${describeZodError(parsed.error)}`);
  return parsed.data;
}

function customerRaw(c: GqlCustomer) {
  const defaultAddress = address(c.defaultAddress);
  return {
    id: legacyId(c.id),
    email: c.defaultEmailAddress?.emailAddress ?? null,
    first_name: c.firstName ?? null,
    last_name: c.lastName ?? null,
    phone: c.defaultPhoneNumber?.phoneNumber ?? null,
    note: c.note ?? null,
    state: lower(c.state),
    locale: c.locale ?? null,
    tags: c.tags ?? [],
    created_at: c.createdAt ?? null,
    updated_at: c.updatedAt ?? null,
    email_marketing_consent: c.defaultEmailAddress ? { state: lower(c.defaultEmailAddress.marketingState) } : null,
    sms_marketing_consent: c.defaultPhoneNumber ? { state: lower(c.defaultPhoneNumber.marketingState) } : null,
    default_address: defaultAddress,
    addresses: defaultAddress ? [defaultAddress] : [],
  };
}

export function customerToPayload(c: GqlCustomer): CustomerPayload {
  return check(customerPayload, customerRaw(c), "customer", c.id);
}

export function productToPayload(p: GqlProduct): ProductPayload {
  const image = p.featuredMedia?.preview?.image?.url;
  return check(
    productPayload,
    {
      id: legacyId(p.id),
      title: p.title,
      handle: p.handle,
      status: lower(p.status),
      product_type: p.productType ?? null,
      vendor: p.vendor ?? null,
      tags: p.tags ?? [],
      created_at: p.createdAt ?? null,
      updated_at: p.updatedAt ?? null,
      published_at: p.publishedAt ?? null,
      variants: (p.variants ?? []).map((v) => ({
        id: legacyId(v.id),
        price: v.price,
        inventory_quantity: v.inventoryQuantity ?? null,
        inventory_policy: lower(v.inventoryPolicy),
        // REST's inventory_management is "shopify" exactly when Shopify tracks the item.
        inventory_management: v.inventoryItem?.tracked ? "shopify" : null,
      })),
      image: image ? { src: image } : null,
    },
    "product",
    p.id,
  );
}

export function orderToPayload(o: GqlOrder): OrderPayload {
  const orderId = legacyId(o.id);
  return check(
    orderPayload,
    {
      id: orderId,
      name: o.name,
      email: o.email ?? null,
      phone: o.phone ?? null,
      note: o.note ?? null,
      created_at: o.createdAt,
      processed_at: o.processedAt ?? null,
      updated_at: o.updatedAt ?? null,
      cancelled_at: o.cancelledAt ?? null,
      cancel_reason: lower(o.cancelReason),
      financial_status: lower(o.displayFinancialStatus),
      fulfillment_status: o.displayFulfillmentStatus
        ? o.displayFulfillmentStatus in FULFILLMENT
          ? FULFILLMENT[o.displayFulfillmentStatus]
          : lower(o.displayFulfillmentStatus)
        : null,
      currency: o.currencyCode,
      presentment_currency: o.presentmentCurrencyCode ?? null,
      total_price: o.totalPriceSet.shopMoney.amount,
      subtotal_price: o.subtotalPriceSet?.shopMoney.amount ?? null,
      total_discounts: o.totalDiscountsSet?.shopMoney.amount ?? null,
      total_tax: o.totalTaxSet?.shopMoney.amount ?? null,
      total_price_set: set(o.totalPriceSet),
      subtotal_price_set: set(o.subtotalPriceSet),
      total_discounts_set: set(o.totalDiscountsSet),
      total_tax_set: set(o.totalTaxSet),
      total_shipping_price_set: set(o.totalShippingPriceSet),
      source_name: o.sourceName ?? null,
      test: o.test ?? false,
      tags: o.tags ?? [],
      customer_locale: o.customerLocale ?? null,
      // Not exposed by the Admin GraphQL Order object.
      checkout_token: null,
      customer: o.customer ? customerRaw(o.customer) : null,
      shipping_address: address(o.shippingAddress),
      billing_address: address(o.billingAddress),
      line_items: (o.lineItems ?? []).map((li) => ({
        id: legacyId(li.id),
        product_id: li.product ? legacyId(li.product.id) : null,
        variant_id: li.variant ? legacyId(li.variant.id) : null,
        sku: li.sku ?? null,
        title: li.title,
        variant_title: li.variantTitle ?? null,
        vendor: li.vendor ?? null,
        quantity: li.quantity,
        price: li.originalUnitPriceSet.shopMoney.amount,
        price_set: set(li.originalUnitPriceSet),
        total_discount: li.totalDiscountSet?.shopMoney.amount ?? "0",
        total_discount_set: set(li.totalDiscountSet),
      })),
      refunds: (o.refunds ?? []).map((r) => ({
        id: legacyId(r.id),
        order_id: orderId,
        created_at: r.createdAt ?? o.updatedAt ?? o.createdAt,
        processed_at: r.createdAt ?? null,
        restock: (r.refundLineItems ?? []).some((x) => x.restockType && x.restockType !== "NO_RESTOCK"),
        refund_line_items: (r.refundLineItems ?? []).map((x) => ({
          id: legacyId(x.id),
          line_item_id: legacyId(x.lineItem.id),
          quantity: x.quantity,
          subtotal: x.subtotalSet?.shopMoney.amount ?? "0",
          subtotal_set: set(x.subtotalSet),
        })),
        // The money returned, as one successful refund transaction (what the sync service sums).
        transactions: r.totalRefundedSet
          ? [
              {
                kind: "refund",
                status: "success",
                amount: r.totalRefundedSet.shopMoney.amount,
                currency: r.totalRefundedSet.shopMoney.currencyCode,
                amount_set: set(r.totalRefundedSet),
              },
            ]
          : [],
      })),
    },
    "order",
    o.id,
  );
}
