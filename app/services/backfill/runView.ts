// A run of the Admin API jobs as the admin and the CLI see it (from a BackfillRun row).
import type { WebhookCheck } from "~/domain/webhookSubscriptions";
import type { latestRun, RunKind } from "~/models/backfillRun.server";

export const PHASES = ["products", "customers", "orders"] as const;
export type Phase = (typeof PHASES)[number];

export interface PhaseProgress {
  done: number;
  total: number | null;
}
export interface PhaseCounts {
  /** Objects not stored before (missing). */
  created: number;
  /** Objects stored with an older version (stale), now replaced. */
  updated: number;
  /** Objects already stored as they are in Shopify (or newer, from a webhook): left alone. */
  unchanged: number;
}

export interface RunView {
  id: number;
  shop: string;
  kind: RunKind;
  status: "running" | "completed" | "failed";
  phase: string;
  progress: Partial<Record<Phase, PhaseProgress>>;
  counts: Partial<Record<Phase, PhaseCounts>>;
  ordersLimited: boolean;
  /** Reconciliation only: the webhook subscriptions check (null when not run or not answered). */
  webhookCheck: WebhookCheck | null;
  error: string | null;
  startedAt: string;
  finishedAt: string | null;
  since: string | null;
}

type RunRow = NonNullable<Awaited<ReturnType<typeof latestRun>>>;

export function runView(row: RunRow): RunView {
  return {
    id: row.id,
    shop: row.shop,
    kind: row.kind as RunKind,
    status: row.status as RunView["status"],
    phase: row.phase,
    progress: (row.progress ?? {}) as RunView["progress"],
    counts: (row.counts ?? {}) as RunView["counts"],
    ordersLimited: row.ordersLimited,
    webhookCheck: (row.webhookCheck ?? null) as WebhookCheck | null,
    error: row.error,
    startedAt: row.startedAt.toISOString(),
    finishedAt: row.finishedAt?.toISOString() ?? null,
    since: row.since?.toISOString() ?? null,
  };
}
