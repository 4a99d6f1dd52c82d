// RFM scoring and segmentation, reproducing the method of the R package `rfm`
// (quantile breakpoints, ties share a bin) so our numbers match its published results.
// Money values are plain numbers in the shop currency's major units (e.g. 12.5 = €12.50):
// they are only summed and ranked here, never persisted.

import { quantileType7 } from "./stats";

export interface RfmCustomerInput {
  customerId: string;
  lastOrderAt: Date;
  firstOrderAt?: Date;
  /** Number of orders (cancelled and test orders already excluded). */
  orders: number;
  /** Net revenue of those orders, major units. */
  revenue: number;
}

export interface RfmOrderRow {
  customerId: string;
  date: Date;
  revenue: number;
  cancelled?: boolean;
  test?: boolean;
}

export type Score = 1 | 2 | 3 | 4 | 5;

export interface RfmScored {
  customerId: string;
  recencyDays: number;
  frequency: number;
  monetary: number;
  firstOrderAt?: Date;
  lastOrderAt: Date;
  r: Score;
  f: Score;
  m: Score;
  /** Segment key of the first matching rule, or "others". */
  segment: string;
}

export interface ScoreRange {
  min: number;
  max: number;
}

export interface SegmentText {
  name: string;
  description: string;
  action: string;
}

export interface SegmentRule {
  key: string;
  r: ScoreRange;
  f: ScoreRange;
  m: ScoreRange;
  text: { en: SegmentText; fr: SegmentText };
}

/** The five bins of one dimension: bin i (0-based) is [lower[i], upper[i]). */
export interface Breakpoints {
  /** b1..b4: the 20/40/60/80 % type-7 quantiles, each plus 1. */
  breaks: [number, number, number, number];
  min: number;
  max: number;
}

const DAY_MS = 86_400_000;

/** Whole days from `last` to `analysisDate` (UTC day arithmetic, like R's difftime in days). */
export function recencyDays(last: Date, analysisDate: Date): number {
  return Math.floor((analysisDate.getTime() - last.getTime()) / DAY_MS);
}

/** Aggregates raw order rows per customer; cancelled and test orders are excluded. */
export function aggregateOrders(rows: Iterable<RfmOrderRow>): RfmCustomerInput[] {
  const byId = new Map<string, RfmCustomerInput>();
  for (const row of rows) {
    if (row.cancelled || row.test) continue;
    const cur = byId.get(row.customerId);
    if (!cur) {
      byId.set(row.customerId, {
        customerId: row.customerId,
        firstOrderAt: row.date,
        lastOrderAt: row.date,
        orders: 1,
        revenue: row.revenue,
      });
      continue;
    }
    cur.orders += 1;
    cur.revenue += row.revenue;
    if (row.date.getTime() > cur.lastOrderAt.getTime()) cur.lastOrderAt = row.date;
    if (cur.firstOrderAt && row.date.getTime() < cur.firstOrderAt.getTime()) cur.firstOrderAt = row.date;
  }
  return [...byId.values()];
}

/** Breakpoints of the `rfm` package for one dimension. */
export function computeBreakpoints(values: ArrayLike<number>): Breakpoints {
  if (values.length === 0) throw new Error("computeBreakpoints: no values");
  const sorted = Float64Array.from(values as ArrayLike<number>).sort();
  const q = (p: number) => quantileType7(sorted, p) + 1;
  return {
    breaks: [q(0.2), q(0.4), q(0.6), q(0.8)],
    min: sorted[0],
    max: sorted[sorted.length - 1],
  };
}

/**
 * Bin number 1..5 of a value: bins are [min, b1), [b1, b2), [b2, b3), [b3, b4), [b4, max + 1).
 * Equal values always land in the same bin. When breakpoints coincide the lower bins are
 * empty, as in the package.
 */
export function binOf(value: number, bp: Breakpoints): Score {
  const [b1, b2, b3, b4] = bp.breaks;
  if (value >= b4) return 5;
  if (value >= b3) return 4;
  if (value >= b2) return 3;
  if (value >= b1) return 2;
  return 1;
}

function inRange(v: number, r: ScoreRange): boolean {
  return v >= r.min && v <= r.max;
}

/** Key of the first rule whose R, F and M ranges (inclusive) all contain the scores, else "others". */
export function matchSegment(r: number, f: number, m: number, rules: readonly Pick<SegmentRule, "key" | "r" | "f" | "m">[]): string {
  for (const rule of rules) {
    if (inRange(r, rule.r) && inRange(f, rule.f) && inRange(m, rule.m)) return rule.key;
  }
  return OTHERS_KEY;
}

/** The breakpoints of the three dimensions of one scoring run (recency in days at its date). */
export interface RfmBreakpoints {
  recency: Breakpoints;
  frequency: Breakpoints;
  monetary: Breakpoints;
}

/**
 * Scores of one customer against given breakpoints. Recency is scored in reverse (most recent
 * = 5). `recencyShift`: days elapsed since the breakpoints' date, subtracted before binning, so
 * a customer scored later is ranked as of that date (the incremental path, ADR 007).
 */
export function scoreAgainst(
  recency: number,
  orders: number,
  revenue: number,
  bp: RfmBreakpoints,
  rules: readonly Pick<SegmentRule, "key" | "r" | "f" | "m">[],
  recencyShift = 0,
): { r: Score; f: Score; m: Score; segment: string } {
  const r = (6 - binOf(recency - recencyShift, bp.recency)) as Score;
  const f = binOf(orders, bp.frequency);
  const m = binOf(revenue, bp.monetary);
  return { r, f, m, segment: matchSegment(r, f, m, rules) };
}

/**
 * Scores every customer and assigns segments. Recency is scored in reverse (most recent = 5).
 * Customers are returned in input order.
 */
export function scoreRfm(
  customers: readonly RfmCustomerInput[],
  analysisDate: Date,
  rules: readonly SegmentRule[] = DEFAULT_SEGMENT_RULES,
): RfmScored[] {
  return scoreRfmWithBreakpoints(customers, analysisDate, rules).scored;
}

/** scoreRfm, with the breakpoints it used (null without customers). */
export function scoreRfmWithBreakpoints(
  customers: readonly RfmCustomerInput[],
  analysisDate: Date,
  rules: readonly SegmentRule[] = DEFAULT_SEGMENT_RULES,
): { scored: RfmScored[]; breakpoints: RfmBreakpoints | null } {
  if (customers.length === 0) return { scored: [], breakpoints: null };
  const rec = customers.map((c) => recencyDays(c.lastOrderAt, analysisDate));
  const bp: RfmBreakpoints = {
    recency: computeBreakpoints(rec),
    frequency: computeBreakpoints(customers.map((c) => c.orders)),
    monetary: computeBreakpoints(customers.map((c) => c.revenue)),
  };
  const scored = customers.map((c, i) => ({
    customerId: c.customerId,
    recencyDays: rec[i],
    frequency: c.orders,
    monetary: c.revenue,
    firstOrderAt: c.firstOrderAt,
    lastOrderAt: c.lastOrderAt,
    ...scoreAgainst(rec[i], c.orders, c.revenue, bp, rules),
  }));
  return { scored, breakpoints: bp };
}

export interface SegmentSummary {
  segment: string;
  customers: number;
  orders: number;
  revenue: number;
}

/** Totals per segment, in rule order then "others" (segments without customers included). */
export function summarizeSegments(scored: readonly RfmScored[], rules: readonly SegmentRule[] = DEFAULT_SEGMENT_RULES): SegmentSummary[] {
  const out = new Map<string, SegmentSummary>();
  for (const rule of rules) out.set(rule.key, { segment: rule.key, customers: 0, orders: 0, revenue: 0 });
  out.set(OTHERS_KEY, { segment: OTHERS_KEY, customers: 0, orders: 0, revenue: 0 });
  for (const s of scored) {
    let agg = out.get(s.segment);
    if (!agg) {
      agg = { segment: s.segment, customers: 0, orders: 0, revenue: 0 };
      out.set(s.segment, agg);
    }
    agg.customers += 1;
    agg.orders += s.frequency;
    agg.revenue += s.monetary;
  }
  return [...out.values()];
}

/** Checks a rule table edited by a merchant; returns human-readable problems (empty = valid). */
export function validateRules(rules: readonly SegmentRule[]): string[] {
  const problems: string[] = [];
  const keys = new Set<string>();
  for (const rule of rules) {
    if (!/^[a-z0-9_]+$/.test(rule.key)) problems.push(`Segment key "${rule.key}" must use lowercase letters, digits and underscores.`);
    if (keys.has(rule.key)) problems.push(`Segment key "${rule.key}" is used twice.`);
    if (rule.key === OTHERS_KEY) problems.push(`Segment key "${OTHERS_KEY}" is reserved for customers no rule matches.`);
    keys.add(rule.key);
    for (const dim of ["r", "f", "m"] as const) {
      const { min, max } = rule[dim];
      if (!Number.isInteger(min) || !Number.isInteger(max) || min < 1 || max > 5 || min > max) {
        problems.push(`Segment "${rule.key}": ${dim.toUpperCase()} range ${min}–${max} must be whole scores with 1 ≤ min ≤ max ≤ 5.`);
      }
    }
  }
  return problems;
}

export const OTHERS_KEY = "others";

export const OTHERS_TEXT: { en: SegmentText; fr: SegmentText } = {
  en: {
    name: "Others",
    description: "Customers whose scores match none of the segment rules.",
    action: "Review the rule table if this group is large; otherwise include them in regular newsletters.",
  },
  fr: {
    name: "Autres",
    description: "Clients dont les scores ne correspondent à aucune règle de segment.",
    action: "Revoyez la table des règles si ce groupe est important ; sinon, incluez-les dans les newsletters habituelles.",
  },
};

const range = (min: number, max: number): ScoreRange => ({ min, max });

// Merchant-facing texts shared by both tables; actions are what a merchant should really do.
const TEXT = {
  champions: {
    en: {
      name: "Champions",
      description: "Bought recently, buy often and spend the most.",
      action: "Reward them with exclusive pre-sales and early access to new products; no discounts needed. Ask for reviews and referrals.",
    },
    fr: {
      name: "Champions",
      description: "Ont acheté récemment, achètent souvent et dépensent le plus.",
      action: "Récompensez-les par des ventes privées et un accès en avant-première aux nouveautés ; inutile de leur offrir des remises. Demandez-leur des avis et des parrainages.",
    },
  },
  potential_loyalist: {
    en: {
      name: "Potential Loyalist",
      description: "Recent customers who have bought more than once and spend a fair amount.",
      action: "Offer a loyalty programme or membership and recommend products related to what they bought.",
    },
    fr: {
      name: "Fidèles potentiels",
      description: "Clients récents qui ont acheté plusieurs fois pour un montant correct.",
      action: "Proposez un programme de fidélité ou une adhésion et recommandez des produits liés à leurs achats.",
    },
  },
  loyal_customers: {
    en: {
      name: "Loyal Customers",
      description: "Buy regularly and respond to promotions.",
      action: "Upsell higher-value products, ask for reviews, and keep them informed with personalised recommendations.",
    },
    fr: {
      name: "Clients fidèles",
      description: "Achètent régulièrement et réagissent aux promotions.",
      action: "Proposez des produits de gamme supérieure, demandez des avis et tenez-les informés avec des recommandations personnalisées.",
    },
  },
  promising: {
    en: {
      name: "Promising",
      description: "Recent shoppers who have not bought often yet.",
      action: "Nudge a second order: a follow-up email with products that complement their first purchase, free shipping on the next order.",
    },
    fr: {
      name: "Prometteurs",
      description: "Acheteurs récents qui n'ont pas encore acheté souvent.",
      action: "Incitez à une deuxième commande : e-mail de suivi avec des produits complémentaires à leur premier achat, livraison offerte sur la prochaine commande.",
    },
  },
  new_customers: {
    en: {
      name: "New Customers",
      description: "Bought very recently, but only once or twice.",
      action: "Send a welcome series and onboarding tips, then a second-order nudge with a product recommendation.",
    },
    fr: {
      name: "Nouveaux clients",
      description: "Ont acheté très récemment, mais une ou deux fois seulement.",
      action: "Envoyez une série de bienvenue et des conseils d'utilisation, puis une incitation à une deuxième commande avec une recommandation de produit.",
    },
  },
  cant_lose_them: {
    en: {
      name: "Can't Lose Them",
      description: "Used to buy often and spend a lot, but have not come back for a long time.",
      action: "Win them back personally: a personal email or call from the owner, ask what went wrong, and offer something relevant to their past purchases.",
    },
    fr: {
      name: "À ne pas perdre",
      description: "Achetaient souvent et dépensaient beaucoup, mais ne sont pas revenus depuis longtemps.",
      action: "Reconquérez-les personnellement : e-mail ou appel personnel du gérant, demandez ce qui n'a pas été, et proposez une offre liée à leurs achats passés.",
    },
  },
  at_risk: {
    en: {
      name: "At Risk",
      description: "Spent a lot and bought often, but long ago.",
      action: "Send a personal win-back message with recommendations based on their history; a renewal or service offer works better than a blanket discount.",
    },
    fr: {
      name: "À risque",
      description: "Ont beaucoup dépensé et acheté souvent, mais il y a longtemps.",
      action: "Envoyez un message de reconquête personnalisé avec des recommandations basées sur leur historique ; une offre de renouvellement ou de service marche mieux qu'une remise générale.",
    },
  },
  need_attention: {
    en: {
      name: "Need Attention",
      description: "Above-average frequency and spend, but have not bought recently.",
      action: "Send a limited-time offer or a reminder of new arrivals based on their past purchases.",
    },
    fr: {
      name: "À surveiller",
      description: "Fréquence et dépenses au-dessus de la moyenne, mais pas d'achat récent.",
      action: "Envoyez une offre à durée limitée ou un rappel des nouveautés basé sur leurs achats passés.",
    },
  },
  about_to_sleep: {
    en: {
      name: "About To Sleep",
      description: "Below-average recency, frequency and spend; will be lost without a reason to return.",
      action: "Share popular products or useful content and a modest incentive to come back.",
    },
    fr: {
      name: "En sommeil",
      description: "Récence, fréquence et dépenses sous la moyenne ; seront perdus sans raison de revenir.",
      action: "Partagez les produits populaires ou du contenu utile et une incitation modeste à revenir.",
    },
  },
  hibernating: {
    en: {
      name: "Hibernating",
      description: "Last bought long ago, few orders and low spend.",
      action: "Try one reactivation offer with a real incentive; if they do not respond, stop spending marketing budget on them.",
    },
    fr: {
      name: "En hibernation",
      description: "Dernier achat ancien, peu de commandes et faibles dépenses.",
      action: "Tentez une offre de réactivation avec une vraie incitation ; sans réponse, arrêtez d'y consacrer du budget marketing.",
    },
  },
  lost: {
    en: {
      name: "Lost",
      description: "Lowest recency: have not bought for the longest time.",
      action: "Make one reactivation offer with a real incentive, otherwise let them go and remove them from paid campaigns.",
    },
    fr: {
      name: "Perdus",
      description: "Récence la plus faible : n'ont pas acheté depuis très longtemps.",
      action: "Faites une seule offre de réactivation avec une vraie incitation, sinon laissez-les partir et retirez-les des campagnes payantes.",
    },
  },
} satisfies Record<string, { en: SegmentText; fr: SegmentText }>;

/** Default rule table (the README's 10-segment table); first match wins. */
export const DEFAULT_SEGMENT_RULES: readonly SegmentRule[] = [
  { key: "champions", r: range(5, 5), f: range(5, 5), m: range(5, 5), text: TEXT.champions },
  { key: "potential_loyalist", r: range(3, 5), f: range(3, 5), m: range(2, 5), text: TEXT.potential_loyalist },
  { key: "loyal_customers", r: range(2, 4), f: range(2, 4), m: range(2, 4), text: TEXT.loyal_customers },
  { key: "promising", r: range(3, 4), f: range(1, 3), m: range(3, 5), text: TEXT.promising },
  { key: "new_customers", r: range(4, 5), f: range(1, 3), m: range(1, 5), text: TEXT.new_customers },
  { key: "cant_lose_them", r: range(1, 2), f: range(3, 4), m: range(4, 5), text: TEXT.cant_lose_them },
  { key: "at_risk", r: range(1, 2), f: range(2, 5), m: range(4, 5), text: TEXT.at_risk },
  { key: "need_attention", r: range(1, 3), f: range(3, 5), m: range(3, 5), text: TEXT.need_attention },
  { key: "about_to_sleep", r: range(2, 3), f: range(1, 3), m: range(1, 4), text: TEXT.about_to_sleep },
  { key: "lost", r: range(1, 1), f: range(1, 5), m: range(1, 5), text: TEXT.lost },
];

/** The rule table of the `rfm` package's own test suite (used to check published numbers). */
export const RFM_PACKAGE_TEST_RULES: readonly SegmentRule[] = [
  { key: "champions", r: range(4, 5), f: range(4, 5), m: range(4, 5), text: TEXT.champions },
  { key: "loyal_customers", r: range(2, 5), f: range(3, 5), m: range(3, 5), text: TEXT.loyal_customers },
  { key: "potential_loyalist", r: range(3, 5), f: range(1, 3), m: range(1, 3), text: TEXT.potential_loyalist },
  { key: "new_customers", r: range(4, 5), f: range(1, 1), m: range(1, 1), text: TEXT.new_customers },
  { key: "promising", r: range(3, 4), f: range(1, 1), m: range(1, 1), text: TEXT.promising },
  { key: "need_attention", r: range(2, 3), f: range(2, 3), m: range(2, 3), text: TEXT.need_attention },
  { key: "about_to_sleep", r: range(2, 3), f: range(1, 2), m: range(1, 2), text: TEXT.about_to_sleep },
  { key: "at_risk", r: range(1, 2), f: range(2, 5), m: range(2, 5), text: TEXT.at_risk },
  { key: "cant_lose_them", r: range(1, 1), f: range(4, 5), m: range(4, 5), text: TEXT.cant_lose_them },
  { key: "lost", r: range(1, 2), f: range(1, 2), m: range(1, 2), text: TEXT.lost },
];

/** Texts for any segment key known to the built-in tables (plus "hibernating" and "others"). */
export function segmentText(key: string, locale: "en" | "fr" = "en", rules: readonly SegmentRule[] = DEFAULT_SEGMENT_RULES): SegmentText {
  const fromRules = rules.find((r) => r.key === key);
  if (fromRules) return fromRules.text[locale];
  if (key === OTHERS_KEY) return OTHERS_TEXT[locale];
  const builtIn = (TEXT as Record<string, { en: SegmentText; fr: SegmentText }>)[key];
  if (builtIn) return builtIn[locale];
  return { name: key, description: "", action: "" };
}

/** Built-in texts by key, for rule editors that add Hibernating or reuse texts. */
export const SEGMENT_TEXTS: Readonly<Record<string, { en: SegmentText; fr: SegmentText }>> = { ...TEXT, [OTHERS_KEY]: OTHERS_TEXT };
