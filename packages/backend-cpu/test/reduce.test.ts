import { describe, expect, it } from 'vitest';
import { makeBackend, up, values } from './helpers.js';

describe('reduce', () => {
  const be = makeBackend();
  const k = be.kernels;
  // x = [[[1, 2], [3, 4], [5, 6]], [[-1, 0], [7, -8], [2, 2]]], shape [2, 3, 2]
  const x = up(be, [1, 2, 3, 4, 5, 6, -1, 0, 7, -8, 2, 2], [2, 3, 2]);

  it('sums one axis, several axes and all axes', () => {
    expect(values(be, k.reduce('sum', x, [1]))).toEqual([9, 12, 8, -6]);
    expect(values(be, k.reduce('sum', x, [0, 2]))).toEqual([2, 6, 15]);
    expect(values(be, k.reduce('sum', x, [0, 1, 2]))).toEqual([23]);
  });

  it('max and min', () => {
    expect(values(be, k.reduce('max', x, [1]))).toEqual([5, 6, 7, 2]);
    expect(values(be, k.reduce('min', x, [2]))).toEqual([1, 3, 5, -1, -8, 2]);
  });

  it('argmax returns i32, the first of equal maxima', () => {
    const y = k.reduce('argmax', x, [2]);
    expect(y.data).toBeInstanceOf(Int32Array);
    expect(values(be, y)).toEqual([1, 1, 1, 1, 0, 0]);
    expect(values(be, k.reduce('argmax', x, [1]))).toEqual([2, 2, 1, 2]);
    expect(values(be, k.reduce('argmax', up(be, [-Infinity, -Infinity], [2]), [0]))).toEqual([0]);
  });

  it('NaN propagates through max/min/sum and wins argmax (first NaN)', () => {
    const n = up(be, [1, NaN, 3, NaN, Infinity, -Infinity], [2, 3]);
    expect(values(be, k.reduce('max', n, [1]))).toEqual([NaN, NaN]);
    expect(values(be, k.reduce('min', n, [1]))).toEqual([NaN, NaN]);
    expect(values(be, k.reduce('sum', n, [0]))).toEqual([NaN, NaN, -Infinity]);
    expect(values(be, k.reduce('argmax', n, [1]))).toEqual([1, 0]);
    const inf = up(be, [Infinity, -Infinity], [2]);
    expect(values(be, k.reduce('sum', inf, [0]))).toEqual([NaN]);
    expect(values(be, k.reduce('max', inf, [0]))).toEqual([Infinity]);
  });

  it('empty reductions: sum 0, max -Inf, min +Inf', () => {
    const e = up(be, [], [2, 0]);
    expect(values(be, k.reduce('sum', e, [1]))).toEqual([0, 0]);
    expect(values(be, k.reduce('max', e, [1]))).toEqual([-Infinity, -Infinity]);
    expect(values(be, k.reduce('min', e, [1]))).toEqual([Infinity, Infinity]);
    expect(values(be, k.reduce('sum', e, [0]))).toEqual([]);
  });

  it('keeps i32 and wraps its sum; f32 sums round once', () => {
    const i = up(be, [2147483647, 1, 5], [3], 'i32');
    const s = k.reduce('sum', i, [0]);
    expect(s.data).toBeInstanceOf(Int32Array);
    expect(values(be, s)).toEqual([-2147483643]);
    const f = k.reduce('sum', up(be, [1, 1e-8, 1e-8, -1], [4], 'f32'), [0]);
    expect(f.data).toBeInstanceOf(Float32Array);
    expect(f.data[0]).toBe(Math.fround(Math.fround(1e-8) * 2));
  });

  it('reduces a 0-d view when no axes are given', () => {
    expect(values(be, k.reduce('sum', up(be, [4], []), []))).toEqual([4]);
  });
});
