// A throw-away database for a benchmark: a PGlite folder, or a PostgreSQL database
// `rapport_bench_<pid>_<label>` on BENCH_POSTGRES_URL's server, dropped afterwards.
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import type { DatabaseTarget } from "../app/lib/database.server";

export const ADMIN_URL = process.env.BENCH_POSTGRES_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";

async function admin(sql: string) {
  const client = new pg.Client({ connectionString: ADMIN_URL });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

export async function benchDatabase(
  kind: "pglite" | "postgres",
  label = "bench",
): Promise<{ target: DatabaseTarget; url: string; drop: () => Promise<void> }> {
  if (kind === "pglite") {
    const dir = mkdtempSync(path.join(os.tmpdir(), `rapport-${label}-pglite-`));
    return { target: { kind: "pglite", dataDir: dir }, url: `pglite:${dir}`, drop: async () => rmSync(dir, { recursive: true, force: true }) };
  }
  // BENCH_DB_PREFIX: a prefix of one's own when several people share the server.
  const name = `${process.env.BENCH_DB_PREFIX ?? "rapport_bench"}_${process.pid}_${label.replace(/\W/g, "_")}`;
  await admin(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  await admin(`CREATE DATABASE "${name}"`);
  const u = new URL(ADMIN_URL);
  u.pathname = `/${name}`;
  const url = u.toString();
  return { target: { kind: "postgres", url }, url, drop: () => admin(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`) };
}
