// Write-back benchmark: customers' tags and metafields written to the Admin API simulator at a
// plan's throttle (default: 100 points/s restored, a bucket of 1,000 points), against the
// theoretical minimum the cost budget allows. Every mutation costs 10 points (shopify.dev, "GraphQL
// Admin API rate limits"): per changed customer one tagsAdd (one customer per call), then
// metafieldsSet calls of up to 25 metafields, plus the 7 metafield definitions once. The minimum
// is the time to earn those points beyond the initial bucket:
//   (calls × 10 − bucket) / restore rate.
//   node --import tsx bench/writeback/run.ts [--backend postgres|pglite] [--customers N] [--orders N]
//                                            [--restore-rate R] [--bucket B]
import os from "node:os";
import { parseArgs } from "node:util";
import { AdminClient } from "../../app/lib/adminApi.server";
import { openDatabase } from "../../app/lib/database.server";
import { runBackfill } from "../../app/services/backfill.server";
import { runWriteBack, setWriteBackSettings } from "../../app/services/writeBack.server";
import { applyMigrations } from "../../prisma/migrator";
import { DEFAULT_TOKEN, ShopifySimulator } from "../../cli/simulator/server";
import { benchDatabase } from "../database";

const { values } = parseArgs({
  options: {
    backend: { type: "string", default: "postgres" },
    customers: { type: "string", default: "100000" },
    orders: { type: "string" },
    products: { type: "string", default: "200" },
    "restore-rate": { type: "string", default: "100" },
    bucket: { type: "string", default: "1000" },
  },
});
const backend = values.backend === "pglite" ? "pglite" : "postgres";
const customers = Number(values.customers);
const orders = Number(values.orders ?? customers * 3);
const restoreRate = Number(values["restore-rate"]);
const bucket = Number(values.bucket);
const MUTATION_COST = 10;
const SHOP = "rapport-demo.myshopify.com";

const sim = new ShopifySimulator({ customers, orders, products: Number(values.products), restoreRate, maximumAvailable: bucket });
const origin = await sim.start();
const target = await benchDatabase(backend, "writeback");
const db = openDatabase(target.target);
try {
  await applyMigrations(db.migrationAdapter);
  const admin = new AdminClient({ shop: SHOP, accessToken: DEFAULT_TOKEN, origin });
  // The shop's history and its analysis (segments, churn risk, CLV): what the write-back sends.
  await runBackfill(db.prisma, admin, SHOP, { pollMs: 100, batchSize: 2000 });
  await setWriteBackSettings(db.prisma, SHOP, { enabled: true });
  sim.refillBuckets();
  const first = sim.requests.length;
  const t0 = performance.now();
  const run = await runWriteBack(db.prisma, admin, SHOP, { force: true });
  const seconds = (performance.now() - t0) / 1000;
  const calls = sim.requests.slice(first);
  const byOperation: Record<string, number> = {};
  for (const c of calls) byOperation[c.operationName ?? "?"] = (byOperation[c.operationName ?? "?"] ?? 0) + 1;
  const counts = run.counts as unknown as Record<string, number>;
  // The fewest calls these changes need: one tagsAdd per changed customer, metafields 25 per call, 7 definitions.
  const minimumCalls = counts.changed + Math.ceil(counts.metafields / 25) + 7;
  const minimumSeconds = Math.max(0, (minimumCalls * MUTATION_COST - bucket) / restoreRate);
  const points = calls.reduce((sum, c) => sum + c.cost, 0);
  const throttled = calls.filter((c) => c.throttled).length;
  console.log(`Write-back bench: ${backend}, ${customers.toLocaleString("en-US")} customers (${orders.toLocaleString("en-US")} orders)`);
  console.log(
    `throttle: ${restoreRate} points/s, bucket ${bucket}; load average ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(" ")} on ${os.cpus().length} cores`,
  );
  console.log("");
  console.log("| customers changed | tags added | metafields | calls (throttled) | points | time | theoretical minimum | ratio |");
  console.log("|---|---|---|---|---|---|---|---|");
  console.log(
    `| ${counts.changed} | ${counts.tagsAdded} | ${counts.metafields} | ${calls.length} (${throttled}) | ${points} | ${seconds.toFixed(1)} s | ${minimumSeconds.toFixed(1)} s (${minimumCalls} calls) | ${(seconds / minimumSeconds).toFixed(3)} |`,
  );
  console.log("");
  console.log(`calls: ${JSON.stringify(byOperation)}; errors ${counts.errors}`);
  // Extrapolated (labelled as such): the same calls per customer and the same ratio, for 100,000 customers.
  const callsPerCustomer = (minimumCalls - 7) / counts.changed;
  const minimum100k = ((100_000 * callsPerCustomer + 7) * MUTATION_COST - bucket) / restoreRate;
  console.log(
    `extrapolated to 100,000 changed customers: minimum ${(minimum100k / 3600).toFixed(2)} h, at this ratio ${((minimum100k * (seconds / minimumSeconds)) / 3600).toFixed(2)} h`,
  );
} finally {
  await db.close();
  await target.drop();
  await sim.stop();
}
