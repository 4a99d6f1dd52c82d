// Demo shop generation time (no database): `npm run bench:demo [-- --runs N]`.
// Generation has no timing assertion in the tests (the CI machine is shared); it is measured here.
import { parseArgs } from "node:util";
import { DEFAULT_DEMO_OPTIONS, generateDemoShop } from "../../app/services/demo/generator";

const { values } = parseArgs({ options: { runs: { type: "string", default: "5" } } });
const RUNS = Number(values.runs);
const endDate = new Date("2026-06-30T18:00:00+02:00");

generateDemoShop({ ...DEFAULT_DEMO_OPTIONS, endDate }); // warm-up: JIT and the time-zone caches
const times: number[] = [];
let orders = 0;
for (let i = 0; i < RUNS; i++) {
  const t0 = performance.now();
  orders = generateDemoShop({ ...DEFAULT_DEMO_OPTIONS, endDate }).orders.length;
  times.push(performance.now() - t0);
}
times.sort((a, b) => a - b);
const median = times[Math.floor(times.length / 2)];
console.log(
  `generateDemoShop (defaults: ${DEFAULT_DEMO_OPTIONS.customers} customers, ${orders} orders): median ${Math.round(median)} ms, ` +
    `min ${Math.round(times[0])} ms, max ${Math.round(times[times.length - 1])} ms over ${RUNS} runs`,
);
