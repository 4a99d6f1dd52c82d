// rapport demo seed | demo serve
import { parseArgs } from "node:util";
import { getDatabase } from "../../app/lib/db.server";
import { describeTarget } from "../../app/lib/database.server";
import { env } from "../../app/lib/env.server";
import { DEMO_HISTORY_WEEKS, seedDemoShop } from "../../app/services/demo.server";
import { applyMigrations } from "../../prisma/migrator";
import { startServer } from "../../server/app";
import { buildIfStale } from "../../server/build";
import { parseDateFlag, parseIntegerFlag, UsageError, type CliIO } from "../io";
import { waitForSignal } from "./serve";

const HELP = `Usage:
  rapport demo seed [--customers N] [--orders N] [--products N] [--months N] [--seed S] [--history-weeks N]
                    [--end-date YYYY-MM-DD] [--shop DOMAIN] [--force]
      Migrates DATABASE_URL and seeds a deterministic demo shop if it has no orders
      (--force erases the shop's data and seeds again). Same flags, same data.
      --history-weeks N: weekly analyses before today's (default 8 without --customers or
      --orders, else 0), so the admin's trends and segment moves have a history.
  rapport demo serve [--port N]
      Builds the app if needed, migrates, seeds the demo shop if empty and serves it
      (default http://localhost:3000/app). Demo mode needs no Shopify store; it is refused
      when NODE_ENV=production.`;

const seedOptions = {
  customers: { type: "string" },
  orders: { type: "string" },
  products: { type: "string" },
  months: { type: "string" },
  seed: { type: "string" },
  "end-date": { type: "string" },
  "history-weeks": { type: "string" },
  shop: { type: "string" },
  force: { type: "boolean" },
  port: { type: "string" },
  help: { type: "boolean", short: "h" },
} as const;

function readSeedFlags(values: Record<string, string | boolean | undefined>) {
  const shop = values.shop as string | undefined;
  if (shop !== undefined && !/^[a-z0-9][a-z0-9-]*\.myshopify\.com$/.test(shop)) {
    throw new UsageError(`--shop must be a *.myshopify.com domain (got "${shop}").`);
  }
  return {
    customers: parseIntegerFlag("customers", values.customers as string | undefined, 1),
    orders: parseIntegerFlag("orders", values.orders as string | undefined, 1),
    products: parseIntegerFlag("products", values.products as string | undefined, 10),
    months: parseIntegerFlag("months", values.months as string | undefined, 1),
    seed: parseIntegerFlag("seed", values.seed as string | undefined, 0),
    endDate: parseDateFlag("end-date", values["end-date"] as string | undefined),
    // The default demo (`npm run demo`) gets weeks of analysis history; a sized seed (tests,
    // benchmarks) only asks for it explicitly, so it stays as quick as before.
    historyWeeks:
      parseIntegerFlag("history-weeks", values["history-weeks"] as string | undefined, 0) ??
      (values.customers !== undefined || values.orders !== undefined ? 0 : DEMO_HISTORY_WEEKS),
    shopDomain: shop,
    force: Boolean(values.force),
  };
}

export async function run(argv: string[], io: CliIO): Promise<number> {
  const [action, ...rest] = argv;
  if (!action || action === "--help" || action === "-h") {
    io.stdout(HELP);
    return action ? 0 : 2;
  }
  const { values } = parseArgs({ args: rest, options: seedOptions });
  if (values.help) {
    io.stdout(HELP);
    return 0;
  }
  if (action === "seed") return seed(values, io);
  if (action === "serve") return serve(values, io);
  throw new UsageError(`unknown action "${action}".\n${HELP}`);
}

async function seed(values: Record<string, string | boolean | undefined>, io: CliIO): Promise<number> {
  const flags = readSeedFlags(values);
  const db = getDatabase();
  try {
    await applyMigrations(db.migrationAdapter);
    const started = Date.now();
    const result = await seedDemoShop(db.prisma, flags);
    io.stdout(
      result.seeded
        ? `Seeded ${result.shop} in ${describeTarget(db.target)} in ${((Date.now() - started) / 1000).toFixed(1)} s: ${result.products} products, ${result.customers} customers, ${result.orders} orders, ${result.checkouts} checkouts.` +
            (result.analysis
              ? `\nAnalysed: ${result.analysis.segments
                  .filter((s) => s.customers > 0)
                  .map((s) => `${s.segment} ${s.customers}`)
                  .join(", ")}.`
              : "")
        : `${result.shop} already has ${result.orders} orders in ${describeTarget(db.target)}; nothing seeded (use --force to start again).`,
    );
    return 0;
  } finally {
    await db.close();
  }
}

async function serve(values: Record<string, string | boolean | undefined>, io: CliIO): Promise<number> {
  process.env.RAPPORT_DEMO = "1";
  const port = parseIntegerFlag("port", values.port as string | undefined, 0);
  if (port !== undefined) process.env.PORT = String(port);
  const config = env();
  const flags = readSeedFlags(values);
  if (buildIfStale()) io.stdout("Built the app (remix vite:build).");
  const db = getDatabase();
  const server = await startServer({
    beforeListen: async () => {
      const result = await seedDemoShop(db.prisma, flags);
      io.stdout(
        result.seeded
          ? `Seeded the demo shop ${result.shop}: ${result.customers} customers, ${result.orders} orders.`
          : `Using the demo shop ${result.shop} already in ${describeTarget(db.target)} (${result.orders} orders).`,
      );
    },
  });
  io.stdout(`Rapport demo is ready: ${server.url}/app (${config.SHOPIFY_APP_URL}). Press Ctrl+C to stop.`);
  await waitForSignal();
  await server.close();
  await db.close();
  return 0;
}
