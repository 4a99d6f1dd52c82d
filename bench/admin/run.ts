// Admin pages benchmark: every admin page's loader at 100,000 customers / 1,000,000 orders on
// PGlite and PostgreSQL (p50 / p95 / max of N calls after a warm-up, the customers page's
// search, filters, sorts and a later page included), then the Largest Contentful Paint of each
// page in Chromium on the demo shop (`npm run demo`'s default size).
//
//   node --import tsx bench/admin/run.ts [--backends pglite,postgres] [--customers 100000]
//        [--orders 1000000] [--runs 30] [--lcp-loads 5] [--no-lcp] [--fresh]
//
// The datasets are kept between runs (bench/admin/dataset.ts; --fresh rebuilds them). The build
// is made first when stale (server/build.ts). PostgreSQL: BENCH_POSTGRES_URL's server.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { buildIfStale } from "../../server/build";
import { launchChromium } from "../../tests/helpers/browser";
import { startDemoServer } from "../../tests/helpers/server";
import { prepareAdminDataset } from "./dataset";

const ROOT = path.resolve(import.meta.dirname, "../..");
const { values } = parseArgs({
  options: {
    backends: { type: "string", default: "pglite,postgres" },
    customers: { type: "string", default: "100000" },
    orders: { type: "string", default: "1000000" },
    runs: { type: "string", default: "30" },
    "lcp-loads": { type: "string", default: "5" },
    "no-lcp": { type: "boolean", default: false },
    fresh: { type: "boolean", default: false },
  },
});
const size = { customers: Number(values.customers), orders: Number(values.orders), checkouts: Math.round(Number(values.orders) / 5) };
const load = () =>
  os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(" ");
const log = (line: string) => process.stderr.write(`${line}\n`);

log(`machine: ${os.cpus().length} × ${os.cpus()[0]?.model}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, node ${process.version}, load ${load()}`);
if (buildIfStale()) log("built the app");

interface Row {
  route: string;
  url: string;
  p50: number;
  p95: number;
  max: number;
}
const tables: { backend: string; rows: Row[]; skipped: string[]; load: string }[] = [];
for (const backend of values.backends!.split(",").filter(Boolean) as ("pglite" | "postgres")[]) {
  const url = await prepareAdminDataset(backend, size, { fresh: values.fresh, log });
  const before = load();
  const res = spawnSync(process.execPath, ["--import", "tsx", path.join(ROOT, "bench/admin/loaders.ts"), values.runs!], {
    cwd: ROOT,
    encoding: "utf8",
    env: { ...process.env, RAPPORT_DEMO: "1", DATABASE_URL: url, LOG_LEVEL: "silent", NODE_ENV: "development", RAPPORT_WORKER: "0" },
    maxBuffer: 1 << 24,
  });
  if (res.status !== 0) throw new Error(`loader child failed (${res.status}): ${res.stderr}`);
  const out = JSON.parse(res.stdout.trim().split("\n").at(-1)!);
  tables.push({ backend, rows: out.results, skipped: out.skipped, load: `${before} → ${load()}` });
}

const ms = (v: number) => v.toFixed(0);
for (const t of tables) {
  console.log(
    `\n${t.backend}, ${size.customers.toLocaleString("en")} customers / ${size.orders.toLocaleString("en")} orders, ${values.runs} calls (load ${t.load})\n`,
  );
  console.log("| page loader | URL | p50 ms | p95 ms | max ms |");
  console.log("|---|---|---:|---:|---:|");
  for (const r of t.rows) console.log(`| ${r.route.replace("routes/", "")} | \`${r.url}\` | ${ms(r.p50)} | ${ms(r.p95)} | ${ms(r.max)} |`);
  if (t.skipped.length) console.log(`\nskipped: ${t.skipped.join("; ")}`);
}

if (!values["no-lcp"]) {
  // LCP on the demo shop as `npm run demo` seeds it, in a fresh PGlite folder.
  const dir = mkdtempSync(path.join(os.tmpdir(), "rapport-lcp-"));
  const server = await startDemoServer([], { DATABASE_URL: `pglite:${dir}` }, 600_000);
  const browser = await launchChromium();
  try {
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const first = await ctx.newPage();
    await first.goto(`${server.url}/app/customers`, { waitUntil: "networkidle" });
    const profile = await first.locator('a[href^="/app/customers/"]').first().getAttribute("href");
    await first.close();
    const pages = [
      "/app",
      "/app/customers",
      "/app/customers?q=martin",
      profile!,
      "/app/settings",
      "/app/data",
      "/app/segments",
      "/app/cohorts",
      "/app/predictions",
    ];
    console.log(
      `\nLargest Contentful Paint, demo shop, Chromium ${browser.version()} headless, ${values["lcp-loads"]} loads each (load ${load()})\n`,
    );
    console.log("| page | status | LCP median ms | LCP max ms |");
    console.log("|---|---:|---:|---:|");
    for (const p of pages) {
      const lcps: number[] = [];
      let status = 0;
      for (let i = 0; i < Number(values["lcp-loads"]); i++) {
        const page = await ctx.newPage();
        const response = await page.goto(`${server.url}${p}`, { waitUntil: "load" });
        status = response?.status() ?? 0;
        const lcp = await page.evaluate(
          () =>
            new Promise<number>((resolve) => {
              new PerformanceObserver((list) => {
                const entries = list.getEntries();
                resolve(entries[entries.length - 1].startTime);
              }).observe({ type: "largest-contentful-paint", buffered: true });
              setTimeout(() => resolve(NaN), 5000);
            }),
        );
        lcps.push(lcp);
        await page.close();
      }
      if (status === 404) {
        console.log(`| \`${p}\` | 404 (not in this branch) | | |`);
        continue;
      }
      lcps.sort((a, b) => a - b);
      console.log(
        `| \`${p.replace(/\/app\/customers\/\d+/, "/app/customers/<id>")}\` | ${status} | ${ms(lcps[Math.floor(lcps.length / 2)])} | ${ms(lcps[lcps.length - 1])} |`,
      );
    }
  } finally {
    await browser.close();
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
