import { describe, expect, it } from 'vitest';
import { broadcastShapes, contiguousStrides, normAxes, normAxis, sizeOf } from '../src/shape.js';
import { RnnkitError } from '../src/errors.js';

describe('shapes', () => {
  it('computes sizes and row-major strides', () => {
    expect(sizeOf([])).toBe(1);
    expect(sizeOf([2, 0, 3])).toBe(0);
    expect(contiguousStrides([2, 3, 4])).toEqual([12, 4, 1]);
    expect(contiguousStrides([])).toEqual([]);
  });

  it('broadcasts like NumPy', () => {
    expect(broadcastShapes('add', [3, 1], [1, 4])).toEqual([3, 4]);
    expect(broadcastShapes('add', [], [2, 3])).toEqual([2, 3]);
    expect(broadcastShapes('where', [5, 1, 2], [4, 1], [2])).toEqual([5, 4, 2]);
    expect(broadcastShapes('add', [0, 1], [1, 3])).toEqual([0, 3]);
  });

  it('names the op, both shapes and the axis when broadcasting fails', () => {
    expect(() => broadcastShapes('add', [2, 3], [4, 3])).toThrow(RnnkitError);
    expect(() => broadcastShapes('add', [2, 3], [4, 3])).toThrow('add: shapes [2, 3] and [4, 3] cannot be broadcast together (axis -2: 2 vs 4).');
  });

  it('normalises axes and rejects bad ones', () => {
    expect(normAxis('sum', -1, 3)).toBe(2);
    expect(normAxes('sum', undefined, 3)).toEqual([0, 1, 2]);
    expect(normAxes('sum', [2, -3], 3)).toEqual([0, 2]);
    expect(() => normAxis('sum', 3, 3)).toThrow('sum: axis 3 is out of range for a tensor of rank 3.');
    expect(() => normAxes('sum', [1, -2], 3)).toThrow('repeat an axis');
  });
});
