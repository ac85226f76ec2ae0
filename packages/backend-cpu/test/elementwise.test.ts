import { describe, expect, it } from 'vitest';
import { makeBackend, up, values } from './helpers.js';

describe('unary', () => {
  const be = makeBackend();
  const k = be.kernels;

  it('computes each op elementwise', () => {
    const x = up(be, [-2, 0, 1.5], [3]);
    expect(values(be, k.unary('neg', x))).toEqual([2, -0, -1.5]);
    expect(values(be, k.unary('abs', x))).toEqual([2, 0, 1.5]);
    expect(values(be, k.unary('sign', x))).toEqual([-1, 0, 1]);
    expect(values(be, k.unary('exp', x))).toEqual([Math.exp(-2), 1, Math.exp(1.5)]);
    expect(values(be, k.unary('tanh', x))).toEqual([Math.tanh(-2), 0, Math.tanh(1.5)]);
    const p = up(be, [4, 0, 1], [3]);
    expect(values(be, k.unary('sqrt', p))).toEqual([2, 0, 1]);
    expect(values(be, k.unary('log', p))).toEqual([Math.log(4), -Infinity, 0]);
  });

  it('sigmoid is stable at the extremes', () => {
    const s = values(be, k.unary('sigmoid', up(be, [-1000, -1, 0, 1, 1000], [5])));
    expect(s[0]).toBe(0);
    expect(s[1]).toBeCloseTo(1 / (1 + Math.E), 15);
    expect(s[2]).toBe(0.5);
    expect(s[3]).toBeCloseTo(1 / (1 + 1 / Math.E), 15);
    expect(s[4]).toBe(1);
    expect(s.every((v) => !Number.isNaN(v))).toBe(true);
  });

  it('propagates NaN and Inf, and isFinite returns bool', () => {
    const x = up(be, [NaN, Infinity, -Infinity, 3], [4]);
    expect(values(be, k.unary('exp', x))).toEqual([NaN, Infinity, 0, Math.exp(3)]);
    expect(values(be, k.unary('tanh', x))).toEqual([NaN, 1, -1, Math.tanh(3)]);
    expect(values(be, k.unary('sigmoid', x))).toEqual([NaN, 1, 0, 1 / (1 + Math.exp(-3))]);
    const f = k.unary('isFinite', x);
    expect(f.data).toBeInstanceOf(Uint8Array);
    expect(values(be, f)).toEqual([0, 0, 0, 1]);
    expect(values(be, k.unary('sqrt', up(be, [-1], [1])))).toEqual([NaN]);
  });

  it('keeps f32 as Float32Array, rounding the result', () => {
    const y = k.unary('exp', up(be, [1], [1], 'f32'));
    expect(y.data).toBeInstanceOf(Float32Array);
    expect(y.data[0]).toBe(Math.fround(Math.E));
  });

  it('wraps i32 like two\'s complement', () => {
    const y = k.unary('neg', up(be, [-2147483648, 5], [2], 'i32'));
    expect(y.data).toBeInstanceOf(Int32Array);
    expect(values(be, y)).toEqual([-2147483648, -5]);
    expect(values(be, k.unary('isFinite', up(be, [7], [1], 'i32')))).toEqual([1]);
  });

  it('handles empty tensors', () => {
    expect(values(be, k.unary('exp', up(be, [], [0, 3])))).toEqual([]);
  });
});

describe('binary', () => {
  const be = makeBackend();
  const k = be.kernels;

  it('computes arithmetic in the input dtype', () => {
    const a = up(be, [1, -2, 3, 8], [4]);
    const b = up(be, [2, 4, -1, 0.5], [4]);
    expect(values(be, k.binary('add', a, b))).toEqual([3, 2, 2, 8.5]);
    expect(values(be, k.binary('sub', a, b))).toEqual([-1, -6, 4, 7.5]);
    expect(values(be, k.binary('mul', a, b))).toEqual([2, -8, -3, 4]);
    expect(values(be, k.binary('div', a, b))).toEqual([0.5, -0.5, -3, 16]);
    expect(values(be, k.binary('pow', a, b))).toEqual([1, 16, 1 / 3, Math.sqrt(8)]);
    expect(values(be, k.binary('maximum', a, b))).toEqual([2, 4, 3, 8]);
    expect(values(be, k.binary('minimum', a, b))).toEqual([1, -2, -1, 0.5]);
  });

  it('compares to bool, with NaN unequal to everything', () => {
    const a = up(be, [1, 2, 3, NaN], [4]);
    const b = up(be, [2, 2, 2, NaN], [4]);
    const eq = k.binary('eq', a, b);
    expect(eq.data).toBeInstanceOf(Uint8Array);
    expect(values(be, eq)).toEqual([0, 1, 0, 0]);
    expect(values(be, k.binary('ne', a, b))).toEqual([1, 0, 1, 1]);
    expect(values(be, k.binary('lt', a, b))).toEqual([1, 0, 0, 0]);
    expect(values(be, k.binary('le', a, b))).toEqual([1, 1, 0, 0]);
    expect(values(be, k.binary('gt', a, b))).toEqual([0, 0, 1, 0]);
    expect(values(be, k.binary('ge', a, b))).toEqual([0, 1, 1, 0]);
  });

  it('maximum and minimum propagate NaN (as torch)', () => {
    const a = up(be, [NaN, 1, Infinity], [3]);
    const b = up(be, [1, NaN, -Infinity], [3]);
    expect(values(be, k.binary('maximum', a, b))).toEqual([NaN, NaN, Infinity]);
    expect(values(be, k.binary('minimum', a, b))).toEqual([NaN, NaN, -Infinity]);
  });

  it('follows IEEE for Inf and NaN, and C for pow', () => {
    const a = up(be, [1, 0, Infinity, 1, -1, NaN], [6]);
    const b = up(be, [0, 0, Infinity, NaN, Infinity, 0], [6]);
    expect(values(be, k.binary('div', a, b))).toEqual([Infinity, NaN, NaN, NaN, -0, NaN]);
    expect(values(be, k.binary('sub', a, b))).toEqual([1, 0, NaN, NaN, -Infinity, NaN]);
    // C99 pow: 1^NaN = 1, (-1)^Inf = 1, NaN^0 = 1.
    expect(values(be, k.binary('pow', a, b))).toEqual([1, 1, Infinity, 1, 1, 1]);
  });

  it('i32 truncates division and wraps on overflow', () => {
    const a = up(be, [7, -7, 2147483647, 65536, 5], [5], 'i32');
    const b = up(be, [2, 2, 1, 65536, 0], [5], 'i32');
    const d = k.binary('div', a, b);
    expect(d.data).toBeInstanceOf(Int32Array);
    expect(values(be, d)).toEqual([3, -3, 2147483647, 1, 0]);
    expect(values(be, k.binary('add', a, b))).toEqual([9, -5, -2147483648, 131072, 5]);
    expect(values(be, k.binary('mul', a, b))).toEqual([14, -14, 2147483647, 0, 0]);
    expect(values(be, k.binary('pow', a, b))).toEqual([49, 49, 2147483647, 0, 1]);
  });

  it('bool arithmetic stays 0/1', () => {
    const a = up(be, [1, 1, 0], [3], 'bool');
    const b = up(be, [1, 0, 0], [3], 'bool');
    const y = k.binary('add', a, b);
    expect(y.data).toBeInstanceOf(Uint8Array);
    expect(values(be, y)).toEqual([1, 1, 0]);
    expect(values(be, k.binary('eq', a, b))).toEqual([1, 0, 1]);
  });
});

describe('where', () => {
  const be = makeBackend();
  it('selects from a where cond is true, else b', () => {
    const c = up(be, [1, 0, 1], [3], 'bool');
    const y = be.kernels.where(c, up(be, [1, 2, 3], [3], 'i32'), up(be, [-1, -2, -3], [3], 'i32'));
    expect(y.data).toBeInstanceOf(Int32Array);
    expect(values(be, y)).toEqual([1, -2, 3]);
  });
  it('passes NaN through untouched', () => {
    const c = up(be, [1, 0], [2], 'bool');
    expect(values(be, be.kernels.where(c, up(be, [NaN, 0], [2]), up(be, [0, NaN], [2])))).toEqual([NaN, NaN]);
  });
});

describe('cast and fill', () => {
  const be = makeBackend();
  const k = be.kernels;

  it('float to i32 truncates toward zero; NaN becomes 0', () => {
    const y = k.cast(up(be, [1.9, -1.9, 0.5, -0.5, NaN, 3], [6]), 'i32');
    expect(y.data).toBeInstanceOf(Int32Array);
    expect(values(be, y)).toEqual([1, -1, 0, 0, 0, 3]);
  });

  it('anything to bool is != 0, NaN included', () => {
    const y = k.cast(up(be, [0, -0, 0.1, NaN, -Infinity], [5]), 'bool');
    expect(y.data).toBeInstanceOf(Uint8Array);
    expect(values(be, y)).toEqual([0, 0, 1, 1, 1]);
    expect(values(be, k.cast(up(be, [0, 7, -3], [3], 'i32'), 'bool'))).toEqual([0, 1, 1]);
  });

  it('f64 to f32 rounds, bool to float gives 0/1', () => {
    const y = k.cast(up(be, [0.1], [1]), 'f32');
    expect(y.data).toBeInstanceOf(Float32Array);
    expect(y.data[0]).toBe(Math.fround(0.1));
    expect(values(be, k.cast(up(be, [1, 0], [2], 'bool'), 'f64'))).toEqual([1, 0]);
  });

  it('fill builds a contiguous constant of the dtype', () => {
    const y = k.fill([2, 3], 'i32', 2.7);
    expect(y.data).toBeInstanceOf(Int32Array);
    expect(values(be, y)).toEqual([2, 2, 2, 2, 2, 2]);
    expect(values(be, k.fill([2], 'bool', 5))).toEqual([1, 1]);
    expect(values(be, k.fill([2], 'f64', NaN))).toEqual([NaN, NaN]);
    expect(k.fill([0, 4], 'f32', 1).data.length).toBe(0);
    expect(k.fill([], 'f32', 3).data.length).toBe(1);
  });
});

describe('copy and concat', () => {
  const be = makeBackend();
  const k = be.kernels;

  it('copy returns an independent contiguous array', () => {
    const x = up(be, [1, 2, 3], [3]);
    const y = k.copy(x);
    expect(y).not.toBe(x.handle);
    expect(y.data).not.toBe(x.handle.data);
    expect(values(be, y)).toEqual([1, 2, 3]);
  });

  it('concatenates along the first, middle and last axis', () => {
    const a = up(be, [1, 2, 3, 4], [2, 2]);
    const b = up(be, [5, 6], [1, 2]);
    expect(values(be, k.concat([a, b], 0))).toEqual([1, 2, 3, 4, 5, 6]);
    const c = up(be, [5, 6], [2, 1]);
    expect(values(be, k.concat([a, c], 1))).toEqual([1, 2, 5, 3, 4, 6]);
    const x = up(be, [1, 2, 3, 4], [2, 1, 2]);
    const y = up(be, [5, 6, 7, 8], [2, 1, 2]);
    expect(values(be, k.concat([x, y], 1))).toEqual([1, 2, 5, 6, 3, 4, 7, 8]);
  });

  it('accepts empty pieces', () => {
    const a = up(be, [], [0, 2]);
    const b = up(be, [1, 2], [1, 2], 'f64');
    expect(values(be, k.concat([a, b, a], 0))).toEqual([1, 2]);
  });
});
