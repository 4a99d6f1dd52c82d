// Webhook ingestion benchmark: signed orders and customer events sent at a fixed rate over
// loopback to the running server, on PGlite and on PostgreSQL.
//
//   node cli/bin.mjs … is not involved: run with `npm run bench:webhooks [-- --events N --rate R --backend pglite|postgres]`
//
// Reports acknowledgement latency (p50/p95/p99/max), throughput, time until every event is
// applied, and lost / duplicated counts, checked in the database afterwards.
import { spawn, type ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { openDatabase } from "../../app/lib/database.server";
import { benchDatabase } from "../database";
import { generateDemoShop } from "../../app/services/demo/generator";
import { routeForTopic, webhookHeaders } from "../../cli/webhookSigning";
import { buildIfStale } from "../../server/build";

const ROOT = path.resolve(import.meta.dirname, "../..");
const SECRET = "bench-secret";
const SHOP = "bench-webhooks.myshopify.com";

const { values } = parseArgs({
  options: {
    events: { type: "string", default: "10000" },
    rate: { type: "string", default: "500" },
    backend: { type: "string", multiple: true },
    duplicates: { type: "string", default: "0.02" },
    warmup: { type: "string", default: "1000" },
  },
});
const EVENTS = Number(values.events);
const RATE = Number(values.rate);
const DUPLICATE_SHARE = Number(values.duplicates);
/** Deliveries to another shop first, not measured: a freshly started process is slower (JIT, caches). */
const WARMUP = Number(values.warmup);
const BACKENDS = (values.backend?.length ? values.backend : ["pglite", "postgres"]) as ("pglite" | "postgres")[];

interface Delivery {
  topic: string;
  body: string;
  eventId: string;
}

/** Realistic payloads from the demo generator: customers first, then their orders, with some updates. */
function buildDeliveries(): { deliveries: Delivery[]; unique: number; orderIds: Set<string>; customerIds: Set<string> } {
  const demo = generateDemoShop({
    endDate: new Date("2026-11-01T00:00:00Z"),
    customers: 1500,
    orders: Math.ceil(EVENTS * 0.75),
    products: 120,
    seed: 5,
  });
  const unique: Delivery[] = [];
  const customerIds = new Set<string>();
  const orderIds = new Set<string>();
  const customers = demo.customers.slice(0, Math.floor(EVENTS * 0.15));
  for (const c of customers) {
    unique.push({ topic: "customers/create", body: JSON.stringify(c), eventId: randomUUID() });
    customerIds.add(String(c.id));
  }
  let i = 0;
  while (unique.length < EVENTS) {
    const o = demo.orders[i % demo.orders.length];
    const update = i >= demo.orders.length || (i % 10 === 9 && orderIds.has(String(o.id)));
    unique.push({
      topic: update ? "orders/updated" : "orders/create",
      body: JSON.stringify(update ? { ...o, updated_at: new Date(Date.parse(o.updated_at) + 60_000).toISOString() } : o),
      eventId: randomUUID(),
    });
    orderIds.add(String(o.id));
    if (o.customer) customerIds.add(String(o.customer.id));
    i++;
  }
  // Shopify sometimes delivers the same event twice: resend a share of them with the same id.
  const deliveries = [...unique];
  const extra = Math.floor(EVENTS * DUPLICATE_SHARE);
  for (let k = 0; k < extra; k++) {
    const original = unique[(k * 7919) % unique.length];
    deliveries.splice(Math.min(deliveries.length, ((k * 104729) % deliveries.length) + 50), 0, { ...original });
  }
  return { deliveries, unique: unique.length, orderIds, customerIds };
}

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

async function startServer(databaseUrl: string, port: number): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [path.join(ROOT, "cli/bin.mjs"), "serve"], {
    cwd: ROOT,
    env: {
      ...process.env,
      NODE_ENV: "production",
      LOG_LEVEL: "warn",
      PORT: String(port),
      DATABASE_URL: databaseUrl,
      SHOPIFY_API_KEY: "bench-key",
      SHOPIFY_API_SECRET: SECRET,
      SHOPIFY_APP_URL: `http://localhost:${port}`,
    },
    stdio: ["ignore", "inherit", "inherit"],
  });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 600; i++) {
    const ok = await fetch(`${url}/healthz`)
      .then((r) => r.ok)
      .catch(() => false);
    if (ok) return { child, url };
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill("SIGKILL");
  throw new Error("server did not start");
}

async function waitForDrain(url: string, since: number): Promise<number> {
  for (;;) {
    // A reused keep-alive socket can be closed by the server between polls: ask again.
    const health = (await fetch(`${url}/healthz`)
      .then((r) => r.json())
      .catch(() => null)) as { inbox: { waiting: number; dead: number } } | null;
    if (health && health.inbox.waiting === 0) return performance.now();
    if (performance.now() - since > 600_000) throw new Error("not drained after 10 minutes");
    await new Promise((r) => setTimeout(r, 100));
  }
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });

function post(url: string, delivery: Delivery, shop = SHOP): Promise<{ status: number; ms: number }> {
  const headers = webhookHeaders({ topic: delivery.topic, shop, body: delivery.body, secret: SECRET, eventId: delivery.eventId });
  const target = new URL(routeForTopic(delivery.topic), url);
  const started = performance.now();
  return new Promise((resolve) => {
    const req = http.request(
      target,
      { method: "POST", agent, headers: { ...headers, "Content-Length": Buffer.byteLength(delivery.body) } },
      (res) => {
        res.resume();
        res.on("end", () => resolve({ status: res.statusCode ?? 0, ms: performance.now() - started }));
      },
    );
    req.on("error", () => resolve({ status: 0, ms: performance.now() - started }));
    req.end(delivery.body);
  });
}

async function runOne(backend: "pglite" | "postgres") {
  const { deliveries, unique, orderIds, customerIds } = buildDeliveries();
  const { target, url: databaseUrl, drop: cleanup } = await benchDatabase(backend, "webhooks");

  const port = await freePort();
  const server = await startServer(databaseUrl, port);
  // Never leave a server behind (it would hold the PGlite folder and a core).
  process.once("exit", () => server.child.kill("SIGKILL"));
  const intervalMs = 1000 / RATE;
  if (WARMUP > 0) {
    const warmStart = performance.now();
    const warm: Promise<unknown>[] = [];
    for (let i = 0; i < WARMUP; i++) {
      const wait = warmStart + i * intervalMs - performance.now();
      if (wait > 1) await new Promise((r) => setTimeout(r, wait));
      const d = deliveries[i % deliveries.length];
      warm.push(post(server.url, { ...d, eventId: randomUUID() }, "bench-warmup.myshopify.com"));
    }
    await Promise.all(warm);
    await waitForDrain(server.url, performance.now());
  }
  const results: Promise<{ status: number; ms: number }>[] = [];
  const started = performance.now();
  for (let i = 0; i < deliveries.length; i++) {
    const due = started + i * intervalMs;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    results.push(post(server.url, deliveries[i]));
  }
  const sentAt = performance.now();
  const answers = await Promise.all(results);
  const answeredAt = performance.now();

  // Wait until the inbox is drained (the server's worker applies the events).
  const drainedAt = await waitForDrain(server.url, sentAt);
  server.child.kill("SIGTERM");
  await new Promise((r) => server.child.once("exit", r));

  const db = openDatabase(target);
  const stored = await db.prisma.webhookEvent.groupBy({ by: ["status"], where: { shop: SHOP }, _count: { _all: true } });
  const storedTotal = stored.reduce((n, s) => n + s._count._all, 0);
  const processed = stored.find((s) => s.status === "processed")?._count._all ?? 0;
  const orders = await db.prisma.order.count({ where: { shop: SHOP } });
  const customers = await db.prisma.customer.count({ where: { shop: SHOP } });
  await db.close();
  await cleanup();

  const latencies = answers.map((a) => a.ms).sort((a, b) => a - b);
  const statuses: Record<string, number> = {};
  for (const a of answers) statuses[a.status] = (statuses[a.status] ?? 0) + 1;
  return {
    backend,
    sent: deliveries.length,
    uniqueEvents: unique,
    statuses,
    ackMs: { p50: percentile(latencies, 50), p95: percentile(latencies, 95), p99: percentile(latencies, 99), max: latencies[latencies.length - 1] },
    over5s: latencies.filter((ms) => ms >= 5000).length,
    sendSeconds: (sentAt - started) / 1000,
    throughputPerSecond: deliveries.length / ((answeredAt - started) / 1000),
    processedSecondsAfterLastSend: (drainedAt - sentAt) / 1000,
    stored: storedTotal,
    processed,
    lost: unique - storedTotal,
    duplicated: storedTotal - unique,
    orders: { expected: orderIds.size, stored: orders },
    customers: { expected: customerIds.size, stored: customers },
  };
}

buildIfStale();
console.log(
  `Webhook benchmark: ${WARMUP} warm-up deliveries (not measured), then ${EVENTS} unique events (+${Math.floor(EVENTS * DUPLICATE_SHARE)} duplicate deliveries) at ${RATE}/s, ${os.cpus().length} cores, Node ${process.version}, ${new Date().toISOString()}`,
);
for (const backend of BACKENDS) {
  const r = await runOne(backend);
  console.log(JSON.stringify(r, null, 2));
  console.log(
    `| ${r.backend} | ${r.sent} | ${r.ackMs.p50.toFixed(1)} | ${r.ackMs.p95.toFixed(1)} | ${r.ackMs.p99.toFixed(1)} | ${r.ackMs.max.toFixed(1)} | ${r.throughputPerSecond.toFixed(0)} | ${r.processedSecondsAfterLastSend.toFixed(1)} | ${r.lost} | ${r.duplicated} |`,
  );
}
agent.destroy();
