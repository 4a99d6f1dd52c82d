// The backfill's fast path (ADR 010): Admin GraphQL objects straight to the text-format COPY
// lines of the staging tables (app/models/backfillBulk.server.ts), without the webhook payload,
// zod and Decimal objects in between. It must store exactly what the webhook path stores:
// mapper.ts + the zod schemas of lib/shopifyPayloads.ts + models/rows.server.ts, rule by rule
// (tests/unit/backfill-copy-rows.test.ts compares both on the same objects, and
// tests/e2e/backfill-bulk-equals-webhooks.test.ts every stored column). Anything those reject is
// rejected here too, with the field's path; the caller adds the JSONL line.
import { GIFT_CARD_TYPE } from "~/models/rows.server";

/** A field of an object that the webhook path's schemas would refuse. */
export class FieldError extends Error {
  constructor(
    readonly path: string,
    readonly problem: string,
    /** The nested object (a line item, a refund line…) where the field is, for its JSONL line. */
    readonly within: object | null = null,
  ) {
    super(`${path}: ${problem}`);
  }
}

const NULL = "\\N";
const SPECIAL = /[\\\t\n\r]/;

/** A text value in COPY's text format. */
export function copyText(value: string): string {
  if (!SPECIAL.test(value)) return value;
  return value.replace(/[\\\t\n\r]/g, (c) => (c === "\\" ? "\\\\" : c === "\t" ? "\\t" : c === "\n" ? "\\n" : "\\r"));
}
const opt = (value: string | null) => (value === null ? NULL : copyText(value));
const bool = (value: boolean) => (value ? "t" : "f");
const json = (value: unknown) => (value === null ? NULL : copyText(JSON.stringify(value)));
/** A text[] literal: every element quoted, `"` and `\` escaped, then COPY-escaped. */
function textArray(values: string[]): string {
  if (!values.length) return "{}";
  let out = "{";
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    out += (i ? ',"' : '"') + (/["\\]/.test(v) ? v.replace(/["\\]/g, "\\$&") : v) + '"';
  }
  return copyText(out + "}");
}

// ---- Field rules (the zod schemas' and the mapper's, for the values the mapper produces)

const GID = /^gid:\/\/shopify\/[A-Za-z]+\/(\d+)(?:\?.*)?$/;
/** gid://shopify/Order/123 → "123" (mapper.legacyId). */
function gid(value: unknown, path: string): string {
  const match = typeof value === "string" ? GID.exec(value) : null;
  if (!match) throw new FieldError(path, `not a Shopify global id: "${String(value)}"`);
  return match[1];
}
function str(value: unknown, path: string): string {
  if (typeof value !== "string") throw new FieldError(path, "must be a string");
  return value;
}
/** `text` in the schemas: a string, null or absent (→ null). */
function optStr(value: unknown, path: string): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value !== "string") throw new FieldError(path, "must be a string");
  return value;
}
/** mapper's `lower`: "" and null → null. */
function lowerOpt(value: unknown, path: string): string | null {
  if (value === null || value === undefined || value === "") return null;
  if (typeof value !== "string") throw new FieldError(path, "must be a string");
  return value.toLowerCase();
}
const DECIMAL = /^-?\d+(\.\d+)?$/;
function money(value: unknown, path: string): string {
  if (typeof value !== "string" && typeof value !== "number") throw new FieldError(path, 'must be a decimal amount such as "42.50"');
  const text = String(value).trim();
  if (!DECIMAL.test(text)) throw new FieldError(path, 'must be a decimal amount such as "42.50"');
  return text;
}
/** A `{ shopMoney { amount currencyCode } }` object: its shop-money amount (null when absent). */
function moneySet(value: unknown, path: string): { amount: string; currency: string } | null {
  if (value === null || value === undefined) return null;
  const shopMoney = (value as { shopMoney?: { amount?: unknown; currencyCode?: unknown } }).shopMoney;
  if (typeof shopMoney !== "object" || shopMoney === null) throw new FieldError(`${path}.shopMoney`, "is required");
  return { amount: money(shopMoney.amount, `${path}.shopMoney.amount`), currency: str(shopMoney.currencyCode, `${path}.shopMoney.currencyCode`) };
}
function int(value: unknown, path: string): number {
  if (typeof value !== "number" || !Number.isInteger(value)) throw new FieldError(path, "must be an integer");
  return value;
}
function intOpt(value: unknown, path: string): number | null {
  return value === null || value === undefined ? null : int(value, path);
}
function boolOpt(value: unknown, path: string): boolean | null {
  if (value === null || value === undefined) return null;
  if (typeof value !== "boolean") throw new FieldError(path, "must be true or false");
  return value;
}
/** `tags`: a comma-separated string or a list; trimmed, empty ones dropped. */
function tags(value: unknown, path: string): string[] {
  if (value === null || value === undefined) return [];
  const list = typeof value === "string" ? value.split(",") : value;
  if (!Array.isArray(list)) throw new FieldError(path, "must be a list of strings");
  const out: string[] = [];
  for (let i = 0; i < list.length; i++) {
    const tag = list[i];
    if (typeof tag !== "string") throw new FieldError(`${path}.${i}`, "must be a string");
    const trimmed = tag.trim();
    if (trimmed.length > 0) out.push(trimmed);
  }
  return out;
}

export interface Timestamp {
  /** As COPY text: stored like the webhook path's Date (UTC, milliseconds). */
  text: string;
  ms: number;
}
const D0 = 48;
const digit = (s: string, i: number) => s.charCodeAt(i) - D0;
/** "2026-01-02T10:00:00Z" with a day every month has: PostgreSQL reads it as the Date's ISO form. */
function canonicalMs(s: string): number | null {
  if (s.length !== 20 || s[4] !== "-" || s[7] !== "-" || s[10] !== "T" || s[13] !== ":" || s[16] !== ":" || s[19] !== "Z") return null;
  for (const i of [0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18]) {
    const d = digit(s, i);
    if (d < 0 || d > 9) return null;
  }
  const month = digit(s, 5) * 10 + digit(s, 6);
  const day = digit(s, 8) * 10 + digit(s, 9);
  const hour = digit(s, 11) * 10 + digit(s, 12);
  const minute = digit(s, 14) * 10 + digit(s, 15);
  const second = digit(s, 17) * 10 + digit(s, 18);
  if (month < 1 || month > 12 || day < 1 || day > 28 || hour > 23 || minute > 59 || second > 59 || s[0] === "0") return null;
  return Date.UTC(digit(s, 0) * 1000 + digit(s, 1) * 100 + digit(s, 2) * 10 + digit(s, 3), month - 1, day, hour, minute, second);
}
function timestamp(value: unknown, path: string): Timestamp {
  if (typeof value !== "string") throw new FieldError(path, "must be an ISO 8601 date-time");
  const fast = canonicalMs(value);
  if (fast !== null) return { text: value, ms: fast };
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw new FieldError(path, "must be an ISO 8601 date-time");
  return { text: new Date(ms).toISOString(), ms };
}
function timestampOpt(value: unknown, path: string): Timestamp | null {
  return value === null || value === undefined ? null : timestamp(value, path);
}
const tsText = (t: Timestamp | null) => (t ? t.text : NULL);

/** Compares two decimal strings (DECIMAL) exactly. */
export function compareDecimals(a: string, b: string): number {
  const negA = a[0] === "-";
  const negB = b[0] === "-";
  const zeroA = /^-?0+(\.0+)?$/.test(a);
  const zeroB = /^-?0+(\.0+)?$/.test(b);
  const signA = zeroA ? 0 : negA ? -1 : 1;
  const signB = zeroB ? 0 : negB ? -1 : 1;
  if (signA !== signB) return signA < signB ? -1 : 1;
  if (signA === 0) return 0;
  const [intA, fracA = ""] = (negA ? a.slice(1) : a).split(".");
  const [intB, fracB = ""] = (negB ? b.slice(1) : b).split(".");
  const ia = intA.replace(/^0+/, "");
  const ib = intB.replace(/^0+/, "");
  let magnitude = ia.length !== ib.length ? (ia.length < ib.length ? -1 : 1) : ia < ib ? -1 : ia > ib ? 1 : 0;
  if (magnitude === 0) {
    const width = Math.max(fracA.length, fracB.length);
    const fa = fracA.padEnd(width, "0");
    const fb = fracB.padEnd(width, "0");
    magnitude = fa < fb ? -1 : fa > fb ? 1 : 0;
  }
  return signA * magnitude;
}

type Obj = Record<string, unknown>;
const obj = (value: unknown): Obj | null => (typeof value === "object" && value !== null ? (value as Obj) : null);

/** mapper's `address`: the REST shape, every field present. */
function address(value: unknown) {
  if (!value) return null;
  const a = value as Obj;
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

// ---- Staging tables' columns (app/models/backfillBulk.server.ts creates them in this order)

export const CUSTOMER_COLUMNS = [
  "shopifyId",
  "state",
  "countryCode",
  "locale",
  "tags",
  "emailMarketingState",
  "smsMarketingState",
  "shopifyCreatedAt",
  "shopifyUpdatedAt",
  "email",
  "firstName",
  "lastName",
  "phone",
  "note",
  "addresses",
] as const;

export const PRODUCT_COLUMNS = [
  "shopifyId",
  "handle",
  "title",
  "status",
  "productType",
  "vendor",
  "tags",
  "imageUrl",
  "priceMin",
  "priceMax",
  "available",
  "giftCard",
  "compareAtPriceMin",
  "defaultVariantId",
  "publishedAt",
  "shopifyCreatedAt",
  "shopifyUpdatedAt",
] as const;

export const ORDER_COLUMNS = [
  "shopifyId",
  "name",
  "customerShopifyId",
  "processedAt",
  "shopifyCreatedAt",
  "cancelledAt",
  "cancelReason",
  "financialStatus",
  "fulfillmentStatus",
  "currency",
  "presentmentCurrency",
  "totalPrice",
  "subtotalPrice",
  "totalDiscounts",
  "totalTax",
  "totalShipping",
  "sourceName",
  "test",
  "tags",
  "customerLocale",
  "checkoutToken",
  "shopifyUpdatedAt",
] as const;

export const ORDER_PERSONAL_COLUMNS = ["email", "phone", "note", "shippingAddress", "billingAddress"] as const;

export const LINE_ITEM_COLUMNS = [
  "shopifyId",
  "productShopifyId",
  "variantShopifyId",
  "sku",
  "title",
  "variantTitle",
  "vendor",
  "quantity",
  "price",
  "totalDiscount",
  "currency",
] as const;

export const REFUND_COLUMNS = ["shopifyId", "processedAt", "shopifyCreatedAt", "amount", "currency", "restock"] as const;

export const REFUND_LINE_ITEM_COLUMNS = ["shopifyId", "lineItemShopifyId", "quantity", "subtotal"] as const;

/** One object of a batch, validated, with its staging lines. */
export interface StagedObject {
  /** The REST id rows are keyed by. */
  id: string;
  /** Shopify's updated_at as the webhook path classifies it (null when absent). */
  updatedAt: number | null;
}
export interface StagedCustomer extends StagedObject {
  line: string;
}
export interface StagedProduct extends StagedObject {
  line: string;
}
/**
 * An order's COPY lines without what only the database knows (row ids, the customer's row, the
 * products' types): the caller prefixes those (models/backfillBulk.server.ts lists the columns).
 */
export interface StagedOrder extends StagedObject {
  /** processed_at ?? created_at (recommendation attribution looks back from it). */
  processedAt: number;
  /** ORDER_COLUMNS, without a line end. */
  line: string;
  /** ORDER_PERSONAL_COLUMNS. */
  personal: string;
  /** The sum of the refunds' amounts (exact): the order's totalRefunded. */
  totalRefunded: string;
  /** The order's customer as the webhook path's partial copy (no version), when it has one. */
  customer: StagedCustomer | null;
  /** LINE_ITEM_COLUMNS of each line, and its product's id (for its type). */
  lineItems: string[];
  lineProducts: (string | null)[];
  refunds: { line: string; lines: string[] }[];
}

/** The exact sum of decimal strings (DECIMAL), as a decimal string. */
export function sumDecimals(values: string[]): string {
  if (!values.length) return "0";
  if (values.length === 1) return values[0];
  let scale = 0;
  for (const v of values) {
    const dot = v.indexOf(".");
    if (dot >= 0) scale = Math.max(scale, v.length - dot - 1);
  }
  let total = 0n;
  for (const v of values) {
    const [whole, fraction = ""] = v.split(".");
    const negative = whole.startsWith("-");
    const digits = BigInt((negative ? whole.slice(1) : whole) + fraction.padEnd(scale, "0"));
    total += negative ? -digits : digits;
  }
  const negative = total < 0n;
  const digits = (negative ? -total : total).toString().padStart(scale + 1, "0");
  const text = scale ? `${digits.slice(0, -scale)}.${digits.slice(-scale)}` : digits;
  return negative ? `-${text}` : text;
}

/** A customer's staging line; `partial` (an order's embedded customer) stores no version. */
function customerLine(c: Obj, path: string, partial: boolean): StagedCustomer {
  const id = gid(c.id, `${path}id`);
  // The mapper tests these objects for truthiness, then reads their fields.
  const email = c.defaultEmailAddress ? (c.defaultEmailAddress as Obj) : null;
  const phone = c.defaultPhoneNumber ? (c.defaultPhoneNumber as Obj) : null;
  const defaultAddress = address(c.defaultAddress);
  if (defaultAddress) optStr(defaultAddress.country_code, `${path}defaultAddress.countryCodeV2`);
  const createdAt = timestampOpt(c.createdAt, `${path}createdAt`);
  const updatedAt = timestampOpt(c.updatedAt, `${path}updatedAt`);
  const version = partial ? null : updatedAt;
  const line =
    [
      id,
      opt(lowerOpt(c.state, `${path}state`)),
      opt((defaultAddress?.country_code as string | null | undefined) ?? null),
      opt(optStr(c.locale, `${path}locale`)),
      textArray(tags(c.tags, `${path}tags`)),
      opt(email ? lowerOpt(email.marketingState, `${path}defaultEmailAddress.marketingState`) : null),
      opt(phone ? lowerOpt(phone.marketingState, `${path}defaultPhoneNumber.marketingState`) : null),
      tsText(createdAt),
      tsText(version),
      opt(email ? optStr(email.emailAddress, `${path}defaultEmailAddress.emailAddress`) : null),
      opt(optStr(c.firstName, `${path}firstName`)),
      opt(optStr(c.lastName, `${path}lastName`)),
      opt(phone ? optStr(phone.phoneNumber, `${path}defaultPhoneNumber.phoneNumber`) : null),
      opt(optStr(c.note, `${path}note`)),
      json(defaultAddress ? [defaultAddress] : []),
    ].join("\t") + "\n";
  return { id, updatedAt: version ? version.ms : null, line };
}

export function stageCustomer(c: Obj): StagedCustomer {
  return customerLine(c, "", false);
}

/** A product's staging line (the shop's currency is added in SQL). */
export function stageProduct(p: Obj): StagedProduct {
  const id = gid(p.id, "id");
  const title = str(p.title, "title");
  const handle = str(p.handle, "handle");
  const status = lowerOpt(p.status, "status") ?? "active";
  const productType = optStr(p.productType, "productType");
  const vendor = optStr(p.vendor, "vendor");
  const productTags = tags(p.tags, "tags");
  const createdAt = timestampOpt(p.createdAt, "createdAt");
  const updatedAt = timestampOpt(p.updatedAt, "updatedAt");
  const publishedAt = timestampOpt(p.publishedAt, "publishedAt");
  const image = (p.featuredMedia as { preview?: { image?: { url?: unknown } | null } | null } | null | undefined)?.preview?.image?.url;
  const imageUrl = image ? str(image, "featuredMedia.preview.image.url") : null;
  const variants = (p.variants ?? []) as unknown[];
  if (!Array.isArray(variants)) throw new FieldError("variants", "must be a list");
  let priceMin: string | null = null;
  let priceMax: string | null = null;
  let firstSellable: string | null = null;
  let first: string | null = null;
  for (let i = 0; i < variants.length; i++) {
    const v = obj(variants[i]);
    const path = `variants.${i}.`;
    if (!v) throw new FieldError(`variants.${i}`, "must be an object");
    const variantId = gid(v.id, `${path}id`);
    const price = money(v.price, `${path}price`);
    const quantity = intOpt(v.inventoryQuantity, `${path}inventoryQuantity`);
    const policy = lowerOpt(v.inventoryPolicy, `${path}inventoryPolicy`);
    const tracked = obj(v.inventoryItem)?.tracked ? true : false;
    if (priceMin === null || compareDecimals(price, priceMin) < 0) priceMin = price;
    if (priceMax === null || compareDecimals(price, priceMax) > 0) priceMax = price;
    first ??= variantId;
    // rows.server.ts `canBuy`: untracked, sold when out of stock, or in stock.
    if (firstSellable === null && (!tracked || policy === "continue" || (quantity ?? 0) > 0)) firstSellable = variantId;
  }
  const line =
    [
      id,
      copyText(handle),
      copyText(title),
      copyText(status),
      opt(productType || null),
      opt(vendor),
      textArray(productTags),
      opt(imageUrl),
      priceMin ?? NULL,
      priceMax ?? NULL,
      bool(status === "active" && firstSellable !== null),
      bool(GIFT_CARD_TYPE.test(productType ?? "")),
      NULL,
      opt(firstSellable ?? first),
      tsText(publishedAt),
      tsText(createdAt),
      tsText(updatedAt),
    ].join("\t") + "\n";
  return { id, updatedAt: updatedAt ? updatedAt.ms : null, line };
}

const FULFILLMENT: Record<string, string | null> = { FULFILLED: "fulfilled", PARTIALLY_FULFILLED: "partial", UNFULFILLED: null };

function list(value: unknown, path: string): unknown[] {
  if (value === null || value === undefined) return [];
  if (!Array.isArray(value)) throw new FieldError(path, "must be a list");
  return value;
}

export function stageOrder(o: Obj): StagedOrder {
  const id = gid(o.id, "id");
  const name = str(o.name, "name");
  const createdAt = timestamp(o.createdAt, "createdAt");
  const processedAt = timestampOpt(o.processedAt, "processedAt");
  const updatedAt = timestampOpt(o.updatedAt, "updatedAt");
  const cancelledAt = timestampOpt(o.cancelledAt, "cancelledAt");
  str(o.currencyCode, "currencyCode");
  if (o.totalPriceSet === null || o.totalPriceSet === undefined) throw new FieldError("totalPriceSet", "is required");
  const total = moneySet(o.totalPriceSet, "totalPriceSet")!;
  const subtotal = moneySet(o.subtotalPriceSet, "subtotalPriceSet");
  const discounts = moneySet(o.totalDiscountsSet, "totalDiscountsSet");
  const tax = moneySet(o.totalTaxSet, "totalTaxSet");
  const shipping = moneySet(o.totalShippingPriceSet, "totalShippingPriceSet");
  // orderCurrency: the amounts are shop money.
  const currency = total.currency;
  const fulfillment = optStr(
    o.displayFulfillmentStatus
      ? (o.displayFulfillmentStatus as string) in FULFILLMENT
        ? FULFILLMENT[o.displayFulfillmentStatus as string]
        : lowerOpt(o.displayFulfillmentStatus, "displayFulfillmentStatus")
      : null,
    "displayFulfillmentStatus",
  );
  const test = boolOpt(o.test ?? false, "test") ?? false;
  const customer = o.customer ? customerLine(o.customer as Obj, "customer.", true) : null;
  const version = updatedAt ?? createdAt;

  const lineItems: string[] = [];
  const lineProducts: (string | null)[] = [];
  const items = list(o.lineItems, "lineItems");
  for (let i = 0; i < items.length; i++) {
    const li = obj(items[i]);
    const path = `lineItems.${i}.`;
    if (!li) throw new FieldError(`lineItems.${i}`, "must be an object");
    try {
      const price = moneySet(li.originalUnitPriceSet, `${path}originalUnitPriceSet`);
      if (!price) throw new FieldError(`${path}originalUnitPriceSet`, "is required");
      const discount = moneySet(li.totalDiscountSet, `${path}totalDiscountSet`);
      const productId = li.product ? gid((li.product as Obj).id, `${path}product.id`) : null;
      lineProducts.push(productId);
      lineItems.push(
        [
          gid(li.id, `${path}id`),
          opt(productId),
          opt(li.variant ? gid((li.variant as Obj).id, `${path}variant.id`) : null),
          opt(optStr(li.sku, `${path}sku`)),
          copyText(str(li.title, `${path}title`)),
          opt(optStr(li.variantTitle, `${path}variantTitle`)),
          opt(optStr(li.vendor, `${path}vendor`)),
          String(int(li.quantity, `${path}quantity`)),
          price.amount,
          discount ? discount.amount : "0",
          copyText(currency),
        ].join("\t"),
      );
    } catch (error) {
      throw error instanceof FieldError && !error.within ? new FieldError(error.path, error.problem, li) : error;
    }
  }

  const refunds: StagedOrder["refunds"] = [];
  const amounts: string[] = [];
  const refundList = list(o.refunds, "refunds");
  for (let i = 0; i < refundList.length; i++) {
    const r = obj(refundList[i]);
    const path = `refunds.${i}.`;
    if (!r) throw new FieldError(`refunds.${i}`, "must be an object");
    const refundId = gid(r.id, `${path}id`);
    const refundCreatedAt = timestampOpt(r.createdAt, `${path}createdAt`);
    const amount = moneySet(r.totalRefundedSet, `${path}totalRefundedSet`);
    let restock = false;
    const refundLines: string[] = [];
    const lines = list(r.refundLineItems, `${path}refundLineItems`);
    for (let j = 0; j < lines.length; j++) {
      const x = obj(lines[j]);
      const linePath = `${path}refundLineItems.${j}.`;
      if (!x) throw new FieldError(`${path}refundLineItems.${j}`, "must be an object");
      try {
        const subtotal = moneySet(x.subtotalSet, `${linePath}subtotalSet`);
        if (x.restockType && x.restockType !== "NO_RESTOCK") restock = true;
        const lineItem = x.lineItem as Obj | null | undefined;
        if (!lineItem) throw new FieldError(`${linePath}lineItem`, "is required");
        refundLines.push(
          [
            gid(x.id, `${linePath}id`),
            gid(lineItem.id, `${linePath}lineItem.id`),
            String(int(x.quantity, `${linePath}quantity`)),
            subtotal ? subtotal.amount : "0",
          ].join("\t"),
        );
      } catch (error) {
        throw error instanceof FieldError && !error.within ? new FieldError(error.path, error.problem, x) : error;
      }
    }
    // mapper: created_at = the refund's, else the order's update, else its creation.
    const refundCreated = refundCreatedAt ?? updatedAt ?? createdAt;
    // rows.server `refundAmount`: the mapper's one successful refund transaction, else nothing.
    const refunded = amount ? amount.amount : "0";
    amounts.push(refunded);
    refunds.push({
      line: [refundId, refundCreated.text, refundCreated.text, refunded, copyText(currency), bool(restock)].join("\t"),
      lines: refundLines,
    });
  }

  const line = [
    id,
    copyText(name),
    opt(customer ? customer.id : null),
    (processedAt ?? createdAt).text,
    createdAt.text,
    tsText(cancelledAt),
    opt(lowerOpt(o.cancelReason, "cancelReason")),
    opt(lowerOpt(o.displayFinancialStatus, "displayFinancialStatus")),
    opt(fulfillment),
    copyText(currency),
    opt(optStr(o.presentmentCurrencyCode, "presentmentCurrencyCode")),
    total.amount,
    subtotal ? subtotal.amount : "0",
    discounts ? discounts.amount : "0",
    tax ? tax.amount : "0",
    shipping ? shipping.amount : "0",
    opt(optStr(o.sourceName, "sourceName")),
    bool(test),
    textArray(tags(o.tags, "tags")),
    opt(optStr(o.customerLocale, "customerLocale")),
    NULL, // checkout_token: not in the Admin GraphQL Order.
    version.text,
  ].join("\t");
  const personal = [
    opt(optStr(o.email, "email")),
    opt(optStr(o.phone, "phone")),
    opt(optStr(o.note, "note")),
    json(address(o.shippingAddress)),
    json(address(o.billingAddress)),
  ].join("\t");
  return {
    id,
    updatedAt: updatedAt ? updatedAt.ms : null,
    processedAt: (processedAt ?? createdAt).ms,
    line,
    personal,
    totalRefunded: sumDecimals(amounts),
    customer,
    lineItems,
    lineProducts,
    refunds,
  };
}
