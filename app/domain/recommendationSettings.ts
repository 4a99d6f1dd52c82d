// Merchant settings of the storefront recommendations, stored under `recommendations` in
// Shop.settings and validated here (pure: a hand-written validator, since app/domain imports
// no package). Unknown keys are dropped; a bad value is an error naming its field.
import { PLACEMENTS, STRATEGY_CHOICES, type Placement, type StrategyChoice } from "./recommendations";

export interface RecommendationSettings {
  /** Strategy of each placement when the theme block asks for "automatic". */
  strategies: Record<Placement, StrategyChoice>;
  /** Numeric Shopify product ids shown first (when eligible), in this order. */
  pinnedProductIds: string[];
  /** Numeric Shopify product ids never recommended. */
  excludedProductIds: string[];
  /** Products carrying one of these tags (case-insensitive) are never recommended. */
  excludedTags: string[];
  /** At most this many products of one product type in a list. */
  maxPerType: number;
}

export const DEFAULT_RECOMMENDATION_SETTINGS: RecommendationSettings = {
  strategies: { product: "automatic", cart: "automatic", home: "automatic", collection: "automatic" },
  pinnedProductIds: [],
  excludedProductIds: [],
  excludedTags: [],
  maxPerType: 3,
};

export const MAX_PINS = 24;
export const MAX_EXCLUSIONS = 500;

export interface SettingsError {
  field: string;
  message: string;
}

export type SettingsResult = { ok: true; settings: RecommendationSettings } | { ok: false; errors: SettingsError[] };

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * Validates settings (a partial object is completed with the defaults). Product ids may be
 * numbers, numeric strings or Shopify GIDs (gid://shopify/Product/123); they are stored as
 * numeric strings.
 */
export function parseRecommendationSettings(raw: unknown): SettingsResult {
  const errors: SettingsError[] = [];
  const input = raw ?? {};
  if (!isRecord(input)) return { ok: false, errors: [{ field: "", message: "must be an object" }] };
  const out: RecommendationSettings = {
    ...DEFAULT_RECOMMENDATION_SETTINGS,
    strategies: { ...DEFAULT_RECOMMENDATION_SETTINGS.strategies },
  };
  if (input.strategies !== undefined) {
    if (!isRecord(input.strategies)) errors.push({ field: "strategies", message: "must be an object by placement" });
    else
      for (const [placement, choice] of Object.entries(input.strategies)) {
        if (!(PLACEMENTS as readonly string[]).includes(placement))
          errors.push({ field: `strategies.${placement}`, message: `unknown placement (${PLACEMENTS.join(", ")})` });
        else if (!(STRATEGY_CHOICES as readonly unknown[]).includes(choice))
          errors.push({ field: `strategies.${placement}`, message: `must be one of ${STRATEGY_CHOICES.join(", ")}` });
        else out.strategies[placement as Placement] = choice as StrategyChoice;
      }
  }
  const ids = (field: "pinnedProductIds" | "excludedProductIds", max: number) => {
    const v = input[field];
    if (v === undefined) return;
    if (!Array.isArray(v)) return errors.push({ field, message: "must be a list of product ids" });
    if (v.length > max) return errors.push({ field, message: `at most ${max} products` });
    const list: string[] = [];
    v.forEach((item, i) => {
      const id = productIdOf(item);
      if (id === null) errors.push({ field: `${field}[${i}]`, message: "must be a numeric Shopify product id" });
      else if (!list.includes(id)) list.push(id);
    });
    out[field] = list;
  };
  ids("pinnedProductIds", MAX_PINS);
  ids("excludedProductIds", MAX_EXCLUSIONS);
  if (input.excludedTags !== undefined) {
    const v = input.excludedTags;
    if (!Array.isArray(v)) errors.push({ field: "excludedTags", message: "must be a list of tags" });
    else if (v.length > MAX_EXCLUSIONS) errors.push({ field: "excludedTags", message: `at most ${MAX_EXCLUSIONS} tags` });
    else {
      const tags: string[] = [];
      v.forEach((t, i) => {
        if (typeof t !== "string" || t.trim() === "" || t.length > 255)
          errors.push({ field: `excludedTags[${i}]`, message: "must be a tag (1 to 255 characters)" });
        else if (!tags.includes(t.trim().toLowerCase())) tags.push(t.trim().toLowerCase());
      });
      out.excludedTags = tags;
    }
  }
  if (input.maxPerType !== undefined) {
    const n = input.maxPerType;
    if (typeof n !== "number" || !Number.isInteger(n) || n < 1 || n > 24)
      errors.push({ field: "maxPerType", message: "must be a whole number from 1 to 24" });
    else out.maxPerType = n;
  }
  return errors.length ? { ok: false, errors } : { ok: true, settings: out };
}

/** "123", 123 or "gid://shopify/Product/123" → "123"; null otherwise. */
export function productIdOf(value: unknown): string | null {
  if (typeof value === "number" && Number.isSafeInteger(value) && value > 0) return String(value);
  if (typeof value !== "string") return null;
  const m = /^(?:gid:\/\/shopify\/Product\/)?(\d{1,20})$/.exec(value.trim());
  return m && m[1] !== "0" ? m[1].replace(/^0+/, "") : null;
}
