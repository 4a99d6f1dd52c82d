// Quality of the item-to-item model on the groceries baskets (a copy of ../shared/data/groceries in tests/fixtures/datasets), with
// the protocol of issue #8: 80/20 split by basket, each item of each test basket (2 items or
// more) hidden in turn, the rest is the query; hit rate at 10 against global popularity
// computed the same way (never an item of the query). Prints one line per model and seed.
//   node --import tsx bench/recommendations/groceries.ts [seeds, default 1,2,3,4,5]
import { readFileSync } from "node:fs";
import path from "node:path";
import { hitRateAtK, splitBaskets } from "../../app/domain/recommendationsEval";
import {
  DEFAULT_ITEM_MODEL_OPTIONS,
  itemCounts,
  recommendForQuery,
  topItems,
  trainItemModel,
  type BasketSet,
  type ItemModelOptions,
} from "../../app/domain/recommendationsModel";

export function loadGroceries(file = path.resolve(import.meta.dirname, "../../tests/fixtures/datasets/groceries_baskets.csv")): BasketSet {
  const lines = readFileSync(file, "utf8").trim().split("\n").slice(1);
  const items = new Map<string, number>();
  const baskets = new Map<string, Set<number>>();
  for (const line of lines) {
    const c = line.indexOf(",");
    const b = line.slice(0, c);
    const it = line.slice(c + 1).trim();
    if (!items.has(it)) items.set(it, items.size);
    if (!baskets.has(b)) baskets.set(b, new Set());
    baskets.get(b)!.add(items.get(it)!);
  }
  return { nItems: items.size, baskets: [...baskets.values()].map((s) => Int32Array.from(s)) };
}

const PLAIN: ItemModelOptions = { ...DEFAULT_ITEM_MODEL_OPTIONS, intercept: false, dropout: 0 };
const KNN: ItemModelOptions = { ...DEFAULT_ITEM_MODEL_OPTIONS, easeItems: 0, intercept: false, dropout: 0 };
export const MODELS: [string, ItemModelOptions][] = [
  ...[10, 50, 200, 500, 1000, 2000].map((lambda): [string, ItemModelOptions] => [`EASE λ=${lambda}`, { ...PLAIN, lambda, neighbours: 1000 }]),
  ["kNN cosine (α=0.5)", { ...KNN, knnAlpha: 0.5, neighbours: 1000 }],
  ["kNN P(j|i) (α=1)", { ...KNN, knnAlpha: 1, neighbours: 1000 }],
  ["kNN α=0.8", { ...KNN, knnAlpha: 0.8, neighbours: 1000 }],
  ["EASE λ=500 + popularity β=0.05", { ...PLAIN, lambda: 500, popularityWeight: 0.05, neighbours: 1000 }],
  ...[20, 50, 100].map((lambda): [string, ItemModelOptions] => [
    `EASE+intercept+dropout 0.5 λ=${lambda} (all neighbours)`,
    { ...DEFAULT_ITEM_MODEL_OPTIONS, lambda, neighbours: 1000 },
  ]),
  ["EASE+intercept+dropout 0.3 λ=50", { ...DEFAULT_ITEM_MODEL_OPTIONS, dropout: 0.3, neighbours: 1000 }],
  ["EASE+intercept+dropout 0.7 λ=50", { ...DEFAULT_ITEM_MODEL_OPTIONS, dropout: 0.7, neighbours: 1000 }],
  ["winner: defaults (λ=50, dropout 0.5, intercept, 50 neighbours)", DEFAULT_ITEM_MODEL_OPTIONS],
];

export function evaluate(data: BasketSet, seed: number, options: ItemModelOptions) {
  const { train, test } = splitBaskets(data, seed);
  const counts = itemCounts(train);
  const zero = new Float64Array(train.nItems);
  const popularity = hitRateAtK(test, 10, (q, k) => topItems(zero, counts, k, new Set(q)));
  const model = trainItemModel(train, options);
  const scratch = new Float64Array(train.nItems);
  const result = hitRateAtK(test, 10, (q, k) => recommendForQuery(model, q, k, undefined, scratch));
  return { popularity, result, ratio: result.hitRate / popularity.hitRate };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const data = loadGroceries();
  const seeds = (process.argv[2] ?? "1,2,3,4,5").split(",").map(Number);
  console.log(`groceries: ${data.baskets.length} baskets, ${data.nItems} items; seeds ${seeds.join(",")}`);
  for (const seed of seeds) {
    const { popularity } = evaluate(data, seed, DEFAULT_ITEM_MODEL_OPTIONS);
    console.log(`seed ${seed}: popularity hit@10 ${popularity.hitRate.toFixed(4)} (${popularity.hits}/${popularity.trials})`);
  }
  console.log("| model | hit@10 (mean) | × popularity (mean) | × popularity per seed |");
  console.log("|---|---|---|---|");
  for (const [name, options] of MODELS) {
    const runs = seeds.map((seed) => evaluate(data, seed, options));
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    console.log(
      `| ${name} | ${mean(runs.map((r) => r.result.hitRate)).toFixed(4)} | ${mean(runs.map((r) => r.ratio)).toFixed(4)} | ${runs.map((r) => r.ratio.toFixed(3)).join(" ")} |`,
    );
  }
}
