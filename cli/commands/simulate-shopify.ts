// rapport simulate-shopify [--port P] [--seed S] [--customers N --orders N --products N]: a local
// Shopify Admin GraphQL API (2026-10) serving the demo shop, for trying the backfill,
// reconciliation and write-back without a store. See cli/simulator/server.ts.
import { parseArgs } from "node:util";
import { DEFAULT_TOKEN, ShopifySimulator } from "../simulator/server";
import { parseIntegerFlag, UsageError, type CliIO } from "../io";

const HELP = `Usage: rapport simulate-shopify [--port P] [--seed S] [--customers N] [--orders N] [--products N]
                                [--restore-rate R] [--no-read-all-orders]

Serves the demo shop (the same generator as \`rapport demo seed\`) as Shopify's Admin GraphQL
API 2026-10 on 127.0.0.1: queries, bulk operations with their JSONL files, cost-based
throttling, tagsAdd/tagsRemove/metafieldsSet. Point Rapport at it with
SHOPIFY_ADMIN_ORIGIN=http://127.0.0.1:P and SHOPIFY_ACCESS_TOKEN=${DEFAULT_TOKEN}
(never in production: the server refuses SHOPIFY_ADMIN_ORIGIN when NODE_ENV=production).

Options:
  --port P              port to listen on (default 8787; 0 picks a free one)
  --seed S              demo generator seed (default 42)
  --customers N, --orders N, --products N   shop size (default 6200, 15000, 200)
  --restore-rate R      throttle restore rate, points per second (default 100, Standard plan)
  --no-read-all-orders  grant the token no read_all_orders (only the last 60 days of orders)
  --help                show this help`;

export async function run(argv: string[], io: CliIO): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      port: { type: "string" },
      seed: { type: "string" },
      customers: { type: "string" },
      orders: { type: "string" },
      products: { type: "string" },
      "restore-rate": { type: "string" },
      "no-read-all-orders": { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) {
    io.stdout(HELP);
    return 0;
  }
  const port = parseIntegerFlag("port", values.port, 0) ?? 8787;
  if (port > 65535) throw new UsageError(`--port must be at most 65535 (got ${port}).`);
  const scopes = ["read_orders", "read_customers", "write_customers", "read_products", ...(values["no-read-all-orders"] ? [] : ["read_all_orders"])];
  const sim = new ShopifySimulator({
    port,
    seed: parseIntegerFlag("seed", values.seed),
    customers: parseIntegerFlag("customers", values.customers, 1),
    orders: parseIntegerFlag("orders", values.orders, 1),
    products: parseIntegerFlag("products", values.products, 1),
    restoreRate: parseIntegerFlag("restore-rate", values["restore-rate"], 1),
    tokens: { [DEFAULT_TOKEN]: { scopes } },
  });
  const origin = await sim.start();
  io.stdout(
    [
      `Shopify Admin API simulator for ${sim.shop.domain}: ${sim.shop.customers.size} customers, ${sim.shop.orders.size} orders, ${sim.shop.products.size} products`,
      `  ${origin}/admin/api/2026-10/graphql.json   (X-Shopify-Access-Token: ${DEFAULT_TOKEN})`,
      "",
      "Try:",
      `  SHOPIFY_ADMIN_ORIGIN=${origin} SHOPIFY_ACCESS_TOKEN=${DEFAULT_TOKEN} RAPPORT_DEMO=1 npm run rapport -- backfill --shop ${sim.shop.domain}`,
      "Ctrl-C stops it.",
    ].join("\n"),
  );
  await new Promise<void>((resolve) => {
    process.once("SIGINT", resolve);
    process.once("SIGTERM", resolve);
  });
  await sim.stop();
  return 0;
}
