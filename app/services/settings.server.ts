// The settings page: the shop's segment rule table (validated, previewed on the stored scores,
// saved, then applied by a recompute), its monthly marketing spend (CAC) and the analysis
// schedule.
import { ANALYSIS_HOUR_KEY, analysisHourOf, parseAnalysisHour } from "~/domain/analysisSchedule";
import { customerAcquisitionCost, marketingSpendForRange } from "~/domain/kpis";
import type { MessageRef } from "~/domain/messageRef";
import { currencyExponent } from "~/domain/money";
import { BUILT_IN_SEGMENT_KEYS, DEFAULT_SEGMENT_RULES, OTHERS_KEY, type SegmentRule } from "~/domain/rfm";
import { parseRuleTable, segmentCountsOf, segmentRulesOf } from "~/domain/shopSettings";
import { parseSpendCsv } from "~/domain/spendInput";
import { prisma } from "~/lib/db.server";
import { inTransaction } from "~/lib/transaction.server";
import { deleteMarketingSpendMonth, listMarketingSpend, upsertMarketingSpend } from "~/models/marketingSpend.server";
import { latestKpiRanges } from "~/models/insightReads.server";
import { findShop } from "~/models/shop.server";
import {
  findShopSettings,
  removeShopSetting,
  rfmCellCounts,
  setShopSetting,
  storedSegmentCounts,
  storedSegmentKeys,
} from "~/models/shopSettings.server";
import { UnknownShopError } from "./dataHealth.server";

const RULES_KEY = "segmentRules";

/** The rule table in force: the shop's own, else the default. */
export async function getSegmentRules(shop: string): Promise<{ rules: SegmentRule[]; custom: boolean }> {
  const own = segmentRulesOf(await findShopSettings(prisma(), shop));
  return own ? { rules: own, custom: true } : { rules: DEFAULT_SEGMENT_RULES.map((r) => ({ ...r })), custom: false };
}

/** Segment keys for filters: the rule table's, then "others", then stored keys of older tables. */
export async function getSegmentKeys(shop: string): Promise<string[]> {
  const { rules } = await getSegmentRules(shop);
  const keys = [...rules.map((r) => r.key), OTHERS_KEY];
  for (const segment of await storedSegmentKeys(prisma(), shop)) if (!keys.includes(segment)) keys.push(segment);
  return keys;
}

/** Counts per segment: stored (as last assigned) and under `rules` applied to the stored scores. */
export async function previewRules(shop: string, input: unknown) {
  const { rules, problems } = parseRuleTable(input);
  if (!rules || problems.length) return { ok: false as const, problems };
  const db = prisma();
  const cells = await rfmCellCounts(db, shop);
  return { ok: true as const, problems: [] as MessageRef[], counts: segmentCountsOf(cells, rules) };
}

export async function saveRules(shop: string, input: unknown) {
  const { rules, problems } = parseRuleTable(input);
  if (!rules || problems.length) return { ok: false as const, problems };
  await setShopSetting(prisma(), shop, RULES_KEY, rules);
  return { ok: true as const, problems: [] as MessageRef[] };
}

export async function resetRules(shop: string) {
  await removeShopSetting(prisma(), shop, RULES_KEY);
}

/** The settings page's data: rules, stored counts, spend, CAC with that spend, the shop. */
export async function getSettingsPage(shop: string) {
  const db = prisma();
  const row = await findShop(db, shop);
  if (!row) throw new UnknownShopError(shop);
  const [{ rules, custom }, stored, spend, latest] = await Promise.all([
    getSegmentRules(shop),
    storedSegmentCounts(db, shop),
    listMarketingSpend(db, shop),
    latestKpiRanges(db, shop),
  ]);
  const tz = row.ianaTimezone || "UTC";
  const digits = currencyExponent(row.currency);
  const monthly = spend.map((s) => ({ month: s.month, amount: s.amount.toNumber() }));
  // CAC with the spend as entered now, over the last analysis's ranges and new customers (the
  // dashboard's stored CAC follows at the next analysis).
  const cac = (latest?.kpis ?? []).map((k) => {
    const spent = marketingSpendForRange(monthly, { from: k.rangeFrom, to: k.rangeTo }, tz);
    const value = customerAcquisitionCost(spent, k.newCustomers);
    return {
      rangeKind: k.rangeKind,
      newCustomers: k.newCustomers,
      spend: spent === null ? null : spent.toFixed(digits),
      cac: value === null ? null : value.toFixed(digits),
    };
  });
  return {
    shop: { domain: row.domain, name: row.name, currency: row.currency, timeZone: tz },
    rules,
    custom,
    builtInKeys: BUILT_IN_SEGMENT_KEYS as readonly string[],
    stored,
    spend: spend.map((s) => ({ month: s.month, amount: s.amount.toFixed(digits) })),
    cac,
    analysedAt: latest?.analysis.computedAt.toISOString() ?? null,
    analysisHour: analysisHourOf(row.settings),
  };
}

/** Saves the nightly analysis hour (a whole hour of the shop's time zone); the scheduler reads it at each wake-up. */
export async function saveAnalysisHour(shop: string, input: unknown) {
  const parsed = parseAnalysisHour(input);
  if (!parsed.ok) return { ok: false as const, problems: [parsed.problem] };
  await setShopSetting(prisma(), shop, ANALYSIS_HOUR_KEY, parsed.hour);
  return { ok: true as const, problems: [] as MessageRef[], hour: parsed.hour };
}

/** Saves spend lines (a month entered again replaces its amount); nothing is saved when a line is wrong. */
export async function saveSpend(shop: string, text: string) {
  const { lines, problems } = parseSpendCsv(text);
  if (problems.length) return { ok: false as const, problems, saved: 0 };
  const db = prisma();
  const row = await findShop(db, shop);
  if (!row) throw new UnknownShopError(shop);
  await inTransaction(db, (tx) =>
    upsertMarketingSpend(
      tx,
      shop,
      lines.map((l) => ({ ...l, currency: row.currency })),
    ),
  );
  return { ok: true as const, problems: [] as MessageRef[], saved: lines.length };
}

export async function deleteSpendMonth(shop: string, month: string) {
  if (!/^\d{4}-\d{2}$/.test(month)) return;
  await deleteMarketingSpendMonth(prisma(), shop, month);
}
