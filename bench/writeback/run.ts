// Write-back benchmark: customers' tags and metafields written to the Admin API simulator at a
// plan's throttle (default: 100 points/s restored, a bucket of 1,000 points), against the
// theoretical minimum the cost budget allows. Every mutation costs 10 points (shopify.dev, "GraphQL
// Admin API rate limits"): per changed customer one tagsAdd (one customer per call), then
// metafieldsSet calls of up to 25 metafields, plus the 7 metafield definitions once. The minimum
// is the time to earn those points beyond the initial bucket:
//   (calls × 10 − bucket) / restore rate.
// --virtual-clock: the simulator and the client share a VirtualClock, so waiting for the bucket
// moves the clock instead of sleeping; the work (HTTP round trips to the simulator, database
// reads and writes) keeps its real duration. The time reported is then the simulated elapsed
// time (real work + waits), next to the real wall time: 100,000 customers (≈ 3.4 h at 100
// points/s) are measured in the minutes the work takes.
//   node --import tsx bench/writeback/run.ts [--backend postgres|pglite] [--customers N] [--orders N]
//                                            [--restore-rate R] [--bucket B] [--virtual-clock]
import os from "node:os";
import { parseArgs } from "node:util";
import { AdminClient } from "../../app/lib/adminApi.server";
import { type Clock, systemClock } from "../../app/lib/clock";
import { openDatabase } from "../../app/lib/database.server";
import { runBackfill } from "../../app/services/backfill.server";
import { runWriteBack, setWriteBackSettings } from "../../app/services/writeBack.server";
import { applyMigrations } from "../../prisma/migrator";
import { DEFAULT_TOKEN, ShopifySimulator } from "../../cli/simulator/server";
import { VirtualClock } from "../../cli/simulator/virtualClock";
import { benchDatabase } from "../database";

const { values } = parseArgs({
  options: {
    backend: { type: "string", default: "postgres" },
    customers: { type: "string", default: "100000" },
    orders: { type: "string" },
    products: { type: "string", default: "200" },
    "restore-rate": { type: "string", default: "100" },
    bucket: { type: "string", default: "1000" },
    "virtual-clock": { type: "boolean", default: false },
  },
});
const backend = values.backend === "pglite" ? "pglite" : "postgres";
const customers = Number(values.customers);
const orders = Number(values.orders ?? customers * 3);
const restoreRate = Number(values["restore-rate"]);
const bucket = Number(values.bucket);
const MUTATION_COST = 10;
const SHOP = "rapport-demo.myshopify.com";
const virtual = values["virtual-clock"] ? new VirtualClock() : null;
const clock: Clock = virtual ?? systemClock;
const seconds = (fromMs: number) => ((performance.now() - fromMs) / 1000).toFixed(1);

let mark = performance.now();
const sim = new ShopifySimulator({ customers, orders, products: Number(values.products), restoreRate, maximumAvailable: bucket, clock });
const origin = await sim.start();
const setup: string[] = [`simulated shop generated in ${seconds(mark)} s`];
const target = await benchDatabase(backend, "writeback");
const db = openDatabase(target.target);
try {
  await applyMigrations(db.migrationAdapter);
  const admin = new AdminClient({ shop: SHOP, accessToken: DEFAULT_TOKEN, origin, clock });
  // The shop's history and its analysis (segments, churn risk, CLV): what the write-back sends.
  mark = performance.now();
  await runBackfill(db.prisma, admin, SHOP, { pollMs: 100, batchSize: 2000 });
  setup.push(`backfill and analysis ${seconds(mark)} s`);
  await setWriteBackSettings(db.prisma, SHOP, { enabled: true });
  sim.refillBuckets();
  const first = sim.requests.length;
  const stats0 = { ...admin.stats };
  const skipped0 = virtual?.skippedMs ?? 0;
  const clock0 = clock.now();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let nextReport = 10_000;
  const run = await runWriteBack(db.prisma, admin, SHOP, {
    force: true,
    // A line per 10,000 customers on stderr: a long run shows it is alive and how fast it goes.
    onProgress: (view) => {
      const done = view.progress?.customers?.done ?? 0;
      if (done < nextReport) return;
      nextReport += 10_000;
      console.error(
        `${done.toLocaleString("en-US")} customers: ${((clock.now() - clock0) / 1000).toFixed(1)} s${virtual ? " simulated" : ""}, ${((performance.now() - t0) / 1000).toFixed(1)} s wall`,
      );
    },
  });
  const wallSeconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  // On the system clock the same as the wall time; on the virtual clock, real work plus the waits it skipped.
  const simulatedSeconds = (clock.now() - clock0) / 1000;
  const waitedSeconds = ((virtual?.skippedMs ?? 0) - skipped0) / 1000;
  const calls = sim.requests.slice(first);
  const byOperation: Record<string, number> = {};
  for (const c of calls) byOperation[c.operationName ?? "?"] = (byOperation[c.operationName ?? "?"] ?? 0) + 1;
  const counts = run.counts as unknown as Record<string, number>;
  // The fewest calls these changes need: one tagsAdd per changed customer, metafields 25 per call, 7 definitions.
  const minimumCalls = counts.changed + Math.ceil(counts.metafields / 25) + 7;
  const minimumSeconds = Math.max(0, (minimumCalls * MUTATION_COST - bucket) / restoreRate);
  // Points spent: a THROTTLED answer spends none.
  const points = calls.reduce((sum, c) => sum + (c.throttled ? 0 : c.cost), 0);
  const throttled = calls.filter((c) => c.throttled).length;
  console.log(
    `Write-back bench: ${backend}, ${customers.toLocaleString("en-US")} customers (${orders.toLocaleString("en-US")} orders), ${virtual ? "virtual clock" : "real clock"}`,
  );
  console.log(
    `throttle: ${restoreRate} points/s, bucket ${bucket}; load average ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(" ")} on ${os.cpus().length} cores`,
  );
  console.log(`setup: ${setup.join(", ")}`);
  console.log("");
  console.log(
    "| customers changed | tags added | metafields | calls (throttled) | points | time | (points − bucket) / rate | theoretical minimum | ratio | wall | CPU |",
  );
  console.log("|---|---|---|---|---|---|---|---|---|---|---|");
  console.log(
    `| ${counts.changed} | ${counts.tagsAdded} | ${counts.metafields} | ${calls.length} (${throttled}) | ${points} | ${simulatedSeconds.toFixed(1)} s${virtual ? " simulated" : ""} | ${((points - bucket) / restoreRate).toFixed(1)} s | ${minimumSeconds.toFixed(1)} s (${minimumCalls} calls) | ${(simulatedSeconds / minimumSeconds).toFixed(3)} | ${wallSeconds.toFixed(1)} s | ${cpuSeconds.toFixed(1)} s |`,
  );
  if (virtual) {
    console.log("");
    console.log(
      `virtual clock: ${waitedSeconds.toFixed(1)} s of waits skipped (${virtual.sleeps} sleeps), ${(simulatedSeconds - waitedSeconds).toFixed(1)} s of real work`,
    );
  }
  console.log("");
  console.log(
    `calls: ${JSON.stringify(byOperation)}; client: ${JSON.stringify(Object.fromEntries(Object.entries(admin.stats).map(([k, v]) => [k, v - stats0[k as keyof typeof stats0]])))}; errors ${counts.errors}`,
  );
} finally {
  await db.close();
  await target.drop();
  await sim.stop();
}
