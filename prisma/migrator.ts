// Migrations without Prisma's native engine: Prisma publishes its schema engine as WebAssembly
// (@prisma/schema-engine-wasm). We drive it through the same driver adapter the app uses.
// Applied migrations are recorded in `_prisma_migrations`, so `prisma migrate deploy` on a
// machine with the native engine sees the same history.
import { readFile, readdir, mkdir, writeFile, stat } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { bindMigrationAwareSqlAdapterFactory } from "@prisma/driver-adapter-utils";
import type { SqlMigrationAwareDriverAdapterFactory } from "@prisma/driver-adapter-utils";
import { openDatabase } from "../app/lib/database.server";

export const PRISMA_DIR = path.dirname(fileURLToPath(import.meta.url));
export const SCHEMA_PATH = path.join(PRISMA_DIR, "schema.prisma");
export const MIGRATIONS_DIR = path.join(PRISMA_DIR, "migrations");

type WasmModule = typeof import("@prisma/schema-engine-wasm/schema_engine_bg");
type SchemaEngine = Awaited<ReturnType<WasmModule["SchemaEngine"]["new"]>>;

let wasmModule: Promise<WasmModule> | undefined;

// The package is built for bundlers (it imports the .wasm file directly); in Node we
// instantiate the module ourselves and hand its exports to the JS glue.
function loadWasm(): Promise<WasmModule> {
  wasmModule ??= (async () => {
    const glue: WasmModule = await import("@prisma/schema-engine-wasm/schema_engine_bg");
    const require = createRequire(import.meta.url);
    const wasmPath = path.join(path.dirname(require.resolve("@prisma/schema-engine-wasm/schema_engine_bg")), "schema_engine_bg.wasm");
    const bytes = await readFile(wasmPath);
    const { instance } = await WebAssembly.instantiate(bytes, { "./schema_engine_bg.js": glue as unknown as WebAssembly.ModuleImports });
    glue.__wbg_set_wasm(instance.exports);
    (instance.exports as { __wbindgen_start: () => void }).__wbindgen_start();
    return glue;
  })();
  return wasmModule;
}

async function withEngine<T>(
  factory: SqlMigrationAwareDriverAdapterFactory,
  fn: (engine: SchemaEngine) => Promise<T>,
  schemaPath = SCHEMA_PATH,
): Promise<T> {
  const wasm = await loadWasm();
  const schema = await readFile(schemaPath, "utf8");
  // The engine never disposes the connections it opens, and PostgreSQL keeps its advisory
  // migration lock until the connection closes: track them and dispose them ourselves.
  const opened: { dispose(): Promise<void> }[] = [];
  const tracking: SqlMigrationAwareDriverAdapterFactory = {
    provider: factory.provider,
    adapterName: factory.adapterName,
    connect: async () => {
      const adapter = await factory.connect();
      opened.push(adapter);
      return adapter;
    },
    connectToShadowDb: async () => {
      const adapter = await factory.connectToShadowDb();
      opened.push(adapter);
      return adapter;
    },
  };
  const engine = await wasm.SchemaEngine.new({ datamodels: [[schemaPath, schema]] }, () => {}, bindMigrationAwareSqlAdapterFactory(tracking));
  try {
    return await fn(engine);
  } catch (error) {
    throw new Error(`Prisma schema engine: ${describeEngineError(error)}`, { cause: error });
  } finally {
    engine.free();
    await Promise.all(opened.map((adapter) => adapter.dispose()));
  }
}

function describeEngineError(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (typeof error === "object" && error && "message" in error) return String((error as { message: unknown }).message);
  return String(error);
}

const NO_FILTER = { externalTables: [], externalEnums: [] };

export async function readMigrations(dir = MIGRATIONS_DIR) {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  const migrationDirectories = [];
  for (const entry of entries.filter((e) => e.isDirectory()).sort((a, b) => a.name.localeCompare(b.name))) {
    const file = path.join(dir, entry.name, "migration.sql");
    const content = await readFile(file, "utf8").then(
      (tag) => ({ tag: "ok" as const, value: tag }),
      (error: Error) => ({ tag: "error" as const, value: error.message }),
    );
    migrationDirectories.push({ path: entry.name, migrationFile: { path: "migration.sql", content } });
  }
  const lockPath = path.join(dir, "migration_lock.toml");
  const lockContent = await readFile(lockPath, "utf8").catch(() => null);
  return {
    baseDir: dir,
    lockfile: { path: "migration_lock.toml", content: lockContent },
    shadowDbInitScript: "",
    migrationDirectories,
  };
}

/** Applies pending migrations; returns the names applied (empty when up to date). */
export async function applyMigrations(factory: SqlMigrationAwareDriverAdapterFactory, dir = MIGRATIONS_DIR): Promise<string[]> {
  const migrationsList = await readMigrations(dir);
  return withEngine(factory, async (engine) => {
    const out = await engine.applyMigrations({ migrationsList, filters: NO_FILTER });
    return out.appliedMigrationNames;
  });
}

/**
 * SQL that takes a database migrated with every migration in `dir` to `schema.prisma`.
 * Computed on a throw-away in-memory PGlite, because reading a live PostgreSQL 15 schema
 * through the adapter is not supported by the WebAssembly engine (see ADR 003).
 */
export async function pendingSchemaChanges(dir = MIGRATIONS_DIR, schemaPath = SCHEMA_PATH): Promise<string> {
  const scratch = openDatabase({ kind: "pglite", dataDir: null });
  try {
    await applyMigrations(scratch.migrationAdapter, dir);
    const schema = await readFile(schemaPath, "utf8");
    const files = [{ path: schemaPath, content: schema }];
    return await withEngine(
      scratch.migrationAdapter,
      async (engine) => {
        const result = await engine.diff({
          from: { tag: "schemaDatasource", files, configDir: path.dirname(schemaPath) },
          to: { tag: "schemaDatamodel", files },
          script: true,
          exitCode: null,
          filters: NO_FILTER,
        });
        return result.stdout ?? "";
      },
      schemaPath,
    );
  } finally {
    await scratch.close();
  }
}

/** True when the SQL the engine produced contains a statement (it emits a comment when empty). */
export function hasStatements(sql: string): boolean {
  return sql
    .split("\n")
    .map((line) => line.trim())
    .some((line) => line.length > 0 && !line.startsWith("--"));
}

export function migrationDirName(name: string, now = new Date()): string {
  const slug = name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "_")
    .replace(/^_|_$/g, "");
  if (!slug) throw new Error("A migration needs a name made of letters or digits, e.g. `npm run db:migration -- add_nps`.");
  const stamp = now.toISOString().replace(/[-:T]/g, "").slice(0, 14);
  return `${stamp}_${slug}`;
}

/** Writes the next migration from the schema; returns its folder, or null when nothing changed. */
export async function createMigration(name: string, dir = MIGRATIONS_DIR, now = new Date(), schemaPath = SCHEMA_PATH): Promise<string | null> {
  const folder = migrationDirName(name, now);
  const sql = await pendingSchemaChanges(dir, schemaPath);
  if (!hasStatements(sql)) return null;
  await mkdir(path.join(dir, folder), { recursive: true });
  await writeFile(path.join(dir, folder, "migration.sql"), sql);
  const lock = path.join(dir, "migration_lock.toml");
  if (!(await stat(lock).catch(() => null))) {
    await writeFile(lock, '# Written by the migration runner; keep in version control.\nprovider = "postgresql"\n');
  }
  return path.join(dir, folder);
}
