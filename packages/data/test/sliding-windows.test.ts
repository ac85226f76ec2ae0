import { describe, expect, it } from 'vitest';
import { slidingWindows } from '../src/index.js';

describe('slidingWindows', () => {
  const series = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
  it('makes [T, B, 1] inputs and the next value as the target', () => {
    const ds = slidingWindows(series, { window: 3 });
    expect(ds.count).toBe(7);
    const b = ds.batch([0, 2]);
    expect(b.inputs.shape).toEqual([3, 2, 1]);
    expect(Array.from(b.inputs.data)).toEqual([0, 2, 1, 3, 2, 4]);
    expect(b.targets.shape).toEqual([2, 1]);
    expect(Array.from(b.targets.data)).toEqual([3, 5]);
    expect(b.inputs.dtype).toBe('f32');
  });
  it('handles features, target columns, horizon and stride', () => {
    // 6 rows of (x, 10x)
    const rows = [0, 1, 2, 3, 4, 5].flatMap((x) => [x, 10 * x]);
    const ds = slidingWindows(rows, { numFeatures: 2, window: 2, horizon: 2, stride: 2, targetColumns: [1], dtype: 'f64' });
    expect(ds.count).toBe(2); // starts 0 and 2
    const b = ds.batch([1]);
    expect(Array.from(b.inputs.data)).toEqual([2, 20, 3, 30]);
    expect(b.targets.shape).toEqual([1, 2]);
    expect(Array.from(b.targets.data)).toEqual([40, 50]);
    expect(Array.from(b.starts)).toEqual([2]);
  });
  it("gives a target at every step in mode 'sequence'", () => {
    const b = slidingWindows(series, { window: 3, mode: 'sequence' }).batch([4]);
    expect(b.targets.shape).toEqual([3, 1, 1]);
    expect(Array.from(b.targets.data)).toEqual([5, 6, 7]);
  });
  it('batches every window, shuffled deterministically from a seed', () => {
    const ds = slidingWindows(series, { window: 3 });
    const starts = (bs: ReturnType<typeof ds.batches>) => bs.flatMap((b) => Array.from(b.starts));
    expect(starts(ds.batches({ batchSize: 3 }))).toEqual([0, 1, 2, 3, 4, 5, 6]);
    const s = starts(ds.batches({ batchSize: 3, shuffle: 5 }));
    expect(s).toEqual(starts(ds.batches({ batchSize: 3, shuffle: 5 })));
    expect([...s].sort()).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(ds.batches({ batchSize: 3, dropLast: true })).toHaveLength(2);
  });
  it('explains a series too short for one window', () => {
    expect(() => slidingWindows([1, 2, 3], { window: 3 })).toThrow(/3 rows, too few for one window of 3 steps and a horizon of 1/);
    expect(() => slidingWindows([1, 2, 3], { window: 1, numFeatures: 2 })).toThrow(/not a whole number of rows of 2 features/);
  });
});
