// Analytics benchmark: a deterministic shop of 1,000,000 orders and 100,000 customers, fully
// recomputed by services/analytics.server.ts on PGlite and on PostgreSQL, plus `rapport rfm`
// and `rapport clv` on a 1,000,000-row CSV, against the same work done by pandas + scipy
// (bench/analytics/reference.py), whose results are compared with ours. Prints a table of
// stage times and peak memory.
//
//   node --import tsx bench/analytics/run.ts [--backends pglite,postgres] [--orders N]
//        [--customers N] [--checkouts N] [--no-cli] [--cli-only] [--cli-runs N]
//
// The pandas comparison needs python3 with pandas and scipy (`pip install -r
// bench/analytics/requirements.txt`, or PYTHON=/usr/bin/python3 with Debian's python3-pandas and
// python3-scipy); without them it is skipped with a note that names the versions it found.
//
// PostgreSQL: creates and drops its own database rapport_bench_<pid> on BENCH_POSTGRES_URL
// (default postgresql://postgres@127.0.0.1:5432/postgres).
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { openDatabase } from "../../app/lib/database.server";
import { benchDatabase } from "../database";
import { applyMigrations } from "../../prisma/migrator";
import { buildCli } from "../../cli/build.mjs";
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
    "cli-only": { type: "boolean", default: false },
    "cli-runs": { type: "string", default: "3" },
  },
});
if (values["cli-only"]) values.backends = "";
const size = { orders: Number(values.orders), customers: Number(values.customers), checkouts: Number(values.checkouts) };
const rows: string[][] = [];
const notes: string[] = [];
const loadAtStart = os
  .loadavg()
  .map((l) => l.toFixed(2))
  .join(" ");

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
        `${kind} full recompute, run ${i + 1}${i === 0 ? " (no previous metrics)" : " (a day later: replaces run 1)"}`,
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

interface Timing {
  wallMs: number;
  cpuMs: number;
  rssMb: number | null;
  stdout: string;
}

/** One run of a command: wall time, user + system CPU and max RSS (from /usr/bin/time -v when present). */
function timeOnce(label: string, cmd: string, args: string[], env: Record<string, string> = {}): Timing {
  const hasTime = existsSync("/usr/bin/time");
  const t0 = performance.now();
  const res = spawnSync(hasTime ? "/usr/bin/time" : cmd, hasTime ? ["-v", cmd, ...args] : args, {
    cwd: ROOT,
    encoding: "utf8",
    maxBuffer: 1 << 26,
    env: { ...process.env, ...env },
  });
  const wallMs = performance.now() - t0;
  if (res.status !== 0) throw new Error(`${label} failed (${res.status}): ${(res.stdout ?? "").slice(-500)}${res.stderr.slice(-2000)}`);
  const num = (re: RegExp) => Number(re.exec(res.stderr)?.[1] ?? NaN);
  const cpuMs = (num(/User time \(seconds\): ([\d.]+)/) + num(/System time \(seconds\): ([\d.]+)/)) * 1000;
  const rss = num(/Maximum resident set size \(kbytes\): (\d+)/);
  return { wallMs, cpuMs, rssMb: Number.isNaN(rss) ? null : Math.round(rss / 1024), stdout: res.stdout };
}

const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor((v.length - 1) / 2)];

/** Median wall and CPU of several timings, with the range of the wall times. */
function summary(ts: Timing[]): { wall: number; cpu: number; text: string; rss: string } {
  const walls = ts.map((t) => t.wallMs);
  const wall = median(walls);
  const cpu = median(ts.map((t) => t.cpuMs));
  const rss = Math.max(...ts.map((t) => t.rssMb ?? 0));
  const range = ts.length > 1 ? ` (${fmtS(Math.min(...walls))}–${fmtS(Math.max(...walls))})` : "";
  return { wall, cpu, text: `${fmtS(wall)}${range}`, rss: rss ? `${rss} MiB` : "n/a" };
}

/** Reads a CSV written by either side into customer id → row of strings. */
function readTable(file: string): { header: string[]; rows: Map<string, string[]> } {
  const lines = readFileSync(file, "utf8").trimEnd().split("\n");
  const header = lines[0].split(",");
  const rows = new Map<string, string[]>();
  for (let i = 1; i < lines.length; i++) {
    const f = lines[i].split(",");
    rows.set(f[0], f);
  }
  return { header, rows };
}

/**
 * Largest difference per column between our CSV and the reference's: relative
 * (|a − b| / max(|a|, |b|)) for numbers above 1e-12, absolute below; text compared exactly.
 */
function compareTables(ours: string, theirs: string): string[] {
  const a = readTable(ours);
  const b = readTable(theirs);
  const out: string[] = [];
  if (a.rows.size !== b.rows.size) out.push(`customers: ${a.rows.size} vs ${b.rows.size}`);
  for (let c = 1; c < a.header.length; c++) {
    const j = b.header.indexOf(a.header[c]);
    let maxRel = 0;
    let maxAbs = 0;
    let textDiff = 0;
    let numeric = true;
    for (const [id, row] of a.rows) {
      const other = b.rows.get(id);
      if (!other) continue;
      const u = row[c];
      const v = other[j];
      const x = Number(u === "" ? NaN : u);
      const y = Number(v === "" ? NaN : v);
      if (Number.isNaN(x) || Number.isNaN(y)) {
        numeric = false;
        if (u !== v) textDiff++;
        continue;
      }
      const big = Math.max(Math.abs(x), Math.abs(y));
      if (big > 1e-12) maxRel = Math.max(maxRel, Math.abs(x - y) / big);
      else maxAbs = Math.max(maxAbs, Math.abs(x - y));
    }
    out.push(
      numeric
        ? `${a.header[c]} ${maxRel.toExponential(1)}${maxAbs > 0 ? ` (abs ${maxAbs.toExponential(1)} below 1e-12)` : ""}`
        : `${a.header[c]} ${textDiff} differ`,
    );
  }
  return out;
}

// The interpreter of the reference pipeline: PYTHON=/usr/bin/python3 picks Debian's python3-pandas
// where pip's packages cannot be installed.
const PYTHON = process.env.PYTHON || "python3";

function pythonReady(): string | null {
  const res = spawnSync(PYTHON, ["-c", "import pandas, scipy; print(pandas.__version__, scipy.__version__)"], { encoding: "utf8" });
  if (res.error) return null;
  return res.status === 0 ? res.stdout.trim() : null;
}

async function benchCli() {
  const dir = mkdtempSync(path.join(os.tmpdir(), "rapport-bench-cli-"));
  try {
    const file = path.join(dir, "orders.csv");
    const t0 = performance.now();
    writeFileSync(file, datasetCsv(size.orders, size.customers));
    notes.push(`CSV: ${size.orders} rows written in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    // The CLI as installed: compiled (cli/build.mjs), which bin.mjs uses when it is fresh.
    await buildCli();
    const bin = path.join(ROOT, "cli/bin.mjs");
    const explain = spawnSync(process.execPath, [bin, "--help"], { encoding: "utf8", env: { ...process.env, RAPPORT_CLI_EXPLAIN: "1" } });
    notes.push(`CLI: ${explain.stderr.trim()}`);
    const rfmArgs = [bin, "rfm", "--orders", file, "--analysis-date", END_DAY, "--out", path.join(dir, "rfm.csv")];
    // Full precision, like the reference's output, so that the results can be compared.
    const clvArgs = [
      bin,
      "clv",
      "--transactions",
      file,
      "--calibration-end",
      END_DAY,
      "--date-col",
      "order_date",
      "--amount-col",
      "revenue",
      "--decimals",
      "all",
      "--out",
      path.join(dir, "clv.csv"),
    ];
    const refArgs = [
      path.join(ROOT, "bench/analytics/reference.py"),
      "--orders",
      file,
      "--analysis-date",
      END_DAY,
      "--calibration-end",
      END_DAY,
      "--rfm-out",
      path.join(dir, "ref-rfm.csv"),
      "--clv-out",
      path.join(dir, "ref-clv.csv"),
      "--json-out",
      path.join(dir, "ref.json"),
    ];
    const versions = pythonReady();
    if (!versions) {
      notes.push(
        `pandas + scipy comparison skipped: ${PYTHON} with pandas and scipy not found (pip install -r bench/analytics/requirements.txt, or PYTHON=/usr/bin/python3 with Debian's python3-pandas)`,
      );
    }
    const runs = Math.max(1, Number(values["cli-runs"]));
    const rfmT: Timing[] = [];
    const clvT: Timing[] = [];
    const refT: Timing[] = [];
    // Interleaved, so that a change in the machine's load hits both sides alike.
    for (let i = 0; i < runs; i++) {
      rfmT.push(timeOnce("rapport rfm", process.execPath, rfmArgs));
      clvT.push(timeOnce("rapport clv", process.execPath, clvArgs));
      if (versions) refT.push(timeOnce("reference.py", PYTHON, refArgs));
    }
    const r = summary(rfmT);
    const c = summary(clvT);
    rows.push([`rapport rfm (${size.orders}-row CSV), median of ${runs}`, r.text, `cpu ${fmtS(r.cpu)}`, r.rss]);
    rows.push([`rapport clv (${size.orders}-row CSV), median of ${runs}`, c.text, `cpu ${fmtS(c.cpu)}`, c.rss]);
    if (versions) {
      const p = summary(refT);
      rows.push([`pandas + scipy (reference.py, both), median of ${runs}`, p.text, `cpu ${fmtS(p.cpu)}`, p.rss]);
      const ratio = (ms: number[]) => ms.map((v) => v.toFixed(3));
      const pairWall = rfmT.map((t, i) => (t.wallMs + clvT[i].wallMs) / refT[i].wallMs);
      const pairCpu = rfmT.map((t, i) => (t.cpuMs + clvT[i].cpuMs) / refT[i].cpuMs);
      notes.push(
        `rapport rfm + clv / pandas + scipy: wall ${ratio([median(pairWall)])} (runs ${ratio(pairWall).join(", ")}), ` +
          `cpu ${ratio([median(pairCpu)])} (runs ${ratio(pairCpu).join(", ")}); goal: at most 0.333. pandas ${versions.split(" ")[0]}, scipy ${versions.split(" ")[1]}`,
      );
      const ref = JSON.parse(readFileSync(path.join(dir, "ref.json"), "utf8"));
      const ours = JSON.parse(clvT[0].stdout);
      const rel = (x: number, y: number) => (Math.abs(x - y) / Math.max(Math.abs(x), Math.abs(y))).toExponential(1);
      const params = (k: "bgnbd" | "gammaGamma", names: string[]) =>
        names.map((n) => `${n} ${ours[k][n]} vs ${ref[k][n]} (${rel(ours[k][n], ref[k][n])})`).join(", ");
      notes.push(`BG/NBD ours vs scipy (relative difference): ${params("bgnbd", ["r", "alpha", "a", "b", "logLikelihood"])}`);
      notes.push(`Gamma-Gamma ours vs scipy: ${params("gammaGamma", ["p", "q", "gamma", "logLikelihood"])}`);
      const se = (k: "bgnbd" | "gammaGamma", names: string[]) =>
        names.map((n) => `${n} ${rel(ours[k].standardErrors[n], ref[k].standardErrors[n])}`).join(", ");
      notes.push(`standard errors, relative difference: ${se("bgnbd", ["r", "alpha", "a", "b"])}; ${se("gammaGamma", ["p", "q", "gamma"])}`);
      notes.push(`rfm CSV, largest difference per column: ${compareTables(path.join(dir, "rfm.csv"), path.join(dir, "ref-rfm.csv")).join("; ")}`);
      notes.push(
        `clv CSV, largest relative difference per column: ${compareTables(path.join(dir, "clv.csv"), path.join(dir, "ref-clv.csv")).join("; ")}`,
      );
      notes.push(
        `reference.py's own stages (s, last run): ${Object.entries(ref.seconds)
          .map(([k, v]) => `${k} ${(v as number).toFixed(2)}`)
          .join(", ")}`,
      );
    }
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
console.log(
  `Analytics benchmark: ${size.orders} orders, ${size.customers} customers, ${size.checkouts} checkouts; Node ${process.version}, ${os.cpus().length} cores`,
);
console.log(
  `load average at start: ${loadAtStart}; at end: ${os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(" ")}\n`,
);
console.log(line(header));
console.log(line(widths.map((w) => "-".repeat(w))));
for (const r of rows) console.log(line(r));
console.log("");
for (const n of notes) console.log(`- ${n}`);
