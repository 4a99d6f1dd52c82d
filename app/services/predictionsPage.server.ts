// The predictions page (/app/predictions): the predicted CLV histogram, the "at risk and
// valuable" customers, the next 90 days' expectation and the backtest (all stored with the
// latest analysis, domain/analysisExtras.ts), and the fitted models with their confidence.
import type { ModelSummary } from "~/domain/predictions";
import { prisma } from "~/lib/db.server";
import { customersWithMetrics, latestAnalysisParts, shopDisplay } from "~/models/insightReads.server";

/** Rows of the "at risk and valuable" table (the analysis keeps 50). */
const AT_RISK_SHOWN = 25;

export async function getPredictionsPage(shop: string) {
  const db = prisma();
  const [display, latest] = await Promise.all([
    shopDisplay(db, shop),
    latestAnalysisParts(db, shop, { model: true, extras: ["clvHistogram", "next90", "backtest", "backtestSkipped", "atRisk"] }),
  ]);
  if (!display || !latest?.extras) return { state: "empty" as const, shop: display };
  const extras = latest.extras;
  const people = await customersWithMetrics(
    db,
    shop,
    extras.atRisk.slice(0, AT_RISK_SHOWN).map((c) => c.customerId),
  );
  const byId = new Map(people.map((p) => [p.id, p]));
  return {
    state: "ready" as const,
    shop: display,
    analysis: {
      date: latest.date.toISOString().slice(0, 10),
      computedAt: latest.computedAt.toISOString(),
      customers: latest.customers,
      repeatCustomers: latest.repeatCustomers,
      lowConfidence: latest.lowConfidence,
      confidenceNotes: latest.confidenceNotes,
    },
    model: latest.model as unknown as ModelSummary,
    histogram: extras.clvHistogram,
    next90: extras.next90,
    backtest: extras.backtest,
    backtestSkipped: extras.backtestSkipped,
    atRisk: extras.atRisk.slice(0, AT_RISK_SHOWN).flatMap((c) => {
      const p = byId.get(c.customerId);
      if (!p) return []; // erased since the analysis
      const name = [p.profile?.firstName, p.profile?.lastName].filter(Boolean).join(" ") || p.profile?.email || null;
      return [{ ...c, shopifyId: p.shopifyId, name, segment: p.metrics?.segment ?? null, lastOrderAt: p.metrics?.lastOrderAt.toISOString() ?? null }];
    }),
  };
}
