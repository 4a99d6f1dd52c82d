// "Recompute now" from the admin (after a rule change, or on request): one full analysis of the
// shop in this process, its progress kept in memory for the settings page to poll. One run per
// shop at a time; a request while one runs joins it.
import { prisma } from "~/lib/db.server";
import { logger } from "~/lib/logger.server";
import { analyzeShop } from "./analytics.server";

/** The analysis's stages, in order (analytics.server.ts Stopwatch laps). */
export const RECOMPUTE_STAGES = ["load", "aggregate", "rfm", "fit", "predict", "kpis", "cohorts", "write"] as const;

export interface RecomputeStatus {
  state: "idle" | "running" | "done" | "failed";
  /** Stages finished, 0..8. */
  done: number;
  total: number;
  startedAt: string | null;
  finishedAt: string | null;
}

const runs = new Map<string, RecomputeStatus>();

export function recomputeStatus(shop: string): RecomputeStatus {
  return runs.get(shop) ?? { state: "idle", done: 0, total: RECOMPUTE_STAGES.length, startedAt: null, finishedAt: null };
}

export function startRecompute(shop: string): RecomputeStatus {
  const current = runs.get(shop);
  if (current?.state === "running") return current;
  const status: RecomputeStatus = {
    state: "running",
    done: 0,
    total: RECOMPUTE_STAGES.length,
    startedAt: new Date().toISOString(),
    finishedAt: null,
  };
  runs.set(shop, status);
  const onStage = (stage: string) => {
    const index = RECOMPUTE_STAGES.indexOf(stage as (typeof RECOMPUTE_STAGES)[number]);
    if (index >= 0) status.done = Math.max(status.done, index + 1);
  };
  analyzeShop(prisma(), shop, { now: new Date(), onStage }).then(
    () => {
      status.state = "done";
      status.done = status.total;
      status.finishedAt = new Date().toISOString();
    },
    (error: unknown) => {
      status.state = "failed";
      status.finishedAt = new Date().toISOString();
      logger.error({ shop, err: error }, "recompute from the admin failed");
    },
  );
  return status;
}
