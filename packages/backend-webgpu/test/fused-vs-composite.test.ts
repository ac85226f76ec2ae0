// The fused sequence kernels against the composite path through autograd, both on WebGPU: scan
// with fused: true (one whole-sequence kernel, custom VJP) and fused: false (the cell's step,
// unrolled and differentiated op by op) from the same numbers give the same outputs, final states
// and gradients (f32 tolerance), for every cell the kernels cover, with lengths and reverse.
import { valueAndGradWithAux } from '@rnnkit/autograd';
import { scan, type ScanOptions } from '@rnnkit/bptt';
import { gru, lstm, rnn } from '@rnnkit/cells';
import { add, createRng, mul, normal, sum, treeDispose, type Backend, type Cell, type ParamTree, type Tensor } from '@rnnkit/tensor';
import { expectClose } from '@rnnkit/testing';
import { afterAll, beforeAll, describe, expect, it, vi, type TestContext } from 'vitest';
import type { WebGpuBackend } from '../src/index.js';
import { gpuBackend } from './gpu.js';

const CELLS: { name: string; make: (I: number, H: number) => Cell }[] = [
  { name: 'rnn tanh', make: (I, H) => rnn({ inputSize: I, hiddenSize: H, activation: 'tanh', dtype: 'f32' }) },
  { name: 'rnn relu', make: (I, H) => rnn({ inputSize: I, hiddenSize: H, activation: 'relu', dtype: 'f32' }) },
  { name: 'lstm', make: (I, H) => lstm({ inputSize: I, hiddenSize: H, dtype: 'f32' }) },
  { name: 'gru reset-after', make: (I, H) => gru({ inputSize: I, hiddenSize: H, resetAfter: true, dtype: 'f32' }) },
  { name: 'gru reset-before', make: (I, H) => gru({ inputSize: I, hiddenSize: H, resetAfter: false, dtype: 'f32' }) },
];

const [T, B, I, H] = [9, 4, 5, 24];
const OPTIONS: { name: string; options: ScanOptions }[] = [
  { name: 'full length', options: {} },
  { name: 'variable lengths', options: { lengths: [9, 4, 1, 6] } },
  { name: 'variable lengths, reverse', options: { lengths: [3, 9, 1, 7], reverse: true } },
];

async function values(ts: Record<string, Tensor>): Promise<Record<string, number[]>> {
  const out: Record<string, number[]> = {};
  for (const [k, t] of Object.entries(ts)) out[k] = Array.from(await t.read());
  return out;
}

describe('fused sequence kernels match the composite path through autograd, on WebGPU', () => {
  let gpu: WebGpuBackend | null = null;
  let fusedCalls = () => 0;
  beforeAll(async () => {
    gpu = await gpuBackend();
    if (gpu) {
      const spies = (['rnnSequence', 'lstmSequence', 'gruSequence'] as const).map((k) => vi.spyOn(gpu!.fused!, k));
      fusedCalls = () => spies.reduce((n, s) => n + s.mock.calls.length, 0);
    }
  });
  afterAll(() => gpu?.destroy());
  const need = (ctx: TestContext): WebGpuBackend => gpu ?? ctx.skip('no WebGPU adapter here');

  for (const c of CELLS) {
    it.for(OPTIONS)(`${c.name}, $name: outputs, final state and every gradient (parameters, inputs, initial state)`, async ({ options }, ctx) => {
      const be: Backend = need(ctx);
      const before = be.stats().liveHandles;
      const cell = c.make(I, H);
      const rng = createRng(11);
      const params = cell.init(rng.fork('params'), be);
      const xs = normal(rng.fork('xs'), be, [T, B, I], 0, 1, { dtype: 'f32' });
      const init = Object.fromEntries(Object.entries<number>(cell.stateSizes).map(([k, s]) => [k, normal(rng.fork(k), be, [B, s], 0, 0.5, { dtype: 'f32' })]));
      const wOut = normal(rng.fork('wOut'), be, [T, B, H], 0, 1, { dtype: 'f32' });
      const wState = normal(rng.fork('wState'), be, [B, H], 0, 1, { dtype: 'f32' });
      type Inputs = { params: ParamTree; xs: Tensor; init: Record<string, Tensor> };
      const run = async (fused: boolean) => {
        const calls = fusedCalls();
        const { value, grads, aux } = valueAndGradWithAux((d: Inputs) => {
          const res = scan(cell, d.params, d.xs, { ...options, fused, initialState: d.init });
          let loss = sum(mul(res.ys, wOut));
          for (const s of Object.values(res.state)) loss = add(loss, sum(mul(s, wState)));
          return [loss, res] as const;
        })({ params, xs, init });
        expect(fusedCalls() > calls, `fused kernel used with fused: ${fused}`).toBe(fused);
        try {
          return {
            ...(await values({ ys: aux.ys, ...Object.fromEntries(Object.entries(aux.state).map(([k, t]) => [`state ${k}`, t])) })),
            ...(await values(Object.fromEntries(Object.entries(grads.params as Record<string, Tensor>).map(([k, g]) => [`d/d${k}`, g])))),
            ...(await values({ 'd/dxs': grads.xs })),
            ...(await values(Object.fromEntries(Object.entries(grads.init).map(([k, g]) => [`d/d initial ${k}`, g])))),
          };
        } finally {
          treeDispose([value, grads, aux.ys, aux.state]);
        }
      };
      try {
        const fused = await run(true);
        const composite = await run(false);
        expect(Object.keys(fused).sort()).toEqual(Object.keys(composite).sort());
        for (const [k, want] of Object.entries(composite)) expectClose(fused[k]!, want, 'f32', `fused vs composite: ${k}`);
      } finally {
        treeDispose([params, xs, init, wOut, wState]);
      }
      expect(be.stats().liveHandles).toBe(before);
    });
  }
});
