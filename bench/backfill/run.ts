// Backfill benchmark: a large simulated shop exported through the simulator's bulk JSONL (in a
// child process, over HTTP, like Shopify) and imported by the backfill into PGlite or PostgreSQL.
// Prints total time, objects per second and this process's peak RSS (the simulator's memory is
// in its own process and not counted).
//   node --import tsx bench/backfill/run.ts [--backend postgres|pglite] [--customers N] [--orders N] [--products N]
import { spawn } from "node:child_process";
import { parseArgs } from "node:util";
import { AdminClient } from "../../app/lib/adminApi.server";
import { openDatabase } from "../../app/lib/database.server";
import { runBackfill } from "../../app/services/backfill.server";
import { applyMigrations } from "../../prisma/migrator";
import { benchDatabase } from "../database";

const { values } = parseArgs({
  options: {
    backend: { type: "string", default: "postgres" },
    customers: { type: "string", default: "20000" },
    orders: { type: "string", default: "100000" },
    products: { type: "string", default: "2000" },
  },
});
const backend = values.backend === "pglite" ? "pglite" : "postgres";
const SHOP = "rapport-demo.myshopify.com";

const child = spawn(
  process.execPath,
  [
    "cli/bin.mjs",
    "simulate-shopify",
    "--port",
    "0",
    "--customers",
    values.customers!,
    "--orders",
    values.orders!,
    "--products",
    values.products!,
    "--restore-rate",
    "100",
  ],
  { stdio: ["ignore", "pipe", "inherit"] },
);
const origin = await new Promise<string>((resolve, reject) => {
  let text = "";
  child.stdout!.on("data", (chunk) => {
    text += chunk;
    const match = /(http:\/\/127\.0\.0\.1:\d+)\/admin/.exec(text);
    if (match) resolve(match[1]);
  });
  child.once("exit", (code) => reject(new Error(`simulator exited with ${code}`)));
});

const target = await benchDatabase(backend, "backfill");
const db = openDatabase(target.target);
try {
  await applyMigrations(db.migrationAdapter);
  const admin = new AdminClient({ shop: SHOP, accessToken: "sim-token", origin });
  const t0 = performance.now();
  const phases: Record<string, number> = {};
  let phaseStart = t0;
  let last = "";
  const run = await runBackfill(db.prisma, admin, SHOP, {
    pollMs: 200,
    batchSize: 500,
    analyze: false,
    onProgress: (r) => {
      if (r.phase !== last) {
        if (last) phases[last] = Math.round(performance.now() - phaseStart);
        phaseStart = performance.now();
        last = r.phase;
      }
    },
  });
  const ms = performance.now() - t0;
  if (last) phases[last] = Math.round(performance.now() - phaseStart);
  const objects = (["products", "customers", "orders"] as const).reduce((n, p) => n + (run.progress[p]?.done ?? 0), 0);
  const rssMiB = process.resourceUsage().maxRSS / 1024;
  console.log(
    JSON.stringify(
      {
        backend,
        customers: Number(values.customers),
        orders: Number(values.orders),
        products: Number(values.products),
        status: run.status,
        seconds: +(ms / 1000).toFixed(1),
        objectsPerSecond: Math.round(objects / (ms / 1000)),
        ordersPerSecond: Math.round((run.progress.orders?.done ?? 0) / ((phases.orders ?? ms) / 1000)),
        phasesMs: phases,
        peakRssMiB: Math.round(rssMiB),
        adminRequests: admin.stats.requests,
      },
      null,
      2,
    ),
  );
} finally {
  await db.close();
  await target.drop();
  child.kill("SIGTERM");
}
