// The dashboard (/app): KPIs of a period against a comparison period, their history
// (sparklines), revenue and orders over time, the segment distribution, what needs attention and
// the analysis's freshness. Presets read the stored KPI snapshots and the stored daily series; a
// custom period, or a comparison with the year before that no stored snapshot covers, is computed
// on demand by kpisForRange (one aggregate of the shop's orders).
import type { StoredKpis } from "~/domain/analysisKpis";
import type { DailyPoint } from "~/domain/analysisExtras";
import { resolvePeriod, type ResolvedPeriod } from "~/domain/periods";
import { spanDays, type DaySpan } from "~/domain/ranges";
import { dayLabel, parseDayLabel } from "~/domain/time";
import { analysisState } from "~/jobs/analyticsScheduler.server";
import { prisma } from "~/lib/db.server";
import {
  kpiSnapshotOn,
  kpiSnapshotsBetween,
  latestAnalysisParts,
  movesBetweenSegments,
  customersWithMetrics,
  segmentSnapshotsBetween,
  shopDisplay,
} from "~/models/insightReads.server";
import { kpisForRange } from "./analytics.server";

export { PeriodError } from "~/domain/periods";

/** The KPI cards, in order. `better`: which direction is good news. */
export const KPI_CARDS = [
  { key: "netRevenue", format: "money", better: "up" },
  { key: "orders", format: "count", better: "up" },
  { key: "averageOrderValue", format: "money", better: "up" },
  { key: "newCustomers", format: "count", better: "up" },
  { key: "returningCustomers", format: "count", better: "up" },
  { key: "repeatPurchaseRate", format: "percent", better: "up" },
  { key: "retentionRate", format: "percent", better: "up" },
  { key: "churnRate", format: "percent", better: "down" },
  { key: "historicalClv", format: "money", better: "up" },
  { key: "predictedClv12m", format: "money", better: "up" },
  { key: "cartAbandonmentRate", format: "percent", better: "down" },
  { key: "cac", format: "money", better: "down" },
  { key: "ltvToCac", format: "ratio", better: "up" },
  { key: "nps", format: "score", better: "up" },
] as const;
export type KpiKey = (typeof KPI_CARDS)[number]["key"];

/** Segments a merchant does not want to lose, and those that mean a customer is slipping away. */
const VALUABLE = ["champions", "loyal_customers", "potential_loyalist"];
const SLIPPING = ["at_risk", "cant_lose_them", "need_attention", "about_to_sleep", "hibernating", "lost"];
const DAY_MS = 86_400_000;

const asDate = (label: string) => new Date(`${label}T00:00:00Z`);

function pick(kpis: StoredKpis, key: KpiKey): number | null {
  const v = kpis[key as keyof StoredKpis];
  return typeof v === "number" && Number.isFinite(v) ? v : null;
}

/**
 * Daily points of a span (the stored series covers two years); past 92 days, weekly sums of the
 * weeks that end on the span's last day, so that the latest point is a whole week (only the
 * oldest one may be shorter) and the points add up to the period's total. Each point is dated by
 * its first day.
 */
export function seriesOf(daily: readonly DailyPoint[], span: DaySpan): { date: string; orders: number; netRevenue: number }[] {
  const byDate = new Map(daily.map((d) => [d.date, d]));
  const step = spanDays(span) > 92 ? 7 : 1;
  const out: { date: string; orders: number; netRevenue: number }[] = [];
  for (let end = span.last; end >= span.first; end -= step) {
    const start = Math.max(span.first, end - step + 1);
    let orders = 0;
    let net = 0;
    for (let k = start; k <= end; k++) {
      const p = byDate.get(dayLabel(k));
      if (p) {
        orders += p.orders;
        net += p.netRevenue;
      }
    }
    out.push({ date: dayLabel(start), orders, netRevenue: Math.round(net * 100) / 100 });
  }
  return out.reverse();
}

export async function getDashboard(shop: string, params: URLSearchParams) {
  const db = prisma();
  const [display, latest] = await Promise.all([shopDisplay(db, shop), latestAnalysisParts(db, shop, { extras: ["daily"] })]);
  const status = analysisState(shop);
  if (!display || !latest) return { state: "empty" as const, shop: display, status };
  const today = parseDayLabel(latest.date.toISOString().slice(0, 10));
  const period: ResolvedPeriod = resolvePeriod(params, today);
  const extras = latest.extras;

  // KPIs of the period and of the comparison period.
  let current: StoredKpis;
  let comparison: StoredKpis | null;
  let computedOnDemand = false;
  const range = (s: DaySpan) => ({ from: dayLabel(s.first), to: dayLabel(s.last) });
  const stored = period.rangeKind ? await kpiSnapshotOn(db, shop, period.rangeKind, latest.date) : null;
  if (stored) {
    current = stored.current as unknown as StoredKpis;
    if (period.compare === "previous") comparison = stored.previous as unknown as StoredKpis;
    else {
      const yearAgo = await kpiSnapshotOn(db, shop, period.rangeKind!, asDate(dayLabel(period.comparison.last)));
      if (yearAgo) comparison = yearAgo.current as unknown as StoredKpis;
      else {
        comparison = (await kpisForRange(db, shop, range(period.comparison))).current;
        computedOnDemand = true;
      }
    }
  } else {
    const result = await kpisForRange(db, shop, range(period.current));
    current = result.current;
    comparison = period.compare === "previous" ? result.previous : (await kpisForRange(db, shop, range(period.comparison))).current;
    computedOnDemand = true;
  }

  // Sparklines: the stored daily series for the amounts and counts of orders; the KPI
  // snapshots of earlier analyses (same range kind) for the others.
  const history = period.rangeKind
    ? await kpiSnapshotsBetween(db, shop, period.rangeKind, new Date(latest.date.getTime() - 180 * DAY_MS), latest.date)
    : [];
  const series = extras ? seriesOf(extras.daily, period.current) : [];
  const comparisonSeries = extras ? seriesOf(extras.daily, period.comparison) : [];
  const kpis = KPI_CARDS.map((card) => {
    const value = pick(current, card.key);
    const previous = comparison ? pick(comparison, card.key) : null;
    let spark: number[] = [];
    if (card.key === "netRevenue") spark = series.map((p) => p.netRevenue);
    else if (card.key === "orders") spark = series.map((p) => p.orders);
    else if (history.length > 1)
      spark = history.map((h) => pick(h.current as unknown as StoredKpis, card.key)).filter((v): v is number => v !== null);
    return { ...card, value, previous, change: value !== null && previous !== null ? value - previous : null, spark };
  });

  // Segment distribution and what changed in the last 30 days.
  const since = new Date(latest.date.getTime() - 30 * DAY_MS);
  const snapshots = await segmentSnapshotsBetween(db, shop, since, latest.date);
  const latestKey = latest.date.getTime();
  const today30 = snapshots.filter((s) => s.date.getTime() === latestKey);
  const firstDate = snapshots.length ? snapshots[0].date.getTime() : latestKey;
  const before = new Map(snapshots.filter((s) => s.date.getTime() === firstDate).map((s) => [s.segment, s.customers]));
  const shrank =
    firstDate === latestKey
      ? []
      : today30
          .map((s) => ({ segment: s.segment, before: before.get(s.segment) ?? 0, now: s.customers }))
          .filter((s) => VALUABLE.includes(s.segment) && s.now < s.before)
          .sort((a, b) => b.before - b.now - (a.before - a.now));
  const moves = await movesBetweenSegments(db, shop, {
    from: since,
    to: new Date(latest.computedAt.getTime() + 1),
    fromSegments: VALUABLE,
    toSegments: SLIPPING,
    take: 200,
  });
  const movedIds = [...new Set(moves.map((m) => m.customerId))];
  const people = await customersWithMetrics(db, shop, movedIds.slice(0, 5));
  const byId = new Map(people.map((p) => [p.id, p]));
  const slipping = movedIds.slice(0, 5).flatMap((id) => {
    const p = byId.get(id);
    const move = moves.find((m) => m.customerId === id)!;
    if (!p) return [];
    const name = [p.profile?.firstName, p.profile?.lastName].filter(Boolean).join(" ") || p.profile?.email || null;
    return [
      {
        shopifyId: p.shopifyId,
        name,
        from: move.fromSegment,
        to: move.toSegment,
        pAlive: p.metrics?.pAlive ?? null,
        monetary: p.metrics ? p.metrics.monetary.toString() : null,
      },
    ];
  });

  return {
    state: "ready" as const,
    shop: display,
    status,
    analysis: { date: dayLabel(today), computedAt: latest.computedAt.toISOString(), lowConfidence: latest.lowConfidence },
    period: {
      period: period.period,
      compare: period.compare,
      from: dayLabel(period.current.first),
      to: dayLabel(period.current.last),
      comparisonFrom: dayLabel(period.comparison.first),
      comparisonTo: dayLabel(period.comparison.last),
      computedOnDemand,
    },
    kpis,
    series,
    comparisonSeries,
    segments: today30.map((s) => ({ segment: s.segment, customers: s.customers, revenue: s.revenue.toString() })),
    attention: {
      slippingCount: movedIds.length,
      slipping,
      shrank,
      atRisk: latest.atRiskCount ?? 0,
      sinceDate: dayLabel(today - 30),
    },
  };
}

/** For the "recompute now" progress: where the analysis stands and when the last one ran. */
export async function getAnalysisStatus(shop: string) {
  const latest = await latestAnalysisParts(prisma(), shop, {});
  return { ...analysisState(shop), computedAt: latest ? latest.computedAt.toISOString() : null };
}

/** "Recompute now": queue the shop's analysis in this process (false: no scheduler runs here). */
export { analyzeNow as requestRecompute } from "~/jobs/analyticsScheduler.server";
