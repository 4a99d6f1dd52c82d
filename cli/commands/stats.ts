// rapport stats --shop DOMAIN [--json]: what is stored for a shop (the admin home's figures).
import { parseArgs } from "node:util";
import { getDatabase } from "../../app/lib/db.server";
import { getDataHealth } from "../../app/services/dataHealth.server";
import { UsageError, type CliIO } from "../io";

const HELP = "Usage: rapport stats --shop DOMAIN [--json]";

export async function run(argv: string[], io: CliIO): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { shop: { type: "string" }, json: { type: "boolean" }, help: { type: "boolean", short: "h" } },
  });
  if (values.help) {
    io.stdout(HELP);
    return 0;
  }
  if (!values.shop) throw new UsageError(`--shop is required (the shop's *.myshopify.com domain).\n${HELP}`);
  const db = getDatabase();
  try {
    const health = await getDataHealth(values.shop);
    if (values.json) {
      io.stdout(JSON.stringify(health, null, 2));
      return 0;
    }
    const lines = [
      `${health.shop.name ?? health.shop.domain} (${health.shop.domain}), ${health.shop.currency}, ${health.shop.ianaTimezone}`,
      `  customers        ${health.customers}`,
      `  orders           ${health.orders} (${health.cancelledOrders} cancelled, test orders excluded)`,
      `  net revenue      ${health.netRevenue} ${health.shop.currency} (gross ${health.grossRevenue}, refunded ${health.refunded})`,
      `  products         ${health.products}`,
      `  checkouts        ${health.checkouts}`,
      `  orders between   ${health.firstOrderAt ?? "—"} and ${health.lastOrderAt ?? "—"}`,
      `  inbox            ${Object.entries(health.inbox)
        .map(([status, n]) => `${status} ${n}`)
        .join(", ")}`,
    ];
    for (const event of health.lastEventPerTopic) lines.push(`  last ${event.topic.padEnd(24)} ${event.lastReceivedAt} (${event.count})`);
    io.stdout(lines.join("\n"));
    return 0;
  } finally {
    await db.close();
  }
}
