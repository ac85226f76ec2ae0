import { describe, expect, it } from 'vitest';
import { createRng, mul, ones, RnnkitError, sum, tensor, treeDispose, zeros } from '@rnnkit/tensor';
import { valueAndGrad } from '@rnnkit/autograd';
import { createCpuBackend } from '@rnnkit/backend-cpu';
import { dropout } from '@rnnkit/nn';

const be = createCpuBackend();

describe('dropout', () => {
  it('zeros a fraction p and scales the rest by 1/(1 − p)', () => {
    using x = ones(be, [100, 100], 'f64');
    using y = dropout(x, 0.3, { rng: createRng(0), training: true });
    expect(y.shape).toEqual([100, 100]);
    const v = y.readSync();
    let zerosSeen = 0;
    for (const e of v) {
      if (e === 0) zerosSeen++;
      else expect(e).toBe(1 / 0.7);
    }
    // 10 000 Bernoulli(0.3) draws: standard deviation ≈ 46.
    expect(Math.abs(zerosSeen - 3000)).toBeLessThan(200);
    expect([...x.readSync()].every((e) => e === 1)).toBe(true); // x untouched
  });

  it('is deterministic for an rng state, and differs for another', () => {
    using x = ones(be, [64]);
    using a = dropout(x, 0.5, { rng: createRng(1), training: true });
    using b = dropout(x, 0.5, { rng: createRng(1), training: true });
    using c = dropout(x, 0.5, { rng: createRng(2), training: true });
    expect(a.readSync()).toEqual(b.readSync());
    expect(a.readSync()).not.toEqual(c.readSync());
    // The rng advances: two calls on one stream give two masks.
    const rng = createRng(1);
    using d = dropout(x, 0.5, { rng, training: true });
    using e = dropout(x, 0.5, { rng, training: true });
    expect(d.readSync()).toEqual(a.readSync());
    expect(e.readSync()).not.toEqual(d.readSync());
  });

  it('is the identity (a view of x, no draws) when not training or when p = 0', () => {
    using x = tensor(be, [1, -2, 3], [3]);
    const rng = createRng(5);
    const state = rng.state();
    using evalOut = dropout(x, 0.9, { training: false });
    using evalRng = dropout(x, 0.9, { rng, training: false });
    using zeroP = dropout(x, 0, { rng, training: true });
    for (const y of [evalOut, evalRng, zeroP]) {
      expect(y).not.toBe(x);
      expect([...y.readSync()]).toEqual([1, -2, 3]);
    }
    expect(rng.state()).toEqual(state);
    // The result is the caller's: disposing it leaves x usable.
    evalOut.dispose();
    expect([...x.readSync()]).toEqual([1, -2, 3]);
  });

  it('passes gradients through the mask (and unchanged when not training)', () => {
    using x = tensor(be, [1, 2, 3, 4, 5, 6, 7, 8], [8], 'f64');
    using w = tensor(be, [1, 1, 1, 1, 1, 1, 1, 1], [8], 'f64');
    const run = (training: boolean) =>
      valueAndGrad((p: { x: typeof x }) => sum(mul(dropout(p.x, 0.5, { rng: createRng(9), training }), w)))({ x });
    const train = run(true);
    using y = dropout(x, 0.5, { rng: createRng(9), training: true });
    const kept = [...y.readSync()].map((v) => (v === 0 ? 0 : 2));
    expect([...train.grads.x.readSync()]).toEqual(kept);
    const evaluation = run(false);
    expect([...evaluation.grads.x.readSync()]).toEqual([1, 1, 1, 1, 1, 1, 1, 1]);
    treeDispose([train.value, train.grads, evaluation.value, evaluation.grads]);
  });

  it('leaves no handles behind', () => {
    const before = be.stats().liveHandles;
    const x = zeros(be, [4, 5]);
    const a = dropout(x, 0.5, { rng: createRng(0), training: true });
    const b = dropout(x, 0.5, { training: false });
    expect(be.stats().liveHandles).toBe(before + 2); // x and a (b is a view of x)
    treeDispose([a, b, x]);
    expect(be.stats().liveHandles).toBe(before);
  });

  it('rejects p outside [0, 1), a missing rng and integer input', () => {
    using x = ones(be, [3]);
    const rng = createRng(0);
    for (const p of [1, -0.1, 1.5, NaN]) {
      expect(() => dropout(x, p, { rng, training: true })).toThrow(RnnkitError);
      expect(() => dropout(x, p, { rng, training: false })).toThrow(`dropout: p must be a probability in [0, 1), got ${p};`);
    }
    expect(() => dropout(x, 0.5, { training: true })).toThrow('dropout: training with p > 0 needs an rng for the mask; pass { rng, training: true }.');
    using i = ones(be, [3], 'i32');
    expect(() => dropout(i, 0.5, { rng, training: true })).toThrow("dropout: x must be f32 or f64, got i32 [3]; convert it with cast(x, 'f32').");
  });
});
