// Scaling ladder of the full recompute: the same shop shape at growing sizes (10 orders per
// customer), each analysed in a fresh process. Prints every stage's time, the peak memory and
// the growth exponent between consecutive sizes (time ∝ orders^k: k ≤ 1.1 means linear).
//
//   node --import tsx bench/analytics/ladder.ts [--postgres 100000,300000,1000000] [--pglite 10000,30000,100000]
//        [--orders-per-customer 10] [--runs 1]
//
// Sizes are customer counts; "--pglite ''" or "--postgres ''" skips a backend. PostgreSQL
// databases are created on BENCH_POSTGRES_URL and dropped afterwards (bench/database.ts).
import { spawnSync } from "node:child_process";
import pg from "pg";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { openDatabase } from "../../app/lib/database.server";
import { applyMigrations } from "../../prisma/migrator";
import { benchDatabase } from "../database";
import { END_DAY, generateDataset } from "./dataset";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const NOW = `${END_DAY}T20:00:00Z`;
const STAGES = ["aggregate", "rfm", "fit", "predict", "kpis", "cohorts", "extras", "write", "vacuum", "recommendations"] as const;

const { values } = parseArgs({
  options: {
    postgres: { type: "string", default: "100000,300000,1000000" },
    pglite: { type: "string", default: "10000,30000,100000" },
    "orders-per-customer": { type: "string", default: "10" },
    runs: { type: "string", default: "1" },
  },
});
const perCustomer = Number(values["orders-per-customer"]);
const sizes = (text: string) => text.split(",").filter(Boolean).map(Number);

interface Rung {
  backend: string;
  customers: number;
  orders: number;
  genS: number;
  wallS: number;
  stages: Record<string, number>;
  maxRssMb: number;
  heapPeakMb: number;
  /** PostgreSQL only: share of CustomerMetrics row updates that were HOT (no index entries). */
  hotShare?: number;
}

// How many of the analysis's CustomerMetrics updates were heap-only (ADR 013): the statistics
// are flushed when the analysis process exits, so they are complete when read here.
async function hotUpdateShare(url: string): Promise<number | undefined> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query(
      `SELECT n_tup_upd::float8 AS upd, n_tup_hot_upd::float8 AS hot FROM pg_stat_user_tables WHERE relname = 'CustomerMetrics'`,
    );
    return rows[0]?.upd > 0 ? rows[0].hot / rows[0].upd : undefined;
  } finally {
    await client.end();
  }
}

function analyse(url: string) {
  const res = spawnSync(
    process.execPath,
    ["--max-old-space-size=4096", "--import", "tsx", path.join(ROOT, "bench/analytics/child.ts"), url, NOW, values.runs!],
    {
      cwd: ROOT,
      encoding: "utf8",
      env: { ...process.env, LOG_LEVEL: "silent" },
      maxBuffer: 1 << 24,
    },
  );
  if (res.status !== 0) throw new Error(`analysis child failed (${res.status}): ${res.stderr}`);
  return JSON.parse(res.stdout.trim().split("\n").at(-1)!);
}

async function rung(backend: "pglite" | "postgres", customers: number): Promise<Rung> {
  const orders = customers * perCustomer;
  const { target, url, drop } = await benchDatabase(backend, `ladder_${customers}`);
  try {
    const db = openDatabase(target);
    await applyMigrations(db.migrationAdapter);
    const t0 = performance.now();
    await generateDataset(db.prisma, { orders, customers, checkouts: Math.round(orders / 5) });
    const genS = (performance.now() - t0) / 1000;
    await db.close();
    const result = analyse(url);
    // The last run is the steady state: with --runs 2 or more, the next day's run, which
    // replaces the metrics of the one before (child.ts moves `now` a day per run).
    const last = result.runs.at(-1);
    const rungResult: Rung = {
      backend,
      customers,
      orders,
      genS,
      wallS: last.wallMs / 1000,
      stages: Object.fromEntries(STAGES.map((s) => [s, (last.timings[s] ?? 0) / 1000])),
      maxRssMb: result.maxRssMb,
      heapPeakMb: result.heapPeakMb,
      hotShare: backend === "postgres" ? await hotUpdateShare(url) : undefined,
    };
    console.log(
      `  ${backend} ${orders.toLocaleString("en")} orders: ${rungResult.wallS.toFixed(2)} s, RSS ${rungResult.maxRssMb} MiB (generated in ${genS.toFixed(0)} s)` +
        (rungResult.hotShare === undefined ? "" : `, ${(rungResult.hotShare * 100).toFixed(1)} % of CustomerMetrics updates HOT`),
    );
    return rungResult;
  } finally {
    await drop();
  }
}

const exponent = (t1: number, t2: number, n1: number, n2: number) => (t1 > 0 && t2 > 0 ? Math.log(t2 / t1) / Math.log(n2 / n1) : NaN);

const loadStart = os
  .loadavg()
  .map((l) => l.toFixed(2))
  .join(" ");
const rungs: Rung[] = [];
for (const [backend, list] of [
  ["pglite", values.pglite],
  ["postgres", values.postgres],
] as const) {
  for (const customers of sizes(list!)) rungs.push(await rung(backend, customers));
}

console.log(
  `\nAnalytics scaling ladder, ${perCustomer} orders per customer, Node ${process.version}, ${os.cpus().length} cores, ${Math.round(os.totalmem() / 2 ** 30)} GiB`,
);
console.log(
  `load average at start: ${loadStart}; at end: ${os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(" ")}; ${new Date().toISOString()}\n`,
);
console.log(`| backend | orders | wall s | ${STAGES.join(" / ")} (s) | peak RSS | peak heap | HOT updates | exponent (wall) |`);
console.log(`| --- | --- | --- | --- | --- | --- | --- | --- |`);
rungs.forEach((r, i) => {
  const prev = rungs[i - 1];
  const k = prev && prev.backend === r.backend ? exponent(prev.wallS, r.wallS, prev.orders, r.orders).toFixed(2) : "";
  console.log(
    `| ${r.backend} | ${r.orders.toLocaleString("en")} | ${r.wallS.toFixed(2)} | ${STAGES.map((s) => r.stages[s].toFixed(2)).join(" / ")} | ` +
      `${r.maxRssMb} MiB | ${r.heapPeakMb} MiB | ${r.hotShare === undefined ? "" : `${(r.hotShare * 100).toFixed(1)} %`} | ${k} |`,
  );
});
console.log("\nGrowth exponent per stage between consecutive sizes:");
rungs.forEach((r, i) => {
  const prev = rungs[i - 1];
  if (!prev || prev.backend !== r.backend) return;
  const parts = STAGES.map((s) => `${s} ${exponent(prev.stages[s], r.stages[s], prev.orders, r.orders).toFixed(2)}`);
  console.log(`- ${r.backend} ${prev.orders.toLocaleString("en")} → ${r.orders.toLocaleString("en")}: ${parts.join(", ")}`);
});
