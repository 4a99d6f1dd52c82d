// The item-to-item model of the recommendations (ADR 008): "bought together" scores learned
// from baskets. Pure: baskets in, neighbour lists out.
//
// score(j | query) = prior(j) + Σ_{i ∈ query} w(i, j)
//   On the `easeItems` most-bought items: EASE (Steck 2019) with an intercept (a virtual item in
//   every basket) and dropout-style regularisation (EDLAE, Steck 2020):
//     P = (ZᵀZ + diagMat(λ + d/(1−d)·diag(ZᵀZ)))⁻¹, B = I − P·diagMat(1/diag(P)),
//   Z = baskets × (items + intercept). w(i, j) = B(i, j) when positive (negative weights are
//   dropped: measured better), prior(j) = B(intercept, j).
//   Pairs with an item outside that set: co-purchase kNN, γ · c(i,j) / (n(i)^α · n(j)^(1−α)),
//   γ matching the scale of the EASE weights (mean best weight per item).
// Only the best `neighbours` w(i, ·) of each item are kept: that is the stored model.
import { spdInverse } from "./recommendationsLinalg";

/** Baskets as item indices 0..nItems-1, each item at most once per basket. */
export interface BasketSet {
  nItems: number;
  baskets: readonly Int32Array[];
}

export interface ItemModelOptions {
  /** EASE regularisation λ (added to the Gram matrix's diagonal). */
  lambda: number;
  /** Most-bought items that get EASE weights (the rest: kNN only). 0: kNN only. */
  easeItems: number;
  /** Weight of the kNN similarity added to EASE pairs (pairs outside the EASE set use an automatic γ). */
  knnWeight: number;
  /** Exponent α of the asymmetric cosine (0.5: cosine; 1: P(j | i)). */
  knnAlpha: number;
  /** Weight β of the normalised popularity in the score. */
  popularityWeight: number;
  /** Neighbours kept per item. */
  neighbours: number;
  /** EASE with an intercept: a virtual item in every basket (and every query) whose weights become the prior. */
  intercept: boolean;
  /** Dropout-style regularisation (EDLAE): λ(i) = λ + d/(1−d) · G(i,i). 0: plain EASE. */
  dropout: number;
  /** Each basket weighs |basket|^−p in the Gram matrix (0: every basket alike). */
  basketPower: number;
}

/** The measured winner on the groceries baskets (bench/recommendations, ADR 008). */
export const DEFAULT_ITEM_MODEL_OPTIONS: ItemModelOptions = {
  lambda: 50,
  easeItems: 2500,
  knnWeight: 0,
  knnAlpha: 0.5,
  popularityWeight: 0,
  neighbours: 50,
  intercept: true,
  dropout: 0.5,
  basketPower: 0,
};

/**
 * The trained item-to-item model: for item i, its neighbours
 * `neighbour[offset[i] .. offset[i+1])` with weights `weight[...]` (best first), and the
 * popularity prior of every item.
 */
export interface ItemModel {
  nItems: number;
  /** Baskets containing each item. */
  counts: Float64Array;
  offset: Int32Array;
  neighbour: Int32Array;
  weight: Float32Array;
  /** Added to every item's score: β · normalised popularity, plus the intercept's weights. */
  prior: Float32Array;
}

/** Baskets containing each item. */
export function itemCounts(data: BasketSet): Float64Array {
  const counts = new Float64Array(data.nItems);
  for (const b of data.baskets) for (let k = 0; k < b.length; k++) counts[b[k]]++;
  return counts;
}

/** Item indices by decreasing count (ties: lower index first). */
export function itemsByCount(counts: ArrayLike<number>): Int32Array {
  const order = Int32Array.from({ length: counts.length }, (_, i) => i);
  return order.sort((a, b) => counts[b] - counts[a] || a - b);
}

/** Co-purchase counts c(i, j), i ≠ j, as one sparse row per item. */
export function cooccurrence(data: BasketSet): Map<number, number>[] {
  const rows: Map<number, number>[] = Array.from({ length: data.nItems }, () => new Map());
  for (const b of data.baskets) {
    for (let x = 0; x < b.length; x++) {
      const row = rows[b[x]];
      for (let y = 0; y < b.length; y++) {
        if (x === y) continue;
        row.set(b[y], (row.get(b[y]) ?? 0) + 1);
      }
    }
  }
  return rows;
}

/**
 * Dense Gram matrix XᵀX (m × m, row-major) of the items mapped by `column` (item → column, −1
 * when left out).
 */
export function gramMatrix(data: BasketSet, column: Int32Array, m: number, intercept = -1, basketPower = 0): Float64Array {
  const g = new Float64Array(m * m);
  const cols: number[] = [];
  for (const b of data.baskets) {
    cols.length = 0;
    if (intercept >= 0) cols.push(intercept);
    for (let k = 0; k < b.length; k++) {
      const c = column[b[k]];
      if (c >= 0) cols.push(c);
    }
    const w = basketPower === 0 ? 1 : Math.pow(b.length, -basketPower);
    for (let x = 0; x < cols.length; x++) {
      const row = cols[x] * m;
      for (let y = 0; y < cols.length; y++) g[row + cols[y]] += w;
    }
  }
  return g;
}

/**
 * EASE weights from a Gram matrix (consumed): B = I − P·diagMat(1/diag(P)), P = (G + λI)⁻¹, so
 * B(i, j) = −P(i, j) / P(j, j) off the diagonal and 0 on it. Returned row-major, m × m.
 */
export function easeFromGram(gram: Float64Array, m: number, lambda: number, dropout = 0): Float64Array {
  const d = dropout > 0 ? dropout / (1 - dropout) : 0;
  for (let i = 0; i < m; i++) gram[i * m + i] += lambda + d * gram[i * m + i];
  const p = spdInverse(gram, m);
  const diag = new Float64Array(m);
  for (let j = 0; j < m; j++) diag[j] = p[j * m + j];
  for (let i = 0; i < m; i++) {
    const r = i * m;
    for (let j = 0; j < m; j++) p[r + j] = i === j ? 0 : -p[r + j] / diag[j];
  }
  return p;
}

/** Asymmetric cosine c(i,j) / (n(i)^α · n(j)^(1−α)). */
export function knnSimilarity(cij: number, ni: number, nj: number, alpha: number): number {
  return cij / (Math.pow(ni, alpha) * Math.pow(nj, 1 - alpha));
}

/** Keeps the `k` largest positive entries of a row; returns [index, weight] best first (ties: lower index). */
function topK(indices: number[], weights: number[], k: number): [number, number][] {
  const pairs: [number, number][] = [];
  for (let t = 0; t < indices.length; t++) if (weights[t] > 0) pairs.push([indices[t], weights[t]]);
  pairs.sort((a, b) => b[1] - a[1] || a[0] - b[0]);
  return pairs.slice(0, k);
}

/**
 * γ for pairs outside the EASE set: the mean best EASE weight of an item over the mean best kNN
 * similarity of an item, on the EASE items (1 without EASE items; 0 when every item is in the set).
 */
function knnScale(
  ease: Float64Array,
  mm: number,
  m: number,
  co: Map<number, number>[],
  counts: Float64Array,
  column: Int32Array,
  alpha: number,
): number {
  if (m === 0) return 1;
  if (m === counts.filter((c) => c > 0).length) return 0;
  let easeSum = 0;
  let knnSum = 0;
  for (let i = 0; i < column.length; i++) {
    const ci = column[i];
    if (ci < 0) continue;
    let bestEase = 0;
    for (let cj = 0; cj < m; cj++) if (cj !== ci && ease[ci * mm + cj] > bestEase) bestEase = ease[ci * mm + cj];
    let bestKnn = 0;
    for (const [j, cij] of co[i]) if (column[j] >= 0) bestKnn = Math.max(bestKnn, knnSimilarity(cij, counts[i], counts[j], alpha));
    easeSum += bestEase;
    knnSum += bestKnn;
  }
  return knnSum > 0 ? easeSum / knnSum : 1;
}

export function trainItemModel(data: BasketSet, options: ItemModelOptions = DEFAULT_ITEM_MODEL_OPTIONS): ItemModel {
  const n = data.nItems;
  const counts = itemCounts(data);
  const order = itemsByCount(counts);
  let m = 0;
  while (m < Math.min(options.easeItems, n) && counts[order[m]] > 0) m++;
  const column = new Int32Array(n).fill(-1);
  for (let c = 0; c < m; c++) column[order[c]] = c;
  // With an intercept, column m is a virtual item bought in every basket.
  const mm = options.intercept && m > 0 ? m + 1 : m;
  const ease =
    m > 0
      ? easeFromGram(gramMatrix(data, column, mm, mm > m ? m : -1, options.basketPower), mm, options.lambda, options.dropout)
      : new Float64Array(0);
  const prior = new Float32Array(n);
  let maxCount = 0;
  for (let j = 0; j < n; j++) maxCount = Math.max(maxCount, counts[j]);
  if (options.popularityWeight !== 0 && maxCount > 0) for (let j = 0; j < n; j++) prior[j] = (options.popularityWeight * counts[j]) / maxCount;
  if (mm > m) for (let cj = 0; cj < m; cj++) prior[order[cj]] += ease[m * mm + cj];
  const co = cooccurrence(data);
  const gamma = knnScale(ease, mm, m, co, counts, column, options.knnAlpha);

  const offset = new Int32Array(n + 1);
  const neighbours: number[] = [];
  const weights: number[] = [];
  const idx: number[] = [];
  const w: number[] = [];
  const seen = new Map<number, number>();
  for (let i = 0; i < n; i++) {
    offset[i] = neighbours.length;
    idx.length = 0;
    w.length = 0;
    seen.clear();
    const ci = column[i];
    if (ci >= 0) {
      const r = ci * mm;
      for (let cj = 0; cj < m; cj++) {
        if (cj === ci) continue;
        const v = ease[r + cj];
        if (v === 0) continue;
        seen.set(order[cj], idx.length);
        idx.push(order[cj]);
        w.push(v);
      }
    }
    for (const [j, cij] of co[i]) {
      const inEase = ci >= 0 && column[j] >= 0;
      const factor = inEase ? options.knnWeight : gamma;
      if (factor === 0) continue;
      const s = factor * knnSimilarity(cij, counts[i], counts[j], options.knnAlpha);
      const at = seen.get(j);
      if (at === undefined) {
        seen.set(j, idx.length);
        idx.push(j);
        w.push(s);
      } else w[at] += s;
    }
    for (const [j, v] of topK(idx, w, options.neighbours)) {
      neighbours.push(j);
      weights.push(v);
    }
  }
  offset[n] = neighbours.length;
  return {
    nItems: n,
    counts,
    offset,
    neighbour: Int32Array.from(neighbours),
    weight: Float32Array.from(weights),
    prior,
  };
}

/**
 * Scores of every item for a query basket: Σ over query items of their neighbour weights, plus
 * β · normalised popularity.
 */
export function scoreQuery(model: ItemModel, query: ArrayLike<number>, into: Float64Array = new Float64Array(model.nItems)): Float64Array {
  for (let j = 0; j < model.nItems; j++) into[j] = model.prior[j];
  for (let q = 0; q < query.length; q++) {
    const i = query[q];
    for (let t = model.offset[i]; t < model.offset[i + 1]; t++) into[model.neighbour[t]] += model.weight[t];
  }
  return into;
}

/**
 * The `k` best items for a query, never an item of the query or of `exclude`; items the model
 * gives no positive score are filled in by popularity (count, then lower index).
 */
export function recommendForQuery(
  model: ItemModel,
  query: ArrayLike<number>,
  k: number,
  exclude?: ReadonlySet<number>,
  scratch?: Float64Array,
): number[] {
  const scores = scoreQuery(model, query, scratch);
  const banned = new Set<number>(exclude ?? []);
  for (let q = 0; q < query.length; q++) banned.add(query[q]);
  return topItems(scores, model.counts, k, banned);
}

/** The k items with the best score (> 0), then by popularity; ties by count then index. */
export function topItems(scores: ArrayLike<number>, counts: ArrayLike<number>, k: number, banned: ReadonlySet<number>): number[] {
  const picked: number[] = [];
  // Partial selection: keep a small sorted buffer of the best k.
  const better = (a: number, b: number) =>
    scores[a] > scores[b] || (scores[a] === scores[b] && (counts[a] > counts[b] || (counts[a] === counts[b] && a < b)));
  for (let j = 0; j < scores.length; j++) {
    if (banned.has(j) || !(scores[j] > 0 || counts[j] > 0)) continue;
    let at: number;
    if (picked.length < k) {
      picked.push(j);
      at = picked.length - 1;
    } else {
      if (k === 0 || !better(j, picked[k - 1])) continue;
      picked[k - 1] = j;
      at = k - 1;
    }
    while (at > 0 && better(picked[at], picked[at - 1])) {
      const t = picked[at];
      picked[at] = picked[at - 1];
      picked[at - 1] = t;
      at--;
    }
  }
  return picked;
}

/** Scores for a weighted query (item → weight): prior + Σ weight · w(i, ·). */
export function scoreWeightedQuery(
  model: ItemModel,
  query: ReadonlyMap<number, number>,
  into: Float64Array = new Float64Array(model.nItems),
): Float64Array {
  for (let j = 0; j < model.nItems; j++) into[j] = model.prior[j];
  for (const [i, q] of query) {
    for (let t = model.offset[i]; t < model.offset[i + 1]; t++) into[model.neighbour[t]] += q * model.weight[t];
  }
  return into;
}

/** Items by decreasing count (the popularity list), only items bought at least once. */
export function popularItems(model: ItemModel, k = model.nItems): number[] {
  return Array.from(itemsByCount(model.counts))
    .filter((i) => model.counts[i] > 0)
    .slice(0, k);
}

// Binary form stored per shop (RecommendationModel.data), little-endian:
// int32 version, int32 n, int32 nnz, int32 offset[n+1], int32 neighbour[nnz],
// float32 weight[nnz], float32 prior[n], float64 counts[n].
const FORMAT_VERSION = 1;

export function encodeItemModel(model: ItemModel): Uint8Array {
  const n = model.nItems;
  const nnz = model.neighbour.length;
  const bytes = new Uint8Array(4 * (3 + n + 1 + nnz + nnz + n) + 8 * n);
  const view = new DataView(bytes.buffer);
  let at = 0;
  const i32 = (v: number) => {
    view.setInt32(at, v, true);
    at += 4;
  };
  const f32 = (v: number) => {
    view.setFloat32(at, v, true);
    at += 4;
  };
  i32(FORMAT_VERSION);
  i32(n);
  i32(nnz);
  model.offset.forEach(i32);
  model.neighbour.forEach(i32);
  model.weight.forEach(f32);
  model.prior.forEach(f32);
  for (let j = 0; j < n; j++) {
    view.setFloat64(at, model.counts[j], true);
    at += 8;
  }
  return bytes;
}

export function decodeItemModel(bytes: Uint8Array): ItemModel {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = 0;
  const i32 = () => {
    const v = view.getInt32(at, true);
    at += 4;
    return v;
  };
  const version = i32();
  if (version !== FORMAT_VERSION) throw new Error(`unknown recommendation model format ${version}`);
  const n = i32();
  const nnz = i32();
  const offset = new Int32Array(n + 1);
  for (let j = 0; j <= n; j++) offset[j] = i32();
  const neighbour = new Int32Array(nnz);
  for (let t = 0; t < nnz; t++) neighbour[t] = i32();
  const weight = new Float32Array(nnz);
  for (let t = 0; t < nnz; t++, at += 4) weight[t] = view.getFloat32(at, true);
  const prior = new Float32Array(n);
  for (let j = 0; j < n; j++, at += 4) prior[j] = view.getFloat32(at, true);
  const counts = new Float64Array(n);
  for (let j = 0; j < n; j++, at += 8) counts[j] = view.getFloat64(at, true);
  return { nItems: n, counts, offset, neighbour, weight, prior };
}
