// Opens Rapport's database: PGlite (Postgres compiled to WebAssembly, stored in a folder) by
// default, or a PostgreSQL server when DATABASE_URL is a postgres:// URL. Both go through a
// Prisma driver adapter, so the app never needs Prisma's native query engine.
import { mkdirSync } from "node:fs";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { pg_trgm } from "@electric-sql/pglite/contrib/pg_trgm";
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "@prisma/client";
import type { SqlMigrationAwareDriverAdapterFactory } from "@prisma/driver-adapter-utils";
import { PrismaPGlite } from "pglite-prisma-adapter";
import { pgliteBulkConnection, postgresBulkConnection, type BulkConnection } from "./bulkConnection.server";

export const DEFAULT_PGLITE_DIR = "./data/pglite";

export type DatabaseTarget =
  | { kind: "pglite"; dataDir: string | null } // null: in memory
  | { kind: "postgres"; url: string };

export class DatabaseUrlError extends Error {}

/** Reads DATABASE_URL: unset → ./data/pglite; pglite:<dir>; pglite:memory; postgres(ql)://… */
export function parseDatabaseUrl(url: string | undefined, cwd = process.cwd()): DatabaseTarget {
  const value = url?.trim();
  if (!value) return { kind: "pglite", dataDir: path.resolve(cwd, DEFAULT_PGLITE_DIR) };
  if (value === "pglite:memory" || value === "pglite://memory") return { kind: "pglite", dataDir: null };
  if (value.startsWith("pglite:")) {
    const dir = value.slice("pglite:".length).replace(/^\/\/(?=\/)/, "");
    if (!dir) throw new DatabaseUrlError('DATABASE_URL "pglite:" needs a folder, e.g. pglite:./data/pglite, or pglite:memory.');
    return { kind: "pglite", dataDir: path.resolve(cwd, dir) };
  }
  if (/^postgres(ql)?:\/\//.test(value)) return { kind: "postgres", url: value };
  throw new DatabaseUrlError("DATABASE_URL must be a postgres:// or postgresql:// URL, pglite:<folder> or pglite:memory (it was something else).");
}

/** A description safe for logs: never prints a password. */
export function describeTarget(target: DatabaseTarget): string {
  if (target.kind === "pglite") return target.dataDir ? `PGlite in ${target.dataDir}` : "PGlite in memory";
  try {
    const u = new URL(target.url);
    return `PostgreSQL ${u.hostname}:${u.port || 5432}${u.pathname}`;
  } catch {
    return "PostgreSQL";
  }
}

export interface Database {
  target: DatabaseTarget;
  prisma: PrismaClient;
  /** The adapter factory for the migration runner (prisma/migrator.ts). */
  migrationAdapter: SqlMigrationAwareDriverAdapterFactory;
  close(): Promise<void>;
}

// The bulk (COPY) connection of each opened client, for the backfill's fast path: models find it
// from the Prisma client they are handed, so callers keep passing one handle. On globalThis: the
// server, the worker and the Remix build load this module separately in one process.
const BULK_KEY = Symbol.for("rapport.bulkConnections");
const bulkConnections: WeakMap<PrismaClient, BulkConnection> = ((globalThis as { [BULK_KEY]?: WeakMap<PrismaClient, BulkConnection> })[BULK_KEY] ??=
  new WeakMap());

/** The COPY-capable connection to the same database as `prisma`, when `openDatabase` opened it. */
export function bulkConnectionOf(prisma: PrismaClient): BulkConnection | null {
  return bulkConnections.get(prisma) ?? null;
}

export function openDatabase(target: DatabaseTarget): Database {
  if (target.kind === "pglite") {
    // PGlite allows a single connection: the web server, the worker and the migration runner
    // share this one instance inside one process.
    if (target.dataDir) mkdirSync(target.dataDir, { recursive: true });
    // pg_trgm: the customers search indexes (prisma/schema.prisma); PostgreSQL ships it in contrib.
    const pglite = new PGlite({ dataDir: target.dataDir ?? undefined, extensions: { pg_trgm } });
    const adapterFactory = new PrismaPGlite(pglite);
    const prisma = new PrismaClient({ adapter: adapterFactory });
    bulkConnections.set(prisma, pgliteBulkConnection(pglite));
    return {
      target,
      prisma,
      migrationAdapter: adapterFactory,
      async close() {
        await prisma.$disconnect();
        if (!pglite.closed) await pglite.close();
      },
    };
  }
  const prisma = new PrismaClient({ adapter: new PrismaPg({ connectionString: target.url, max: 10 }) });
  const bulk = postgresBulkConnection(target.url);
  bulkConnections.set(prisma, bulk);
  return {
    target,
    prisma,
    // The schema engine takes an advisory lock and releases it on "its" connection: with a
    // pool the unlock can land on another connection and the next run waits 10 s for the lock.
    migrationAdapter: new PrismaPg({ connectionString: target.url, max: 1 }),
    async close() {
      await bulk.close();
      await prisma.$disconnect();
    },
  };
}
