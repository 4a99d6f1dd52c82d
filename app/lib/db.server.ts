// The process-wide database. The custom server (server/index.ts), the worker and the Remix
// build are separate module graphs in one process; they must share one PGlite instance (it
// allows one connection and one opener per folder), so the instance lives on globalThis.
// Only DATABASE_URL is read here: database commands of the CLI need no Shopify credentials.
import { openDatabase, parseDatabaseUrl, type Database } from "./database.server";

const KEY = Symbol.for("rapport.database");
type Holder = { [KEY]?: Database };

export function getDatabase(): Database {
  const holder = globalThis as Holder;
  holder[KEY] ??= openDatabase(parseDatabaseUrl(process.env.DATABASE_URL));
  return holder[KEY];
}

/** For tests and tools that open their own database. */
export function setDatabase(database: Database | undefined): void {
  (globalThis as Holder)[KEY] = database;
}

export function prisma() {
  return getDatabase().prisma;
}
