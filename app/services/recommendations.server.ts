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
import { invalidateServing, ShopCache, ShopRowsCache } from "~/lib/servingCache.server";
import { inTransaction, type Db, type DbClient } from "~/lib/transaction.server";
import {
  customerHistoryAndSegment,
  findProductsByShopifyIds,
  findRecommendationModel,
  findRecommendationModelStamp,
  findShopSettings,
  newestProducts,
  productTypes,
  recentSales,
  saveRecommendationModel,
  saveShopSettingsKey,
  trainingBasketsPage,
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
/** Orders read per query while training. */
const TRAINING_PAGE = 50_000;
/** Decoded models kept in memory (least recently trained-or-loaded shops are dropped first). */
const CACHE_SHOPS = 100;
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

// What every request reads, kept a few seconds (app/lib/servingCache.server.ts, ADR 011): the
// shop's row, the model's training stamp, and the products lists are made of (by id, with the
// eligibility view computed once). Writes in this process clear them at once.
type ShopRow = Awaited<ReturnType<typeof findShopSettings>>;
type ServableProduct = RecommendableProduct & EligibilityProduct;
const shopRows = new ShopCache<ShopRow>("shop");
const modelStamps = new ShopCache<number | null>("model");
const productRows = new ShopRowsCache<ServableProduct>("products", (p) => p.shopifyId);

/** The shop's settings JSON and currency as serving sees them (at most a few seconds old). */
export function servingShopRow(db: Db, shop: string): Promise<ShopRow> {
  return shopRows.get(db, shop, () => findShopSettings(db, shop));
}

/** The newest products kept per shop (the fallback when a list is short; Champions' new arrivals). */
const NEWEST_KEPT = 100;
const newestLists = new ShopCache<ServableProduct[]>("products");

async function newestServable(db: Db, shop: string, n: number): Promise<ServableProduct[]> {
  if (n > NEWEST_KEPT) return (await newestProducts(db, shop, n)).map(eligibilityView);
  const newest = await newestLists.get(db, shop, async () => (await newestProducts(db, shop, NEWEST_KEPT)).map(eligibilityView));
  return newest.slice(0, n);
}

function servableProducts(db: Db, shop: string, ids: string[]): Promise<ServableProduct[]> {
  return productRows.getMany(db, shop, ids, async (missing) => (await findProductsByShopifyIds(db, shop, missing)).map(eligibilityView));
}

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
  // Again once committed: a request that read between the write and the commit kept the old value.
  invalidateServing(shop, "shop");
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
  // Orders page by page into compact arrays: product index per basket, customer index and day.
  const index = new Map<string, number>();
  const ids: string[] = [];
  const customerIndex = new Map<string, number>();
  const baskets: Int32Array[] = [];
  const customerOf: number[] = [];
  const timeOf: number[] = [];
  for (let afterId = 0; ;) {
    const page = await trainingBasketsPage(db, shop, now, afterId, TRAINING_PAGE);
    for (const row of page) {
      baskets.push(
        Int32Array.from(unique(row.products), (id) => {
          let i = index.get(id);
          if (i === undefined) {
            index.set(id, (i = ids.length));
            ids.push(id);
          }
          return i;
        }),
      );
      let c = -1;
      if (row.customer) {
        c = customerIndex.get(row.customer) ?? customerIndex.size;
        customerIndex.set(row.customer, c);
      }
      customerOf.push(c);
      timeOf.push(row.at.getTime());
    }
    if (page.length < TRAINING_PAGE) break;
    afterId = page[page.length - 1].id;
  }
  const model = trainItemModel({ nItems: ids.length, baskets }, options);
  const types = await productTypes(db, shop);
  const sales = await recentSales(db, shop, new Date(now.getTime() - TRENDING_WINDOW_DAYS * DAY_MS), now);
  const trending = trendingScores(sales, now)
    .slice(0, TRENDING_KEPT)
    .map((t) => t.id);
  const itemTypes = ids.map((id) => types.get(id) ?? null);
  const intervals = repurchaseIntervals(
    (function* () {
      for (let b = 0; b < baskets.length; b++) {
        if (customerOf[b] < 0) continue;
        const at = new Date(timeOf[b]);
        for (const i of baskets[b]) yield { customerKey: String(customerOf[b]), productType: itemTypes[i], at };
      }
    })(),
  );
  const extras: ModelExtras = { trending, types: itemTypes, intervals: Object.fromEntries(intervals) };
  const data = encodeItemModel(model);
  const trainMs = Math.round(performance.now() - started);
  await saveRecommendationModel(db, shop, {
    version: MODEL_VERSION,
    trainedAt: now,
    orders: baskets.length,
    items: ids,
    data,
    extras: { ...extras },
    trainMs,
  });
  cache.delete(shop);
  return { orders: baskets.length, products: ids.length, neighbours: model.neighbour.length, trainMs, bytes: data.length };
}

async function loadModel(db: Db, shop: string): Promise<LoadedModel | null> {
  const stamp = await modelStamps.get(db, shop, async () => (await findRecommendationModelStamp(db, shop))?.getTime() ?? null);
  if (stamp === null) return null;
  const cached = cache.get(shop);
  if (cached && cached.trainedAt === stamp) return cached;
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
  cache.delete(shop);
  cache.set(shop, loaded);
  if (cache.size > CACHE_SHOPS) cache.delete(cache.keys().next().value as string);
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
  const shopRow = await servingShopRow(db, shop);
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
    if (strategy === "bought_together" || strategy === "cart_complements") {
      candidates = itemToItem(loaded, strategy === "bought_together" ? [request.productId as string, ...cart] : cart, want);
      // A product nobody bought yet (new, or only in a gift card order): trending instead.
      if (!candidates.length) strategy = "trending";
    } else if (strategy === "for_you") {
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
  // Products are read for the best candidates first (one indexed read); only when eligibility
  // leaves the list short, for the next ones and then the newest products.
  const all = unique(candidates);
  let pool = all.slice(0, want);
  const products = new Map<string, ServableProduct>();
  for (const p of await servableProducts(db, shop, unique([...settings.pinnedProductIds, ...pool]))) products.set(p.shopifyId, p);
  const options = { pins: settings.pinnedProductIds, rules, maxPerType: settings.maxPerType, limit, now };
  let list = finalList(pool, products, options);
  if (list.length < limit && all.length > pool.length) {
    const more = all.slice(want, want + 400);
    for (const p of await servableProducts(db, shop, more)) products.set(p.shopifyId, p);
    pool = [...pool, ...more];
    list = finalList(pool, products, options);
  }
  if (list.length < limit) {
    // Too few from the model and sales (or a shop without orders): the newest products.
    for (const p of await newestServable(db, shop, limit * 3 + settings.excludedProductIds.length))
      if (!products.has(p.shopifyId)) products.set(p.shopifyId, p);
    const inPool = new Set(pool);
    const newest = [...products.values()]
      .filter((p) => !inPool.has(p.id))
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

function eligibilityView(p: RecommendableProduct): ServableProduct {
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
  const { history, segment } = await customerHistoryAndSegment(db, shop, customerId, now);
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
    newArrivals = (await newestServable(db, shop, 50))
      .filter((p) => (p.publishedAt ?? p.shopifyCreatedAt ?? new Date(0)).getTime() >= since)
      .map((p) => p.shopifyId);
    for (const p of await servableProducts(db, shop, personal)) if (p.price) prices.set(p.shopifyId, p.price);
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
  shopRows.clear();
  modelStamps.clear();
  productRows.clear();
  newestLists.clear();
}

/** Scores of the popularity baseline for the benchmarks (items by training count). */
export function popularityScores(model: ItemModel): Float64Array {
  return Float64Array.from(model.counts);
}
