// The customers page and the customer profile: the stored rows, shaped for display (decimal
// strings, ISO instants), shop-scoped. No analysis here: metrics come from the last run, and the
// profile's outlook applies the stored model to the stored history (domain/customerOutlook.ts).
import type { BgNbdParams } from "~/domain/clv";
import {
  encodeCursor,
  includesCustomersWithoutOrders,
  RISK_BANDS,
  riskBandOf,
  type CustomerFilter,
  type CustomerQuery,
  type Cursor,
} from "~/domain/customerList";
import { clvRange, expectedPurchasesWithin } from "~/domain/customerOutlook";
import { currencyExponent } from "~/domain/money";
import type { ModelSummary } from "~/domain/predictions";
import { dayNumber, nextDay, startOfLocalDay } from "~/domain/time";
import { prisma } from "~/lib/db.server";
import type { Db } from "~/lib/transaction.server";
import {
  countListedCustomers,
  customersWithOrdersPage,
  customersWithoutOrdersPage,
  customerIdsOfShopifyIds,
  sortValueOf,
  type ListedCustomer,
  type ListWhere,
} from "~/models/customerList.server";
import {
  countCustomerOrders,
  customerOrders,
  customerSegmentMoves,
  findCustomerForProfile,
  latestAnalysisModel,
} from "~/models/customerProfile.server";
import { latestAnalysisParts } from "~/models/insightReads.server";
import { findShopperPreference } from "~/models/recommendationTracking.server";
import { findShop } from "~/models/shop.server";
import { UnknownShopError } from "./dataHealth.server";

export interface ShopDisplay {
  domain: string;
  name: string | null;
  currency: string;
  timeZone: string;
}

async function shopDisplay(db: Db, shop: string): Promise<ShopDisplay> {
  const row = await findShop(db, shop);
  if (!row) throw new UnknownShopError(shop);
  return { domain: row.domain, name: row.name, currency: row.currency, timeZone: row.ianaTimezone || "UTC" };
}

/** The model's filter: risk bands as P(alive) ranges, local days as instants of the shop's zone. */
export function listWhereOf(filter: CustomerFilter, timeZone: string): ListWhere {
  const band = filter.risk ? RISK_BANDS[filter.risk] : undefined;
  return {
    q: filter.q,
    segment: filter.segment,
    r: filter.r,
    f: filter.f,
    pAliveMin: band?.min,
    pAliveMax: band?.max,
    clvMin: filter.clvMin,
    clvMax: filter.clvMax,
    lastOrderFrom: filter.from ? startOfLocalDay(filter.from, timeZone) : undefined,
    lastOrderBefore: filter.to ? startOfLocalDay(nextDay(filter.to), timeZone) : undefined,
  };
}

function money(value: { toFixed(digits: number): string } | null, currency: string | null) {
  return value === null || currency === null ? null : value.toFixed(currencyExponent(currency));
}

export function customerRow(row: ListedCustomer) {
  return {
    id: row.shopifyId,
    name: [row.firstName, row.lastName].filter(Boolean).join(" ") || null,
    email: row.email,
    tags: row.tags,
    segment: row.segment,
    r: row.rScore,
    f: row.fScore,
    m: row.mScore,
    orders: row.frequency,
    revenue: money(row.monetary, row.currency),
    pAlive: row.pAlive,
    risk: riskBandOf(row.pAlive),
    predictedClv: money(row.predictedClv12m, row.currency),
    lastOrderAt: row.lastOrderAt?.toISOString() ?? null,
    firstOrderAt: row.firstOrderAt?.toISOString() ?? null,
    lowConfidence: row.lowConfidence,
  };
}
export type CustomerRow = ReturnType<typeof customerRow>;

/**
 * One page of rows in display order and whether there are more on each side. Customers with
 * orders (phase 1, by the chosen metric) come before those without (phase 2, newest first).
 */
export async function customerPage(db: Db, shop: string, where: ListWhere, query: Omit<CustomerQuery, "filter">, withoutOrders: boolean) {
  const { sort, dir, after, before, limit } = query;
  const p1 = (at: Cursor | undefined, reverse: boolean, n: number) =>
    customersWithOrdersPage(db, shop, where, { sort, dir, at: at?.phase === 1 ? at : undefined, reverse, limit: n });
  const p2 = (at: Cursor | undefined, reverse: boolean, n: number) =>
    withoutOrders
      ? customersWithoutOrdersPage(db, shop, where, { afterId: at?.phase === 2 ? at.id : undefined, reverse, limit: n })
      : Promise.resolve([]);
  let rows: ListedCustomer[];
  let hasNext: boolean;
  let hasPrevious: boolean;
  if (before) {
    rows = before.phase === 2 ? await p2(before, true, limit + 1) : [];
    if (rows.length < limit + 1) rows = rows.concat(await p1(before.phase === 1 ? before : undefined, true, limit + 1 - rows.length));
    hasPrevious = rows.length > limit;
    rows = rows.slice(0, limit).reverse();
    hasNext = true;
  } else {
    rows = !after || after.phase === 1 ? await p1(after, false, limit + 1) : [];
    if (rows.length < limit + 1) rows = rows.concat(await p2(after?.phase === 2 ? after : undefined, false, limit + 1 - rows.length));
    hasNext = rows.length > limit;
    rows = rows.slice(0, limit);
    hasPrevious = Boolean(after);
  }
  const cursorOf = (row: ListedCustomer): string =>
    encodeCursor(row.segment === null ? { phase: 2, value: null, id: row.id } : { phase: 1, value: sortValueOf(row, sort), id: row.id });
  return {
    rows,
    next: hasNext && rows.length ? cursorOf(rows[rows.length - 1]) : null,
    previous: hasPrevious && rows.length ? cursorOf(rows[0]) : null,
  };
}

export async function listCustomers(shop: string, query: CustomerQuery) {
  const db = prisma();
  const info = await shopDisplay(db, shop);
  const where = listWhereOf(query.filter, info.timeZone);
  const withoutOrders = includesCustomersWithoutOrders(query.filter);
  const [page, counts, analysed] = await Promise.all([
    customerPage(db, shop, where, query, withoutOrders),
    countListedCustomers(db, shop, where, withoutOrders),
    latestAnalysisParts(db, shop, {}),
  ]);
  return {
    shop: info,
    customers: page.rows.map(customerRow),
    next: page.next,
    previous: page.previous,
    total: counts.withOrders + counts.withoutOrders,
    /** More than `total` match (the count stops at COUNT_CAP). */
    capped: counts.capped,
    withoutOrders: counts.withoutOrders,
    analysedAt: analysed?.computedAt.toISOString() ?? null,
  };
}

/**
 * Every matching customer (or only those of `shopifyIds`, a bulk selection), page after page
 * (keyset), for the CSV export.
 */
export async function* allListedCustomers(
  shop: string,
  query: Omit<CustomerQuery, "after" | "before" | "limit">,
  shopifyIds?: string[],
  batch = 2000,
) {
  const db = prisma();
  const info = await shopDisplay(db, shop);
  const where = listWhereOf(query.filter, info.timeZone);
  if (shopifyIds) where.customerIds = await customerIdsOfShopifyIds(db, shop, shopifyIds.slice(0, 500));
  const withoutOrders = includesCustomersWithoutOrders(query.filter);
  let after: Cursor | undefined;
  for (;;) {
    const page = await customerPage(db, shop, where, { sort: query.sort, dir: query.dir, after, limit: batch }, withoutOrders);
    yield { shop: info, rows: page.rows.map(customerRow) };
    if (!page.next) return;
    const last = page.rows[page.rows.length - 1];
    after = last.segment === null ? { phase: 2, value: null, id: last.id } : { phase: 1, value: sortValueOf(last, query.sort), id: last.id };
  }
}

/** Orders in the profile's timeline: the latest 10, or up to 100 on request. */
export const ORDERS_SHOWN = { recent: 10, all: 100 };

/** Everything the profile page shows; null when the shop has no such customer. */
export async function getCustomerProfile(shop: string, shopifyId: string, orderLimit = ORDERS_SHOWN.recent) {
  const db = prisma();
  const info = await shopDisplay(db, shop);
  const customer = await findCustomerForProfile(db, shop, shopifyId);
  if (!customer) return null;
  const [orders, orderCount, moves, analysis, choices] = await Promise.all([
    customerOrders(db, shop, customer.id, orderLimit),
    countCustomerOrders(db, shop, customer.id),
    customerSegmentMoves(db, shop, customer.id),
    latestAnalysisModel(db, shop),
    findShopperPreference(db, shop, customer.shopifyId),
  ]);
  const m = customer.metrics;
  const digits = currencyExponent(info.currency);
  let outlook: { expected90: number; expected365: number | null; clvLow: string | null; clvHigh: string | null } | null = null;
  const model = analysis?.model as unknown as ModelSummary | undefined;
  if (m && model?.bgnbd && !model.bgnbd.degenerate && m.pAlive !== null) {
    const params: BgNbdParams = { r: model.bgnbd.r, alpha: model.bgnbd.alpha, a: model.bgnbd.a, b: model.bgnbd.b };
    const firstDay = dayNumber(m.firstOrderAt, info.timeZone);
    const lastDay = dayNumber(m.lastOrderAt, info.timeZone);
    const input = { firstDay, lastDay, today: lastDay + m.recencyDays, purchaseDays: m.purchaseDays };
    const range = m.expectedOrderValue ? clvRange(params, model.bgnbd.standardErrors, input, m.expectedOrderValue.toNumber()) : null;
    outlook = {
      expected90: expectedPurchasesWithin(params, input, 90),
      expected365: expectedPurchasesWithin(params, input, 365),
      clvLow: range ? range.low.toFixed(digits) : null,
      clvHigh: range ? range.high.toFixed(digits) : null,
    };
  }
  const analysedAt = m?.computedAt ?? null;
  return {
    shop: info,
    customer: {
      id: customer.shopifyId,
      name: [customer.profile?.firstName, customer.profile?.lastName].filter(Boolean).join(" ") || null,
      email: customer.profile?.email ?? null,
      phone: customer.profile?.phone ?? null,
      tags: customer.tags,
      redacted: customer.redactedAt !== null,
      emailMarketingState: customer.emailMarketingState,
      createdAt: customer.shopifyCreatedAt?.toISOString() ?? null,
    },
    metrics: m && {
      segment: m.segment,
      previousSegment: m.previousSegment,
      segmentChangedAt: m.segmentChangedAt.toISOString(),
      r: m.rScore,
      f: m.fScore,
      m: m.mScore,
      orders: m.frequency,
      revenue: m.monetary.toFixed(digits),
      aov: m.frequency > 0 ? m.monetary.div(m.frequency).toFixed(digits) : null,
      firstOrderAt: m.firstOrderAt.toISOString(),
      lastOrderAt: m.lastOrderAt.toISOString(),
      recencyDays: m.recencyDays,
      pAlive: m.pAlive,
      risk: riskBandOf(m.pAlive),
      expectedPurchases12m: m.expectedPurchases12m,
      predictedClv: m.predictedClv12m?.toFixed(digits) ?? null,
      expectedOrderValue: m.expectedOrderValue?.toFixed(digits) ?? null,
      expectedNextOrderAt: m.expectedNextOrderAt?.toISOString() ?? null,
      // The next order was expected before the analysis and has not come.
      overdue: m.expectedNextOrderAt !== null && analysedAt !== null && m.expectedNextOrderAt.getTime() < analysedAt.getTime(),
      lowConfidence: m.lowConfidence,
      computedAt: m.computedAt.toISOString(),
    },
    outlook,
    // What the customer chose on the shop's privacy page; null = never chose (both allowed).
    preferences: choices ? { personalization: choices.personalization, surveys: choices.surveys } : null,
    moves: moves.map((mv) => ({ from: mv.fromSegment, to: mv.toSegment, at: mv.movedAt.toISOString(), source: mv.source })),
    orderCount,
    orders: orders.map((o) => ({
      id: o.shopifyId,
      name: o.name,
      processedAt: o.processedAt.toISOString(),
      cancelledAt: o.cancelledAt?.toISOString() ?? null,
      financialStatus: o.financialStatus,
      test: o.test,
      total: o.totalPrice.toFixed(digits),
      refunded: o.totalRefunded.toFixed(digits),
      net: o.totalPrice.minus(o.totalRefunded).toFixed(digits),
      lines: o.lineItems.map((l) => ({
        id: l.id,
        title: l.title,
        variant: l.variantTitle,
        quantity: l.quantity,
        total: l.price.times(l.quantity).minus(l.totalDiscount).toFixed(digits),
      })),
      refunds: o.refunds.map((r) => ({ id: r.id, at: r.processedAt.toISOString(), amount: r.amount.toFixed(digits) })),
    })),
  };
}
export type CustomerProfile = NonNullable<Awaited<ReturnType<typeof getCustomerProfile>>>;
