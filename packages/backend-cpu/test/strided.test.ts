import { describe, expect, it } from 'vitest';
import { stridedOffsets } from '../src/internal/strided.js';
import { makeBackend, up, values, viewOf } from './helpers.js';

describe('stridedOffsets', () => {
  it('walks row-major over any strides', () => {
    expect(Array.from(stridedOffsets([2, 3], [3, 1], 0))).toEqual([0, 1, 2, 3, 4, 5]);
    expect(Array.from(stridedOffsets([3, 2], [1, 3], 0))).toEqual([0, 3, 1, 4, 2, 5]);
    expect(Array.from(stridedOffsets([2, 2], [0, 1], 4))).toEqual([4, 5, 4, 5]);
    expect(Array.from(stridedOffsets([2], [-1], 1))).toEqual([1, 0]);
    expect(Array.from(stridedOffsets([], [], 7))).toEqual([7]);
    expect(Array.from(stridedOffsets([3, 0], [1, 1], 0))).toEqual([]);
  });
});

describe('kernels honour strided views', () => {
  const be = makeBackend();
  const k = be.kernels;
  // m = [[0, 1, 2], [3, 4, 5]] stored contiguously.
  const m = up(be, [0, 1, 2, 3, 4, 5], [2, 3]);
  const mT = viewOf(m.handle, 'f64', [3, 2], [1, 3]);

  it('copy of a transpose is the transposed matrix', () => {
    expect(values(be, k.copy(mT))).toEqual([0, 3, 1, 4, 2, 5]);
  });

  it('binary broadcasts a row (stride 0) against a transposed matrix', () => {
    const row = viewOf(up(be, [10, 20], [2]).handle, 'f64', [3, 2], [0, 1]);
    expect(values(be, k.binary('add', mT, row))).toEqual([10, 23, 11, 24, 12, 25]);
  });

  it('unary reads a slice with an offset', () => {
    // m[1, 1:] = [4, 5]
    const slice = viewOf(m.handle, 'f64', [2], [1], 4);
    expect(values(be, k.unary('neg', slice))).toEqual([-4, -5]);
  });

  it('a scalar broadcast to a shape reads one element', () => {
    const s = viewOf(m.handle, 'f64', [2, 2], [0, 0], 5);
    expect(values(be, k.copy(s))).toEqual([5, 5, 5, 5]);
    const c = viewOf(up(be, [1], [1], 'bool').handle, 'bool', [2, 3], [0, 0]);
    expect(values(be, k.where(c, m, up(be, [0, 0, 0, 0, 0, 0], [2, 3])))).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('reduce over a transposed view', () => {
    // mT = [[0,3],[1,4],[2,5]]: sum over axis 1 → [3, 5, 7], over axis 0 → [3, 12].
    expect(values(be, k.reduce('sum', mT, [1]))).toEqual([3, 5, 7]);
    expect(values(be, k.reduce('sum', mT, [0]))).toEqual([3, 12]);
    expect(values(be, k.reduce('argmax', mT, [0]))).toEqual([2, 2]);
  });

  it('matmul with a transposed and a broadcast operand', () => {
    // mT [3,2] · m [2,3]
    expect(values(be, k.matmul(mT, m))).toEqual([9, 12, 15, 12, 17, 22, 15, 22, 29]);
    // A batch of 2 reading the same matrix (batch stride 0) times a batch of column vectors.
    const a = viewOf(m.handle, 'f64', [2, 2, 3], [0, 3, 1]);
    const b = up(be, [1, 0, 0, 0, 0, 1], [2, 3, 1]);
    expect(values(be, k.matmul(a, b))).toEqual([0, 3, 2, 5]);
  });

  it('concat and cast of strided inputs', () => {
    expect(values(be, k.concat([mT, viewOf(m.handle, 'f64', [1, 2], [0, 1], 1)], 0))).toEqual([0, 3, 1, 4, 2, 5, 1, 2]);
    expect(values(be, k.cast(mT, 'i32'))).toEqual([0, 3, 1, 4, 2, 5]);
  });

  it('gather from a transposed table with strided indices', () => {
    const idx = viewOf(up(be, [2, 9, 0], [3], 'i32').handle, 'i32', [2], [2]); // [2, 0]
    expect(values(be, k.gather(mT, idx, 0))).toEqual([2, 5, 0, 3]);
  });

  it('read returns the view contiguous', async () => {
    expect(Array.from(await be.read(mT))).toEqual([0, 3, 1, 4, 2, 5]);
  });
});
