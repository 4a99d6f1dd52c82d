import http from "node:http";
const f = await import("./tests/factories/shopify.ts");
const agent = new http.Agent({ keepAlive: true });
const body = JSON.stringify(f.order(1, 2));
async function one(path: string) {
  const req = f.signedWebhook("orders/create", null, { body });
  const headers = Object.fromEntries(req.headers.entries());
  return new Promise<number>((resolve) => {
    const t = performance.now();
    const r = http.request({ host: "127.0.0.1", port: 3555, path, method: "POST", agent, headers }, (res) => { if (res.statusCode !== 200) console.log("status", res.statusCode); res.resume(); res.on("end", () => resolve(performance.now() - t)); });
    r.end(body);
  });
}
for (const label of ["warm", "measure"]) {
  const ts = [];
  for (let i = 0; i < 1000; i++) ts.push(await one("/webhooks/orders"));
  ts.sort((a, b) => a - b);
  console.log(label, "median", ts[500].toFixed(2), "p99", ts[990].toFixed(2));
}
agent.destroy();
