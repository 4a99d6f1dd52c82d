// Analytics benchmark: a deterministic shop of 1,000,000 orders and 100,000 customers, fully
// recomputed by services/analytics.server.ts on PGlite and on PostgreSQL, plus `rapport rfm`
// and `rapport clv` on a 1,000,000-row CSV. Prints a table of stage times and peak memory.
//
//   node --import tsx bench/analytics/run.ts [--backends pglite,postgres] [--orders N]
//        [--customers N] [--checkouts N] [--no-cli]
//
// PostgreSQL: creates and drops its own database rapport_bench_<pid> on BENCH_POSTGRES_URL
// (default postgresql://postgres@127.0.0.1:5432/postgres).
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { openDatabase } from "../../app/lib/database.server";
import { benchDatabase } from "../database";
import { applyMigrations } from "../../prisma/migrator";
import { datasetCsv, END_DAY, generateDataset } from "./dataset";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
// 21:00 in Paris on the last generated day.
const NOW = `${END_DAY}T20:00:00Z`;

const { values } = parseArgs({
  options: {
    backends: { type: "string", default: "pglite,postgres" },
    orders: { type: "string", default: "1000000" },
    customers: { type: "string", default: "100000" },
    checkouts: { type: "string", default: "200000" },
    "no-cli": { type: "boolean", default: false },
  },
});
const size = { orders: Number(values.orders), customers: Number(values.customers), checkouts: Number(values.checkouts) };
const rows: string[][] = [];
const notes: string[] = [];
const loadAtStart = os.loadavg().map((l) => l.toFixed(2)).join(" ");

function child(url: string) {
  const res = spawnSync(process.execPath, ["--import", "tsx", path.join(ROOT, "bench/analytics/child.ts"), url, NOW, "2"], {
    cwd: ROOT,
    encoding: "utf8",
    env: { ...process.env, LOG_LEVEL: "silent" },
    maxBuffer: 1 << 24,
  });
  if (res.status !== 0) throw new Error(`analysis child failed (${res.status}): ${res.stderr}`);
  return JSON.parse(res.stdout.trim().split("\n").at(-1)!);
}

async function benchBackend(kind: "pglite" | "postgres") {
  const { target, url, drop } = await benchDatabase(kind, "analytics");
  try {
    const db = openDatabase(target);
    await applyMigrations(db.migrationAdapter);
    const t0 = performance.now();
    await generateDataset(db.prisma, size);
    const genMs = Math.round(performance.now() - t0);
    const counts = await db.prisma.$queryRawUnsafe<{ o: number; c: number }[]>(
      `SELECT (SELECT COUNT(*) FROM "Order")::int AS o, (SELECT COUNT(DISTINCT "customerId") FROM "Order")::int AS c`,
    );
    await db.close();
    notes.push(`${kind}: generated ${counts[0].o} orders of ${counts[0].c} customers in ${(genMs / 1000).toFixed(1)} s`);
    const result = child(url);
    result.runs.forEach((run: { wallMs: number; timings: Record<string, number> }, i: number) => {
      const t = run.timings;
      rows.push([
        `${kind} full recompute, run ${i + 1}${i === 0 ? " (no previous metrics)" : " (replaces run 1)"}`,
        fmtS(run.wallMs),
        [t.aggregate, t.rfm, t.fit, t.predict, t.kpis, t.cohorts, t.write].map((v) => fmtS(v)).join(" / "),
        i === 0 ? `${result.maxRssMb} MiB` : "″",
      ]);
    });
    const first = result.runs[0];
    notes.push(
      `${kind}: ${first.customers} customers (${first.repeatCustomers} repeat), BG/NBD r=${first.bgnbd?.r.toPrecision(4)} alpha=${first.bgnbd?.alpha.toPrecision(4)} ` +
        `a=${first.bgnbd?.a.toPrecision(4)} b=${first.bgnbd?.b.toPrecision(4)} (${first.bgnbd?.iterations} it.), ` +
        `Gamma-Gamma p=${first.gammaGamma?.p.toPrecision(4)} q=${first.gammaGamma?.q.toPrecision(4)} gamma=${first.gammaGamma?.gamma.toPrecision(4)}, ` +
        `low confidence: ${first.lowConfidence}; sampled RSS peak ${result.sampledPeakMb} MiB`,
    );
  } finally {
    await drop();
  }
}

function fmtS(ms: number) {
  return `${(ms / 1000).toFixed(2)}`;
}

function timed(label: string, args: string[]) {
  const hasTime = existsSync("/usr/bin/time");
  const cmd = hasTime ? "/usr/bin/time" : process.execPath;
  const argv = hasTime ? ["-v", process.execPath, ...args] : args;
  const t0 = performance.now();
  const res = spawnSync(cmd, argv, { cwd: ROOT, encoding: "utf8", maxBuffer: 1 << 26 });
  const ms = Math.round(performance.now() - t0);
  if (res.status !== 0) throw new Error(`${label} failed (${res.status}): ${res.stderr.slice(-2000)}`);
  const rss = /Maximum resident set size \(kbytes\): (\d+)/.exec(res.stderr);
  rows.push([label, fmtS(ms), "", rss ? `${Math.round(Number(rss[1]) / 1024)} MiB` : "n/a"]);
}

async function benchCli() {
  const dir = mkdtempSync(path.join(os.tmpdir(), "rapport-bench-cli-"));
  try {
    const file = path.join(dir, "orders.csv");
    const t0 = performance.now();
    writeFileSync(file, datasetCsv(size.orders, size.customers));
    notes.push(`CSV: ${size.orders} rows written in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    const bin = path.join(ROOT, "cli/bin.mjs");
    timed("rapport rfm (1M-row CSV)", [bin, "rfm", "--orders", file, "--analysis-date", END_DAY, "--out", path.join(dir, "rfm.csv")]);
    timed("rapport clv (1M-row CSV)", [
      bin, "clv", "--transactions", file, "--calibration-end", END_DAY, "--date-col", "order_date", "--amount-col", "revenue", "--out", path.join(dir, "clv.csv"),
    ]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

for (const kind of String(values.backends).split(",").filter(Boolean)) {
  if (kind !== "pglite" && kind !== "postgres") throw new Error(`unknown backend "${kind}" (pglite or postgres)`);
  await benchBackend(kind);
}
if (!values["no-cli"]) await benchCli();

const header = ["what", "wall s", "aggregate / rfm / fit / predict / kpis / cohorts / write (s)", "peak RSS"];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
const line = (r: string[]) => `| ${r.map((c, i) => c.padEnd(widths[i])).join(" | ")} |`;
console.log(`Analytics benchmark: ${size.orders} orders, ${size.customers} customers, ${size.checkouts} checkouts; Node ${process.version}, ${os.cpus().length} cores`);
console.log(`load average at start: ${loadAtStart}; at end: ${os.loadavg().map((l) => l.toFixed(2)).join(" ")}\n`);
console.log(line(header));
console.log(line(widths.map((w) => "-".repeat(w))));
for (const r of rows) console.log(line(r));
console.log("");
for (const n of notes) console.log(`- ${n}`);
