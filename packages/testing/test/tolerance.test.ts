import { describe, expect, it } from 'vitest';
import { CloseAssertionError, expectClose, findMismatch, isClose, tolerances } from '../src/index.ts';

describe('tolerances', () => {
  it('follows the project rule per dtype', () => {
    expect(tolerances('f64')).toMatchObject({ rtol: 1e-10, atolOfMax: 1e-12 });
    expect(tolerances('f32')).toMatchObject({ rtol: 1e-5, atolOfMax: 1e-6 });
    expect(tolerances('i32')).toEqual({ rtol: 0, atol: 0, atolOfMax: 0 });
    expect(tolerances('bool')).toEqual({ rtol: 0, atol: 0, atolOfMax: 0 });
  });
});

describe('isClose', () => {
  it('applies |a − b| ≤ atol + rtol·|b|', () => {
    expect(isClose(1.05, 1, 0.1, 0)).toBe(true);
    expect(isClose(1.2, 1, 0.1, 0)).toBe(false);
    expect(isClose(109, 100, 0, 0.1)).toBe(true);
    expect(isClose(111, 100, 0, 0.1)).toBe(false);
  });

  it('matches NaN only with NaN and ±Inf only exactly', () => {
    expect(isClose(NaN, NaN, 0, 0)).toBe(true);
    expect(isClose(0, NaN, 1, 1)).toBe(false);
    expect(isClose(NaN, 0, 1, 1)).toBe(false);
    expect(isClose(Infinity, Infinity, 0, 0)).toBe(true);
    expect(isClose(-Infinity, Infinity, 1, 1)).toBe(false);
    expect(isClose(1e308, Infinity, 1, 1)).toBe(false);
    expect(isClose(Infinity, 1e308, 1, 1)).toBe(false);
  });
});

describe('expectClose', () => {
  it('passes within the dtype tolerance and fails just outside it', () => {
    expect(() => expectClose([1 + 1e-11, 2], [1, 2], 'f64')).not.toThrow();
    expect(() => expectClose([1 + 1e-8, 2], [1, 2], 'f64')).toThrow(CloseAssertionError);
    expect(() => expectClose(new Float32Array([1.000001]), [1], 'f32')).not.toThrow();
    expect(() => expectClose([1.001], [1], 'f32')).toThrow(CloseAssertionError);
  });

  it('scales the absolute part with the largest expected value (rounding in sums)', () => {
    // 1e-9 off on a tiny element passes when the array holds values near 1e4 (1e-12·1e4 = 1e-8).
    expect(() => expectClose([1e-9, 1e4], [0, 1e4], 'f64')).not.toThrow();
    expect(() => expectClose([1e-9, 1], [0, 1], 'f64')).toThrow(/element 0 of 2/);
  });

  it('names the first failing index, both values and the tolerance', () => {
    expect(() => expectClose([1, 2, 3.5, 9], [1, 2, 3, 4], { atol: 0.1, rtol: 0.01 }, 'add')).toThrow(
      /add: element 2 of 4 differs: got 3.5, expected 3 .*allowed 0.13.*atol 0.1, rtol 0.01/,
    );
  });

  it('is exact for integer dtypes', () => {
    expect(() => expectClose(new Int32Array([1, 2]), [1, 2], 'i32')).not.toThrow();
    expect(() => expectClose(new Int32Array([1, 3]), [1, 2], 'i32')).toThrow(/element 1/);
  });

  it('requires NaN where NaN is expected, and equal infinities', () => {
    expect(() => expectClose([NaN, Infinity, -Infinity], [NaN, Infinity, -Infinity], 'f32')).not.toThrow();
    expect(() => expectClose([0], [NaN], 'f64')).toThrow(/got 0, expected NaN/);
    expect(() => expectClose([NaN], [0], 'f64')).toThrow(/got NaN, expected 0/);
    expect(() => expectClose([Infinity], [-Infinity], 'f64')).toThrow();
  });

  it('rejects arrays of different lengths', () => {
    expect(() => expectClose([1, 2], [1], 'f64', 'x')).toThrow(/x: expected 1 elements, got 2/);
  });

  it('findMismatch reports null when all close', () => {
    expect(findMismatch([1, 2], [1, 2], 'f64')).toBeNull();
    expect(findMismatch([1, 5], [1, 2], 'f64')).toMatchObject({ index: 1, actual: 5, expected: 2 });
  });
});
