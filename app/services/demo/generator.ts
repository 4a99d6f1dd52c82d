/**
 * Deterministic generator of a realistic demo shop, expressed as Shopify REST webhook
 * payloads (Admin API 2026-10 field names and value types: numeric ids, money as decimal
 * strings, times as ISO 8601 with the Europe/Paris offset).
 *
 * Pure: no I/O, no clock (all time derives from `endDate`), no Math.random. The same
 * options always produce deep-equal output.
 *
 * Model overview
 * - Calendar: one weight per local (Paris) day = month seasonality × weekday × special days
 *   (Black Friday weekend, Christmas run-up, Valentine's week) × a little daily noise.
 *   New customers arrive along that curve times an exponential growth trend.
 * - Purchases follow CDNOW's published BG/NBD fit (CDNOW_BG_NBD): each customer has a purchase
 *   rate λ ~ Gamma(r, α) per week and a dropout probability p ~ Beta(a, b); alive at the first
 *   order, the customer drops out with probability p after each repeat order, otherwise the
 *   next order comes after an exponential wait in "seasonal time" (so repeat orders also peak
 *   in November–December). The default customer base is sized so that CDNOW's rates give the
 *   requested orders; other sizes multiply every rate by one factor (found by bisection on the
 *   same random draws) so that registered plus guest orders hit the requested count.
 * - Spend follows CDNOW's Gamma-Gamma fit (CDNOW_GAMMA_GAMMA), rescaled to the catalogue's
 *   prices: each order aims at a merchandise value ~ Gamma(p, ν), the customer's ν ~ Gamma(q, γ).
 * - Baskets: each customer favours 1–2 product types; items are drawn from the favourite
 *   types or from affinity partner families of the items already in the basket until the
 *   order's value is reached, product popularity within a type/family is Zipf-like, and a few
 *   signature pairs (e.g. the house espresso blend and the manual grinder) are bought together
 *   much more often than chance.
 * - Money is computed in integer cents; prices include VAT (5.5 % food, 20 % otherwise).
 */

import {
  COUNTRIES,
  CUSTOMER_NOTES,
  DISCOUNT_CODES,
  FAMILY_AFFINITY,
  FIRST_NAMES_DE,
  FIRST_NAMES_ES,
  FIRST_NAMES_FR,
  LAST_NAMES_DE,
  LAST_NAMES_ES,
  LAST_NAMES_FR,
  ORDER_NOTES,
  PRODUCT_TYPES,
  REFUND_NOTES,
  SIGNATURE_PAIRS,
  type CountrySpec,
  type FamilyKey,
  type FamilySpec,
  type ProductTypeSpec,
} from "./catalog";
import { zonedCalendar } from "~/domain/time";
import { Rng, WeightedTable } from "./random";

/**
 * Product title pairs designed to be bought together (lift well above 1), useful to
 * demonstrate and test recommendations / market-basket analysis on the demo data.
 */
export { SIGNATURE_PAIRS as DEMO_SIGNATURE_PAIRS } from "./catalog";

// ---------------------------------------------------------------------------------------
// Public types
// ---------------------------------------------------------------------------------------

export interface DemoShopOptions {
  seed: number;
  /** Registered customers (guests are extra). */
  customers: number;
  /** Target total number of orders (registered + guest + test). */
  orders: number;
  products: number;
  months: number;
  /** The "now" of the demo: every generated event happens before it. */
  endDate: Date;
  shopDomain: string;
}

export const DEFAULT_DEMO_OPTIONS: Omit<DemoShopOptions, "endDate"> = {
  seed: 42,
  customers: 6200,
  orders: 15000,
  products: 200,
  months: 24,
  shopDomain: "rapport-demo.myshopify.com",
};

export type CurrencyCode = "EUR";

export interface ShopifyMoney {
  amount: string;
  currency_code: CurrencyCode;
}

export interface ShopifyMoneySet {
  shop_money: ShopifyMoney;
  presentment_money: ShopifyMoney;
}

export interface ShopifyProductVariantPayload {
  id: number;
  admin_graphql_api_id: string;
  product_id: number;
  title: string;
  price: string;
  compare_at_price: string | null;
  sku: string;
  inventory_quantity: number;
  position: number;
  created_at: string;
  updated_at: string;
}

export interface ShopifyProductImagePayload {
  id: number;
  src: string;
  alt: string | null;
}

export interface ShopifyProductPayload {
  id: number;
  admin_graphql_api_id: string;
  title: string;
  handle: string;
  body_html: string;
  vendor: string;
  product_type: string;
  status: "active" | "draft" | "archived";
  tags: string;
  created_at: string;
  updated_at: string;
  published_at: string | null;
  variants: ShopifyProductVariantPayload[];
  image: ShopifyProductImagePayload | null;
  images: ShopifyProductImagePayload[];
}

export interface ShopifyMarketingConsent {
  state: "subscribed" | "not_subscribed" | "unsubscribed";
  opt_in_level: "single_opt_in" | "confirmed_opt_in" | null;
  consent_updated_at: string | null;
}

export interface ShopifyCustomerAddressPayload {
  id: number;
  customer_id: number;
  first_name: string;
  last_name: string;
  address1: string;
  city: string;
  zip: string;
  province: string | null;
  country: string;
  country_code: string;
  phone: string | null;
  default: boolean;
}

export interface ShopifyCustomerPayload {
  id: number;
  admin_graphql_api_id: string;
  email: string;
  first_name: string;
  last_name: string;
  phone: string | null;
  created_at: string;
  updated_at: string;
  state: "enabled" | "disabled" | "invited" | "declined";
  verified_email: boolean;
  tags: string;
  currency: CurrencyCode;
  note: string | null;
  email_marketing_consent: ShopifyMarketingConsent;
  sms_marketing_consent: ShopifyMarketingConsent | null;
  default_address: ShopifyCustomerAddressPayload;
  addresses: ShopifyCustomerAddressPayload[];
}

/** The customer object embedded in orders and checkouts. */
export interface ShopifyOrderCustomerPayload {
  id: number;
  email: string;
  first_name: string;
  last_name: string;
  phone: string | null;
  created_at: string;
  updated_at: string;
  state: "enabled" | "disabled" | "invited" | "declined";
  tags: string;
  currency: CurrencyCode;
  default_address: ShopifyCustomerAddressPayload;
}

export interface ShopifyOrderAddressPayload {
  first_name: string;
  last_name: string;
  name: string;
  address1: string;
  city: string;
  zip: string;
  province: string | null;
  country: string;
  country_code: string;
  phone: string | null;
}

export interface ShopifyLineItemPayload {
  id: number;
  admin_graphql_api_id: string;
  product_id: number;
  variant_id: number;
  sku: string;
  title: string;
  variant_title: string | null;
  vendor: string;
  name: string;
  quantity: number;
  price: string;
  price_set: ShopifyMoneySet;
  /** Order-level discount allocated to this line (sum over lines = order total_discounts). */
  total_discount: string;
  total_discount_set: ShopifyMoneySet;
  taxable: boolean;
  gift_card: false;
  product_exists: boolean;
}

export interface ShopifyRefundLineItemPayload {
  id: number;
  line_item_id: number;
  quantity: number;
  restock_type: "no_restock" | "cancel" | "return" | "legacy_restock";
  /** Shopify sends these two as JSON numbers (the *_set variants carry strings). */
  subtotal: number;
  subtotal_set: ShopifyMoneySet;
  total_tax: number;
  total_tax_set: ShopifyMoneySet;
}

export interface ShopifyTransactionPayload {
  id: number;
  order_id: number;
  kind: "refund";
  status: "success";
  amount: string;
  currency: CurrencyCode;
  created_at: string;
  gateway: string;
}

export interface ShopifyOrderAdjustmentPayload {
  id: number;
  order_id: number;
  refund_id: number;
  kind: "shipping_refund" | "refund_discrepancy";
  reason: string;
  /** Negative for refunded shipping, e.g. "-4.90". */
  amount: string;
  amount_set: ShopifyMoneySet;
  tax_amount: string;
  tax_amount_set: ShopifyMoneySet;
}

export interface ShopifyRefundPayload {
  id: number;
  admin_graphql_api_id: string;
  order_id: number;
  created_at: string;
  processed_at: string;
  note: string | null;
  restock: boolean;
  refund_line_items: ShopifyRefundLineItemPayload[];
  transactions: ShopifyTransactionPayload[];
  order_adjustments: ShopifyOrderAdjustmentPayload[];
}

export interface ShopifyShippingLinePayload {
  id: number;
  title: string;
  price: string;
  price_set: ShopifyMoneySet;
  code: string;
}

export interface ShopifyDiscountCodePayload {
  code: string;
  amount: string;
  type: "percentage" | "fixed_amount" | "shipping";
}

export type ShopifyCancelReason = "customer" | "inventory" | "declined" | "fraud" | "other";

export interface ShopifyOrderPayload {
  id: number;
  admin_graphql_api_id: string;
  name: string;
  order_number: number;
  email: string | null;
  created_at: string;
  processed_at: string;
  updated_at: string;
  cancelled_at: string | null;
  cancel_reason: ShopifyCancelReason | null;
  closed_at: string | null;
  financial_status: "paid" | "refunded" | "partially_refunded" | "voided";
  fulfillment_status: "fulfilled" | "partial" | null;
  currency: CurrencyCode;
  presentment_currency: CurrencyCode;
  taxes_included: boolean;
  total_price: string;
  subtotal_price: string;
  total_discounts: string;
  total_tax: string;
  total_line_items_price: string;
  total_price_set: ShopifyMoneySet;
  subtotal_price_set: ShopifyMoneySet;
  total_discounts_set: ShopifyMoneySet;
  total_tax_set: ShopifyMoneySet;
  total_shipping_price_set: ShopifyMoneySet;
  current_total_price: string;
  source_name: "web" | "pos" | "shopify_draft_order";
  test: boolean;
  tags: string;
  note: string | null;
  customer_locale: string;
  checkout_token: string | null;
  customer: ShopifyOrderCustomerPayload | null;
  line_items: ShopifyLineItemPayload[];
  refunds: ShopifyRefundPayload[];
  shipping_lines: ShopifyShippingLinePayload[];
  shipping_address: ShopifyOrderAddressPayload | null;
  billing_address: ShopifyOrderAddressPayload | null;
  discount_codes: ShopifyDiscountCodePayload[];
}

export interface ShopifyCheckoutLineItemPayload {
  variant_id: number;
  product_id: number;
  title: string;
  quantity: number;
  price: string;
  sku: string;
}

export interface ShopifyCheckoutPayload {
  id: number;
  token: string;
  cart_token: string;
  email: string | null;
  created_at: string;
  updated_at: string;
  completed_at: string | null;
  currency: CurrencyCode;
  presentment_currency: CurrencyCode;
  total_price: string;
  subtotal_price: string;
  total_tax: string;
  customer: ShopifyOrderCustomerPayload | null;
  line_items: ShopifyCheckoutLineItemPayload[];
  abandoned_checkout_url: string;
}

export interface DemoShopInfo {
  domain: string;
  name: string;
  currency: "EUR";
  ianaTimezone: "Europe/Paris";
  email: string;
  countryCode: "FR";
}

export interface DemoMarketingSpend {
  month: string;
  amount: string;
  currency: "EUR";
}

export interface DemoShop {
  shop: DemoShopInfo;
  products: ShopifyProductPayload[];
  customers: ShopifyCustomerPayload[];
  /** orders/create bodies (orders/updated for cancelled or refunded ones), sorted by created_at. */
  orders: ShopifyOrderPayload[];
  /** checkouts/create|update bodies, completed and abandoned, sorted by created_at. */
  checkouts: ShopifyCheckoutPayload[];
  marketingSpend: DemoMarketingSpend[];
  /** The parameters the purchases were drawn from, in the analysis' units (weeks, shop currency). */
  model: DemoModel;
}

export interface DemoModel {
  /** BG/NBD: CDNOW's, with α divided by rateScale. */
  bgNbd: { r: number; alpha: number; a: number; b: number };
  /** Gamma-Gamma: CDNOW's, with γ multiplied by spendScale (professional buyers spend 6× more). */
  gammaGamma: { p: number; q: number; gamma: number };
  /** Factor on CDNOW's purchase rates that gives the requested orders (≈ 1 at the default sizes). */
  rateScale: number;
  /** Euros of this catalogue per CDNOW dollar. */
  spendScale: number;
}

// ---------------------------------------------------------------------------------------
// Time helpers (the demo shop lives in Europe/Paris; offsets come from app/domain/time)
// ---------------------------------------------------------------------------------------

const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;

const DEMO_TIME_ZONE = "Europe/Paris";
const paris = zonedCalendar(DEMO_TIME_ZONE);

/** Offset of Europe/Paris from UTC, in minutes, at the given instant. */
export function parisOffsetMinutes(utcMs: number): number {
  return paris.offsetMs(utcMs) / MINUTE;
}

const isoDayCache: (string | undefined)[] = [];
/** Per UTC offset (minutes): "THH:MM:SS+hh:mm" by second of the local day. */
const isoTimeCaches = new Map<number, (string | undefined)[]>();

function pad2(n: number): string {
  return n < 10 ? `0${n}` : `${n}`;
}

function offsetSuffix(offMinutes: number): string {
  const abs = Math.abs(offMinutes);
  return `${offMinutes < 0 ? "-" : "+"}${pad2(Math.floor(abs / 60))}:${pad2(abs % 60)}`;
}

/** ISO 8601 with the Paris offset, second precision: "2025-03-14T10:22:31+01:00". */
export function toParisIso(utcMs: number): string {
  const off = parisOffsetMinutes(utcMs);
  const localSec = Math.floor(utcMs / 1000) + off * 60;
  const dayNumber = Math.floor(localSec / 86400);
  let datePart = dayNumber >= 0 ? isoDayCache[dayNumber] : undefined;
  if (datePart === undefined) {
    datePart = new Date(dayNumber * DAY).toISOString().slice(0, 10);
    if (dayNumber >= 0 && dayNumber < 200_000) isoDayCache[dayNumber] = datePart;
  }
  const secOfDay = localSec - dayNumber * 86400;
  let times = isoTimeCaches.get(off);
  if (times === undefined) {
    times = new Array(86400);
    isoTimeCaches.set(off, times);
  }
  let timePart = times[secOfDay];
  if (timePart === undefined) {
    const h = Math.floor(secOfDay / 3600);
    const m = Math.floor((secOfDay % 3600) / 60);
    timePart = `T${pad2(h)}:${pad2(m)}:${pad2(secOfDay % 60)}${offsetSuffix(off)}`;
    times[secOfDay] = timePart;
  }
  return datePart + timePart;
}

/** Paris wall-clock time (expressed as if it were UTC) of an instant. */
function parisWall(utcMs: number): number {
  return utcMs + paris.offsetMs(utcMs);
}

// ---------------------------------------------------------------------------------------
// Small helpers
// ---------------------------------------------------------------------------------------

const moneyCache = new Map<number, string>();

function money(cents: number): string {
  let out = moneyCache.get(cents);
  if (out === undefined) {
    out = formatMoney(cents);
    if (moneyCache.size < 200_000) moneyCache.set(cents, out);
  }
  return out;
}

function formatMoney(cents: number): string {
  const neg = cents < 0;
  const abs = Math.abs(Math.round(cents));
  const euros = Math.floor(abs / 100);
  const rest = abs % 100;
  return `${neg ? "-" : ""}${euros}.${rest < 10 ? "0" : ""}${rest}`;
}

function moneySet(cents: number): ShopifyMoneySet {
  const amount = money(cents);
  return {
    shop_money: { amount, currency_code: "EUR" },
    presentment_money: { amount, currency_code: "EUR" },
  };
}

/** VAT part of a VAT-inclusive amount. */
function vatPart(grossCents: number, vatBp: number): number {
  return Math.round((grossCents * vatBp) / (10000 + vatBp));
}

function slugify(text: string): string {
  return text
    .normalize("NFD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/œ/g, "oe")
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");
}

function emailLocal(text: string): string {
  return slugify(text).replace(/-/g, "");
}

/** Price in cents with a retail ending (.90, or .50 under 5 €). */
function retailPrice(euros: number): number {
  if (euros < 5) return Math.max(150, Math.round(euros * 2) * 50);
  return Math.floor(euros) * 100 + 90;
}

function gid(kind: string, id: number): string {
  return `gid://shopify/${kind}/${id}`;
}

/** Monotonic id allocator with random gaps, like Shopify's sparse ids. */
class IdAllocator {
  private current: number;
  constructor(
    base: number,
    private readonly rng: Rng,
    private readonly maxGap: number,
  ) {
    this.current = base + rng.int(0, maxGap * 10);
  }
  next(): number {
    this.current += 1 + Math.floor(this.rng.next() * this.maxGap);
    return this.current;
  }
}

// ---------------------------------------------------------------------------------------
// Calendar
// ---------------------------------------------------------------------------------------

const MONTH_FACTOR = [0.9, 0.85, 0.95, 0.97, 1.0, 0.9, 0.75, 0.68, 0.95, 1.05, 1.3, 1.55];
/** Sunday..Saturday */
const WEEKDAY_FACTOR = [1.12, 1.06, 1.0, 0.98, 0.97, 0.93, 0.88];
const WEB_HOURS = [0.6, 0.3, 0.15, 0.1, 0.1, 0.2, 0.6, 1.5, 2.5, 3.2, 3.8, 4.2, 5, 5.2, 4.5, 4.2, 4.3, 4.8, 5.5, 6, 6.8, 7, 5, 2.5];
const POS_HOURS = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 3, 4, 3, 3, 4, 5, 6, 5, 2, 0, 0, 0, 0];
const OFFICE_HOURS = [0, 0, 0, 0, 0, 0, 0, 0, 1, 3, 4, 4, 2, 2, 4, 4, 3, 2, 1, 0, 0, 0, 0, 0];

interface Calendar {
  startMs: number;
  endMs: number;
  /** Paris wall-clock midnight of each day, expressed as a UTC timestamp. */
  wall: number[];
  year: number[];
  month: number[];
  dom: number[];
  dow: number[];
  season: Float64Array;
  /** Cumulative season weight at the start of each day (length days + 1). */
  cumSeason: Float64Array;
  acquisition: WeightedTable<number>;
  blackFriday: Set<number>;
  days: number;
}

function blackFridayDom(year: number): number {
  const nov1 = new Date(Date.UTC(year, 10, 1)).getUTCDay();
  const firstThursday = 1 + ((4 - nov1 + 7) % 7);
  return firstThursday + 21 + 1;
}

function buildCalendar(endDate: Date, months: number, rng: Rng): Calendar {
  const endMs = endDate.getTime();
  const endWall = parisWall(endMs);
  const e = new Date(endWall);
  const lastWall = Date.UTC(e.getUTCFullYear(), e.getUTCMonth(), e.getUTCDate());
  let startWall = Date.UTC(e.getUTCFullYear(), e.getUTCMonth() - months, e.getUTCDate());
  if (startWall >= lastWall) startWall = lastWall - DAY;
  // The end date's own day is included for the share of its traffic before endDate.
  const endSecOfDay = Math.floor((endWall - lastWall) / 1000);
  let before = 0;
  let all = 0;
  for (let h = 0; h < 24; h++) {
    all += WEB_HOURS[h];
    if (h < Math.floor(endSecOfDay / 3600)) before += WEB_HOURS[h];
    else if (h === Math.floor(endSecOfDay / 3600)) before += (WEB_HOURS[h] * (endSecOfDay % 3600)) / 3600;
  }
  const lastDayShare = before / all;
  const days = Math.round((lastWall - startWall) / DAY) + (lastDayShare > 0.01 ? 1 : 0);
  const cal: Calendar = {
    startMs: paris.wallToInstant(startWall),
    endMs,
    wall: [],
    year: [],
    month: [],
    dom: [],
    dow: [],
    season: new Float64Array(days),
    cumSeason: new Float64Array(days + 1),
    acquisition: null as unknown as WeightedTable<number>,
    blackFriday: new Set<number>(),
    days,
  };
  const acq: number[] = [];
  const idx: number[] = [];
  const growth = Math.log(2.4);
  let seasonSum = 0;
  for (let d = 0; d < days; d++) {
    const wall = startWall + d * DAY;
    const date = new Date(wall);
    const y = date.getUTCFullYear();
    const m = date.getUTCMonth();
    const dom = date.getUTCDate();
    const dow = date.getUTCDay();
    cal.wall.push(wall);
    cal.year.push(y);
    cal.month.push(m);
    cal.dom.push(dom);
    cal.dow.push(dow);
    let w = MONTH_FACTOR[m] * WEEKDAY_FACTOR[dow];
    const bfWall = Date.UTC(y, 10, blackFridayDom(y));
    const fromBf = Math.round((wall - bfWall) / DAY);
    if (fromBf === 0) w *= 3.6;
    else if (fromBf === 1) w *= 2.3;
    else if (fromBf === 2) w *= 1.9;
    else if (fromBf === 3)
      w *= 2.4; // Cyber Monday
    else if (fromBf >= -7 && fromBf < 0) w *= 1.3;
    if (fromBf >= 0 && fromBf <= 3) cal.blackFriday.add(d);
    if (m === 11) {
      if (dom <= 20) w *= 1.15;
      else if (dom <= 23) w *= 1.4;
      else if (dom === 24) w *= 0.8;
      else if (dom === 25) w *= 0.3;
      else w *= 0.6;
    }
    if (m === 1 && dom >= 7 && dom <= 13) w *= 1.25;
    w *= Math.exp(rng.normal(0, 0.12));
    if (wall === lastWall) w *= lastDayShare;
    cal.season[d] = w;
    seasonSum += w;
    idx.push(d);
    acq.push(w * Math.exp((growth * d) / days));
  }
  // Normalise the seasonal clock so that one unit ≈ one average day.
  const norm = days / seasonSum;
  for (let d = 0; d < days; d++) {
    cal.season[d] *= norm;
    cal.cumSeason[d + 1] = cal.cumSeason[d] + cal.season[d];
  }
  cal.acquisition = new WeightedTable(idx, acq);
  return cal;
}

/** Seasonal clock value at a fractional day position. */
function seasonalClock(cal: Calendar, pos: number): number {
  const d = Math.min(cal.days - 1, Math.max(0, Math.floor(pos)));
  return cal.cumSeason[d] + cal.season[d] * (pos - d);
}

/** Inverse of seasonalClock. */
function seasonalPosition(cal: Calendar, clock: number): number {
  let lo = 0;
  let hi = cal.days;
  while (hi - lo > 1) {
    const mid = (lo + hi) >>> 1;
    if (cal.cumSeason[mid] <= clock) lo = mid;
    else hi = mid;
  }
  return lo + (clock - cal.cumSeason[lo]) / cal.season[lo];
}

const webHourTable = new WeightedTable(
  WEB_HOURS.map((_, h) => h),
  WEB_HOURS,
);
const posHourTable = new WeightedTable(
  POS_HOURS.map((_, h) => h),
  POS_HOURS,
);
const officeHourTable = new WeightedTable(
  OFFICE_HOURS.map((_, h) => h),
  OFFICE_HOURS,
);

/** An instant on calendar day d at a local time drawn from the given hour profile. */
function instantOnDay(cal: Calendar, d: number, rng: Rng, hours: WeightedTable<number>): number {
  for (let attempt = 0; attempt < 40; attempt++) {
    const h = hours.draw(rng);
    const seconds = h * 3600 + rng.int(0, 3599);
    const t = paris.wallToInstant(cal.wall[d] + seconds * 1000);
    // Only the end date's own (partial) day can overshoot.
    if (t < cal.endMs - MINUTE) return t;
  }
  return cal.endMs - rng.int(2, 30) * MINUTE;
}

function dayOfInstant(cal: Calendar, utcMs: number): number {
  const wall = parisWall(utcMs);
  return Math.floor((wall - cal.wall[0]) / DAY);
}

// ---------------------------------------------------------------------------------------
// Catalogue
// ---------------------------------------------------------------------------------------

interface VariantRec {
  id: number;
  title: string;
  priceCents: number;
  compareAtCents: number | null;
  sku: string;
  inventory: number;
  weight: number;
}

interface ProductRec {
  index: number;
  id: number;
  typeIndex: number;
  type: ProductTypeSpec;
  family: FamilySpec;
  title: string;
  handle: string;
  vendor: string;
  variants: VariantRec[];
  variantTable: WeightedTable<number>;
  createdMs: number;
  updatedMs: number;
  publishedMs: number | null;
  archivedMs: number | null;
  status: "active" | "draft" | "archived";
  popularity: number;
  partner: ProductRec | null;
  launched: boolean;
  onSale: boolean;
}

interface Catalog {
  products: ProductRec[];
  byType: (WeightedTable<ProductRec> | null)[];
  byFamily: Map<FamilyKey, WeightedTable<ProductRec>>;
  typeTable: WeightedTable<number>;
  /** Mean unit price of a line drawn from the catalogue (type, product and variant popularity). */
  meanItemCents: number;
}

const TYPE_BLURBS: Record<string, string> = {
  Café: "Torréfié chaque semaine dans notre atelier, en petites quantités, pour révéler les arômes de chaque origine.",
  Thé: "Sélectionné auprès de petits jardins et conditionné dans notre atelier pour préserver sa fraîcheur.",
  Chocolat: "Fabriqué artisanalement à partir de fèves de cacao sélectionnées, sans huile de palme.",
  "Épicerie fine": "Une spécialité de producteurs français que nous connaissons personnellement.",
  Vaisselle: "Façonné et émaillé à la main : chaque pièce est unique. Compatible lave-vaisselle.",
  Textile: "Tissé en Europe dans des fibres naturelles, lavable en machine à 40 °C.",
  Bougies: "Coulée à la main en France, cire végétale et mèche en coton, environ 40 heures de combustion.",
  Cosmétiques: "Formulé et fabriqué en Provence, ingrédients d'origine naturelle.",
  Papeterie: "Imprimé en France sur papier certifié FSC.",
  Accessoires: "Sélectionné et testé par notre équipe pour un usage quotidien.",
};

function apportion(total: number, shares: readonly number[]): number[] {
  const sum = shares.reduce((a, b) => a + b, 0);
  const raw = shares.map((s) => (total * s) / sum);
  const out = raw.map((r) => Math.floor(r));
  let left = total - out.reduce((a, b) => a + b, 0);
  const order = raw.map((r, i) => [r - Math.floor(r), i] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  for (let k = 0; left > 0; k = (k + 1) % order.length, left--) out[order[k][1]]++;
  return out;
}

function buildCatalog(count: number, cal: Calendar, seed: number): Catalog {
  const rng = Rng.stream(seed, "catalog");
  const perType = apportion(
    count,
    PRODUCT_TYPES.map((t) => t.catalogShare),
  );
  const products: ProductRec[] = [];
  const signatureNames = new Set(SIGNATURE_PAIRS.flat());
  const handles = new Set<string>();
  const windowMs = cal.endMs - cal.startMs;

  PRODUCT_TYPES.forEach((type, typeIndex) => {
    const n = perType[typeIndex];
    const typeCode = slugify(type.type).slice(0, 3).toUpperCase();
    // Round-robin over families so every family is represented.
    const picks: { family: FamilySpec; title: string }[] = [];
    const cursor = type.families.map(() => 0);
    let round = 0;
    while (picks.length < n) {
      let progressed = false;
      for (let f = 0; f < type.families.length && picks.length < n; f++) {
        const family = type.families[f];
        if (cursor[f] < family.names.length) {
          picks.push({ family, title: family.names[cursor[f]++] });
          progressed = true;
        }
      }
      if (!progressed) {
        // Every base name is used: add series variants ("… Bio", "… Réserve").
        const series = type.series[round % type.series.length];
        const cycle = Math.floor(round / type.series.length);
        for (let f = 0; f < type.families.length && picks.length < n; f++) {
          const family = type.families[f];
          for (let k = 0; k < family.names.length && picks.length < n; k++) {
            picks.push({ family, title: `${family.names[k]} ${series}${cycle > 0 ? ` ${cycle + 1}` : ""}` });
          }
        }
        round++;
      }
    }
    picks.forEach((pick, rank) => {
      const signature = signatureNames.has(pick.title);
      let handle = slugify(pick.title);
      if (handles.has(handle)) handle = `${handle}-${products.length + 1}`;
      handles.add(handle);
      const base = rng.uniform(pick.family.price[0], pick.family.price[1]);
      const options = pick.family.variants;
      let nVariants = 1;
      if (options.length === 2) nVariants = rng.chance(0.55) ? 2 : 1;
      else if (options.length >= 3) nVariants = 1 + rng.weightedIndex([0.3, 0.4, 0.3]);
      const onSale = !signature && rng.chance(0.1);
      const variants: VariantRec[] = [];
      for (let v = 0; v < nVariants; v++) {
        const opt = options.length > 0 ? options[v] : { title: "Default Title", factor: 1 };
        const priceCents = retailPrice(base * opt.factor);
        variants.push({
          id: 0,
          title: opt.title,
          priceCents,
          compareAtCents: onSale ? retailPrice((priceCents / 100) * 1.25) : null,
          sku: `${typeCode}-${String(products.length + 1).padStart(4, "0")}-${v + 1}`,
          inventory: rng.chance(0.05) ? 0 : rng.int(3, 240),
          weight: [0.62, 0.28, 0.1][v],
        });
      }
      // Lifecycle: most products predate the window; some launch during it; a few are
      // archived later or are still drafts.
      let status: ProductRec["status"] = "active";
      let createdMs = cal.startMs - rng.int(20, 500) * DAY - rng.int(0, 8 * 3600) * 1000;
      let archivedMs: number | null = null;
      let launched = false;
      const r = rng.next();
      if (!signature && rank > 2) {
        if (r < 0.02) {
          status = "draft";
          createdMs = cal.endMs - rng.int(5, 60) * DAY;
        } else if (r < 0.05) {
          status = "archived";
          archivedMs = cal.startMs + Math.floor(windowMs * rng.uniform(0.45, 0.95));
        } else if (r < 0.15) {
          launched = true;
          createdMs = cal.startMs + Math.floor(windowMs * rng.uniform(0.08, 0.9));
        }
      }
      const publishedMs = status === "draft" ? null : createdMs + rng.int(600, 3 * 86400) * 1000;
      const updatedMs = archivedMs ?? Math.min(cal.endMs - HOUR, Math.max(createdMs, createdMs + rng.int(0, 400) * DAY));
      products.push({
        index: products.length,
        id: 0,
        typeIndex,
        type,
        family: pick.family,
        title: pick.title,
        handle,
        vendor: type.vendors[rank % 3 === 2 ? 1 : 0] ?? type.vendors[0],
        variants,
        variantTable: new WeightedTable(
          variants.map((_, i) => i),
          variants.map((v) => v.weight),
        ),
        createdMs,
        updatedMs,
        publishedMs,
        archivedMs,
        status,
        // Zipf-like long tail within the type, with some noise.
        popularity: Math.pow(rank + 1, -1.05) * Math.exp(rng.normal(0, 0.3)) * (signature ? 1.5 : 1),
        partner: null,
        launched,
        onSale,
      });
    });
  });

  const byTitle = new Map(products.map((p) => [p.title, p] as const));
  for (const [a, b] of SIGNATURE_PAIRS) {
    const pa = byTitle.get(a);
    const pb = byTitle.get(b);
    if (pa && pb) {
      pa.partner = pb;
      pb.partner = pa;
    }
  }

  const sellable = products.filter((p) => p.status !== "draft");
  const byType = PRODUCT_TYPES.map((_, t) => {
    const list = sellable.filter((p) => p.typeIndex === t);
    return list.length
      ? new WeightedTable(
          list,
          list.map((p) => p.popularity),
        )
      : null;
  });
  const byFamily = new Map<FamilyKey, WeightedTable<ProductRec>>();
  const familyKeys = new Set(sellable.map((p) => p.family.key));
  for (const key of familyKeys) {
    const list = sellable.filter((p) => p.family.key === key);
    byFamily.set(
      key,
      new WeightedTable(
        list,
        list.map((p) => p.popularity),
      ),
    );
  }
  const typeIdx = PRODUCT_TYPES.map((_, i) => i).filter((i) => byType[i] !== null);
  const typeTable = new WeightedTable(
    typeIdx,
    typeIdx.map((i) => PRODUCT_TYPES[i].popularity),
  );
  let priceSum = 0;
  let weightSum = 0;
  for (const i of typeIdx) {
    const list = sellable.filter((p) => p.typeIndex === i);
    const typePopularity = list.reduce((a, p) => a + p.popularity, 0);
    for (const p of list) {
      const variantWeight = p.variants.reduce((a, v) => a + v.weight, 0);
      for (const v of p.variants) {
        const w = (PRODUCT_TYPES[i].popularity * p.popularity * v.weight) / typePopularity / variantWeight;
        priceSum += w * v.priceCents;
        weightSum += w;
      }
    }
  }
  return { products, byType, byFamily, typeTable, meanItemCents: weightSum > 0 ? priceSum / weightSum : 0 };
}

function isAvailable(p: ProductRec, t: number): boolean {
  return p.status !== "draft" && p.createdMs <= t && (p.archivedMs === null || t < p.archivedMs);
}

// ---------------------------------------------------------------------------------------
// People
// ---------------------------------------------------------------------------------------

interface Place {
  country: CountrySpec;
  address1: string;
  city: string;
  zip: string;
  province: string | null;
}

interface Person {
  firstName: string;
  lastName: string;
  email: string | null;
  phone: string | null;
  place: Place;
  locale: "fr" | "en";
  /** Favourite product types with weights. */
  prefs: number[];
  prefWeights: number[];
}

const countryTable = new WeightedTable(
  COUNTRIES.map((c) => c),
  COUNTRIES.map((c) => c.weight),
);
const cityTables = new Map(
  COUNTRIES.map(
    (c) =>
      [
        c.code,
        new WeightedTable(
          c.cities.map((x) => x),
          c.cities.map((x) => x.weight),
        ),
      ] as const,
  ),
);

function drawPlace(rng: Rng, country?: CountrySpec): Place {
  const c = country ?? countryTable.draw(rng);
  const city = cityTables.get(c.code)!.draw(rng);
  const street = rng.pick(c.streets);
  const number = rng.chance(0.85) ? rng.int(1, 140) : rng.int(141, 320);
  return {
    country: c,
    address1: c.numberAfter ? `${street} ${number}` : `${number} ${street}`,
    city: city.city,
    zip: city.zip,
    province: city.province,
  };
}

function drawName(rng: Rng, country: CountrySpec): [string, string] {
  if (country.code === "DE") return [rng.pick(FIRST_NAMES_DE), rng.pick(LAST_NAMES_DE)];
  if (country.code === "ES") return [rng.pick(FIRST_NAMES_ES), rng.pick(LAST_NAMES_ES)];
  return [rng.pick(FIRST_NAMES_FR), rng.pick(LAST_NAMES_FR)];
}

function drawPhone(rng: Rng, country: CountrySpec, used: Set<string>): string {
  for (;;) {
    let phone: string;
    switch (country.code) {
      case "FR":
        phone = `+33${rng.chance(0.8) ? 6 : 7}${String(rng.int(0, 99_999_999)).padStart(8, "0")}`;
        break;
      case "BE":
        phone = `+324${rng.int(60, 99)}${String(rng.int(0, 999_999)).padStart(6, "0")}`;
        break;
      case "CH":
        phone = `+417${rng.pick(["6", "7", "8", "9"])}${String(rng.int(0, 9_999_999)).padStart(7, "0")}`;
        break;
      case "DE":
        phone = `+4915${rng.int(1, 9)}${String(rng.int(0, 99_999_999)).padStart(8, "0")}`;
        break;
      case "ES":
        phone = `+346${String(rng.int(0, 99_999_999)).padStart(8, "0")}`;
        break;
      default:
        phone = `+1${rng.pick(["514", "438", "418", "819", "613"])}${String(rng.int(2_000_000, 9_999_999))}`;
    }
    if (!used.has(phone)) {
      used.add(phone);
      return phone;
    }
  }
}

function drawPrefs(rng: Rng, catalog: Catalog): [number[], number[]] {
  const first = catalog.typeTable.draw(rng);
  if (!rng.chance(0.6)) return [[first], [1]];
  let second = first;
  for (let i = 0; i < 8 && second === first; i++) second = catalog.typeTable.draw(rng);
  if (second === first) return [[first], [1]];
  return [
    [first, second],
    [0.65, 0.35],
  ];
}

// ---------------------------------------------------------------------------------------
// Customers and their purchase schedules
// ---------------------------------------------------------------------------------------

interface CustomerRec extends Person {
  index: number;
  id: number;
  addressId: number;
  email: string;
  createdMs: number;
  orderTimes: number[];
  /** Latest event touching the customer record (sign-up, order, consent change). */
  lastUpdateMs: number;
  tags: string;
  note: string | null;
  verified: boolean;
  emailConsent: ShopifyMarketingConsent;
  smsConsent: ShopifyMarketingConsent | null;
  pro: boolean;
  /** Gamma-Gamma ν (per cent): this customer's orders aim at Gamma(p, ν) cents. */
  spendRate: number;
  /** Orders placed so far while assembling orders chronologically. */
  seq: number;
  bought: Set<number>;
}

/**
 * CDNOW's BG/NBD fit (Fader, Hardie & Lee 2005, "Counting your customers the easy way"),
 * time in weeks: purchase rate λ ~ Gamma(r, α), dropout after each repeat purchase p ~ Beta(a, b).
 */
export const CDNOW_BG_NBD = { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 } as const;

/**
 * CDNOW's Gamma-Gamma spend fit (Fader, Hardie & Lee 2005, "RFM and CLV"), in CDNOW's dollars:
 * each order's value ~ Gamma(p, ν), the customer's ν ~ Gamma(q, γ). The generator multiplies γ
 * by the catalogue's spend scale (demoSpendScale), which leaves p and q unchanged.
 */
export const CDNOW_GAMMA_GAMMA = { p: 6.25, q: 3.74, gamma: 15.44 } as const;

/** How many times more a professional buyer spends per order. */
const PRO_SPEND_FACTOR = 6;

/** Units in the average basket of the catalogue (mostly one unit of one to three products). */
const UNITS_PER_ORDER = 2.2;

/**
 * Euros of this catalogue per CDNOW dollar: the mean CDNOW order, pγ/(q−1) ≈ $35, becomes
 * UNITS_PER_ORDER units at the catalogue's popularity-weighted mean price.
 */
function demoSpendScale(catalog: { meanItemCents: number }): number {
  const { p, q, gamma } = CDNOW_GAMMA_GAMMA;
  return (catalog.meanItemCents * UNITS_PER_ORDER) / 100 / ((p * gamma) / (q - 1));
}

/** A customer's Gamma-Gamma ν, per cent: the mean order is p / ν cents. */
function drawSpendRate(rng: Rng, spendScale: number): number {
  return rng.gamma(CDNOW_GAMMA_GAMMA.q, 1 / (CDNOW_GAMMA_GAMMA.gamma * spendScale * 100));
}

/** The merchandise value (cents) aimed at by one order of a customer with spend rate ν. */
function drawOrderTarget(rng: Rng, spendRate: number): number {
  return rng.gamma(CDNOW_GAMMA_GAMMA.p, 1 / spendRate);
}

interface Schedule {
  acqPos: number;
  /** Purchases per week while alive. */
  lambda: number;
  /** Dropout probability after each repeat purchase. */
  p: number;
}

/**
 * Runs the BG/NBD process of every customer from their first order to the end of the window
 * and returns the number of orders. Waits are exponential in "seasonal time" (one unit ≈ one
 * average day), so repeat orders also peak in November–December; `scale` multiplies every
 * purchase rate (1 = CDNOW's).
 */
function simulateSchedules(cal: Calendar, schedules: Schedule[], seed: number, scale: number, out: number[][] | null): number {
  const endClock = cal.cumSeason[cal.days];
  let total = 0;
  for (let i = 0; i < schedules.length; i++) {
    const s = schedules[i];
    const r = Rng.stream(seed, "repeat", i);
    const rate = (s.lambda * scale) / 7;
    let clock = seasonalClock(cal, s.acqPos);
    let n = 1;
    const positions = out ? [s.acqPos] : null;
    for (;;) {
      clock += r.exponential(1) / rate;
      if (!(clock < endClock)) break;
      n++;
      positions?.push(seasonalPosition(cal, clock));
      // BG/NBD: alive at the first order, may drop out after each repeat one.
      if (r.next() < s.p) break;
    }
    total += n;
    if (out && positions) out.push(positions);
  }
  return total;
}

// ---------------------------------------------------------------------------------------
// Order assembly
// ---------------------------------------------------------------------------------------

type Source = "web" | "pos" | "shopify_draft_order";

interface OrderPlan {
  t: number;
  customer: CustomerRec | null;
  guest: Person | null;
  source: Source;
  test: boolean;
}

interface BasketLine {
  product: ProductRec;
  variant: VariantRec;
  quantity: number;
}

function pickProduct(table: WeightedTable<ProductRec> | null | undefined, t: number, rng: Rng, avoid: Set<number> | null): ProductRec | null {
  if (!table) return null;
  for (let attempt = 0; attempt < 6; attempt++) {
    const p = table.draw(rng);
    if (!isAvailable(p, t)) continue;
    if (avoid && p.family.durable && avoid.has(p.index) && attempt < 4) continue;
    return p;
  }
  return null;
}

/**
 * A basket aiming at `targetCents` of merchandise (the order value drawn from the spend
 * model): products come from the favourite types or from affinity partners of what is already
 * in the basket (signature pairs most of all), and are added while each one brings the total
 * closer to the target; consumables (and every line of a bulk order) are then topped up.
 */
function drawBasket(
  catalog: Catalog,
  prefs: number[],
  prefWeights: number[],
  t: number,
  rng: Rng,
  bought: Set<number> | null,
  targetCents: number,
  bulk: boolean,
): BasketLine[] {
  const lines: BasketLine[] = [];
  const inBasket = new Set<number>();
  let total = 0;
  const fromPrefs = (): ProductRec | null => {
    const typeIndex = rng.chance(0.8) ? prefs[rng.weightedIndex(prefWeights)] : catalog.typeTable.draw(rng);
    return pickProduct(catalog.byType[typeIndex], t, rng, bought);
  };
  const fromAffinity = (): ProductRec | null => {
    const anchor = lines[rng.int(0, lines.length - 1)].product;
    const partners = FAMILY_AFFINITY[anchor.family.key];
    const keys = Object.keys(partners) as FamilyKey[];
    const key = keys[rng.weightedIndex(keys.map((k) => partners[k] ?? 0))];
    return pickProduct(catalog.byFamily.get(key), t, rng, bought);
  };
  const add = (p: ProductRec, variant: VariantRec): void => {
    inBasket.add(p.index);
    lines.push({ product: p, variant, quantity: 1 });
    total += variant.priceCents;
    // Signature pairs: strongly associated products, whatever the budget.
    const partner = p.partner;
    if (!partner || inBasket.has(partner.index) || lines.length >= 5 || !isAvailable(partner, t)) return;
    const alreadyOwned = bought?.has(partner.index) && partner.family.durable;
    if (rng.chance(alreadyOwned ? 0.05 : 0.35)) add(partner, partner.variants[partner.variantTable.draw(rng)]);
  };

  // The first product: of a few favourites drawn, the one whose price is nearest the target
  // (one teapot, or one bag of coffee, is a whole order for many).
  let first: ProductRec | null = null;
  let firstVariant: VariantRec | null = null;
  for (let attempt = 0; attempt < 3; attempt++) {
    const p = fromPrefs();
    if (!p) continue;
    const v = p.variants[p.variantTable.draw(rng)];
    if (!firstVariant || Math.abs(v.priceCents - targetCents) < Math.abs(firstVariant.priceCents - targetCents)) {
      first = p;
      firstVariant = v;
    }
  }
  if (!first || !firstVariant) {
    // Fallback: the most popular available product of any type.
    for (const table of catalog.byType) {
      const p = pickProduct(table, t, rng, null);
      if (p) {
        first = p;
        firstVariant = p.variants[p.variantTable.draw(rng)];
        break;
      }
    }
  }
  if (!first || !firstVariant) return lines;
  add(first, firstVariant);

  for (let attempt = 0; attempt < 8 && lines.length < 5 && total < targetCents; attempt++) {
    const p = rng.chance(0.55) ? fromAffinity() : fromPrefs();
    if (!p || inBasket.has(p.index)) continue;
    const v = p.variants[p.variantTable.draw(rng)];
    if (total + v.priceCents / 2 <= targetCents) add(p, v);
  }
  // Top up quantities while a unit more brings the total closer to the target.
  const maxUnits = bulk ? 48 : 4;
  for (let progressed = true; progressed;) {
    progressed = false;
    for (const line of lines) {
      if (!bulk && !line.product.family.consumable) continue;
      if (line.quantity >= maxUnits || total + line.variant.priceCents / 2 > targetCents) continue;
      line.quantity++;
      total += line.variant.priceCents;
      progressed = true;
    }
  }
  return lines;
}

interface PricedLine extends BasketLine {
  grossCents: number;
  discountCents: number;
  taxCents: number;
}

interface Pricing {
  lines: PricedLine[];
  lineItemsCents: number;
  discountCents: number;
  subtotalCents: number;
  shippingCents: number;
  shippingTaxCents: number;
  taxCents: number;
  totalCents: number;
}

function priceBasket(lines: BasketLine[], discount: { percent?: number; amountCents?: number } | null, shippingCents: number): Pricing {
  const priced: PricedLine[] = lines.map((l) => ({
    product: l.product,
    variant: l.variant,
    quantity: l.quantity,
    grossCents: l.variant.priceCents * l.quantity,
    discountCents: 0,
    taxCents: 0,
  }));
  const lineItemsCents = priced.reduce((a, l) => a + l.grossCents, 0);
  let discountCents = 0;
  if (discount) {
    if (discount.percent !== undefined) discountCents = Math.round((lineItemsCents * discount.percent) / 100);
    else discountCents = Math.min(lineItemsCents, discount.amountCents ?? 0);
  }
  // Allocate the discount to lines pro rata; the rounding remainder goes to the largest lines.
  if (discountCents > 0 && lineItemsCents > 0) {
    let allocated = 0;
    for (const l of priced) {
      l.discountCents = Math.floor((discountCents * l.grossCents) / lineItemsCents);
      allocated += l.discountCents;
    }
    const order = priced.map((_, i) => i).sort((a, b) => priced[b].grossCents - priced[a].grossCents || a - b);
    for (let k = 0; allocated < discountCents; k = (k + 1) % order.length) {
      const l = priced[order[k]];
      if (l.discountCents < l.grossCents) {
        l.discountCents++;
        allocated++;
      }
    }
  }
  let taxCents = 0;
  for (const l of priced) {
    l.taxCents = vatPart(l.grossCents - l.discountCents, l.product.type.vatBp);
    taxCents += l.taxCents;
  }
  const shippingTaxCents = vatPart(shippingCents, 2000);
  taxCents += shippingTaxCents;
  const subtotalCents = lineItemsCents - discountCents;
  return {
    lines: priced,
    lineItemsCents,
    discountCents,
    subtotalCents,
    shippingCents,
    shippingTaxCents,
    taxCents,
    totalCents: subtotalCents + shippingCents,
  };
}

function withShipping(pr: Pricing, shippingCents: number): Pricing {
  const shippingTaxCents = vatPart(shippingCents, 2000);
  return {
    ...pr,
    shippingCents,
    shippingTaxCents,
    taxCents: pr.taxCents - pr.shippingTaxCents + shippingTaxCents,
    totalCents: pr.subtotalCents + shippingCents,
  };
}

function chooseShipping(rng: Rng, country: CountrySpec, subtotalCents: number): { title: string; code: string; cents: number } {
  if (country.code === "FR") {
    if (rng.chance(0.04)) return { title: "Retrait en boutique (Paris 11e)", code: "PICKUP", cents: 0 };
    if (subtotalCents >= 4900) return { title: "Livraison offerte", code: "FREE_SHIPPING", cents: 0 };
    const r = rng.next();
    if (r < 0.58) return { title: "Colissimo", code: "COLISSIMO", cents: 490 };
    if (r < 0.9) return { title: "Mondial Relay (point relais)", code: "MONDIAL_RELAY", cents: 390 };
    return { title: "Chronopost Express", code: "CHRONOPOST", cents: 990 };
  }
  if (country.code === "CA") {
    if (subtotalCents >= 12900) return { title: "Livraison internationale offerte", code: "FREE_INTL", cents: 0 };
    return { title: "Colissimo International", code: "COLISSIMO_INTL", cents: 1990 };
  }
  if (subtotalCents >= 8900) return { title: "Livraison Europe offerte", code: "FREE_EU", cents: 0 };
  return { title: "Colissimo Europe", code: "COLISSIMO_EU", cents: 1290 };
}

// ---------------------------------------------------------------------------------------
// Phase: options
// ---------------------------------------------------------------------------------------

function resolveOptions(options: Partial<DemoShopOptions> & { endDate: Date }): DemoShopOptions {
  const o: DemoShopOptions = { ...DEFAULT_DEMO_OPTIONS, ...stripUndefined(options) } as DemoShopOptions;
  if (!(o.endDate instanceof Date) || Number.isNaN(o.endDate.getTime())) throw new Error("generateDemoShop: endDate must be a valid Date");
  for (const key of ["customers", "orders", "products", "months"] as const) {
    if (!Number.isInteger(o[key]) || o[key] < 0) throw new Error(`generateDemoShop: ${key} must be a non-negative integer`);
  }
  if (o.products < 1) throw new Error("generateDemoShop: products must be at least 1");
  if (o.months < 1) throw new Error("generateDemoShop: months must be at least 1");
  return o;
}

// ---------------------------------------------------------------------------------------
// Phase: registered customers (identities)
// ---------------------------------------------------------------------------------------

function createCustomers(count: number, catalog: Catalog, seed: number, usedPhones: Set<string>): CustomerRec[] {
  const peopleRng = Rng.stream(seed, "people");
  const customers: CustomerRec[] = [];
  for (let i = 0; i < count; i++) {
    const country = countryTable.draw(peopleRng);
    const [firstName, lastName] = drawName(peopleRng, country);
    const place = drawPlace(peopleRng, country);
    const emailDomain = i % 3 === 2 ? "example.org" : "example.com";
    const style = peopleRng.next();
    const localPart =
      style < 0.7
        ? `${emailLocal(firstName)}.${emailLocal(lastName)}+${i + 1}`
        : style < 0.9
          ? `${emailLocal(firstName).charAt(0)}${emailLocal(lastName)}${i + 1}`
          : `${emailLocal(lastName)}.${emailLocal(firstName)}${i + 1}`;
    const [prefs, prefWeights] = drawPrefs(peopleRng, catalog);
    const hasPhone = peopleRng.chance(0.62);
    customers.push({
      index: i,
      id: 0,
      addressId: 0,
      firstName,
      lastName,
      email: `${localPart}@${emailDomain}`,
      phone: hasPhone ? drawPhone(peopleRng, country, usedPhones) : null,
      place,
      locale: peopleRng.chance(country.englishShare) ? "en" : "fr",
      prefs,
      prefWeights,
      createdMs: 0,
      orderTimes: [],
      lastUpdateMs: 0,
      tags: "",
      note: peopleRng.chance(0.03) ? peopleRng.pick(CUSTOMER_NOTES) : null,
      verified: peopleRng.chance(0.96),
      emailConsent: { state: "not_subscribed", opt_in_level: null, consent_updated_at: null },
      smsConsent: null,
      pro: peopleRng.chance(0.03),
      spendRate: 0,
      seq: 0,
      bought: new Set<number>(),
    });
  }
  return customers;
}

// ---------------------------------------------------------------------------------------
// Phase: purchase process (who orders, and on which days)
// ---------------------------------------------------------------------------------------

interface PurchaseProcess {
  /** Indexes of the customers who ever order, ascending. */
  ordering: number[];
  /** Fractional calendar-day positions of each ordering customer's orders. */
  positions: number[][];
  /** Factor on CDNOW's purchase rates needed to reach the requested orders (≈ 1 at the default sizes). */
  scale: number;
}

function drawPurchaseProcess(
  cal: Calendar,
  customers: CustomerRec[],
  orderingCount: number,
  targetRegistered: number,
  seed: number,
): PurchaseProcess {
  // Which customers ever order (a few registered accounts never buy).
  const orderOrder = Rng.stream(seed, "who-orders").shuffle(customers.map((c) => c.index));
  const ordering = orderOrder.slice(0, orderingCount).sort((a, b) => a - b);

  const schedRng = Rng.stream(seed, "schedules");
  const { r, alpha, a, b } = CDNOW_BG_NBD;
  const schedules: Schedule[] = ordering.map(() => {
    const d = cal.acquisition.draw(schedRng);
    return { acqPos: d + schedRng.next(), lambda: schedRng.gamma(r, 1 / alpha), p: schedRng.beta(a, b) };
  });

  // CDNOW's rates as they are when the customer base matches the requested orders (the
  // default sizes); otherwise one factor on every rate, by bisection on the same draws, so
  // that registered orders ≈ target.
  const positions: number[][] = [];
  let scale = 1;
  if (schedules.length > 0) {
    const want = Math.max(targetRegistered, schedules.length);
    let lo = Math.log(1e-4);
    let hi = Math.log(1e4);
    for (let iter = 0; iter < 48; iter++) {
      const mid = (lo + hi) / 2;
      const got = simulateSchedules(cal, schedules, seed, Math.exp(mid), null);
      if (got < want) lo = mid;
      else hi = mid;
    }
    const countHi = simulateSchedules(cal, schedules, seed, Math.exp(hi), null);
    const countLo = simulateSchedules(cal, schedules, seed, Math.exp(lo), null);
    scale = Math.abs(countHi - want) <= Math.abs(countLo - want) ? Math.exp(hi) : Math.exp(lo);
    simulateSchedules(cal, schedules, seed, scale, positions);
  }
  return { ordering, positions, scale };
}

/**
 * Each customer's Gamma-Gamma spend rate. Professional buyers (cafés, gift shops) order about
 * six times as much each time, on the web and in bulk draft orders alike.
 */
function drawCustomerSpend(customers: CustomerRec[], spendScale: number, seed: number): void {
  const spendRng = Rng.stream(seed, "spend");
  for (const c of customers) c.spendRate = drawSpendRate(spendRng, spendScale) / (c.pro ? PRO_SPEND_FACTOR : 1);
}

// ---------------------------------------------------------------------------------------
// Phase: order plans (registered customers, guests, test orders)
// ---------------------------------------------------------------------------------------

/**
 * Concrete order times, sources and sign-up dates of registered customers; customers who
 * never order get a sign-up date only.
 */
function planCustomerOrders(cal: Calendar, customers: CustomerRec[], process: PurchaseProcess, seed: number): OrderPlan[] {
  const timeRng = Rng.stream(seed, "order-times");
  const plans: OrderPlan[] = [];
  process.ordering.forEach((ci, k) => {
    const c = customers[ci];
    const times = process.positions[k].map((pos) => {
      const d = Math.min(cal.days - 1, Math.floor(pos));
      return instantOnDay(cal, d, timeRng, webHourTable);
    });
    times.sort((a, b) => a - b);
    for (let j = 1; j < times.length; j++) if (times[j] <= times[j - 1]) times[j] = times[j - 1] + timeRng.int(20, 180) * MINUTE;
    c.orderTimes = times.filter((t) => t < cal.endMs - MINUTE);
    if (c.orderTimes.length === 0) c.orderTimes = [cal.endMs - timeRng.int(30, 600) * MINUTE];
    const first = c.orderTimes[0];
    // Most accounts are created during the first checkout; the others earlier (newsletter,
    // wish list), but never before the shop opened.
    if (timeRng.chance(0.72)) c.createdMs = first - timeRng.int(2, 15) * MINUTE - timeRng.int(0, 59) * 1000;
    else c.createdMs = first - timeRng.int(1, 120) * DAY - timeRng.int(0, 6 * 3600) * 1000;
    if (c.createdMs < cal.startMs) c.createdMs = cal.startMs + Math.floor(timeRng.next() * (first - cal.startMs));
    if (c.createdMs >= first) c.createdMs = first - MINUTE;
    for (const t of c.orderTimes) {
      const source: Source =
        c.pro && timeRng.chance(0.5) ? "shopify_draft_order" : c.place.country.code === "FR" && timeRng.chance(0.06) ? "pos" : "web";
      let when = t;
      if (source === "pos") when = instantOnDay(cal, dayOfInstant(cal, t), timeRng, posHourTable);
      else if (source === "shopify_draft_order") when = instantOnDay(cal, dayOfInstant(cal, t), timeRng, officeHourTable);
      if (when >= cal.endMs || when <= c.createdMs) when = t;
      plans.push({ t: when, customer: c, guest: null, source, test: false });
    }
  });
  // Registered customers who never ordered: signed up for the newsletter or an account.
  const orderingSet = new Set(process.ordering);
  for (const c of customers) {
    if (orderingSet.has(c.index)) continue;
    const d = cal.acquisition.draw(timeRng);
    c.createdMs = Math.min(cal.endMs - HOUR, instantOnDay(cal, d, timeRng, webHourTable));
  }
  return plans;
}

/** Guest orders (one-off, no account) and the team's test orders. */
function planGuestAndTestOrders(cal: Calendar, catalog: Catalog, nGuests: number, nTest: number, seed: number, usedPhones: Set<string>): OrderPlan[] {
  const guestRng = Rng.stream(seed, "guests");
  const plans: OrderPlan[] = [];
  for (let g = 0; g < nGuests; g++) {
    const country = countryTable.draw(guestRng);
    const [firstName, lastName] = drawName(guestRng, country);
    const source: Source = country.code === "FR" && guestRng.chance(0.15) ? "pos" : "web";
    const hasEmail = source === "web" ? guestRng.chance(0.97) : guestRng.chance(0.35);
    const [prefs, prefWeights] = drawPrefs(guestRng, catalog);
    const d = cal.acquisition.draw(guestRng);
    const t = instantOnDay(cal, d, guestRng, source === "pos" ? posHourTable : webHourTable);
    plans.push({
      t: Math.min(t, cal.endMs - MINUTE),
      customer: null,
      source,
      test: false,
      guest: {
        firstName,
        lastName,
        email: hasEmail ? `${emailLocal(firstName)}.${emailLocal(lastName)}.invite${g + 1}@example.org` : null,
        phone: guestRng.chance(0.4) ? drawPhone(guestRng, country, usedPhones) : null,
        place: drawPlace(guestRng, country),
        locale: guestRng.chance(country.englishShare) ? "en" : "fr",
        prefs,
        prefWeights,
      },
    });
  }
  for (let k = 0; k < nTest; k++) {
    const d = k === 0 ? Math.min(cal.days - 1, guestRng.int(0, 3)) : guestRng.int(0, cal.days - 1);
    const place = drawPlace(guestRng, COUNTRIES[0]);
    plans.push({
      t: Math.min(instantOnDay(cal, d, guestRng, officeHourTable), cal.endMs - MINUTE),
      customer: null,
      source: "web",
      test: true,
      guest: {
        firstName: "Équipe",
        lastName: "Boutique",
        email: `boutique+test${k + 1}@example.com`,
        phone: null,
        place,
        locale: "fr",
        prefs: [catalog.typeTable.draw(guestRng)],
        prefWeights: [1],
      },
    });
  }
  return plans;
}

// ---------------------------------------------------------------------------------------
// Phase: ids (increasing with creation time), consent and tags
// ---------------------------------------------------------------------------------------

/** All id allocators share one stream: the order of `next()` calls is part of the output. */
interface IdAllocators {
  product: IdAllocator;
  variant: IdAllocator;
  image: IdAllocator;
  customer: IdAllocator;
  address: IdAllocator;
  order: IdAllocator;
  lineItem: IdAllocator;
  refund: IdAllocator;
  refundLine: IdAllocator;
  transaction: IdAllocator;
  adjustment: IdAllocator;
  shippingLine: IdAllocator;
  checkout: IdAllocator;
}

function createIdAllocators(seed: number): IdAllocators {
  const idRng = Rng.stream(seed, "ids");
  return {
    product: new IdAllocator(8_912_000_000_000, idRng, 4000),
    variant: new IdAllocator(45_230_000_000_000, idRng, 9000),
    image: new IdAllocator(40_110_000_000_000, idRng, 5000),
    customer: new IdAllocator(7_402_000_000_000, idRng, 3000),
    address: new IdAllocator(9_120_000_000_000, idRng, 3000),
    order: new IdAllocator(5_912_000_000_000, idRng, 2000),
    lineItem: new IdAllocator(14_830_000_000_000, idRng, 400),
    refund: new IdAllocator(961_000_000_000, idRng, 50_000),
    refundLine: new IdAllocator(592_000_000_000, idRng, 50_000),
    transaction: new IdAllocator(7_013_000_000_000, idRng, 50_000),
    adjustment: new IdAllocator(301_000_000_000, idRng, 50_000),
    shippingLine: new IdAllocator(4_930_000_000_000, idRng, 2000),
    checkout: new IdAllocator(33_120_000_000_000, idRng, 900),
  };
}

/** Numbers products (and variants) and customers in creation order; returns both orders. */
function assignCatalogAndCustomerIds(
  catalog: Catalog,
  customers: CustomerRec[],
  ids: IdAllocators,
): { productsByCreation: ProductRec[]; customersByCreation: CustomerRec[] } {
  const productsByCreation = catalog.products.slice().sort((a, b) => a.createdMs - b.createdMs || a.index - b.index);
  for (const p of productsByCreation) {
    p.id = ids.product.next();
    for (const v of p.variants) v.id = ids.variant.next();
  }
  const customersByCreation = customers.slice().sort((a, b) => a.createdMs - b.createdMs || a.index - b.index);
  for (const c of customersByCreation) {
    c.id = ids.customer.next();
    c.addressId = ids.address.next();
  }
  return { productsByCreation, customersByCreation };
}

/** Marketing consent and tags (as of sign-up). */
function assignConsentAndTags(cal: Calendar, customers: CustomerRec[], seed: number): void {
  const consentRng = Rng.stream(seed, "consent");
  for (const c of customers) {
    const r = consentRng.next();
    if (r < 0.46) {
      c.emailConsent = {
        state: "subscribed",
        opt_in_level: consentRng.chance(0.3) ? "confirmed_opt_in" : "single_opt_in",
        consent_updated_at: toParisIso(c.createdMs),
      };
    } else if (r < 0.56) {
      const at = Math.min(cal.endMs - MINUTE, c.createdMs + consentRng.int(3, 300) * DAY);
      c.emailConsent = { state: "unsubscribed", opt_in_level: "single_opt_in", consent_updated_at: toParisIso(at) };
      c.lastUpdateMs = Math.max(c.lastUpdateMs, at);
    }
    if (c.phone) {
      c.smsConsent = consentRng.chance(0.18)
        ? { state: "subscribed", opt_in_level: "single_opt_in", consent_updated_at: toParisIso(c.createdMs) }
        : { state: "not_subscribed", opt_in_level: "single_opt_in", consent_updated_at: null };
    }
    const tags: string[] = [];
    if (c.emailConsent.state === "subscribed") tags.push("newsletter");
    if (c.pro) tags.push("pro");
    if (c.place.country.code !== "FR") tags.push("international");
    c.tags = tags.sort().join(", ");
    c.lastUpdateMs = Math.max(c.lastUpdateMs, c.createdMs);
  }
}

// ---------------------------------------------------------------------------------------
// Payload pieces shared by orders, checkouts and customers
// ---------------------------------------------------------------------------------------

function addressOf(c: CustomerRec): ShopifyCustomerAddressPayload {
  return {
    id: c.addressId,
    customer_id: c.id,
    first_name: c.firstName,
    last_name: c.lastName,
    address1: c.place.address1,
    city: c.place.city,
    zip: c.place.zip,
    province: c.place.province,
    country: c.place.country.name,
    country_code: c.place.country.code,
    phone: c.phone,
    default: true,
  };
}

function snapshotOf(c: CustomerRec, atMs: number): ShopifyOrderCustomerPayload {
  return {
    id: c.id,
    email: c.email,
    first_name: c.firstName,
    last_name: c.lastName,
    phone: c.phone,
    created_at: toParisIso(c.createdMs),
    updated_at: toParisIso(Math.max(atMs, c.createdMs)),
    state: "enabled",
    tags: c.tags,
    currency: "EUR",
    default_address: addressOf(c),
  };
}

function orderAddress(p: Person): ShopifyOrderAddressPayload {
  return {
    first_name: p.firstName,
    last_name: p.lastName,
    name: `${p.firstName} ${p.lastName}`,
    address1: p.place.address1,
    city: p.place.city,
    zip: p.place.zip,
    province: p.place.province,
    country: p.place.country.name,
    country_code: p.place.country.code,
    phone: p.phone,
  };
}

function checkoutLineItems(pr: Pricing): ShopifyCheckoutLineItemPayload[] {
  return pr.lines.map((l) => ({
    variant_id: l.variant.id,
    product_id: l.product.id,
    title: l.product.title,
    quantity: l.quantity,
    price: money(l.variant.priceCents),
    sku: l.variant.sku,
  }));
}

/** What every order and checkout needs to know about the shop being generated. */
interface ShopContext {
  seed: number;
  domain: string;
  shopNumericId: number;
  cal: Calendar;
  catalog: Catalog;
  ids: IdAllocators;
  /** Euros of this catalogue per CDNOW dollar (demoSpendScale). */
  spendScale: number;
  /** Checkout tokens handed out so far. */
  tokens: Set<string>;
}

/**
 * A checkout token no other checkout has. Streams have 32-bit states, so among tens of
 * thousands of them two can coincide; the token is then drawn again.
 */
function uniqueToken(ctx: ShopContext, rng: Rng): string {
  let token = rng.hex(32);
  while (ctx.tokens.has(token)) token = rng.hex(32);
  ctx.tokens.add(token);
  return token;
}

function checkoutUrl(ctx: ShopContext, token: string, rng: Rng): string {
  return `https://${ctx.domain}/${ctx.shopNumericId}/checkouts/${token}/recover?key=${rng.hex(32)}`;
}

// ---------------------------------------------------------------------------------------
// Phase: orders (basket, discount, shipping, then cancellation, fulfilment and refunds)
// ---------------------------------------------------------------------------------------

type DiscountChoice = { code: string; type: "percentage" | "fixed_amount"; percent?: number; amountCents?: number };

function chooseDiscount(cal: Calendar, plan: OrderPlan, day: number, seq: number, grossCents: number, rng: Rng): DiscountChoice | null {
  if (plan.source !== "web" || plan.test) return null;
  const c = plan.customer;
  const clamped = Math.max(0, Math.min(cal.days - 1, day));
  const month = cal.month[clamped];
  const dom = cal.dom[clamped];
  if (cal.blackFriday.has(day) && rng.chance(0.45)) return { ...DISCOUNT_CODES.blackFriday };
  if (month === 11 && dom <= 24 && rng.chance(0.22)) return { ...DISCOUNT_CODES.christmas };
  if (c && seq === 1 && rng.chance(0.3)) return { ...DISCOUNT_CODES.welcome };
  if (c && seq >= 3 && grossCents >= 3000 && rng.chance(0.1)) return { ...DISCOUNT_CODES.loyalty };
  if ((month === 2 || month === 3) && rng.chance(0.04)) return { ...DISCOUNT_CODES.spring };
  return null;
}

function lineItemPayloads(pr: Pricing, ids: IdAllocators): ShopifyLineItemPayload[] {
  return pr.lines.map((l) => {
    const id = ids.lineItem.next();
    const variantTitle = l.variant.title === "Default Title" ? null : l.variant.title;
    return {
      id,
      admin_graphql_api_id: gid("LineItem", id),
      product_id: l.product.id,
      variant_id: l.variant.id,
      sku: l.variant.sku,
      title: l.product.title,
      variant_title: variantTitle,
      vendor: l.product.vendor,
      name: variantTitle ? `${l.product.title} - ${variantTitle}` : l.product.title,
      quantity: l.quantity,
      price: money(l.variant.priceCents),
      price_set: moneySet(l.variant.priceCents),
      total_discount: money(l.discountCents),
      total_discount_set: moneySet(l.discountCents),
      taxable: true,
      gift_card: false,
      product_exists: true,
    };
  });
}

/** The order's state after its life so far: cancellation, fulfilment and refunds. */
interface OrderLifecycle {
  cancelledAt: number | null;
  cancelReason: ShopifyCancelReason | null;
  financial: ShopifyOrderPayload["financial_status"];
  fulfillment: ShopifyOrderPayload["fulfillment_status"];
  closedAt: number | null;
  updatedAt: number;
  refunds: ShopifyRefundPayload[];
  refundedCents: number;
}

interface RefundTarget {
  orderId: number;
  pr: Pricing;
  lineItems: ShopifyLineItemPayload[];
  gateway: string;
  ids: IdAllocators;
}

/** Records a refund of the given line quantities (and optionally the shipping). */
function addRefund(
  life: OrderLifecycle,
  target: RefundTarget,
  at: number,
  parts: { index: number; quantity: number }[],
  includeShipping: boolean,
  restockType: ShopifyRefundLineItemPayload["restock_type"],
  note: string | null,
): void {
  const { orderId, pr, lineItems, ids } = target;
  const refundId = ids.refund.next();
  let amount = 0;
  const refundLines = parts.map(({ index, quantity }) => {
    const l = pr.lines[index];
    const net = l.grossCents - l.discountCents;
    const sub = quantity === l.quantity ? net : Math.round((net * quantity) / l.quantity);
    const tax = quantity === l.quantity ? l.taxCents : Math.round((l.taxCents * quantity) / l.quantity);
    amount += sub;
    return {
      id: ids.refundLine.next(),
      line_item_id: lineItems[index].id,
      quantity,
      restock_type: restockType,
      subtotal: sub / 100,
      subtotal_set: moneySet(sub),
      total_tax: tax / 100,
      total_tax_set: moneySet(tax),
    };
  });
  const adjustments: ShopifyOrderAdjustmentPayload[] = [];
  if (includeShipping && pr.shippingCents > 0) {
    amount += pr.shippingCents;
    adjustments.push({
      id: ids.adjustment.next(),
      order_id: orderId,
      refund_id: refundId,
      kind: "shipping_refund",
      reason: "Shipping refund",
      amount: money(-pr.shippingCents),
      amount_set: moneySet(-pr.shippingCents),
      tax_amount: money(-pr.shippingTaxCents),
      tax_amount_set: moneySet(-pr.shippingTaxCents),
    });
  }
  life.refundedCents += amount;
  life.refunds.push({
    id: refundId,
    admin_graphql_api_id: gid("Refund", refundId),
    order_id: orderId,
    created_at: toParisIso(at),
    processed_at: toParisIso(at),
    note,
    restock: restockType !== "no_restock",
    refund_line_items: refundLines,
    transactions: [
      {
        id: ids.transaction.next(),
        order_id: orderId,
        kind: "refund",
        status: "success",
        amount: money(amount),
        currency: "EUR",
        created_at: toParisIso(at),
        gateway: target.gateway,
      },
    ],
    order_adjustments: adjustments,
  });
}

/** About 2 % of web and B2B orders are cancelled within a day and a half (voided or refunded). */
function drawCancellation(life: OrderLifecycle, target: RefundTarget, plan: OrderPlan, endMs: number, rng: Rng): void {
  if (plan.test || plan.source === "pos" || !rng.chance(0.02)) return;
  const at = plan.t + rng.int(10, 36 * 60) * MINUTE;
  if (at >= endMs) return;
  life.cancelledAt = at;
  life.cancelReason = rng.weighted(["customer", "inventory", "declined", "fraud", "other"] as const, [0.5, 0.18, 0.12, 0.08, 0.12]);
  if (life.cancelReason === "declined" || rng.chance(0.45)) {
    life.financial = "voided";
  } else {
    life.financial = "refunded";
    const allParts = target.pr.lines.map((l, index) => ({ index, quantity: l.quantity }));
    addRefund(life, target, at, allParts, true, "cancel", life.cancelReason === "inventory" ? "Article en rupture après commande" : null);
  }
  life.closedAt = at;
  life.updatedAt = at;
}

/** Shipped a few hours later (POS at once); the latest orders may still be open. */
function drawFulfilment(life: OrderLifecycle, plan: OrderPlan, pr: Pricing, endMs: number, rng: Rng): number | null {
  const t = plan.t;
  const fulfilledAt = plan.source === "pos" ? t : t + rng.int(4, 60) * HOUR;
  if (fulfilledAt < endMs) {
    life.fulfillment = "fulfilled";
    life.closedAt = fulfilledAt;
    life.updatedAt = fulfilledAt;
    return fulfilledAt;
  }
  if (pr.lines.length > 1 && t + 4 * HOUR < endMs && rng.chance(0.25)) life.fulfillment = "partial";
  return null;
}

/** About 4 % of delivered orders are returned, fully or in part, within a few weeks. */
function drawReturnRefund(life: OrderLifecycle, target: RefundTarget, plan: OrderPlan, fulfilledAt: number, endMs: number, rng: Rng): void {
  if (plan.test || !rng.chance(0.043)) return;
  const at = fulfilledAt + rng.int(2, 20) * DAY + rng.int(0, 8 * 3600) * 1000;
  if (at >= endMs) return;
  const { pr } = target;
  const restock = rng.chance(0.6) ? "return" : "no_restock";
  const note = rng.pick(REFUND_NOTES);
  const totalUnits = pr.lines.reduce((a, l) => a + l.quantity, 0);
  if (totalUnits === 1 || rng.chance(0.35)) {
    const allParts = pr.lines.map((l, index) => ({ index, quantity: l.quantity }));
    addRefund(life, target, at, allParts, rng.chance(0.7), restock, note);
  } else {
    const index = rng.int(0, pr.lines.length - 1);
    const l = pr.lines[index];
    const quantity = pr.lines.length === 1 ? rng.int(1, l.quantity - 1) : rng.int(1, l.quantity);
    addRefund(life, target, at, [{ index, quantity }], false, restock, note);
  }
  life.financial = life.refundedCents >= pr.totalCents ? "refunded" : "partially_refunded";
  life.updatedAt = at;
}

function drawLifecycle(target: RefundTarget, plan: OrderPlan, endMs: number, rng: Rng): OrderLifecycle {
  const life: OrderLifecycle = {
    cancelledAt: null,
    cancelReason: null,
    financial: "paid",
    fulfillment: null,
    closedAt: null,
    updatedAt: plan.t,
    refunds: [],
    refundedCents: 0,
  };
  drawCancellation(life, target, plan, endMs, rng);
  if (life.cancelledAt === null) {
    const fulfilledAt = drawFulfilment(life, plan, target.pr, endMs, rng);
    if (fulfilledAt !== null) drawReturnRefund(life, target, plan, fulfilledAt, endMs, rng);
  }
  return life;
}

interface CompletedCheckout {
  t: number;
  created: number;
  payload: Omit<ShopifyCheckoutPayload, "id">;
}

interface OrdersPhase {
  orders: ShopifyOrderPayload[];
  completedCheckouts: CompletedCheckout[];
  newCustomersByMonth: Map<string, { registered: number; guests: number }>;
}

function buildOrders(ctx: ShopContext, plans: OrderPlan[]): OrdersPhase {
  const phase: OrdersPhase = { orders: [], completedCheckouts: [], newCustomersByMonth: new Map() };
  plans.forEach((plan, k) => buildOrder(ctx, plan, k, phase));
  return phase;
}

function buildOrder(ctx: ShopContext, plan: OrderPlan, k: number, phase: OrdersPhase): void {
  const { cal, catalog, ids } = ctx;
  const rng = Rng.stream(ctx.seed, "order", k);
  const t = plan.t;
  const c = plan.customer;
  const person: Person = c ?? plan.guest!;
  const orderId = ids.order.next();
  const orderNumber = 1001 + k;
  const day = dayOfInstant(cal, t);
  const monthKey = toParisIso(t).slice(0, 7);
  if (c) {
    c.seq++;
    c.lastUpdateMs = Math.max(c.lastUpdateMs, t);
  }
  const seq = c ? c.seq : 1;
  if (!plan.test && seq === 1) {
    const m = phase.newCustomersByMonth.get(monthKey) ?? { registered: 0, guests: 0 };
    if (c) m.registered++;
    else m.guests++;
    phase.newCustomersByMonth.set(monthKey, m);
  }

  const spendRate = c ? c.spendRate : drawSpendRate(rng, ctx.spendScale);
  const target = drawOrderTarget(rng, spendRate);
  const basket = drawBasket(catalog, person.prefs, person.prefWeights, t, rng, c ? c.bought : null, target, plan.source === "shopify_draft_order");
  if (c) for (const l of basket) c.bought.add(l.product.index);
  const gross = basket.reduce((a, l) => a + l.variant.priceCents * l.quantity, 0);
  const discount = chooseDiscount(cal, plan, day, seq, gross, rng);
  const discountSpec = discount ? { percent: discount.percent, amountCents: discount.amountCents } : null;
  const base = priceBasket(basket, discountSpec, 0);
  const shipping =
    plan.source === "pos"
      ? null
      : plan.source === "shopify_draft_order"
        ? { title: "Livraison professionnelle", code: "B2B", cents: base.subtotalCents >= 15000 ? 0 : 1490 }
        : chooseShipping(rng, person.place.country, base.subtotalCents);
  const pr = withShipping(base, shipping ? shipping.cents : 0);
  const lineItems = lineItemPayloads(pr, ids);
  const gateway = plan.source === "pos" ? "shopify_payments" : rng.chance(0.12) ? "paypal" : "shopify_payments";
  const life = drawLifecycle({ orderId, pr, lineItems, gateway, ids }, plan, cal.endMs, rng);

  const email = c ? c.email : plan.guest!.email;
  const tags: string[] = [];
  let note: string | null = null;
  if (plan.test) tags.push("test");
  if (plan.source === "shopify_draft_order") tags.push("B2B");
  if (plan.source === "pos") tags.push("boutique-paris");
  if (plan.source === "web" && rng.chance(0.04)) {
    note = rng.pick(ORDER_NOTES);
    tags.push("cadeau");
  }
  const checkoutToken = plan.source === "web" ? uniqueToken(ctx, rng) : null;
  const address = plan.source === "pos" ? null : orderAddress(person);
  const created = toParisIso(t);

  phase.orders.push({
    id: orderId,
    admin_graphql_api_id: gid("Order", orderId),
    name: `#${orderNumber}`,
    order_number: orderNumber,
    email,
    created_at: created,
    processed_at: created,
    updated_at: toParisIso(life.updatedAt),
    cancelled_at: life.cancelledAt === null ? null : toParisIso(life.cancelledAt),
    cancel_reason: life.cancelReason,
    closed_at: life.closedAt === null ? null : toParisIso(life.closedAt),
    financial_status: life.financial,
    fulfillment_status: life.fulfillment,
    currency: "EUR",
    presentment_currency: "EUR",
    taxes_included: true,
    total_price: money(pr.totalCents),
    subtotal_price: money(pr.subtotalCents),
    total_discounts: money(pr.discountCents),
    total_tax: money(pr.taxCents),
    total_line_items_price: money(pr.lineItemsCents),
    total_price_set: moneySet(pr.totalCents),
    subtotal_price_set: moneySet(pr.subtotalCents),
    total_discounts_set: moneySet(pr.discountCents),
    total_tax_set: moneySet(pr.taxCents),
    total_shipping_price_set: moneySet(pr.shippingCents),
    current_total_price: money(life.cancelledAt !== null ? 0 : Math.max(0, pr.totalCents - life.refundedCents)),
    source_name: plan.source,
    test: plan.test,
    tags: tags.join(", "),
    note,
    customer_locale: person.locale,
    checkout_token: checkoutToken,
    customer: c ? snapshotOf(c, t) : null,
    line_items: lineItems,
    refunds: life.refunds,
    shipping_lines: shipping
      ? [
          {
            id: ids.shippingLine.next(),
            title: shipping.title,
            price: money(shipping.cents),
            price_set: moneySet(shipping.cents),
            code: shipping.code,
          },
        ]
      : [],
    shipping_address: address,
    billing_address: address,
    discount_codes: discount ? [{ code: discount.code, amount: money(pr.discountCents), type: discount.type }] : [],
  });

  if (checkoutToken) {
    const startedAt = Math.max(t - rng.int(2, 40) * MINUTE - rng.int(0, 59) * 1000, c ? Math.min(c.createdMs, t - MINUTE) : cal.startMs);
    phase.completedCheckouts.push({
      t,
      created: startedAt,
      payload: {
        token: checkoutToken,
        cart_token: rng.hex(32),
        email,
        created_at: toParisIso(startedAt),
        updated_at: created,
        completed_at: created,
        currency: "EUR",
        presentment_currency: "EUR",
        total_price: money(pr.totalCents),
        subtotal_price: money(pr.subtotalCents),
        total_tax: money(pr.taxCents),
        customer: c ? snapshotOf(c, t) : null,
        line_items: checkoutLineItems(pr),
        abandoned_checkout_url: checkoutUrl(ctx, checkoutToken, rng),
      },
    });
  }
}

// ---------------------------------------------------------------------------------------
// Phase: checkouts (completed ones come with their orders; abandoned ones are added here)
// ---------------------------------------------------------------------------------------

function buildCheckouts(ctx: ShopContext, completed: CompletedCheckout[], customers: CustomerRec[]): ShopifyCheckoutPayload[] {
  const { cal, catalog } = ctx;
  const abRng = Rng.stream(ctx.seed, "abandoned");
  const abandonRate = abRng.uniform(0.68, 0.72);
  const nAbandoned = Math.round((completed.length * abandonRate) / (1 - abandonRate));
  const abandoned: { created: number; payload: Omit<ShopifyCheckoutPayload, "id"> }[] = [];
  for (let a = 0; a < nAbandoned && completed.length > 0; a++) {
    // Traffic follows orders: anchor on a random completed checkout and jitter a few days.
    const anchor = completed[abRng.int(0, completed.length - 1)];
    const anchorDay = dayOfInstant(cal, anchor.t);
    const d = Math.max(0, Math.min(cal.days - 1, anchorDay + Math.round(abRng.normal(0, 3))));
    let created = instantOnDay(cal, d, abRng, webHourTable);
    if (created >= cal.endMs - 2 * HOUR) created = cal.endMs - abRng.int(3, 48) * HOUR;
    if (created < cal.startMs) created = cal.startMs + abRng.int(1, 3600) * 1000;
    let customer: CustomerRec | null = null;
    if (abRng.chance(0.4)) {
      const candidate = customers[abRng.int(0, customers.length - 1)];
      if (candidate && candidate.createdMs < created) customer = candidate;
    }
    let person: Person;
    let email: string | null;
    if (customer) {
      person = customer;
      email = customer.email;
    } else {
      const country = countryTable.draw(abRng);
      const [firstName, lastName] = drawName(abRng, country);
      const [prefs, prefWeights] = drawPrefs(abRng, catalog);
      email = abRng.chance(0.55) ? `${emailLocal(firstName)}.${emailLocal(lastName)}.visiteur${a + 1}@example.org` : null;
      person = { firstName, lastName, email, phone: null, place: drawPlace(abRng, country), locale: "fr", prefs, prefWeights };
    }
    const target = drawOrderTarget(abRng, customer ? customer.spendRate : drawSpendRate(abRng, ctx.spendScale));
    const basket = drawBasket(catalog, person.prefs, person.prefWeights, created, abRng, null, target, false);
    const pr = priceBasket(basket, null, 0);
    const token = uniqueToken(ctx, abRng);
    const updated = Math.min(cal.endMs - MINUTE, created + abRng.int(1, 45) * MINUTE);
    abandoned.push({
      created,
      payload: {
        token,
        cart_token: abRng.hex(32),
        email,
        created_at: toParisIso(created),
        updated_at: toParisIso(Math.max(created, updated)),
        completed_at: null,
        currency: "EUR",
        presentment_currency: "EUR",
        total_price: money(pr.totalCents),
        subtotal_price: money(pr.subtotalCents),
        total_tax: money(pr.taxCents),
        customer: customer ? snapshotOf(customer, created) : null,
        line_items: checkoutLineItems(pr),
        abandoned_checkout_url: checkoutUrl(ctx, token, abRng),
      },
    });
  }
  const all = [...completed.map((x) => ({ created: x.created, payload: x.payload })), ...abandoned];
  all.sort((a, b) => a.created - b.created);
  return all.map((x) => ({ id: ctx.ids.checkout.next(), ...x.payload }));
}

// ---------------------------------------------------------------------------------------
// Phase: customer and product payloads
// ---------------------------------------------------------------------------------------

function customerPayloads(customersByCreation: CustomerRec[]): ShopifyCustomerPayload[] {
  return customersByCreation.map((c) => {
    const address = addressOf(c);
    return {
      id: c.id,
      admin_graphql_api_id: gid("Customer", c.id),
      email: c.email,
      first_name: c.firstName,
      last_name: c.lastName,
      phone: c.phone,
      created_at: toParisIso(c.createdMs),
      updated_at: toParisIso(c.lastUpdateMs),
      state: "enabled",
      verified_email: c.verified,
      tags: c.tags,
      currency: "EUR",
      note: c.note,
      email_marketing_consent: c.emailConsent,
      sms_marketing_consent: c.smsConsent,
      default_address: address,
      addresses: [{ ...address }],
    };
  });
}

function productPayloads(ctx: ShopContext, productsByCreation: ProductRec[]): ShopifyProductPayload[] {
  const shopDigits = String(ctx.shopNumericId).padStart(12, "0").slice(-12);
  const cdnBase = `https://cdn.shopify.com/s/files/1/${shopDigits.slice(0, 4)}/${shopDigits.slice(4, 8)}/${shopDigits.slice(8)}/files`;
  return productsByCreation.map((p) => {
    const created = toParisIso(p.createdMs);
    const updated = toParisIso(Math.max(p.createdMs, p.updatedMs));
    const imgRng = Rng.stream(ctx.seed, "images", p.index);
    const nImages = imgRng.chance(0.03) ? 0 : 1 + imgRng.weightedIndex([0.5, 0.35, 0.15]);
    const images: ShopifyProductImagePayload[] = [];
    for (let i = 0; i < nImages; i++) {
      images.push({
        id: ctx.ids.image.next(),
        src: `${cdnBase}/${p.handle}-${i + 1}.jpg?v=${Math.floor(p.createdMs / 1000)}`,
        alt: i === 0 ? p.title : `${p.title} — vue ${i + 1}`,
      });
    }
    const tags = [...p.type.tags];
    if (p.onSale) tags.push("promo");
    if (p.launched) tags.push("nouveauté");
    if (p.partner) tags.push("best-seller");
    return {
      id: p.id,
      admin_graphql_api_id: gid("Product", p.id),
      title: p.title,
      handle: p.handle,
      body_html: `<p>${escapeHtml(p.title)}. ${escapeHtml(TYPE_BLURBS[p.type.type] ?? "")}</p>`,
      vendor: p.vendor,
      product_type: p.type.type,
      status: p.status,
      tags: tags.sort().join(", "),
      created_at: created,
      updated_at: updated,
      published_at: p.publishedMs === null ? null : toParisIso(p.publishedMs),
      variants: p.variants.map((v, i) => ({
        id: v.id,
        admin_graphql_api_id: gid("ProductVariant", v.id),
        product_id: p.id,
        title: v.title,
        price: money(v.priceCents),
        compare_at_price: v.compareAtCents === null ? null : money(v.compareAtCents),
        sku: v.sku,
        inventory_quantity: v.inventory,
        position: i + 1,
        created_at: created,
        updated_at: updated,
      })),
      image: images[0] ?? null,
      images,
    };
  });
}

// ---------------------------------------------------------------------------------------
// Phase: marketing spend (follows new-customer acquisition)
// ---------------------------------------------------------------------------------------

function marketingSpendByMonth(cal: Calendar, newCustomersByMonth: OrdersPhase["newCustomersByMonth"], seed: number): DemoMarketingSpend[] {
  const spendRng = Rng.stream(seed, "marketing");
  const marketingSpend: DemoMarketingSpend[] = [];
  const firstMonth = toParisIso(cal.startMs).slice(0, 7);
  const lastMonth = toParisIso(cal.endMs - MINUTE).slice(0, 7);
  for (let [y, m] = firstMonth.split("-").map(Number); `${y}-${String(m).padStart(2, "0")}` <= lastMonth;) {
    const key = `${y}-${String(m).padStart(2, "0")}`;
    const acquired = newCustomersByMonth.get(key) ?? { registered: 0, guests: 0 };
    const cpa = 26 * (m === 11 || m === 12 ? 1.35 : m === 7 || m === 8 ? 0.9 : 1) * Math.exp(spendRng.normal(0, 0.12));
    const cents = Math.round((acquired.registered * cpa + acquired.guests * cpa * 0.35 + 250 * Math.exp(spendRng.normal(0, 0.2))) * 100);
    marketingSpend.push({ month: key, amount: money(cents), currency: "EUR" });
    m++;
    if (m > 12) {
      m = 1;
      y++;
    }
  }
  return marketingSpend;
}

// ---------------------------------------------------------------------------------------
// Entry point
// ---------------------------------------------------------------------------------------

export function generateDemoShop(options: Partial<DemoShopOptions> & { endDate: Date }): DemoShop {
  const o = resolveOptions(options);
  const seed = o.seed | 0;

  const cal = buildCalendar(o.endDate, o.months, Rng.stream(seed, "calendar"));
  const catalog = buildCatalog(o.products, cal, seed);

  const usedPhones = new Set<string>();
  const nTest = o.orders >= 200 ? Math.min(6, 2 + Math.floor(o.orders / 5000)) : 0;
  const guestShare = 0.12;
  const targetRegistered = Math.max(0, Math.round((o.orders - nTest) * (1 - guestShare)));
  const orderingCount = Math.min(Math.round(o.customers * 0.95), targetRegistered);
  const customers = createCustomers(o.customers, catalog, seed, usedPhones);
  const purchase = drawPurchaseProcess(cal, customers, orderingCount, targetRegistered, seed);
  const spendScale = demoSpendScale(catalog);
  drawCustomerSpend(customers, spendScale, seed);

  const plans = planCustomerOrders(cal, customers, purchase, seed);
  const nGuests = Math.max(0, o.orders - plans.length - nTest);
  plans.push(...planGuestAndTestOrders(cal, catalog, nGuests, nTest, seed, usedPhones));
  plans.sort((a, b) => a.t - b.t);

  const ids = createIdAllocators(seed);
  const { productsByCreation, customersByCreation } = assignCatalogAndCustomerIds(catalog, customers, ids);
  assignConsentAndTags(cal, customers, seed);

  const ctx: ShopContext = {
    seed,
    domain: o.shopDomain,
    shopNumericId: 60_000_000_000 + Rng.stream(seed, "shop").int(0, 9_999_999),
    cal,
    catalog,
    ids,
    spendScale,
    tokens: new Set(),
  };
  const { orders, completedCheckouts, newCustomersByMonth } = buildOrders(ctx, plans);
  const checkouts = buildCheckouts(ctx, completedCheckouts, customers);
  const customerList = customerPayloads(customersByCreation);
  const products = productPayloads(ctx, productsByCreation);
  const marketingSpend = marketingSpendByMonth(cal, newCustomersByMonth, seed);

  return {
    shop: {
      domain: o.shopDomain,
      name: "Maison Rapport (démo)",
      currency: "EUR",
      ianaTimezone: DEMO_TIME_ZONE,
      email: "boutique@example.com",
      countryCode: "FR",
    },
    products,
    customers: customerList,
    orders,
    checkouts,
    marketingSpend,
    model: {
      bgNbd: { ...CDNOW_BG_NBD, alpha: CDNOW_BG_NBD.alpha / purchase.scale },
      gammaGamma: { ...CDNOW_GAMMA_GAMMA, gamma: CDNOW_GAMMA_GAMMA.gamma * spendScale },
      rateScale: purchase.scale,
      spendScale,
    },
  };
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  const out: Partial<T> = {};
  for (const [k, v] of Object.entries(value)) if (v !== undefined) (out as Record<string, unknown>)[k] = v;
  return out;
}
