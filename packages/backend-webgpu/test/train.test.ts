// Training a small LSTM language model (embedding → LSTM → linear head, softmax cross-entropy,
// plain SGD, no dropout) for 50 steps on WebGPU (f32, fused kernels) tracks the same training on
// the CPU backend (f64, from the same f32 initial parameters and the same batches): the loss of
// every step agrees within 1e-4 relative, and it falls.
import { createCpuBackend } from '@rnnkit/backend-cpu';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { WebGpuBackend } from '../src/index.js';
import { gpuBackend } from './gpu.js';
import { drawInitialParams } from './lstm-init.js';
import { batches, trainLstmLm } from './lstm-train.js';

const STEPS = 50;
const LR = 1;

describe('training on WebGPU tracks the CPU backend', () => {
  let gpu: WebGpuBackend | null = null;
  beforeAll(async () => {
    gpu = await gpuBackend();
  });
  afterAll(() => gpu?.destroy());

  it(`a small LSTM, ${STEPS} SGD steps (no dropout): every step's loss within 1e-4 relative of the CPU backend's, and falling`, async (ctx) => {
    const be = gpu ?? ctx.skip('no WebGPU adapter here');
    const init = drawInitialParams();
    const data = batches(STEPS);
    const before = be.stats().liveHandles;
    const fusedCalls = vi.spyOn(be.fused!, 'lstmSequence');
    const t0 = performance.now();
    const got = await trainLstmLm(be, 'f32', init, data, LR);
    const ms = performance.now() - t0;
    expect(fusedCalls.mock.calls.length, 'the LSTM ran on the fused kernel').toBe(STEPS);
    fusedCalls.mockRestore();
    expect(be.stats().liveHandles, 'live handles on WebGPU after training').toBe(before);
    const want = await trainLstmLm(createCpuBackend(), 'f64', init, data, LR);
    console.log(`WebGPU (${be.adapterInfo.description}) ${STEPS} steps in ${ms.toFixed(0)} ms; loss ${got[0]!.toFixed(4)} → ${got.at(-1)!.toFixed(4)} (CPU f64: ${want[0]!.toFixed(4)} → ${want.at(-1)!.toFixed(4)})`);
    let worst = 0;
    for (let i = 0; i < STEPS; i++) {
      const rel = Math.abs(got[i]! - want[i]!) / Math.abs(want[i]!);
      worst = Math.max(worst, rel);
      expect(rel, `step ${i}: WebGPU loss ${got[i]} vs CPU ${want[i]}`).toBeLessThanOrEqual(1e-4);
    }
    console.log(`largest per-step relative loss difference: ${worst.toExponential(2)}`);
    expect(got.at(-1)!, 'the loss falls').toBeLessThan(got[0]! * 0.75);
  });
});
