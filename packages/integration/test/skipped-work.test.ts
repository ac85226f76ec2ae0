// Work the library skips because no one reads it (ADR 0011): the gradient of constants, saved
// activations when nothing traces, copies for same-shape reshapes, ten ops per Adam step.
import { valueAndGrad } from '@rnnkit/autograd';
import { createCpuBackend } from '@rnnkit/backend-cpu';
import { createWasmBackend } from '@rnnkit/backend-wasm';
import { scan } from '@rnnkit/bptt';
import { lstm, rnn } from '@rnnkit/cells';
import { adam, disposeState } from '@rnnkit/optim';
import {
  createRng, matmul, normal, reshape, sum, transpose, treeDispose, type Backend, type FusedKernels, type SequenceArgs, type Tensor,
} from '@rnnkit/tensor';
import { describe, expect, it } from 'vitest';

/** The CPU backend with its matmul calls and the `forwardOnly` flags of its sequence kernels recorded. */
function instrumented(): { be: Backend; matmuls: () => number; forwardOnly: (boolean | undefined)[] } {
  const inner: Backend = createCpuBackend();
  let matmuls = 0;
  const forwardOnly: (boolean | undefined)[] = [];
  const fused = inner.fused!;
  const be: Backend = {
    ...inner,
    kernels: { ...inner.kernels, matmul: (a, b) => (matmuls++, inner.kernels.matmul(a, b)) },
    fused: {
      ...fused,
      rnnSequence: (args: SequenceArgs, act: 'tanh' | 'relu') => (forwardOnly.push(args.options.forwardOnly), fused.rnnSequence!(args, act)),
    } satisfies FusedKernels,
  };
  return { be, matmuls: () => matmuls, forwardOnly };
}

describe('work skipped because no one reads it', () => {
  it('the gradient of x·Wᵀ with respect to W costs one GEMM, none for the constant x', () => {
    const { be, matmuls } = instrumented();
    const rng = createRng(1);
    const x = normal(rng, be, [6, 4]);
    const w = normal(rng, be, [3, 4]);
    const before = matmuls();
    const { value, grads } = valueAndGrad((p: { w: Tensor }) => sum(matmul(x, transpose(p.w))))({ w });
    expect(matmuls() - before, 'one forward GEMM and one for dW').toBe(2);
    expect(grads.w.shape).toEqual([3, 4]);
    treeDispose([x, w, value, grads]);
  });

  it('scan asks for forward-only sequence kernels exactly when nothing traces', () => {
    const { be, forwardOnly } = instrumented();
    const cell = rnn({ inputSize: 3, hiddenSize: 4 });
    const params = cell.init(createRng(2), be);
    const xs = normal(createRng(3), be, [5, 2, 3]);
    const plain = scan(cell, params, xs);
    const traced = valueAndGrad((p: typeof params) => {
      const r = scan(cell, p, xs);
      treeDispose(r.state);
      return sum(r.ys);
    })(params);
    expect(forwardOnly).toEqual([true, false]);
    treeDispose([plain.ys, plain.state, traced.value, traced.grads, params, xs]);
  });

  it('the wasm backend keeps nothing for a forward-only sequence, and its backward says why it cannot run', () => {
    const be: Backend = createWasmBackend({ simd: 'none' });
    const cell = lstm({ inputSize: 3, hiddenSize: 4 });
    const params = cell.init(createRng(4), be) as Record<string, Tensor>;
    const xs = normal(createRng(5), be, [5, 2, 3]);
    const h0 = normal(createRng(6), be, [2, 4]);
    const proj = matmul(xs, transpose(params['weight_ih']!));
    const args = {
      xProj: proj.view(), h0: h0.view(), c0: h0.view(), wHh: params['weight_hh']!.view(), bHh: params['bias_hh']!.view(), options: { forwardOnly: true },
    };
    const before = be.stats().liveHandles;
    const fwd = be.fused!.lstmSequence!(args);
    expect(fwd.saved).toEqual([]);
    expect(be.stats().liveHandles - before, 'hs, hT and cT only').toBe(3);
    expect(() => be.fused!.lstmSequenceBackward!(args, fwd, { dhT: h0.view() })).toThrow(/forwardOnly/);
    for (const h of [fwd.hs, fwd.hT, fwd.cT!]) be.free(h);
    treeDispose([params, xs, h0, proj]);
  });

  it('reshape to the same shape is a view of a strided tensor, not a copy', async () => {
    const be = createCpuBackend();
    const x = normal(createRng(7), be, [3, 5]);
    const t = transpose(x);
    const before = be.stats().liveHandles;
    const y = reshape(t, t.shape);
    expect(be.stats().liveHandles).toBe(before);
    expect(y.strides).toEqual(t.strides);
    expect(await y.read()).toEqual(await t.read());
    treeDispose([x, t, y]);
  });

  it('Adam takes the fused step when the backend has one and gives the composite path its bits', async () => {
    const withFused = createCpuBackend();
    const inner = createCpuBackend();
    const composite: Backend = { ...inner, fused: { ...inner.fused! } };
    delete (composite.fused as FusedKernels).adamStep;
    expect(withFused.fused?.adamStep, 'the reference backend has the fused step').toBeTypeOf('function');
    const run = async (be: Backend) => {
      const rng = createRng(8);
      const p = { w: normal(rng, be, [7, 3]), b: normal(rng, be, [3]) };
      const opt = adam(1e-2);
      let state = opt.init(p);
      const g = { w: normal(rng, be, [7, 3]), b: normal(rng, be, [3]) };
      const out: number[][] = [];
      for (let i = 0; i < 3; i++) {
        const [u, next] = opt.update(g, state, p) as [{ w: Tensor; b: Tensor }, typeof state];
        for (const t of [u.w, u.b]) out.push(Array.from(await t.read()));
        treeDispose(u);
        disposeState(state);
        state = next;
      }
      treeDispose([p, g]);
      disposeState(state);
      return out;
    };
    expect(await run(withFused)).toEqual(await run(composite));
  });
});
