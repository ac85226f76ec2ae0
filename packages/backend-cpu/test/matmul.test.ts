import { describe, expect, it } from 'vitest';
import { makeBackend, up, values } from './helpers.js';

describe('matmul', () => {
  const be = makeBackend();
  const k = be.kernels;

  it('multiplies [M, K] by [K, N]', () => {
    const a = up(be, [1, 2, 3, 4, 5, 6], [2, 3]);
    const b = up(be, [7, 8, 9, 10, 11, 12], [3, 2]);
    expect(values(be, k.matmul(a, b))).toEqual([58, 64, 139, 154]);
  });

  it('batches over leading axes', () => {
    const a = up(be, [1, 0, 0, 1, 2, 0, 0, 2], [2, 2, 2]);
    const b = up(be, [1, 2, 3, 4, 1, 2, 3, 4], [2, 2, 2]);
    expect(values(be, k.matmul(a, b))).toEqual([1, 2, 3, 4, 2, 4, 6, 8]);
  });

  it('K = 0 gives zeros; M = 0 gives an empty result', () => {
    expect(values(be, k.matmul(up(be, [], [2, 0]), up(be, [], [0, 3])))).toEqual([0, 0, 0, 0, 0, 0]);
    expect(values(be, k.matmul(up(be, [], [0, 2]), up(be, [1, 2], [2, 1])))).toEqual([]);
  });

  it('propagates NaN and Inf', () => {
    const a = up(be, [NaN, 1, Infinity, 1], [2, 2]);
    const b = up(be, [1, 1], [2, 1]);
    expect(values(be, k.matmul(a, b))).toEqual([NaN, Infinity]);
  });

  it('f32 results are the rounded f64 sums', () => {
    const a = up(be, [0.1, 0.2, 0.3], [1, 3], 'f32');
    const b = up(be, [1, 1, 1], [3, 1], 'f32');
    const y = k.matmul(a, b);
    expect(y.data).toBeInstanceOf(Float32Array);
    expect(y.data[0]).toBe(Math.fround(Math.fround(0.1) + Math.fround(0.2) + Math.fround(0.3)));
  });
});
