// What Rapport writes back to a Shopify customer (tags and metafields) and what changed since
// the last write. Pure: the service reads the analysis and the last written state, this decides.

export const DEFAULT_TAG_PREFIX = "rapport:";
/** Metafield namespace: the app-reserved namespace (`$app:` resolves to the app's own). */
export const METAFIELD_NAMESPACE = "$app:rapport";

export type MetafieldType = "single_line_text_field" | "number_integer" | "number_decimal" | "date_time";

/** Every metafield Rapport may write, with its definition (created so Shopify Segments can filter). */
export const METAFIELD_DEFINITIONS: ReadonlyArray<{ key: string; type: MetafieldType; name: string; description: string }> = [
  { key: "rfm_segment", type: "single_line_text_field", name: "RFM segment", description: "Rapport's RFM segment (champions, at_risk, …)" },
  {
    key: "rfm_score",
    type: "single_line_text_field",
    name: "RFM score",
    description: "Recency, frequency and monetary scores, 1 to 5 each (e.g. 545)",
  },
  { key: "churn_risk", type: "single_line_text_field", name: "Churn risk", description: "high, medium or low, from the probability of being alive" },
  {
    key: "p_alive",
    type: "number_decimal",
    name: "Probability active",
    description: "BG/NBD probability that the customer is still active (0 to 1)",
  },
  {
    key: "predicted_clv",
    type: "number_decimal",
    name: "Predicted 12-month CLV",
    description: "Predicted customer lifetime value over 12 months, in shop currency",
  },
  { key: "expected_next_order", type: "date_time", name: "Expected next order", description: "When the next order is expected" },
  { key: "nps_group", type: "single_line_text_field", name: "NPS group", description: "promoter, passive or detractor (from the last NPS answer)" },
];

export interface CustomerAnalysis {
  segment: string;
  rScore: number;
  fScore: number;
  mScore: number;
  pAlive: number | null;
  predictedClv12m: string | null;
  expectedNextOrderAt: Date | null;
}

/** Extra tags and metafields from other features (NPS registers one; see services/writeBack.server.ts). */
export interface Contribution {
  tags?: string[];
  metafields?: Record<string, string>;
}

export interface Desired {
  tags: string[];
  /** key -> value, in METAFIELD_DEFINITIONS' types. */
  metafields: Record<string, string>;
}

export type ChurnRisk = "high" | "medium" | "low";

/** Churn risk from P(alive): below 0.3 high, below 0.7 medium, else low. */
export function churnRisk(pAlive: number | null): ChurnRisk | null {
  if (pAlive === null || !Number.isFinite(pAlive)) return null;
  return pAlive < 0.3 ? "high" : pAlive < 0.7 ? "medium" : "low";
}

/** `at_risk` → `rapport:at-risk`; tags stay readable in Shopify's admin and in Segments. */
export function segmentTag(prefix: string, segment: string): string {
  return `${prefix}${segment.replace(/_/g, "-")}`;
}

export function desiredState(prefix: string, analysis: CustomerAnalysis | null, contribution: Contribution = {}): Desired {
  const tags: string[] = [];
  const metafields: Record<string, string> = {};
  if (analysis) {
    tags.push(segmentTag(prefix, analysis.segment));
    const risk = churnRisk(analysis.pAlive);
    if (risk) tags.push(`${prefix}churn-${risk}`);
    metafields.rfm_segment = analysis.segment;
    metafields.rfm_score = `${analysis.rScore}${analysis.fScore}${analysis.mScore}`;
    if (risk) metafields.churn_risk = risk;
    if (analysis.pAlive !== null && Number.isFinite(analysis.pAlive)) metafields.p_alive = analysis.pAlive.toFixed(4);
    if (analysis.predictedClv12m !== null) metafields.predicted_clv = Number(analysis.predictedClv12m).toFixed(2);
    if (analysis.expectedNextOrderAt) metafields.expected_next_order = analysis.expectedNextOrderAt.toISOString();
  }
  for (const tag of contribution.tags ?? []) if (tag.startsWith(prefix) && !tags.includes(tag)) tags.push(tag);
  Object.assign(metafields, contribution.metafields ?? {});
  return { tags, metafields };
}

export interface Change {
  addTags: string[];
  removeTags: string[];
  /** Metafields whose value differs from the last written one. */
  setMetafields: Record<string, string>;
}

/**
 * What to send: tags to add and to remove (only tags Rapport wrote itself, so merchant tags are
 * never touched) and metafields that changed. Null when nothing changed.
 */
export function changeFrom(last: { tags: string[]; metafields: Record<string, string> } | null, desired: Desired): Change | null {
  const lastTags = new Set(last?.tags ?? []);
  const want = new Set(desired.tags);
  const addTags = desired.tags.filter((t) => !lastTags.has(t));
  const removeTags = [...lastTags].filter((t) => !want.has(t));
  const setMetafields: Record<string, string> = {};
  for (const [key, value] of Object.entries(desired.metafields)) if (last?.metafields[key] !== value) setMetafields[key] = value;
  if (!addTags.length && !removeTags.length && !Object.keys(setMetafields).length) return null;
  return { addTags, removeTags, setMetafields };
}
