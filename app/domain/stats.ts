// Small numerical toolkit for the analytics domain: special functions, quantiles,
// a BFGS minimiser and a numerical Hessian. Pure, dependency-free.

const HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);

/** ln Γ(x) for x > 0. Shift to x >= 10, then Stirling's series (error < 1e-15 relative). */
export function lgamma(x: number): number {
  if (!(x > 0)) return x === 0 ? Infinity : NaN;
  if (x === Infinity) return Infinity;
  let shift = 0;
  if (x < 10) {
    // Product is at most ~10 terms, each < 10: no overflow.
    let prod = 1;
    while (x < 10) {
      prod *= x;
      x += 1;
    }
    shift = Math.log(prod);
  }
  const inv = 1 / x;
  const inv2 = inv * inv;
  const series = inv * (1 / 12 + inv2 * (-1 / 360 + inv2 * (1 / 1260 + inv2 * (-1 / 1680 + inv2 * (1 / 1188 + inv2 * (-691 / 360360))))));
  return (x - 0.5) * Math.log(x) - x + HALF_LOG_2PI + series - shift;
}

/** Digamma ψ(x) for x > 0: recurrence up to x >= 12, then the asymptotic series (error < 1e-14). */
export function digamma(x: number): number {
  if (!(x > 0)) return NaN;
  let acc = 0;
  while (x < 12) {
    acc -= 1 / x;
    x += 1;
  }
  const inv = 1 / x;
  const inv2 = inv * inv;
  return acc + Math.log(x) - 0.5 * inv - inv2 * (1 / 12 - inv2 * (1 / 120 - inv2 * (1 / 252 - inv2 * (1 / 240 - inv2 * (1 / 132)))));
}

/** Trigamma ψ′(x) for x > 0: recurrence up to x >= 12, then the asymptotic series (error < 1e-14). */
export function trigamma(x: number): number {
  if (!(x > 0)) return NaN;
  let acc = 0;
  while (x < 12) {
    acc += 1 / (x * x);
    x += 1;
  }
  const inv = 1 / x;
  const inv2 = inv * inv;
  return acc + inv + 0.5 * inv2 + inv * inv2 * (1 / 6 - inv2 * (1 / 30 - inv2 * (1 / 42 - inv2 * (1 / 30 - inv2 * (5 / 66 - inv2 * (691 / 2730))))));
}

/** ln B(a, b). */
export function lbeta(a: number, b: number): number {
  return lgamma(a) + lgamma(b) - lgamma(a + b);
}

/** ln(e^a + e^b) without overflow; handles -Infinity operands. */
export function logAddExp(a: number, b: number): number {
  if (a === -Infinity) return b;
  if (b === -Infinity) return a;
  return a > b ? a + Math.log1p(Math.exp(b - a)) : b + Math.log1p(Math.exp(a - b));
}

/** ln(1 + e^x) (softplus), stable for large |x|. */
export function log1pExp(x: number): number {
  if (x > 35) return x;
  if (x < -35) return Math.exp(x);
  return Math.log1p(Math.exp(x));
}

/** 1 / (1 + e^x), stable for large |x|. */
export function logisticOfNeg(x: number): number {
  if (x >= 0) {
    const e = Math.exp(-x);
    return e / (1 + e);
  }
  return 1 / (1 + Math.exp(x));
}

/**
 * Gauss hypergeometric series 2F1(a, b; c; z) for 0 <= z < 1 and c > 0.
 * Callers pass parameters already transformed so that the terms stay small
 * (see clv.ts); the series is summed until the terms no longer change the sum.
 */
export function hyp2f1(a: number, b: number, c: number, z: number, maxTerms = 500_000): number {
  if (z === 0) return 1;
  let term = 1;
  let sum = 1;
  for (let k = 0; k < maxTerms; k++) {
    term *= (((a + k) * (b + k)) / ((c + k) * (k + 1))) * z;
    sum += term;
    if (term === 0 || Math.abs(term) <= 1e-16 * Math.abs(sum)) break;
  }
  return sum;
}

/** Sample quantile of sorted values, R's default "type 7" (linear interpolation). */
export function quantileType7(sorted: ArrayLike<number>, p: number): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  if (n === 1) return sorted[0];
  const h = (n - 1) * p;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, n - 1);
  return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
}

/** Median of an unsorted list, null when empty. */
export function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const s = Float64Array.from(values).sort();
  return quantileType7(s, 0.5);
}

export interface MinimizeResult {
  x: number[];
  fx: number;
  iterations: number;
  converged: boolean;
}

/**
 * BFGS minimiser with an Armijo backtracking line search. `fg` returns the function
 * value and writes the gradient into `grad`; it may return Infinity/NaN for points
 * outside the domain, which the line search treats as "step too long".
 */
export function minimizeBfgs(
  fg: (x: number[], grad: number[]) => number,
  x0: number[],
  opts: { maxIterations?: number; gradTol?: number; maxStep?: number } = {},
): MinimizeResult {
  const n = x0.length;
  const maxIt = opts.maxIterations ?? 500;
  const gradTol = opts.gradTol ?? 1e-10;
  const maxStep = opts.maxStep ?? 4;
  let x = x0.slice();
  let g = new Array<number>(n).fill(0);
  let fx = fg(x, g);
  if (!Number.isFinite(fx)) return { x, fx, iterations: 0, converged: false };
  // Inverse Hessian approximation, row-major.
  const H = identity(n);
  let first = true;
  let smallSteps = 0;
  for (let it = 1; it <= maxIt; it++) {
    if (normInf(g) <= gradTol * Math.max(1, Math.abs(fx))) {
      return { x, fx, iterations: it, converged: true };
    }
    let p = matVec(H, g).map((v) => -v);
    let slope = dot(g, p);
    if (!(slope < 0)) {
      // Lost descent direction: restart from steepest descent.
      resetIdentity(H);
      p = g.map((v) => -v);
      slope = dot(g, p);
      first = true;
    }
    const pmax = normInf(p);
    let step = pmax > maxStep ? maxStep / pmax : 1;
    const xn = new Array<number>(n);
    const gn = new Array<number>(n).fill(0);
    let fn = NaN;
    let accepted = false;
    for (let ls = 0; ls < 60; ls++) {
      for (let i = 0; i < n; i++) xn[i] = x[i] + step * p[i];
      fn = fg(xn, gn);
      if (Number.isFinite(fn) && fn <= fx + 1e-4 * step * slope) {
        accepted = true;
        break;
      }
      // At the optimum the decrease Armijo asks for is below the rounding of f: a point that
      // passes the convergence test, at the same f to rounding, ends the search (instead of
      // backtracking 60 times on noise).
      if (Number.isFinite(fn) && fn - fx <= 1e-12 * Math.abs(fx) && normInf(gn) <= gradTol * Math.max(1, Math.abs(fn))) {
        accepted = true;
        break;
      }
      // Minimiser of the quadratic through f(0), f'(0) and f(step), kept within [0.1, 0.5] × step.
      const curv = fn - fx - slope * step;
      const next = Number.isFinite(fn) && curv > 0 ? (-slope * step * step) / (2 * curv) : 0.5 * step;
      step = Math.min(0.5 * step, Math.max(0.1 * step, next));
    }
    if (!accepted) {
      if (first) return { x, fx, iterations: it, converged: normInf(g) <= 1e-6 * Math.max(1, Math.abs(fx)) };
      resetIdentity(H);
      first = true;
      continue;
    }
    const s = xn.map((v, i) => v - x[i]);
    const y = gn.map((v, i) => v - g[i]);
    const sy = dot(s, y);
    if (sy > 1e-12) {
      if (first) {
        // Scale the initial inverse Hessian (Nocedal & Wright 6.20).
        const scale = sy / dot(y, y);
        resetIdentity(H, scale);
        first = false;
      }
      bfgsUpdate(H, s, y, sy);
    }
    const df = fx - fn;
    x = xn;
    g = gn;
    fx = fn;
    smallSteps = df <= 1e-13 * Math.max(1, Math.abs(fx)) ? smallSteps + 1 : 0;
    if (smallSteps >= 3) return { x, fx, iterations: it, converged: true };
  }
  return { x, fx, iterations: maxIt, converged: false };
}

function identity(n: number): number[][] {
  return Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? 1 : 0)));
}
function resetIdentity(H: number[][], scale = 1): void {
  for (let i = 0; i < H.length; i++) for (let j = 0; j < H.length; j++) H[i][j] = i === j ? scale : 0;
}
function dot(a: number[], b: number[]): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}
function normInf(a: number[]): number {
  let m = 0;
  for (const v of a) m = Math.max(m, Math.abs(v));
  return m;
}
function matVec(H: number[][], v: number[]): number[] {
  return H.map((row) => dot(row, v));
}
function bfgsUpdate(H: number[][], s: number[], y: number[], sy: number): void {
  const n = s.length;
  const rho = 1 / sy;
  const Hy = matVec(H, y);
  const yHy = dot(y, Hy);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      H[i][j] += rho * ((1 + rho * yHy) * s[i] * s[j] - Hy[i] * s[j] - s[i] * Hy[j]);
    }
  }
}

/**
 * Hessian by central differences of an analytic gradient, symmetrised.
 * Steps are relative to each coordinate so parameters of different scales work.
 */
/** A point's log-likelihood, gradient and Hessian (what newtonMaximize climbs with). */
export interface LikelihoodWithHessian {
  f: number;
  g: number[];
  H: number[][];
}

/**
 * Maximises a concave-near-the-optimum function of positive parameters by Newton's method with
 * its analytic Hessian, from x0 (near the optimum: a sample's optimum or a previous fit). Each
 * step solves H·s = −g and is halved until it stays in the domain and does not lower f beyond
 * rounding. Stops after a full step smaller than 1e-8 (relative): the quadratic convergence
 * leaves rounding only. Null when the Hessian is not negative definite along the step (too far
 * from the optimum for Newton) or no step improves f: the caller falls back to BFGS.
 */
export function newtonMaximize(
  fgh: (x: number[]) => LikelihoodWithHessian,
  x0: number[],
  maxIterations = 30,
): { x: number[]; f: number; H: number[][]; iterations: number } | null {
  let x = x0;
  let cur = fgh(x);
  if (!Number.isFinite(cur.f)) return null;
  for (let it = 1; it <= maxIterations; it++) {
    const inv = invertMatrix(cur.H);
    if (!inv) return null;
    const step = inv.map((row) => -row.reduce((s, h, j) => s + h * cur.g[j], 0));
    // An ascent direction needs gᵀs > 0 (H negative definite along s).
    if (!(step.reduce((s, v, i) => s + v * cur.g[i], 0) > 0)) {
      return step.every((v, i) => Math.abs(v) <= 1e-14 * Math.abs(x[i])) ? { x, f: cur.f, H: cur.H, iterations: it } : null;
    }
    let rel = 0;
    for (let i = 0; i < x.length; i++) rel = Math.max(rel, Math.abs(step[i]) / Math.abs(x[i]));
    let t = 1;
    let accepted: { xn: number[]; next: LikelihoodWithHessian } | null = null;
    for (let halvings = 0; halvings < 40; halvings++) {
      const xn = x.map((v, i) => v + t * step[i]);
      if (xn.every((v) => v > 0 && Number.isFinite(v))) {
        const next = fgh(xn);
        // f is only known to ≈1e-12 (relative): a fall below that is rounding, not a worse point.
        if (Number.isFinite(next.f) && next.f >= cur.f - 1e-12 * Math.abs(cur.f)) {
          accepted = { xn, next };
          break;
        }
      }
      t /= 2;
    }
    if (!accepted) return it > 1 ? { x, f: cur.f, H: cur.H, iterations: it } : null;
    x = accepted.xn;
    cur = accepted.next;
    if (t === 1 && rel < 1e-8) return { x, f: cur.f, H: cur.H, iterations: it };
  }
  return null;
}

export function numericalHessian(grad: (x: number[]) => number[], x: number[]): number[][] {
  const n = x.length;
  const H = identity(n).map((r) => r.map(() => 0));
  for (let j = 0; j < n; j++) {
    const h = 1e-5 * Math.max(Math.abs(x[j]), 1e-3);
    const xp = x.slice();
    const xm = x.slice();
    xp[j] += h;
    xm[j] -= h;
    const gp = grad(xp);
    const gm = grad(xm);
    for (let i = 0; i < n; i++) H[i][j] = (gp[i] - gm[i]) / (2 * h);
  }
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const m = (H[i][j] + H[j][i]) / 2;
      H[i][j] = m;
      H[j][i] = m;
    }
  }
  return H;
}

/** Inverse of a small square matrix by Gauss–Jordan with partial pivoting; null if singular. */
export function invertMatrix(m: number[][]): number[][] | null {
  const n = m.length;
  const a = m.map((row, i) => [...row, ...Array.from({ length: n }, (_, j) => (i === j ? 1 : 0))]);
  for (let col = 0; col < n; col++) {
    let piv = col;
    for (let r = col + 1; r < n; r++) if (Math.abs(a[r][col]) > Math.abs(a[piv][col])) piv = r;
    if (!(Math.abs(a[piv][col]) > 1e-300) || !Number.isFinite(a[piv][col])) return null;
    [a[col], a[piv]] = [a[piv], a[col]];
    const d = a[col][col];
    for (let k = 0; k < 2 * n; k++) a[col][k] /= d;
    for (let r = 0; r < n; r++) {
      if (r === col) continue;
      const f = a[r][col];
      if (f === 0) continue;
      for (let k = 0; k < 2 * n; k++) a[r][k] -= f * a[col][k];
    }
  }
  return a.map((row) => row.slice(n));
}

/** Standard errors from the inverse of a negative log-likelihood Hessian; null entries when undefined. */
export function standardErrorsFromHessian(hessian: number[][]): (number | null)[] {
  const inv = invertMatrix(hessian);
  if (!inv) return hessian.map(() => null);
  return inv.map((row, i) => {
    const v = row[i];
    return Number.isFinite(v) && v > 0 ? Math.sqrt(v) : null;
  });
}

/** A finite value rounded to `digits` decimals (stored figures do not depend on float noise); null otherwise. */
export function rounded(value: number | null, digits = 6): number | null {
  return value === null || !Number.isFinite(value) ? null : Number(value.toFixed(digits));
}
