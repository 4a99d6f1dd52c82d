// rapport kpis --shop DOMAIN --from YYYY-MM-DD --to YYYY-MM-DD [--json]: any range of days in the
// shop's time zone, with the previous period of the same number of days (computed now, not
// stored). Amounts are printed as exact decimal strings in the shop currency's decimals.
import { parseArgs } from "node:util";
import { kpisWithDecimalAmounts, type DecimalKpis } from "../../app/domain/analysisKpis";
import { currencyExponent } from "../../app/domain/money";
import { getDatabase } from "../../app/lib/db.server";
import { formatPercent } from "../../app/lib/format";
import { kpisForRange } from "../../app/services/analytics.server";
import { parseDateFlag, UsageError, type CliIO } from "../io";

const HELP =
  "Usage: rapport kpis --shop DOMAIN --from YYYY-MM-DD --to YYYY-MM-DD [--json]   (days inclusive, shop time zone; previous period = the same number of days before)";

export async function run(argv: string[], io: CliIO): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      shop: { type: "string" },
      from: { type: "string" },
      to: { type: "string" },
      json: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) {
    io.stdout(HELP);
    return 0;
  }
  if (!values.shop || !values.from || !values.to) throw new UsageError(`--shop, --from and --to are required.\n${HELP}`);
  parseDateFlag("from", values.from);
  parseDateFlag("to", values.to);
  if (values.to < values.from) throw new UsageError(`--to (${values.to}) is before --from (${values.from}).`);
  const db = getDatabase();
  try {
    const kpis = await kpisForRange(db.prisma, values.shop, { from: values.from, to: values.to });
    const exponent = currencyExponent(kpis.currency);
    const result = { ...kpis, current: kpisWithDecimalAmounts(kpis.current, exponent), previous: kpisWithDecimalAmounts(kpis.previous, exponent) };
    if (values.json) {
      io.stdout(JSON.stringify(result, null, 2));
      return 0;
    }
    // Amounts are exact decimal strings already; percentages through Intl (English output).
    const pct = (v: number | null) => (v === null ? "—" : formatPercent(v, "en"));
    const rows: [string, (k: DecimalKpis) => string][] = [
      ["net revenue", (k) => `${k.netRevenue} ${result.currency}`],
      ["orders", (k) => String(k.orders)],
      ["customers", (k) => `${k.customers} (${k.newCustomers} new, ${k.returningCustomers} returning)`],
      ["average order value", (k) => k.averageOrderValue ?? "—"],
      ["repeat purchase rate", (k) => pct(k.repeatPurchaseRate)],
      ["retention rate", (k) => pct(k.retentionRate)],
      ["cart abandonment", (k) => pct(k.cartAbandonmentRate)],
      ["CAC", (k) => k.cac ?? "—"],
      ["NPS", (k) => (k.nps === null ? "—" : k.nps.toFixed(1))],
    ];
    io.stdout(`${values.shop}, ${result.from} to ${result.to} (${result.timeZone}), previous period alongside`);
    for (const [label, show] of rows) io.stdout(`  ${label.padEnd(22)} ${show(result.current).padEnd(28)} ${show(result.previous)}`);
    return 0;
  } finally {
    await db.close();
  }
}
