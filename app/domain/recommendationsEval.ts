// Offline evaluation of item-to-item recommenders (the protocol of issue #8, ADR 008): split
// baskets 80/20, hide each item of each test basket in turn, recommend k items from the rest
// (never an item of the query), count a hit when the hidden item is among them.
import { type BasketSet } from "./recommendationsModel";

/** A deterministic pseudo-random test/train split of basket indices (murmur3-style hash of index and seed). */
export function isTestBasket(index: number, seed: number, testShare: number): boolean {
  let h = Math.imul(index ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(seed | 0, 0xc2b2ae35);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return (h >>> 0) / 4294967296 < testShare;
}

export interface SplitBaskets {
  train: BasketSet;
  test: Int32Array[];
}

export function splitBaskets(data: BasketSet, seed = 1, testShare = 0.2): SplitBaskets {
  const train: Int32Array[] = [];
  const test: Int32Array[] = [];
  data.baskets.forEach((b, i) => (isTestBasket(i, seed, testShare) ? test : train).push(b));
  return { train: { nItems: data.nItems, baskets: train }, test };
}

export interface HitRate {
  /** Hidden items tried (items of test baskets with at least 2 items). */
  trials: number;
  hits: number;
  hitRate: number;
}

/**
 * Hit rate at k: every item of every test basket of 2 or more items is hidden in turn; the
 * other items are the query. Baskets of one item have no query and are skipped.
 */
export function hitRateAtK(test: readonly Int32Array[], k: number, recommend: (query: Int32Array, k: number) => ArrayLike<number>): HitRate {
  let trials = 0;
  let hits = 0;
  for (const basket of test) {
    if (basket.length < 2) continue;
    for (let h = 0; h < basket.length; h++) {
      const query = new Int32Array(basket.length - 1);
      for (let t = 0, q = 0; t < basket.length; t++) if (t !== h) query[q++] = basket[t];
      const top = recommend(query, k);
      trials++;
      for (let r = 0; r < top.length; r++) {
        if (top[r] === basket[h]) {
          hits++;
          break;
        }
      }
    }
  }
  return { trials, hits, hitRate: trials ? hits / trials : 0 };
}
