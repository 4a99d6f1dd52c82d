import { openDatabase } from "../../app/lib/database.server";
import { aggregateCustomers, useWorkMem } from "../../app/models/analytics.server";
const db = openDatabase({ kind: "postgres", url: "postgresql://postgres@127.0.0.1:5432/rapport_bench_dev" });
for (let i = 0; i < 2; i++) {
  const t = performance.now();
  const cpu = process.cpuUsage();
  const r = await db.prisma.$transaction(async (tx) => {
    await useWorkMem(tx);
    const w = [];
    for (let k = 0; k < 9; k++) w.push({ from: new Date(Date.UTC(2026, 0, 1) - k * 30 * 86400000), to: new Date(Date.UTC(2026, 11, 1)) });
    return aggregateCustomers(tx, "bench.myshopify.com", { timeZone: "Europe/Paris", now: new Date("2026-11-22T20:00:00Z"), windows: w, cohortFromMonth: 24300 });
  }, { timeout: 600000 });
  const c = process.cpuUsage(cpu);
  console.log(r.customers.length, r.cohorts.length, Math.round(performance.now() - t), "ms wall; node cpu ms", Math.round((c.user + c.system) / 1000));
}
await db.close();
