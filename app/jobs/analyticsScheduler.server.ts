// The in-process analytics scheduler: a shop is analysed after sync activity (debounced per
// shop) and every installed shop nightly, at the hour its merchant chose in its own time zone
// (domain/analysisSchedule.ts; 03:00 by default). Runs are serialized: one analysis at a time per
// process (PGlite has a single connection, and a run is CPU-heavy).
import type { PrismaClient } from "@prisma/client";
import { logger } from "~/lib/logger.server";
import { analysisDue, analysisHourOf, localDateKey, msUntilNextTick } from "~/domain/analysisSchedule";
import { listInstalledShopsForSchedule } from "~/models/analyticsShop.server";
import { analyzeShop, type AnalysisSummary } from "~/services/analytics.server";
import { reconcileShopQuietly } from "~/services/backfill.server";

export interface SchedulerOptions {
  prisma: PrismaClient;
  /** Quiet time after the last sync activity before a shop is analysed; default 60 s. 0: at once. */
  debounceMs?: number;
  /** Longest delay under continuous activity; default 10 minutes. */
  maxWaitMs?: number;
  /** Clock (tests): the analysis instant, the debounce and max-wait arithmetic, the nightly wake-ups. */
  clock?: () => Date;
  /** Called when a queued analysis starts and when it ends (summary null: it failed). */
  onRunStart?: (shop: string) => void;
  onRunEnd?: (shop: string, summary: AnalysisSummary | null) => void;
}

interface Scheduler {
  options: Required<Omit<SchedulerOptions, "prisma" | "onRunStart" | "onRunEnd">> & Pick<SchedulerOptions, "prisma" | "onRunStart" | "onRunEnd">;
  debounced: Map<string, { timer: NodeJS.Timeout; firstAt: number }>;
  nightly: NodeJS.Timeout | null;
  /** The local date of each shop's last nightly run: one per day, whatever the wake-ups. */
  lastNightly: Map<string, string>;
}

let scheduler: Scheduler | null = null;
/** Shops scheduled before the scheduler started; analysed once it starts. */
const early = new Set<string>();
const queued = new Set<string>();
/** The shop being analysed now, and since when (for the admin's "recompute now" progress). */
let running: { shop: string; since: Date } | null = null;
let chain: Promise<unknown> = Promise.resolve();

/** A hook's error is logged, never allowed to break the queue. */
function hook(call: () => void) {
  try {
    call();
  } catch (error) {
    logger.error({ err: error }, "analytics: scheduler hook failed");
  }
}

function enqueue(shop: string): void {
  const s = scheduler;
  if (!s) return;
  if (queued.has(shop)) return; // already waiting: that run will see the new data
  queued.add(shop);
  chain = chain.then(async () => {
    queued.delete(shop);
    if (scheduler !== s) return;
    hook(() => s.options.onRunStart?.(shop));
    running = { shop, since: new Date() };
    let summary: AnalysisSummary | null = null;
    try {
      summary = await analyzeShop(s.options.prisma, shop, { now: s.options.clock() });
      logger.info({ shop, timings: summary.timings, customers: summary.customers, lowConfidence: summary.lowConfidence }, "analytics: shop analysed");
    } catch (error) {
      logger.error({ shop, err: error }, "analytics: analysis failed");
    }
    running = null;
    hook(() => s.options.onRunEnd?.(shop, summary));
  });
}

/**
 * Analyse a shop as soon as the queue allows (the admin's "recompute now"). False when no
 * scheduler runs in this process (a deployment whose worker is a separate process).
 */
export function analyzeNow(shop: string): boolean {
  if (!scheduler) return false;
  const entry = scheduler.debounced.get(shop);
  if (entry) {
    clearTimeout(entry.timer);
    scheduler.debounced.delete(shop);
  }
  enqueue(shop);
  return true;
}

/** Where a shop's analysis stands in this process: queued, running (since when) or idle. */
export function analysisState(shop: string): { state: "queued" | "running" | "idle"; since: string | null; available: boolean } {
  if (running?.shop === shop) return { state: "running", since: running.since.toISOString(), available: true };
  if (queued.has(shop)) return { state: "queued", since: null, available: scheduler !== null };
  return { state: "idle", since: null, available: scheduler !== null };
}

/**
 * Sync activity for a shop: analyse it once activity has been quiet for `debounceMs`, or
 * `maxWaitMs` after the first unanalysed event at the latest. A run that is due now is queued
 * at once, behind a running analysis.
 */
export function scheduleAnalysis(shop: string): void {
  const s = scheduler;
  if (!s) {
    early.add(shop);
    return;
  }
  const nowMs = s.options.clock().getTime();
  const entry = s.debounced.get(shop);
  const firstAt = entry?.firstAt ?? nowMs;
  if (entry) clearTimeout(entry.timer);
  const delay = Math.max(0, Math.min(s.options.debounceMs, firstAt + s.options.maxWaitMs - nowMs));
  if (delay === 0) {
    s.debounced.delete(shop);
    enqueue(shop);
    return;
  }
  const timer = setTimeout(() => {
    s.debounced.delete(shop);
    enqueue(shop);
  }, delay);
  timer.unref?.();
  s.debounced.set(shop, { timer, firstAt });
}

function armNightly(s: Scheduler) {
  const delay = msUntilNextTick(s.options.clock());
  s.nightly = setTimeout(async () => {
    try {
      const at = s.options.clock();
      for (const shop of await listInstalledShopsForSchedule(s.options.prisma)) {
        if (!analysisDue(at, shop.timeZone, analysisHourOf(shop.settings))) continue;
        const day = localDateKey(at, shop.timeZone);
        if (s.lastNightly.get(shop.domain) === day) continue;
        s.lastNightly.set(shop.domain, day);
        // What the webhooks missed since last night, before the nightly analysis (ADR 010).
        await reconcileShopQuietly(s.options.prisma, shop.domain);
        enqueue(shop.domain);
      }
    } catch (error) {
      logger.error({ err: error }, "analytics: nightly run could not list shops");
    }
    if (scheduler === s) armNightly(s);
  }, delay);
  s.nightly.unref?.();
}

export function startAnalyticsScheduler(options: SchedulerOptions): void {
  if (scheduler) return;
  scheduler = {
    options: {
      prisma: options.prisma,
      debounceMs: options.debounceMs ?? 60_000,
      maxWaitMs: options.maxWaitMs ?? 600_000,
      clock: options.clock ?? (() => new Date()),
      onRunStart: options.onRunStart,
      onRunEnd: options.onRunEnd,
    },
    debounced: new Map(),
    nightly: null,
    lastNightly: new Map(),
  };
  armNightly(scheduler);
  for (const shop of early) scheduleAnalysis(shop);
  early.clear();
}

/** Stops the timers and waits for a running analysis to finish. */
export async function stopAnalyticsScheduler(): Promise<void> {
  const s = scheduler;
  if (!s) return;
  scheduler = null;
  for (const { timer } of s.debounced.values()) clearTimeout(timer);
  s.debounced.clear();
  if (s.nightly) clearTimeout(s.nightly);
  queued.clear();
  early.clear();
  await chain.catch(() => undefined);
}
