// Storefront recommendations: training (after each full analysis run) and serving (the app
// proxy). Serving never trains: it reads the stored model (kept in memory per shop, keyed by
// trainedAt: one indexed read per request to check it), the products it may show, and for a
// logged-in customer their history and segment. Rules: docs/metrics.md "Recommendations";
// model choice: docs/decisions/008-recommendation-model.md.
import { currencyExponent } from "~/domain/money";
import {
  NEW_ARRIVAL_DAYS,
  TRENDING_WINDOW_DAYS,
  compareIds,
  finalList,
  personalContext,
  repurchaseIntervals,
  resolveStrategy,
  segmentList,
  segmentRuleOf,
  trendingScores,
  unique,
  type EligibilityProduct,
  type Placement,
  type ServedStrategy,
  type StrategyChoice,
} from "~/domain/recommendations";
import {
  DEFAULT_RECOMMENDATION_SETTINGS,
  parseRecommendationSettings,
  type RecommendationSettings,
  type SettingsError,
} from "~/domain/recommendationSettings";
import {
  DEFAULT_ITEM_MODEL_OPTIONS,
  decodeItemModel,
  encodeItemModel,
  popularItems,
  scoreQuery,
  scoreWeightedQuery,
  topItems,
  trainItemModel,
  type ItemModel,
  type ItemModelOptions,
} from "~/domain/recommendationsModel";
import { inTransaction, type Db, type DbClient } from "~/lib/transaction.server";
import {
  customerHistory,
  findCustomerSegment,
  findProductsByShopifyIds,
  findRecommendationModel,
  findRecommendationModelStamp,
  findShopSettings,
  newestProducts,
  productTypes,
  recentSales,
  saveRecommendationModel,
  saveShopSettingsKey,
  trainingBaskets,
  type RecommendableProduct,
} from "~/models/recommendation.server";
import { UnknownShopError } from "./dataHealth.server";

export type { Placement, ServedStrategy, StrategyChoice } from "~/domain/recommendations";
export type { RecommendationSettings } from "~/domain/recommendationSettings";

export interface RecommendationRequest {
  placement: Placement;
  /** "automatic": the merchant's strategy for the placement (itself "automatic" by default). */
  strategy: StrategyChoice;
  /** Numeric Shopify product id of the current product. */
  productId: string | null;
  /** Numeric Shopify product ids. */
  cartProductIds: string[];
  /** Numeric Shopify customer id, ONLY from the signed proxy parameters; null = anonymous or opted out. */
  customerId: string | null;
  /** 1..24 */
  limit: number;
  now: Date;
}

export interface RecommendedProduct {
  id: string;
  handle: string;
  title: string;
  url: string;
  price: string;
  compareAtPrice: string | null;
  currency: string;
  image: string | null;
  available: boolean;
  variantId: string | null;
  productType: string | null;
}

export interface RecommendationAnswer {
  strategy: ServedStrategy;
  products: RecommendedProduct[];
}

export const MODEL_VERSION = 1;
const SETTINGS_KEY = "recommendations";
const TRENDING_KEPT = 200;
const DAY_MS = 86_400_000;

interface ModelExtras {
  /** Trending product ids at training time, best first. */
  trending: string[];
  /** Product type of each model item (index as `items`). */
  types: (string | null)[];
  /** Learned repurchase interval in days, by product type. */
  intervals: Record<string, number>;
}

interface LoadedModel {
  trainedAt: number;
  ids: string[];
  index: Map<string, number>;
  model: ItemModel;
  extras: ModelExtras;
  popular: string[];
}

const cache = new Map<string, LoadedModel>();

// ---------------------------------------------------------------------------------------
// Settings

/** The shop's recommendation settings (defaults for anything unset or invalid in storage). */
export async function getRecommendationSettings(db: Db, shop: string): Promise<RecommendationSettings> {
  const row = await findShopSettings(db, shop);
  if (!row) throw new UnknownShopError(shop);
  return settingsOf(row.settings);
}

function settingsOf(json: unknown): RecommendationSettings {
  const raw = json && typeof json === "object" && !Array.isArray(json) ? (json as Record<string, unknown>)[SETTINGS_KEY] : undefined;
  const parsed = parseRecommendationSettings(raw);
  return parsed.ok ? parsed.settings : DEFAULT_RECOMMENDATION_SETTINGS;
}

/** Validates and stores the settings; nothing is stored when a field is invalid. */
export async function saveRecommendationSettings(
  db: DbClient,
  shop: string,
  input: unknown,
): Promise<{ ok: true; settings: RecommendationSettings } | { ok: false; errors: SettingsError[] }> {
  const parsed = parseRecommendationSettings(input);
  if (!parsed.ok) return parsed;
  const saved = await inTransaction(db, (tx) => saveShopSettingsKey(tx, shop, SETTINGS_KEY, { ...parsed.settings }));
  if (!saved) throw new UnknownShopError(shop);
  return parsed;
}

// ---------------------------------------------------------------------------------------
// Training

export interface TrainingSummary {
  orders: number;
  products: number;
  neighbours: number;
  trainMs: number;
  bytes: number;
}

export async function trainRecommendations(
  db: DbClient,
  shop: string,
  now: Date,
  options: ItemModelOptions = DEFAULT_ITEM_MODEL_OPTIONS,
): Promise<TrainingSummary> {
  const started = performance.now();
  const rows = await trainingBaskets(db, shop, now);
  const ids = unique(rows.flatMap((r) => r.products)).sort(compareIds);
  const index = new Map(ids.map((id, i) => [id, i]));
  const baskets = rows.map((r) => Int32Array.from(unique(r.products), (id) => index.get(id)!));
  const model = trainItemModel({ nItems: ids.length, baskets }, options);
  const types = await productTypes(db, shop);
  const sales = await recentSales(db, shop, new Date(now.getTime() - TRENDING_WINDOW_DAYS * DAY_MS), now);
  const trending = trendingScores(sales, now)
    .slice(0, TRENDING_KEPT)
    .map((t) => t.id);
  const intervals = repurchaseIntervals(
    rows.flatMap((r) =>
      r.customer ? r.products.map((p) => ({ customerKey: r.customer as string, productType: types.get(p) ?? null, at: r.at })) : [],
    ),
  );
  const extras: ModelExtras = { trending, types: ids.map((id) => types.get(id) ?? null), intervals: Object.fromEntries(intervals) };
  const data = encodeItemModel(model);
  const trainMs = Math.round(performance.now() - started);
  await saveRecommendationModel(db, shop, {
    version: MODEL_VERSION,
    trainedAt: now,
    orders: rows.length,
    items: ids,
    data,
    extras: { ...extras },
    trainMs,
  });
  cache.delete(shop);
  return { orders: rows.length, products: ids.length, neighbours: model.neighbour.length, trainMs, bytes: data.length };
}

async function loadModel(db: Db, shop: string): Promise<LoadedModel | null> {
  const stamp = await findRecommendationModelStamp(db, shop);
  if (!stamp) return null;
  const cached = cache.get(shop);
  if (cached && cached.trainedAt === stamp.getTime()) return cached;
  const row = await findRecommendationModel(db, shop);
  if (!row || row.version !== MODEL_VERSION) return null;
  const ids = row.items as string[];
  const model = decodeItemModel(row.data);
  const loaded: LoadedModel = {
    trainedAt: row.trainedAt.getTime(),
    ids,
    index: new Map(ids.map((id, i) => [id, i])),
    model,
    extras: row.extras as unknown as ModelExtras,
    popular: popularItems(model, 500).map((i) => ids[i]),
  };
  cache.set(shop, loaded);
  return loaded;
}

// ---------------------------------------------------------------------------------------
// Serving

function ranked(loaded: LoadedModel, scores: Float64Array, banned: Iterable<string>, k: number): string[] {
  const bannedIdx = new Set<number>();
  for (const id of banned) {
    const i = loaded.index.get(id);
    if (i !== undefined) bannedIdx.add(i);
  }
  // Only items the model scores (> 0); popularity fills later, after eligibility.
  return topItems(scores, new Float64Array(scores.length), k, bannedIdx).map((i) => loaded.ids[i]);
}

function itemToItem(loaded: LoadedModel, query: string[], k: number): string[] {
  const idx = query.map((id) => loaded.index.get(id)).filter((i): i is number => i !== undefined);
  if (!idx.length) return [];
  return ranked(loaded, scoreQuery(loaded.model, idx), query, k);
}

export async function recommend(db: DbClient, shop: string, request: RecommendationRequest): Promise<RecommendationAnswer> {
  const limit = Math.max(1, Math.min(24, Math.floor(request.limit) || 1));
  const now = request.now;
  const shopRow = await findShopSettings(db, shop);
  if (!shopRow) throw new UnknownShopError(shop);
  const settings = settingsOf(shopRow.settings);
  const choice = request.strategy === "automatic" ? settings.strategies[request.placement] : request.strategy;
  const cart = unique(request.cartProductIds);
  let strategy: ServedStrategy = resolveStrategy(choice, request.placement, {
    productId: request.productId,
    cartSize: cart.length,
    customerId: request.customerId,
  });
  const loaded = await loadModel(db, shop);
  const want = limit * 4 + 8;

  let candidates: string[] = [];
  let blocked = new Set<string>();
  if (loaded) {
    if (strategy === "bought_together") candidates = itemToItem(loaded, [request.productId as string, ...cart], want);
    else if (strategy === "cart_complements") candidates = itemToItem(loaded, cart, want);
    else if (strategy === "for_you") {
      const personal = await forYou(
        db,
        shop,
        loaded,
        request.customerId as string,
        [...cart, ...(request.productId ? [request.productId] : [])],
        now,
        want,
      );
      if (personal) {
        ({ candidates, blocked } = personal);
        strategy = personal.strategy;
      } else strategy = "trending";
    }
    candidates = [...candidates, ...loaded.extras.trending, ...loaded.popular];
  } else {
    // No model yet (new shop): trending from the last 14 days of orders.
    const sales = await recentSales(db, shop, new Date(now.getTime() - TRENDING_WINDOW_DAYS * DAY_MS), now);
    candidates = trendingScores(sales, now).map((t) => t.id);
    strategy = "trending";
  }
  if (strategy === "trending" && loaded) candidates = [...loaded.extras.trending, ...loaded.popular];

  const rules = {
    currentProductId: request.productId,
    cartProductIds: new Set(cart),
    excludedProductIds: new Set(settings.excludedProductIds),
    excludedTags: new Set(settings.excludedTags),
    blocked,
  };
  const pool = unique(candidates).slice(0, want + 200);
  const products = new Map<string, RecommendableProduct & EligibilityProduct>();
  for (const p of await findProductsByShopifyIds(db, shop, unique([...settings.pinnedProductIds, ...pool])))
    products.set(p.shopifyId, eligibilityView(p));
  const options = { pins: settings.pinnedProductIds, rules, maxPerType: settings.maxPerType, limit, now };
  let list = finalList(pool, products, options);
  if (list.length < limit) {
    // Too few from the model and sales (or a shop without orders): the newest products.
    for (const p of await newestProducts(db, shop, limit * 3 + settings.excludedProductIds.length))
      if (!products.has(p.shopifyId)) products.set(p.shopifyId, eligibilityView(p));
    const newest = [...products.values()]
      .filter((p) => !pool.includes(p.id))
      .sort(byNewest)
      .map((p) => p.id);
    list = finalList([...pool, ...newest], products, options);
  }
  const exponent = currencyExponent(shopRow.currency);
  return { strategy, products: list.map((p) => toAnswer(p, exponent)) };
}

function byNewest(a: RecommendableProduct, b: RecommendableProduct): number {
  return (b.shopifyCreatedAt?.getTime() ?? 0) - (a.shopifyCreatedAt?.getTime() ?? 0) || compareIds(b.shopifyId, a.shopifyId);
}

function eligibilityView(p: RecommendableProduct): RecommendableProduct & EligibilityProduct {
  return { ...p, id: p.shopifyId, price: p.priceMin === null ? null : p.priceMin.toNumber() };
}

function toAnswer(p: RecommendableProduct, exponent: number): RecommendedProduct {
  return {
    id: p.shopifyId,
    handle: p.handle,
    title: p.title,
    url: `/products/${encodeURIComponent(p.handle)}`,
    price: (p.priceMin ?? 0).toFixed(exponent),
    compareAtPrice: p.compareAtPriceMin === null ? null : p.compareAtPriceMin.toFixed(exponent),
    currency: p.currency,
    image: p.imageUrl,
    available: p.available,
    variantId: p.defaultVariantId,
    productType: p.productType,
  };
}

/** "For you", changed by the customer's segment rule; null when the customer has no history. */
async function forYou(
  db: Db,
  shop: string,
  loaded: LoadedModel,
  customerId: string,
  alsoExclude: string[],
  now: Date,
  want: number,
): Promise<{ candidates: string[]; blocked: Set<string>; strategy: ServedStrategy } | null> {
  const history = await customerHistory(db, shop, customerId, now);
  if (!history.length) return null;
  const intervals = new Map(Object.entries(loaded.extras.intervals));
  const ctx = personalContext(
    history.map((h) => ({ ...h, price: h.price.toNumber() })),
    now,
    intervals,
  );
  const query = new Map<number, number>();
  for (const [id, w] of ctx.query) {
    const i = loaded.index.get(id);
    if (i !== undefined) query.set(i, w);
  }
  const banned = [...ctx.query.keys(), ...alsoExclude];
  const personal = unique([...ctx.due, ...(query.size ? ranked(loaded, scoreWeightedQuery(loaded.model, query), banned, want) : [])]);
  const segment = await findCustomerSegment(db, shop, customerId);
  const rule = segmentRuleOf(segment);
  if (rule === "personal") return { candidates: personal, blocked: ctx.blocked, strategy: "for_you" };
  const typeOf = (id: string) => {
    const i = loaded.index.get(id);
    return i === undefined ? null : loaded.extras.types[i];
  };
  let newArrivals: string[] = [];
  const prices = new Map<string, number>();
  if (rule === "new_arrivals_premium") {
    const since = now.getTime() - NEW_ARRIVAL_DAYS * DAY_MS;
    newArrivals = (await newestProducts(db, shop, 50))
      .filter((p) => (p.publishedAt ?? p.shopifyCreatedAt ?? new Date(0)).getTime() >= since)
      .map((p) => p.shopifyId);
    for (const p of await findProductsByShopifyIds(db, shop, personal)) if (p.priceMin) prices.set(p.shopifyId, p.priceMin.toNumber());
  }
  const candidates = segmentList({
    rule,
    personal,
    secondPurchase: itemToItem(loaded, ctx.firstOrder, want),
    bestSellers: loaded.popular,
    trending: loaded.extras.trending,
    newArrivals,
    typeOf,
    priceOf: (id) => prices.get(id) ?? null,
    context: ctx,
  });
  return { candidates, blocked: ctx.blocked, strategy: "segment" };
}

/** For tests and the benchmarks: forget the cached models. */
export function clearRecommendationCache(): void {
  cache.clear();
}

/** Scores of the popularity baseline for the benchmarks (items by training count). */
export function popularityScores(model: ItemModel): Float64Array {
  return Float64Array.from(model.counts);
}
