// rapport analyze --shop DOMAIN [--json] [--now YYYY-MM-DD]: recompute a shop's analytics on
// the database (CustomerMetrics, segment/KPI/model snapshots) and print a summary.
import { parseArgs } from "node:util";
import { noteText, segmentText, translate } from "../../app/i18n";
import { nextDay, startOfLocalDay } from "../../app/domain/time";
import { getDatabase } from "../../app/lib/db.server";
import { analyzeShop, type AnalysisSummary, type StoredKpis } from "../../app/services/analytics.server";
import { UnknownShopError } from "../../app/services/dataHealth.server";
import { getShopTimeZone } from "../../app/services/shopSettings.server";
import { parseDateFlag, UsageError, type CliIO } from "../io";

const HELP = `Usage: rapport analyze --shop DOMAIN [--json] [--now YYYY-MM-DD]

Recomputes the shop's analytics from the orders stored in DATABASE_URL: RFM scores and
segments, purchase and spend models (BG/NBD, Gamma-Gamma), predicted CLV, store KPIs and
cohorts (definitions in docs/metrics.md), and stores them for the admin pages.

Options:
  --shop DOMAIN      the shop's *.myshopify.com domain
  --now YYYY-MM-DD   analyse as of the end of that day in the shop's time zone (default: now)
  --json             print the summary as JSON
  --help             show this help`;

export async function run(argv: string[], io: CliIO): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { shop: { type: "string" }, json: { type: "boolean" }, now: { type: "string" }, help: { type: "boolean", short: "h" } },
  });
  if (values.help) {
    io.stdout(HELP);
    return 0;
  }
  if (!values.shop) throw new UsageError(`--shop is required (the shop's *.myshopify.com domain).\n${HELP}`);
  const day = parseDateFlag("now", values.now);
  const db = getDatabase();
  try {
    const timeZone = await getShopTimeZone(db.prisma, values.shop);
    // End of the given local day: every order of that day counts.
    const now = day ? new Date(startOfLocalDay(nextDay(day.toISOString().slice(0, 10)), timeZone).getTime() - 1) : new Date();
    const summary = await analyzeShop(db.prisma, values.shop, { now });
    io.stdout(values.json ? JSON.stringify(summary, null, 2) : formatSummary(summary));
    return 0;
  } catch (error) {
    if (error instanceof UnknownShopError) {
      io.stderr(`rapport analyze: ${error.message} Check the domain, or run \`rapport stats --shop ${values.shop}\`.`);
      return 1;
    }
    throw error;
  } finally {
    await db.close();
  }
}

const fmt = (v: number | null, digits = 2) => (v === null ? "—" : v.toFixed(digits));
const pct = (v: number | null) => (v === null ? "—" : `${v.toFixed(1)} %`);

function kpiLines(k: StoredKpis, currency: string): string[] {
  return [
    `    net revenue ${fmt(k.netRevenue)} ${currency}, orders ${k.orders} (guests ${k.guestOrders}), AOV ${fmt(k.averageOrderValue)}`,
    `    customers ${k.customers} (new ${k.newCustomers}, returning ${k.returningCustomers}), repeat rate ${pct(k.repeatPurchaseRate)}, retention ${pct(k.retentionRate)}`,
    `    historical CLV ${fmt(k.historicalClv)}, predicted 12-month CLV ${fmt(k.predictedClv12m)}, predicted churn ${pct(k.modelChurnRate)}`,
    `    cart abandonment ${pct(k.cartAbandonmentRate)}, CAC ${fmt(k.cac)}, LTV:CAC ${fmt(k.ltvToCac)}, days to 2nd order ${fmt(k.medianDaysToSecondOrder, 0)}`,
  ];
}

export function formatSummary(s: AnalysisSummary): string {
  const lines = [
    `${s.shop}: analysed as of ${s.computedAt} (${s.date} in ${s.timeZone}), amounts in ${s.currency}`,
    `  customers ${s.customers} (${s.repeatCustomers} with a repeat purchase day)`,
    `  time ${s.timings.total} ms: ${Object.entries(s.timings)
      .filter(([k]) => k !== "total")
      .map(([k, v]) => `${k} ${v}`)
      .join(", ")}`,
    "",
    "  Segments:",
  ];
  for (const seg of s.segments) {
    if (!seg.customers) continue;
    lines.push(
      `    ${segmentText("en", seg.segment).padEnd(20)} ${String(seg.customers).padStart(8)} ${translate("en", "unit.customer", { count: seg.customers }).padEnd(9)} ${String(seg.orders).padStart(9)} ${translate("en", "unit.order", { count: seg.orders }).padEnd(6)} ${seg.revenue.padStart(16)}`,
    );
  }
  const bg = s.model.bgnbd;
  const gg = s.model.gammaGamma;
  lines.push("", "  Models (weeks):");
  lines.push(
    bg
      ? `    BG/NBD r ${bg.r.toPrecision(4)}, alpha ${bg.alpha.toPrecision(4)}, a ${bg.a.toPrecision(4)}, b ${bg.b.toPrecision(4)}`
      : "    BG/NBD not fitted",
  );
  lines.push(
    gg
      ? `    Gamma-Gamma p ${gg.p.toPrecision(4)}, q ${gg.q.toPrecision(4)}, gamma ${gg.gamma.toPrecision(4)} (${gg.customers} customers)`
      : "    Gamma-Gamma not fitted",
  );
  lines.push(`    confidence: ${s.lowConfidence ? "LOW" : "ok"}`);
  for (const note of s.confidenceNotes) lines.push(`      - ${noteText("en", note)}`);
  for (const r of s.kpis) {
    lines.push("", `  ${r.rangeKind.replaceAll("_", " ")} (${r.from} to ${r.to}):`, ...kpiLines(r.current, s.currency));
  }
  return lines.join("\n");
}
