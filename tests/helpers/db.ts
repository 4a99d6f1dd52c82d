// Test databases: each test file gets its own, on PGlite (in memory or a temp folder) and on
// the local PostgreSQL server (a fresh database, dropped afterwards). Nothing assumes an
// empty shared database.
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { openDatabase, type Database } from "~/lib/database.server";
import { applyMigrations } from "../../prisma/migrator";

export const BACKENDS = ["pglite", "postgres"] as const;
export type Backend = (typeof BACKENDS)[number];

/** The PostgreSQL server used to create test databases (trust auth on this machine). */
export const POSTGRES_ADMIN_URL = process.env.TEST_POSTGRES_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";

export interface TestDatabase {
  backend: Backend;
  /** A DATABASE_URL for child processes (PGlite: a folder; only one process may open it at a time). */
  url: string;
  open(): Database;
  drop(): Promise<void>;
}

export async function createTestDatabase(backend: Backend): Promise<TestDatabase> {
  if (backend === "pglite") {
    const dir = mkdtempSync(path.join(os.tmpdir(), "rapport-test-pglite-"));
    return {
      backend,
      url: `pglite:${dir}`,
      open: () => openDatabase({ kind: "pglite", dataDir: dir }),
      drop: async () => rmSync(dir, { recursive: true, force: true }),
    };
  }
  // TEST_DATABASE_PREFIX: on a shared server, names that say whose databases they are.
  const name = `${process.env.TEST_DATABASE_PREFIX ?? "rapport_test"}_${process.pid}_${randomBytes(4).toString("hex")}`;
  const admin = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE "${name}"`);
  } finally {
    await admin.end();
  }
  const url = new URL(POSTGRES_ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    backend,
    url: url.toString(),
    open: () => openDatabase({ kind: "postgres", url: url.toString() }),
    drop: async () => {
      const client = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
      await client.connect();
      try {
        await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      } finally {
        await client.end();
      }
    },
  };
}

/** A migrated database opened in this process. */
export async function openMigrated(backend: Backend): Promise<{ test: TestDatabase; db: Database; cleanup(): Promise<void> }> {
  const test = await createTestDatabase(backend);
  const db = test.open();
  await applyMigrations(db.migrationAdapter);
  return {
    test,
    db,
    cleanup: async () => {
      await db.close();
      await test.drop();
    },
  };
}
