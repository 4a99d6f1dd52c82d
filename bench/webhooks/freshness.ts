// Freshness benchmark (issue 13, part 3): a steady stream of signed orders/create webhooks to
// the running demo server (`rapport demo serve`: 2,000 customers, 15,000 orders, analysed at
// seed, so the incremental path has its frozen scoring), and for each order the time from
// sending the webhook to its customer's CustomerMetrics row being recomputed.
//
//   node --import tsx bench/webhooks/freshness.ts [--rate 200 --seconds 30 --backend pglite|postgres]
//
// Each order goes to a different customer (the demo's 2,000 first, then new ones), so the
// customer's CustomerMetrics.computedAt is the instant of the refresh that order caused (the
// refresh stamps it when it starts, a few milliseconds before its commit). Read after the
// server stops; the debounced full run (60 s after the last event) must not have run.
import { spawn, type ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { openDatabase } from "../../app/lib/database.server";
import { demoEndDate } from "../../app/services/demo.server";
import { DEFAULT_DEMO_OPTIONS, generateDemoShop } from "../../app/services/demo/generator";
import { routeForTopic, webhookHeaders } from "../../cli/webhookSigning";
import { buildIfStale } from "../../server/build";
import { benchDatabase } from "../database";

const ROOT = path.resolve(import.meta.dirname, "../..");
const SECRET = "bench-freshness-secret";
const SHOP = DEFAULT_DEMO_OPTIONS.shopDomain;

const { values } = parseArgs({
  options: {
    rate: { type: "string", default: "200" },
    seconds: { type: "string", default: "30" },
    backend: { type: "string", multiple: true },
    // PostgreSQL deployments may run the worker in its own process (`rapport worker`).
    worker: { type: "string", default: "embedded" },
  },
});
const SEPARATE = values.worker === "separate";
const RATE = Number(values.rate);
const SECONDS = Number(values.seconds);
const BACKENDS = (values.backend?.length ? values.backend : ["pglite", "postgres"]) as ("pglite" | "postgres")[];

function percentile(sorted: number[], p: number) {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = http.createServer().listen(0, () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

async function startDemo(databaseUrl: string, port: number): Promise<{ child: ChildProcess; url: string }> {
  // As `npm run demo` runs it (NODE_ENV unset means development; demo mode is refused in production).
  const env = {
    ...process.env,
    NODE_ENV: "development" as const,
    LOG_LEVEL: "warn",
    PORT: String(port),
    DATABASE_URL: databaseUrl,
    SHOPIFY_API_SECRET: SECRET,
    RAPPORT_WORKER: SEPARATE ? "off" : "on",
  };
  const child = spawn(process.execPath, [path.join(ROOT, "cli/bin.mjs"), "demo", "serve", "--port", String(port)], {
    cwd: ROOT,
    env,
    stdio: ["ignore", "inherit", "inherit"],
  });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 3000; i++) {
    if (
      await fetch(`${url}/healthz`)
        .then((r) => r.ok)
        .catch(() => false)
    )
      return { child, url };
    if (child.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill("SIGKILL");
  throw new Error("demo server did not start");
}

async function waitForDrain(url: string, since: number): Promise<number> {
  for (;;) {
    const health = (await fetch(`${url}/healthz`)
      .then((r) => r.json())
      .catch(() => null)) as { inbox: { waiting: number } } | null;
    if (health && health.inbox.waiting === 0) return performance.now();
    if (performance.now() - since > 600_000) throw new Error("not drained after 10 minutes");
    await new Promise((r) => setTimeout(r, 50));
  }
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });

function post(url: string, topic: string, body: string, eventId: string): Promise<{ status: number; ms: number }> {
  const headers = webhookHeaders({ topic, shop: SHOP, body, secret: SECRET, eventId });
  const started = performance.now();
  return new Promise((resolve) => {
    const req = http.request(
      new URL(routeForTopic(topic), url),
      { method: "POST", agent, headers: { ...headers, "Content-Length": Buffer.byteLength(body) } },
      (res) => {
        res.resume();
        res.on("end", () => resolve({ status: res.statusCode ?? 0, ms: performance.now() - started }));
      },
    );
    req.on("error", () => resolve({ status: 0, ms: performance.now() - started }));
    req.end(body);
  });
}

async function runOne(backend: "pglite" | "postgres") {
  const demo = generateDemoShop({ ...DEFAULT_DEMO_OPTIONS, endDate: demoEndDate() });
  const { target, url: databaseUrl, drop } = await benchDatabase(backend, "freshness");
  const port = await freePort();
  const startedSeed = performance.now();
  const server = await startDemo(databaseUrl, port);
  const seedSeconds = (performance.now() - startedSeed) / 1000;
  process.once("exit", () => server.child.kill("SIGKILL"));
  let worker: ChildProcess | null = null;
  if (SEPARATE) {
    const env = {
      ...process.env,
      NODE_ENV: "development" as const,
      LOG_LEVEL: "warn",
      DATABASE_URL: databaseUrl,
      SHOPIFY_API_SECRET: SECRET,
      RAPPORT_DEMO: "1",
    };
    worker = spawn(process.execPath, [path.join(ROOT, "cli/bin.mjs"), "worker"], { cwd: ROOT, env, stdio: ["ignore", "inherit", "inherit"] });
    process.once("exit", () => worker?.kill("SIGKILL"));
    await new Promise((r) => setTimeout(r, 3000));
  }

  const total = RATE * SECONDS;
  const intervalMs = 1000 / RATE;
  const sent: { customer: string; at: number; eventId: string }[] = [];
  const answers: Promise<{ status: number; ms: number }>[] = [];
  const loadBefore = os.loadavg();
  const started = performance.now();
  const startedWall = Date.now();
  for (let i = 0; i < total; i++) {
    const wait = started + i * intervalMs - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    const template = demo.orders[i % demo.orders.length];
    const customer =
      i < demo.customers.length
        ? demo.customers[i]
        : { ...demo.customers[i % demo.customers.length], id: 8_000_000_000 + i, email: `fresh${i}@example.com` };
    const at = Date.now();
    const stamp = new Date(at - 1000).toISOString();
    const id = 7_000_000_000 + i;
    const order = {
      ...template,
      id,
      name: `#F${i}`,
      created_at: stamp,
      processed_at: stamp,
      updated_at: stamp,
      cancelled_at: null,
      test: false,
      customer,
      line_items: template.line_items.map((li, k) => ({ ...li, id: id * 10 + k })),
      refunds: [],
    };
    const eventId = randomUUID();
    sent.push({ customer: String(customer.id), at, eventId });
    answers.push(post(server.url, "orders/create", JSON.stringify(order), eventId));
  }
  const sentAt = performance.now();
  const answered = await Promise.all(answers);
  const acks = answered.map((a) => a.ms).sort((a, b) => a - b);
  // Every delivery must be stored once: an answer other than 200 is a delivery Shopify retries.
  const statuses: Record<string, number> = {};
  for (const a of answered) statuses[a.status] = (statuses[a.status] ?? 0) + 1;
  // Acknowledgements by 5-second window of the stream (start-up, steady state, end): p95 and max.
  const windows: string[] = [];
  for (let from = 0; from < answered.length; from += RATE * 5) {
    const w = answered
      .slice(from, from + RATE * 5)
      .map((a) => a.ms)
      .sort((a, b) => a - b);
    windows.push(`${from / RATE}s: ${percentile(w, 95).toFixed(0)}/${w[w.length - 1].toFixed(0)}`);
  }
  const drainedAt = await waitForDrain(server.url, sentAt);
  const loadAfter = os.loadavg();
  server.child.kill("SIGTERM");
  await new Promise((r) => server.child.once("exit", r));
  if (worker) {
    worker.kill("SIGTERM");
    await new Promise((r) => worker!.once("exit", r));
  }

  const db = openDatabase(target);
  const rows = await db.prisma.customerMetrics.findMany({
    where: { shop: SHOP, customer: { shopifyId: { in: sent.map((s) => s.customer) } } },
    select: { computedAt: true, customer: { select: { shopifyId: true } } },
  });
  // When each event was applied (its transaction's clock): freshness = this lag + the refresh.
  const events = await db.prisma.webhookEvent.findMany({
    where: { shop: SHOP, eventId: { in: sent.map((s) => s.eventId) } },
    select: { eventId: true, processedAt: true, status: true },
  });
  const fullRuns = await db.prisma.analysisSnapshot.count({ where: { shop: SHOP, computedAt: { gte: new Date(startedWall) } } });
  const moves = await db.prisma.segmentMove.count({ where: { shop: SHOP, source: "incremental" } });
  await db.close();
  await drop();

  const computedAt = new Map(rows.map((r) => [r.customer.shopifyId, r.computedAt.getTime()]));
  const latencies: number[] = [];
  let stale = 0;
  for (const s of sent) {
    const t = computedAt.get(s.customer);
    if (t === undefined || t < s.at) stale++;
    else latencies.push(t - s.at);
  }
  latencies.sort((a, b) => a - b);
  const processedAt = new Map(events.map((e) => [e.eventId, e.processedAt?.getTime()]));
  const applied = sent
    .map((s) => (processedAt.get(s.eventId) ?? NaN) - s.at)
    .filter(Number.isFinite)
    .sort((a, b) => a - b);
  return {
    backend,
    worker: SEPARATE ? "separate process" : "embedded",
    seedAndStartSeconds: +seedSeconds.toFixed(1),
    orders: total,
    ratePerSecond: RATE,
    sendSeconds: +((sentAt - started) / 1000).toFixed(1),
    ackStatuses: statuses,
    ackP95AndMaxMsBy5s: windows.join(", "),
    eventsStored: events.length,
    eventsProcessed: events.filter((e) => e.status === "processed").length,
    ackMs: { p50: +percentile(acks, 50).toFixed(1), p95: +percentile(acks, 95).toFixed(1), max: +acks[acks.length - 1].toFixed(1) },
    freshnessMs: {
      p50: percentile(latencies, 50),
      p95: percentile(latencies, 95),
      p99: percentile(latencies, 99),
      max: latencies[latencies.length - 1],
    },
    appliedMs: { p50: percentile(applied, 50), p95: percentile(applied, 95), p99: percentile(applied, 99), max: applied[applied.length - 1] },
    refreshed: latencies.length,
    notRefreshed: stale,
    drainedSecondsAfterLastSend: +((drainedAt - sentAt) / 1000).toFixed(1),
    incrementalSegmentMoves: moves,
    fullRunsDuringStream: fullRuns,
    loadAverage: { before: loadBefore.map((l) => +l.toFixed(1)), after: loadAfter.map((l) => +l.toFixed(1)) },
  };
}

buildIfStale();
console.log(
  `Freshness benchmark: orders/create at ${RATE}/s for ${SECONDS} s to the demo shop, ${os.cpus().length} cores (${os.cpus()[0]?.model}), Node ${process.version}, ${new Date().toISOString()}, load ${os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(" ")}`,
);
for (const backend of BACKENDS) {
  const r = await runOne(backend);
  console.log(JSON.stringify(r, null, 2));
  console.log(
    `| ${r.backend} (${r.worker} worker) | ${r.orders} @ ${r.ratePerSecond}/s | ${r.freshnessMs.p50} | ${r.freshnessMs.p95} | ${r.freshnessMs.p99} | ${r.freshnessMs.max} | ${r.appliedMs.p50} | ${r.appliedMs.p95} | ${r.notRefreshed} | ${r.ackMs.p95} | ${r.loadAverage.before[0]}→${r.loadAverage.after[0]} |`,
  );
}
agent.destroy();
