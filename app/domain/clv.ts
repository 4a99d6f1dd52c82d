// Predictive customer lifetime value: BG/NBD purchase model (Fader, Hardie & Lee 2005,
// "Counting your customers the easy way"), Gamma-Gamma spend model (Fader, Hardie & Lee
// 2005, "RFM and CLV"), discounted CLV and an expected next-order date.
//
// Units: x = repeat purchases (purchase days - 1); t_x, T and horizons are in "periods"
// (days or weeks, the caller's choice, consistent within one fit). Money is a plain number
// in the shop currency's major units; these are statistics, never persisted as floats.

import {
  digamma,
  hyp2f1,
  lbeta,
  lgamma,
  type LikelihoodWithHessian,
  logisticOfNeg,
  minimizeBfgs,
  newtonMaximize,
  standardErrorsFromHessian,
  trigamma,
} from "./stats";
import { dayNumber } from "./time";
import { encodeMessageRef, type MessageRef } from "./messageRef";

export interface BgNbdParams {
  r: number;
  alpha: number;
  a: number;
  b: number;
}

export interface GammaGammaParams {
  p: number;
  q: number;
  gamma: number;
}

/** Per-customer purchase history summary ("CBS" in BTYD). */
export interface Rft {
  /** Repeat purchases in the calibration period (purchase days - 1). */
  x: number;
  /** Periods from first to last purchase. */
  tx: number;
  /** Periods from first purchase to the end of the calibration period. */
  T: number;
}

export interface CustomerSummary extends Rft {
  customerId: string;
  /** Mean value of the repeat purchases (first purchase excluded); null when x = 0. */
  monetaryValue: number | null;
}

/** Identical (x, t_x, T) triples merged, with the number of customers in each. */
export interface GroupedRft {
  x: Float64Array;
  tx: Float64Array;
  T: Float64Array;
  weight: Float64Array;
  customers: number;
  repeatCustomers: number;
}

export function groupRft(rows: Iterable<Rft>): GroupedRft {
  const list = Array.isArray(rows) ? (rows as Rft[]) : [...rows];
  const g = groupRftArrays(
    Float64Array.from(list, (r) => r.x),
    Float64Array.from(list, (r) => r.tx),
    Float64Array.from(list, (r) => r.T),
  );
  return { x: g.x, tx: g.tx, T: g.T, weight: g.weight, customers: g.customers, repeatCustomers: g.repeatCustomers };
}

/**
 * groupRft over parallel arrays, also returning each customer's group so that predictions
 * (which depend only on x, t_x, T) are computed once per group.
 */
export function groupRftArrays(x: ArrayLike<number>, tx: ArrayLike<number>, T: ArrayLike<number>): GroupedRft & { groupOf: Int32Array } {
  const n = x.length;
  let repeat = 0;
  for (let i = 0; i < n; i++) {
    if (!(x[i] >= 0) || !(tx[i] >= 0) || !(T[i] >= tx[i])) {
      throw new RangeError(`invalid customer summary x=${x[i]} t_x=${tx[i]} T=${T[i]}: need x >= 0 and 0 <= t_x <= T`);
    }
    if (x[i] > 0) repeat++;
  }
  const { groupOf, first, weight } = groupRows([x, tx, T], n);
  const G = first.length;
  const gx = new Float64Array(G);
  const gtx = new Float64Array(G);
  const gT = new Float64Array(G);
  for (let g = 0; g < G; g++) {
    const i = first[g];
    gx[g] = x[i];
    gtx[g] = tx[i];
    gT[g] = T[i];
  }
  return {
    x: gx,
    tx: gtx,
    T: gT,
    weight,
    customers: n,
    repeatCustomers: repeat,
    groupOf,
  };
}

/**
 * Rows with identical values in every column share a group: each row's group (numbered in
 * order of first appearance), the first row of each group and the rows per group. An
 * open-addressing hash table on the values' bits: linear time, no string keys and no
 * comparison sort for 100,000+ customers. (+0 and −0 are the same value but not the same
 * bits: normalized before hashing.)
 */
function groupRows(cols: ArrayLike<number>[], n: number): { groupOf: Int32Array; first: Int32Array; weight: Float64Array } {
  const k = cols.length;
  const bits = new Float64Array(k * n);
  for (let c = 0; c < k; c++) {
    const col = cols[c];
    for (let i = 0; i < n; i++) bits[i * k + c] = col[i] === 0 ? 0 : col[i];
  }
  const words = new Int32Array(bits.buffer);
  let size = 16;
  while (size < 2 * n) size <<= 1;
  const mask = size - 1;
  const table = new Int32Array(size).fill(-1); // group number, −1 = empty
  const groupOf = new Int32Array(n);
  const first = new Int32Array(n);
  const weight = new Float64Array(n);
  let groups = 0;
  for (let i = 0; i < n; i++) {
    let h = 0x811c9dc5 | 0;
    for (let w = 2 * k * i, e = w + 2 * k; w < e; w++) h = Math.imul(h ^ words[w], 0x01000193);
    h ^= h >>> 15;
    let slot = h & mask;
    for (;;) {
      const g = table[slot];
      if (g < 0) {
        table[slot] = groups;
        first[groups] = i;
        weight[groups] = 1;
        groupOf[i] = groups++;
        break;
      }
      const r = first[g];
      let same = true;
      for (let c = 0; c < k; c++) {
        if (bits[r * k + c] !== bits[i * k + c]) {
          same = false;
          break;
        }
      }
      if (same) {
        weight[g]++;
        groupOf[i] = g;
        break;
      }
      slot = (slot + 1) & mask;
    }
  }
  return { groupOf, first: first.slice(0, groups), weight: weight.slice(0, groups) };
}

// ---------------------------------------------------------------------------------------
// BG/NBD likelihood

interface Distinct {
  values: Float64Array;
  index: Int32Array;
}

function distinct(v: Float64Array): Distinct {
  // By hashing the values' bits (groupRows): a Map keyed by 90,000 fractional numbers boxes
  // each key and costs more in garbage collection than in lookups. Same order (first
  // appearance) and values as the Map it replaces.
  const { groupOf, first } = groupRows([v], v.length);
  const values = new Float64Array(first.length);
  for (let k = 0; k < first.length; k++) values[k] = v[first[k]];
  return { values, index: groupOf };
}

/** Per-group arrays of a BG/NBD evaluator: the data and the tables of the current parameters. */
interface BgNbdTables {
  n: number;
  W: Float64Array;
  X: Float64Array;
  TIdx: Int32Array;
  xIdx: Int32Array;
  txIdx: Int32Array;
  lT: Float64Array;
  iT: Float64Array;
  ltx: Float64Array;
  itx: Float64Array;
  lbx1: Float64Array;
  ibx1: Float64Array;
}

// The two per-group loops of the BG/NBD evaluator are functions of their own: V8 compiles
// each alone and early (small, called at every evaluation), instead of recompiling the whole
// evaluator, special functions inlined, after each change of its type feedback. Same
// arithmetic, in the same order.

/** Adds the groups' terms to acc = [ll, ∂r, ∂α, Σ w·wt, ∂b] (the gradient's only when `grad`). */
function bgNbdGroupPass(t: BgNbdTables, r: number, la: number, grad: boolean, acc: Float64Array): void {
  const { n, W, X, TIdx, xIdx, txIdx, lT, iT, ltx, itx, lbx1, ibx1 } = t;
  let ll = acc[0];
  let gR = acc[1];
  let gAl = acc[2];
  let gA = acc[3];
  let gB = acc[4];
  for (let i = 0; i < n; i++) {
    const w = W[i];
    const x = X[i];
    const kT = TIdx[i];
    const rx = r + x;
    const lTk = lT[kT];
    if (x > 0) {
      const kx = xIdx[i];
      const ktx = txIdx[i];
      const ltxk = ltx[ktx];
      const A3 = -rx * lTk;
      const A4 = la - lbx1[kx] - rx * ltxk;
      // ln(e^A3 + e^A4) and the share of the second term, wt = e^A4 / (e^A3 + e^A4).
      let lse: number;
      let wt: number;
      if (A4 > A3) {
        const e = Math.exp(A3 - A4);
        lse = A4 + Math.log1p(e);
        wt = 1 / (1 + e);
      } else {
        const e = Math.exp(A4 - A3);
        lse = A3 + Math.log1p(e);
        wt = e / (1 + e);
      }
      ll += w * lse;
      if (grad) {
        const u = 1 - wt;
        gR -= w * (u * lTk + wt * ltxk);
        gAl -= w * rx * (u * iT[kT] + wt * itx[ktx]);
        gA += w * wt;
        gB -= w * wt * ibx1[kx];
      }
    } else {
      ll -= w * rx * lTk;
      if (grad) {
        gR -= w * lTk;
        gAl -= w * rx * iT[kT];
      }
    }
  }
  acc[0] = ll;
  acc[1] = gR;
  acc[2] = gAl;
  acc[3] = gA;
  acc[4] = gB;
}

/** The groups' part of the Hessian: hacc = [rr, rα, ra, rb, αα, αa, αb, aa, ab, bb, Σ w]. */
function bgNbdHessianPass(t: BgNbdTables, r: number, la: number, ia: number, hacc: Float64Array): void {
  const { n, W, X, TIdx, xIdx, txIdx, lT, iT, ltx, itx, lbx1, ibx1 } = t;
  let hRR = 0;
  let hRAl = 0;
  let hRA = 0;
  let hRB = 0;
  let hAlAl = 0;
  let hAlA = 0;
  let hAlB = 0;
  let hAA = 0;
  let hAB = 0;
  let hBB = 0;
  let total = 0;
  for (let i = 0; i < n; i++) {
    const w = W[i];
    const x = X[i];
    const kT = TIdx[i];
    const rx = r + x;
    total += w;
    if (x > 0) {
      const kx = xIdx[i];
      const ktx = txIdx[i];
      const A3 = -rx * lT[kT];
      const A4 = la - lbx1[kx] - rx * ltx[ktx];
      const e = Math.exp(-Math.abs(A4 - A3));
      const wt = A4 > A3 ? 1 / (1 + e) : e / (1 + e);
      const u = A4 > A3 ? e / (1 + e) : 1 / (1 + e);
      const dr = lT[kT] - ltx[ktx];
      const dAl = rx * (iT[kT] - itx[ktx]);
      const db = -ibx1[kx];
      const c = w * wt * u;
      hRR += c * dr * dr;
      hRAl += c * dr * dAl - w * (u * iT[kT] + wt * itx[ktx]);
      hRA += c * dr * ia;
      hRB += c * dr * db;
      hAlAl += c * dAl * dAl + w * rx * (u * iT[kT] * iT[kT] + wt * itx[ktx] * itx[ktx]);
      hAlA += c * dAl * ia;
      hAlB += c * dAl * db;
      hAA -= w * wt * wt * ia * ia;
      hAB += c * ia * db;
      hBB += w * wt * (1 + u) * db * db;
    } else {
      hRAl -= w * iT[kT];
      hAlAl += w * rx * iT[kT] * iT[kT];
    }
  }
  hacc[0] = hRR;
  hacc[1] = hRAl;
  hacc[2] = hRA;
  hacc[3] = hRB;
  hacc[4] = hAlAl;
  hacc[5] = hAlA;
  hacc[6] = hAlB;
  hacc[7] = hAA;
  hacc[8] = hAB;
  hacc[9] = hBB;
  hacc[10] = total;
}

/**
 * Log-likelihood and gradient (w.r.t. r, alpha, a, b) of the BG/NBD model over grouped data.
 * Per customer (FHL 2005 eq. 6, in log space):
 *   ln L = lnΓ(r+x) − lnΓ(r) + r ln α + ln B(a, b+x) − ln B(a, b)
 *          + ln[ (α+T)^−(r+x) + 1{x>0} · a/(b+x−1) · (α+t_x)^−(r+x) ]
 * Terms that depend only on x are computed once per distinct x, ln(α+T) once per distinct T.
 */
function makeBgNbdEvaluator(data: GroupedRft) {
  const dx = distinct(data.x);
  const dT = distinct(data.T);
  const dtx = distinct(data.tx);
  const nx = dx.values.length;
  const wx = new Float64Array(nx); // total weight per distinct x
  for (let i = 0; i < data.x.length; i++) wx[dx.index[i]] += data.weight[i];
  const lT = new Float64Array(dT.values.length);
  const iT = new Float64Array(dT.values.length);
  const ltx = new Float64Array(dtx.values.length);
  const itx = new Float64Array(dtx.values.length);
  const cx = new Float64Array(nx); // per-x constant of the log-likelihood
  const lbx1 = new Float64Array(nx); // ln(b + x − 1)
  const ibx1 = new Float64Array(nx);
  const n = data.x.length;
  const X = data.x;
  const W = data.weight;
  const xIdx = dx.index;
  const TIdx = dT.index;
  const txIdx = dtx.index;
  const tables: BgNbdTables = { n, W, X, TIdx, xIdx, txIdx, lT, iT, ltx, itx, lbx1, ibx1 };
  const acc = new Float64Array(5);
  const hacc = new Float64Array(11);

  function evaluate(p: BgNbdParams, grad: number[] | null): number {
    const { r, alpha, a, b } = p;
    if (!(r > 0 && alpha > 0 && a > 0 && b > 0) || !Number.isFinite(r + alpha + a + b)) return NaN;
    const la = Math.log(a);
    const lalpha = Math.log(alpha);
    const lgr = lgamma(r);
    const lgb = lgamma(b);
    const lgab = lgamma(a + b);
    for (let k = 0; k < dT.values.length; k++) {
      lT[k] = Math.log(alpha + dT.values[k]);
      iT[k] = 1 / (alpha + dT.values[k]);
    }
    for (let k = 0; k < dtx.values.length; k++) {
      ltx[k] = Math.log(alpha + dtx.values[k]);
      itx[k] = 1 / (alpha + dtx.values[k]);
    }
    let ll = 0;
    let gR = 0;
    let gAl = 0;
    let gA = 0; // Σ w·wt, divided by a at the end
    let gA0 = 0;
    let gB = 0;
    const psiR = grad ? digamma(r) : 0;
    const psiB = grad ? digamma(b) : 0;
    const psiAB = grad ? digamma(a + b) : 0;
    for (let k = 0; k < nx; k++) {
      const x = dx.values[k];
      cx[k] = lgamma(r + x) - lgr + r * lalpha + lgab + lgamma(b + x) - lgb - lgamma(a + b + x);
      ll += wx[k] * cx[k];
      if (x > 0) {
        lbx1[k] = Math.log(b + x - 1);
        ibx1[k] = 1 / (b + x - 1);
      }
      if (grad) {
        gR += wx[k] * (digamma(r + x) - psiR + lalpha);
        gAl += (wx[k] * r) / alpha;
        const psiABX = digamma(a + b + x);
        gA0 += wx[k] * (psiAB - psiABX);
        gB += wx[k] * (psiAB + digamma(b + x) - psiB - psiABX);
      }
    }
    acc[0] = ll;
    acc[1] = gR;
    acc[2] = gAl;
    acc[3] = gA;
    acc[4] = gB;
    bgNbdGroupPass(tables, r, la, grad !== null, acc);
    ll = acc[0];
    gR = acc[1];
    gAl = acc[2];
    gA = acc[3];
    gB = acc[4];
    if (grad) {
      gA = gA0 + gA / a;
      grad[0] = gR;
      grad[1] = gAl;
      grad[2] = gA;
      grad[3] = gB;
    }
    return ll;
  }

  /**
   * The log-likelihood, its gradient and its Hessian in (r, α, a, b), in one pass (Newton's
   * method). Per customer, with u and wt the shares of the two terms of the log-sum-exp and
   * d = ∇A4 − ∇A3: ∇²lse = u·∇²A3 + wt·∇²A4 + u·wt·d dᵀ.
   */
  function withHessian(p: BgNbdParams): LikelihoodWithHessian {
    // −0, not 0: an array of doubles from the start, as evaluate's other gradient arrays (an
    // array of small integers has another shape, and V8's compiled evaluate would give up).
    const g = [-0, -0, -0, -0];
    const f = evaluate(p, g);
    const H = [0, 1, 2, 3].map(() => [0, 0, 0, 0]);
    if (!Number.isFinite(f)) return { f, g, H };
    const { r, alpha, a, b } = p;
    // lT, iT, ltx, itx, lbx1, ibx1 hold p's values (evaluate just filled them).
    const la = Math.log(a);
    const ia = 1 / a;
    bgNbdHessianPass(tables, r, la, ia, hacc);
    let hRR = hacc[0];
    let hRAl = hacc[1];
    const hRA = hacc[2];
    const hRB = hacc[3];
    let hAlAl = hacc[4];
    const hAlA = hacc[5];
    const hAlB = hacc[6];
    let hAA = hacc[7];
    let hAB = hacc[8];
    let hBB = hacc[9];
    const total = hacc[10];
    // r ln α, and the terms that depend on x alone.
    hRAl += total / alpha;
    hAlAl -= (total * r) / (alpha * alpha);
    const t1R = trigamma(r);
    const t1B = trigamma(b);
    const t1AB = trigamma(a + b);
    for (let k = 0; k < nx; k++) {
      const x = dx.values[k];
      const t1ABX = trigamma(a + b + x);
      hRR += wx[k] * (trigamma(r + x) - t1R);
      hAA += wx[k] * (t1AB - t1ABX);
      hAB += wx[k] * (t1AB - t1ABX);
      hBB += wx[k] * (t1AB + trigamma(b + x) - t1B - t1ABX);
    }
    const rows = [
      [hRR, hRAl, hRA, hRB],
      [hRAl, hAlAl, hAlA, hAlB],
      [hRA, hAlA, hAA, hAB],
      [hRB, hAlB, hAB, hBB],
    ];
    return { f, g, H: rows };
  }

  return { evaluate, withHessian };
}

/** BG/NBD log-likelihood of the data (sum over customers). */
export function bgnbdLogLikelihood(params: BgNbdParams, data: GroupedRft | Iterable<Rft>): number {
  const grouped = isGrouped(data) ? data : groupRft(data);
  return makeBgNbdEvaluator(grouped).evaluate(params, null);
}

/** BG/NBD log-likelihood with its gradient and Hessian in (r, α, a, b) (Newton's method, tests). */
export function bgnbdLikelihoodDerivatives(params: BgNbdParams, data: GroupedRft | Iterable<Rft>): LikelihoodWithHessian {
  return makeBgNbdEvaluator(isGrouped(data) ? data : groupRft(data)).withHessian(params);
}

function isGrouped(d: GroupedRft | Iterable<Rft>): d is GroupedRft {
  return (d as GroupedRft).weight instanceof Float64Array;
}

export interface BgNbdFit {
  params: BgNbdParams;
  logLikelihood: number;
  standardErrors: Record<keyof BgNbdParams, number | null>;
  customers: number;
  repeatCustomers: number;
  converged: boolean;
  iterations: number;
}

/** BFGS gradient tolerance (relative to |LL|) of fits that Newton's method finishes. */
const POLISHED_GRAD_TOL = 1e-8;

const LOG_BOUND = 30; // |ln θ| above this is treated as outside the domain (θ ∈ [1e-13, 1e13])

/**
 * Maximum-likelihood fit of r, α, a, b. BFGS on log-parameters with the analytic gradient,
 * started from several points; the best optimum wins. Standard errors come from the inverse
 * of the numerical Hessian (central differences of the analytic gradient) of −LL.
 */
export interface BgNbdFitOptions {
  /**
   * A point near the optimum (the same shop's latest fit, for its backtest): one descent from
   * it, and the usual starting points only if that descent fails.
   */
  start?: BgNbdParams;
  /** Above this many (x, t_x, T) groups the starting points race on a sample (default 20,000). */
  sampleStartsAboveGroups?: number;
}

const SAMPLE_STARTS_ABOVE_GROUPS = 20_000;
const SAMPLE_GROUPS = 10_000;

/** −LL of the BG/NBD model on log-parameters, with its gradient (what BFGS minimises). */
function bgNbdObjective(grouped: GroupedRft, evaluator = makeBgNbdEvaluator(grouped)) {
  const { evaluate } = evaluator;
  const g4 = [-0, -0, -0, -0]; // doubles from the start (see withHessian)
  return (theta: number[], grad: number[]): number => {
    for (const t of theta) if (!(Math.abs(t) <= LOG_BOUND)) return Infinity;
    const p = { r: Math.exp(theta[0]), alpha: Math.exp(theta[1]), a: Math.exp(theta[2]), b: Math.exp(theta[3]) };
    const ll = evaluate(p, g4);
    grad[0] = -g4[0] * p.r;
    grad[1] = -g4[1] * p.alpha;
    grad[2] = -g4[2] * p.a;
    grad[3] = -g4[3] * p.b;
    return -ll;
  };
}

/** Every k-th group, weights kept: its optimum lies near the whole data's, at a fraction of the cost. */
function sampleGroups(grouped: GroupedRft, size: number): GroupedRft {
  const step = Math.ceil(grouped.x.length / size);
  const n = Math.ceil(grouped.x.length / step);
  const pick = (v: Float64Array) => Float64Array.from({ length: n }, (_, i) => v[i * step]);
  const sample = { x: pick(grouped.x), tx: pick(grouped.tx), T: pick(grouped.T), weight: pick(grouped.weight), customers: 0, repeatCustomers: 0 };
  for (let i = 0; i < n; i++) {
    sample.customers += sample.weight[i];
    if (sample.x[i] > 0) sample.repeatCustomers += sample.weight[i];
  }
  return sample;
}

export function fitBgNbd(data: GroupedRft | Iterable<Rft>, options: BgNbdFitOptions = {}): BgNbdFit {
  const grouped = isGrouped(data) ? data : groupRft(data);
  if (grouped.customers === 0) throw new RangeError("fitBgNbd: no customers");
  // One evaluator (its per-value tables) for Newton's method and, when needed, BFGS.
  const evaluator = makeBgNbdEvaluator(grouped);
  const { withHessian } = evaluator;
  const objective = bgNbdObjective(grouped, evaluator);
  // Starting points: the purchase rate r/α is set near the observed repeat rate.
  let sumX = 0;
  let sumT = 0;
  for (let i = 0; i < grouped.x.length; i++) {
    sumX += grouped.x[i] * grouped.weight[i];
    sumT += grouped.T[i] * grouped.weight[i];
  }
  const rate = Math.max(sumX, 0.1 * grouped.customers) / Math.max(sumT, 1e-9);
  const starts: BgNbdParams[] = [
    { r: 1, alpha: 1 / rate, a: 1, b: 1 },
    { r: 0.5, alpha: 0.5 / rate, a: 0.5, b: 3 },
    { r: 2, alpha: 2 / rate, a: 2, b: 10 },
    { r: 1, alpha: 1, a: 1, b: 1 },
  ];
  const theta = (s: BgNbdParams) => [Math.log(s.r), Math.log(s.alpha), Math.log(s.a), Math.log(s.b)];
  // On many groups, the starting points race on a sample; the whole data then needs one
  // Newton climb from the sample's optimum (below).
  let start = options.start;
  if (!start && grouped.x.length > (options.sampleStartsAboveGroups ?? SAMPLE_STARTS_ABOVE_GROUPS)) {
    const located = multiStart(bgNbdObjective(sampleGroups(grouped, SAMPLE_GROUPS)), starts.map(theta), 1e-6);
    if (located?.converged)
      start = { r: Math.exp(located.theta[0]), alpha: Math.exp(located.theta[1]), a: Math.exp(located.theta[2]), b: Math.exp(located.theta[3]) };
  }
  // From a point near the optimum (a previous fit, or the sample's optimum), Newton's method
  // with the analytic Hessian lands on the whole data's optimum in a few passes.
  const toParams = (v: number[]): BgNbdParams => ({ r: v[0], alpha: v[1], a: v[2], b: v[3] });
  const climb = (from: BgNbdParams) => newtonMaximize((v) => withHessian(toParams(v)), [from.r, from.alpha, from.a, from.b]);
  let fit = start ? climb(start) : null;
  let iterations = fit?.iterations ?? 0;
  let converged = fit !== null;
  if (!fit) {
    // Otherwise BFGS on the log-parameters, to a 1e-8 gradient (near the optimum its line search
    // fights rounding), then Newton: from the start if there is one (an optimum running off to
    // infinity, where Newton cannot go, stays a single descent), else from the usual points.
    let best: ReturnType<typeof multiStart> = null;
    if (start) {
      const res = minimizeBfgs(objective, theta(start), { gradTol: POLISHED_GRAD_TOL });
      if (Number.isFinite(res.fx) && res.converged) best = { theta: res.x, f: res.fx, it: res.iterations, converged: true };
    }
    best ??= multiStart(objective, starts.map(theta), POLISHED_GRAD_TOL);
    if (!best) throw new Error("fitBgNbd: the likelihood could not be evaluated at any starting point");
    const x = best.theta.map(Math.exp);
    const climbed = climb(toParams(x));
    converged = best.converged || climbed !== null;
    fit = climbed ?? { x, f: -best.f, H: withHessian(toParams(x)).H, iterations: 0 };
    iterations = best.it + fit.iterations;
  }
  const params = toParams(fit.x);
  const se = standardErrorsFromHessian(negated(fit.H));
  return {
    params,
    logLikelihood: fit.f,
    standardErrors: { r: se[0], alpha: se[1], a: se[2], b: se[3] },
    customers: grouped.customers,
    repeatCustomers: grouped.repeatCustomers,
    converged,
    iterations,
  };
}

/** −H: the Hessian of −LL, whose inverse is the covariance of the estimates. */
function negated(H: number[][]): number[][] {
  return H.map((row) => row.map((v) => -v));
}

/**
 * Runs BFGS from several starting points. When the first two converge to the same optimum
 * (the usual case) the others are skipped; otherwise all are tried and the best wins.
 */
function multiStart(
  objective: (theta: number[], grad: number[]) => number,
  starts: number[][],
  gradTol?: number,
): { theta: number[]; f: number; it: number; converged: boolean } | null {
  let best: { theta: number[]; f: number; it: number; converged: boolean } | null = null;
  let agreeing = 0;
  for (const s of starts) {
    const res = minimizeBfgs(objective, s, { gradTol });
    if (!Number.isFinite(res.fx)) continue;
    if (best && res.converged && best.converged && Math.abs(res.fx - best.f) <= 1e-7 * Math.max(1, Math.abs(best.f))) {
      agreeing++;
    }
    if (!best || res.fx < best.f) best = { theta: res.x, f: res.fx, it: res.iterations, converged: res.converged };
    if (agreeing >= 1) break;
  }
  return best;
}

// ---------------------------------------------------------------------------------------
// BG/NBD predictions

/** ln of the odds "dropped out after the last purchase" : "still alive" (−Infinity when x = 0). */
function logDeadOdds(p: BgNbdParams, x: number, tx: number, T: number): number {
  if (x <= 0) return -Infinity;
  return Math.log(p.a) - Math.log(p.b + x - 1) + (p.r + x) * (Math.log(p.alpha + T) - Math.log(p.alpha + tx));
}

/** P(alive | x, t_x, T) (FHL 2005 eq. 11 / Fader, Hardie & Lee note). Always 1 when x = 0. */
export function probabilityAlive(p: BgNbdParams, x: number, tx: number, T: number): number {
  return logisticOfNeg(logDeadOdds(p, x, tx, T));
}

// a = 1 makes (a−1) vanish in a 0/0 way; the function is continuous there, so step aside.
function safeA(a: number): number {
  return Math.abs(a - 1) < 1e-7 ? 1 + 1e-7 : a;
}

/**
 * Expected purchases in (T, T + t] given x, t_x, T (FHL 2005 eq. 10):
 *   E = (a+b+x−1)/(a−1) · [1 − ((α+T)/(α+T+t))^(r+x) · 2F1(r+x, b+x; a+b+x−1; z)] / (1 + odds)
 * with z = t/(α+T+t). Euler's transformation 2F1(A,B;C;z) = (1−z)^(C−A−B) 2F1(C−A, C−B; C; z)
 * turns the bracket into 1 − (1−z)^(a−1) · 2F1(a+b−1−r, a−1; a+b+x−1; z), whose parameters
 * do not grow with x: no overflow for heavy buyers.
 */
export function conditionalExpectedPurchases(p: BgNbdParams, t: number, x: number, tx: number, T: number): number {
  if (!(t > 0)) return 0;
  return aliveTimes(expectedPurchasesIfAlive(p, t, x, T), logisticOfNeg(logDeadOdds(p, x, tx, T)));
}

/** The part of conditionalExpectedPurchases before the P(alive) factor: it does not depend on t_x. */
function expectedPurchasesIfAlive(p: BgNbdParams, t: number, x: number, T: number): number {
  const a = safeA(p.a);
  let c = a + p.b + x - 1;
  if (Math.abs(c) < 1e-9) c = 1e-9;
  const z = t / (p.alpha + T + t);
  const f = hyp2f1(a + p.b - 1 - p.r, a - 1, c, z);
  const bracket = 1 - Math.exp((a - 1) * Math.log1p(-z)) * f;
  return (c / (a - 1)) * bracket;
}

function aliveTimes(ifAlive: number, pAlive: number): number {
  const res = ifAlive * pAlive;
  return Number.isFinite(res) && res > 0 ? res : 0;
}

/** Unconditional E[X(t)] for a customer who just made a first purchase (FHL 2005 eq. 9). */
export function expectedPurchases(p: BgNbdParams, t: number): number {
  return conditionalExpectedPurchases(p, t, 0, 0, 0);
}

/** P(X(t) = n): probability of exactly n purchases in (0, t] for a new customer (FHL 2005 eq. 8). */
export function probabilityOfPurchases(p: BgNbdParams, n: number, t: number): number {
  if (!Number.isInteger(n) || n < 0) return 0;
  if (!(t > 0)) return n === 0 ? 1 : 0;
  const { r, alpha, a, b } = p;
  const lp0 = r * (Math.log(alpha) - Math.log(alpha + t)); // ln (α/(α+t))^r
  const lz = Math.log(t) - Math.log(alpha + t); // ln t/(α+t)
  const lbab = lbeta(a, b);
  const first = Math.exp(lbeta(a, b + n) - lbab + lgamma(r + n) - lgamma(r) - lgamma(n + 1) + lp0 + n * lz);
  if (n === 0) return clamp01(first);
  // 1 − Σ_{j<n} NBD(j): computed as the upper tail directly when the head is small.
  let head = 0;
  let lterm = lp0; // j = 0
  for (let j = 0; j < n; j++) {
    if (j > 0) lterm += Math.log(r + j - 1) - Math.log(j) + lz;
    head += Math.exp(lterm);
  }
  const tail = Math.max(0, 1 - head);
  const second = Math.exp(lbeta(a + 1, b + n - 1) - lbab) * tail;
  return clamp01(first + second);
}

function clamp01(v: number): number {
  return Number.isFinite(v) ? Math.min(1, Math.max(0, v)) : 0;
}

/**
 * P(at least one purchase in (T, T + t] | x, t_x, T). In the BG/NBD a customer can only drop
 * out right after a purchase, so with λ | alive ~ Gamma(r+x, α+T):
 *   P = P(alive) · [1 − ((α+T)/(α+T+t))^(r+x)].
 */
export function probabilityOfPurchaseWithin(p: BgNbdParams, t: number, x: number, tx: number, T: number): number {
  if (!(t > 0)) return 0;
  const pa = probabilityAlive(p, x, tx, T);
  const none = Math.exp(-(p.r + x) * Math.log1p(t / (p.alpha + T)));
  return pa * (1 - none);
}

/**
 * Expected next order, in periods after T: the median waiting time, i.e. the t at which
 * P(at least one purchase in (T, T + t]) reaches `probability` (default 0.5). Closed form
 *   t = (α+T) · [(1 − probability / P(alive))^(−1/(r+x)) − 1].
 * Null when P(alive) ≤ probability (the customer is more likely than not never to order
 * again) or when t exceeds `maxPeriods` (default: no limit).
 */
export function expectedNextOrderPeriods(
  p: BgNbdParams,
  x: number,
  tx: number,
  T: number,
  opts: { probability?: number; maxPeriods?: number } = {},
): number | null {
  const prob = opts.probability ?? 0.5;
  const pa = probabilityAlive(p, x, tx, T);
  if (!(pa > prob)) return null;
  const t = (p.alpha + T) * Math.expm1(-Math.log1p(-prob / pa) / (p.r + x));
  if (!Number.isFinite(t) || t > (opts.maxPeriods ?? Infinity)) return null;
  return t;
}

/** Default horizon for next-order dates: beyond two years a "date" is not useful to a merchant. */
export const NEXT_ORDER_MAX_DAYS = 730;

/**
 * Expected next order date: `asOf` (the end of the observed period, T) plus the median
 * waiting time of expectedNextOrderPeriods, with periods of `periodDays` days.
 * Null when the customer is unlikely to buy again or the date is more than `maxDays` away.
 */
export function expectedNextOrderDate(
  p: BgNbdParams,
  c: Rft,
  asOf: Date,
  periodDays: number,
  opts: { probability?: number; maxDays?: number } = {},
): Date | null {
  const t = expectedNextOrderPeriods(p, c.x, c.tx, c.T, {
    probability: opts.probability,
    maxPeriods: (opts.maxDays ?? NEXT_ORDER_MAX_DAYS) / periodDays,
  });
  return t === null ? null : new Date(asOf.getTime() + t * periodDays * 86_400_000);
}

// ---------------------------------------------------------------------------------------
// Gamma-Gamma spend model

export interface SpendRow {
  /** Number of repeat purchases the mean is over. */
  x: number;
  /** Mean value of those repeat purchases. */
  monetaryValue: number | null;
}

export interface GammaGammaFit {
  params: GammaGammaParams;
  logLikelihood: number;
  standardErrors: Record<keyof GammaGammaParams, number | null>;
  /** Customers used: x > 0 and a positive, finite mean value. */
  customers: number;
  converged: boolean;
}

/**
 * Fits p, q, γ on customers with repeat purchases. Per customer with mean m over x purchases:
 *   ln L = lnΓ(px+q) − lnΓ(px) − lnΓ(q) + q ln γ + (px−1) ln m + px ln x − (px+q) ln(γ + m x)
 * Customers with x = 0 or a non-positive mean carry no information about spend and are skipped.
 */
export function fitGammaGamma(rows: Iterable<SpendRow>): GammaGammaFit {
  // Sufficient statistics: customers with the same (x, m) contribute identical terms, so
  // they are merged with a weight (many share x = 1 and a common order value).
  const pairs: number[] = [];
  for (const row of rows) {
    const m = row.monetaryValue;
    if (row.x > 0 && m !== null && m > 0 && Number.isFinite(m)) pairs.push(row.x, m);
  }
  return fitGammaGammaGrouped(groupSpend(pairs));
}

/** Identical (x, m) spend rows merged, with the number of customers in each. */
export interface GroupedSpend {
  x: Float64Array;
  m: Float64Array;
  weight: Float64Array;
  customers: number;
}

/** Groups flat [x0, m0, x1, m1, …] pairs (x > 0, m > 0) by identical (x, m). */
export function groupSpend(pairs: ArrayLike<number>): GroupedSpend {
  const n = pairs.length >> 1;
  const xs = new Float64Array(n);
  const ms = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    xs[i] = pairs[2 * i];
    ms[i] = pairs[2 * i + 1];
  }
  const { first, weight } = groupRows([xs, ms], n);
  const G = first.length;
  const gx = new Float64Array(G);
  const gm = new Float64Array(G);
  for (let g = 0; g < G; g++) {
    gx[g] = xs[first[g]];
    gm[g] = ms[first[g]];
  }
  return { x: gx, m: gm, weight, customers: n };
}

// The per-group loops of the Gamma-Gamma evaluator, as functions of their own (see the
// BG/NBD passes): same sums in the same order.

/** sums = [Σ w ln(γ+mx), Σ wx ln(γ+mx), Σ w/(γ+mx), Σ wx/(γ+mx)] (the last two only when `inverses`). */
function spendLogPass(G: number, g: number, mx: Float64Array, W: Float64Array, wx: Float64Array, inverses: boolean, sums: Float64Array): void {
  let sL = 0;
  let sXL = 0;
  let sI = 0;
  let sXI = 0;
  for (let i = 0; i < G; i++) {
    const d = g + mx[i];
    const l = Math.log(d);
    sL += W[i] * l;
    sXL += wx[i] * l;
    if (inverses) {
      const inv = 1 / d;
      sI += W[i] * inv;
      sXI += wx[i] * inv;
    }
  }
  sums[0] = sL;
  sums[1] = sXL;
  sums[2] = sI;
  sums[3] = sXI;
}

/** sums = [Σ w/(γ+mx), Σ wx/(γ+mx), Σ w/(γ+mx)², Σ wx/(γ+mx)²]. */
function spendInversePass(G: number, g: number, mx: Float64Array, W: Float64Array, wx: Float64Array, sums: Float64Array): void {
  let sI = 0;
  let sXI = 0;
  let sI2 = 0;
  let sXI2 = 0;
  for (let i = 0; i < G; i++) {
    const inv = 1 / (g + mx[i]);
    sI += W[i] * inv;
    sXI += wx[i] * inv;
    sI2 += W[i] * inv * inv;
    sXI2 += wx[i] * inv * inv;
  }
  sums[0] = sI;
  sums[1] = sXI;
  sums[2] = sI2;
  sums[3] = sXI2;
}

/**
 * Log-likelihood and gradient (w.r.t. p, q, γ) of the Gamma-Gamma model over grouped spend.
 * Terms that depend on x alone are summed per distinct x; per group only ln(γ + m x) remains.
 */
function makeGammaGammaEvaluator(data: GroupedSpend) {
  const xs = data.x;
  const ms = data.m;
  const W = data.weight;
  const G = xs.length;
  const n = data.customers;
  // Customers per distinct x, the x in order of first appearance.
  const dx = distinct(xs);
  const ux = dx.values;
  const nx = new Float64Array(ux.length);
  for (let i = 0; i < G; i++) nx[dx.index[i]] += W[i];
  const mx = new Float64Array(G);
  const wx = new Float64Array(G);
  const sums = new Float64Array(4);
  let sumXlnM = 0;
  let sumLnM = 0;
  for (let i = 0; i < G; i++) {
    mx[i] = ms[i] * xs[i];
    wx[i] = xs[i] * W[i];
    const l = Math.log(ms[i]);
    sumXlnM += wx[i] * l;
    sumLnM += W[i] * l;
  }
  const evaluate = (p: number, q: number, g: number, grad: number[] | null): number => {
    if (!(p > 0 && q > 0 && g > 0)) return NaN;
    const lg = Math.log(g);
    let ll = n * (q * lg - lgamma(q)) + p * sumXlnM - sumLnM;
    let gp = sumXlnM;
    let gq = n * (lg - (grad ? digamma(q) : 0));
    for (let k = 0; k < ux.length; k++) {
      const x = ux[k];
      const px = p * x;
      const lx = Math.log(x);
      ll += nx[k] * (lgamma(px + q) - lgamma(px) + px * lx);
      if (grad) {
        const psiPQ = digamma(px + q);
        gp += nx[k] * x * (psiPQ - digamma(px) + lx);
        gq += nx[k] * psiPQ;
      }
    }
    spendLogPass(G, g, mx, W, wx, grad !== null, sums);
    const sL = sums[0];
    const sXL = sums[1];
    const sI = sums[2];
    const sXI = sums[3];
    ll -= p * sXL + q * sL;
    if (grad) {
      grad[0] = gp - sXL;
      grad[1] = gq - sL;
      grad[2] = (n * q) / g - (p * sXI + q * sI);
    }
    return ll;
  };

  /** The log-likelihood, its gradient and its Hessian in (p, q, γ) (Newton's method). */
  const withHessian = (p: number, q: number, g: number): LikelihoodWithHessian => {
    const grad = [-0, -0, -0]; // doubles from the start (see the BG/NBD withHessian)
    const f = evaluate(p, q, g, grad);
    if (!Number.isFinite(f)) return { f, g: grad, H: [0, 1, 2].map(() => [0, 0, 0]) };
    spendInversePass(G, g, mx, W, wx, sums);
    const sI = sums[0];
    const sXI = sums[1];
    const sI2 = sums[2];
    const sXI2 = sums[3];
    let hPP = 0;
    let hPQ = 0;
    let hQQ = -n * trigamma(q);
    for (let k = 0; k < ux.length; k++) {
      const x = ux[k];
      const t1 = trigamma(p * x + q);
      hPP += nx[k] * x * x * (t1 - trigamma(p * x));
      hPQ += nx[k] * x * t1;
      hQQ += nx[k] * t1;
    }
    const hPG = -sXI;
    const hQG = n / g - sI;
    const hGG = (-n * q) / (g * g) + p * sXI2 + q * sI2;
    return {
      f,
      g: grad,
      H: [
        [hPP, hPQ, hPG],
        [hPQ, hQQ, hQG],
        [hPG, hQG, hGG],
      ],
    };
  };

  return { evaluate, withHessian };
}

/** −LL of the Gamma-Gamma model on log-parameters, with its gradient (what BFGS minimises). */
function gammaGammaObjective(data: GroupedSpend, evaluator = makeGammaGammaEvaluator(data)) {
  const { evaluate } = evaluator;
  const g3 = [-0, -0, -0]; // doubles from the start
  return (theta: number[], grad: number[]): number => {
    for (const t of theta) if (!(Math.abs(t) <= LOG_BOUND)) return Infinity;
    const p = Math.exp(theta[0]);
    const q = Math.exp(theta[1]);
    const g = Math.exp(theta[2]);
    const ll = evaluate(p, q, g, g3);
    grad[0] = -g3[0] * p;
    grad[1] = -g3[1] * q;
    grad[2] = -g3[2] * g;
    return -ll;
  };
}

/** Gamma-Gamma log-likelihood with its gradient and Hessian in (p, q, γ) (Newton's method, tests). */
export function gammaGammaLikelihoodDerivatives(params: GammaGammaParams, data: GroupedSpend): LikelihoodWithHessian {
  return makeGammaGammaEvaluator(data).withHessian(params.p, params.q, params.gamma);
}

/** Every k-th spend group, weights kept (as sampleGroups for BG/NBD). */
function sampleSpend(data: GroupedSpend, size: number): GroupedSpend {
  const step = Math.ceil(data.x.length / size);
  const n = Math.ceil(data.x.length / step);
  const pick = (v: Float64Array) => Float64Array.from({ length: n }, (_, i) => v[i * step]);
  const weight = pick(data.weight);
  return { x: pick(data.x), m: pick(data.m), weight, customers: weight.reduce((s, w) => s + w, 0) };
}

/** fitGammaGamma on grouped rows (each group's terms weighted by its customer count). */
export function fitGammaGammaGrouped(data: GroupedSpend, options: { sampleStartsAboveGroups?: number } = {}): GammaGammaFit {
  const n = data.customers;
  if (n === 0) throw new RangeError("fitGammaGamma: no customers with repeat purchases and a positive spend");
  const evaluator = makeGammaGammaEvaluator(data);
  const { withHessian } = evaluator;
  const objective = gammaGammaObjective(data, evaluator);
  let sumM = 0;
  for (let i = 0; i < data.x.length; i++) sumM += data.weight[i] * data.m[i];
  const meanM = sumM / n;
  // γp/(q−1) is the population mean spend: start near the observed mean.
  const starts = [
    [1, 2, meanM],
    [5, 5, meanM * 2],
    [1, 1, 1],
  ].map((s) => s.map(Math.log));
  const climb = (from: number[]) => newtonMaximize((v) => withHessian(v[0], v[1], v[2]), from);
  // As for BG/NBD: on many groups the starting points race on a sample, and Newton's method
  // takes the sample's optimum to the whole data's.
  let fit: ReturnType<typeof newtonMaximize> = null;
  let converged = false;
  if (data.x.length > (options.sampleStartsAboveGroups ?? SAMPLE_STARTS_ABOVE_GROUPS)) {
    const located = multiStart(gammaGammaObjective(sampleSpend(data, SAMPLE_GROUPS)), starts, 1e-6);
    if (located?.converged) {
      fit = climb(located.theta.map(Math.exp));
      // Newton failed (an optimum running off): one descent from the sample's optimum.
      if (!fit) {
        const res = minimizeBfgs(objective, located.theta, { gradTol: POLISHED_GRAD_TOL });
        if (Number.isFinite(res.fx) && res.converged) {
          const x = res.x.map(Math.exp);
          fit = climb(x) ?? { x, f: -res.fx, H: withHessian(x[0], x[1], x[2]).H, iterations: 0 };
        }
      }
    }
    converged = fit !== null;
  }
  if (!fit) {
    const best = multiStart(objective, starts, POLISHED_GRAD_TOL);
    if (!best) throw new Error("fitGammaGamma: the likelihood could not be evaluated");
    const x = best.theta.map(Math.exp);
    const climbed = climb(x);
    converged = best.converged || climbed !== null;
    fit = climbed ?? { x, f: -best.f, H: withHessian(x[0], x[1], x[2]).H, iterations: 0 };
  }
  const [p, q, gamma] = fit.x;
  const se = standardErrorsFromHessian(negated(fit.H));
  return {
    params: { p, q, gamma },
    logLikelihood: fit.f,
    standardErrors: { p: se[0], q: se[1], gamma: se[2] },
    customers: n,
    converged,
  };
}

/**
 * Expected average order value of a customer (Fader, Hardie & Lee "RFM and CLV" eq. 5):
 *   E[M | x, m] = (q−1)/(px+q−1) · γp/(q−1) + px/(px+q−1) · m
 * a weighted mix of the population mean γp/(q−1) and the customer's own mean. Customers
 * without repeat purchases get the population mean. Null when q ≤ 1 (infinite mean).
 */
export function expectedAverageValue(gg: GammaGammaParams, x: number, monetaryValue: number | null): number | null {
  const { p, q, gamma } = gg;
  if (!(q > 1)) return null;
  if (!(x > 0) || monetaryValue === null || !Number.isFinite(monetaryValue)) return (gamma * p) / (q - 1);
  return (p * (gamma + x * monetaryValue)) / (p * x + q - 1);
}

// ---------------------------------------------------------------------------------------
// CLV

export interface ClvOptions {
  /** Horizon in periods (e.g. 52 weeks). */
  horizon: number;
  /** Length of one period in days (1 or 7). */
  periodDays: number;
  /** Annual discount rate, e.g. 0.1 for 10 % a year. Default 0. */
  annualDiscountRate?: number;
}

export interface ClvResult {
  /** Expected purchases over the whole horizon. */
  expectedPurchases: number;
  /** Discounted CLV over the horizon; null when no average value is available. */
  clv: number | null;
}

const DAYS_PER_YEAR = 365.25;
const DAYS_PER_MONTH = DAYS_PER_YEAR / 12;

/**
 * Discounted CLV over a horizon. The horizon is cut into monthly steps t_1 < … < t_K = H;
 * the purchases expected in each step are valued at the expected average order value and
 * discounted to today at the end of the step:
 *   CLV = E[M] · Σ_k (E[X(t_k)] − E[X(t_{k−1})]) / (1 + d)^(t_k in years)
 * where E[X(t)] is conditionalExpectedPurchases. With d = 0 this is E[X(H)] · E[M].
 */
export function customerClv(bg: BgNbdParams, averageValue: number | null, c: Rft, opts: ClvOptions): ClvResult {
  const d = discountedExpectedPurchases(bg, c, opts);
  return { expectedPurchases: d.expectedPurchases, clv: averageValue === null ? null : d.discountedPurchases * averageValue };
}

/**
 * The value-free part of customerClv: expected purchases over the horizon, undiscounted and
 * discounted (Σ_k (E[X(t_k)] − E[X(t_{k−1})]) / (1 + d)^(t_k in years)). Depends only on
 * (x, t_x, T), so callers with many customers compute it once per distinct triple.
 */
export function discountedExpectedPurchases(bg: BgNbdParams, c: Rft, opts: ClvOptions): { expectedPurchases: number; discountedPurchases: number } {
  return discountedExpectedPurchasesOf(bg, opts)(c);
}

/**
 * The horizon's month ends in periods (the last one cut at the horizon) and the discount
 * factor of each: the grid of the discounted expected purchases.
 */
function monthlyGrid(H: number, opts: ClvOptions): { K: number; times: Float64Array; discount: Float64Array } {
  const d = opts.annualDiscountRate ?? 0;
  const step = DAYS_PER_MONTH / opts.periodDays;
  const K = Math.max(1, Math.ceil(H / step - 1e-9));
  const times = new Float64Array(K);
  const discount = new Float64Array(K);
  for (let k = 1; k <= K; k++) {
    const tk = k === K ? H : k * step;
    times[k - 1] = tk;
    discount[k - 1] = Math.pow(1 + d, (tk * opts.periodDays) / DAYS_PER_YEAR);
  }
  return { K, times, discount };
}

/**
 * discountedExpectedPurchases for many customers with the same parameters. The monthly
 * expectations before the P(alive) factor depend on (x, T) only, not on t_x: they are kept
 * per (x, T), so a shop with 90,000 distinct (x, t_x, T) evaluates the hypergeometric series
 * for its ≈20,000 distinct (x, T). Same arithmetic as one customer at a time, same results.
 */
export function discountedExpectedPurchasesOf(
  bg: BgNbdParams,
  opts: ClvOptions,
): (c: Rft) => { expectedPurchases: number; discountedPurchases: number } {
  const H = opts.horizon;
  if (!(H > 0)) return () => ({ expectedPurchases: 0, discountedPurchases: 0 });
  const { K, times, discount } = monthlyGrid(H, opts);
  const byX = new Map<number, Map<number, Float64Array>>();
  return (c) => {
    let byT = byX.get(c.x);
    if (!byT) byX.set(c.x, (byT = new Map()));
    let ifAlive = byT.get(c.T);
    if (!ifAlive) {
      ifAlive = new Float64Array(K);
      for (let k = 0; k < K; k++) ifAlive[k] = expectedPurchasesIfAlive(bg, times[k], c.x, c.T);
      byT.set(c.T, ifAlive);
    }
    const pAlive = logisticOfNeg(logDeadOdds(bg, c.x, c.tx, c.T));
    let prev = 0;
    let discounted = 0;
    for (let k = 0; k < K; k++) {
      const e = times[k] > 0 ? aliveTimes(ifAlive[k], pAlive) : 0;
      discounted += (e - prev) / discount[k];
      prev = e;
    }
    return { expectedPurchases: prev, discountedPurchases: discounted };
  };
}

/**
 * P(alive), expected purchases over the horizon and discounted expected purchases of many
 * (x, t_x, T) rows (the CLI's groups), written into the three output arrays: the arithmetic
 * of probabilityAlive and discountedExpectedPurchasesOf, the same results bit for bit, with
 * the monthly expectations kept per distinct (x, T) in one flat table found by hashing
 * instead of nested maps and an object per row.
 */
export function predictRftColumns(
  bg: BgNbdParams,
  opts: ClvOptions,
  x: Float64Array,
  tx: Float64Array,
  T: Float64Array,
  out: { pAlive: Float64Array; expected: Float64Array; discounted: Float64Array },
): void {
  const n = x.length;
  for (let i = 0; i < n; i++) out.pAlive[i] = logisticOfNeg(logDeadOdds(bg, x[i], tx[i], T[i]));
  const H = opts.horizon;
  if (!(H > 0)) {
    out.expected.fill(0, 0, n);
    out.discounted.fill(0, 0, n);
    return;
  }
  const { K, times, discount } = monthlyGrid(H, opts);
  const { groupOf, first } = groupRows([x, T], n);
  const ifAlive = new Float64Array(first.length * K);
  for (let g = 0; g < first.length; g++) {
    const i = first[g];
    for (let k = 0; k < K; k++) ifAlive[g * K + k] = expectedPurchasesIfAlive(bg, times[k], x[i], T[i]);
  }
  for (let i = 0; i < n; i++) {
    const pAlive = out.pAlive[i];
    const o = groupOf[i] * K;
    let prev = 0;
    let discounted = 0;
    for (let k = 0; k < K; k++) {
      const e = times[k] > 0 ? aliveTimes(ifAlive[o + k], pAlive) : 0;
      discounted += (e - prev) / discount[k];
      prev = e;
    }
    out.expected[i] = prev;
    out.discounted[i] = discounted;
  }
}

// ---------------------------------------------------------------------------------------
// Degenerate fits
//
// On very little data (a new shop with a handful of customers) the maximum-likelihood
// estimates can run off towards the edge of the parameter space (r, α → ∞; p, q → ∞; a → 1)
// where the predictions are no longer numbers a merchant can use: the hypergeometric series
// of conditionalExpectedPurchases breaks down (10^138 expected purchases), or a spend
// average of γp/(q−1) with q barely above 1 is many times any observed order. Such a fit is
// still reported (parameters, standard errors), but its predictions are not used
// (docs/metrics.md, "How much data is enough").

/**
 * Upper bound of conditionalExpectedPurchases over (T, T + t]: the expected purchases of a
 * customer certain to be alive and never to drop out, whose rate given the history is
 * Gamma(r + x, α + T): t · (r + x)/(α + T). Dropout can only lower the expectation.
 */
export function maxConditionalExpectedPurchases(p: BgNbdParams, t: number, x: number, T: number): number {
  return (t * (p.r + x)) / (p.alpha + T);
}

/** Limits of the plausibility checks (documented in docs/metrics.md). */
export const PLAUSIBILITY = {
  /** Relative slack of the model bounds (rounding of the series, the a ≈ 1 step-aside). */
  relativeTolerance: 1e-6,
  /** The spend model's shop average may lie at most this factor outside the observed average repeat order values. */
  spendAverageFactor: 10,
} as const;

/**
 * Reasons why a BG/NBD fit cannot be used for predictions (empty: usable): parameters or
 * log-likelihood not finite, or no observation time at all (every customer's first purchase
 * at the end of the period: the likelihood does not depend on the parameters).
 */
export function bgNbdDegeneracy(fit: BgNbdFit, data: GroupedRft | Iterable<Rft>): string[] {
  const grouped = isGrouped(data) ? data : groupRft(data);
  const reasons: string[] = [];
  const { r, alpha, a, b } = fit.params;
  if (![r, alpha, a, b].every((v) => Number.isFinite(v) && v > 0)) reasons.push("its parameters are not finite positive numbers");
  else if (!Number.isFinite(fit.logLikelihood)) reasons.push("its likelihood is not finite");
  let observed = 0;
  for (let i = 0; i < grouped.T.length; i++) observed += grouped.T[i] * grouped.weight[i];
  if (!(observed > 0)) reasons.push("no customer has been observed for any time yet (every first purchase is today)");
  return reasons;
}

export interface BgNbdPrediction {
  pAlive: number;
  /** Expected purchases over the horizon, undiscounted and discounted (discountedExpectedPurchases). */
  expectedPurchases: number;
  discountedPurchases: number;
}

/**
 * Null when one customer's BG/NBD predictions are possible values of the model, otherwise
 * why not: P(alive) in [0, 1]; 0 ≤ discounted ≤ expected purchases ≤ the bound of
 * maxConditionalExpectedPurchases and ≤ the number of days in the horizon (purchases are
 * purchase days: at most one a day). A violation means the numerics broke down at these
 * parameters, so no prediction of the fit can be trusted.
 */
export function bgNbdPredictionProblem(p: BgNbdParams, c: Rft, opts: ClvOptions, v: BgNbdPrediction): string | null {
  const tol = 1 + PLAUSIBILITY.relativeTolerance;
  const at = `x = ${c.x}, t_x = ${+c.tx.toFixed(4)}, T = ${+c.T.toFixed(4)}`;
  if (!(v.pAlive >= 0 && v.pAlive <= 1)) return `P(alive) = ${v.pAlive} for a customer with ${at}`;
  const e = v.expectedPurchases;
  if (!(Number.isFinite(e) && e >= 0)) return `expected purchases = ${e} for a customer with ${at}`;
  const bound = Math.min(maxConditionalExpectedPurchases(p, opts.horizon, c.x, c.T), opts.horizon * opts.periodDays);
  if (e > bound * tol + 1e-12) return `${e.toPrecision(3)} expected purchases for a customer with ${at}, above the bound ${bound.toPrecision(3)}`;
  const d = v.discountedPurchases;
  if (!(Number.isFinite(d) && d >= 0 && d <= e * tol + 1e-12)) return `discounted purchases = ${d} (expected ${e}) for a customer with ${at}`;
  return null;
}

/**
 * Reasons why a Gamma-Gamma fit cannot be used for values (empty: usable): parameters not
 * finite, no finite shop average (q ≤ 1), or a shop average γp/(q−1) more than
 * PLAUSIBILITY.spendAverageFactor times above the largest (or below the smallest) observed
 * average repeat order value of the rows it was fitted on.
 */
export function gammaGammaDegeneracy(fit: GammaGammaFit, rows: Iterable<SpendRow>): string[] {
  const { p, q, gamma } = fit.params;
  if (![p, q, gamma].every((v) => Number.isFinite(v) && v > 0)) return ["its parameters are not finite positive numbers"];
  if (!(q > 1)) return ["it has no finite average (q ≤ 1)"];
  let min = Infinity;
  let max = -Infinity;
  for (const row of rows) {
    const m = row.monetaryValue;
    if (row.x > 0 && m !== null && m > 0 && Number.isFinite(m)) {
      if (m < min) min = m;
      if (m > max) max = m;
    }
  }
  const mean = (gamma * p) / (q - 1);
  const k = PLAUSIBILITY.spendAverageFactor;
  if (!Number.isFinite(mean) || (max >= min && (mean > max * k || mean < min / k))) {
    return [
      `its shop average ${mean.toPrecision(3)} is implausible next to the observed average repeat order values (${min.toPrecision(3)} to ${max.toPrecision(3)})`,
    ];
  }
  return [];
}

// ---------------------------------------------------------------------------------------
// Data-size confidence

/**
 * Below these sizes the fitted parameters move a lot from one month to the next: results are
 * still returned, flagged low-confidence, with their standard errors.
 */
export const CONFIDENCE_THRESHOLDS = {
  /** Customers in the BG/NBD fit. */
  minCustomers: 300,
  /** Customers with at least one repeat purchase (they carry the information on dropout and spend). */
  minRepeatCustomers: 100,
  /** A parameter whose standard error exceeds this multiple of its value is not identified. */
  maxRelativeStandardError: 1,
} as const;

/** Why a fit is low-confidence: keys of app/i18n ("confidence.*") with their numbers. */
export type ConfidenceReasonKey =
  | "confidence.fewCustomers"
  | "confidence.fewRepeatCustomers"
  | "confidence.notConverged"
  | "confidence.unknownStandardError"
  | "confidence.poorlyDetermined"
  | "confidence.spendFewCustomers"
  | "confidence.spendNoFiniteMean";

export type ConfidenceReason = MessageRef<ConfidenceReasonKey>;

export interface ConfidenceReport {
  lowConfidence: boolean;
  /** Each reason as a key and its numbers (empty when confident). */
  issues: ConfidenceReason[];
  /** The same reasons encoded for text storage (encodeMessageRef); app/i18n renders them. */
  reasons: string[];
  bgnbdStandardErrors: BgNbdFit["standardErrors"];
  gammaGammaStandardErrors?: GammaGammaFit["standardErrors"];
}

export function assessConfidence(bg: BgNbdFit, gg?: GammaGammaFit): ConfidenceReport {
  const t = CONFIDENCE_THRESHOLDS;
  const issues: ConfidenceReason[] = [];
  const add = (key: ConfidenceReasonKey, params: Record<string, string | number> = {}) => issues.push({ key, params });
  if (bg.customers < t.minCustomers) add("confidence.fewCustomers", { customers: bg.customers, min: t.minCustomers });
  if (bg.repeatCustomers < t.minRepeatCustomers) add("confidence.fewRepeatCustomers", { customers: bg.repeatCustomers, min: t.minRepeatCustomers });
  if (!bg.converged) add("confidence.notConverged");
  const check = (parameter: string, value: number, se: number | null) => {
    if (se === null) add("confidence.unknownStandardError", { parameter });
    else if (se > t.maxRelativeStandardError * value) add("confidence.poorlyDetermined", { parameter, standardError: se, value });
  };
  for (const k of ["r", "alpha", "a", "b"] as const) check(k, bg.params[k], bg.standardErrors[k]);
  if (gg) {
    if (gg.customers < t.minRepeatCustomers) add("confidence.spendFewCustomers", { customers: gg.customers, min: t.minRepeatCustomers });
    if (!(gg.params.q > 1)) add("confidence.spendNoFiniteMean");
    for (const k of ["p", "q", "gamma"] as const) check(k, gg.params[k], gg.standardErrors[k]);
  }
  return {
    lowConfidence: issues.length > 0,
    issues,
    reasons: issues.map(encodeMessageRef),
    bgnbdStandardErrors: bg.standardErrors,
    gammaGammaStandardErrors: gg?.standardErrors,
  };
}

// ---------------------------------------------------------------------------------------
// Transactions → per-customer summaries

export type Period = "day" | "week";

export function periodDays(period: Period): number {
  return period === "week" ? 7 : 1;
}

export interface DaySummaries {
  /** Customer index of each summary (customers with no purchase by the calibration end are absent). */
  customer: Int32Array;
  x: Float64Array;
  tx: Float64Array;
  T: Float64Array;
  /** Mean repeat purchase value, NaN when x = 0. */
  monetary: Float64Array;
}

/**
 * Core of summarizeTransactions over typed arrays (used directly by the CLI for speed).
 * `customer[i]` in [0, customerCount), `day[i]` local day numbers, `amount[i]` values.
 * CDNOW conventions: transactions after the calibration end day are ignored; same-day
 * transactions are one purchase (amounts summed); x = purchase days − 1; t_x and T are in
 * periods from the first purchase day to the last purchase day / calibration end day;
 * monetary = mean value of the repeat purchase days (first purchase excluded).
 */
export function summarizeDays(
  customer: Int32Array,
  day: Int32Array | Float64Array,
  amount: Float64Array,
  customerCount: number,
  calibrationEndDay: number,
  period: Period,
): DaySummaries {
  const pd = periodDays(period);
  const n = customer.length;
  // Counting sort of transactions by customer (only those within calibration).
  const offsets = new Int32Array(customerCount + 1);
  for (let i = 0; i < n; i++) if (day[i] <= calibrationEndDay) offsets[customer[i] + 1]++;
  for (let k = 0; k < customerCount; k++) offsets[k + 1] += offsets[k];
  const fill = offsets.slice(0, customerCount);
  const sd = new Float64Array(offsets[customerCount]);
  const sa = new Float64Array(offsets[customerCount]);
  for (let i = 0; i < n; i++) {
    if (day[i] > calibrationEndDay) continue;
    const pos = fill[customer[i]]++;
    sd[pos] = day[i];
    sa[pos] = amount[i];
  }
  // Typed outputs sized for every customer, cut to the customers seen (no array growth).
  const outC = new Int32Array(customerCount);
  const outX = new Float64Array(customerCount);
  const outTx = new Float64Array(customerCount);
  const outT = new Float64Array(customerCount);
  const outM = new Float64Array(customerCount);
  let m = 0;
  for (let k = 0; k < customerCount; k++) {
    const s = offsets[k];
    const e = offsets[k + 1];
    if (e === s) continue;
    // Insertion sort by day: histories are short, and usually already in order.
    for (let i = s + 1; i < e; i++) {
      const dv = sd[i];
      const av = sa[i];
      let j = i - 1;
      while (j >= s && sd[j] > dv) {
        sd[j + 1] = sd[j];
        sa[j + 1] = sa[j];
        j--;
      }
      sd[j + 1] = dv;
      sa[j + 1] = av;
    }
    const first = sd[s];
    let lastDay = first;
    let days = 1;
    let repeatSum = 0;
    for (let i = s + 1; i < e; i++) {
      if (sd[i] !== first) repeatSum += sa[i];
      if (sd[i] !== lastDay) {
        days++;
        lastDay = sd[i];
      }
    }
    const x = days - 1;
    outC[m] = k;
    outX[m] = x;
    outTx[m] = (lastDay - first) / pd;
    outT[m] = (calibrationEndDay - first) / pd;
    outM[m] = x > 0 ? repeatSum / x : NaN;
    m++;
  }
  return {
    customer: outC.subarray(0, m),
    x: outX.subarray(0, m),
    tx: outTx.subarray(0, m),
    T: outT.subarray(0, m),
    monetary: outM.subarray(0, m),
  };
}

export interface TransactionRow {
  customerId: string;
  date: Date;
  amount: number;
}

/**
 * Per-customer (x, t_x, T, monetary value) from transactions, with the CDNOW conventions
 * (see summarizeDays). Calendar days are taken in `timeZone` (the shop's; default UTC);
 * `calibrationEnd` is the last included day. Customers are returned in first-seen order.
 */
export function summarizeTransactions(
  rows: readonly TransactionRow[],
  opts: { calibrationEnd: Date; period: Period; timeZone?: string },
): CustomerSummary[] {
  const tz = opts.timeZone ?? "UTC";
  const ids = new Map<string, number>();
  const names: string[] = [];
  const customer = new Int32Array(rows.length);
  const day = new Float64Array(rows.length);
  const amount = new Float64Array(rows.length);
  rows.forEach((row, i) => {
    let k = ids.get(row.customerId);
    if (k === undefined) {
      k = names.length;
      ids.set(row.customerId, k);
      names.push(row.customerId);
    }
    customer[i] = k;
    day[i] = dayNumber(row.date, tz);
    amount[i] = row.amount;
  });
  const s = summarizeDays(customer, day, amount, names.length, dayNumber(opts.calibrationEnd, tz), opts.period);
  return Array.from(s.customer, (k, i) => ({
    customerId: names[k],
    x: s.x[i],
    tx: s.tx[i],
    T: s.T[i],
    monetaryValue: Number.isNaN(s.monetary[i]) ? null : s.monetary[i],
  }));
}
