// The cohorts page (/app/cohorts): the monthly first-order cohorts stored with the latest
// analysis (domain/cohorts.ts), as they are.
import type { Cohort } from "~/domain/cohorts";
import { prisma } from "~/lib/db.server";
import { latestAnalysisParts, shopDisplay } from "~/models/insightReads.server";

export async function getCohortsPage(shop: string) {
  const db = prisma();
  const [display, latest] = await Promise.all([shopDisplay(db, shop), latestAnalysisParts(db, shop, { cohorts: true })]);
  const cohorts = (latest?.cohorts ?? []) as unknown as Cohort[];
  if (!display || !latest || !cohorts.length) return { state: "empty" as const, shop: display };
  return {
    state: "ready" as const,
    shop: display,
    analysis: { date: latest.date.toISOString().slice(0, 10), computedAt: latest.computedAt.toISOString() },
    cohorts,
  };
}
