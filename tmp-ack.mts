process.env.SHOPIFY_API_KEY = "k"; process.env.SHOPIFY_API_SECRET = "rapport-test-secret"; process.env.SHOPIFY_APP_URL = "https://x.example.com"; process.env.LOG_LEVEL = "silent";
const { openDatabase } = await import("./app/lib/database.server.ts");
const { setDatabase } = await import("./app/lib/db.server.ts");
const { applyMigrations } = await import("./prisma/migrator.ts");
const f = await import("./tests/factories/shopify.ts");
const db = openDatabase({ kind: "pglite", dataDir: null });
await applyMigrations(db.migrationAdapter);
setDatabase(db);
const { receiveWebhook } = await import("./app/services/webhookInbox.server.ts");
const { insertWebhookEvent } = await import("./app/models/webhookEvent.server.ts");
const body = JSON.stringify(f.order(1, 2));
for (const label of ["warm", "full"]) {
  const t = performance.now();
  for (let i = 0; i < 2000; i++) await receiveWebhook(f.signedWebhook("orders/create", null, { body }));
  console.log(label, "receiveWebhook per call ms", ((performance.now() - t) / 2000).toFixed(2));
}
let t = performance.now();
for (let i = 0; i < 2000; i++) await insertWebhookEvent(db.prisma, { shop: "a.myshopify.com", topic: "orders/create", eventId: "x" + i, webhookId: null, apiVersion: null, triggeredAt: null, payloadJson: body });
console.log("insert only ms", ((performance.now() - t) / 2000).toFixed(2));
t = performance.now();
for (let i = 0; i < 2000; i++) await db.prisma.session.findUnique({ where: { id: "offline_a.myshopify.com" } });
console.log("session lookup ms", ((performance.now() - t) / 2000).toFixed(2));
await db.close();
