// The worker that lives inside the web process (always with PGlite: one connection, one
// process). Started once per process whichever entry point comes first: server/app.ts in
// `npm start` / `npm run demo`, or the Remix entry under `remix vite:dev` (`npm run dev`),
// which does not go through server/app.ts.
import type { DbClient } from "~/lib/transaction.server";
import { getDatabase } from "~/lib/db.server";
import { workerLiveness } from "~/lib/workerLiveness.server";
import { scheduleAnalysis, startAnalyticsScheduler, stopAnalyticsScheduler } from "./analyticsScheduler.server";
import { WebhookWorker } from "./webhookWorker.server";

const KEY = Symbol.for("rapport.embeddedWorker");
type Holder = { [KEY]?: WebhookWorker };

/** RAPPORT_WORKER=off runs the web server alone (deployments with `npm run worker` processes). */
export function embeddedWorkerEnabled(source = process.env): boolean {
  return !["0", "false", "off", "no"].includes((source.RAPPORT_WORKER ?? "on").toLowerCase());
}

export function startEmbeddedWorker(prisma: DbClient): WebhookWorker | null {
  const holder = globalThis as Holder;
  if (holder[KEY] || !embeddedWorkerEnabled()) return holder[KEY] ?? null;
  const pglite = getDatabase().target.kind === "pglite";
  const worker = new WebhookWorker({
    prisma,
    // PGlite: acknowledgements share the one connection and the one thread with the worker,
    // so it lets the deliveries in flight finish before each batch and keeps batches short
    // (ADR 007). PostgreSQL: they run on other connections of the pool.
    yieldToIngestion: pglite,
    // PostgreSQL: larger batches than a worker process's 25 cost this thread, which also
    // answers the webhooks, half the CPU per event or less (docs/benchmarks.md, "Freshness").
    // PGlite sizes its batches itself.
    batchSize: pglite ? undefined : 100,
    onApplied: ({ shop }) => scheduleAnalysis(shop),
    // A restart after a crash applies the dead process's claims at once (ADR 006).
    liveness: workerLiveness(getDatabase().target),
  });
  holder[KEY] = worker;
  // Analytics run where the worker runs: after sync activity (debounced) and nightly.
  startAnalyticsScheduler({ prisma });
  worker.start();
  return worker;
}

export async function stopEmbeddedWorker(): Promise<void> {
  const holder = globalThis as Holder;
  const worker = holder[KEY];
  if (!worker) return;
  holder[KEY] = undefined;
  await worker.stop();
  await stopAnalyticsScheduler();
}
