// rapport backfill --shop DOMAIN [--resume | --restart] [--json]: imports the shop's history
// (products, customers, orders) through Admin API bulk operations, then analyses it.
import { parseArgs } from "node:util";
import { getDatabase } from "../../app/lib/db.server";
import { adminClientForShop, runBackfill, runReconcile } from "../../app/services/backfill.server";
import { UsageError, type CliIO } from "../io";
import { progressPrinter, summary } from "../progress";

const HELP = `Usage: rapport backfill --shop DOMAIN [--resume | --restart] [--json]

Imports the shop's products, customers and orders through Shopify's Admin API bulk
operations into DATABASE_URL (the same sync as webhooks: newer data is never overwritten),
then runs the analysis. Progress is saved as it goes: after a crash, --resume (the default
when the last run did not finish) continues from the last saved object.

Needs the shop's offline access token (stored when the app was installed). With a local
Admin API (SHOPIFY_ADMIN_ORIGIN, e.g. \`rapport simulate-shopify\`), SHOPIFY_ACCESS_TOKEN
gives the token instead.

Options:
  --shop DOMAIN   the shop's *.myshopify.com domain
  --resume        continue the last unfinished backfill (default)
  --restart       start a new backfill from the beginning
  --json          print the finished run as JSON
  --help          show this help`;

export async function run(argv: string[], io: CliIO, kind: "backfill" | "reconcile" = "backfill", help = HELP): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      shop: { type: "string" },
      resume: { type: "boolean" },
      restart: { type: "boolean" },
      json: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) {
    io.stdout(help);
    return 0;
  }
  if (!values.shop) throw new UsageError(`--shop is required (the shop's *.myshopify.com domain).\n${help}`);
  if (values.resume && values.restart) throw new UsageError("--resume and --restart cannot be used together.");
  const db = getDatabase();
  const printer = progressPrinter(io);
  try {
    const admin = await adminClientForShop(db.prisma, values.shop, {
      onWait: (reason, ms) => {
        if (ms >= 1000)
          io.stderr(
            `waiting ${(ms / 1000).toFixed(1)} s (${reason === "budget" || reason === "throttled" ? "Admin API rate limit" : "Shopify error, retrying"})`,
          );
      },
    });
    const options = { onProgress: (r: Parameters<typeof printer.update>[0]) => printer.update(r) };
    const result =
      kind === "backfill"
        ? await runBackfill(db.prisma, admin, values.shop, { ...options, resume: !values.restart })
        : await runReconcile(db.prisma, admin, values.shop, { ...options, resume: values.resume ?? false });
    printer.end();
    io.stdout(values.json ? JSON.stringify(result, null, 2) : summary(result));
    return 0;
  } catch (error) {
    printer.end();
    throw error;
  } finally {
    await db.close();
  }
}
