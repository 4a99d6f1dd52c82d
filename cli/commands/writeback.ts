// rapport writeback --shop DOMAIN [--enable | --disable] [--prefix P] [--force] [--json]: writes
// segments and churn risk to Shopify customers (tags and metafields), only what changed.
import { parseArgs } from "node:util";
import { getDatabase } from "../../app/lib/db.server";
import { adminClientForShop } from "../../app/services/backfill.server";
import { runWriteBack, setWriteBackSettings, WriteBackDisabledError } from "../../app/services/writeBack.server";
import { UsageError, type CliIO } from "../io";
import { progressPrinter } from "../progress";

const HELP = `Usage: rapport writeback --shop DOMAIN [--enable | --disable] [--prefix P] [--force] [--json]

Writes each customer's RFM segment and churn risk to Shopify, so Shopify Segments, Flow and
Shopify Email can use them: tags such as rapport:champions and rapport:churn-high (only tags
Rapport added are ever removed) and metafields in the app's namespace (rfm_segment,
rfm_score, churn_risk, p_alive, predicted_clv, expected_next_order). Only customers whose
values changed since the last write are sent. Off until enabled for the shop.

Options:
  --shop DOMAIN   the shop's *.myshopify.com domain
  --enable        turn the write-back on for the shop (then write)
  --disable       turn it off (nothing is written)
  --prefix P      tag prefix, e.g. "rapport:" (lowercase, ends with ":")
  --force         write once even though the switch is off
  --json          print the run as JSON
  --help          show this help`;

export async function run(argv: string[], io: CliIO): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      shop: { type: "string" },
      enable: { type: "boolean" },
      disable: { type: "boolean" },
      prefix: { type: "string" },
      force: { type: "boolean" },
      json: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) {
    io.stdout(HELP);
    return 0;
  }
  if (!values.shop) throw new UsageError(`--shop is required (the shop's *.myshopify.com domain).\n${HELP}`);
  if (values.enable && values.disable) throw new UsageError("--enable and --disable cannot be used together.");
  const db = getDatabase();
  const printer = progressPrinter(io);
  try {
    if (values.enable || values.disable || values.prefix) {
      try {
        const settings = await setWriteBackSettings(db.prisma, values.shop, {
          ...(values.enable || values.disable ? { enabled: !!values.enable } : {}),
          ...(values.prefix ? { tagPrefix: values.prefix } : {}),
        });
        io.stdout(`write-back for ${values.shop}: ${settings.enabled ? "on" : "off"}, tag prefix "${settings.tagPrefix}"`);
      } catch (error) {
        if (error instanceof RangeError) throw new UsageError(`--prefix: ${error.message}`);
        throw error;
      }
      if (values.disable) return 0;
    }
    const admin = await adminClientForShop(db.prisma, values.shop);
    const result = await runWriteBack(db.prisma, admin, values.shop, { force: values.force, onProgress: (r) => printer.update(r) });
    printer.end();
    const c = result.counts as unknown as Record<string, number>;
    io.stdout(
      values.json
        ? JSON.stringify(result, null, 2)
        : `write-back of ${values.shop}: ${c.changed} customers changed of ${c.customers}; tags +${c.tagsAdded} -${c.tagsRemoved}, ${c.metafields} metafields, ${c.redactedSkipped} redacted skipped, ${c.errors} refused${result.error ? `\n${result.error}` : ""}`,
    );
    return c.errors ? 1 : 0;
  } catch (error) {
    printer.end();
    if (error instanceof WriteBackDisabledError) {
      io.stderr(`rapport writeback: ${error.message} (or run with --enable).`);
      return 1;
    }
    throw error;
  } finally {
    await db.close();
  }
}
