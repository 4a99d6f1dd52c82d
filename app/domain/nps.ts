// Net Promoter Score: groups, the score with its 95 % confidence interval, the 0–10
// distribution, breakdowns (RFM segment, predicted-CLV band, month) and the survey's throttling
// rules. Pure: answers and `now` are passed in; words live in the translation files.
//
// Definitions (docs/metrics.md, "NPS"):
// - promoters answer 9–10, passives 7–8, detractors 0–6;
// - NPS = % promoters − % detractors, from −100 to +100; null with no answers;
// - 95 % interval: the NPS is the mean of a variable worth +1 (promoter), 0 (passive) or
//   −1 (detractor). For a multinomial with shares p (promoters) and d (detractors), its
//   variance is E[X²] − E[X]² = p + d − (p − d)², so var(NPS) = (p + d − (p − d)²) / n (Wald).
//   The plain Wald interval collapses to a single point when every answer is alike (n = 3, all
//   10 → 100 ± 0) and misbehaves for small n, so Rapport reports the *adjusted* Wald interval
//   (Rocks 2016, "Interval estimation for the Net Promoter Score", The American Statistician
//   70(4)): add 3/4 of an answer to promoters and to detractors and 3 to n, then apply the same
//   formula. With hundreds of answers it is the Wald interval to a fraction of a point.
//   Bounds are clipped to [−100, 100].
import { quantileType7 } from "./stats";
import { zonedCalendar, monthLabel } from "./time";

export const NPS_SCORES = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10] as const;
export type NpsGroup = "promoter" | "passive" | "detractor";
export const NPS_GROUPS: readonly NpsGroup[] = ["promoter", "passive", "detractor"];

/** 1.96: the normal quantile of a two-sided 95 % interval. */
export const Z_95 = 1.959963984540054;
/** Below this many answers the page warns that the interval is wide. */
export const NPS_LOW_SAMPLE = 30;
/** Longest comment accepted, in characters (Unicode code points). */
export const NPS_COMMENT_MAX = 2000;
/** Longest page path stored with an answer. */
export const NPS_PAGE_MAX = 512;

export function isNpsScore(value: unknown): value is number {
  return typeof value === "number" && Number.isInteger(value) && value >= 0 && value <= 10;
}

export function npsGroup(score: number): NpsGroup {
  if (!isNpsScore(score)) throw new RangeError(`NPS score ${String(score)} is not an integer 0–10`);
  return score >= 9 ? "promoter" : score >= 7 ? "passive" : "detractor";
}

export interface NpsInterval {
  low: number;
  high: number;
}

export interface NpsSummary {
  answers: number;
  promoters: number;
  passives: number;
  detractors: number;
  /** Percentages of the answers (0–100), null with no answers. */
  promoterShare: number | null;
  passiveShare: number | null;
  detractorShare: number | null;
  /** −100..100, null with no answers. */
  nps: number | null;
  /** Adjusted Wald 95 % interval, null with no answers. */
  interval: NpsInterval | null;
  /** Answers per score 0..10 (index = score). */
  distribution: number[];
  /** Fewer than NPS_LOW_SAMPLE answers: read the interval, not the point. */
  lowSample: boolean;
}

const clip = (x: number) => Math.max(-100, Math.min(100, x));

/** Plain Wald 95 % interval from counts (points); null when n = 0. */
export function waldInterval(promoters: number, detractors: number, n: number, z = Z_95): NpsInterval | null {
  if (n <= 0) return null;
  const p = promoters / n;
  const d = detractors / n;
  const half = z * Math.sqrt(Math.max(0, p + d - (p - d) ** 2) / n);
  return { low: clip((p - d - half) * 100), high: clip((p - d + half) * 100) };
}

/** Adjusted Wald 95 % interval (¾ answer added to promoters and detractors, 3 to n); null when n = 0. */
export function adjustedWaldInterval(promoters: number, detractors: number, n: number, z = Z_95): NpsInterval | null {
  if (n <= 0) return null;
  return waldInterval(promoters + 0.75, detractors + 0.75, n + 3, z);
}

/** Summary of answer counts per score (index = score, 11 entries). */
export function summarizeDistribution(distribution: ArrayLike<number>): NpsSummary {
  if (distribution.length !== 11) throw new RangeError(`an NPS distribution has 11 scores, not ${distribution.length}`);
  const dist = Array.from(distribution, (c, score) => {
    if (!Number.isInteger(c) || c < 0) throw new RangeError(`count ${c} of score ${score} is not a whole number ≥ 0`);
    return c;
  });
  let promoters = 0;
  let passives = 0;
  let detractors = 0;
  dist.forEach((c, score) => {
    if (score >= 9) promoters += c;
    else if (score >= 7) passives += c;
    else detractors += c;
  });
  const n = promoters + passives + detractors;
  const share = (k: number) => (n === 0 ? null : (k / n) * 100);
  return {
    answers: n,
    promoters,
    passives,
    detractors,
    promoterShare: share(promoters),
    passiveShare: share(passives),
    detractorShare: share(detractors),
    nps: n === 0 ? null : ((promoters - detractors) / n) * 100,
    interval: adjustedWaldInterval(promoters, detractors, n),
    distribution: dist,
    lowSample: n < NPS_LOW_SAMPLE,
  };
}

export function emptyDistribution(): number[] {
  return new Array<number>(11).fill(0);
}

/** Summary of individual scores. */
export function summarizeScores(scores: Iterable<number>): NpsSummary {
  const dist = emptyDistribution();
  for (const s of scores) {
    npsGroup(s); // validates
    dist[s]++;
  }
  return summarizeDistribution(dist);
}

/** Summary per key (segment, CLV band, month…), keys in first-seen order unless `order` is given. */
export function summarizeBy<K extends string>(answers: Iterable<{ score: number; key: K }>, order?: readonly K[]): { key: K; summary: NpsSummary }[] {
  const dists = new Map<K, number[]>();
  for (const k of order ?? []) dists.set(k, emptyDistribution());
  for (const { score, key } of answers) {
    npsGroup(score);
    let d = dists.get(key);
    if (!d) dists.set(key, (d = emptyDistribution()));
    d[score]++;
  }
  return [...dists].map(([key, d]) => ({ key, summary: summarizeDistribution(d) }));
}

/** The breakdown's key for answers without a segment (anonymous, or not analysed yet). */
export const NO_SEGMENT = "none";

/** Filter of the answers list. */
export type AnswerFilter = "all" | NpsGroup;

// ---------------------------------------------------------------------------------------
// Predicted-CLV bands: quartiles of the shop's predicted 12-month CLV over all its customers.

export type ClvBand = "top" | "upper" | "lower" | "bottom" | "none";
export const CLV_BANDS: readonly ClvBand[] = ["top", "upper", "lower", "bottom", "none"];

export interface ClvBandEdges {
  /** 25th, 50th and 75th percentiles (R type 7) of the predicted CLVs. */
  q1: number;
  q2: number;
  q3: number;
}

/** Quartile edges of the customers' predicted CLVs (nulls ignored); null when none is known. */
export function clvBandEdges(values: Iterable<number | null>): ClvBandEdges | null {
  const known = [...values].filter((v): v is number => v !== null && Number.isFinite(v)).sort((a, b) => a - b);
  if (!known.length) return null;
  return { q1: quantileType7(known, 0.25), q2: quantileType7(known, 0.5), q3: quantileType7(known, 0.75) };
}

/** top = the highest quarter (≥ q3), upper = [q2, q3), lower = [q1, q2), bottom = below q1; none = no prediction. */
export function clvBandOf(value: number | null, edges: ClvBandEdges | null): ClvBand {
  if (value === null || !Number.isFinite(value) || !edges) return "none";
  if (value >= edges.q3) return "top";
  if (value >= edges.q2) return "upper";
  if (value >= edges.q1) return "lower";
  return "bottom";
}

// ---------------------------------------------------------------------------------------
// Value at stake: what the detractors are worth.

export interface AnswerValue {
  score: number;
  /** Internal customer id; null for anonymous answers. */
  customerId: number | null;
  /** The customer's net revenue to date and predicted 12-month CLV (shop currency, major units). */
  revenue: number | null;
  predictedClv12m: number | null;
}

export interface ValueAtStake {
  /** Distinct identified customers whose latest answer in the period is a detractor's. */
  customers: number;
  revenue: number;
  predictedClv12m: number;
}

/**
 * Revenue and predicted CLV of the customers whose latest answer (input order: oldest first) is
 * a detractor's; each customer counted once. Sums in minor-unit precision (×10⁴) to stay exact.
 */
export function detractorValue(answers: readonly AnswerValue[]): ValueAtStake {
  const latest = new Map<number, AnswerValue>();
  for (const a of answers) if (a.customerId !== null) latest.set(a.customerId, a);
  let customers = 0;
  let revenue = 0;
  let clv = 0;
  for (const a of latest.values()) {
    if (npsGroup(a.score) !== "detractor") continue;
    customers++;
    revenue += Math.round((a.revenue ?? 0) * 1e4);
    clv += Math.round((a.predictedClv12m ?? 0) * 1e4);
  }
  return { customers, revenue: revenue / 1e4, predictedClv12m: clv / 1e4 };
}

// ---------------------------------------------------------------------------------------
// Monthly trend: answers grouped by the calendar month of the shop's time zone.

/** One entry per month from `from` to `to` (inclusive instants' months), empty months included. */
export function monthlyTrend(answers: Iterable<{ score: number; at: Date }>, range: { from: Date; to: Date }, timeZone: string) {
  const cal = zonedCalendar(timeZone);
  const first = cal.monthNumber(range.from.getTime());
  const last = cal.monthNumber(range.to.getTime() - 1);
  const dists: number[][] = [];
  for (let m = first; m <= last; m++) dists.push(emptyDistribution());
  for (const { score, at } of answers) {
    npsGroup(score);
    const m = cal.monthNumber(at.getTime());
    if (m >= first && m <= last) dists[m - first][score]++;
  }
  return dists.map((d, i) => ({ month: monthLabel(first + i), summary: summarizeDistribution(d) }));
}

// ---------------------------------------------------------------------------------------
// Validation of an answer (storefront JSON or e-mail link form).

export type AnswerProblem = "score_missing" | "score_invalid" | "comment_not_text" | "comment_too_long" | "page_not_text" | "page_too_long";

export interface ValidAnswer {
  score: number;
  /** Trimmed; null when empty. */
  comment: string | null;
  page: string | null;
}

/** Validates a submitted answer; the problems are stable codes (the API returns them). */
export function validateAnswer(input: {
  score?: unknown;
  comment?: unknown;
  page?: unknown;
}): { ok: true; answer: ValidAnswer } | { ok: false; problem: AnswerProblem } {
  if (input.score === undefined || input.score === null || input.score === "") return { ok: false, problem: "score_missing" };
  // A form posts text: "7" is accepted, "7.5", "07x" and 11 are not.
  const score = typeof input.score === "string" && /^\d{1,2}$/.test(input.score) ? Number(input.score) : input.score;
  if (!isNpsScore(score)) return { ok: false, problem: "score_invalid" };
  if (input.comment !== undefined && input.comment !== null && typeof input.comment !== "string") return { ok: false, problem: "comment_not_text" };
  const comment = typeof input.comment === "string" ? input.comment.trim() : "";
  if ([...comment].length > NPS_COMMENT_MAX) return { ok: false, problem: "comment_too_long" };
  if (input.page !== undefined && input.page !== null && typeof input.page !== "string") return { ok: false, problem: "page_not_text" };
  const page = typeof input.page === "string" ? input.page.trim() : "";
  if ([...page].length > NPS_PAGE_MAX) return { ok: false, problem: "page_too_long" };
  return { ok: true, answer: { score, comment: comment || null, page: page || null } };
}

// ---------------------------------------------------------------------------------------
// Throttling: who is asked, and when an answer is accepted. The server enforces these rules
// (the widget only follows them), from the state it keeps per customer or anonymous visitor.

export interface SurveySettings {
  /** A shopper who answered is not asked again for this many days (default 90). */
  reaskDays: number;
  /** "Not now" hides the survey for this many days (default 7). */
  snoozeDays: number;
}

export const DEFAULT_SURVEY_SETTINGS: SurveySettings = { reaskDays: 90, snoozeDays: 7 };

const DAY_MS = 86_400_000;
/**
 * A visit ends after 30 minutes without the survey being offered (the usual web-analytics
 * session): "once per visit" is kept on the server, so the storefront needs no cookie for it.
 */
export const VISIT_GAP_MS = 30 * 60_000;

/** Settings from the shop's stored JSON: whole days, re-ask 1–730, snooze 1–90; anything else → default. */
export function surveySettingsFrom(raw: unknown): SurveySettings {
  const obj = raw && typeof raw === "object" ? (raw as Record<string, unknown>) : {};
  const pick = (v: unknown, min: number, max: number, fallback: number) =>
    typeof v === "number" && Number.isInteger(v) && v >= min && v <= max ? v : fallback;
  return {
    reaskDays: pick(obj.reaskDays, 1, 730, DEFAULT_SURVEY_SETTINGS.reaskDays),
    snoozeDays: pick(obj.snoozeDays, 1, 90, DEFAULT_SURVEY_SETTINGS.snoozeDays),
  };
}

/** What the server remembers about one shopper (a customer, or an anonymous visitor's key). */
export interface SurveyState {
  lastAnsweredAt: Date | null;
  lastDismissedAt: Date | null;
  /** The visit in which the survey was last shown, and when. */
  lastShownVisit: string | null;
  lastShownAt: Date | null;
}

export const EMPTY_SURVEY_STATE: SurveyState = { lastAnsweredAt: null, lastDismissedAt: null, lastShownVisit: null, lastShownAt: null };

export type SurveyRefusal = "opted_out" | "answered_recently" | "snoozed" | "shown_this_visit" | "checkout_page" | "audience";

/** Who is asked: logged-in customers with at least one order (default), or every visitor. */
export type SurveyAudience = "customers_with_orders" | "everyone";

/** Whether the shopper is in the audience the merchant chose. */
export function inAudience(audience: SurveyAudience, shopper: { customerShopifyId: string | null; orders: number }): boolean {
  return audience === "everyone" || (shopper.customerShopifyId !== null && shopper.orders > 0);
}

/** Cart and checkout pages: the shopper is paying, never interrupt. */
export function isCheckoutPage(page: string | null | undefined): boolean {
  if (!page) return false;
  const path = page.split(/[?#]/)[0].toLowerCase().replace(/\/+$/, "");
  // Localised storefronts prefix paths with a locale: /fr/cart, /en-ca/checkouts/…
  return /(^|\/)(cart|checkout|checkouts)(\/|$)/.test(path.replace(/^\/[a-z]{2}(-[a-z]{2})?(?=\/)/, ""));
}

/** The next instant the shopper may be asked (null: now). */
export function nextAskAt(state: SurveyState, settings: SurveySettings): Date | null {
  const times = [
    state.lastAnsweredAt ? state.lastAnsweredAt.getTime() + settings.reaskDays * DAY_MS : -Infinity,
    state.lastDismissedAt ? state.lastDismissedAt.getTime() + settings.snoozeDays * DAY_MS : -Infinity,
  ];
  const t = Math.max(...times);
  return t === -Infinity ? null : new Date(t);
}

/** Whether to show the survey now; the first rule that refuses is the reason. */
export function shouldAsk(input: {
  now: Date;
  settings: SurveySettings;
  state: SurveyState;
  optedOut: boolean;
  page: string | null;
  visitId: string | null;
}): { ask: true } | { ask: false; reason: SurveyRefusal } {
  const { now, settings, state } = input;
  if (input.optedOut) return { ask: false, reason: "opted_out" };
  if (isCheckoutPage(input.page)) return { ask: false, reason: "checkout_page" };
  if (state.lastAnsweredAt && now.getTime() < state.lastAnsweredAt.getTime() + settings.reaskDays * DAY_MS) {
    return { ask: false, reason: "answered_recently" };
  }
  if (state.lastDismissedAt && now.getTime() < state.lastDismissedAt.getTime() + settings.snoozeDays * DAY_MS) {
    return { ask: false, reason: "snoozed" };
  }
  if (input.visitId && state.lastShownVisit === input.visitId) return { ask: false, reason: "shown_this_visit" };
  if (state.lastShownAt && now.getTime() - state.lastShownAt.getTime() < VISIT_GAP_MS) return { ask: false, reason: "shown_this_visit" };
  return { ask: true };
}

/**
 * Whether an answer is accepted now. "Not now" and the once-per-visit rule only decide when the
 * survey is shown: a shopper who chooses to answer may. A recent answer or an opt-out refuses.
 */
export function canAnswer(input: {
  now: Date;
  settings: SurveySettings;
  state: SurveyState;
  optedOut: boolean;
}): { ok: true } | { ok: false; reason: "opted_out" | "answered_recently"; retryAt?: Date } {
  if (input.optedOut) return { ok: false, reason: "opted_out" };
  const last = input.state.lastAnsweredAt;
  if (last) {
    const until = last.getTime() + input.settings.reaskDays * DAY_MS;
    if (input.now.getTime() < until) return { ok: false, reason: "answered_recently", retryAt: new Date(until) };
  }
  return { ok: true };
}

// ---------------------------------------------------------------------------------------
// Detractor follow-up: open → contacted → resolved (a step may be skipped, never undone).

export type FollowUpStatus = "open" | "contacted" | "resolved";
export const FOLLOW_UP_STATUSES: readonly FollowUpStatus[] = ["open", "contacted", "resolved"];

export function isFollowUpStatus(value: unknown): value is FollowUpStatus {
  return typeof value === "string" && (FOLLOW_UP_STATUSES as readonly string[]).includes(value);
}

/** Allowed moves: forward only (open → contacted, open → resolved, contacted → resolved). */
export function canMoveFollowUp(from: FollowUpStatus, to: FollowUpStatus): boolean {
  return FOLLOW_UP_STATUSES.indexOf(to) > FOLLOW_UP_STATUSES.indexOf(from);
}

/** Longest follow-up note, in characters. */
export const FOLLOW_UP_NOTE_MAX = 2000;
