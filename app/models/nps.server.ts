// NPS rows: answers, detractor follow-ups, the throttling state and the per-shop survey key.
// Every query is keyed by shop and served by an index of the schema: NpsResponse (shop,
// createdAt), (shop, customerShopifyId), (shop, orderShopifyId) unique; NpsFollowUp (shop,
// status, createdAt); NpsSurveyState (shop, subjectKey) unique; NpsSurveyKey by shop.
import type { Prisma } from "@prisma/client";
import { escapeLike } from "~/lib/likePattern";
import type { Db } from "~/lib/transaction.server";
import type { Window } from "~/models/analytics.server";

export interface NewNpsResponse {
  customerId: number | null;
  customerShopifyId: string | null;
  orderShopifyId: string | null;
  score: number;
  comment: string | null;
  page: string | null;
  source: "storefront" | "email";
  locale: string | null;
  createdAt: Date;
}

/** Inserts one answer; throws Prisma's P2002 when the order already has one. */
export async function insertNpsResponse(db: Db, shop: string, row: NewNpsResponse): Promise<number> {
  const created = await db.npsResponse.create({ data: { shop, ...row }, select: { id: true } });
  return created.id;
}

/** Many answers at once (demo seeding); returns their ids, scores and dates in input order. */
export async function insertNpsResponses(db: Db, shop: string, rows: readonly NewNpsResponse[]) {
  if (!rows.length) return [];
  return db.npsResponse.createManyAndReturn({
    data: rows.map((r) => ({ shop, ...r })),
    select: { id: true, score: true, createdAt: true },
  });
}

export async function insertFollowUps(
  db: Db,
  shop: string,
  rows: readonly { responseId: number; status: string; note: string | null; contactedAt: Date | null; resolvedAt: Date | null; createdAt: Date }[],
) {
  if (!rows.length) return;
  await db.npsFollowUp.createMany({ data: rows.map((r) => ({ shop, ...r })) });
}

export function findOrderAnswer(db: Db, shop: string, orderShopifyId: string) {
  return db.npsResponse.findUnique({ where: { shop_orderShopifyId: { shop, orderShopifyId } }, select: { id: true } });
}

/** The internal id of a synced customer, or null. */
export async function customerIdByShopifyId(db: Db, shop: string, shopifyId: string): Promise<number | null> {
  const row = await db.customer.findUnique({ where: { shop_shopifyId: { shop, shopifyId } }, select: { id: true } });
  return row?.id ?? null;
}

/** The order's internal customer, by the order's Shopify id (null when unknown or a guest's). */
export async function orderCustomer(db: Db, shop: string, orderShopifyId: string) {
  return db.order.findUnique({
    where: { shop_shopifyId: { shop, shopifyId: orderShopifyId } },
    select: { id: true, name: true, customerId: true, customerShopifyId: true },
  });
}

// ---------------------------------------------------------------------------------------
// Throttling state

export function findSurveyState(db: Db, shop: string, subjectKey: string) {
  return db.npsSurveyState.findUnique({ where: { shop_subjectKey: { shop, subjectKey } } });
}

export async function upsertSurveyState(
  db: Db,
  shop: string,
  subjectKey: string,
  patch: { lastAnsweredAt?: Date; lastDismissedAt?: Date; lastShownAt?: Date; lastShownVisit?: string | null },
) {
  await db.npsSurveyState.upsert({
    where: { shop_subjectKey: { shop, subjectKey } },
    create: { shop, subjectKey, ...patch },
    update: patch,
  });
}

/**
 * Records an answer in the shopper's throttling state only if they did not answer after
 * `notAnsweredSince`: one conditional UPDATE, so two answers racing cannot both pass (the second
 * waits for the first's row lock, then re-checks the condition). False = throttled.
 */
export async function claimAnswerSlot(db: Db, shop: string, subjectKey: string, now: Date, notAnsweredSince: Date): Promise<boolean> {
  await db.npsSurveyState.upsert({ where: { shop_subjectKey: { shop, subjectKey } }, create: { shop, subjectKey }, update: {} });
  const { count } = await db.npsSurveyState.updateMany({
    where: { shop, subjectKey, OR: [{ lastAnsweredAt: null }, { lastAnsweredAt: { lte: notAnsweredSince } }] },
    data: { lastAnsweredAt: now },
  });
  return count === 1;
}

export async function deleteSurveyStates(db: Db, shop: string, subjectKeys: readonly string[]) {
  if (!subjectKeys.length) return 0;
  const { count } = await db.npsSurveyState.deleteMany({ where: { shop, subjectKey: { in: [...subjectKeys] } } });
  return count;
}

// ---------------------------------------------------------------------------------------
// Survey key

export function findSurveyKey(db: Db, shop: string) {
  return db.npsSurveyKey.findUnique({ where: { shop } });
}

/** Creates the key once; an existing key is kept (two requests racing get the same key). */
export async function ensureSurveyKey(db: Db, shop: string, secret: string) {
  return db.npsSurveyKey.upsert({ where: { shop }, create: { shop, secret }, update: {} });
}

export async function replaceSurveyKey(db: Db, shop: string, secret: string) {
  return db.npsSurveyKey.upsert({ where: { shop }, create: { shop, secret }, update: { secret, createdAt: new Date() } });
}

// ---------------------------------------------------------------------------------------
// Follow-ups

export function findFollowUp(db: Db, shop: string, id: number) {
  return db.npsFollowUp.findFirst({ where: { shop, id } });
}

export async function updateFollowUp(
  db: Db,
  shop: string,
  id: number,
  data: { status: string; note: string | null; contactedAt?: Date | null; resolvedAt?: Date | null },
) {
  const { count } = await db.npsFollowUp.updateMany({ where: { shop, id }, data });
  return count;
}

export async function createFollowUp(db: Db, shop: string, responseId: number, now: Date) {
  await db.npsFollowUp.create({ data: { shop, responseId, status: "open", createdAt: now } });
}

const answerSelect = {
  id: true,
  score: true,
  comment: true,
  page: true,
  source: true,
  locale: true,
  createdAt: true,
  redactedAt: true,
  customerId: true,
  customerShopifyId: true,
  orderShopifyId: true,
  customer: { select: { profile: { select: { firstName: true, lastName: true } } } },
  followUp: { select: { id: true, status: true, note: true, contactedAt: true, resolvedAt: true, createdAt: true, updatedAt: true } },
} satisfies Prisma.NpsResponseSelect;

/** The newest `limit` follow-ups with one status. */
export function listFollowUps(db: Db, shop: string, opts: { status: string; limit: number }) {
  return db.npsFollowUp.findMany({
    where: { shop, status: opts.status },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: opts.limit,
    select: { id: true, status: true, note: true, contactedAt: true, resolvedAt: true, createdAt: true, response: { select: answerSelect } },
  });
}

export async function countFollowUps(db: Db, shop: string) {
  const rows = await db.npsFollowUp.groupBy({ by: ["status"], where: { shop }, _count: { _all: true } });
  return Object.fromEntries(rows.map((r) => [r.status, r._count._all])) as Record<string, number>;
}

// ---------------------------------------------------------------------------------------
// Reads for the admin and the KPIs

/** Answers in [from, to), newest first, filtered by score range and comment text. */
export async function listAnswers(
  db: Db,
  shop: string,
  opts: { from: Date; to: Date; minScore: number; maxScore: number; search: string | null; take: number; skip: number },
) {
  const where: Prisma.NpsResponseWhereInput = {
    shop,
    createdAt: { gte: opts.from, lt: opts.to },
    score: { gte: opts.minScore, lte: opts.maxScore },
    ...(opts.search ? { comment: { contains: escapeLike(opts.search), mode: "insensitive" as const } } : {}),
  };
  const [rows, total] = await Promise.all([
    db.npsResponse.findMany({ where, orderBy: [{ createdAt: "desc" }, { id: "desc" }], take: opts.take, skip: opts.skip, select: answerSelect }),
    db.npsResponse.count({ where }),
  ]);
  return { rows, total };
}

/** Order names of answers' orders (for display), by Shopify id. */
export async function orderNames(db: Db, shop: string, orderShopifyIds: readonly string[]) {
  if (!orderShopifyIds.length) return new Map<string, string>();
  const rows = await db.order.findMany({ where: { shop, shopifyId: { in: [...orderShopifyIds] } }, select: { shopifyId: true, name: true } });
  return new Map(rows.map((r) => [r.shopifyId, r.name]));
}

export interface AnswerForAnalysis {
  score: number;
  createdAt: Date;
  customerId: number | null;
  segment: string | null;
  monetary: number | null;
  predictedClv12m: number | null;
}

/**
 * Answers in [from, to) oldest first, with the answering customer's current RFM segment, net
 * revenue and predicted 12-month CLV from the latest analysis (CustomerMetrics).
 */
export async function answersForAnalysis(db: Db, shop: string, window: Window): Promise<AnswerForAnalysis[]> {
  const rows = await db.$queryRawUnsafe<
    { score: number; createdAt: Date; customerId: number | null; segment: string | null; monetary: string | null; clv: string | null }[]
  >(
    `SELECT r.score, r."createdAt", r."customerId", m.segment, m.monetary::text AS monetary, m."predictedClv12m"::text AS clv
     FROM "NpsResponse" r LEFT JOIN "CustomerMetrics" m ON m."customerId" = r."customerId" AND m.shop = r.shop
     WHERE r.shop = $1 AND r."createdAt" >= $2::timestamp AND r."createdAt" < $3::timestamp
     ORDER BY r."createdAt", r.id`,
    shop,
    window.from.toISOString(),
    window.to.toISOString(),
  );
  return rows.map((r) => ({
    score: Number(r.score),
    createdAt: new Date(r.createdAt),
    customerId: r.customerId === null ? null : Number(r.customerId),
    segment: r.segment,
    monetary: r.monetary === null ? null : Number(r.monetary),
    predictedClv12m: r.clv === null ? null : Number(r.clv),
  }));
}

/** Quartiles (R type 7 = percentile_cont) of the shop's predicted 12-month CLVs; null when none. */
export async function predictedClvQuartiles(db: Db, shop: string) {
  const [row] = await db.$queryRawUnsafe<{ q1: number | null; q2: number | null; q3: number | null }[]>(
    `SELECT percentile_cont(0.25) WITHIN GROUP (ORDER BY "predictedClv12m")::float8 AS q1,
            percentile_cont(0.5) WITHIN GROUP (ORDER BY "predictedClv12m")::float8 AS q2,
            percentile_cont(0.75) WITHIN GROUP (ORDER BY "predictedClv12m")::float8 AS q3
     FROM "CustomerMetrics" WHERE shop = $1 AND "predictedClv12m" IS NOT NULL`,
    shop,
  );
  return row && row.q1 !== null && row.q2 !== null && row.q3 !== null ? { q1: Number(row.q1), q2: Number(row.q2), q3: Number(row.q3) } : null;
}

/** Answer counts per score (index = score) for each window, answers given before `now` only. */
export async function npsDistributions(db: Db, shop: string, opts: { now: Date; windows: readonly Window[] }): Promise<number[][]> {
  if (!opts.windows.length) return [];
  const params: string[] = [];
  const cols = opts.windows.map((w, i) => {
    params.push(w.from.toISOString(), w.to.toISOString());
    return `COUNT(*) FILTER (WHERE "createdAt" >= $${3 + 2 * i}::timestamp AND "createdAt" < $${4 + 2 * i}::timestamp)::int AS w${i}`;
  });
  const rows = await db.$queryRawUnsafe<Record<string, number>[]>(
    `SELECT score, ${cols.join(", ")} FROM "NpsResponse" WHERE shop = $1 AND "createdAt" < $2::timestamp GROUP BY score`,
    shop,
    opts.now.toISOString(),
    ...params,
  );
  return opts.windows.map((_, i) => {
    const dist = new Array<number>(11).fill(0);
    for (const r of rows) dist[Number(r.score)] += Number(r[`w${i}`]);
    return dist;
  });
}

/** The first and last answer instants of the shop (null when none). */
export async function answerSpan(db: Db, shop: string) {
  const r = await db.npsResponse.aggregate({ where: { shop }, _min: { createdAt: true }, _max: { createdAt: true }, _count: { _all: true } });
  return { first: r._min.createdAt, last: r._max.createdAt, count: r._count._all };
}

// ---------------------------------------------------------------------------------------
// Privacy

export interface NpsSubject {
  customerIds: readonly number[];
  customerShopifyIds: readonly string[];
  orderShopifyIds: readonly string[];
}

function subjectWhere(shop: string, s: NpsSubject): Prisma.NpsResponseWhereInput {
  return {
    shop,
    OR: [
      { customerId: { in: [...s.customerIds] } },
      { customerShopifyId: { in: [...s.customerShopifyIds] } },
      { orderShopifyId: { in: [...s.orderShopifyIds] } },
    ],
  };
}

/** The answers of a customer (or of the given orders), with their follow-ups, for a data request. */
export function npsAnswersOf(db: Db, shop: string, s: NpsSubject) {
  return db.npsResponse.findMany({ where: subjectWhere(shop, s), orderBy: { createdAt: "asc" }, select: answerSelect });
}

/**
 * Erases the personal part of the subject's answers: comment, page, locale, the links to the
 * customer and the order, and the follow-up notes. Score, source and date stay (anonymous).
 */
export async function redactNpsAnswers(db: Db, shop: string, s: NpsSubject, now: Date) {
  const ids = (await db.npsResponse.findMany({ where: subjectWhere(shop, s), select: { id: true } })).map((r) => r.id);
  if (!ids.length) return 0;
  await db.npsFollowUp.updateMany({ where: { shop, responseId: { in: ids } }, data: { note: null } });
  await db.npsResponse.updateMany({
    where: { shop, id: { in: ids } },
    data: { comment: null, page: null, locale: null, customerId: null, customerShopifyId: null, orderShopifyId: null, redactedAt: now },
  });
  return ids.length;
}

/** The shop's stored survey settings (Shop.settings.nps), raw; null for an unknown shop. */
export async function findSurveySettings(db: Db, shop: string): Promise<{ raw: unknown } | null> {
  const row = await db.shop.findUnique({ where: { domain: shop }, select: { settings: true } });
  if (!row) return null;
  const settings = row.settings && typeof row.settings === "object" ? (row.settings as Record<string, unknown>) : {};
  return { raw: settings.nps ?? null };
}

/** Internal ids of synced customers by Shopify id (unknown ids absent). */
export async function customerIdsByShopifyIds(db: Db, shop: string, shopifyIds: readonly string[]): Promise<Map<string, number>> {
  if (!shopifyIds.length) return new Map();
  const rows = await db.customer.findMany({ where: { shop, shopifyId: { in: [...new Set(shopifyIds)] } }, select: { id: true, shopifyId: true } });
  return new Map(rows.map((r) => [r.shopifyId, r.id]));
}

/** Counted orders (not cancelled, not test) of a customer by Shopify id. */
export async function countCustomerOrders(db: Db, shop: string, customerShopifyId: string): Promise<number> {
  return db.order.count({ where: { shop, customerShopifyId, cancelledAt: null, test: false } });
}
