// TEMP provisional recommendations service (replaced by the engine at merge). Same contract as
// the engine; best sellers, co-purchases and the customer's product types, nothing more.
import { z } from "zod";
import type { Db, DbClient } from "~/lib/transaction.server";
import { provisionalBestSellers, type ProvisionalProductRow } from "~/models/provisionalRecommendations.server";
import { readShopSettingsKey, writeShopSettingsKey } from "~/models/recommendationTracking.server";

export type Placement = "product" | "cart" | "home" | "collection";
export type StrategyChoice = "automatic" | "bought_together" | "for_you" | "trending";
export type ServedStrategy = "bought_together" | "cart_complements" | "for_you" | "segment" | "trending";
export interface RecommendationRequest {
  placement: Placement;
  strategy: StrategyChoice;
  productId: string | null;
  cartProductIds: string[];
  customerId: string | null;
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

function toProduct(row: ProvisionalProductRow): RecommendedProduct {
  return {
    id: row.shopifyId,
    handle: row.handle,
    title: row.title,
    url: `/products/${row.handle}`,
    price: row.priceMin ? row.priceMin.toFixed(2) : "0.00",
    compareAtPrice: null,
    currency: row.currency,
    image: row.imageUrl,
    available: row.available,
    variantId: row.variantId,
    productType: row.productType,
  };
}

export async function recommend(db: DbClient, shop: string, request: RecommendationRequest): Promise<RecommendationAnswer> {
  const since = new Date(request.now.getTime() - 365 * 86_400_000);
  const exclude = [...request.cartProductIds, ...(request.productId ? [request.productId] : [])];
  const base = { since, exclude, limit: request.limit, withProduct: null, customerTypesOf: null };
  const anchor = request.productId ?? request.cartProductIds[0] ?? null;
  const wantsTogether =
    request.strategy === "bought_together" || (request.strategy === "automatic" && (request.placement === "product" || request.placement === "cart"));
  if (wantsTogether && anchor) {
    const rows = await provisionalBestSellers(db, shop, { ...base, withProduct: anchor });
    if (rows.length) return { strategy: request.placement === "cart" ? "cart_complements" : "bought_together", products: rows.map(toProduct) };
  }
  if (request.customerId && request.strategy !== "trending") {
    const rows = await provisionalBestSellers(db, shop, { ...base, customerTypesOf: request.customerId });
    if (rows.length) return { strategy: "for_you", products: rows.map(toProduct) };
  }
  return { strategy: "trending", products: (await provisionalBestSellers(db, shop, base)).map(toProduct) };
}

const settingsSchema = z.object({
  strategies: z.object({
    product: z.enum(["automatic", "bought_together", "for_you", "trending"]),
    cart: z.enum(["automatic", "bought_together", "for_you", "trending"]),
    home: z.enum(["automatic", "bought_together", "for_you", "trending"]),
    collection: z.enum(["automatic", "bought_together", "for_you", "trending"]),
  }),
  excludedProductIds: z.array(z.string()),
  excludedTags: z.array(z.string()),
  pinnedProductIds: z.array(z.string()),
  maxPerProductType: z.number().int().min(1).max(24),
});
export type RecommendationSettings = z.infer<typeof settingsSchema>;
const DEFAULTS: RecommendationSettings = {
  strategies: { product: "automatic", cart: "automatic", home: "automatic", collection: "automatic" },
  excludedProductIds: [],
  excludedTags: [],
  pinnedProductIds: [],
  maxPerProductType: 3,
};

export async function getRecommendationSettings(db: Db, shop: string): Promise<RecommendationSettings> {
  const parsed = settingsSchema.safeParse(await readShopSettingsKey(db, shop, "recommendations"));
  return parsed.success ? parsed.data : DEFAULTS;
}

export async function saveRecommendationSettings(db: Db, shop: string, settings: RecommendationSettings): Promise<void> {
  await writeShopSettingsKey(db, shop, "recommendations", settingsSchema.parse(settings));
}
