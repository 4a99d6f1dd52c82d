// Drains the webhook inbox at least once. Each event is applied and marked processed in one
// transaction, so an event's effects are committed exactly once even when a worker dies
// between its claim and its commit (the claim's lease runs out and another worker takes it).
import { randomUUID } from "node:crypto";
import os from "node:os";
import { z } from "zod";
import { logger } from "~/lib/logger.server";
import { inTransaction, type DbClient, type Tx } from "~/lib/transaction.server";
import { livenessWorkerId, WORKER_LOCK_CLASS, type WorkerLiveness } from "~/lib/workerLiveness.server";
import {
  claimEvents,
  lockOwnedEvent,
  lockOwnedEvents,
  markFailed,
  markManyProcessed,
  markProcessed,
  releaseAllClaims,
  releaseClaimsOfDeadWorkers,
  type ClaimedEvent,
} from "~/models/webhookEvent.server";
import { customersOfEvent, refreshCustomerMetrics } from "~/services/incrementalAnalysis.server";
import { describeZodError } from "~/lib/shopifyPayloads";
import { RetryableSyncError } from "~/services/sync.server";
import {
  applyWebhookBatch,
  applyWebhookEvent,
  batchFamily,
  parseForBatch,
  PermanentEventError,
  type BatchFamily,
} from "~/services/webhookProcessor.server";
import { deliveryRate, letDeliveriesIn, onWorkRequested } from "./signals.server";

export interface WorkerOptions {
  prisma: DbClient;
  workerId?: string;
  batchSize?: number;
  /** How often an idle worker looks for due events (new events also wake it in-process). */
  pollMs?: number;
  /** A claim older than this is considered abandoned (its worker died) and is taken again. */
  leaseMs?: number;
  /** After this many attempts an event is dead (kept, with its last error, for a person). */
  maxAttempts?: number;
  /** Backoff before attempt n+1: baseDelayMs × 2^(n−1), capped, with ±20 % jitter. */
  baseDelayMs?: number;
  maxDelayMs?: number;
  clock?: () => Date;
  /**
   * In the web server's process with PGlite (one connection, one thread, shared with the
   * acknowledgements): before each batch and before its refresh, the deliveries in flight are
   * answered first, for a time set by the worker's share of the thread (letIngestionIn; at
   * most maxYieldMs, default 2 s), and batches are sized to cost about `sliceMs` of CPU
   * (default 100, up to twice that while lagging: sliceFor; between minBatchSize 5 and
   * maxBatchSize 250 events, starting at batchSize). Otherwise batches are `batchSize`
   * (default 25).
   */
  yieldToIngestion?: boolean;
  maxYieldMs?: number;
  sliceMs?: number;
  /**
   * Deliveries per second above which the thread cannot answer them and keep up with their
   * events too (≈1 ms of CPU per acknowledgement and ≈1 ms per event on PGlite,
   * bench/webhooks/worker-cost.ts): the worker then steps aside as long as the burst lasts
   * (at most maxYieldMs at a time, then one batch of minBatchSize), and catches up after it.
   * Default 300.
   */
  burstRate?: number;
  /** Acknowledgements slower than this to come back make the worker halve its share. */
  ackBudgetMs?: number;
  minBatchSize?: number;
  maxBatchSize?: number;
  /** Called after a committed event that changes what analytics read. */
  onApplied?: (event: { shop: string; topic: string }) => void;
  /**
   * After an order, refund or customer deletion commits, recompute the CustomerMetrics of the
   * customers involved against the last full run's frozen scoring (ADR 007); default true.
   */
  incremental?: boolean;
  /**
   * How dead workers' claims are found without waiting for their lease (ADR 006): PGlite
   * releases every claim when the worker starts; PostgreSQL workers hold an advisory lock and
   * release the claims of workers whose lock is gone. Without it, only the lease applies.
   */
  liveness?: WorkerLiveness;
  /** PostgreSQL: how often to look for dead workers' claims. */
  recoverEveryMs?: number;
}

/** Counters since the worker was made: where its time goes (benchmarks, tests). */
export interface WorkerStats {
  batches: number;
  /** Events claimed. */
  events: number;
  /** Milliseconds in claims, in applying (event transactions), in metric refreshes. */
  claimMs: number;
  applyMs: number;
  refreshMs: number;
  /** Refresh transactions, and the customers they covered. */
  refreshes: number;
  refreshedCustomers: number;
  /** Turns given to ingestion, and the deliveries in flight that were let finish. */
  turns: number;
  deliveriesLetIn: number;
  /** The largest batch the worker asked for. */
  largestBatch: number;
  /** Times the worker stepped aside for a burst of deliveries above burstRate. */
  burstWaits: number;
  /** The worker's current share of the thread while deliveries come in (yieldToIngestion). */
  share: number;
}

const MIN_SHARE = 0.05;
const MAX_SHARE = 0.8;

/** Customers whose metrics a batch's events changed, per shop: refreshed once per batch. */
type Touched = Map<string, number[]>;

/**
 * Batch sizes for a worker sharing the thread with acknowledgements: one batch (claim, apply,
 * refresh) should hold the thread about `sliceMs`. A batch that took longer shrinks the next
 * in proportion; a full batch that took less grows it (at most ×2 at a time). Not-full batches
 * say nothing about a larger one's cost, so they only ever shrink it.
 */
export class BatchSizer {
  private current: number;
  constructor(
    readonly sliceMs: number,
    readonly min: number,
    readonly max: number,
    initial: number,
  ) {
    this.current = Math.min(max, Math.max(min, initial));
  }

  size(): number {
    return this.current;
  }

  /** A batch of `events` cost `ms`; the next should cost about `sliceMs` (default: the constructor's). */
  observe(events: number, ms: number, sliceMs = this.sliceMs): void {
    if (events <= 0 || ms <= 0) return;
    const full = events >= this.current;
    if (ms <= sliceMs && !full) return;
    const scaled = Math.floor(events * Math.min(2, sliceMs / ms));
    this.current = Math.min(this.max, Math.max(this.min, ms > sliceMs ? Math.min(this.current, scaled) : Math.max(this.current, scaled)));
  }
}

/**
 * The slice for the next batch: `sliceMs` while the worker keeps up; when the batch's oldest
 * event had waited more than a second, up to twice longer in proportion. Larger batches cost
 * less per event (fewer statements per event), so a lagging worker catches up, at the price of
 * acknowledgements waiting up to one longer slice. Acknowledgements are traded only when
 * freshness is at risk.
 */
export function sliceFor(sliceMs: number, oldestWaitMs: number): number {
  return sliceMs * Math.min(2, Math.max(1, oldestWaitMs / 1000));
}

export interface DrainResult {
  processed: number;
  retried: number;
  dead: number;
  skipped: number;
}

/** CPU time of this process (all threads), in milliseconds. */
function cpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

export function backoffDelay(attempt: number, baseDelayMs: number, maxDelayMs: number, random = Math.random): number {
  const raw = Math.min(maxDelayMs, baseDelayMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(raw * (0.8 + 0.4 * random()));
}

/** Splits a claimed batch into runs of consecutive batchable events of one shop and kind. */
export function groupEvents(events: ClaimedEvent[]): { family: BatchFamily | null; events: ClaimedEvent[] }[] {
  const groups: { family: BatchFamily | null; shop: string; events: ClaimedEvent[] }[] = [];
  for (const event of events) {
    const family = batchFamily(event.topic);
    const last = groups[groups.length - 1];
    if (family && last && last.family === family && last.shop === event.shop) last.events.push(event);
    else groups.push({ family, shop: event.shop, events: [event] });
  }
  return groups;
}

export class WebhookWorker {
  readonly workerId: string;
  private readonly prisma: DbClient;
  private readonly batchSize: number;
  private readonly pollMs: number;
  private readonly leaseMs: number;
  private readonly maxAttempts: number;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly clock: () => Date;
  private readonly onApplied?: WorkerOptions["onApplied"];
  private readonly incremental: boolean;
  private readonly yieldToIngestion: boolean;
  private readonly maxYieldMs: number;
  private readonly burstRate: number;
  private readonly sizer: BatchSizer | null;
  private readonly ackBudgetMs: number;
  /** The worker's share of the thread while deliveries are coming in (yieldToIngestion). */
  private share = 0.5;
  readonly stats: WorkerStats = {
    batches: 0,
    events: 0,
    claimMs: 0,
    applyMs: 0,
    refreshMs: 0,
    refreshes: 0,
    refreshedCustomers: 0,
    turns: 0,
    deliveriesLetIn: 0,
    largestBatch: 0,
    burstWaits: 0,
    share: 0.5,
  };
  private running = false;
  private loop: Promise<void> | null = null;
  private wake: (() => void) | null = null;
  /** A wake-up that arrived while draining: drain again instead of sleeping. */
  private wakeRequested = false;
  private unsubscribe: (() => void) | null = null;
  private readonly liveness: WorkerLiveness | null;
  private readonly recoverEveryMs: number;
  private lastRecovery: number | null = null;

  constructor(options: WorkerOptions) {
    this.prisma = options.prisma;
    this.liveness = options.liveness ?? null;
    this.recoverEveryMs = options.recoverEveryMs ?? 5_000;
    this.workerId = livenessWorkerId(options.workerId ?? `${os.hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`, this.liveness);
    // Small batches keep each transaction short: with PGlite, webhook acknowledgements wait
    // for the open transaction (one connection).
    this.batchSize = options.batchSize ?? 25;
    this.pollMs = options.pollMs ?? 1000;
    this.leaseMs = options.leaseMs ?? 5 * 60_000;
    this.maxAttempts = options.maxAttempts ?? 8;
    this.baseDelayMs = options.baseDelayMs ?? 10_000;
    this.maxDelayMs = options.maxDelayMs ?? 60 * 60_000;
    this.clock = options.clock ?? (() => new Date());
    this.onApplied = options.onApplied;
    this.incremental = options.incremental ?? true;
    this.yieldToIngestion = options.yieldToIngestion ?? false;
    this.maxYieldMs = options.maxYieldMs ?? 2_000;
    this.burstRate = options.burstRate ?? 300;
    this.ackBudgetMs = options.ackBudgetMs ?? 150;
    this.sizer = this.yieldToIngestion
      ? new BatchSizer(options.sliceMs ?? 100, options.minBatchSize ?? 5, options.maxBatchSize ?? 250, options.batchSize ?? 25)
      : null;
  }

  /**
   * Releases claims whose worker died, so they are applied now rather than after the lease:
   * on PGlite once, at start (this process is the only one); on PostgreSQL, after taking our
   * own liveness lock, those of workers whose lock is gone, at most every recoverEveryMs.
   */
  async recoverOrphanedClaims(): Promise<number> {
    if (!this.liveness) return 0;
    const nowMs = Date.now();
    if (this.liveness.kind === "pglite" && this.lastRecovery !== null) return 0;
    if (this.lastRecovery !== null && nowMs - this.lastRecovery < this.recoverEveryMs) return 0;
    await this.liveness.hold();
    this.lastRecovery = nowMs;
    const released =
      this.liveness.kind === "pglite"
        ? await releaseAllClaims(this.prisma, this.clock())
        : await releaseClaimsOfDeadWorkers(this.prisma, WORKER_LOCK_CLASS, this.clock());
    if (released) logger.warn({ worker: this.workerId, released }, "released the claims of a worker that died");
    return released;
  }

  /** Claims and processes events until none is due. */
  async drain(): Promise<DrainResult> {
    const total: DrainResult = { processed: 0, retried: 0, dead: 0, skipped: 0 };
    await this.recoverOrphanedClaims();
    /** Wall time of the worker's last hold of the thread (claim and apply, or refresh). */
    let held = 0;
    for (;;) {
      // Never an open-ended wait for a lull (a steady stream has none): the deliveries in
      // flight go first, then one batch sized to hold the thread about a slice.
      const burst = this.yieldToIngestion && (await this.stepAsideDuringBurst());
      if (this.yieldToIngestion && !burst) await this.letIngestionIn(held);
      const limit = burst ? this.sizer!.min : (this.sizer?.size() ?? this.batchSize);
      this.stats.largestBatch = Math.max(this.stats.largestBatch, limit);
      // The slice is measured in this process's CPU time: on a machine loaded by others, wall
      // time would shrink batches (and raise the cost per event) just when CPU is scarce.
      const cpuBefore = cpuMs();
      const started = performance.now();
      const batch = await claimEvents(this.prisma, this.workerId, limit, this.leaseMs, this.clock());
      this.stats.claimMs += performance.now() - started;
      if (!batch.length) return total;
      this.stats.batches++;
      this.stats.events += batch.length;
      const touched: Touched = new Map();
      const applying = performance.now();
      for (const group of groupEvents(batch)) {
        if (group.family && group.events.length > 1) {
          const outcome = await this.processGroup(group.family, group.events, touched);
          for (const key of Object.keys(total) as (keyof DrainResult)[]) total[key] += outcome[key];
        } else {
          for (const event of group.events) total[await this.processOne(event, touched)]++;
        }
      }
      this.stats.applyMs += performance.now() - applying;
      held = performance.now() - started;
      let cpu = cpuMs() - cpuBefore;
      if (touched.size) {
        // Acknowledgements go between the batch's transactions too.
        if (this.yieldToIngestion) await this.letIngestionIn(held);
        const refreshing = performance.now();
        const refreshCpu = cpuMs();
        // One refresh per shop for the whole batch, after its events committed.
        for (const [shop, customers] of touched) await this.refreshMetrics(shop, customers);
        cpu += cpuMs() - refreshCpu;
        held = performance.now() - refreshing;
      }
      if (this.sizer) {
        const oldest = Math.min(...batch.map((e) => new Date(e.receivedAt).getTime()));
        this.sizer.observe(batch.length, cpu, sliceFor(this.sizer.sliceMs, Date.now() - oldest));
      }
    }
  }

  /**
   * The acknowledgements' turn. The worker keeps a share of the thread: after a batch that
   * held it B ms, the deliveries in flight get at least B × (1 − share) / share. The share
   * halves when acknowledgements were slow to come back (their first generation took over
   * ackBudgetMs: they are short of thread time) and grows again by steps while they are fast,
   * between 5 % (the worker always progresses) and 80 %.
   */
  /**
   * During a burst above burstRate, acknowledgements need the whole thread: wait until it
   * ends, at most maxYieldMs (the worker must still progress: the caller then takes one
   * smallest batch). True when the wait ran out with the burst still on.
   */
  private async stepAsideDuringBurst(): Promise<boolean> {
    if (deliveryRate() < this.burstRate) return false;
    const until = performance.now() + this.maxYieldMs;
    this.stats.burstWaits++;
    while (deliveryRate() >= this.burstRate) {
      if (performance.now() >= until) return true;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    return false;
  }

  private async letIngestionIn(heldMs: number): Promise<void> {
    this.stats.turns++;
    const minWait = Math.min(this.maxYieldMs, (heldMs * (1 - this.share)) / this.share);
    const turn = await letDeliveriesIn(this.maxYieldMs, minWait);
    this.stats.deliveriesLetIn += turn.deliveries;
    if (turn.firstGenerationMs > this.ackBudgetMs) this.share = Math.max(MIN_SHARE, this.share / 2);
    else this.share = Math.min(MAX_SHARE, this.share + 0.1);
    this.stats.share = this.share;
  }

  /**
   * Consecutive create/update events of one kind and shop are applied in one transaction
   * through the sync service's list form: far fewer round trips per event. If anything in the
   * group fails, each event is retried alone, so one bad event never holds back the others.
   * The customers involved are added to `touched` (refreshed by the caller), or refreshed here.
   */
  async processGroup(family: BatchFamily, events: ClaimedEvent[], touched?: Touched): Promise<DrainResult> {
    const result: DrainResult = { processed: 0, retried: 0, dead: 0, skipped: 0 };
    const parsed = events.map((event) => ({ event, payload: parseForBatch(family, event.payload) }));
    const valid = parsed.filter((p) => p.payload !== null);
    for (const invalid of parsed.filter((p) => p.payload === null)) result[await this.processOne(invalid.event, touched)]++;
    if (!valid.length) return result;
    try {
      const applied = await inTransaction(
        this.prisma,
        async (tx) => {
          const owned = new Set(
            await lockOwnedEvents(
              tx,
              valid.map((v) => v.event.id),
              this.workerId,
            ),
          );
          const mine = valid.filter((v) => owned.has(v.event.id));
          const customers: number[] = [];
          if (mine.length) {
            const touched = () =>
              this.customersOf(
                tx,
                mine[0].event.shop,
                mine[0].event.topic,
                mine.map((v) => v.event.payload),
              );
            customers.push(...(await touched()));
            await applyWebhookBatch(
              tx,
              mine[0].event.shop,
              family,
              mine.map((v) => v.payload),
            );
            await markManyProcessed(
              tx,
              mine.map((v) => v.event.id),
              this.clock(),
            );
            customers.push(...(await touched()));
          }
          return { count: mine.length, customers };
        },
        { timeout: 120_000, maxWait: 30_000 },
      );
      result.processed += applied.count;
      result.skipped += valid.length - applied.count;
      if (applied.count && family !== "products") this.onApplied?.({ shop: valid[0].event.shop, topic: valid[0].event.topic });
      await this.afterCommit(valid[0].event.shop, applied.customers, touched);
    } catch (error) {
      logger.warn(
        { worker: this.workerId, family, events: valid.length, err: error instanceof Error ? error.message : String(error) },
        "batch failed; applying its events one by one",
      );
      for (const v of valid) result[await this.processOne(v.event, touched)]++;
    }
    return result;
  }

  /** The customers an event changed: collected for the batch's refresh, or refreshed now. */
  private async afterCommit(shop: string, customers: number[], touched?: Touched): Promise<void> {
    if (!customers.length) return;
    if (!touched) return this.refreshMetrics(shop, customers);
    const list = touched.get(shop);
    if (list) list.push(...customers);
    else touched.set(shop, [...customers]);
  }

  private customersOf(tx: Tx, shop: string, topic: string, payloads: unknown[]): Promise<number[]> {
    return this.incremental ? customersOfEvent(tx, shop, topic, payloads) : Promise.resolve([]);
  }

  /**
   * Right after the commit: the customers' metrics against the frozen scoring. A failure is
   * logged, never retried here: the event is applied, and the next full run rewrites the rows.
   */
  private async refreshMetrics(shop: string, customerIds: number[]): Promise<void> {
    if (!customerIds.length) return;
    const started = performance.now();
    try {
      const result = await refreshCustomerMetrics(this.prisma, shop, customerIds, this.clock());
      this.stats.refreshes++;
      this.stats.refreshedCustomers += result.updated + result.removed;
    } catch (error) {
      logger.error(
        { shop, customers: customerIds.length, worker: this.workerId, err: error instanceof Error ? error.message : String(error) },
        "incremental analysis failed; the next full run will cover it",
      );
    } finally {
      this.stats.refreshMs += performance.now() - started;
    }
  }

  /** Only the claim, for tests of abandoned claims: returns what this worker now holds. */
  claim(limit = this.batchSize): Promise<ClaimedEvent[]> {
    return claimEvents(this.prisma, this.workerId, limit, this.leaseMs, this.clock());
  }

  /** Applies one event in its transaction; its customers go to `touched`, or are refreshed now. */
  async processOne(event: ClaimedEvent, touched?: Touched): Promise<keyof DrainResult> {
    const log = { shop: event.shop, topic: event.topic, eventId: event.eventId, attempt: event.attempts, worker: this.workerId };
    try {
      const applied = await inTransaction(
        this.prisma,
        async (tx) => {
          // Another worker may have taken the event after our lease ran out: then it is theirs.
          if (!(await lockOwnedEvent(tx, event.id, this.workerId))) return null;
          const now = this.clock();
          // The customers involved before (a deleted order's, an order's former) and after.
          const customers = await this.customersOf(tx, event.shop, event.topic, [event.payload]);
          const outcome = await applyWebhookEvent(tx, { ...event, payload: event.payload }, now);
          if (!outcome.eventDeleted) await markProcessed(tx, event.id, now);
          else return { ...outcome, customers: [] };
          customers.push(...(await this.customersOf(tx, event.shop, event.topic, [event.payload])));
          return { ...outcome, customers };
        },
        { timeout: 60_000, maxWait: 30_000 },
      );
      if (!applied) {
        logger.warn(log, "event no longer owned by this worker; skipped");
        return "skipped";
      }
      logger.debug(log, "webhook event applied");
      if (applied.affectsAnalytics) this.onApplied?.({ shop: event.shop, topic: event.topic });
      await this.afterCommit(event.shop, applied.customers, touched);
      return "processed";
    } catch (error) {
      const permanent = error instanceof PermanentEventError || error instanceof z.ZodError;
      const message =
        error instanceof z.ZodError
          ? `Invalid ${event.topic} payload: ${describeZodError(error)}`
          : error instanceof Error
            ? error.message
            : String(error);
      const dead = permanent || event.attempts >= this.maxAttempts;
      const now = this.clock();
      const nextAttemptAt = new Date(now.getTime() + (dead ? 0 : backoffDelay(event.attempts, this.baseDelayMs, this.maxDelayMs)));
      await markFailed(this.prisma, event.id, this.workerId, message, { dead, nextAttemptAt }, now);
      const level = error instanceof RetryableSyncError && !dead ? "info" : dead ? "error" : "warn";
      logger[level]({ ...log, error: message, dead, nextAttemptAt }, dead ? "webhook event is dead" : "webhook event failed; will retry");
      return dead ? "dead" : "retried";
    }
  }

  /** Runs until stop(): drains, then sleeps until the next poll or an in-process wake-up. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.unsubscribe = onWorkRequested(() => {
      if (this.wake) this.wake();
      else this.wakeRequested = true;
    });
    this.loop = (async () => {
      while (this.running) {
        this.wakeRequested = false;
        try {
          await this.drain();
        } catch (error) {
          logger.error({ worker: this.workerId, err: error instanceof Error ? error.message : String(error) }, "worker loop error; retrying");
        }
        if (!this.running) break;
        if (this.wakeRequested) continue;
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, this.pollMs);
          this.wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        this.wake = null;
      }
    })();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.unsubscribe?.();
    this.wake?.();
    await this.loop;
    this.loop = null;
    await this.liveness?.close();
  }
}
