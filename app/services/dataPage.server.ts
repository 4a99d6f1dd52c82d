// The data page: the data health, the latest inbox events and the retry of failed ones, all of
// one shop.
import { prisma } from "~/lib/db.server";
import { latestAnalysisParts } from "~/models/insightReads.server";
import { getDataHealth } from "./dataHealth.server";
import { listInboxEvents, requeueInboxEvents } from "./inboxAdmin.server";
import { getBackfillPanel } from "./backfillAdmin.server";

export async function getDataPage(shop: string) {
  const db = prisma();
  const [health, recent, analysis, backfill] = await Promise.all([
    getDataHealth(shop),
    listInboxEvents(db, { shop, limit: 20 }),
    latestAnalysisParts(db, shop, {}),
    getBackfillPanel(db, shop),
  ]);
  return {
    health,
    backfill,
    analysedAt: analysis?.computedAt.toISOString() ?? null,
    recent: recent.map((e) => ({
      id: e.id,
      topic: e.topic,
      status: e.status,
      attempts: e.attempts,
      lastError: e.lastError,
      receivedAt: e.receivedAt.toISOString(),
    })),
  };
}

/** Puts one failed event of the shop (or all of them) back in the queue; how many were. */
export function retryDeadEvents(shop: string, id?: number) {
  return requeueInboxEvents(prisma(), id === undefined ? { shop } : { ids: [id], shop });
}
