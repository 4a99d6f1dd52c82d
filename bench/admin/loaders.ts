// Child process of bench/admin/run.ts: loads the production build (build/server/index.js), finds
// every admin page route (ids "routes/app…" with a page component and a loader: the pages other
// parts of the app add appear by themselves) and times its loader on the benchmark shop, in
// demo mode (the demo shop's domain). Prints one JSON line.
//
//   RAPPORT_DEMO=1 DATABASE_URL=… node bench/admin/loaders.ts <runs>
import path from "node:path";
import { pathToFileURL } from "node:url";

interface RouteModule {
  loader?: (args: { request: Request; params: Record<string, string>; context: unknown }) => Promise<unknown>;
  default?: unknown;
}
interface BuildRoute {
  id: string;
  path?: string;
  parentId?: string;
  index?: boolean;
  module: RouteModule;
}

const ROOT = path.resolve(import.meta.dirname, "../..");
const runs = Number(process.argv[2] ?? 30);
const build = (await import(pathToFileURL(path.join(ROOT, "build/server/index.js")).href)) as { routes: Record<string, BuildRoute> };
const { prisma } = (await import(pathToFileURL(path.join(ROOT, "app/lib/db.server.ts")).href)) as typeof import("../../app/lib/db.server");
const db = prisma();
const shop = "rapport-demo.myshopify.com";

/** Sample values of route parameters, from the benchmark shop. */
async function paramSamples(): Promise<Record<string, string>> {
  // The customer with the most orders: the longest profile (timeline, moves).
  const [top] = await db.$queryRawUnsafe<{ shopifyId: string }[]>(
    `SELECT c."shopifyId" FROM "CustomerMetrics" m JOIN "Customer" c ON c.id = m."customerId" WHERE m.shop = $1 ORDER BY m.frequency DESC, m."customerId" LIMIT 1`,
    shop,
  );
  return { customerId: top.shopifyId };
}

/** Extra query strings per route: the customers page's search, filters, sorts and a later page. */
const VARIANTS: Record<string, string[]> = {
  "routes/app.customers._index": [
    "?q=dubois",
    "?q=camille%20martin",
    "?q=thomas.arthur1234",
    "?segment=champions&sort=monetary",
    "?segment=at_risk&sort=predictedClv12m&dir=desc",
    "?risk=high&sort=predictedClv12m",
    "?r=1&f=5",
    "?sort=pAlive&dir=asc",
    "?sort=monetary&dir=asc",
    "?from=2026-01-01&to=2026-03-31&sort=frequency",
    "?clvMin=500&sort=predictedClv12m",
  ],
  "routes/app.customers.$customerId": ["?orders=all"],
};

function fullPath(route: BuildRoute): string {
  const parts: string[] = [];
  for (let r: BuildRoute | undefined = route; r; r = r.parentId ? build.routes[r.parentId] : undefined) if (r.path) parts.unshift(r.path);
  return `/${parts.join("/")}`;
}

function percentile(sorted: number[], p: number) {
  return sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)];
}

async function time(route: BuildRoute, url: string, params: Record<string, string>) {
  const call = async () => {
    const t0 = performance.now();
    const result = await route.module.loader!({ request: new Request(url), params, context: {} });
    return { ms: performance.now() - t0, result };
  };
  for (let i = 0; i < 3; i++) await call(); // warm-up: plan caches, JIT
  const times: number[] = [];
  let last: unknown;
  for (let i = 0; i < runs; i++) {
    const { ms, result } = await call();
    times.push(ms);
    last = result;
  }
  times.sort((a, b) => a - b);
  return { p50: percentile(times, 0.5), p95: percentile(times, 0.95), max: times[times.length - 1], last };
}

const samples = await paramSamples();
const pages = Object.values(build.routes)
  .filter((r) => r.id.startsWith("routes/app") && r.module.loader && r.module.default)
  .sort((a, b) => a.id.localeCompare(b.id));
const results: { route: string; url: string; p50: number; p95: number; max: number }[] = [];
const skipped: string[] = [];
for (const route of pages) {
  const template = fullPath(route);
  const names = [...template.matchAll(/:(\w+)/g)].map((m) => m[1]);
  if (names.some((n) => !(n in samples))) {
    skipped.push(`${route.id} (no sample for ${names.join(", ")})`);
    continue;
  }
  const params = Object.fromEntries(names.map((n) => [n, samples[n]]));
  const pathname = template.replace(/:(\w+)/g, (_, n: string) => samples[n]);
  const urls = ["", ...(VARIANTS[route.id] ?? [])].map((q) => `http://localhost${pathname}${q}`);
  for (const url of urls) {
    const r = await time(route, url, params);
    results.push({ route: route.id, url: url.slice("http://localhost".length), p50: r.p50, p95: r.p95, max: r.max });
    // The customers page's next page: keyset cursor of the first page's last row.
    const next = (r.last as { next?: string | null } | undefined)?.next;
    if (route.id === "routes/app.customers._index" && next && url.endsWith("/app/customers")) {
      const deep = await time(route, `${url}?after=${encodeURIComponent(next)}`, params);
      results.push({ route: route.id, url: "/app/customers?after=… (page 2)", p50: deep.p50, p95: deep.p95, max: deep.max });
    }
  }
}
process.stdout.write(`${JSON.stringify({ results, skipped })}\n`);
process.exit(0);
