// Storefront benchmark: GET /proxy/recommendations at a fixed rate over loopback, every request
// signed as Shopify's app proxy signs it, against the demo server on PGlite and PostgreSQL; and
// the weight of the theme extension's assets.
//
//   npm run bench:storefront [-- --rate 200 --seconds 20 --backend pglite --backend postgres]
//   npm run bench:storefront -- --database pglite:/tmp/seeded   (reuse a database seeded by
//     `rapport demo seed` with the same --customers/--orders; it is kept afterwards)
//   npm run bench:storefront -- --profile DIR   (the server's V8 CPU profile, written in DIR on exit)
//
// Mix: 55 % product pages (anonymous), 15 % cart pages (2 products), 15 % home as a known
// customer, 15 % home anonymous with a visitor id. Open loop: requests leave on schedule whether
// or not earlier ones answered, so a slow server shows up as latency, not as a lower rate.
import { spawn, type ChildProcess } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { gzipSync } from "node:zlib";
import { DEMO_DEFAULTS } from "../../app/lib/env.server";
import { signProxyQuery } from "../../app/lib/proxySignature";
import { buildIfStale } from "../../server/build";
import { benchDatabase } from "../database";

const ROOT = path.resolve(import.meta.dirname, "../..");
const { values } = parseArgs({
  options: {
    rate: { type: "string", default: "200" },
    seconds: { type: "string", default: "20" },
    backend: { type: "string", multiple: true },
    customers: { type: "string", default: "6200" },
    orders: { type: "string", default: "15000" },
    database: { type: "string" },
    profile: { type: "string" },
  },
});
const RATE = Number(values.rate);
const SECONDS = Number(values.seconds);
const BACKENDS = (values.backend?.length ? values.backend : ["pglite", "postgres"]) as ("pglite" | "postgres")[];
const KEPT_DATABASE = values.database;

function assetSizes() {
  const dir = path.join(ROOT, "extensions", "rapport-storefront", "assets");
  return readdirSync(dir).map((name) => {
    const bytes = readFileSync(path.join(dir, name));
    return { name, raw: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length };
  });
}

async function startServer(url: string, port: number): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    [
      ...(values.profile ? ["--cpu-prof", "--cpu-prof-dir", values.profile] : []),
      path.join(ROOT, "cli", "bin.mjs"),
      "demo",
      "serve",
      "--port",
      String(port),
      "--customers",
      values.customers!,
      "--orders",
      values.orders!,
    ],
    {
      cwd: ROOT,
      env: { ...process.env, NODE_ENV: "development", LOG_LEVEL: "warn", DATABASE_URL: url },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let output = "";
  child.stdout!.on("data", (c) => (output += c));
  child.stderr!.on("data", (c) => (output += c));
  const t0 = Date.now();
  while (!output.includes("Rapport demo is ready")) {
    if (child.exitCode !== null) throw new Error(output);
    if (Date.now() - t0 > 1_800_000) throw new Error("server not ready in 30 min");
    await new Promise((r) => setTimeout(r, 500));
  }
  console.log(`  demo server ready in ${((Date.now() - t0) / 1000).toFixed(0)} s (seeded, analysed, models trained)`);
  return child;
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
function get(port: number, pathAndQuery: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve) => {
    const req = http.get({ host: "127.0.0.1", port, path: pathAndQuery, agent, headers: { Accept: "application/json" } }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (c) => (body += c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on("error", () => resolve({ status: 0, body: "" }));
  });
}

function signed(query: string, customer = ""): string {
  const params = signProxyQuery(new URLSearchParams(query), {
    shop: DEMO_DEFAULTS.SHOP,
    pathPrefix: "/apps/rapport",
    customerId: customer,
    secret: DEMO_DEFAULTS.SHOPIFY_API_SECRET,
  });
  return `/proxy/recommendations?${params}`;
}

function percentile(sorted: number[], p: number) {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function run(backend: "pglite" | "postgres") {
  console.log(`\n${backend}`);
  const db = KEPT_DATABASE ? { url: KEPT_DATABASE, drop: async () => {} } : await benchDatabase(backend, "storefront");
  const port = 3900 + Math.floor(Math.random() * 90);
  const server = await startServer(db.url, port);
  try {
    // Products and customers the shop really has: from trending answers and the demo storefront.
    const products = new Set<string>();
    for (const placement of ["home", "collection"]) {
      const answer = JSON.parse((await get(port, signed(`placement=${placement}&strategy=trending&limit=24`))).body) as {
        products: { id: string }[];
      };
      for (const p of answer.products) products.add(p.id);
    }
    const home = (await get(port, "/demo/storefront")).body;
    const customers = [...home.matchAll(/<option value="(\d+)"/g)].map((m) => m[1]);
    const ids = [...products];
    const pick = <T>(list: T[], i: number) => list[(i * 7919) % list.length];
    const request = (i: number) => {
      const r = i % 20;
      if (r < 11) return signed(`placement=product&product_id=${pick(ids, i)}&limit=4`);
      if (r < 14) return signed(`placement=cart&cart=${pick(ids, i)},${pick(ids, i + 1)}&limit=4`);
      if (r < 17) return signed("placement=home&limit=8", pick(customers, i));
      return signed(`placement=home&limit=8&vid=visitor${String(i % 500).padStart(6, "0")}`);
    };
    // Warm-up (JIT, caches, the loaded model), not measured.
    for (let i = 0; i < 200; i++) await get(port, request(i));

    const total = RATE * SECONDS;
    const latencies: number[] = [];
    let errors = 0;
    const start = performance.now();
    const pending: Promise<void>[] = [];
    for (let i = 0; i < total; i++) {
      const due = start + (i * 1000) / RATE;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      const t0 = performance.now();
      pending.push(
        get(port, request(i + 1000)).then(({ status, body }) => {
          latencies.push(performance.now() - t0);
          if (status !== 200 || !body.startsWith('{"recId"')) errors++;
        }),
      );
    }
    await Promise.all(pending);
    const elapsed = (performance.now() - start) / 1000;
    latencies.sort((a, b) => a - b);
    const f = (v: number) => v.toFixed(1);
    console.log(
      `  ${total} requests in ${elapsed.toFixed(1)} s (${(total / elapsed).toFixed(0)}/s offered ${RATE}/s): ` +
        `p50 ${f(percentile(latencies, 50))} ms, p95 ${f(percentile(latencies, 95))} ms, p99 ${f(percentile(latencies, 99))} ms, max ${f(latencies[latencies.length - 1])} ms, errors ${errors}`,
    );
    return { backend, p50: percentile(latencies, 50), p95: percentile(latencies, 95), p99: percentile(latencies, 99), errors };
  } finally {
    server.kill("SIGTERM");
    await new Promise((r) => server.once("exit", r));
    await db.drop();
  }
}

buildIfStale();
console.log(
  `Machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? "cpu"}, load ${os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(" ")}, Node ${process.version}`,
);
console.log("Theme extension assets (raw / gzip -9):");
for (const a of assetSizes()) console.log(`  ${a.name}: ${a.raw} B / ${a.gzip} B`);
if (KEPT_DATABASE) await run(KEPT_DATABASE.startsWith("pglite:") ? "pglite" : "postgres");
else for (const backend of BACKENDS) await run(backend);
agent.destroy();
