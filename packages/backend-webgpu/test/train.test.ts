// Training a small LSTM language model (embedding → LSTM → linear head, softmax cross-entropy,
// plain SGD, no dropout) for 50 steps on WebGPU (f32, fused kernels) tracks the same training on
// the CPU backend (f64, from the same f32 initial parameters and the same batches): the loss of
// every step agrees within 1e-4 relative, and it falls.
import { valueAndGrad } from '@rnnkit/autograd';
import { createCpuBackend } from '@rnnkit/backend-cpu';
import { scan } from '@rnnkit/bptt';
import { lstm, type LstmParams } from '@rnnkit/cells';
import { embedding, linear, softmaxCrossEntropy, type EmbeddingParams, type LinearParams } from '@rnnkit/nn';
import { applyUpdates, disposeState, sgd } from '@rnnkit/optim';
import { createRng, tensor, treeDispose, treeFlatten, type Backend, type Tensor } from '@rnnkit/tensor';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { WebGpuBackend } from '../src/index.js';
import { gpuBackend } from './gpu.js';

const [V, E, H, T, B] = [12, 8, 24, 12, 6];
const STEPS = 50;
const LR = 0.5;

type Params = { embed: EmbeddingParams; cell: LstmParams; head: LinearParams };

/** Token sequences with structure to learn: each sequence steps by its own stride (1 or 3) mod V. */
function batches(): { ids: Int32Array; targets: Int32Array }[] {
  const rng = createRng(5);
  return Array.from({ length: STEPS }, () => {
    const ids = new Int32Array(T * B);
    const targets = new Int32Array(T * B);
    for (let b = 0; b < B; b++) {
      const start = Math.floor(rng.nextFloat() * V);
      const stride = b % 2 === 0 ? 1 : 3;
      for (let t = 0; t < T; t++) {
        ids[t * B + b] = (start + stride * t) % V;
        targets[t * B + b] = (start + stride * (t + 1)) % V;
      }
    }
    return { ids, targets };
  });
}

async function train(be: Backend, dtype: 'f32' | 'f64', init: { values: Record<string, number[]>; shapes: Record<string, number[]> }, data: ReturnType<typeof batches>): Promise<number[]> {
  const embed = embedding({ numEmbeddings: V, embeddingDim: E, dtype });
  const cell = lstm({ inputSize: E, hiddenSize: H, dtype });
  const head = linear({ inputSize: H, outputSize: V, dtype });
  // The same numbers on every backend: the f32 draws, uploaded in this dtype.
  const tree: Record<string, Record<string, Tensor>> = {};
  for (const [path, v] of Object.entries(init.values)) {
    const [module, name] = path.split('.') as [string, string];
    (tree[module] ??= {})[name] = tensor(be, v, init.shapes[path]!, dtype);
  }
  let params = tree as unknown as Params;
  const loss = (p: Params, ids: Tensor, targets: Tensor): Tensor => {
    const xs = embed.apply(p.embed, ids); // [T, B, E]
    const { ys } = scan(cell, p.cell, xs);
    return softmaxCrossEntropy(head.apply(p.head, ys), targets);
  };
  const step = valueAndGrad(loss);
  const opt = sgd(LR);
  let state = opt.init(params);
  const losses: number[] = [];
  for (const { ids, targets } of data) {
    const idsT = tensor(be, ids, [T, B], 'i32');
    const targetsT = tensor(be, targets, [T, B], 'i32');
    const { value, grads } = step(params, idsT, targetsT);
    const [updates, next] = opt.update(grads, state, params);
    params = applyUpdates<Params>(params, updates, { donate: true });
    losses.push(Number((await value.read())[0]));
    disposeState([state, grads, value, idsT, targetsT]);
    state = next;
  }
  disposeState([params, state]);
  return losses;

}

describe('training on WebGPU tracks the CPU backend', () => {
  let gpu: WebGpuBackend | null = null;
  beforeAll(async () => {
    gpu = await gpuBackend();
  });
  afterAll(() => gpu?.destroy());

  it(`a small LSTM, ${STEPS} SGD steps (no dropout): every step's loss within 1e-4 relative of the CPU backend's, and falling`, async (ctx) => {
    const be = gpu ?? ctx.skip('no WebGPU adapter here');
    // Initial parameters: drawn once in f32 on the CPU backend.
    const cpu = createCpuBackend();
    const rng = createRng(17);
    const drawn: Params = {
      embed: embedding({ numEmbeddings: V, embeddingDim: E, dtype: 'f32' }).init(rng, cpu),
      cell: lstm({ inputSize: E, hiddenSize: H, dtype: 'f32' }).init(rng, cpu),
      head: linear({ inputSize: H, outputSize: V, dtype: 'f32' }).init(rng, cpu),
    };
    const init = {
      values: Object.fromEntries(treeFlatten(drawn).map(([path, t]) => [path, Array.from(t.readSync())])),
      shapes: Object.fromEntries(treeFlatten(drawn).map(([path, t]) => [path, [...t.shape]])),
    };
    treeDispose(drawn);
    const data = batches();
    const before = be.stats().liveHandles;
    const fusedCalls = vi.spyOn(be.fused!, 'lstmSequence');
    const t0 = performance.now();
    const got = await train(be, 'f32', init, data);
    const ms = performance.now() - t0;
    expect(fusedCalls.mock.calls.length, 'the LSTM ran on the fused kernel').toBe(STEPS);
    fusedCalls.mockRestore();
    expect(be.stats().liveHandles, 'live handles on WebGPU after training').toBe(before);
    const want = await train(cpu, 'f64', init, data);
    console.log(`WebGPU (${be.adapterInfo.description}) ${STEPS} steps in ${ms.toFixed(0)} ms; loss ${got[0]!.toFixed(4)} → ${got.at(-1)!.toFixed(4)} (CPU f64: ${want[0]!.toFixed(4)} → ${want.at(-1)!.toFixed(4)})`);
    let worst = 0;
    for (let i = 0; i < STEPS; i++) {
      const rel = Math.abs(got[i]! - want[i]!) / Math.abs(want[i]!);
      worst = Math.max(worst, rel);
      expect(rel, `step ${i}: WebGPU loss ${got[i]} vs CPU ${want[i]}`).toBeLessThanOrEqual(1e-4);
    }
    console.log(`largest per-step relative loss difference: ${worst.toExponential(2)}`);
    expect(got.at(-1)!, 'the loss falls').toBeLessThan(got[0]! * 0.7);
  });
});
