// rapport webhooks [--status S] [--shop D] [--topic T] [--limit N] [--json] | webhooks retry [--id N …] [--shop D]
import { parseArgs } from "node:util";
import { getDatabase } from "../../app/lib/db.server";
import { INBOX_STATUSES, listInboxEvents, requeueInboxEvents, type InboxStatus } from "../../app/services/inboxAdmin.server";
import { parseIntegerFlag, UsageError, type CliIO } from "../io";

const HELP = `Usage:
  rapport webhooks [--status pending|processing|processed|dead] [--shop DOMAIN] [--topic T] [--limit N] [--json]
      Lists inbox events, newest first, with their attempts and last error.
  rapport webhooks retry [--id N ...] [--shop DOMAIN]
      Puts dead events (or the given ids) back in the queue with a fresh attempt count.`;

const STATUSES = INBOX_STATUSES;

export async function run(argv: string[], io: CliIO): Promise<number> {
  const retry = argv[0] === "retry";
  const { values } = parseArgs({
    args: retry ? argv.slice(1) : argv,
    options: {
      status: { type: "string" },
      shop: { type: "string" },
      topic: { type: "string" },
      limit: { type: "string" },
      id: { type: "string", multiple: true },
      json: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) {
    io.stdout(HELP);
    return 0;
  }
  if (values.status && !(STATUSES as readonly string[]).includes(values.status)) {
    throw new UsageError(`--status must be one of ${STATUSES.join(", ")} (got "${values.status}").`);
  }
  const ids = (values.id ?? []).map((id) => parseIntegerFlag("id", id, 1)!);
  const db = getDatabase();
  try {
    if (retry) {
      const count = await requeueInboxEvents(db.prisma, { ids: ids.length ? ids : undefined, shop: values.shop });
      io.stdout(count ? `Requeued ${count} event(s); the worker will apply them shortly.` : "No event to requeue.");
      return 0;
    }
    const events = await listInboxEvents(db.prisma, {
      status: values.status as InboxStatus | undefined,
      shop: values.shop,
      topic: values.topic,
      limit: parseIntegerFlag("limit", values.limit, 1) ?? 50,
    });
    if (values.json) {
      io.stdout(JSON.stringify(events, null, 2));
      return 0;
    }
    if (!events.length) {
      io.stdout("No webhook event matches.");
      return 0;
    }
    for (const e of events) {
      io.stdout(
        `#${e.id} ${e.status.padEnd(10)} ${e.topic.padEnd(24)} ${e.shop} received ${e.receivedAt.toISOString()} attempts ${e.attempts}` +
          (e.lastError ? `\n      ${e.lastError}` : ""),
      );
    }
    return 0;
  } finally {
    await db.close();
  }
}
