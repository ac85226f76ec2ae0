// brain.js 1.6.1: recurrent.LSTMTimeStep / GRUTimeStep / RNNTimeStep. It trains and runs one
// sequence at a time (no batching), predicting the next step's vector from each step, so its output
// layer runs on every step; its loss is its own (squared error) and its optimiser is its own
// (RMSProp-style with clipping, learningRate 1e-3). Tokens/s are reported as they are.
import { createRequire } from 'node:module';
import { INPUT_SEED, randomNormal } from './seeded.js';
import type { Prepared, SystemRunner } from './system.js';
import { H256_ROWS, type Mode, type Workload } from './workloads.js';

const require = createRequire(import.meta.url);
export const BRAIN_VERSION: string = (require('brain.js/package.json') as { version: string }).version;

interface TimeStepNet {
  train(data: number[][][], options: Record<string, unknown>): { error: number; iterations: number };
  run(input: number[][]): number[] | Float32Array;
}
type TimeStepCtor = new (options: Record<string, unknown>) => TimeStepNet;
interface BrainModule {
  recurrent: { LSTMTimeStep: TimeStepCtor; GRUTimeStep: TimeStepCtor; RNNTimeStep: TimeStepCtor };
}

function prepareBrain(w: Workload, mode: Mode): Prepared {
  const brain = require('brain.js') as BrainModule;
  const { B, T, I, H, V } = w;
  if (V !== I) throw new Error('brain.js time-step nets predict the next input: they need V = I.');
  const Ctor = w.cell === 'lstm' ? brain.recurrent.LSTMTimeStep : w.cell === 'gru' ? brain.recurrent.GRUTimeStep : brain.recurrent.RNNTimeStep;
  const net = new Ctor({ inputSize: I, hiddenLayers: [H], outputSize: V });
  const flat = randomNormal(B * T * I, INPUT_SEED);
  const data: number[][][] = [];
  for (let b = 0; b < B; b++) {
    const seq: number[][] = [];
    for (let t = 0; t < T; t++) seq.push(Array.from(flat.subarray((b * T + t) * I, (b * T + t + 1) * I)));
    data.push(seq);
  }
  const train = () => net.train(data, { iterations: 1, errorThresh: 0, log: false, learningRate: 1e-3 });
  // run() needs a trained (initialised) model.
  if (mode === 'infer') net.train(data.slice(0, 1), { iterations: 1, errorThresh: 0, log: false, learningRate: 1e-3 });
  return {
    batch: () => {
      if (mode === 'train') {
        const { error } = train();
        if (!Number.isFinite(error)) throw new Error(`brain.js: the error is ${error}`);
      } else for (const seq of data) net.run(seq);
      return Promise.resolve();
    },
    peakBytes: () => null,
    dispose: () => undefined,
  };
}

export function brainRunner(): SystemRunner {
  return {
    system: 'brain.js',
    backend: 'js',
    version: BRAIN_VERSION,
    threads: 1,
    adapter: null,
    skip: (w) => (H256_ROWS.includes(w.id) ? null : 'brain.js runs on the h256 rows only'),
    prepare: (w, mode) => Promise.resolve(prepareBrain(w, mode)),
  };
}
