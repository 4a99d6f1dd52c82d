// Storefront recommendations, the pure part (docs/metrics.md "Recommendations"): strategies,
// trending, personal scores with learned repurchase intervals, one rule per RFM segment,
// eligibility, diversity and pins. The item-to-item model itself is recommendationsModel.ts.
// Nothing here reads a clock: `now` is passed in.

export type Placement = "product" | "cart" | "home" | "collection";
export type StrategyChoice = "automatic" | "bought_together" | "for_you" | "trending";
export type ServedStrategy = "bought_together" | "cart_complements" | "for_you" | "segment" | "trending";

export const PLACEMENTS: readonly Placement[] = ["product", "cart", "home", "collection"];
export const STRATEGY_CHOICES: readonly StrategyChoice[] = ["automatic", "bought_together", "for_you", "trending"];

const DAY_MS = 86_400_000;

/** Trending: sales of the last TRENDING_WINDOW_DAYS, each line weighted by 2^(−age / half-life). */
export const TRENDING_WINDOW_DAYS = 14;
export const TRENDING_HALF_LIFE_DAYS = 7;
/** Personal history: a purchase's weight halves every PERSONAL_HALF_LIFE_DAYS. */
export const PERSONAL_HALF_LIFE_DAYS = 90;
/** A product bought in the last RECENT_PURCHASE_DAYS is not recommended again (unless due, see repurchase). */
export const RECENT_PURCHASE_DAYS = 90;
/** A product type is "bought again and again" with at least this many repeat gaps observed… */
export const REPURCHASE_MIN_GAPS = 5;
/** …and at least this share of its buyers buying it on two different days or more. */
export const REPURCHASE_MIN_SHARE = 0.2;
/** A repurchasable product is due again from this fraction of its type's median interval. */
export const REPURCHASE_DUE_FRACTION = 0.8;
/** New arrivals: published (or created) within this many days. */
export const NEW_ARRIVAL_DAYS = 30;

/**
 * What "automatic" means, and what each explicit choice serves. Product page: bought together;
 * cart: complements of the cart; elsewhere personal for a known customer, else trending.
 */
export function resolveStrategy(
  choice: StrategyChoice,
  placement: Placement,
  context: { productId: string | null; cartSize: number; customerId: string | null },
): "bought_together" | "cart_complements" | "for_you" | "trending" {
  if (choice === "trending") return "trending";
  if (choice === "for_you") return context.customerId ? "for_you" : "trending";
  if (choice === "bought_together") {
    if (context.productId) return "bought_together";
    return context.cartSize > 0 ? "cart_complements" : "trending";
  }
  if (placement === "product" && context.productId) return "bought_together";
  if (placement === "cart" && context.cartSize > 0) return "cart_complements";
  return context.customerId ? "for_you" : "trending";
}

// ---------------------------------------------------------------------------------------
// Trending

export interface SaleLine {
  productId: string;
  quantity: number;
  at: Date;
}

/**
 * Time-decayed sales velocity: Σ quantity · 2^(−age_days / half-life) over the lines of the last
 * `windowDays` (lines after `now` ignored). Sorted best first, ties by product id.
 */
export function trendingScores(
  lines: Iterable<SaleLine>,
  now: Date,
  windowDays = TRENDING_WINDOW_DAYS,
  halfLifeDays = TRENDING_HALF_LIFE_DAYS,
): { id: string; score: number }[] {
  const nowMs = now.getTime();
  const from = nowMs - windowDays * DAY_MS;
  const scores = new Map<string, number>();
  for (const l of lines) {
    const t = l.at.getTime();
    if (t > nowMs || t < from || l.quantity <= 0) continue;
    const w = l.quantity * Math.pow(2, -(nowMs - t) / DAY_MS / halfLifeDays);
    scores.set(l.productId, (scores.get(l.productId) ?? 0) + w);
  }
  return [...scores].map(([id, score]) => ({ id, score })).sort((a, b) => b.score - a.score || compareIds(a.id, b.id));
}

/** Numeric ids in numeric order, others after in text order. */
export function compareIds(a: string, b: string): number {
  return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
}

// ---------------------------------------------------------------------------------------
// Repurchase intervals

export interface TypedPurchase {
  customerKey: string;
  productType: string | null;
  at: Date;
}

/**
 * Learned repurchase interval per product type: the median gap in days between a customer's
 * consecutive purchase days of that type, kept only for types with at least `minGaps` gaps and
 * at least `minShare` of their buyers buying on two days or more.
 */
export function repurchaseIntervals(
  purchases: Iterable<TypedPurchase>,
  minGaps = REPURCHASE_MIN_GAPS,
  minShare = REPURCHASE_MIN_SHARE,
): Map<string, number> {
  const days = new Map<string, Map<string, Set<number>>>();
  for (const p of purchases) {
    if (!p.productType) continue;
    let byCustomer = days.get(p.productType);
    if (!byCustomer) days.set(p.productType, (byCustomer = new Map()));
    let set = byCustomer.get(p.customerKey);
    if (!set) byCustomer.set(p.customerKey, (set = new Set()));
    set.add(Math.floor(p.at.getTime() / DAY_MS));
  }
  const out = new Map<string, number>();
  for (const [type, byCustomer] of days) {
    const gaps: number[] = [];
    let repeaters = 0;
    for (const set of byCustomer.values()) {
      const sorted = [...set].sort((a, b) => a - b);
      if (sorted.length > 1) repeaters++;
      for (let i = 1; i < sorted.length; i++) gaps.push(sorted[i] - sorted[i - 1]);
    }
    if (gaps.length < minGaps || repeaters / byCustomer.size < minShare) continue;
    gaps.sort((a, b) => a - b);
    const mid = gaps.length >> 1;
    out.set(type, gaps.length % 2 ? gaps[mid] : (gaps[mid - 1] + gaps[mid]) / 2);
  }
  return out;
}

// ---------------------------------------------------------------------------------------
// Personal

export interface HistoryLine {
  productId: string;
  productType: string | null;
  quantity: number;
  /** Unit price paid, in shop currency. */
  price: number;
  at: Date;
}

export interface PersonalContext {
  /** Weighted query for the item-to-item model: product id → weight 2^(−age / half-life). */
  query: Map<string, number>;
  /** Bought within RECENT_PURCHASE_DAYS and not due again: never recommended. */
  blocked: Set<string>;
  /** Repurchasable products whose interval has (almost) elapsed: recommended first. */
  due: string[];
  /** Product types by spend, most first. */
  favouriteTypes: string[];
  /** Mean unit price paid. */
  meanPrice: number;
  /** Products of the customer's first order day. */
  firstOrder: string[];
}

export function personalContext(
  history: readonly HistoryLine[],
  now: Date,
  intervals: ReadonlyMap<string, number>,
  halfLifeDays = PERSONAL_HALF_LIFE_DAYS,
): PersonalContext {
  const nowMs = now.getTime();
  const query = new Map<string, number>();
  const last = new Map<string, { at: number; type: string | null }>();
  const spend = new Map<string, number>();
  let priceSum = 0;
  let units = 0;
  let firstDay = Infinity;
  for (const h of history) {
    const t = h.at.getTime();
    if (t > nowMs) continue;
    query.set(h.productId, (query.get(h.productId) ?? 0) + Math.pow(2, -(nowMs - t) / DAY_MS / halfLifeDays));
    const prev = last.get(h.productId);
    if (!prev || prev.at < t) last.set(h.productId, { at: t, type: h.productType });
    if (h.productType) spend.set(h.productType, (spend.get(h.productType) ?? 0) + h.price * h.quantity);
    priceSum += h.price * h.quantity;
    units += h.quantity;
    firstDay = Math.min(firstDay, Math.floor(t / DAY_MS));
  }
  const blocked = new Set<string>();
  const due: { id: string; overdue: number }[] = [];
  for (const [id, { at, type }] of last) {
    const ageDays = (nowMs - at) / DAY_MS;
    const interval = type ? intervals.get(type) : undefined;
    if (interval !== undefined) {
      if (ageDays >= REPURCHASE_DUE_FRACTION * interval) due.push({ id, overdue: ageDays / interval });
      else blocked.add(id);
    } else if (ageDays < RECENT_PURCHASE_DAYS) blocked.add(id);
  }
  due.sort((a, b) => b.overdue - a.overdue || compareIds(a.id, b.id));
  const firstOrder = [...new Set(history.filter((h) => Math.floor(h.at.getTime() / DAY_MS) === firstDay).map((h) => h.productId))];
  return {
    query,
    blocked,
    due: due.map((d) => d.id),
    favouriteTypes: [...spend].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([type]) => type),
    meanPrice: units > 0 ? priceSum / units : 0,
    firstOrder,
  };
}

// ---------------------------------------------------------------------------------------
// Segment rules

/**
 * One rule per RFM segment (keys of domain/rfm.ts), applied to the "for you" list:
 * - new_arrivals_premium (champions): new arrivals of their favourite types first, then their
 *   personal list with items priced at or above their mean paid price first.
 * - favourite_best_sellers (at_risk, cant_lose_them, hibernating): best sellers of their top 3
 *   product types (by their spend), then their personal list.
 * - second_purchase (new_customers, promising): what is bought together with their first order.
 * - favourite_trending (need_attention, about_to_sleep): trending items of their favourite
 *   types first, then their personal list.
 * - best_sellers (lost): the shop's best sellers (a lapsed taste is a weak signal).
 * - personal (loyal_customers, potential_loyalist, others, unknown): the personal list as is.
 */
export type SegmentRuleKind =
  "new_arrivals_premium" | "favourite_best_sellers" | "second_purchase" | "favourite_trending" | "best_sellers" | "personal";

export const SEGMENT_RECOMMENDATION_RULES: Readonly<Record<string, SegmentRuleKind>> = {
  champions: "new_arrivals_premium",
  at_risk: "favourite_best_sellers",
  cant_lose_them: "favourite_best_sellers",
  hibernating: "favourite_best_sellers",
  new_customers: "second_purchase",
  promising: "second_purchase",
  need_attention: "favourite_trending",
  about_to_sleep: "favourite_trending",
  lost: "best_sellers",
  loyal_customers: "personal",
  potential_loyalist: "personal",
  others: "personal",
};

export function segmentRuleOf(segment: string | null): SegmentRuleKind {
  return (segment && SEGMENT_RECOMMENDATION_RULES[segment]) || "personal";
}

export interface SegmentInputs {
  rule: SegmentRuleKind;
  /** The personal list (item-to-item from the weighted history), best first. */
  personal: readonly string[];
  /** Item-to-item from the first order only, best first. */
  secondPurchase: readonly string[];
  /** Best sellers (training-period counts), best first. */
  bestSellers: readonly string[];
  trending: readonly string[];
  /** New arrivals, newest first. */
  newArrivals: readonly string[];
  typeOf: (id: string) => string | null;
  priceOf: (id: string) => number | null;
  context: Pick<PersonalContext, "favouriteTypes" | "meanPrice">;
}

/** The ranked list of a segment's rule (unique ids; eligibility comes later). */
export function segmentList(input: SegmentInputs): string[] {
  const favourites = new Set(input.context.favouriteTypes.slice(0, 3));
  const ofFavourites = (ids: readonly string[]) => ids.filter((id) => favourites.has(input.typeOf(id) ?? ""));
  switch (input.rule) {
    case "new_arrivals_premium": {
      const arrivals = [...ofFavourites(input.newArrivals), ...input.newArrivals];
      const premium = input.personal.filter((id) => (input.priceOf(id) ?? 0) >= input.context.meanPrice);
      return unique([...arrivals, ...premium, ...input.personal]);
    }
    case "favourite_best_sellers":
      return unique([...ofFavourites(input.bestSellers), ...input.personal]);
    case "second_purchase":
      return unique([...input.secondPurchase, ...input.personal]);
    case "favourite_trending":
      return unique([...ofFavourites(input.trending), ...input.personal]);
    case "best_sellers":
      return unique([...input.bestSellers]);
    case "personal":
      return unique([...input.personal]);
  }
}

export function unique(ids: Iterable<string>): string[] {
  return [...new Set(ids)];
}

// ---------------------------------------------------------------------------------------
// Eligibility, diversity, pins

export interface EligibilityProduct {
  id: string;
  status: string;
  publishedAt: Date | null;
  available: boolean;
  /** Lowest variant price; null when unknown. */
  price: number | null;
  giftCard: boolean;
  productType: string | null;
  tags: readonly string[];
}

export interface EligibilityRules {
  currentProductId: string | null;
  cartProductIds: ReadonlySet<string>;
  excludedProductIds: ReadonlySet<string>;
  /** Lower-case tags. */
  excludedTags: ReadonlySet<string>;
  /** Products the customer must not see again (bought recently). */
  blocked?: ReadonlySet<string>;
}

/** Why a product is not shown; null when it can be. */
export function ineligibility(p: EligibilityProduct, rules: EligibilityRules, now: Date): string | null {
  if (p.status !== "active") return "not_active";
  if (!p.publishedAt || p.publishedAt.getTime() > now.getTime()) return "not_published";
  if (!p.available) return "unavailable";
  if (p.price === null || !(p.price > 0)) return "no_price";
  if (p.giftCard) return "gift_card";
  if (p.id === rules.currentProductId) return "current_product";
  if (rules.cartProductIds.has(p.id)) return "in_cart";
  if (rules.excludedProductIds.has(p.id)) return "excluded_product";
  if (p.tags.some((t) => rules.excludedTags.has(t.toLowerCase()))) return "excluded_tag";
  if (rules.blocked?.has(p.id)) return "bought_recently";
  return null;
}

/**
 * At most `maxPerType` products of one product type among the first `k` (products without a
 * type count as one type each). When the ranked list cannot fill `k` that way, the skipped
 * products fill the rest in rank order: a short list is worse than a repeated type.
 */
export function diversify<T>(ranked: readonly T[], typeOf: (item: T) => string | null, maxPerType: number, k: number): T[] {
  const out: T[] = [];
  const skipped: T[] = [];
  const perType = new Map<string, number>();
  for (const item of ranked) {
    if (out.length === k) break;
    const type = typeOf(item);
    const n = type === null ? 0 : (perType.get(type) ?? 0);
    if (type !== null && n >= maxPerType) {
      skipped.push(item);
      continue;
    }
    if (type !== null) perType.set(type, n + 1);
    out.push(item);
  }
  for (const item of skipped) {
    if (out.length === k) break;
    out.push(item);
  }
  return out;
}

/** Pinned ids first (in the merchant's order), then the ranked ids; no duplicates. */
export function withPins(pins: readonly string[], ranked: readonly string[]): string[] {
  return unique([...pins, ...ranked]);
}

/**
 * The final list: pins first (eligible ones, always kept), then the ranked candidates,
 * eligible only, diversified, `limit` long at most.
 */
export function finalList<P extends EligibilityProduct>(
  candidates: readonly string[],
  products: ReadonlyMap<string, P>,
  options: { pins: readonly string[]; rules: EligibilityRules; maxPerType: number; limit: number; now: Date },
): P[] {
  const eligible = (id: string) => {
    const p = products.get(id);
    return p && ineligibility(p, options.rules, options.now) === null ? p : null;
  };
  const pinned = unique(options.pins)
    .map(eligible)
    .filter((p): p is P => p !== null)
    .slice(0, options.limit);
  const pinnedIds = new Set(pinned.map((p) => p.id));
  const rest = unique(candidates)
    .filter((id) => !pinnedIds.has(id))
    .map(eligible)
    .filter((p): p is P => p !== null);
  return [...pinned, ...diversify(rest, (p) => p.productType, options.maxPerType, options.limit - pinned.length)];
}
