// Bundled for browser-train.test.ts from the BUILT packages (each package's dist, as an app
// installing them from npm would get): trains the small LSTM of lstm-train.ts on the page's
// navigator.gpu and reports the loss of every step.
import { createWebGpuBackend } from '@rnnkit/backend-webgpu';
import { trainLstmLm, type Batch, type HostParams } from './lstm-train.js';

interface TrainInput {
  readonly init: HostParams;
  readonly data: Batch[];
  readonly lr: number;
}

async function runTraining(d: TrainInput): Promise<{ adapter: string; losses: number[]; ms: number; dispatches: number }> {
  const gpu = await createWebGpuBackend();
  try {
    const t0 = performance.now();
    const start = gpu.gpuStats().dispatches;
    const losses = await trainLstmLm(gpu, 'f32', d.init, d.data, d.lr);
    return {
      adapter: `${gpu.adapterInfo.vendor} ${gpu.adapterInfo.architecture} ${gpu.adapterInfo.description}`.trim(),
      losses,
      ms: performance.now() - t0,
      dispatches: gpu.gpuStats().dispatches - start,
    };
  } finally {
    gpu.destroy();
  }
}

(globalThis as { runTraining?: typeof runTraining }).runTraining = runTraining;
