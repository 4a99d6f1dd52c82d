// The NPS survey's rules (ADR 012, docs/metrics.md "NPS"): accepting answers from the storefront
// and from signed order e-mail links, the server-side throttling, detractor follow-up, the
// per-shop survey key and its Liquid snippet, and the reads of the admin page.
//
// Identity: the storefront caller passes the customer id it got from Shopify's signed proxy
// parameters (`logged_in_customer_id`), never one from the request body; the e-mail link's
// customer is the one its signature covers. Opt-outs are decided by the caller (the shopper's
// preferences) and passed in: an opted-out shopper's answer is refused and nothing is stored.
import {
  canAnswer,
  canMoveFollowUp,
  clvBandOf,
  CLV_BANDS,
  detractorValue,
  FOLLOW_UP_NOTE_MAX,
  isFollowUpStatus,
  monthlyTrend,
  npsGroup,
  shouldAsk,
  summarizeBy,
  summarizeDistribution,
  summarizeScores,
  surveySettingsFrom,
  validateAnswer,
  EMPTY_SURVEY_STATE,
  type AnswerFilter,
  type AnswerProblem,
  type SurveyAudience,
  type SurveyRefusal,
  inAudience,
  NO_SEGMENT,
  type FollowUpStatus,
  type SurveySettings,
} from "~/domain/nps";
import { comparisonRanges, daySpan } from "~/domain/ranges";
import { DEFAULT_SEGMENT_RULES, OTHERS_KEY } from "~/domain/rfm";
import { dayLabel, daysFromCivil, startOfDayNumber, zonedCalendar } from "~/domain/time";
import { newSurveySecret, signSurveyLink, surveyLinkSnippet, verifySurveyLink, type SurveyLinkParams } from "~/lib/npsLink.server";
import { prisma } from "~/lib/db.server";
import { inTransaction, type Db, type DbClient } from "~/lib/transaction.server";
import { findAnalyticsShop } from "~/models/analyticsShop.server";
import {
  answersForAnalysis,
  claimAnswerSlot,
  countCustomerOrders,
  countFollowUps,
  createFollowUp,
  customerIdByShopifyId,
  customerIdsByShopifyIds,
  ensureSurveyKey,
  findFollowUp,
  findOrderAnswer,
  findSurveyKey,
  findSurveySettings,
  findSurveyState,
  insertFollowUps,
  insertNpsResponse,
  insertNpsResponses,
  listAnswers,
  listFollowUps,
  npsDistributions,
  orderCustomer,
  orderNames,
  predictedClvQuartiles,
  replaceSurveyKey,
  updateFollowUp,
  upsertSurveyState,
} from "~/models/nps.server";
import { UnknownShopError } from "./dataHealth.server";

const DAY_MS = 86_400_000;

export type NpsErrorCode = "invalid" | "opted_out" | "throttled" | "already_answered" | "forged_link" | "not_found" | "bad_transition";

/** A refusal with a stable code (routes map it to 400 / 403 / 409 / 404). Nothing was stored. */
export class NpsError extends Error {
  constructor(
    public readonly code: NpsErrorCode,
    public readonly reason: AnswerProblem | string,
    public readonly retryAt?: Date,
  ) {
    super(`${code}: ${reason}`);
  }
}

/** The throttling key of a shopper: their Shopify customer id, or an anonymous visitor key. */
export function subjectKey(who: { customerShopifyId: string | null; anonymousKey?: string | null }): string | null {
  if (who.customerShopifyId) return `customer:${who.customerShopifyId}`;
  if (who.anonymousKey && /^[A-Za-z0-9_-]{8,64}$/.test(who.anonymousKey)) return `anonymous:${who.anonymousKey}`;
  return null;
}

async function surveySettings(db: Db, shop: string): Promise<SurveySettings> {
  const row = await findSurveySettings(db, shop);
  if (!row) throw new UnknownShopError(shop);
  return surveySettingsFrom(row.raw);
}

function isUniqueViolation(error: unknown): boolean {
  return typeof error === "object" && error !== null && (error as { code?: unknown }).code === "P2002";
}

export interface StorefrontAnswerInput {
  /** From the signed proxy parameters only; null = anonymous. */
  customerShopifyId: string | null;
  /** An anonymous visitor's key (only once consent allows one), for throttling. */
  anonymousKey?: string | null;
  /** The parsed JSON body: { score, comment, page }. Any customer id in it is ignored. */
  body: unknown;
  /** The shopper opted out of surveys (their stored preference). */
  optedOut: boolean;
  locale?: string | null;
  now?: Date;
}

/** Stores a storefront answer; NpsError (nothing stored) when invalid, opted out or throttled. */
export async function submitStorefrontAnswer(prisma: DbClient, shop: string, input: StorefrontAnswerInput) {
  const now = input.now ?? new Date();
  const body = input.body && typeof input.body === "object" && !Array.isArray(input.body) ? (input.body as Record<string, unknown>) : null;
  if (!body) throw new NpsError("invalid", "body_not_object");
  const valid = validateAnswer(body);
  if (!valid.ok) throw new NpsError("invalid", valid.problem);
  if (input.optedOut) throw new NpsError("opted_out", "surveys_opted_out");
  const key = subjectKey(input);
  return inTransaction(prisma, async (tx) => {
    const settings = await surveySettings(tx, shop);
    if (key) {
      const state = (await findSurveyState(tx, shop, key)) ?? EMPTY_SURVEY_STATE;
      const verdict = canAnswer({ now, settings, state, optedOut: false });
      if (!verdict.ok) throw new NpsError("throttled", verdict.reason, verdict.retryAt);
      // The atomic check: a concurrent answer that got there first wins.
      if (!(await claimAnswerSlot(tx, shop, key, now, new Date(now.getTime() - settings.reaskDays * DAY_MS)))) {
        throw new NpsError("throttled", "answered_recently");
      }
    }
    const customerId = input.customerShopifyId ? await customerIdByShopifyId(tx, shop, input.customerShopifyId) : null;
    const id = await insertNpsResponse(tx, shop, {
      customerId,
      customerShopifyId: input.customerShopifyId,
      orderShopifyId: null,
      score: valid.answer.score,
      comment: valid.answer.comment,
      page: valid.answer.page,
      source: "storefront",
      locale: input.locale ?? null,
      createdAt: now,
    });
    if (npsGroup(valid.answer.score) === "detractor") await createFollowUp(tx, shop, id, now);
    return { id, group: npsGroup(valid.answer.score) };
  });
}

/** The order and customer of a valid e-mail survey link; NpsError forged_link otherwise. */
export async function verifyEmailLink(prisma: DbClient, shop: string, params: SurveyLinkParams) {
  const key = await findSurveyKey(prisma, shop);
  const link = key ? verifySurveyLink(key.secret, params) : null;
  if (!link) throw new NpsError("forged_link", "bad_signature");
  const [answered, names] = await Promise.all([findOrderAnswer(prisma, shop, link.orderId), orderNames(prisma, shop, [link.orderId])]);
  return { ...link, answered: answered !== null, orderName: names.get(link.orderId) ?? null };
}

/**
 * Stores the answer of an order e-mail link: signature checked, one answer per order (a second
 * one, even racing, is refused by the unique index). The link's customer is the identity.
 */
export async function submitEmailAnswer(
  prisma: DbClient,
  shop: string,
  input: { link: SurveyLinkParams; body: unknown; optedOut: boolean; locale?: string | null; now?: Date },
) {
  const now = input.now ?? new Date();
  const key = await findSurveyKey(prisma, shop);
  const link = key ? verifySurveyLink(key.secret, input.link) : null;
  if (!link) throw new NpsError("forged_link", "bad_signature");
  const body = input.body && typeof input.body === "object" && !Array.isArray(input.body) ? (input.body as Record<string, unknown>) : null;
  if (!body) throw new NpsError("invalid", "body_not_object");
  const valid = validateAnswer({ score: body.score, comment: body.comment, page: null });
  if (!valid.ok) throw new NpsError("invalid", valid.problem);
  if (input.optedOut) throw new NpsError("opted_out", "surveys_opted_out");
  try {
    return await inTransaction(prisma, async (tx) => {
      if (await findOrderAnswer(tx, shop, link.orderId)) throw new NpsError("already_answered", "order_answered");
      const order = await orderCustomer(tx, shop, link.orderId);
      const customerShopifyId = link.customerId ?? order?.customerShopifyId ?? null;
      const customerId = order?.customerId ?? (customerShopifyId ? await customerIdByShopifyId(tx, shop, customerShopifyId) : null);
      const id = await insertNpsResponse(tx, shop, {
        customerId,
        customerShopifyId,
        orderShopifyId: link.orderId,
        score: valid.answer.score,
        comment: valid.answer.comment,
        page: null,
        source: "email",
        locale: input.locale ?? null,
        createdAt: now,
      });
      if (npsGroup(valid.answer.score) === "detractor") await createFollowUp(tx, shop, id, now);
      // The storefront will not ask this customer again inside the re-ask window.
      if (customerShopifyId) await upsertSurveyState(tx, shop, `customer:${customerShopifyId}`, { lastAnsweredAt: now });
      return { id, group: npsGroup(valid.answer.score), orderId: link.orderId };
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw new NpsError("already_answered", "order_answered");
    throw error;
  }
}

/** Whether the storefront widget may show the survey now (and records the showing when it may). */
export async function surveyDecision(
  prisma: DbClient,
  shop: string,
  input: {
    customerShopifyId: string | null;
    anonymousKey?: string | null;
    optedOut: boolean;
    page: string | null;
    visitId: string | null;
    /** The merchant's choice in the widget's settings (default: customers with an order). */
    audience?: SurveyAudience;
    now?: Date;
  },
) {
  const now = input.now ?? new Date();
  const key = subjectKey(input);
  return inTransaction(prisma, async (tx): Promise<{ ask: true } | { ask: false; reason: SurveyRefusal }> => {
    const settings = await surveySettings(tx, shop);
    if (input.optedOut) return { ask: false, reason: "opted_out" };
    const orders = input.customerShopifyId ? await countCustomerOrders(tx, shop, input.customerShopifyId) : 0;
    if (!inAudience(input.audience ?? "customers_with_orders", { customerShopifyId: input.customerShopifyId, orders })) {
      return { ask: false, reason: "audience" };
    }
    const state = key ? ((await findSurveyState(tx, shop, key)) ?? EMPTY_SURVEY_STATE) : EMPTY_SURVEY_STATE;
    const decision = shouldAsk({ now, settings, state, optedOut: input.optedOut, page: input.page, visitId: input.visitId });
    if (decision.ask && key) await upsertSurveyState(tx, shop, key, { lastShownAt: now, lastShownVisit: input.visitId });
    return decision;
  });
}

/** "Not now": the survey stays hidden for the snooze days. */
export async function dismissSurvey(
  prisma: DbClient,
  shop: string,
  who: { customerShopifyId: string | null; anonymousKey?: string | null },
  now = new Date(),
) {
  const key = subjectKey(who);
  if (!key) return false;
  await upsertSurveyState(prisma, shop, key, { lastDismissedAt: now });
  return true;
}

// ---------------------------------------------------------------------------------------
// Follow-up

/** Moves a follow-up forward (open → contacted → resolved) with an optional note. */
export async function moveFollowUp(prisma: DbClient, shop: string, id: number, change: { to: unknown; note?: unknown }, now = new Date()) {
  if (!isFollowUpStatus(change.to)) throw new NpsError("invalid", "status_invalid");
  const to: FollowUpStatus = change.to;
  if (change.note !== undefined && change.note !== null && typeof change.note !== "string") throw new NpsError("invalid", "note_not_text");
  const note = typeof change.note === "string" ? change.note.trim() : "";
  if ([...note].length > FOLLOW_UP_NOTE_MAX) throw new NpsError("invalid", "note_too_long");
  return inTransaction(prisma, async (tx) => {
    const current = await findFollowUp(tx, shop, id);
    if (!current) throw new NpsError("not_found", "follow_up_not_found");
    if (!isFollowUpStatus(current.status) || !canMoveFollowUp(current.status, to)) throw new NpsError("bad_transition", `${current.status}_to_${to}`);
    await updateFollowUp(tx, shop, id, {
      status: to,
      note: note || current.note,
      ...(to === "contacted" ? { contactedAt: now } : {}),
      ...(to === "resolved" ? { resolvedAt: now, contactedAt: current.contactedAt ?? null } : {}),
    });
    return { id, from: current.status as FollowUpStatus, to, at: now };
  });
}

// ---------------------------------------------------------------------------------------
// Survey key and snippet

/** The shop's survey key (created on first use) and the Liquid snippet that uses it. */
export async function getSurveyLink(prisma: DbClient, shop: string, linkText: string) {
  const key = (await findSurveyKey(prisma, shop)) ?? (await ensureSurveyKey(prisma, shop, newSurveySecret()));
  return { createdAt: key.createdAt.toISOString(), snippet: surveyLinkSnippet(key.secret, linkText) };
}

/**
 * The query of the survey link an order e-mail carries (what the snippet renders for this order
 * and customer): for the demo storefront's account page, which stands in for the e-mail.
 */
export async function surveyLinkQuery(prisma: DbClient, shop: string, orderId: string, customerId: string | null): Promise<string> {
  const key = (await findSurveyKey(prisma, shop)) ?? (await ensureSurveyKey(prisma, shop, newSurveySecret()));
  return new URLSearchParams({ order: orderId, customer: customerId ?? "", sig: signSurveyLink(key.secret, orderId, customerId) }).toString();
}

/** A new key: links already sent stop working (for a leaked key). */
export async function rotateSurveyKey(prisma: DbClient, shop: string) {
  await replaceSurveyKey(prisma, shop, newSurveySecret());
}

// ---------------------------------------------------------------------------------------
// The admin page

const GROUP_SCORES: Record<AnswerFilter, [number, number]> = { all: [0, 10], promoter: [9, 10], passive: [7, 8], detractor: [0, 6] };

export interface NpsPageQuery {
  /** Inclusive local days; default: the last 90 days ending today. */
  from?: string;
  to?: string;
  filter?: AnswerFilter;
  search?: string | null;
  page?: number;
  /** Which follow-ups to list (default: the open ones). */
  followUps?: FollowUpStatus;
  now?: Date;
}

/** Follow-ups listed per status: the newest ones; the counts say how many there are in all. */
export const FOLLOW_UPS_SHOWN = 20;

export const ANSWERS_PER_PAGE = 25;

/** Everything /app/nps shows, already aggregated. */
export async function getNpsOverview(prisma: DbClient, shop: string, query: NpsPageQuery = {}) {
  const now = query.now ?? new Date();
  const shopRow = await findAnalyticsShop(prisma, shop);
  if (!shopRow) throw new UnknownShopError(shop);
  const { timeZone, currency } = shopRow;
  const cal = zonedCalendar(timeZone);
  const today = cal.dayNumber(now.getTime());
  const to = query.to ?? dayLabel(today);
  const from = query.from ?? dayLabel(today - 89);
  const span = daySpan(from, to);
  const { windows, previous } = comparisonRanges(span, timeZone);

  // Trend: the 12 calendar months ending with the period's last month.
  const lastMonthStart = cal.monthNumber(windows.current.to.getTime() - 1);
  const trendFromMonth = lastMonthStart - 11;
  const trendFrom = startOfDayNumber(daysFromCivil(Math.floor(trendFromMonth / 12), (trendFromMonth % 12) + 1, 1), timeZone);

  const [answers, trendAnswers, [prevDist], quartiles, followUpCounts, followUps] = await Promise.all([
    answersForAnalysis(prisma, shop, windows.current),
    answersForAnalysis(prisma, shop, { from: trendFrom, to: windows.current.to }),
    npsDistributions(prisma, shop, { now, windows: [windows.previous] }),
    predictedClvQuartiles(prisma, shop),
    countFollowUps(prisma, shop),
    listFollowUps(prisma, shop, { status: query.followUps ?? "open", limit: FOLLOW_UPS_SHOWN }),
  ]);
  const current = summarizeScores(answers.map((a) => a.score));
  const prior = summarizeDistribution(prevDist);
  const segmentOrder = [...DEFAULT_SEGMENT_RULES.map((r) => r.key), OTHERS_KEY, NO_SEGMENT];
  const bySegment = summarizeBy(
    answers.map((a) => ({ score: a.score, key: a.segment ?? NO_SEGMENT })),
    segmentOrder,
  ).filter((s) => s.summary.answers > 0);
  const byClvBand = summarizeBy(
    answers.map((a) => ({ score: a.score, key: clvBandOf(a.predictedClv12m, quartiles) })),
    CLV_BANDS,
  );
  const atStake = detractorValue(
    answers.map((a) => ({ score: a.score, customerId: a.customerId, revenue: a.monetary, predictedClv12m: a.predictedClv12m })),
  );
  const trend = monthlyTrend(
    trendAnswers.map((a) => ({ score: a.score, at: a.createdAt })),
    { from: trendFrom, to: windows.current.to },
    timeZone,
  );

  const filter: AnswerFilter = query.filter && query.filter in GROUP_SCORES ? query.filter : "all";
  const pageNo = Math.max(1, Math.floor(query.page ?? 1));
  const [minScore, maxScore] = GROUP_SCORES[filter];
  const search = query.search?.trim().slice(0, 200) || null;
  const list = await listAnswers(prisma, shop, {
    from: windows.current.from,
    to: windows.current.to,
    minScore,
    maxScore,
    search,
    take: ANSWERS_PER_PAGE,
    skip: (pageNo - 1) * ANSWERS_PER_PAGE,
  });
  const names = await orderNames(prisma, shop, [
    ...new Set([...list.rows, ...followUps.map((f) => f.response)].map((r) => r.orderShopifyId).filter((id): id is string => id !== null)),
  ]);
  const answerRow = (r: (typeof list.rows)[number]) => ({
    id: r.id,
    score: r.score,
    group: npsGroup(r.score),
    comment: r.comment,
    page: r.page,
    source: r.source,
    createdAt: r.createdAt.toISOString(),
    customerId: r.customerId,
    // The customer profile page is keyed by the Shopify id; the name when the profile has one.
    customerShopifyId: r.customerShopifyId,
    customerName: [r.customer?.profile?.firstName, r.customer?.profile?.lastName].filter(Boolean).join(" ") || null,
    orderShopifyId: r.orderShopifyId,
    orderName: r.orderShopifyId ? (names.get(r.orderShopifyId) ?? null) : null,
    redacted: r.redactedAt !== null,
  });

  return {
    shop,
    timeZone,
    currency,
    period: { from, to, previousFrom: dayLabel(previous.first), previousTo: dayLabel(previous.last) },
    current,
    previous: prior,
    bySegment: bySegment.map((s) => ({ segment: s.key, ...s.summary })),
    byClvBand: byClvBand.map((s) => ({ band: s.key, ...s.summary })),
    clvQuartiles: quartiles,
    atStake,
    trend: trend.map((m) => ({ month: m.month, answers: m.summary.answers, nps: m.summary.nps, interval: m.summary.interval })),
    answers: { filter, search, page: pageNo, perPage: ANSWERS_PER_PAGE, total: list.total, rows: list.rows.map(answerRow) },
    followUps: {
      status: query.followUps ?? "open",
      shown: FOLLOW_UPS_SHOWN,
      counts: { open: followUpCounts.open ?? 0, contacted: followUpCounts.contacted ?? 0, resolved: followUpCounts.resolved ?? 0 },
      items: followUps.map((f) => ({
        id: f.id,
        status: f.status as FollowUpStatus,
        note: f.note,
        createdAt: f.createdAt.toISOString(),
        contactedAt: f.contactedAt?.toISOString() ?? null,
        resolvedAt: f.resolvedAt?.toISOString() ?? null,
        answer: answerRow(f.response),
      })),
    },
  };
}

export type NpsOverview = Awaited<ReturnType<typeof getNpsOverview>>;

/**
 * Stores answers and follow-ups given as data (the demo shop's history): customers linked by
 * Shopify id, each customer's throttling state set to their last answer.
 */
export async function importNpsHistory(
  db: Db,
  shop: string,
  answers: readonly {
    customerShopifyId: string | null;
    orderShopifyId: string | null;
    score: number;
    comment: string | null;
    page: string | null;
    source: "storefront" | "email";
    locale: string | null;
    createdAt: Date;
  }[],
  followUps: readonly { answer: number; status: FollowUpStatus; note: string | null; contactedAt: Date | null; resolvedAt: Date | null }[],
) {
  const ids = await customerIdsByShopifyIds(
    db,
    shop,
    answers.map((a) => a.customerShopifyId).filter((id): id is string => id !== null),
  );
  const rows = await insertNpsResponses(
    db,
    shop,
    answers.map((a) => ({ ...a, customerId: a.customerShopifyId ? (ids.get(a.customerShopifyId) ?? null) : null })),
  );
  await insertFollowUps(
    db,
    shop,
    followUps.map((f) => ({
      responseId: rows[f.answer].id,
      status: f.status,
      note: f.note,
      contactedAt: f.contactedAt,
      resolvedAt: f.resolvedAt,
      createdAt: answers[f.answer].createdAt,
    })),
  );
  const last = new Map<string, Date>();
  for (const a of answers) if (a.customerShopifyId) last.set(a.customerShopifyId, a.createdAt);
  for (const [id, at] of last) await upsertSurveyState(db, shop, `customer:${id}`, { lastAnsweredAt: at });
  return { answers: rows.length, followUps: followUps.length };
}

// ---------------------------------------------------------------------------------------
// Entry points of the admin route (the process database).

/** /app/nps: the overview and the survey link snippet. */
export async function loadNpsPage(shop: string, query: NpsPageQuery, linkText: string) {
  const db = prisma();
  const [overview, link] = await Promise.all([getNpsOverview(db, shop, query), getSurveyLink(db, shop, linkText)]);
  return { ...overview, surveyLink: link };
}

export function moveFollowUpOfShop(shop: string, id: number, change: { to: unknown; note?: unknown }) {
  return moveFollowUp(prisma(), shop, id, change);
}
