// Reads of the stored analysis for the dashboard, segments, cohorts and predictions pages.
// Every query is keyed by shop and served by an index: AnalysisSnapshot and KpiSnapshot by their
// unique (shop, date[, rangeKind]), SegmentSnapshot by (shop, date, segment), SegmentMove by
// (shop, movedAt), CustomerMetrics by (shop, segment) or its primary key.
import { Prisma } from "@prisma/client";
import type { AnalysisExtras } from "~/domain/analysisExtras";
import type { Db } from "~/lib/transaction.server";

/** The shop's name, currency and time zone for display. */
export async function shopDisplay(db: Db, shop: string) {
  const row = await db.shop.findUnique({ where: { domain: shop }, select: { domain: true, name: true, currency: true, ianaTimezone: true } });
  return row && { domain: row.domain, name: row.name, currency: row.currency, timeZone: row.ianaTimezone || "UTC" };
}

/** The most recent analysis of the shop (models, cohorts, extras), or null. */
export async function latestAnalysisSnapshot(db: Db, shop: string) {
  return db.analysisSnapshot.findFirst({
    where: { shop },
    orderBy: { date: "desc" },
    select: {
      date: true,
      computedAt: true,
      customers: true,
      repeatCustomers: true,
      lowConfidence: true,
      confidenceNotes: true,
      model: true,
      cohorts: true,
      extras: true,
    },
  });
}

/**
 * The latest analysis's date and time and its KPI snapshots' ranges and new customers (the
 * settings page's CAC): the columns only, none of the JSON documents.
 */
export async function latestKpiRanges(db: Db, shop: string) {
  const analysis = await db.analysisSnapshot.findFirst({ where: { shop }, orderBy: { date: "desc" }, select: { date: true, computedAt: true } });
  if (!analysis) return null;
  const kpis = await db.kpiSnapshot.findMany({
    where: { shop, date: analysis.date },
    orderBy: { id: "asc" },
    select: { rangeKind: true, rangeFrom: true, rangeTo: true, newCustomers: true },
  });
  return { analysis, kpis };
}

export interface AnalysisParts<K extends keyof AnalysisExtras> {
  date: Date;
  computedAt: Date;
  customers: number;
  repeatCustomers: number;
  lowConfidence: boolean;
  confidenceNotes: string[];
  model: unknown;
  cohorts: unknown;
  /** Only the keys asked for; null for runs before the extras existed. */
  extras: Pick<AnalysisExtras, K> | null;
  /** Customers in the "at risk and valuable" list, without reading it. */
  atRiskCount: number | null;
}

/**
 * The latest analysis with only the JSON a page shows: the model and the cohorts when asked,
 * and the asked keys of the extras, cut out in SQL (a page reads a few kilobytes instead of
 * the whole document: the two-year daily series, the cohorts, the backtest…).
 */
export async function latestAnalysisParts<K extends keyof AnalysisExtras>(
  db: Db,
  shop: string,
  want: { model?: boolean; cohorts?: boolean; extras?: readonly K[] },
): Promise<AnalysisParts<K> | null> {
  const keys = (want.extras ?? []).filter((k) => /^\w+$/.test(k));
  const extras = keys.length
    ? Prisma.sql`CASE WHEN extras IS NULL THEN NULL ELSE jsonb_build_object(${Prisma.join(
        keys.map((k) => Prisma.sql`${k}::text, extras -> ${k}::text`),
      )}) END`
    : Prisma.sql`NULL::jsonb`;
  const rows = await db.$queryRaw<(Omit<AnalysisParts<K>, "date"> & { day: string })[]>(Prisma.sql`
    SELECT to_char(date, 'YYYY-MM-DD') AS day, "computedAt", customers, "repeatCustomers", "lowConfidence", "confidenceNotes",
           ${want.model ? Prisma.sql`model` : Prisma.sql`NULL::jsonb`} AS model,
           ${want.cohorts ? Prisma.sql`cohorts` : Prisma.sql`NULL::jsonb`} AS cohorts,
           ${extras} AS extras, jsonb_array_length(extras -> 'atRisk') AS "atRiskCount"
    FROM "AnalysisSnapshot" WHERE shop = ${shop} ORDER BY date DESC LIMIT 1`);
  if (!rows.length) return null;
  const { day, ...rest } = rows[0];
  return { ...rest, date: new Date(`${day}T00:00:00Z`) };
}

/** Dates of the shop's analyses from `since` on, ascending. */
export async function analysisDatesSince(db: Db, shop: string, since: Date) {
  const rows = await db.analysisSnapshot.findMany({ where: { shop, date: { gte: since } }, orderBy: { date: "asc" }, select: { date: true } });
  return rows.map((r) => r.date);
}

/** One range kind's KPI snapshots from `since` to `until` (both included), ascending by date. */
export async function kpiSnapshotsBetween(db: Db, shop: string, rangeKind: string, since: Date, until: Date) {
  return db.kpiSnapshot.findMany({
    where: { shop, date: { gte: since, lte: until }, rangeKind },
    orderBy: { date: "asc" },
    select: { date: true, rangeFrom: true, rangeTo: true, currency: true, current: true, previous: true },
  });
}

/** The KPI snapshot of one range kind on one date, or null. */
export async function kpiSnapshotOn(db: Db, shop: string, rangeKind: string, date: Date) {
  return db.kpiSnapshot.findUnique({
    where: { shop_date_rangeKind: { shop, date, rangeKind } },
    select: { date: true, rangeFrom: true, rangeTo: true, currency: true, current: true, previous: true },
  });
}

/** Segment snapshots from `since` to `until` (both included), ascending by date. */
export async function segmentSnapshotsBetween(db: Db, shop: string, since: Date, until: Date) {
  return db.segmentSnapshot.findMany({
    where: { shop, date: { gte: since, lte: until } },
    orderBy: [{ date: "asc" }, { id: "asc" }],
    select: { date: true, segment: true, customers: true, orders: true, revenue: true, currency: true },
  });
}

/** Moves between segments in [from, to), counted per (from, to). */
export async function segmentMoveCounts(db: Db, shop: string, from: Date, to: Date) {
  const rows = await db.segmentMove.groupBy({
    by: ["fromSegment", "toSegment"],
    where: { shop, movedAt: { gte: from, lt: to } },
    _count: { _all: true },
  });
  return rows.map((r) => ({ from: r.fromSegment, to: r.toSegment, customers: r._count._all }));
}

/** The latest moves in [from, to) from one of `fromSegments` to one of `toSegments`, newest first. */
export async function movesBetweenSegments(
  db: Db,
  shop: string,
  opts: { from: Date; to: Date; fromSegments: string[]; toSegments: string[]; take: number },
) {
  return db.segmentMove.findMany({
    where: { shop, movedAt: { gte: opts.from, lt: opts.to }, fromSegment: { in: opts.fromSegments }, toSegment: { in: opts.toSegments } },
    orderBy: [{ movedAt: "desc" }, { id: "desc" }],
    take: opts.take,
    select: { customerId: true, fromSegment: true, toSegment: true, movedAt: true },
  });
}

/** Customers by internal id: Shopify id, names and the current metrics. */
export async function customersWithMetrics(db: Db, shop: string, ids: readonly number[]) {
  if (!ids.length) return [];
  return db.customer.findMany({
    where: { shop, id: { in: [...ids] } },
    select: {
      id: true,
      shopifyId: true,
      profile: { select: { firstName: true, lastName: true, email: true } },
      metrics: { select: { segment: true, pAlive: true, monetary: true, predictedClv12m: true, frequency: true, lastOrderAt: true } },
    },
  });
}

/**
 * One page of a segment's customers for the CSV export, by ascending customer id after `afterId`
 * (keyset pagination: each page is a range read, whatever the segment's size).
 */
export async function segmentCustomersPage(db: Db, shop: string, segment: string, afterId: number, take: number) {
  return db.customerMetrics.findMany({
    where: { shop, segment, customerId: { gt: afterId } },
    orderBy: { customerId: "asc" },
    take,
    select: {
      customerId: true,
      recencyDays: true,
      frequency: true,
      monetary: true,
      rScore: true,
      fScore: true,
      mScore: true,
      pAlive: true,
      predictedClv12m: true,
      expectedNextOrderAt: true,
      firstOrderAt: true,
      lastOrderAt: true,
      customer: { select: { shopifyId: true, profile: { select: { email: true, firstName: true, lastName: true } } } },
    },
  });
}
