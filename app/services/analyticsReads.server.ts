// Reads of the stored analysis for the admin pages: the latest KPI snapshots with the models
// and cohorts of that day, and the segments with their trend and movements.
import type { StoredKpis } from "~/domain/analysisKpis";
import type { Cohort } from "~/domain/cohorts";
import type { KpiComparison } from "~/domain/kpis";
import { currencyExponent } from "~/domain/money";
import type { ModelSummary } from "~/domain/predictions";
import type { RangeKind } from "~/domain/ranges";
import { latestKpiSnapshots, segmentSnapshotsSince, segmentTransitions } from "~/models/analytics.server";

const DAY_MS = 86_400_000;

/** The latest KPIs (one entry per range kind, current and previous), models and cohorts. */
export async function getLatestKpis(shop: string) {
  const latest = await latestKpiSnapshots(shop);
  if (!latest) return null;
  const { analysis, kpis } = latest;
  return {
    date: analysis.date.toISOString().slice(0, 10),
    computedAt: analysis.computedAt.toISOString(),
    lowConfidence: analysis.lowConfidence,
    confidenceNotes: analysis.confidenceNotes,
    model: analysis.model as unknown as ModelSummary,
    cohorts: analysis.cohorts as unknown as Cohort[],
    ranges: kpis.map((k) => ({
      rangeKind: k.rangeKind as RangeKind,
      from: k.rangeFrom.toISOString(),
      to: k.rangeTo.toISOString(),
      currency: k.currency,
      current: k.current as unknown as StoredKpis,
      previous: k.previous as unknown as StoredKpis,
      comparison: k.comparison as unknown as KpiComparison,
    })),
  };
}

/**
 * Segments for the segments page: the latest day's totals, the trend over the last `days`
 * analysed days, and where the customers who changed segment in that time came from (the
 * movement matrix).
 */
export async function getSegmentSummary(shop: string, opts: { days?: number } = {}) {
  const days = opts.days ?? 90;
  const latest = await latestKpiSnapshots(shop);
  if (!latest) return null;
  // Snapshot dates are calendar dates stored at UTC midnight: whole days apart.
  const since = new Date(latest.analysis.date.getTime() - (days - 1) * DAY_MS);
  const snapshots = await segmentSnapshotsSince(shop, since);
  const latestDate = latest.analysis.date.getTime();
  const toRow = (s: (typeof snapshots)[number]) => ({
    segment: s.segment,
    customers: s.customers,
    orders: s.orders,
    // Exact decimal (Prisma Decimal), in the currency's own decimals.
    revenue: s.revenue.toFixed(currencyExponent(s.currency)),
    currency: s.currency,
    movedIn: s.movedIn as Record<string, number>,
  });
  return {
    date: latest.analysis.date.toISOString().slice(0, 10),
    segments: snapshots.filter((s) => s.date.getTime() === latestDate).map(toRow),
    trend: snapshots.map((s) => ({ date: s.date.toISOString().slice(0, 10), ...toRow(s) })),
    transitions: await segmentTransitions(shop, since),
  };
}
