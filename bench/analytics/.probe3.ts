import { openDatabase } from "../../app/lib/database.server";
import { aggregateCustomers, useWorkMem } from "../../app/models/analytics.server";
const db = openDatabase({ kind: "postgres", url: "postgresql://postgres@127.0.0.1:5432/rapport_bench_dev" });
await db.prisma.$transaction(async (tx) => {
  await useWorkMem(tx);
  const w = [];
  for (let k = 0; k < 9; k++) w.push({ from: new Date(Date.UTC(2026, 0, 1) - k * 30 * 86400000), to: new Date(Date.UTC(2026, 11, 1)) });
  const orig = tx.$queryRawUnsafe.bind(tx);
  (tx as any).$queryRawUnsafe = async (sql: string, ...p: unknown[]) => {
    const plan = await orig<any[]>("EXPLAIN (ANALYZE, BUFFERS) " + sql, ...p);
    console.log(plan.map((r) => r["QUERY PLAN"]).join("\n"));
    return [{ customers: "[]", cohorts: "[]" }];
  };
  await aggregateCustomers(tx, "bench.myshopify.com", { timeZone: "Europe/Paris", now: new Date("2026-11-22T20:00:00Z"), windows: w, cohortFromMonth: 24300 });
}, { timeout: 600000 });
await db.close();
