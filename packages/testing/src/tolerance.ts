import type { DType } from '@rnnkit/tensor';

/**
 * How close two numbers must be: |actual − expected| ≤ atol + rtol·|expected|, where the
 * absolute part is `atol + atolOfMax · max|expected|` (so rounding in long sums, which scales
 * with the size of the values rather than with each element, does not fail small elements).
 */
export interface Tolerance {
  readonly rtol: number;
  readonly atol: number;
  /** Extra absolute tolerance as a fraction of the largest |expected| in the array (default 0). */
  readonly atolOfMax?: number;
}

// The atol floors are the smallest normal numbers: below them a dtype has no relative precision
// left (subnormals), and GPUs may flush such results to zero.
const TOLERANCES: Readonly<Record<DType, Tolerance>> = {
  f64: { rtol: 1e-10, atol: 2.2250738585072014e-308, atolOfMax: 1e-12 },
  f32: { rtol: 1e-5, atol: 1.1754943508222875e-38, atolOfMax: 1e-6 },
  i32: { rtol: 0, atol: 0, atolOfMax: 0 },
  bool: { rtol: 0, atol: 0, atolOfMax: 0 },
};

/** The project's tolerance for results computed in `dtype` (docs/conventions.md); integer dtypes are exact. */
export function tolerances(dtype: DType): Tolerance {
  return TOLERANCES[dtype];
}

/** The first element that is not close, with everything a message needs. */
export interface Mismatch {
  readonly index: number;
  readonly actual: number;
  readonly expected: number;
  /** The absolute difference allowed at this index. */
  readonly allowed: number;
}

function resolve(tol: DType | Tolerance): Tolerance {
  return typeof tol === 'string' ? tolerances(tol) : tol;
}

/** max |x| over the finite entries (0 for an empty array). */
export function maxAbs(values: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < values.length; i++) {
    const v = Math.abs(values[i]!);
    if (Number.isFinite(v) && v > m) m = v;
  }
  return m;
}

/** Whether one pair is close: NaN matches only NaN, ±Inf only the same infinity. */
export function isClose(actual: number, expected: number, allowed: number, rtol: number): boolean {
  if (Number.isNaN(expected)) return Number.isNaN(actual);
  if (!Number.isFinite(expected)) return actual === expected;
  if (!Number.isFinite(actual)) return false;
  return Math.abs(actual - expected) <= allowed + rtol * Math.abs(expected);
}

/** Finds the first index where `actual` and `expected` differ beyond the tolerance; null when all are close. */
export function findMismatch(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: DType | Tolerance): Mismatch | null {
  const { rtol, atol, atolOfMax = 0 } = resolve(tol);
  const absolute = atol + atolOfMax * maxAbs(expected);
  for (let i = 0; i < expected.length; i++) {
    const a = Number(actual[i]);
    const e = Number(expected[i]);
    if (!isClose(a, e, absolute, rtol)) return { index: i, actual: a, expected: e, allowed: absolute + rtol * Math.abs(e) };
  }
  return null;
}

/** Thrown by `expectClose`; vitest shows it as a failed assertion. */
export class CloseAssertionError extends Error {
  override name = 'AssertionError';
}

/**
 * Asserts that two arrays have the same length and are elementwise close under the tolerance
 * of `dtype` (or the one given). The error names the first failing index, both values and the
 * tolerance. NaN must match NaN, and ±Inf must match exactly.
 */
export function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: DType | Tolerance, label?: string): void {
  const where = label ? `${label}: ` : '';
  if (actual.length !== expected.length)
    throw new CloseAssertionError(`${where}expected ${expected.length} elements, got ${actual.length}.`);
  const m = findMismatch(actual, expected, tol);
  if (m === null) return;
  const t = resolve(tol);
  const rule = `atol ${t.atol}${t.atolOfMax ? ` + ${t.atolOfMax}·max|expected|` : ''}, rtol ${t.rtol}`;
  throw new CloseAssertionError(
    `${where}element ${m.index} of ${expected.length} differs: got ${m.actual}, expected ${m.expected} ` +
      `(|diff| ${Math.abs(m.actual - m.expected)} > allowed ${m.allowed}; ${typeof tol === 'string' ? `${tol} tolerance, ` : ''}${rule}).`,
  );
}
