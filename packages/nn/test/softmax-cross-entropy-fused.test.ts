import { describe, expect, it, vi } from 'vitest';
import { createRng, mul, sum, tensor, treeDispose, type Tensor } from '@rnnkit/tensor';
import { grad, jvp, valueAndGrad } from '@rnnkit/autograd';
import { createCpuBackend } from '@rnnkit/backend-cpu';
import { expectClose } from '@rnnkit/testing';
import { softmaxCrossEntropy, type SoftmaxCrossEntropyOptions } from '@rnnkit/nn';

// The fused path (the backend's crossEntropy kernels inside one custom-gradient op) against the
// composite of primitive ops (fused: false), on the same backend and inputs.

const be = createCpuBackend();
const rng = createRng(5);
const [B, T, V] = [3, 4, 6];
const close = { rtol: 1e-12, atol: 1e-14 };

describe('softmaxCrossEntropy: fused kernels vs the composite', () => {
  const x = tensor(be, rng.normalArray(B * T * V, 0, 3), [B, T, V], 'f64');
  const t = tensor(be, [0, 5, 2, 1, 7, 3, 4, 4, 0, 7, 2, 5], [B, T], 'i32'); // 7 = ignored
  const weights = tensor(be, [1, 0.5, 0, 2, 1, 1, 3, 1, 0.25, 1, 1, 0], [B, T], 'f64');
  const keep = tensor(be, [1, 1, 0, 1, 1, 1, 1, 0, 1, 1, 1, 1], [B, T], 'bool');
  const variants: [string, SoftmaxCrossEntropyOptions][] = [];
  for (const reduction of ['mean', 'sum', 'none'] as const) {
    variants.push([`${reduction}`, { reduction }], [`${reduction}, ignoreIndex`, { reduction, ignoreIndex: 7 }]);
    variants.push([`${reduction}, float mask`, { reduction, ignoreIndex: 7, mask: weights }], [`${reduction}, bool mask`, { reduction, ignoreIndex: 7, mask: keep }]);
  }

  for (const [name, options] of variants) {
    const targets = options.ignoreIndex === undefined ? tensor(be, [0, 5, 2, 1, 1, 3, 4, 4, 0, 2, 2, 5], [B, T], 'i32') : t;
    it(`${name}: same values, gradients and forward-mode tangents`, async () => {
      const fusedSpy = vi.spyOn(be.fused!, 'crossEntropy');
      const backSpy = vi.spyOn(be.fused!, 'crossEntropyBackward');
      try {
        const ref = createRng(9);
        const w = ref.normalArray(B * T, 0, 1);
        // 'none' returns per-token losses: weigh them into one scalar to differentiate.
        const loss = (fused: boolean) => (p: { x: Tensor }) => {
          const l = softmaxCrossEntropy(p.x, targets, { ...options, fused });
          return l.rank === 0 ? l : sum(mul(l, tensor(be, w, l.shape, 'f64')));
        };
        const a = valueAndGrad(loss(true))({ x });
        expect(fusedSpy).toHaveBeenCalledTimes(1);
        expect(backSpy).toHaveBeenCalledTimes(1);
        const b = valueAndGrad(loss(false))({ x });
        expect(fusedSpy).toHaveBeenCalledTimes(1); // fused: false never calls them
        expectClose(await a.value.read(), await b.value.read(), close, 'value');
        expectClose(await a.grads.x.read(), await b.grads.x.read(), close, 'gradient');
        const dx = tensor(be, ref.normalArray(B * T * V, 0, 1), [B, T, V], 'f64');
        const [pa, ta] = jvp((l) => loss(true)({ x: l }), [x], [dx]);
        const [pb, tb] = jvp((l) => loss(false)({ x: l }), [x], [dx]);
        expectClose(await ta.read(), await tb.read(), close, 'tangent');
        treeDispose([a.value, a.grads, b.value, b.grads, dx, pa, ta, pb, tb]);
      } finally {
        fusedSpy.mockRestore();
        backSpy.mockRestore();
        if (targets !== t) targets.dispose();
      }
    });
  }

  it('second derivatives (a tracer inside a tracer) take the composite path and agree with it', async () => {
    const spy = vi.spyOn(be.fused!, 'crossEntropy');
    try {
      // d/dx of Σ (d loss/dx)²: needs the backward itself differentiated.
      const g = (fused: boolean) => grad((p: { x: Tensor }) => {
        const inner = grad((q: { x: Tensor }) => softmaxCrossEntropy(q.x, t, { ignoreIndex: 7, fused }))(p);
        const s = sum(mul(inner.x, inner.x));
        inner.x.dispose();
        return s;
      })({ x });
      const a = g(true);
      expect(spy).not.toHaveBeenCalled();
      const b = g(false);
      expectClose(await a.x.read(), await b.x.read(), close, 'second derivative');
      treeDispose([a, b]);
    } finally {
      spy.mockRestore();
    }
  });

  it('f32: the kernels agree with the composite to f32 tolerance and free what they make', async () => {
    const x32 = tensor(be, rng.normalArray(B * T * V, 0, 4), [B, T, V], 'f32');
    const before = be.stats().liveHandles;
    const step = (fused: boolean) => valueAndGrad((p: { x: Tensor }) => softmaxCrossEntropy(p.x, t, { ignoreIndex: 7, mask: keep, fused }))({ x: x32 });
    const a = step(true);
    const b = step(false);
    expectClose(await a.value.read(), await b.value.read(), 'f32', 'value');
    expectClose(await a.grads.x.read(), await b.grads.x.read(), 'f32', 'gradient');
    treeDispose([a.value, a.grads, b.value, b.grads]);
    expect(be.stats().liveHandles).toBe(before);
    x32.dispose();
  });
});
