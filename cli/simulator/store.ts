// The simulated shop's data: the demo generator's shop (REST webhook shapes) turned into the
// Admin GraphQL objects Shopify would return for it: global ids, enums in capitals, money bags,
// lists of tags. Objects are kept as plain records; connections are built on demand (schema.ts).
import {
  generateDemoShop,
  type DemoShop,
  type DemoShopOptions,
  type ShopifyCustomerPayload,
  type ShopifyOrderPayload,
  type ShopifyProductPayload,
} from "../../app/services/demo/generator";

export const gid = (type: string, id: number | string) => `gid://shopify/${type}/${id}`;

export interface Money {
  amount: string;
  currencyCode: string;
}
export interface MoneyBag {
  shopMoney: Money;
  presentmentMoney: Money;
}
const bag = (amount: string | number, currencyCode: string): MoneyBag => {
  const money = { amount: Number(amount).toFixed(2), currencyCode };
  return { shopMoney: money, presentmentMoney: { ...money } };
};

export interface MetafieldValue {
  namespace: string;
  key: string;
  type: string;
  value: string;
  updatedAt: string;
}

export interface SimAddress {
  firstName: string | null;
  lastName: string | null;
  address1: string | null;
  city: string | null;
  zip: string | null;
  province: string | null;
  country: string | null;
  countryCodeV2: string | null;
  phone: string | null;
}

export interface SimCustomer {
  id: string;
  firstName: string | null;
  lastName: string | null;
  note: string | null;
  state: string;
  locale: string | null;
  tags: string[];
  createdAt: string;
  updatedAt: string;
  defaultEmailAddress: { emailAddress: string; marketingState: string } | null;
  defaultPhoneNumber: { phoneNumber: string; marketingState: string } | null;
  defaultAddress: SimAddress | null;
  metafields: Map<string, MetafieldValue>;
}

export interface SimVariant {
  id: string;
  price: string;
  inventoryQuantity: number;
  inventoryPolicy: "DENY" | "CONTINUE";
  inventoryItem: { tracked: boolean };
}

export interface SimProduct {
  id: string;
  title: string;
  handle: string;
  status: string;
  productType: string;
  vendor: string;
  tags: string[];
  createdAt: string;
  updatedAt: string;
  publishedAt: string | null;
  featuredMedia: { preview: { image: { url: string } } } | null;
  variants: SimVariant[];
}

export interface SimLineItem {
  id: string;
  title: string;
  variantTitle: string | null;
  sku: string | null;
  vendor: string | null;
  quantity: number;
  product: { id: string } | null;
  variant: { id: string } | null;
  originalUnitPriceSet: MoneyBag;
  totalDiscountSet: MoneyBag;
}

export interface SimRefund {
  id: string;
  createdAt: string;
  totalRefundedSet: MoneyBag;
  refundLineItems: Array<{ id: string; quantity: number; restockType: string; lineItem: { id: string }; subtotalSet: MoneyBag }>;
}

export interface SimOrder {
  id: string;
  name: string;
  email: string | null;
  phone: string | null;
  note: string | null;
  createdAt: string;
  processedAt: string;
  updatedAt: string;
  cancelledAt: string | null;
  cancelReason: string | null;
  displayFinancialStatus: string;
  displayFulfillmentStatus: string;
  currencyCode: string;
  presentmentCurrencyCode: string;
  totalPriceSet: MoneyBag;
  subtotalPriceSet: MoneyBag;
  totalDiscountsSet: MoneyBag;
  totalTaxSet: MoneyBag;
  totalShippingPriceSet: MoneyBag;
  sourceName: string | null;
  test: boolean;
  tags: string[];
  customerLocale: string | null;
  discountCodes: string[];
  customerId: string | null;
  shippingAddress: SimAddress | null;
  billingAddress: SimAddress | null;
  refunds: SimRefund[];
  lineItems: SimLineItem[];
}

export interface SimShop {
  domain: string;
  name: string;
  currencyCode: string;
  ianaTimezone: string;
  countryCode: string;
  customers: Map<string, SimCustomer>;
  products: Map<string, SimProduct>;
  orders: Map<string, SimOrder>;
}

/** Shopify's GraphQL DateTime: UTC, seconds, "Z". */
export const iso = (value: string | null | undefined) => (value ? new Date(value).toISOString().replace(/\.\d{3}Z$/, "Z") : null);
const isoRequired = (value: string) => iso(value)!;

const splitTags = (tags: string | null | undefined) =>
  (tags ?? "")
    .split(",")
    .map((t) => t.trim())
    .filter(Boolean);

const address = (a: Record<string, unknown> | null | undefined): SimAddress | null =>
  a
    ? {
        firstName: (a.first_name as string) ?? null,
        lastName: (a.last_name as string) ?? null,
        address1: (a.address1 as string) ?? null,
        city: (a.city as string) ?? null,
        zip: (a.zip as string) ?? null,
        province: (a.province as string) ?? null,
        country: (a.country as string) ?? null,
        countryCodeV2: (a.country_code as string) ?? null,
        phone: (a.phone as string) ?? null,
      }
    : null;

export function customerFromRest(c: ShopifyCustomerPayload): SimCustomer {
  return {
    id: gid("Customer", c.id),
    firstName: c.first_name ?? null,
    lastName: c.last_name ?? null,
    note: c.note ?? null,
    state: c.state.toUpperCase(),
    locale: (c as { locale?: string }).locale ?? null,
    tags: splitTags(c.tags),
    createdAt: isoRequired(c.created_at),
    updatedAt: isoRequired(c.updated_at),
    defaultEmailAddress: c.email ? { emailAddress: c.email, marketingState: c.email_marketing_consent.state.toUpperCase() } : null,
    defaultPhoneNumber: c.phone ? { phoneNumber: c.phone, marketingState: (c.sms_marketing_consent?.state ?? "not_subscribed").toUpperCase() } : null,
    defaultAddress: address(c.default_address as unknown as Record<string, unknown>),
    metafields: new Map(),
  };
}

export function productFromRest(p: ShopifyProductPayload): SimProduct {
  return {
    id: gid("Product", p.id),
    title: p.title,
    handle: p.handle,
    status: p.status.toUpperCase(),
    productType: p.product_type,
    vendor: p.vendor,
    tags: splitTags(p.tags),
    createdAt: isoRequired(p.created_at),
    updatedAt: isoRequired(p.updated_at),
    publishedAt: iso(p.published_at),
    featuredMedia: p.image ? { preview: { image: { url: p.image.src } } } : null,
    variants: p.variants.map((v) => {
      const rest = v as typeof v & { inventory_policy?: string; inventory_management?: string | null };
      return {
        id: gid("ProductVariant", v.id),
        price: v.price,
        inventoryQuantity: v.inventory_quantity,
        inventoryPolicy: rest.inventory_policy === "continue" ? "CONTINUE" : "DENY",
        inventoryItem: { tracked: rest.inventory_management === "shopify" },
      };
    }),
  };
}

const FULFILLMENT: Record<string, string> = { fulfilled: "FULFILLED", partial: "PARTIALLY_FULFILLED" };

export function orderFromRest(o: ShopifyOrderPayload): SimOrder {
  const cur = o.currency;
  return {
    id: gid("Order", o.id),
    name: o.name,
    email: o.email ?? null,
    phone: (o as { phone?: string | null }).phone ?? null,
    note: o.note ?? null,
    createdAt: isoRequired(o.created_at),
    processedAt: isoRequired(o.processed_at),
    updatedAt: isoRequired(o.updated_at),
    cancelledAt: iso(o.cancelled_at),
    cancelReason: o.cancel_reason ? o.cancel_reason.toUpperCase() : null,
    displayFinancialStatus: o.financial_status.toUpperCase(),
    displayFulfillmentStatus: o.fulfillment_status ? FULFILLMENT[o.fulfillment_status] : "UNFULFILLED",
    currencyCode: cur,
    presentmentCurrencyCode: o.presentment_currency,
    totalPriceSet: bag(o.total_price_set.shop_money.amount, cur),
    subtotalPriceSet: bag(o.subtotal_price_set.shop_money.amount, cur),
    totalDiscountsSet: bag(o.total_discounts_set.shop_money.amount, cur),
    totalTaxSet: bag(o.total_tax_set.shop_money.amount, cur),
    totalShippingPriceSet: bag(o.total_shipping_price_set.shop_money.amount, cur),
    sourceName: o.source_name,
    test: o.test,
    tags: splitTags(o.tags),
    customerLocale: o.customer_locale ?? null,
    discountCodes: o.discount_codes.map((d) => d.code),
    customerId: o.customer ? gid("Customer", o.customer.id) : null,
    shippingAddress: address(o.shipping_address as unknown as Record<string, unknown>),
    billingAddress: address(o.billing_address as unknown as Record<string, unknown>),
    refunds: o.refunds.map((r) => ({
      id: gid("Refund", r.id),
      createdAt: isoRequired(r.created_at),
      totalRefundedSet: bag(
        r.transactions.filter((t) => t.kind === "refund" && t.status === "success").reduce((sum, t) => sum + Math.round(Number(t.amount) * 100), 0) /
          100,
        cur,
      ),
      refundLineItems: r.refund_line_items.map((rli) => ({
        id: gid("RefundLineItem", rli.id),
        quantity: rli.quantity,
        restockType: rli.restock_type.toUpperCase(),
        lineItem: { id: gid("LineItem", rli.line_item_id) },
        subtotalSet: bag(rli.subtotal_set.shop_money.amount, cur),
      })),
    })),
    lineItems: o.line_items.map((li) => ({
      id: gid("LineItem", li.id),
      title: li.title,
      variantTitle: li.variant_title,
      sku: li.sku || null,
      vendor: li.vendor || null,
      quantity: li.quantity,
      product: li.product_id ? { id: gid("Product", li.product_id) } : null,
      variant: li.variant_id ? { id: gid("ProductVariant", li.variant_id) } : null,
      originalUnitPriceSet: bag(li.price_set.shop_money.amount, cur),
      totalDiscountSet: bag(li.total_discount_set.shop_money.amount, cur),
    })),
  };
}

export type SimShopOptions = Partial<Omit<DemoShopOptions, "endDate">> & { endDate?: Date };

/** The demo shop (same options as `rapport demo seed`) as Shopify's Admin API would hold it. */
export function simulatedShop(options: SimShopOptions = {}): SimShop {
  const now = new Date();
  const endDate = options.endDate ?? new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
  return simShopOf(generateDemoShop({ ...options, endDate }));
}

/** The simulator's shop holding a generated demo shop's objects, in Admin API shapes. */
export function simShopOf(demo: DemoShop): SimShop {
  const shop: SimShop = {
    domain: demo.shop.domain,
    name: demo.shop.name,
    currencyCode: demo.shop.currency,
    ianaTimezone: demo.shop.ianaTimezone,
    countryCode: demo.shop.countryCode,
    customers: new Map(),
    products: new Map(),
    orders: new Map(),
  };
  for (const c of demo.customers) shop.customers.set(gid("Customer", c.id), customerFromRest(c));
  for (const p of demo.products) shop.products.set(gid("Product", p.id), productFromRest(p));
  for (const o of demo.orders) shop.orders.set(gid("Order", o.id), orderFromRest(o));
  return shop;
}
