// Training time and peak memory of the item-to-item model on SYNTHETIC baskets (the domain
// training only, no database): Zipf-like product popularity (s = 1.05), basket sizes 1–6
// (mean ≈ 2.4), co-purchase structure from "families" of 10 products bought together more
// often. Each size runs in its own child process so that its peak RSS is its own.
//   node --import tsx bench/recommendations/speed.ts            (both sizes)
//   node --import tsx bench/recommendations/speed.ts 100000 2000 (one size, in this process)
import { spawnSync } from "node:child_process";
import { DEFAULT_ITEM_MODEL_OPTIONS, encodeItemModel, trainItemModel } from "../../app/domain/recommendationsModel";

function mulberry32(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function syntheticBaskets(orders: number, products: number, seed = 7): Int32Array[] {
  const rnd = mulberry32(seed);
  const cdf = new Float64Array(products);
  let sum = 0;
  for (let i = 0; i < products; i++) cdf[i] = sum += Math.pow(i + 1, -1.05);
  const draw = () => {
    const u = rnd() * sum;
    let lo = 0;
    let hi = products - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cdf[mid] < u) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  const sizes = [1, 1, 1, 2, 2, 3, 3, 4, 5, 6];
  const baskets: Int32Array[] = [];
  for (let o = 0; o < orders; o++) {
    const size = sizes[Math.floor(rnd() * sizes.length)];
    const set = new Set<number>();
    const first = draw();
    set.add(first);
    while (set.size < size) {
      // Half the other items from the first item's family of 10, half by popularity.
      set.add(rnd() < 0.5 ? Math.min(products - 1, first - (first % 10) + Math.floor(rnd() * 10)) : draw());
    }
    baskets.push(Int32Array.from(set));
  }
  return baskets;
}

function one(orders: number, products: number) {
  const t0 = performance.now();
  const baskets = syntheticBaskets(orders, products);
  const t1 = performance.now();
  const model = trainItemModel({ nItems: products, baskets });
  const t2 = performance.now();
  const bytes = encodeItemModel(model).length;
  const rssMb = process.resourceUsage().maxRSS / 1024;
  console.log(
    JSON.stringify({
      orders,
      products,
      easeItems: Math.min(products, DEFAULT_ITEM_MODEL_OPTIONS.easeItems),
      generateMs: Math.round(t1 - t0),
      trainMs: Math.round(t2 - t1),
      peakRssMb: Math.round(rssMb),
      modelBytes: bytes,
      neighbours: model.neighbour.length,
    }),
  );
}

if (process.argv[2]) one(Number(process.argv[2]), Number(process.argv[3]));
else
  for (const [orders, products] of [
    [100_000, 2_000],
    [1_000_000, 20_000],
  ]) {
    const r = spawnSync(process.execPath, ["--import", "tsx", import.meta.filename, String(orders), String(products)], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "inherit"],
    });
    process.stdout.write(r.stdout);
  }
