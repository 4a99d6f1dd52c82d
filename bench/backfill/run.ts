// Backfill benchmark: a large simulated shop exported through the simulator's bulk JSONL (in a
// child process, over HTTP, like Shopify) and imported by the backfill into PGlite or PostgreSQL.
// Prints a table: total time, objects per second, each phase's export wait (the simulator
// building the file: Shopify's time, not Rapport's) and import rate, this process's peak RSS
// (the simulator's memory is in its own process and not counted) and the Admin API calls.
//   node --import tsx bench/backfill/run.ts [--backend postgres|pglite] [--customers N] [--orders N] [--products N]
//                                           [--batch N] [--json]
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import os from "node:os";
import { parseArgs } from "node:util";
import { AdminClient } from "../../app/lib/adminApi.server";
import { openDatabase } from "../../app/lib/database.server";
import { runBackfill, type Phase } from "../../app/services/backfill.server";
import { applyMigrations } from "../../prisma/migrator";
import pg from "pg";
import { benchDatabase } from "../database";

/** CPU seconds (user + system) a local process has used, from /proc (Linux); null elsewhere. */
function cpuSecondsOf(pid: number): number | null {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return null;
  }
}

/**
 * The CPU the PostgreSQL backends serving the bench database have used (the server is local):
 * sampled every second, each backend's last reading kept, so that a connection the pools close
 * while idle (during an export wait) still counts.
 */
async function postgresCpuMeter(url: string) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const last = new Map<number, number>();
  // Not Linux: no figure. A backend that ended between the listing and its /proc read (the pool
  // closes idle connections) keeps its last reading.
  const unreadable = cpuSecondsOf(process.pid) === null;
  const sample = async () => {
    const { rows } = await client.query<{ pid: number }>(
      "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()",
    );
    for (const { pid } of rows) {
      const seconds = cpuSecondsOf(pid);
      if (seconds !== null) last.set(pid, seconds);
    }
  };
  let sampling = Promise.resolve();
  const timer = setInterval(() => {
    sampling = sampling.then(sample).catch(() => undefined);
  }, 1000);
  return {
    async seconds(): Promise<number | null> {
      await sampling;
      await sample();
      return unreadable ? null : [...last.values()].reduce((a, b) => a + b, 0);
    },
    async stop() {
      clearInterval(timer);
      await sampling;
      await client.end();
    },
  };
}

const { values } = parseArgs({
  options: {
    backend: { type: "string", default: "postgres" },
    customers: { type: "string", default: "100000" },
    orders: { type: "string", default: "1000000" },
    products: { type: "string", default: "5000" },
    batch: { type: "string", default: "2000" },
    // Orders per export (the backfill's default: ORDERS_PER_EXPORT); a huge value: one export.
    "orders-per-export": { type: "string" },
    json: { type: "boolean", default: false },
  },
});
const backend = values.backend === "pglite" ? "pglite" : "postgres";
const SHOP = "rapport-demo.myshopify.com";
const orders = Number(values.orders);

const child = spawn(
  process.execPath,
  [
    // The simulator holds the generated shop in memory (≈7 GiB at 1,000,000 orders): not counted here.
    `--max-old-space-size=${Math.max(4096, Math.ceil(orders / 100_000) * 1400)}`,
    // A larger young generation: an export's short-lived objects and text die there instead of
    // being promoted into that heap (300,000 orders: 20.0–22.8 → 16.7–18.2 CPU-s per orders export).
    "--max-semi-space-size=64",
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
const tSim = performance.now();
const origin = await new Promise<string>((resolve, reject) => {
  let text = "";
  child.stdout!.on("data", (chunk) => {
    text += chunk;
    const match = /(http:\/\/127\.0\.0\.1:\d+)\/admin/.exec(text);
    if (match) resolve(match[1]);
  });
  child.once("exit", (code) => reject(new Error(`simulator exited with ${code}`)));
});
const generateMs = performance.now() - tSim;

const target = await benchDatabase(backend, "backfill");
const db = openDatabase(target.target);
try {
  await applyMigrations(db.migrationAdapter);
  const admin = new AdminClient({ shop: SHOP, accessToken: "sim-token", origin });
  const pgMeter = backend === "postgres" ? await postgresCpuMeter(target.url) : null;
  const pgBefore = (await pgMeter?.seconds()) ?? null;
  const cpuBefore = process.cpuUsage();
  // Per phase: when it started and ended, and how long the job waited for its exports (a
  // large shop's orders come in several, each exported while the one before is imported).
  const phases: Partial<Record<Phase, { start: number; waited: number; end?: number }>> = {};
  let last: string = "";
  const t0 = performance.now();
  phases.products = { start: t0, waited: 0 };
  last = "products";
  const run = await runBackfill(db.prisma, admin, SHOP, {
    pollMs: 100,
    batchSize: Number(values.batch),
    ordersPerExport: values["orders-per-export"] ? Number(values["orders-per-export"]) : undefined,
    analyze: false,
    onExportWait: (phase, waitedMs) => {
      (phases[phase] ??= { start: performance.now(), waited: 0 }).waited += waitedMs;
    },
    onProgress: (r) => {
      if (r.phase === last) return;
      const now = performance.now();
      if (last in phases) phases[last as Phase]!.end = now;
      if (["products", "customers", "orders"].includes(r.phase)) phases[r.phase as Phase] ??= { start: now, waited: 0 };
      last = r.phase;
    },
  });
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage();
  const backfillCpu = (cpu.user + cpu.system) / 1e6;
  const during = process.cpuUsage(cpuBefore);
  const importCpu = (during.user + during.system) / 1e6;
  const pgAfter = (await pgMeter?.seconds()) ?? null;
  await pgMeter?.stop();
  const databaseCpu = pgAfter === null || pgBefore === null ? null : pgAfter - pgBefore;
  const simulatorCpu = cpuSecondsOf(child.pid!);
  const objects = (["products", "customers", "orders"] as const).reduce((n, p) => n + (run.progress[p]?.done ?? 0), 0);
  const exportMs = Object.values(phases).reduce((sum, p) => sum + p.waited, 0);
  const rssMiB = process.resourceUsage().maxRSS / 1024;
  const perPhase = Object.fromEntries(
    (["products", "customers", "orders"] as const).map((p) => {
      const t = phases[p];
      const done = run.progress[p]?.done ?? 0;
      const exportWait = t ? t.waited : 0;
      const importMs = t?.end ? t.end - t.start - t.waited : 0;
      return [
        p,
        {
          objects: done,
          exportSeconds: +(exportWait / 1000).toFixed(1),
          importSeconds: +(importMs / 1000).toFixed(1),
          importPerSecond: importMs ? Math.round(done / (importMs / 1000)) : null,
        },
      ];
    }),
  );
  const result = {
    backend,
    customers: Number(values.customers),
    orders,
    products: Number(values.products),
    batch: Number(values.batch),
    status: run.status,
    seconds: +(ms / 1000).toFixed(1),
    importSeconds: +((ms - exportMs) / 1000).toFixed(1),
    objectsPerSecond: Math.round(objects / (ms / 1000)),
    objectsPerImportSecond: Math.round(objects / ((ms - exportMs) / 1000)),
    phases: perPhase,
    peakRssMiB: Math.round(rssMiB),
    adminRequests: admin.stats.requests,
    simulatorStartSeconds: +(generateMs / 1000).toFixed(1),
    // Load-independent: what each side cost. PGlite runs inside the backfill process.
    cpuSeconds: {
      backfill: +backfillCpu.toFixed(1),
      // The backfill job alone (without start-up, migrations, this bench's own set-up).
      backfillJob: +importCpu.toFixed(1),
      postgres: databaseCpu === null ? null : +databaseCpu.toFixed(1),
      simulator: simulatorCpu === null ? null : +simulatorCpu.toFixed(1),
    },
    // Per 1,000 orders (with their share of customers and products): the figures to compare across shop sizes.
    cpuSecondsPer1000Orders: {
      backfillJob: +((importCpu * 1000) / orders).toFixed(3),
      postgres: databaseCpu === null ? null : +((databaseCpu * 1000) / orders).toFixed(3),
    },
    load: os.loadavg().map((l) => +l.toFixed(2)),
  };
  if (values.json) console.log(JSON.stringify(result, null, 2));
  else {
    const f = (n: number | null) => (n === null ? "–" : n.toLocaleString("en-US"));
    console.log(
      `Backfill bench: ${backend}, ${f(result.customers)} customers / ${f(orders)} orders / ${f(result.products)} products, batches of ${result.batch}, ${run.status}`,
    );
    console.log(
      `load average ${result.load.join(" ")} on ${os.cpus().length} cores; simulator started in ${result.simulatorStartSeconds} s (not counted)`,
    );
    console.log("");
    console.log("| phase | objects | export wait (simulator) | import | objects/s (import) |");
    console.log("|---|---|---|---|---|");
    for (const [p, v] of Object.entries(perPhase))
      console.log(`| ${p} | ${f(v.objects)} | ${v.exportSeconds} s | ${v.importSeconds} s | ${f(v.importPerSecond)} |`);
    console.log(
      `| **total** | ${f(objects)} | ${(exportMs / 1000).toFixed(1)} s | ${result.importSeconds} s | ${f(result.objectsPerImportSecond)} |`,
    );
    console.log("");
    console.log(
      `total ${result.seconds} s (${f(result.objectsPerSecond)} objects/s end to end), peak RSS ${result.peakRssMiB} MiB, ${result.adminRequests} Admin API calls`,
    );
    const c = result.cpuSeconds;
    console.log(
      `CPU: backfill process ${c.backfill} s (the job ${c.backfillJob} s)${c.postgres === null ? "" : `, PostgreSQL backends ${c.postgres} s`}, simulator ${c.simulator ?? "?"} s (generation and export)`,
    );
    const m = result.cpuSecondsPer1000Orders;
    console.log(
      `CPU per 1,000 orders: backfill job ${m.backfillJob.toFixed(3)} s${m.postgres === null ? " (PGlite: the database included)" : `, PostgreSQL ${m.postgres.toFixed(3)} s`}`,
    );
  }
} finally {
  await db.close();
  await target.drop();
  child.kill("SIGTERM");
}
