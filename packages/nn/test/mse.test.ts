import { describe, expect, it } from 'vitest';
import { createRng, RnnkitError, tensor, treeDispose, zeros, type Tensor } from '@rnnkit/tensor';
import { valueAndGrad } from '@rnnkit/autograd';
import { createCpuBackend } from '@rnnkit/backend-cpu';
import { assertGradcheck, expectClose } from '@rnnkit/testing';
import { mse, type MseOptions } from '@rnnkit/nn';

const be = createCpuBackend();

describe('mse', () => {
  // pred − target = [[1, -2, 0], [3, 0.5, -1]]: squares [[1, 4, 0], [9, 0.25, 1]], sum 15.25.
  const run = (options: MseOptions = {}): { shape: number[]; values: number[] } => {
    using pred = tensor(be, [[2, 0, 1], [3, 1, -1]], [2, 3], 'f64');
    using target = tensor(be, [[1, 2, 1], [0, 0.5, 0]], [2, 3], 'f64');
    using loss = mse(pred, target, options);
    return { shape: [...loss.shape], values: [...loss.readSync()] };
  };

  it('matches values computed by hand for each reduction', () => {
    expect(run()).toEqual({ shape: [], values: [15.25 / 6] });
    expect(run({ reduction: 'sum' })).toEqual({ shape: [], values: [15.25] });
    expect(run({ reduction: 'none' })).toEqual({ shape: [2, 3], values: [1, 4, 0, 9, 0.25, 1] });
  });

  it('a mask of the same shape or of the leading axes excludes elements; the mean divides by the valid count', () => {
    using full = tensor(be, [[1, 0, 1], [1, 1, 0]], [2, 3], 'bool');
    expect(run({ mask: full }).values).toEqual([(1 + 0 + 9 + 0.25) / 4]);
    expect(run({ mask: full, reduction: 'none' }).values).toEqual([1, 0, 0, 9, 0.25, 0]);
    using rows = tensor(be, [0, 1], [2], 'bool'); // masks whole rows of pred [2, 3]
    expect(run({ mask: rows }).values).toEqual([10.25 / 3]);
    using weights = tensor(be, [2, 0.5], [2], 'f64');
    expectClose(run({ mask: weights }).values, [(2 * 5 + 0.5 * 10.25) / 7.5], 'f64');
    using none = tensor(be, [0, 0], [2], 'bool');
    expect(run({ mask: none }).values).toEqual([0]);
  });

  it('gradients match central differences (f64), with and without masks', async () => {
    const rng = createRng(4);
    using pred = tensor(be, rng.normalArray(12), [2, 3, 2], 'f64');
    using target = tensor(be, rng.normalArray(12), [2, 3, 2], 'f64');
    using keep = tensor(be, [1, 0, 1, 1, 1, 0], [2, 3], 'bool');
    using weights = tensor(be, [0.5, 2], [2], 'f64');
    for (const reduction of ['mean', 'sum', 'none'] as const) {
      await assertGradcheck((p, t) => mse(p, t, { reduction }), [pred, target]);
      await assertGradcheck((p, t) => mse(p, t, { reduction, mask: keep }), [pred, target]);
      await assertGradcheck((p, t) => mse(p, t, { reduction, mask: weights }), [pred, target]);
    }
  });

  it('leaves no handles behind', () => {
    const before = be.stats().liveHandles;
    const pred = zeros(be, [2, 3]);
    const target = zeros(be, [2, 3]);
    const mask = tensor(be, [1, 0], [2], 'bool');
    const { value, grads } = valueAndGrad((p: { pred: Tensor }) => mse(p.pred, target, { mask }))({ pred });
    treeDispose([value, grads, pred, target, mask]);
    expect(be.stats().liveHandles).toBe(before);
  });

  it('names shapes and dtypes in its errors', () => {
    using pred = zeros(be, [2, 3]);
    using other = zeros(be, [3, 2]);
    expect(() => mse(pred, other)).toThrow(RnnkitError);
    expect(() => mse(pred, other)).toThrow('mse: pred [2, 3] and target [3, 2] must have the same shape; mse does not broadcast, so reshape or expand target first.');
    using target64 = zeros(be, [2, 3], 'f64');
    expect(() => mse(pred, target64)).toThrow("mse: pred is f32 but target is f64; cast one with cast(target, 'f32').");
    using target = zeros(be, [2, 3]);
    using trailing = tensor(be, [1, 1, 1], [3], 'bool');
    expect(() => mse(pred, target, { mask: trailing })).toThrow('mse: mask [3] must have the shape of pred [2, 3] or of its leading axes.');
    expect(() => mse(pred, target, { reduction: 'max' as never })).toThrow("mse: reduction must be 'mean', 'sum' or 'none', got 'max'.");
  });
});
