// TEMP (dev only): EXPLAIN ANALYZE the aggregate query.
import pg from "pg";
import { aggregateCustomers } from "../../app/models/analytics.server";
import { currentRange, RANGE_KINDS, COHORT_MONTHS } from "../../app/services/analytics.server";
import { previousRange } from "../../app/domain/kpis";
import { zonedCalendar } from "../../app/domain/time";
const [url] = process.argv.slice(2);
const now = new Date("2026-11-22T20:00:00Z");
const tz = "Europe/Paris";
const cal = zonedCalendar(tz);
const today = cal.dayNumber(now.getTime());
const windows = RANGE_KINDS.flatMap((k) => { const c = currentRange(k, today, tz); const p = previousRange(c); return [c, p, previousRange(p)]; });
let captured: { sql: string; params: unknown[] } | null = null;
const fake = { $queryRawUnsafe: async (sql: string, ...params: unknown[]) => { captured = { sql, params }; throw new Error("captured"); } } as never;
try { await aggregateCustomers(fake, "bench.myshopify.com", { timeZone: tz, now, windows, cohortFromMonth: cal.monthNumber(now.getTime()) - (COHORT_MONTHS - 1), countOnly: windows.map((_, i) => i % 3 === 2) }); } catch {}
const c = new pg.Client({ connectionString: url });
await c.connect();
await c.query("BEGIN");
await c.query(`SET LOCAL work_mem = '128MB'`);
await c.query(`SET LOCAL enable_indexscan = off`);
const r = await c.query(`EXPLAIN (ANALYZE, BUFFERS) ${captured!.sql}`, captured!.params);
console.log(r.rows.map((x) => x["QUERY PLAN"]).join("\n"));
await c.query("ROLLBACK");
await c.end();
