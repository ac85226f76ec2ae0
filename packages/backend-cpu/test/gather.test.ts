import { describe, expect, it } from 'vitest';
import { makeBackend, up, values } from './helpers.js';

describe('gather', () => {
  const be = makeBackend();
  const k = be.kernels;
  const table = up(be, [0, 1, 2, 10, 11, 12], [2, 3]);

  it('picks rows (axis 0) with repeats, shaped by the indices', () => {
    const idx = up(be, [1, 0, 1, 1], [2, 2], 'i32');
    const y = k.gather(table, idx, 0); // [2, 2, 3]
    expect(values(be, y)).toEqual([10, 11, 12, 0, 1, 2, 10, 11, 12, 10, 11, 12]);
  });

  it('picks columns (axis 1)', () => {
    expect(values(be, k.gather(table, up(be, [2, 0], [2], 'i32'), 1))).toEqual([2, 0, 12, 10]);
  });

  it('embedding lookup keeps the dtype; empty indices give an empty result', () => {
    const ti = up(be, [5, 6, 7], [3], 'i32');
    const y = k.gather(ti, up(be, [2, 2, 0], [3], 'i32'), 0);
    expect(y.data).toBeInstanceOf(Int32Array);
    expect(values(be, y)).toEqual([7, 7, 5]);
    expect(values(be, k.gather(table, up(be, [], [0], 'i32'), 0))).toEqual([]);
  });
});

describe('scatterAdd', () => {
  const be = makeBackend();
  const k = be.kernels;

  it('is the adjoint of gather: repeated indices accumulate', () => {
    const idx = up(be, [1, 0, 1], [3], 'i32');
    const upd = up(be, [1, 2, 3, 4, 5, 6], [3, 2]);
    expect(values(be, k.scatterAdd([3, 2], idx, upd, 0))).toEqual([3, 4, 6, 8, 0, 0]);
  });

  it('scatters along the last axis', () => {
    const idx = up(be, [0, 0, 2], [3], 'i32');
    const upd = up(be, [1, 2, 3, 4, 5, 6], [2, 3]);
    expect(values(be, k.scatterAdd([2, 3], idx, upd, 1))).toEqual([3, 0, 3, 9, 0, 6]);
  });

  it('adjointness: <gather(t, i), u> = <t, scatterAdd(i, u)>', () => {
    const t = [0.5, -1, 2, 3, 0.25, -4];
    const idx = up(be, [2, 0, 2, 1], [4], 'i32');
    const u = [1, 2, 3, 4, 5, 6, 7, 8];
    const g = values(be, k.gather(up(be, t, [3, 2]), idx, 0));
    const s = values(be, k.scatterAdd([3, 2], idx, up(be, u, [4, 2]), 0));
    const lhs = g.reduce((acc, v, i) => acc + v * u[i]!, 0);
    const rhs = s.reduce((acc, v, i) => acc + v * t[i]!, 0);
    expect(lhs).toBeCloseTo(rhs, 12);
  });

  it('keeps the updates dtype and propagates NaN', () => {
    const y = k.scatterAdd([2], up(be, [0, 0], [2], 'i32'), up(be, [NaN, 1], [2], 'f32'), 0);
    expect(y.data).toBeInstanceOf(Float32Array);
    expect(values(be, y)).toEqual([NaN, 0]);
  });
});
