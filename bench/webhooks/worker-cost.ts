// Where the one thread's time goes per order on PGlite (issue 13, part 3): the seeded demo shop
// in this process (as `rapport demo serve` holds it), signed orders/create deliveries through
// the real route (HMAC, inbox, group commit), then the worker's batches: claim, apply (event
// transactions), refresh of the touched customers' CustomerMetrics. CPU time of this process
// per phase and per order; no HTTP (the server's request parsing is not included).
//
//   node --import tsx bench/webhooks/worker-cost.ts [--orders 1200 --batches 25,100,200 --backend pglite|postgres]
//     [--profile out.cpuprofile]   a CPU profile of the measured part only (acks and drains)
//     [--statements]               PGlite: time and count per SQL statement (first words) in the drains
import { randomUUID } from "node:crypto";
import { writeFileSync } from "node:fs";
import { Session } from "node:inspector/promises";
import os from "node:os";
import { parseArgs } from "node:util";
import { openDatabase } from "../../app/lib/database.server";
import { setDatabase } from "../../app/lib/db.server";
import { demoEndDate, seedDemoShop } from "../../app/services/demo.server";
import { DEFAULT_DEMO_OPTIONS, generateDemoShop } from "../../app/services/demo/generator";
import { webhookHeaders } from "../../cli/webhookSigning";
import { applyMigrations } from "../../prisma/migrator";
import { benchDatabase } from "../database";

const SECRET = "bench-worker-cost-secret";
process.env.NODE_ENV = "development";
process.env.SHOPIFY_API_KEY ??= "rapport-bench-key";
process.env.SHOPIFY_API_SECRET = SECRET;
process.env.SHOPIFY_APP_URL ??= "https://rapport.example.com";
process.env.LOG_LEVEL ??= "warn";

const { values } = parseArgs({
  options: {
    orders: { type: "string", default: "1200" },
    batches: { type: "string", default: "25,100,200" },
    backend: { type: "string", default: "pglite" },
    concurrency: { type: "string", default: "20" },
    profile: { type: "string" },
    statements: { type: "boolean" },
  },
});
const ORDERS = Number(values.orders);
const BATCHES = values.batches.split(",").map(Number);
const BACKEND = values.backend as "pglite" | "postgres";
const CONCURRENCY = Number(values.concurrency);
const SHOP = DEFAULT_DEMO_OPTIONS.shopDomain;

const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

const { target, drop } = await benchDatabase(BACKEND, "worker_cost");
const db = openDatabase(target);
// Every statement Prisma sends to PGlite goes through the adapter's performIO.
const statements = new Map<string, { count: number; ms: number }>();
let counting = false;
if (values.statements && BACKEND === "pglite") {
  const adapter = await (db.migrationAdapter as unknown as { connect(): Promise<object> }).connect();
  const queryable = Object.getPrototypeOf(Object.getPrototypeOf(adapter)) as { performIO: (q: { sql: string }) => Promise<unknown> };
  const original = queryable.performIO;
  queryable.performIO = async function (this: unknown, query: { sql: string }) {
    if (!counting) return original.call(this, query);
    const started = performance.now();
    try {
      return await original.call(this, query);
    } finally {
      const key = query.sql.replace(/\s+/g, " ").trim().slice(0, 90);
      const entry = statements.get(key) ?? { count: 0, ms: 0 };
      entry.count++;
      entry.ms += performance.now() - started;
      statements.set(key, entry);
    }
  };
}
setDatabase(db);
await applyMigrations(db.migrationAdapter);
const endDate = demoEndDate();
const seedStarted = performance.now();
await seedDemoShop(db.prisma, { endDate, now: endDate });
const seedSeconds = (performance.now() - seedStarted) / 1000;

const { WebhookWorker } = await import("../../app/jobs/webhookWorker.server");
const route = (await import("../../app/routes/webhooks.orders")) as unknown as {
  action: (args: { request: Request; params: object; context: object }) => Promise<Response>;
};

const demo = generateDemoShop({ ...DEFAULT_DEMO_OPTIONS, endDate });
let next = 0;
/** One new order for a new customer each time, as in bench/webhooks/freshness.ts. */
function orderBody(): string {
  const i = next++;
  const template = demo.orders[i % demo.orders.length];
  const customer = { ...demo.customers[i % demo.customers.length], id: 8_000_000_000 + i, email: `cost${i}@example.com` };
  const stamp = new Date(Date.now() - 1000).toISOString();
  const id = 7_000_000_000 + i;
  return JSON.stringify({
    ...template,
    id,
    name: `#C${i}`,
    created_at: stamp,
    processed_at: stamp,
    updated_at: stamp,
    cancelled_at: null,
    test: false,
    customer,
    line_items: template.line_items.map((li, k) => ({ ...li, id: id * 10 + k })),
    refunds: [],
  });
}

async function acknowledge(count: number) {
  const bodies = Array.from({ length: count }, orderBody);
  const cpu = cpuMs();
  const wall = performance.now();
  let sent = 0;
  const lane = async () => {
    while (sent < bodies.length) {
      const body = bodies[sent++];
      const headers = webhookHeaders({ topic: "orders/create", shop: SHOP, body, secret: SECRET, eventId: randomUUID() });
      const response = await route.action({
        request: new Request("https://rapport.example.com/webhooks/orders", { method: "POST", headers, body }),
        params: {},
        context: {},
      });
      if (response.status !== 200) throw new Error(`ack ${response.status}`);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, lane));
  return { cpuMsPerOrder: +((cpuMs() - cpu) / count).toFixed(3), wallMsPerOrder: +((performance.now() - wall) / count).toFixed(3) };
}

const round = (x: number) => +x.toFixed(3);
console.log(
  `Worker cost per order: ${BACKEND}, ${ORDERS} orders/create per batch size, ${os.cpus().length} cores (${os.cpus()[0]?.model}), Node ${process.version}, ${new Date().toISOString()}, load ${os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(" ")}; seeded in ${seedSeconds.toFixed(1)} s`,
);
// Warm-up (JIT, caches), not measured.
await acknowledge(200);
await new WebhookWorker({ prisma: db.prisma, batchSize: 50 }).drain();

const session = values.profile ? new Session() : null;
if (session) {
  session.connect();
  await session.post("Profiler.enable");
  await session.post("Profiler.start");
}
for (const batchSize of BATCHES) {
  const ack = await acknowledge(ORDERS);
  const worker = new WebhookWorker({ prisma: db.prisma, batchSize });
  const cpu = cpuMs();
  const wall = performance.now();
  counting = true;
  const result = await worker.drain();
  counting = false;
  const workerCpu = cpuMs() - cpu;
  const workerWall = performance.now() - wall;
  const s = worker.stats;
  const per = (ms: number) => round(ms / s.events);
  console.log(
    JSON.stringify({
      batchSize,
      processed: result.processed,
      ackCpuMsPerOrder: ack.cpuMsPerOrder,
      ackWallMsPerOrder: ack.wallMsPerOrder,
      workerCpuMsPerOrder: round(workerCpu / s.events),
      workerWallMsPerOrder: round(workerWall / s.events),
      claimMsPerOrder: per(s.claimMs),
      applyMsPerOrder: per(s.applyMs),
      refreshMsPerOrder: per(s.refreshMs),
      perBatchMs: { claim: round(s.claimMs / s.batches), apply: round(s.applyMs / s.batches), refresh: round(s.refreshMs / s.refreshes) },
      refreshes: s.refreshes,
      refreshedCustomers: s.refreshedCustomers,
      capacityOrdersPerSecond: Math.floor(1000 / (ack.cpuMsPerOrder + workerCpu / s.events)),
    }),
  );
}
if (statements.size) {
  const all = [...statements].sort((a, b) => b[1].ms - a[1].ms);
  const total = all.reduce((sum, [, e]) => sum + e.ms, 0);
  console.log(`Statements in the drains: ${all.reduce((n, [, e]) => n + e.count, 0)}, ${total.toFixed(0)} ms`);
  for (const [sql, e] of all.slice(0, 30)) console.log(`${e.count}\t${e.ms.toFixed(0)} ms\t${sql}`);
}
if (session) {
  const { profile } = await session.post("Profiler.stop");
  writeFileSync(values.profile!, JSON.stringify(profile));
  session.disconnect();
}
await db.close();
await drop();
