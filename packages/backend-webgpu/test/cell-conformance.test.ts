// The cell conformance kit on WebGPU: every built-in cell the fused kernels cover (rnn tanh/relu,
// lstm, gru in both modes) and MGU, in f32 (the backend has no f64). The gradient checks compare
// the f32 outputs and gradients over the unrolled steps with the CPU backend's f64 ones.
import { createCpuBackend } from '@rnnkit/backend-cpu';
import { gru, lstm, mgu, rnn } from '@rnnkit/cells';
import type { Backend, Cell } from '@rnnkit/tensor';
import { describeCellConformance, type CellSizes, type ExpectedParams } from '@rnnkit/testing';
import { afterAll } from 'vitest';
import type { WebGpuBackend } from '../src/index.js';
import { gpuBackend } from './gpu.js';

// One device for every suite (creating one per suite costs seconds on SwiftShader).
let shared: Promise<WebGpuBackend | null> | undefined;
const backend = async (): Promise<Backend> => {
  shared ??= gpuBackend();
  const gpu = await shared;
  if (gpu === null) throw new Error('no WebGPU adapter here (see the warning above)');
  return gpu;
};
afterAll(async () => (await shared)?.destroy());

const gated = (G: number) => ({ inputSize: I, hiddenSize: H }: { inputSize: number; hiddenSize: number }): ExpectedParams => ({
  weight_ih: [G * H, I],
  weight_hh: [G * H, H],
  bias_ih: [G * H],
  bias_hh: [G * H],
});

const CELLS: { name: string; make: (s: CellSizes) => Cell; gates: number }[] = [
  { name: 'rnn tanh', make: (s) => rnn({ ...s, activation: 'tanh' }), gates: 1 },
  { name: 'rnn relu', make: (s) => rnn({ ...s, activation: 'relu' }), gates: 1 },
  { name: 'lstm', make: (s) => lstm(s), gates: 4 },
  { name: 'gru reset-after', make: (s) => gru({ ...s, resetAfter: true }), gates: 3 },
  { name: 'gru reset-before', make: (s) => gru({ ...s, resetAfter: false }), gates: 3 },
  { name: 'mgu', make: (s) => mgu(s), gates: 2 },
];

for (const c of CELLS) {
  describeCellConformance({
    name: `${c.name} on webgpu`,
    make: c.make,
    backend,
    reference: () => createCpuBackend(),
    expectedParams: gated(c.gates),
    dtypes: ['f32'],
    steps: 4,
    timeout: 120_000,
  });
}
