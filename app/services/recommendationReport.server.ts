// What the admin page /app/recommendations shows: the funnel and attributed revenue per
// placement and strategy over a period of the shop's calendar days, the holdout comparison, the
// top recommended products, a preview of what a customer or product page would get, and the
// settings (the engine's, plus attribution window and holdout share).
import { z } from "zod";
import { compareArms } from "~/domain/holdout";
import { civilFromDays, dayNumber, startOfLocalDay } from "~/domain/time";
import { parseRecommendationSettings } from "~/domain/recommendationSettings";
import type { DbClient } from "~/lib/transaction.server";
import { findShop } from "~/models/shop.server";
import {
  attributedByPlacementAndStrategy,
  attributedTotals,
  funnelByPlacementAndStrategy,
  holdoutArmTotals,
  topRecommendedProducts,
} from "~/models/recommendationTracking.server";
import { productByHandle } from "~/models/demoStorefront.server";
import {
  getRecommendationSettings,
  recommend,
  saveRecommendationSettings,
  type Placement,
  type RecommendationSettings,
  type StrategyChoice,
} from "./recommendations.server";
import {
  getTrackingSettings,
  PLACEMENTS,
  saveTrackingSettings,
  STRATEGY_CHOICES,
  trackingSettingsSchema,
  type TrackingSettings,
} from "./recommendationTracking.server";

export { PERIODS } from "~/domain/storefrontOptions";

function ymd(dayNo: number): string {
  const { year, month, day } = civilFromDays(dayNo);
  return `${year}-${String(month).padStart(2, "0")}-${String(day).padStart(2, "0")}`;
}

export async function getRecommendationReport(db: DbClient, shop: string, options: { days: number; now: Date }) {
  const row = await findShop(db, shop);
  const timeZone = row?.ianaTimezone ?? "UTC";
  const currency = row?.currency ?? "USD";
  const today = dayNumber(options.now, timeZone);
  const from = startOfLocalDay(ymd(today - options.days + 1), timeZone);
  const to = startOfLocalDay(ymd(today + 1), timeZone);
  const [funnel, attributed, totals, arms, top, settings, tracking] = await Promise.all([
    funnelByPlacementAndStrategy(db, shop, from, to),
    attributedByPlacementAndStrategy(db, shop, from, to),
    attributedTotals(db, shop, from, to),
    holdoutArmTotals(db, shop, from, to),
    topRecommendedProducts(db, shop, from, to, 10),
    getRecommendationSettings(db, shop),
    getTrackingSettings(db, shop),
  ]);
  const keys = new Map<string, { placement: string; strategy: string }>();
  for (const r of [...funnel, ...attributed]) keys.set(`${r.placement}|${r.strategy}`, { placement: r.placement, strategy: r.strategy });
  const rows = [...keys.values()]
    .sort((a, b) => a.placement.localeCompare(b.placement) || a.strategy.localeCompare(b.strategy))
    .map(({ placement, strategy }) => {
      const f = funnel.find((r) => r.placement === placement && r.strategy === strategy);
      const a = attributed.find((r) => r.placement === placement && r.strategy === strategy);
      const impressions = f?.impressions ?? 0;
      const clicks = f?.clicks ?? 0;
      return {
        placement,
        strategy,
        impressions,
        clicks,
        addToCarts: f?.addToCarts ?? 0,
        clickThroughRate: impressions ? clicks / impressions : null,
        orders: a?.orders ?? 0,
        revenue: a?.revenue ?? "0.00",
      };
    });
  return {
    period: { days: options.days, from: from.toISOString(), to: to.toISOString(), timeZone },
    currency,
    rows,
    totals: {
      impressions: rows.reduce((s, r) => s + r.impressions, 0),
      clicks: rows.reduce((s, r) => s + r.clicks, 0),
      orders: totals.orders,
      revenue: totals.revenue,
    },
    holdout: compareArms(arms.treatment, arms.holdout),
    top,
    settings: { engine: settings, tracking },
  };
}

/** "What would customer X on product Y get": the engine's answer, without holdout or recording. */
export async function previewRecommendations(
  db: DbClient,
  shop: string,
  input: { placement: Placement; strategy: StrategyChoice; customerId: string | null; product: string | null; now: Date },
) {
  let productId: string | null = null;
  if (input.product) {
    productId = /^\d+$/.test(input.product) ? input.product : ((await productByHandle(db, shop, input.product))?.shopifyId ?? null);
    if (!productId) return { error: "productNotFound" as const };
  }
  const answer = await recommend(db, shop, {
    placement: input.placement,
    strategy: input.strategy,
    productId,
    cartProductIds: [],
    customerId: input.customerId,
    limit: 8,
    now: input.now,
  });
  return { answer };
}

const idList = z
  .string()
  .transform((text) =>
    text
      .split(/[\s,]+/)
      .map((s) => s.trim())
      .filter(Boolean),
  )
  .refine((ids) => ids.every((id) => /^\d{1,20}$/.test(id)), { message: "recommendations.errors.productIds" });

const settingsForm = z.object({
  strategy_product: z.enum(STRATEGY_CHOICES),
  strategy_cart: z.enum(STRATEGY_CHOICES),
  strategy_home: z.enum(STRATEGY_CHOICES),
  strategy_collection: z.enum(STRATEGY_CHOICES),
  excluded_products: idList,
  excluded_tags: z.string().transform((text) =>
    text
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean),
  ),
  pinned_products: idList,
  attribution_window_days: z.coerce
    .number({ error: "recommendations.errors.window" })
    .int("recommendations.errors.window")
    .min(1, "recommendations.errors.window")
    .max(90, "recommendations.errors.window"),
  holdout_percent: z.coerce
    .number({ error: "recommendations.errors.holdout" })
    .min(0, "recommendations.errors.holdout")
    .max(50, "recommendations.errors.holdout"),
});

/** The form field of an engine settings field ("pinnedProductIds[2]" → "pinned_products"). */
function formField(field: string): string {
  if (field.startsWith("pinned")) return "pinned_products";
  if (field.startsWith("excludedProduct")) return "excluded_products";
  if (field.startsWith("excludedTags")) return "excluded_tags";
  if (field.startsWith("strategies.")) return `strategy_${field.slice("strategies.".length)}`;
  return field;
}

export type SettingsFormResult = { ok: true } | { ok: false; errors: Record<string, string> };

/** Validates the whole form first; saves nothing unless every field is right. */
export async function saveRecommendationSettingsForm(db: DbClient, shop: string, form: Record<string, string>): Promise<SettingsFormResult> {
  const parsed = settingsForm.safeParse(form);
  if (!parsed.success) {
    return {
      ok: false,
      errors: Object.fromEntries(
        parsed.error.issues.map((issue) => [
          String(issue.path[0]),
          issue.message.startsWith("recommendations.") ? issue.message : "recommendations.errors.invalid",
        ]),
      ),
    };
  }
  const v = parsed.data;
  const current = await getRecommendationSettings(db, shop);
  const engine: RecommendationSettings = {
    ...current,
    strategies: Object.fromEntries(PLACEMENTS.map((p) => [p, v[`strategy_${p}`]])) as RecommendationSettings["strategies"],
    excludedProductIds: v.excluded_products,
    excludedTags: v.excluded_tags,
    pinnedProductIds: v.pinned_products,
  };
  // Both halves are validated before either is stored (the engine validates its own again).
  const checked = parseRecommendationSettings(engine);
  if (!checked.ok)
    return { ok: false, errors: Object.fromEntries(checked.errors.map((e) => [formField(e.field), "recommendations.errors.invalid"])) };
  const tracking: TrackingSettings = trackingSettingsSchema.parse({
    attributionWindowDays: v.attribution_window_days,
    holdoutShare: Math.round(v.holdout_percent * 10) / 1000,
  });
  const saved = await saveRecommendationSettings(db, shop, checked.settings);
  if (!saved.ok) return { ok: false, errors: Object.fromEntries(saved.errors.map((e) => [formField(e.field), "recommendations.errors.invalid"])) };
  await saveTrackingSettings(db, shop, tracking);
  return { ok: true };
}
