// The admin pages' benchmark shop: bench/analytics' generated shop (customers, orders, checkouts,
// spend) under the demo shop's domain, so the demo-mode loaders serve it, plus what the pages
// show beyond it: customer profiles (names, e-mails, tags), two analysis runs a month apart (so
// there are segment moves), and webhook events (some dead). Kept between runs (generating
// 1,000,000 orders takes minutes): a PGlite folder and a PostgreSQL database
// `rapport_bench_admin_<size>`, rebuilt with --fresh.
import { existsSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { openDatabase, type DatabaseTarget } from "../../app/lib/database.server";
import { DEMO_DEFAULTS } from "../../app/lib/env.server";
import { analyzeShop } from "../../app/services/analytics.server";
import { applyMigrations } from "../../prisma/migrator";
import { ADMIN_URL } from "../database";
import { END_DAY, generateDataset, type DatasetSize } from "../analytics/dataset";

export const ADMIN_SHOP = DEMO_DEFAULTS.SHOP;
export const FIRST_RUN = `${END_DAY}T20:00:00Z`;
export const SECOND_RUN = "2026-12-22T20:00:00Z";

async function admin(sql: string) {
  const client = new pg.Client({ connectionString: ADMIN_URL });
  await client.connect();
  try {
    return await client.query(sql);
  } finally {
    await client.end();
  }
}

export function adminTarget(kind: "pglite" | "postgres", size: DatasetSize): { target: DatabaseTarget; url: string; name: string } {
  const name = `rapport_bench_admin_${size.customers}_${size.orders}`;
  if (kind === "pglite") {
    const dir = path.join(process.env.BENCH_ADMIN_DIR ?? os.tmpdir(), `${name}_pglite`);
    return { target: { kind: "pglite", dataDir: dir }, url: `pglite:${dir}`, name };
  }
  const u = new URL(ADMIN_URL);
  u.pathname = `/${name}`;
  return { target: { kind: "postgres", url: u.toString() }, url: u.toString(), name };
}

async function exists(kind: "pglite" | "postgres", size: DatasetSize): Promise<boolean> {
  const { target, name } = adminTarget(kind, size);
  if (target.kind === "pglite") return existsSync(path.join(target.dataDir!, "PG_VERSION"));
  const res = await admin(`SELECT 1 FROM pg_database WHERE datname = '${name}'`);
  return res.rowCount === 1;
}

/** Creates the dataset unless it is already there (or `fresh`); applies pending migrations either way. */
export async function prepareAdminDataset(
  kind: "pglite" | "postgres",
  size: DatasetSize,
  opts: { fresh?: boolean; log?: (line: string) => void } = {},
) {
  const log = opts.log ?? (() => {});
  const { target, url, name } = adminTarget(kind, size);
  const ready = !opts.fresh && (await exists(kind, size));
  if (!ready) {
    if (target.kind === "pglite") rmSync(target.dataDir!, { recursive: true, force: true });
    else {
      await admin(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await admin(`CREATE DATABASE "${name}"`);
    }
  }
  const db = openDatabase(target);
  try {
    await applyMigrations(db.migrationAdapter);
    if (ready) return url;
    const t0 = performance.now();
    await generateDataset(db.prisma, size, ADMIN_SHOP);
    await addPagesData(db.prisma, size.customers);
    log(`${kind}: generated ${size.customers} customers / ${size.orders} orders in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
    for (const now of [FIRST_RUN, SECOND_RUN]) {
      const t1 = performance.now();
      await analyzeShop(db.prisma, ADMIN_SHOP, { now: new Date(now) });
      log(`${kind}: analysed at ${now} in ${((performance.now() - t1) / 1000).toFixed(0)} s`);
    }
    await db.prisma.$executeRawUnsafe(`ANALYZE`);
    return url;
  } finally {
    await db.close();
  }
}

const FIRST = ["Camille", "Louis", "Emma", "Hugo", "Léa", "Jules", "Chloé", "Arthur", "Manon", "Gabriel", "Inès", "Raphaël", "Sarah", "Adam", "Jade"];
const LAST = [
  "Martin",
  "Bernard",
  "Dubois",
  "Thomas",
  "Robert",
  "Richard",
  "Petit",
  "Durand",
  "Leroy",
  "Moreau",
  "Simon",
  "Laurent",
  "Lefebvre",
  "Michel",
];

async function addPagesData(prisma: import("@prisma/client").PrismaClient, customers: number) {
  const run = (sql: string) => prisma.$executeRawUnsafe(sql);
  const arr = (xs: string[]) => `ARRAY[${xs.map((x) => `'${x}'`).join(",")}]`;
  await run(`
    INSERT INTO "CustomerProfile" ("customerId", shop, email, "firstName", "lastName")
    SELECT c, '${ADMIN_SHOP}', lower(f || '.' || l || c || '@example.com'), f, l
    FROM (SELECT c, (${arr(FIRST)})[1 + c % ${FIRST.length}] AS f, (${arr(LAST)})[1 + (c / ${FIRST.length}) % ${LAST.length}] AS l
          FROM generate_series(1, ${customers}) c) x`);
  await run(`UPDATE "Customer" SET tags = ARRAY['vip'] WHERE shop = '${ADMIN_SHOP}' AND id % 50 = 0`);
  const topics = ["orders/create", "orders/updated", "customers/update", "refunds/create", "products/update"];
  await run(`
    INSERT INTO "WebhookEvent" (shop, topic, "eventId", payload, status, attempts, "processedAt", "receivedAt", "updatedAt")
    SELECT '${ADMIN_SHOP}', (${arr(topics)})[1 + e % ${topics.length}], 'evt-' || e, '{}'::jsonb,
           CASE WHEN e % 1000 = 0 THEN 'dead'::"WebhookEventStatus" ELSE 'processed'::"WebhookEventStatus" END,
           CASE WHEN e % 1000 = 0 THEN 8 ELSE 1 END, TIMESTAMP '${END_DAY}' - make_interval(mins => e),
           TIMESTAMP '${END_DAY}' - make_interval(mins => e), now()
    FROM generate_series(1, 20000) e`);
  await run(`UPDATE "WebhookEvent" SET "lastError" = 'payload failed validation: id: expected string' WHERE status = 'dead'`);
}

export function dropAdminDataset(kind: "pglite" | "postgres", size: DatasetSize) {
  const { target, name } = adminTarget(kind, size);
  if (target.kind === "pglite") rmSync(target.dataDir!, { recursive: true, force: true });
  else return admin(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
}
