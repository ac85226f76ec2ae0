import { describe, expect, it } from 'vitest';
import { createRng, logSoftmax, matmul, mean, mul, normal, neg, reshape, scope, sub, tanh, treeDispose, type Tensor } from '@rnnkit/tensor';
import { createCpuBackend } from '@rnnkit/backend-cpu';
import { valueAndGrad } from '@rnnkit/autograd';

describe('autograd memory', () => {
  it('keeps live handles flat over 1,000 training steps', async () => {
    const be = createCpuBackend();
    const rng = createRng(0);
    let params = { w: normal(rng, be, [4, 3], 0, 0.1), u: normal(rng, be, [3, 3], 0, 0.1) };
    const x = normal(rng, be, [8, 4]);
    const targets = normal(rng, be, [8, 3]);
    const loss = (p: typeof params) => {
      const h = tanh(matmul(tanh(matmul(x, p.w)), p.u));
      const d = sub(h, targets);
      return mean(mul(d, d));
    };
    const step = valueAndGrad(loss);
    const counts: number[] = [];
    let first = 0;
    let last = 0;
    for (let i = 0; i < 1000; i++) {
      const { value, grads } = step(params);
      const next = scope(() => ({ w: sub(params.w, mul(grads.w, 0.1)), u: sub(params.u, mul(grads.u, 0.1)) }));
      if (i === 0) first = await value.item();
      if (i === 999) last = await value.item();
      value.dispose();
      treeDispose(grads);
      treeDispose(params);
      params = next;
      counts.push(be.stats().liveHandles);
    }
    expect(new Set(counts.slice(1)).size).toBe(1);
    expect(counts[999]).toBe(counts[0]);
    expect(last).toBeLessThan(first);
    treeDispose(params);
    x.dispose();
    targets.dispose();
    expect(be.stats().liveHandles).toBe(0);
  });

  it('frees every intermediate when the gradient is done', () => {
    const be = createCpuBackend();
    const rng = createRng(1);
    const w = normal(rng, be, [5, 7], 0, 1, { dtype: 'f64' });
    const before = be.stats().liveHandles;
    const { value, grads } = valueAndGrad((p: { w: Tensor }) => mean(logSoftmax(mul(tanh(p.w), 3))))({ w });
    expect(be.stats().liveHandles).toBe(before + 2);
    value.dispose();
    grads.w.dispose();
    expect(be.stats().liveHandles).toBe(before);
    w.dispose();
  });

  it('survives the user disposing a saved tensor before the backward', async () => {
    const be = createCpuBackend();
    const rng = createRng(2);
    const w = normal(rng, be, [3], 0, 1, { dtype: 'f64' });
    const { value, grads } = valueAndGrad((p: { w: Tensor }) => {
      const t = tanh(p.w);
      const out = mean(mul(t, t));
      t.dispose(); // the tape holds its own reference
      return out;
    })({ w });
    const wv = await w.read();
    const expected = Array.from(wv, (v) => (2 * Math.tanh(v) * (1 - Math.tanh(v) ** 2)) / 3);
    const got = Array.from(await grads.w.read());
    got.forEach((g, i) => expect(g).toBeCloseTo(expected[i]!, 12));
    value.dispose();
    grads.w.dispose();
    w.dispose();
    expect(be.stats().liveHandles).toBe(0);
  });

  it('gives zero gradients for parameters the loss does not use, and handles reuse', async () => {
    const be = createCpuBackend();
    const rng = createRng(3);
    const a = normal(rng, be, [2], 0, 1, { dtype: 'f64' });
    const b = normal(rng, be, [2], 0, 1, { dtype: 'f64' });
    const { value, grads } = valueAndGrad((p: { a: Tensor; b: Tensor }) => mean(mul(p.a, neg(reshape(p.a, [2])))))({ a, b });
    expect(Array.from(await grads.b.read())).toEqual([0, 0]);
    const av = await a.read();
    expect(Array.from(await grads.a.read())).toEqual(Array.from(av, (v) => -v));
    for (const t of [value, grads.a, grads.b, a, b]) t.dispose();
    expect(be.stats().liveHandles).toBe(0);
  });
});
