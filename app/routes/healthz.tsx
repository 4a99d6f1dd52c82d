import { getDatabase } from "~/lib/db.server";
import { inboxLag } from "~/models/webhookEvent.server";

// For load balancers and uptime checks: 200 when the database answers, with the inbox lag.
export async function loader() {
  const started = Date.now();
  try {
    const db = getDatabase().prisma;
    await db.$queryRawUnsafe("SELECT 1");
    const inbox = await inboxLag(db);
    return Response.json(
      { status: "ok", database: { reachable: true, latencyMs: Date.now() - started }, inbox },
      { headers: { "Cache-Control": "no-store" } },
    );
  } catch (error) {
    return Response.json(
      { status: "error", database: { reachable: false, error: error instanceof Error ? error.message.split("\n")[0] : String(error) } },
      { status: 503, headers: { "Cache-Control": "no-store" } },
    );
  }
}
