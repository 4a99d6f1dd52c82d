// Full recomputes in a fresh process, so that its peak memory is the analysis's own:
//   node --import tsx bench/analytics/child.ts <DATABASE_URL> <now ISO> <runs>
// Run i (from 0) analyses the same data as of `now` + i days: each run after the first is the
// next nightly run, which rewrites every customer's metrics with a day's change (recency,
// P(alive), CLV), as in production; a rerun at the same instant would rewrite identical rows.
// Prints one JSON line: the summaries' timings, the peak RSS (getrusage) and sampled RSS.
import { openDatabase, parseDatabaseUrl } from "../../app/lib/database.server";
import { analyzeShop } from "../../app/services/analytics.server";
import { BENCH_SHOP } from "./dataset";

const [url, nowText, runsText] = process.argv.slice(2);
let sampled = process.memoryUsage().rss;
let heapPeak = process.memoryUsage().heapUsed;
const sampler = setInterval(() => {
  const m = process.memoryUsage();
  sampled = Math.max(sampled, m.rss);
  heapPeak = Math.max(heapPeak, m.heapUsed + m.arrayBuffers);
}, 20);
const db = openDatabase(parseDatabaseUrl(url));
const runs = [];
const DAY_MS = 86_400_000;
try {
  for (let i = 0; i < Number(runsText || 1); i++) {
    const now = new Date(Date.parse(nowText) + i * DAY_MS);
    const t0 = performance.now();
    const summary = await analyzeShop(db.prisma, BENCH_SHOP, { now });
    runs.push({
      now: now.toISOString(),
      wallMs: Math.round(performance.now() - t0),
      timings: summary.timings,
      rssMb: summary.rssMb,
      customers: summary.customers,
      repeatCustomers: summary.repeatCustomers,
      lowConfidence: summary.lowConfidence,
      bgnbd: summary.model.bgnbd && {
        r: summary.model.bgnbd.r,
        alpha: summary.model.bgnbd.alpha,
        a: summary.model.bgnbd.a,
        b: summary.model.bgnbd.b,
        iterations: summary.model.bgnbd.iterations,
      },
      gammaGamma: summary.model.gammaGamma && { p: summary.model.gammaGamma.p, q: summary.model.gammaGamma.q, gamma: summary.model.gammaGamma.gamma },
      segments: Object.fromEntries(summary.segments.map((s) => [s.segment, s.customers])),
    });
  }
} finally {
  await db.close();
  clearInterval(sampler);
}
sampled = Math.max(sampled, process.memoryUsage().rss);
process.stdout.write(
  `${JSON.stringify({ runs, maxRssMb: Math.round(process.resourceUsage().maxRSS / 1024), sampledPeakMb: Math.round(sampled / 1048576), heapPeakMb: Math.round(heapPeak / 1048576) })}\n`,
);
