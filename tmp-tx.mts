import { openDatabase } from "./app/lib/database.server.ts";
import { applyMigrations } from "./prisma/migrator.ts";
const db = openDatabase({ kind: "pglite", dataDir: null });
await applyMigrations(db.migrationAdapter);
const p = db.prisma;
let outsideDone = 0;
const tx = p.$transaction(async (tx) => {
  await tx.shop.create({ data: { domain: "inside.myshopify.com" } });
  const outside = p.shop.create({ data: { domain: "outside.myshopify.com" } }).then(() => { outsideDone = Date.now(); });
  await new Promise((r) => setTimeout(r, 500));
  console.log("outside finished while tx open?", outsideDone !== 0);
  throw new Error("rollback");
}).catch((e) => console.log("tx:", e.message));
await tx;
await new Promise((r) => setTimeout(r, 200));
console.log(await p.shop.findMany({ select: { domain: true } }));
await db.close();
