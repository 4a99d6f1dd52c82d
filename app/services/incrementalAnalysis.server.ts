// Incremental analysis (ADR 007): when a webhook changes a customer's orders, that customer's
// CustomerMetrics row is recomputed at once against the last full run's frozen RFM breakpoints,
// rule table and model parameters, instead of waiting for the next full run. The nightly (and
// debounced) full run stays the source of truth: it refits everything and rewrites every row.
import type { PrismaClient } from "@prisma/client";
import { scoreWithFrozen, type FrozenScoring } from "~/domain/incremental";
import { currencyExponent } from "~/domain/money";
import type { ModelSummary } from "~/domain/predictions";
import { OTHERS_KEY } from "~/domain/rfm";
import { startOfDayNumber, zonedCalendar } from "~/domain/time";
import { inTransaction, type Db } from "~/lib/transaction.server";
import {
  aggregateCustomers,
  customerIdsByShopifyId,
  customerIdsOfOrders,
  deleteCustomerMetricsOf,
  latestFrozenAnalysis,
  writeCustomerMetricsBatch,
} from "~/models/analytics.server";
import { findAnalyticsShop } from "~/models/analyticsShop.server";
import { customerMetricsBatch } from "~/services/analytics.server";

export interface RefreshResult {
  /** "no-analysis": no full run with frozen scoring yet (the scheduled full run will cover it). */
  status: "refreshed" | "no-analysis" | "nothing";
  /** CustomerMetrics rows written, and rows removed (customers without counted orders). */
  updated: number;
  removed: number;
  /** Customers who changed segment (from null: first metrics row). */
  moves: { from: string | null; to: string; customers: number }[];
}

/**
 * Recomputes the CustomerMetrics rows of `customerIds` as of `now`, in one transaction: their
 * order aggregate (the full run's definitions), scores and predictions against the frozen
 * scoring of the shop's latest full analysis. Customers left without counted orders lose their
 * row. Segment moves are recorded as the full run records them (previousSegment,
 * segmentChangedAt, SegmentMove). Does nothing before the first full run.
 */
export async function refreshCustomerMetrics(prisma: PrismaClient, shop: string, customerIds: readonly number[], now: Date): Promise<RefreshResult> {
  const ids = [...new Set(customerIds)].sort((a, b) => a - b);
  if (!ids.length) return { status: "nothing", updated: 0, removed: 0, moves: [] };
  return inTransaction(prisma, async (tx) => {
    const frozen = await latestFrozenAnalysis(tx, shop);
    const shopRow = await findAnalyticsShop(tx, shop);
    if (!frozen?.scoring || !shopRow) return { status: "no-analysis", updated: 0, removed: 0, moves: [] };
    const scoring = frozen.scoring as unknown as FrozenScoring;
    const { timeZone, currency } = shopRow;
    const today = zonedCalendar(timeZone).dayNumber(now.getTime());
    const { customers: agg } = await aggregateCustomers(tx, shop, { timeZone, now, windows: [], cohortFromMonth: 2 ** 30, customerIds: ids });
    const kept = new Set(agg.customerId);
    const removed = await deleteCustomerMetricsOf(
      tx,
      shop,
      ids.filter((id) => !kept.has(id)),
    );
    if (!agg.count) return { status: "refreshed", updated: 0, removed, moves: [] };

    const { scored, predictions } = scoreWithFrozen(agg, scoring, frozen.model as unknown as ModelSummary, today, now);
    const segmentNames = [...scoring.rules.map((r) => r.key), OTHERS_KEY];
    const batch = customerMetricsBatch(
      agg,
      scored,
      predictions,
      new Map(segmentNames.map((key, i) => [key, i])),
      currencyExponent(currency),
      0,
      agg.count,
    );
    const groups = await writeCustomerMetricsBatch(
      tx,
      shop,
      {
        currency,
        lowConfidence: frozen.lowConfidence,
        computedAt: now,
        startOfToday: startOfDayNumber(today, timeZone),
        segmentNames,
        source: "incremental",
      },
      batch,
    );
    const moves = groups.filter((g) => g.moved).map(({ from, to, customers }) => ({ from, to, customers }));
    return { status: "refreshed", updated: agg.count, removed, moves };
  });
}

/** Topics after which the customers involved get their metrics refreshed. */
const ORDER_TOPICS = new Set(["orders/create", "orders/updated", "orders/cancelled", "orders/paid", "orders/delete"]);

function idOf(payload: unknown, key: "id" | "order_id"): string | null {
  const v = payload && typeof payload === "object" ? (payload as Record<string, unknown>)[key] : undefined;
  return typeof v === "string" || typeof v === "number" ? String(v) : null;
}

/**
 * The customers (internal ids) whose orders an event involves, as stored now: call it inside the
 * event's transaction before applying it (an order's previous customer, a deleted order's
 * customer) and after (a new order's customer). Payloads are raw; unreadable ones involve no one.
 */
export async function customersOfEvent(db: Db, shop: string, topic: string, payloads: readonly unknown[]): Promise<number[]> {
  const wanted = (key: "id" | "order_id") => payloads.map((p) => idOf(p, key)).filter((id): id is string => id !== null);
  if (ORDER_TOPICS.has(topic)) return customerIdsOfOrders(db, shop, wanted("id"));
  if (topic === "refunds/create") return customerIdsOfOrders(db, shop, wanted("order_id"));
  if (topic === "customers/delete") return customerIdsByShopifyId(db, shop, wanted("id"));
  return [];
}
