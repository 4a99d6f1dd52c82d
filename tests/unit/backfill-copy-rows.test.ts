// The COPY path's rows (services/backfill/copyRows.ts) against the webhook path's (mapper →
// zod → models/rows.server.ts) on the same GraphQL objects, column by column, including the
// corner cases the simulator never produces; and both refuse the same malformed fields.
import { Prisma } from "@prisma/client";
import { describe, expect, it } from "vitest";
import {
  customerProfileRow,
  customerRow,
  lineItemRows,
  orderPersonalRow,
  orderRow,
  productRow,
  refundLineItemRows,
  refundRow,
} from "~/models/rows.server";
import {
  compareDecimals,
  CUSTOMER_COLUMNS,
  FieldError,
  LINE_ITEM_COLUMNS,
  ORDER_COLUMNS,
  ORDER_PERSONAL_COLUMNS,
  PRODUCT_COLUMNS,
  REFUND_COLUMNS,
  REFUND_LINE_ITEM_COLUMNS,
  stageCustomer,
  stageOrder,
  stageProduct,
  sumDecimals,
} from "~/services/backfill/copyRows";
import { customerToPayload, orderToPayload, productToPayload, type GqlCustomer, type GqlOrder, type GqlProduct } from "~/services/backfill/mapper";

/** One COPY text-format field back to its text (null for \N). */
function unescape(field: string): string | null {
  if (field === "\\N") return null;
  return field.replace(/\\(.)/g, (_, c: string) => (c === "t" ? "\t" : c === "n" ? "\n" : c === "r" ? "\r" : c));
}
/** A text[] literal as the staging line writes it. */
function parseArray(literal: string): string[] {
  const inner = literal.slice(1, -1);
  if (!inner) return [];
  const out: string[] = [];
  const re = /"((?:[^"\\]|\\.)*)"/g;
  for (let m = re.exec(inner); m; m = re.exec(inner)) out.push(m[1].replace(/\\(.)/g, "$1"));
  return out;
}
function rows(text: string, columns: readonly string[]): Record<string, string | null>[] {
  return text
    .split("\n")
    .filter(Boolean)
    .map((line) => {
      const fields = line.split("\t");
      expect(fields.length).toBe(columns.length);
      return Object.fromEntries(columns.map((c, i) => [c, unescape(fields[i])]));
    });
}

/** What PostgreSQL stores from the COPY text equals what it stores from the webhook path's value. */
function expectSameValue(column: string, copied: string | null, value: unknown) {
  const where = `column ${column}`;
  if (value === null || value === undefined || value === Prisma.JsonNull) return expect(copied, where).toBeNull();
  expect(copied, where).not.toBeNull();
  if (value instanceof Date) return expect(Date.parse(copied!), where).toBe(value.getTime());
  if (Prisma.Decimal.isDecimal(value))
    return expect(new Prisma.Decimal(copied!).eq(value as Prisma.Decimal), `${where}: ${copied} vs ${value}`).toBe(true);
  if (typeof value === "boolean") return expect(copied, where).toBe(value ? "t" : "f");
  if (typeof value === "number") return expect(copied, where).toBe(String(value));
  if (Array.isArray(value) && value.every((v) => typeof v === "string") && !["addresses"].includes(column))
    return expect(parseArray(copied!), where).toEqual(value);
  if (typeof value === "object") return expect(JSON.parse(copied!), where).toEqual(JSON.parse(JSON.stringify(value)));
  expect(copied, where).toBe(value);
}
function expectSameRow(copied: Record<string, string | null>, row: Record<string, unknown>, skip: string[] = []) {
  for (const [column, text] of Object.entries(copied)) {
    if (skip.includes(column)) continue;
    expect(column in row, `row has ${column}`).toBe(true);
    expectSameValue(column, text, row[column]);
  }
}

const money = (amount: string | number, currencyCode = "EUR") => ({ shopMoney: { amount, currencyCode } });
const address = {
  firstName: "Zoé",
  lastName: 'O"Brien',
  address1: "1 rue\tdu Port\\",
  city: "Brest",
  zip: "29200",
  countryCodeV2: "FR",
  phone: null,
};

const ORDERS: Record<string, unknown>[] = [
  {
    id: "gid://shopify/Order/10",
    name: "#1010",
    email: "a\tb@example.com",
    note: "line one\nline two \\ end",
    createdAt: "2026-01-02T10:00:00Z",
    processedAt: "2026-01-02T12:00:00+02:00",
    updatedAt: "2026-01-05T10:00:00.123Z",
    cancelledAt: "2026-01-03T10:00:00Z",
    cancelReason: "CUSTOMER",
    displayFinancialStatus: "PARTIALLY_REFUNDED",
    displayFulfillmentStatus: "PARTIALLY_FULFILLED",
    currencyCode: "EUR",
    presentmentCurrencyCode: "USD",
    totalPriceSet: money(" 50.00 "),
    subtotalPriceSet: money(45),
    totalDiscountsSet: money("5.00"),
    totalTaxSet: money("8.3333333"),
    totalShippingPriceSet: money("4.90"),
    sourceName: "web",
    test: true,
    tags: [" vip ", "", 'say "hi"', "back\\slash", "{braces},comma"],
    customerLocale: "fr",
    customer: {
      id: "gid://shopify/Customer/7",
      firstName: "Zoé",
      updatedAt: "2026-01-01T00:00:00Z",
      createdAt: "2025-01-01T00:00:00Z",
      state: "ENABLED",
      tags: ["a"],
      defaultEmailAddress: { emailAddress: "a@example.com", marketingState: "SUBSCRIBED" },
      defaultAddress: address,
    },
    shippingAddress: address,
    billingAddress: null,
    lineItems: [
      {
        id: "gid://shopify/LineItem/1",
        title: "Tea\ttime",
        variantTitle: null,
        sku: "T-1",
        vendor: "V",
        quantity: 2,
        product: { id: "gid://shopify/Product/3" },
        variant: { id: "gid://shopify/ProductVariant/4" },
        originalUnitPriceSet: money("25.00"),
        totalDiscountSet: money("5.00"),
      },
      { id: "gid://shopify/LineItem/2", title: "Custom", quantity: 1, product: null, variant: null, originalUnitPriceSet: money(" 3.5") },
    ],
    refunds: [
      {
        id: "gid://shopify/Refund/8",
        createdAt: "2026-01-04T10:00:00Z",
        totalRefundedSet: money("12.345678"),
        refundLineItems: [
          {
            id: "gid://shopify/RefundLineItem/9",
            quantity: 1,
            restockType: "RETURN",
            lineItem: { id: "gid://shopify/LineItem/1" },
            subtotalSet: money("10.00"),
          },
        ],
      },
      {
        id: "gid://shopify/Refund/11",
        createdAt: null,
        totalRefundedSet: null,
        refundLineItems: [
          { id: "gid://shopify/RefundLineItem/12", quantity: 1, restockType: "NO_RESTOCK", lineItem: { id: "gid://shopify/LineItem/2" } },
        ],
      },
      { id: "gid://shopify/Refund/13", createdAt: "2026-01-06T10:00:00Z", totalRefundedSet: money("0.0000001") },
    ],
  },
  {
    id: "gid://shopify/Order/20",
    name: "#1020",
    createdAt: "2024-02-29T23:59:59Z",
    processedAt: null,
    updatedAt: null,
    displayFulfillmentStatus: "RESTOCKED",
    currencyCode: "JPY",
    totalPriceSet: money("1200", "JPY"),
    test: null,
    tags: [],
    customer: null,
    refunds: [{ id: "gid://shopify/Refund/21", totalRefundedSet: money("100", "JPY") }],
    lineItems: [],
  },
  {
    id: "gid://shopify/Order/30",
    name: "#1030",
    createdAt: "2026-03-31T01:02:03Z",
    updatedAt: "2026-03-31T01:02:03Z",
    displayFulfillmentStatus: "UNFULFILLED",
    displayFinancialStatus: "",
    currencyCode: "EUR",
    totalPriceSet: money("0"),
    customer: { id: "gid://shopify/Customer/70", defaultPhoneNumber: { phoneNumber: "+33 6", marketingState: null }, defaultAddress: null },
  },
];

const PRODUCTS: Record<string, unknown>[] = [
  {
    id: "gid://shopify/Product/3",
    title: "Thé\tvert",
    handle: "the-vert",
    status: "ACTIVE",
    productType: "Tea",
    vendor: "V",
    tags: ["organic", " "],
    createdAt: "2025-01-01T00:00:00Z",
    updatedAt: "2025-06-01T00:00:00Z",
    publishedAt: "2025-01-02T00:00:00Z",
    featuredMedia: { preview: { image: { url: "https://cdn.example.com/t.png" } } },
    variants: [
      { id: "gid://shopify/ProductVariant/1", price: "10", inventoryQuantity: 0, inventoryPolicy: "DENY", inventoryItem: { tracked: true } },
      { id: "gid://shopify/ProductVariant/2", price: "9.50", inventoryQuantity: 0, inventoryPolicy: "CONTINUE", inventoryItem: { tracked: true } },
      { id: "gid://shopify/ProductVariant/5", price: "10.000", inventoryQuantity: 3, inventoryPolicy: "DENY", inventoryItem: { tracked: true } },
    ],
  },
  {
    id: "gid://shopify/Product/4",
    title: "Carte",
    handle: "carte",
    status: null,
    productType: "Carte cadeau",
    variants: [
      { id: "gid://shopify/ProductVariant/9", price: "25.00", inventoryQuantity: 0, inventoryPolicy: "DENY", inventoryItem: { tracked: true } },
    ],
  },
  { id: "gid://shopify/Product/6", title: "Draft", handle: "draft", status: "DRAFT", productType: "", variants: [] },
  {
    id: "gid://shopify/Product/7",
    title: "Untracked",
    handle: "u",
    status: "ACTIVE",
    featuredMedia: null,
    variants: [
      { id: "gid://shopify/ProductVariant/10", price: "-1.5", inventoryQuantity: null, inventoryItem: { tracked: false } },
      { id: "gid://shopify/ProductVariant/11", price: "100", inventoryQuantity: 5, inventoryItem: null },
    ],
  },
];

const CUSTOMERS: Record<string, unknown>[] = [
  {
    id: "gid://shopify/Customer/7",
    firstName: "Zoé",
    lastName: null,
    note: "VIP\\",
    state: "DISABLED",
    locale: "fr-FR",
    tags: ["a", " b ", ""],
    createdAt: "2025-01-01T00:00:00Z",
    updatedAt: "2026-01-01T00:00:00.5Z",
    defaultEmailAddress: { emailAddress: "z@example.com", marketingState: "UNSUBSCRIBED" },
    defaultPhoneNumber: { phoneNumber: "+33 6 00", marketingState: "SUBSCRIBED" },
    defaultAddress: address,
  },
  { id: "gid://shopify/Customer/8" },
];

describe("COPY rows equal the webhook path's rows", () => {
  it("orders, their personal data, lines, refunds and refund lines; the embedded customer as a partial copy", () => {
    for (const o of ORDERS) {
      const staged = stageOrder(o);
      const payload = orderToPayload(o as unknown as GqlOrder);
      const [order] = rows(staged.line, ORDER_COLUMNS);
      const row = orderRow("shop", payload, null);
      expectSameRow(order, row);
      expectSameRow(rows(staged.personal, ORDER_PERSONAL_COLUMNS)[0], orderPersonalRow("shop", 1, payload));
      expectSameValue("totalRefunded", staged.totalRefunded, row.totalRefunded);
      expect(staged.id).toBe(payload.id);
      expect(staged.updatedAt).toBe(payload.updated_at ? payload.updated_at.getTime() : null);
      expect(staged.processedAt).toBe((payload.processed_at ?? payload.created_at).getTime());

      const lineRows = lineItemRows("shop", 1, payload, new Map());
      expect(staged.lineItems.length).toBe(lineRows.length);
      staged.lineItems.forEach((l, i) => expectSameRow(rows(l, LINE_ITEM_COLUMNS)[0], lineRows[i]));
      expect(staged.lineProducts).toEqual(lineRows.map((l) => l.productShopifyId));

      const payloadRefunds = payload.refunds ?? [];
      expect(staged.refunds.length).toBe(payloadRefunds.length);
      staged.refunds.forEach((r, i) => {
        expectSameRow(rows(r.line, REFUND_COLUMNS)[0], { ...refundRow("shop", 1, payloadRefunds[i], row.currency), shopifyId: payloadRefunds[i].id });
        const expectedLines = refundLineItemRows("shop", 1, payloadRefunds[i]);
        expect(r.lines.length).toBe(expectedLines.length);
        r.lines.forEach((x, j) => expectSameRow(rows(x, REFUND_LINE_ITEM_COLUMNS)[0], expectedLines[j]));
      });

      if (payload.customer) {
        const partial = { ...payload.customer, updated_at: null };
        const [customer] = rows(staged.customer!.line, CUSTOMER_COLUMNS);
        expectSameRow(customer, { ...customerRow("shop", partial), ...customerProfileRow("shop", 1, partial) });
        expect(staged.customer!.updatedAt).toBeNull();
      } else expect(staged.customer).toBeNull();
    }
  });

  it("products: prices, availability, default variant, gift cards, image", () => {
    for (const p of PRODUCTS) {
      const staged = stageProduct(p);
      const payload = productToPayload(p as unknown as GqlProduct);
      const [product] = rows(staged.line, PRODUCT_COLUMNS);
      expectSameRow(product, productRow("shop", payload, "EUR"));
      expect(staged.updatedAt).toBe(payload.updated_at ? payload.updated_at.getTime() : null);
    }
  });

  it("customers with their profile", () => {
    for (const c of CUSTOMERS) {
      const staged = stageCustomer(c);
      const payload = customerToPayload(c as unknown as GqlCustomer);
      const [customer] = rows(staged.line, CUSTOMER_COLUMNS);
      expectSameRow(customer, { ...customerRow("shop", payload), ...customerProfileRow("shop", 1, payload) });
      expect(staged.updatedAt).toBe(payload.updated_at ? payload.updated_at.getTime() : null);
    }
  });

  it("sums decimal strings exactly", () => {
    expect(sumDecimals([])).toBe("0");
    expect(sumDecimals(["12.5"])).toBe("12.5");
    expect(sumDecimals(["12.345678", "0", "0.0000001"])).toBe("12.3456781");
    expect(sumDecimals(["10", "-10.50"])).toBe("-0.50");
    expect(sumDecimals(["-0.25", "-0.5"])).toBe("-0.75");
    expect(sumDecimals(["99999999999999.9999", "0.0001"])).toBe("100000000000000.0000");
  });

  it("compares decimal strings exactly", () => {
    expect(compareDecimals("10", "10.000")).toBe(0);
    expect(compareDecimals("9.5", "10")).toBe(-1);
    expect(compareDecimals("-1.5", "-1.25")).toBe(-1);
    expect(compareDecimals("-0.00", "0")).toBe(0);
    expect(compareDecimals("123456789012345.1235", "123456789012345.1234")).toBe(1);
    expect(compareDecimals("007", "7.0")).toBe(0);
  });
});

describe("both paths refuse the same malformed fields", () => {
  const base = ORDERS[0];
  const cases: [string, (o: Record<string, unknown>) => void, string][] = [
    [
      "an amount with a decimal comma",
      (o) => ((o.totalPriceSet as { shopMoney: { amount: string } }).shopMoney.amount = "12,50"),
      "totalPriceSet.shopMoney.amount",
    ],
    ["a date that is not one", (o) => (o.createdAt = "yesterday"), "createdAt"],
    ["a missing name", (o) => delete o.name, "name"],
    ["a fractional quantity", (o) => ((o.lineItems as { quantity: number }[])[0].quantity = 1.5), "lineItems.0.quantity"],
    ["a tag that is not a string", (o) => (o.tags = ["a", 3]), "tags.1"],
    ["an id that is not a global id", (o) => (o.id = "10"), "id"],
    [
      "a line without its price",
      (o) => delete (o.lineItems as Record<string, unknown>[])[1].originalUnitPriceSet,
      "lineItems.1.originalUnitPriceSet",
    ],
    [
      "a refund line without its line item",
      (o) => delete ((o.refunds as Record<string, unknown>[])[0].refundLineItems as Record<string, unknown>[])[0].lineItem,
      "refunds.0.refundLineItems.0.lineItem",
    ],
    [
      "a customer e-mail that is a number",
      (o) => ((o.customer as { defaultEmailAddress: { emailAddress: unknown } }).defaultEmailAddress.emailAddress = 5),
      "customer.defaultEmailAddress.emailAddress",
    ],
    ["a test flag that is a string", (o) => (o.test = "yes"), "test"],
  ];
  it.each(cases)("%s", (_, spoil, path) => {
    const o = structuredClone(base);
    spoil(o);
    expect(() => orderToPayload(o as unknown as GqlOrder)).toThrow();
    let error: unknown = null;
    try {
      stageOrder(o);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(FieldError);
    expect((error as FieldError).path).toBe(path);
  });

  it("products: a price that is not an amount", () => {
    const p = structuredClone(PRODUCTS[0]);
    (p.variants as { price: string }[])[1].price = "n/a";
    expect(() => productToPayload(p as unknown as GqlProduct)).toThrow();
    expect(() => stageProduct(p)).toThrow(new FieldError("variants.1.price", 'must be a decimal amount such as "42.50"'));
  });
});
