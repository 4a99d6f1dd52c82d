// For load balancers and uptime checks (GET /healthz): does the database answer, how long
// did it take, and how far behind is the webhook inbox.
import { prisma } from "~/lib/db.server";
import { pingDatabase } from "~/models/health.server";
import { inboxLag } from "~/models/webhookEvent.server";

export type Health =
  | { status: "ok"; database: { reachable: true; latencyMs: number }; inbox: Awaited<ReturnType<typeof inboxLag>> }
  | { status: "error"; database: { reachable: false; error: string } };

export async function checkHealth(): Promise<Health> {
  const started = Date.now();
  try {
    const db = prisma();
    await pingDatabase(db);
    const inbox = await inboxLag(db);
    return { status: "ok", database: { reachable: true, latencyMs: Date.now() - started }, inbox };
  } catch (error) {
    // Only the first line: database errors can span many lines.
    return { status: "error", database: { reachable: false, error: error instanceof Error ? error.message.split("\n")[0] : String(error) } };
  }
}
