// rapport worker: drains the webhook inbox in its own process (PostgreSQL deployments; with
// PGlite the server runs the worker itself, since only one process may open the database).
import { parseArgs } from "node:util";
import { WebhookWorker } from "../../app/jobs/webhookWorker.server";
import { getDatabase } from "../../app/lib/db.server";
import { scheduleAnalysis, startAnalyticsScheduler, stopAnalyticsScheduler } from "../../app/jobs/analyticsScheduler.server";
import { describeTarget } from "../../app/lib/database.server";
import { workerLiveness } from "../../app/lib/workerLiveness.server";
import { applyMigrations } from "../../prisma/migrator";
import { parseIntegerFlag, type CliIO } from "../io";
import { waitForSignal } from "./serve";

const HELP = `Usage: rapport worker [--once] [--batch N] [--poll-ms N]
  Applies webhook events from the inbox until stopped (Ctrl+C). --once drains what is due and exits.
  Run as many as you like against PostgreSQL: two workers never process the same event.`;

export async function run(argv: string[], io: CliIO): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { once: { type: "boolean" }, batch: { type: "string" }, "poll-ms": { type: "string" }, help: { type: "boolean", short: "h" } },
  });
  if (values.help) {
    io.stdout(HELP);
    return 0;
  }
  const db = getDatabase();
  try {
    await applyMigrations(db.migrationAdapter);
    const worker = new WebhookWorker({
      prisma: db.prisma,
      batchSize: parseIntegerFlag("batch", values.batch, 1),
      pollMs: parseIntegerFlag("poll-ms", values["poll-ms"], 10),
      onApplied: ({ shop }) => scheduleAnalysis(shop),
      liveness: workerLiveness(db.target),
    });
    if (values.once) {
      const result = await worker.drain();
      await worker.stop();
      io.stdout(`Drained the inbox of ${describeTarget(db.target)}: ${result.processed} applied, ${result.retried} to retry, ${result.dead} dead.`);
      return 0;
    }
    // A long-running worker also keeps the analytics fresh (debounced after its events, nightly).
    startAnalyticsScheduler({ prisma: db.prisma });
    worker.start();
    io.stdout(`Worker ${worker.workerId} is applying webhook events from ${describeTarget(db.target)}. Ctrl+C to stop.`);
    await waitForSignal();
    await worker.stop();
    await stopAnalyticsScheduler();
    return 0;
  } finally {
    await db.close();
  }
}
