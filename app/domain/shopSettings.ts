// The merchant's settings stored in Shop.settings (JSON, other keys belong to other features):
// the segment rule table. Parsing is strict: a table that is not valid is never used.
import type { MessageRef } from "./messageRef";
import { matchSegment, OTHERS_KEY, validateRules, type SegmentRule } from "./rfm";

export const MAX_RULES = 30;

/** The shop's own rule table, or null (use the default) when none is stored or it is not valid. */
export function segmentRulesOf(settings: unknown): SegmentRule[] | null {
  if (!settings || typeof settings !== "object" || !("segmentRules" in settings)) return null;
  const parsed = parseRuleTable((settings as { segmentRules: unknown }).segmentRules);
  return parsed.rules && parsed.problems.length === 0 ? parsed.rules : null;
}

function isRange(value: unknown): value is { min: number; max: number } {
  return (
    !!value && typeof value === "object" && typeof (value as { min: unknown }).min === "number" && typeof (value as { max: unknown }).max === "number"
  );
}

/**
 * A rule table from untrusted input (the settings form's JSON, or stored settings): its rules
 * and their problems as translation keys (empty = valid).
 */
export function parseRuleTable(input: unknown): { rules: SegmentRule[] | null; problems: MessageRef[] } {
  if (!Array.isArray(input)) return { rules: null, problems: [{ key: "settings.rules.notATable", params: {} }] };
  if (input.length === 0) return { rules: null, problems: [{ key: "settings.rules.empty", params: {} }] };
  if (input.length > MAX_RULES) return { rules: null, problems: [{ key: "settings.rules.tooMany", params: { max: MAX_RULES } }] };
  const rules: SegmentRule[] = [];
  for (const [i, item] of input.entries()) {
    const row = item as Record<string, unknown> | null;
    if (!row || typeof row.key !== "string" || !isRange(row.r) || !isRange(row.f) || !isRange(row.m)) {
      return { rules: null, problems: [{ key: "settings.rules.badRow", params: { row: i + 1 } }] };
    }
    rules.push({
      key: row.key.trim(),
      r: { min: row.r.min, max: row.r.max },
      f: { min: row.f.min, max: row.f.max },
      m: { min: row.m.min, max: row.m.max },
    });
  }
  return { rules, problems: validateRules(rules) };
}

/** Customers per segment under `rules`, from the stored customers' R, F and M scores (no refit). */
export function segmentCountsOf(cells: readonly { r: number; f: number; m: number; customers: number }[], rules: readonly SegmentRule[]) {
  const counts = new Map<string, number>(rules.map((rule) => [rule.key, 0]));
  counts.set(OTHERS_KEY, 0);
  for (const cell of cells) {
    const key = matchSegment(cell.r, cell.f, cell.m, rules);
    counts.set(key, (counts.get(key) ?? 0) + cell.customers);
  }
  return [...counts].map(([segment, customers]) => ({ segment, customers }));
}
