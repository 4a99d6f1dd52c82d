// Dense symmetric positive-definite inverse for EASE (ADR 008): Cholesky A = L·Lᵀ, then
// A⁻¹ = L⁻ᵀ·L⁻¹. Row-major Float64Array; every inner loop is a dot product of two contiguous
// row segments, which is what makes a 3,000 × 3,000 inverse take seconds in plain JavaScript.

/** Thrown when the matrix is not positive definite (a pivot ≤ 0). */
export class NotPositiveDefiniteError extends Error {
  constructor(readonly row: number) {
    super(`matrix is not positive definite (pivot ${row})`);
    this.name = "NotPositiveDefiniteError";
  }
}

/**
 * Overwrites the lower triangle of `a` (n × n, row-major, symmetric) with its Cholesky factor L
 * (a = L·Lᵀ). The strict upper triangle is left as it was.
 */
export function choleskyInPlace(a: Float64Array, n: number): void {
  for (let i = 0; i < n; i++) {
    const ri = i * n;
    for (let j = 0; j <= i; j++) {
      const rj = j * n;
      let s = a[ri + j];
      for (let k = 0; k < j; k++) s -= a[ri + k] * a[rj + k];
      if (i === j) {
        if (!(s > 0)) throw new NotPositiveDefiniteError(i);
        a[ri + i] = Math.sqrt(s);
      } else {
        a[ri + j] = s / a[rj + j];
      }
    }
  }
}

/**
 * The inverse of a symmetric positive-definite matrix (n × n, row-major). `a` is consumed
 * (it holds L afterwards). Returns the full symmetric inverse.
 */
export function spdInverse(a: Float64Array, n: number): Float64Array {
  choleskyInPlace(a, n);
  // Y = (L⁻¹)ᵀ, upper triangular, row-major: Y[j][i] = (L⁻¹)[i][j] for i ≥ j.
  const y = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    const ri = i * n;
    const lii = a[ri + i];
    y[i * n + i] = 1 / lii;
    for (let j = 0; j < i; j++) {
      const rj = j * n;
      let s = 0;
      for (let k = j; k < i; k++) s += a[ri + k] * y[rj + k];
      y[rj + i] = -s / lii;
    }
  }
  // P = L⁻ᵀ·L⁻¹ = Y·Yᵀ: P[a][b] = Σ_{k ≥ max(a,b)} Y[a][k]·Y[b][k].
  const p = a; // L is no longer needed: reuse its memory.
  for (let r = 0; r < n; r++) {
    const rr = r * n;
    for (let c = 0; c <= r; c++) {
      const rc = c * n;
      let s = 0;
      for (let k = r; k < n; k++) s += y[rr + k] * y[rc + k];
      p[rr + c] = s;
      p[rc + r] = s;
    }
  }
  return p;
}
