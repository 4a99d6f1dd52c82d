import { readFileSync } from "node:fs";
import { hitRateAtK, splitBaskets } from "../../app/domain/recommendationsEval";
import { itemCounts, recommendForQuery, topItems, trainItemModel, type BasketSet, type ItemModelOptions } from "../../app/domain/recommendationsModel";

function load(): BasketSet {
  const lines = readFileSync("/work/shared/data/groceries/groceries_baskets.csv", "utf8").trim().split("\n").slice(1);
  const items = new Map<string, number>();
  const baskets = new Map<string, Set<number>>();
  for (const line of lines) {
    const c = line.indexOf(",");
    const b = line.slice(0, c);
    const it = line.slice(c + 1);
    if (!items.has(it)) items.set(it, items.size);
    if (!baskets.has(b)) baskets.set(b, new Set());
    baskets.get(b)!.add(items.get(it)!);
  }
  return { nItems: items.size, baskets: [...baskets.values()].map((s) => Int32Array.from(s)) };
}
const data = load();
const seeds = (process.env.SEEDS ?? "1").split(",").map(Number);
const base: ItemModelOptions = { lambda: 50, easeItems: 5000, knnWeight: 0, knnAlpha: 0.5, popularityWeight: 0, neighbours: 200, intercept: false, dropout: 0, basketPower: 0 };
const grid: Partial<ItemModelOptions>[] = JSON.parse(process.argv[2] ?? "[{}]");
for (const seed of seeds) {
  const { train, test } = splitBaskets(data, seed);
  const counts = itemCounts(train);
  const pop = hitRateAtK(test, 10, (q, k) => topItems(new Float64Array(train.nItems), counts, k, new Set(q)));
  console.log(`seed ${seed} popularity ${pop.hitRate.toFixed(4)} trials ${pop.trials}`);
  for (const g of grid) {
    const opts = { ...base, ...g };
    const t0 = performance.now();
    const model = trainItemModel(train, opts);
    const scratch = new Float64Array(train.nItems);
    const r = hitRateAtK(test, 10, (q, k) => recommendForQuery(model, q, k, undefined, scratch));
    console.log(`${JSON.stringify(g)} hit ${r.hitRate.toFixed(4)} ratio ${(r.hitRate / pop.hitRate).toFixed(4)} (${(performance.now() - t0).toFixed(0)} ms)`);
  }
}
