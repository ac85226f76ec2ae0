import { describe, expect, it, vi } from 'vitest';
import { add, createRng, matmul, mul, sum, tensor, transpose, treeDispose, type Backend, type Tensor } from '@rnnkit/tensor';
import { affine, grad, jvp, valueAndGrad } from '@rnnkit/autograd';
import { createCpuBackend } from '@rnnkit/backend-cpu';
import { createWasmBackend } from '@rnnkit/backend-wasm';
import { expectClose } from '@rnnkit/testing';

// affine(x, W, b) = x·Wᵀ + b: through the backend's fused matmulBias kernel when it has one, with
// its own derivative rules; checked against the composite matmul-then-add on the same backend.

const [N1, N2, I, O] = [3, 4, 5, 7];
const composite = (x: Tensor, w: Tensor, b: Tensor) => add(matmul(x, transpose(w)), b);

function inputs(be: Backend, dtype: 'f32' | 'f64') {
  const rng = createRng(11);
  return {
    x: tensor(be, rng.normalArray(N1 * N2 * I), [N1, N2, I], dtype),
    w: tensor(be, rng.normalArray(O * I), [O, I], dtype),
    b: tensor(be, rng.normalArray(O), [O], dtype),
    dx: tensor(be, rng.normalArray(N1 * N2 * I), [N1, N2, I], dtype),
    dw: tensor(be, rng.normalArray(O * I), [O, I], dtype),
    db: tensor(be, rng.normalArray(O), [O], dtype),
    weights: tensor(be, rng.normalArray(N1 * N2 * O), [N1, N2, O], dtype),
  };
}

const backends: [string, () => Backend, 'f32' | 'f64', { rtol: number; atol: number }][] = [
  ['cpu f64', () => createCpuBackend(), 'f64', { rtol: 1e-12, atol: 1e-13 }],
  ['wasm f32 (SIMD)', () => createWasmBackend({ simd: 'simd' }), 'f32', { rtol: 1e-6, atol: 1e-6 }],
  ['wasm f64 (JS engine)', () => createWasmBackend({ simd: 'simd' }), 'f64', { rtol: 1e-12, atol: 1e-13 }],
];

describe.each(backends)('affine on %s', (_name, make, dtype, close) => {
  const be = make();

  it('calls the fused kernel once and gives the composite value, gradients and tangents', async () => {
    const t = inputs(be, dtype);
    const spy = vi.spyOn(be.fused!, 'matmulBias');
    try {
      // A weighted sum makes every output element count.
      const loss = (f: (x: Tensor, w: Tensor, b: Tensor) => Tensor) => (p: { x: Tensor; w: Tensor; b: Tensor }) => sum(mul(f(p.x, p.w, p.b), t.weights));
      const a = valueAndGrad(loss(affine))({ x: t.x, w: t.w, b: t.b });
      expect(spy).toHaveBeenCalledTimes(1);
      expect(a.value.shape).toEqual([]);
      const c = valueAndGrad(loss(composite))({ x: t.x, w: t.w, b: t.b });
      expectClose(await a.value.read(), await c.value.read(), close, 'value');
      for (const k of ['x', 'w', 'b'] as const) expectClose(await a.grads[k].read(), await c.grads[k].read(), close, `d${k}`);
      const [pa, ta] = jvp((x, w, b) => affine(x, w, b), [t.x, t.w, t.b], [t.dx, t.dw, t.db]);
      const [pc, tc] = jvp((x, w, b) => composite(x, w, b), [t.x, t.w, t.b], [t.dx, t.dw, t.db]);
      expect(ta.shape).toEqual([N1, N2, O]);
      expectClose(await pa.read(), await pc.read(), close, 'primal');
      expectClose(await ta.read(), await tc.read(), close, 'tangent');
      // A tangent of the bias alone still has the output's shape.
      const [, tb] = jvp((b) => affine(t.x, t.w, b), [t.b], [t.db]);
      const [, tbc] = jvp((b) => composite(t.x, t.w, b), [t.b], [t.db]);
      expect(tb.shape).toEqual([N1, N2, O]);
      expectClose(await tb.read(), await tbc.read(), close, 'bias tangent');
      treeDispose([a.value, a.grads, c.value, c.grads, pa, ta, pc, tc, tb, tbc, t]);
    } finally {
      spy.mockRestore();
    }
  });

  it('skips the input gradient when the input is data (no GEMM for it)', () => {
    const t = inputs(be, dtype);
    const before = be.stats().liveHandles;
    const spy = vi.spyOn(be.kernels, 'matmul');
    try {
      const g = grad((p: { w: Tensor; b: Tensor }) => sum(mul(affine(t.x, p.w, p.b), t.weights)))({ w: t.w, b: t.b });
      // The backward's only GEMM is dW = gᵀ·x; dx = g·W is never formed.
      expect(spy).toHaveBeenCalledTimes(1);
      treeDispose(g);
    } finally {
      spy.mockRestore();
    }
    treeDispose(t);
    expect(be.stats().liveHandles).toBe(before - 7);
  });

  it('differentiates twice (its backward is made of traced ops)', async () => {
    const t = inputs(be, dtype);
    const second = (f: (x: Tensor, w: Tensor, b: Tensor) => Tensor) =>
      grad((p: { w: Tensor }) => {
        const inner = grad((q: { w: Tensor }) => sum(mul(f(t.x, q.w, t.b), f(t.x, q.w, t.b))))(p);
        const s = sum(mul(inner.w, inner.w));
        inner.w.dispose();
        return s;
      })({ w: t.w });
    const a = second(affine);
    const c = second(composite);
    expectClose(await a.w.read(), await c.w.read(), { rtol: close.rtol * 100, atol: close.atol * 100 }, 'second derivative');
    treeDispose([a, c, t]);
  });

  it('names the shapes when they do not fit', () => {
    const t = inputs(be, dtype);
    expect(() => affine(t.weights, t.w, t.b)).toThrow('affine: x [3, 4, 7] and weight [7, 5] do not fit; pass x: [..., I] and weight: [O, I].');
    expect(() => affine(t.x, t.w, t.x)).toThrow('affine: bias [3, 4, 5] must be [7] for weight [7, 5].');
    treeDispose(t);
  });
});
