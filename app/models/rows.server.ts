// Pure mapping from validated Shopify payloads to Rapport rows (Decimal columns, JSON nulls):
// the shape of the tables, so it lives with the models. No database access here.
import { Prisma } from "@prisma/client";
import type { CheckoutPayload, CustomerPayload, OrderPayload, ProductPayload, RefundPayload } from "~/lib/shopifyPayloads";
import { shopMoney } from "~/lib/shopifyPayloads";

const Decimal = Prisma.Decimal;

export function customerRow(shop: string, c: CustomerPayload) {
  return {
    shop,
    shopifyId: c.id,
    state: c.state,
    countryCode: c.default_address?.country_code ?? null,
    locale: c.locale,
    tags: c.tags,
    emailMarketingState: c.email_marketing_consent?.state ?? null,
    smsMarketingState: c.sms_marketing_consent?.state ?? null,
    shopifyCreatedAt: c.created_at ?? null,
    shopifyUpdatedAt: c.updated_at ?? null,
  };
}

export function customerProfileRow(shop: string, customerId: number, c: CustomerPayload) {
  const addresses = c.addresses ?? (c.default_address ? [c.default_address] : []);
  return {
    customerId,
    shop,
    email: c.email,
    firstName: c.first_name,
    lastName: c.last_name,
    phone: c.phone,
    note: c.note,
    addresses: addresses as Prisma.InputJsonValue,
  };
}

/** Money actually returned by a refund: its successful refund transactions, in shop money. */
export function refundAmount(refund: RefundPayload): Prisma.Decimal {
  return (refund.transactions ?? [])
    .filter((t) => t.kind === "refund" && (t.status == null || t.status === "success"))
    .reduce((sum, t) => sum.plus(shopMoney(t.amount_set, t.amount)), new Decimal(0));
}

/** The order's amounts are in shop money: its currency. */
export function orderCurrency(o: OrderPayload): string {
  return o.total_price_set?.shop_money.currency_code ?? o.currency;
}

export function orderRow(shop: string, o: OrderPayload, customerId: number | null) {
  const totalRefunded = (o.refunds ?? []).reduce((sum, r) => sum.plus(refundAmount(r)), new Decimal(0));
  return {
    shop,
    shopifyId: o.id,
    name: o.name,
    customerId,
    customerShopifyId: o.customer?.id ?? null,
    processedAt: o.processed_at ?? o.created_at,
    shopifyCreatedAt: o.created_at,
    cancelledAt: o.cancelled_at ?? null,
    cancelReason: o.cancel_reason,
    financialStatus: o.financial_status,
    fulfillmentStatus: o.fulfillment_status,
    currency: orderCurrency(o),
    presentmentCurrency: o.presentment_currency,
    totalPrice: new Decimal(shopMoney(o.total_price_set, o.total_price)),
    subtotalPrice: new Decimal(shopMoney(o.subtotal_price_set, o.subtotal_price)),
    totalDiscounts: new Decimal(shopMoney(o.total_discounts_set, o.total_discounts)),
    totalTax: new Decimal(shopMoney(o.total_tax_set, o.total_tax)),
    totalShipping: new Decimal(shopMoney(o.total_shipping_price_set, "0")),
    totalRefunded,
    sourceName: o.source_name,
    test: o.test ?? false,
    tags: o.tags,
    customerLocale: o.customer_locale,
    checkoutToken: o.checkout_token,
    shopifyUpdatedAt: o.updated_at ?? o.created_at,
  };
}

export function orderPersonalRow(shop: string, orderId: number, o: OrderPayload) {
  return {
    orderId,
    shop,
    email: o.email,
    phone: o.phone,
    note: o.note,
    shippingAddress: (o.shipping_address ?? Prisma.JsonNull) as Prisma.InputJsonValue,
    billingAddress: (o.billing_address ?? Prisma.JsonNull) as Prisma.InputJsonValue,
  };
}

export function lineItemRows(shop: string, orderId: number, o: OrderPayload, productTypes: Map<string, string | null>) {
  const currency = orderCurrency(o);
  return o.line_items.map((li) => ({
    shop,
    shopifyId: li.id,
    orderId,
    productShopifyId: li.product_id ?? null,
    variantShopifyId: li.variant_id ?? null,
    sku: li.sku,
    title: li.title,
    variantTitle: li.variant_title,
    vendor: li.vendor,
    productType: li.product_id ? (productTypes.get(li.product_id) ?? null) : null,
    quantity: li.quantity,
    price: new Decimal(shopMoney(li.price_set, li.price)),
    totalDiscount: new Decimal(shopMoney(li.total_discount_set, li.total_discount ?? "0")),
    currency,
  }));
}

export function refundRow(shop: string, orderId: number, r: RefundPayload, currency: string) {
  return {
    shop,
    shopifyId: r.id,
    orderId,
    processedAt: r.processed_at ?? r.created_at,
    shopifyCreatedAt: r.created_at,
    amount: refundAmount(r),
    currency,
    restock: r.restock ?? false,
  };
}

export function refundLineItemRows(shop: string, refundId: number, r: RefundPayload) {
  return (r.refund_line_items ?? []).map((rli) => ({
    shop,
    shopifyId: rli.id,
    refundId,
    lineItemShopifyId: rli.line_item_id,
    quantity: rli.quantity,
    subtotal: new Decimal(shopMoney(rli.subtotal_set, rli.subtotal ?? "0")),
  }));
}

/** A product type Shopify and merchants use for gift cards ("Gift Card", "gift cards", "Carte cadeau"). */
export const GIFT_CARD_TYPE = /^\s*(gift[ -]?cards?|cartes?[ -]cadeaux?)\s*$/i;

export function productRow(shop: string, p: ProductPayload, currency: string) {
  const variants = p.variants ?? [];
  const prices = variants.map((v) => new Decimal(v.price));
  const canBuy = (v: (typeof variants)[number]) =>
    v.inventory_management == null || v.inventory_policy === "continue" || (v.inventory_quantity ?? 0) > 0;
  const sellable = variants.some(canBuy);
  // A sale: compare-at above the price.
  const compareAt = variants
    .filter((v) => v.compare_at_price && new Decimal(v.compare_at_price).gt(new Decimal(v.price)))
    .map((v) => new Decimal(v.compare_at_price as string));
  const defaultVariant = variants.find(canBuy) ?? variants[0];
  return {
    shop,
    shopifyId: p.id,
    handle: p.handle,
    title: p.title,
    status: p.status,
    productType: p.product_type || null,
    vendor: p.vendor,
    tags: p.tags,
    imageUrl: p.image?.src ?? p.images?.[0]?.src ?? null,
    priceMin: prices.length ? Decimal.min(...prices) : null,
    priceMax: prices.length ? Decimal.max(...prices) : null,
    currency,
    available: p.status === "active" && sellable,
    giftCard: p.gift_card === true || GIFT_CARD_TYPE.test(p.product_type ?? ""),
    compareAtPriceMin: compareAt.length ? Decimal.min(...compareAt) : null,
    defaultVariantId: defaultVariant?.id ?? null,
    publishedAt: p.published_at ?? null,
    shopifyCreatedAt: p.created_at ?? null,
    shopifyUpdatedAt: p.updated_at ?? null,
  };
}

export function checkoutRow(shop: string, c: CheckoutPayload, customerId: number | null, shopCurrency: string) {
  return {
    shop,
    shopifyId: c.id,
    token: c.token,
    cartToken: c.cart_token,
    customerId,
    customerShopifyId: c.customer?.id ?? null,
    totalPrice: new Decimal(c.total_price),
    currency: c.currency ?? shopCurrency,
    shopifyCreatedAt: c.created_at,
    completedAt: c.completed_at ?? null,
    shopifyUpdatedAt: c.updated_at ?? c.created_at,
  };
}
