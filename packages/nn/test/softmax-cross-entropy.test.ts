import { afterAll, describe, expect, it } from 'vitest';
import { createRng, RnnkitError, tensor, treeDispose, zeros, type Tensor } from '@rnnkit/tensor';
import { valueAndGrad } from '@rnnkit/autograd';
import { createCpuBackend } from '@rnnkit/backend-cpu';
import { assertGradcheck, expectClose } from '@rnnkit/testing';
import { softmaxCrossEntropy, type SoftmaxCrossEntropyOptions } from '@rnnkit/nn';

const be = createCpuBackend();

// −log softmax(row)[t], by hand.
const nll = (row: number[], t: number) => Math.log(row.reduce((s, v) => s + Math.exp(v), 0)) - row[t]!;

const ROWS = [
  [1, 2, 3],
  [0, 0, 0],
  [-1, 4, 0.5],
  [2, -2, 1],
];

describe('softmaxCrossEntropy', () => {
  const logits = tensor(be, ROWS, [2, 2, 3], 'f64'); // logits: [B 2, T 2, V 3]
  afterAll(() => logits.dispose());
  const losses = [nll(ROWS[0]!, 2), nll(ROWS[1]!, 0), nll(ROWS[2]!, 1), nll(ROWS[3]!, 0)];

  const run = (targets: number[], options: SoftmaxCrossEntropyOptions = {}): number[] => {
    using t = tensor(be, targets, [2, 2], 'i32');
    using loss = softmaxCrossEntropy(logits, t, options);
    return [...loss.readSync()];
  };

  it('matches values computed by hand for each reduction', () => {
    const targets = [2, 0, 1, 0];
    expectClose(run(targets, { reduction: 'none' }), losses, 'f64');
    expectClose(run(targets, { reduction: 'sum' }), [losses.reduce((a, b) => a + b)], 'f64');
    expectClose(run(targets), [losses.reduce((a, b) => a + b) / 4], 'f64');
    using t = tensor(be, targets, [2, 2], 'i32');
    using scalar = softmaxCrossEntropy(logits, t);
    expect(scalar.shape).toEqual([]);
    using none = softmaxCrossEntropy(logits, t, { reduction: 'none' });
    expect(none.shape).toEqual([2, 2]);
  });

  it('ignoreIndex and a bool mask exclude tokens; the mean divides by the valid count', () => {
    const [a, , c, d] = losses;
    expectClose(run([2, -100, 1, 0], { ignoreIndex: -100 }), [(a! + c! + d!) / 3], 'f64');
    expectClose(run([2, -100, 1, 0], { ignoreIndex: -100, reduction: 'none' }), [a!, 0, c!, d!], 'f64');
    using mask = tensor(be, [1, 1, 0, 1], [2, 2], 'bool');
    expectClose(run([2, 7, 1, 0], { ignoreIndex: 7, mask }), [(a! + d!) / 2], 'f64');
    expectClose(run([2, 7, 1, 0], { ignoreIndex: 7, mask, reduction: 'sum' }), [a! + d!], 'f64');
  });

  it('a float mask weighs tokens and the mean divides by the total weight', () => {
    const [a, b, c, d] = losses;
    using mask = tensor(be, [0.5, 2, 0, 1], [2, 2], 'f64');
    expectClose(run([2, 0, 1, 0], { mask }), [(0.5 * a! + 2 * b! + d!) / 3.5], 'f64');
    using mask32 = tensor(be, [1, 1, 1, 0], [2, 2], 'f32'); // cast to the logits' dtype
    expectClose(run([2, 0, 1, 0], { mask: mask32, reduction: 'none' }), [a!, b!, c!, 0], 'f64');
    // Weighted and ignored: the ignored token's weight does not count.
    expectClose(run([2, 9, 1, 0], { mask, ignoreIndex: 9 }), [(0.5 * a! + d!) / 1.5], 'f64');
  });

  it('masked tokens may hold any target (padding need not be a class)', () => {
    const [a, , c, d] = losses;
    using mask = tensor(be, [1, 0, 1, 1], [2, 2], 'bool');
    expectClose(run([2, -1, 1, 0], { mask }), [(a! + c! + d!) / 3], 'f64');
    using weights = tensor(be, [1, 0, 1, 2], [2, 2], 'f64');
    expectClose(run([2, 99, 1, 0], { mask: weights, reduction: 'none' }), [a!, 0, c!, 2 * d!], 'f64');
    expect(() => run([2, 99, 1, 5], { mask: weights })).toThrow('softmaxCrossEntropy: targets holds 5 at [1, 1], outside [0, 3)');
  });

  it('is stable for large logits', () => {
    using big = tensor(be, [[1000, 0, -1000], [-5000, 5000, 5001]], [2, 3], 'f32');
    using t = tensor(be, [0, 1], [2], 'i32');
    using loss = softmaxCrossEntropy(big, t, { reduction: 'none' });
    expectClose(loss.readSync(), [0, Math.log(1 + Math.exp(1))], 'f32');
  });

  it('gives a mean of 0 and zero gradients when no token is valid (PyTorch gives NaN)', () => {
    using t = tensor(be, [-1, -1, -1, -1], [2, 2], 'i32');
    expect(run([-1, -1, -1, -1], { ignoreIndex: -1 })).toEqual([0]);
    using none = tensor(be, [0, 0, 0, 0], [2, 2], 'bool');
    expect(run([0, 1, 2, 0], { mask: none })).toEqual([0]);
    const { value, grads } = valueAndGrad((p: { logits: Tensor }) => softmaxCrossEntropy(p.logits, t, { ignoreIndex: -1 }))({ logits });
    expect(value.readSync()[0]).toBe(0);
    expect([...grads.logits.readSync()].every((g) => g === 0)).toBe(true);
    treeDispose([value, grads]);
    using empty = zeros(be, [0, 5]);
    using noTargets = zeros(be, [0], 'i32');
    using loss = softmaxCrossEntropy(empty, noTargets);
    expect([...loss.readSync()]).toEqual([0]);
  });

  it('gradients match central differences (f64) for every reduction, mask and ignoreIndex', async () => {
    const rng = createRng(11);
    using x = tensor(be, rng.normalArray(2 * 3 * 4, 0, 2), [2, 3, 4], 'f64');
    using t = tensor(be, [0, 3, 2, 1, 5, 3], [2, 3], 'i32');
    using mask = tensor(be, [1, 0.5, 0, 2, 1, 1], [2, 3], 'f64');
    using keep = tensor(be, [1, 1, 0, 1, 1, 1], [2, 3], 'bool');
    for (const reduction of ['mean', 'sum', 'none'] as const) {
      await assertGradcheck((l) => softmaxCrossEntropy(l, t, { ignoreIndex: 5, reduction }), [x]);
      await assertGradcheck((l) => softmaxCrossEntropy(l, t, { ignoreIndex: 5, mask, reduction }), [x]);
      await assertGradcheck((l) => softmaxCrossEntropy(l, t, { ignoreIndex: 5, mask: keep, reduction }), [x]);
    }
  });

  it('leaves no handles behind', () => {
    const before = be.stats().liveHandles;
    const t = tensor(be, [0, 1, 2, 0], [2, 2], 'i32');
    const mask = tensor(be, [1, 0, 1, 1], [2, 2], 'bool');
    for (const reduction of ['mean', 'sum', 'none'] as const) {
      const loss = softmaxCrossEntropy(logits, t, { mask, ignoreIndex: 2, reduction });
      loss.dispose();
      const { value, grads } = valueAndGrad((p: { logits: Tensor }) => softmaxCrossEntropy(p.logits, t, { mask, reduction: reduction === 'none' ? 'sum' : reduction }))({ logits });
      treeDispose([value, grads]);
    }
    treeDispose([t, mask]);
    expect(be.stats().liveHandles).toBe(before);
  });

  it('names shapes, dtypes and values in its errors', () => {
    using t = tensor(be, [0, 1, 2], [3], 'i32');
    expect(() => softmaxCrossEntropy(logits, t)).toThrow(RnnkitError);
    expect(() => softmaxCrossEntropy(logits, t)).toThrow(
      'softmaxCrossEntropy: targets [3] must have the shape of logits [2, 2, 3] without its last (class) axis, [2, 2].',
    );
    using tf = zeros(be, [2, 2]);
    expect(() => softmaxCrossEntropy(logits, tf)).toThrow(
      "softmaxCrossEntropy: targets must be i32 class indices, got f32 [2, 2]; convert them with cast(targets, 'i32').",
    );
    using out = tensor(be, [0, 1, 3, 0], [2, 2], 'i32');
    expect(() => softmaxCrossEntropy(logits, out)).toThrow(
      'softmaxCrossEntropy: targets holds 3 at [1, 0], outside [0, 3) for logits [2, 2, 3] with V = 3 classes.',
    );
    expect(() => softmaxCrossEntropy(logits, out, { ignoreIndex: -100 })).toThrow('(and not the ignoreIndex -100)');
    using ok = tensor(be, [0, 1, 2, 0], [2, 2], 'i32');
    using mask = tensor(be, [1, 1], [2], 'bool');
    expect(() => softmaxCrossEntropy(logits, ok, { mask })).toThrow('softmaxCrossEntropy: mask [2] must have the shape of the targets, [2, 2].');
    using imask = tensor(be, [1, 1, 1, 1], [2, 2], 'i32');
    expect(() => softmaxCrossEntropy(logits, ok, { mask: imask })).toThrow('softmaxCrossEntropy: mask must be bool (true = keep) or float (a weight per item), got i32 [2, 2]');
    expect(() => softmaxCrossEntropy(logits, ok, { reduction: 'avg' as never })).toThrow("softmaxCrossEntropy: reduction must be 'mean', 'sum' or 'none', got 'avg'.");
    using il = zeros(be, [2, 2, 3], 'i32');
    expect(() => softmaxCrossEntropy(il, ok)).toThrow("softmaxCrossEntropy: logits must be f32 or f64, got i32 [2, 2, 3]");
  });
});
