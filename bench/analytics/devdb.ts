// TEMP (dev only): create a persistent benchmark database for iterating.
//   node --import tsx bench/analytics/devdb.ts <pglite|postgres> <orders> <customers>
import pg from "pg";
import { openDatabase } from "../../app/lib/database.server";
import { applyMigrations } from "../../prisma/migrator";
import { generateDataset } from "./dataset";
const [kind, orders, customers] = process.argv.slice(2);
const name = `rapport_dev_${orders}`;
let url: string;
if (kind === "postgres") {
  const admin = new pg.Client({ connectionString: "postgresql://postgres@127.0.0.1:5432/postgres" });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  await admin.query(`CREATE DATABASE "${name}"`);
  await admin.end();
  url = `postgresql://postgres@127.0.0.1:5432/${name}`;
} else url = `pglite:/tmp/rapport-dev/${name}`;
const db = openDatabase(kind === "postgres" ? { kind: "postgres", url } : { kind: "pglite", dataDir: `/tmp/rapport-dev/${name}` });
await applyMigrations(db.migrationAdapter);
await generateDataset(db.prisma, { orders: Number(orders), customers: Number(customers), checkouts: Number(orders) / 5 });
await db.close();
console.log(url);
