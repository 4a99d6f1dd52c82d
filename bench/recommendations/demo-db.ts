// Training and serving through the service on a seeded demo database (PGlite or PostgreSQL):
//   DATABASE_URL=pglite:/tmp/demo node cli/bin.mjs demo seed
//   DATABASE_URL=pglite:/tmp/demo node --import tsx bench/recommendations/demo-db.ts
import { openDatabase, parseDatabaseUrl } from "../../app/lib/database.server";
import { recommend, trainRecommendations } from "../../app/services/recommendations.server";

const SHOP = process.argv[2] ?? "rapport-demo.myshopify.com";
const db = openDatabase(parseDatabaseUrl(process.env.DATABASE_URL));
const prisma = db.prisma;
const latest = await prisma.order.findFirst({ where: { shop: SHOP }, orderBy: { processedAt: "desc" }, select: { processedAt: true } });
const now = latest?.processedAt ?? new Date();
const cpu0 = process.cpuUsage();
const summary = await trainRecommendations(prisma, SHOP, now);
const cpu = process.cpuUsage(cpu0);
console.log(
  JSON.stringify({ ...summary, cpuMs: Math.round((cpu.user + cpu.system) / 1000), peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024) }),
);
const product = await prisma.product.findFirst({
  where: { shop: SHOP, status: "active" },
  orderBy: { id: "asc" },
  select: { shopifyId: true, title: true },
});
const answer = await recommend(prisma, SHOP, {
  placement: "product",
  strategy: "automatic",
  productId: product!.shopifyId,
  cartProductIds: [],
  customerId: null,
  limit: 4,
  now,
});
console.log(product!.title, "→", answer.strategy, answer.products.map((p) => `${p.title} ${p.price} ${p.currency}`).join(" | "));
const times: number[] = [];
for (let i = 0; i < 50; i++) {
  const t = performance.now();
  await recommend(prisma, SHOP, {
    placement: "product",
    strategy: "automatic",
    productId: product!.shopifyId,
    cartProductIds: [],
    customerId: null,
    limit: 8,
    now,
  });
  times.push(performance.now() - t);
}
times.sort((a, b) => a - b);
console.log(`recommend (in process, warm cache): p50 ${times[25].toFixed(1)} ms, p95 ${times[47].toFixed(1)} ms`);
await db.close();
