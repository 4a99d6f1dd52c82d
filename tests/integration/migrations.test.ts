import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "~/lib/database.server";
import {
  applyMigrations,
  createMigration,
  hasStatements,
  MIGRATIONS_DIR,
  pendingSchemaChanges,
  readMigrations,
  SCHEMA_PATH,
} from "../../prisma/migrator";
import { BACKENDS, createTestDatabase, type TestDatabase } from "../helpers/db";

describe.each(BACKENDS)("migrations on %s", (backend) => {
  let test: TestDatabase;
  let db: Database;

  beforeAll(async () => {
    test = await createTestDatabase(backend);
    db = test.open();
  });
  afterAll(async () => {
    await db?.close();
    await test?.drop();
  });

  it("applies every migration to an empty database, recording them in _prisma_migrations", async () => {
    const { migrationDirectories } = await readMigrations();
    expect(migrationDirectories.length).toBeGreaterThan(0);

    const applied = await applyMigrations(db.migrationAdapter);
    expect(applied).toEqual(migrationDirectories.map((m) => m.path));

    const recorded = await db.prisma.$queryRawUnsafe<{ migration_name: string; finished_at: Date | null }[]>(
      `SELECT migration_name, finished_at FROM _prisma_migrations ORDER BY migration_name`,
    );
    expect(recorded.map((r) => r.migration_name)).toEqual(applied);
    expect(recorded.every((r) => r.finished_at !== null)).toBe(true);

    // The tables are usable through the Prisma client.
    await db.prisma.shop.create({ data: { domain: "migrated.myshopify.com", currency: "EUR" } });
    expect(await db.prisma.shop.count()).toBe(1);
  });

  it("re-applies as a no-op and keeps the data", async () => {
    expect(await applyMigrations(db.migrationAdapter)).toEqual([]);
    expect(await db.prisma.shop.count()).toBe(1);
  });
});

describe("migration files and drift check", () => {
  let scratch: string;
  beforeAll(() => {
    scratch = mkdtempSync(path.join(os.tmpdir(), "rapport-drift-"));
    cpSync(MIGRATIONS_DIR, path.join(scratch, "migrations"), { recursive: true });
    cpSync(SCHEMA_PATH, path.join(scratch, "schema.prisma"));
  });
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it("finds no drift between schema.prisma and the committed migrations", async () => {
    const sql = await pendingSchemaChanges();
    expect(hasStatements(sql)).toBe(false);
  });

  it("detects a schema change that has no migration, and writes the next migration from it", async () => {
    const schemaPath = path.join(scratch, "schema.prisma");
    const migrationsDir = path.join(scratch, "migrations");
    const schema = readFileSync(schemaPath, "utf8").replace("model Shop {", "model Shop {\n  driftProbe String?");
    writeFileSync(schemaPath, schema);

    const sql = await pendingSchemaChanges(migrationsDir, schemaPath);
    expect(hasStatements(sql)).toBe(true);
    expect(sql).toMatch(/ALTER TABLE "Shop" ADD COLUMN\s+"driftProbe" TEXT/);

    const folder = await createMigration("add drift probe", migrationsDir, new Date("2030-01-02T03:04:05Z"), schemaPath);
    expect(folder && path.basename(folder)).toBe("20300102030405_add_drift_probe");
    expect(readFileSync(path.join(folder!, "migration.sql"), "utf8")).toContain('"driftProbe"');

    // Once the migration exists, the drift is gone.
    expect(hasStatements(await pendingSchemaChanges(migrationsDir, schemaPath))).toBe(false);
  });
});
