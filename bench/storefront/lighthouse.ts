// What the Recommended products block costs a page's Lighthouse performance score (Shopify
// allows a 10-point drop): a demo product page with the block, and the same page without it
// (?block=0: no block, no extension assets), desktop preset, median of N runs each.
//
//   npm run bench:lighthouse [-- --runs 5 --url http://localhost:3000]   (a running `npm run demo`)
import os from "node:os";
import { parseArgs } from "node:util";
import * as chromeLauncher from "chrome-launcher";
import lighthouse from "lighthouse";

const { values } = parseArgs({ options: { runs: { type: "string", default: "5" }, url: { type: "string", default: "http://localhost:3000" } } });
const RUNS = Number(values.runs);
const BASE = values.url!;

const FLAGS = [
  "--headless=new",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

async function measure(url: string) {
  const chrome = await chromeLauncher.launch({ chromePath: process.env.CHROME_PATH ?? "/usr/bin/chromium", chromeFlags: FLAGS });
  try {
    const result = await lighthouse(url, {
      port: chrome.port,
      output: "json",
      logLevel: "error",
      onlyCategories: ["performance"],
      formFactor: "desktop",
      screenEmulation: { mobile: false, width: 1350, height: 940, deviceScaleFactor: 1, disabled: false },
      throttling: {
        rttMs: 40,
        throughputKbps: 10240,
        cpuSlowdownMultiplier: 1,
        requestLatencyMs: 0,
        downloadThroughputKbps: 0,
        uploadThroughputKbps: 0,
      },
    });
    const lhr = result!.lhr;
    const audit = (id: string) => lhr.audits[id]?.numericValue ?? NaN;
    return {
      score: Math.round((lhr.categories.performance.score ?? 0) * 100),
      lcp: audit("largest-contentful-paint"),
      cls: audit("cumulative-layout-shift"),
      tbt: audit("total-blocking-time"),
    };
  } finally {
    chrome.kill();
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const home = await (await fetch(`${BASE}/demo/storefront`)).text();
const handle = /href="\/demo\/storefront\/products\/([^"]+)"/.exec(home)?.[1];
if (!handle) throw new Error(`no product link on ${BASE}/demo/storefront: is \`npm run demo\` running there?`);
console.log(
  `Machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? "cpu"}, load ${os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(" ")}; page /demo/storefront/products/${handle}; ${RUNS} runs each, desktop preset`,
);
for (const [label, suffix] of [
  ["without the block", "?block=0"],
  ["with the block", ""],
] as const) {
  const runs = [];
  for (let i = 0; i < RUNS; i++) runs.push(await measure(`${BASE}/demo/storefront/products/${handle}${suffix}`));
  console.log(
    `  ${label}: score median ${median(runs.map((r) => r.score))} (runs ${runs.map((r) => r.score).join(", ")}), ` +
      `LCP ${median(runs.map((r) => r.lcp)).toFixed(0)} ms, CLS ${median(runs.map((r) => r.cls)).toFixed(3)}, TBT ${median(runs.map((r) => r.tbt)).toFixed(0)} ms`,
  );
}
