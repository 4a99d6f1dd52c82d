import { openDatabase } from "../../app/lib/database.server";
import { storedSegments } from "../../app/models/analytics.server";
import { insertRows } from "../../app/models/bulk.server";
const db = openDatabase({ kind: "postgres", url: "postgresql://postgres@127.0.0.1:5432/rapport_bench_dev" });
const shop = "bench.myshopify.com";
let t = performance.now();
const lap = (n: string) => { const x = performance.now(); console.log(n, Math.round(x - t)); t = x; };
const s = await storedSegments(db.prisma, shop); lap(`storedSegments ${s.size}`);
const rows = await db.prisma.customerMetrics.findMany({ where: { shop } }); lap("findMany");
const plain = rows.map((r) => ({ ...r, monetary: r.monetary.toString(), expectedOrderValue: r.expectedOrderValue?.toString() ?? null, predictedClv12m: r.predictedClv12m?.toString() ?? null }));
lap("plain");
await db.prisma.$transaction(async (tx) => {
  await tx.customerMetrics.deleteMany({ where: { shop } }); lap("delete");
  await insertRows(tx, "CustomerMetrics", plain); lap("insertRows");
  throw new Error("rollback");
}, { timeout: 600000 }).catch((e) => console.log(String(e).slice(0, 80)));
lap("rollback");
const json = JSON.stringify(plain.slice(0, 5000)); lap(`stringify 5000: ${json.length}`);
await db.prisma.$transaction(async (tx) => {
  await tx.$executeRawUnsafe(`CREATE TEMP TABLE x ON COMMIT DROP AS SELECT * FROM json_populate_recordset(NULL::"CustomerMetrics", $1::json)`, json); lap("populate 5000 into temp");
}, { timeout: 600000 });
await db.close();
