// TensorFlow.js peers (cpu, wasm, webgpu), with the model of BENCHMARKS.md:
// tf.sequential([lstm|gru|simpleRNN({units: H, returnSequences: true, recurrentActivation: 'sigmoid'}),
// timeDistributed(dense({units: 128, activation: 'softmax'}))]), trainOnBatch with adam(1e-3) and
// categorical cross-entropy against one-hot targets.
import { createRequire } from 'node:module';
import type * as TF from '@tensorflow/tfjs';
import { note } from './report.js';
import { gpuDispatchCount, sharedGpu } from './gpu.js';
import { INPUT_SEED, TARGET_SEED, randomNormal, randomTargets } from './seeded.js';
import type { Prepared, SystemRunner } from './system.js';
import type { Mode, Workload } from './workloads.js';

type Tf = typeof TF;
export type TfjsBackend = 'cpu' | 'wasm' | 'webgpu';

const require = createRequire(import.meta.url);
export const TFJS_VERSION: string = (require('@tensorflow/tfjs/package.json') as { version: string }).version;

let tfModule: Tf | undefined;
async function loadTf(): Promise<Tf> {
  // The "install tfjs-node" banner goes to the console; keep stdout clean by sending it to stderr.
  if (!tfModule) {
    const log = console.log;
    console.log = (...args: unknown[]) => note(args.map(String).join(' '));
    try {
      tfModule = (await import('@tensorflow/tfjs'));
    } finally {
      console.log = log;
    }
  }
  return tfModule;
}

export function buildTfModel(tf: Tf, w: Pick<Workload, 'cell' | 'I' | 'H' | 'T' | 'V'>, recurrentInitializer?: 'zeros'): TF.Sequential {
  const { H, T, I, V } = w;
  const common = { units: H, returnSequences: true, inputShape: [T, I], ...(recurrentInitializer ? { recurrentInitializer } : {}) };
  const recurrentLayer =
    w.cell === 'lstm'
      ? tf.layers.lstm({ ...common, recurrentActivation: 'sigmoid' })
      : w.cell === 'gru'
        ? tf.layers.gru({ ...common, recurrentActivation: 'sigmoid' })
        : tf.layers.simpleRNN(common); // simpleRNN has no recurrent activation (tanh)
  const model = tf.sequential({ layers: [recurrentLayer, tf.layers.timeDistributed({ layer: tf.layers.dense({ units: V, activation: 'softmax' }) })] });
  model.compile({ optimizer: tf.train.adam(1e-3), loss: 'categoricalCrossentropy' });
  return model;
}

/** Initial weights per model shape, as host arrays: the orthogonal QR runs once per shape per run. */
const initialWeights = new Map<string, { values: Float32Array; shape: number[] }[]>();

/**
 * buildTfModel, with the initial weights of the first model of that shape in this run reused by
 * later ones (the dispatch counts at T = 5 and 15, then the row, then the other mode): later models
 * are built with a zeros recurrent initialiser and then given the cached weights (the same values
 * a fresh orthogonal initialisation drew the first time). The weights do not depend on T.
 */
function buildCached(tf: Tf, w: Pick<Workload, 'cell' | 'I' | 'H' | 'T' | 'V'>): TF.Sequential {
  const key = `${w.cell}-${w.I}-${w.H}-${w.V}`;
  const cached = initialWeights.get(key);
  if (!cached) {
    const model = buildTfModel(tf, w);
    initialWeights.set(key, model.getWeights().map((t) => ({ values: t.dataSync() as Float32Array, shape: [...t.shape] })));
    return model;
  }
  const model = buildTfModel(tf, w, 'zeros');
  const tensors = cached.map((c) => tf.tensor(c.values, c.shape));
  model.setWeights(tensors);
  for (const t of tensors) t.dispose();
  return model;
}

async function prepareTfjs(tf: Tf, w: Workload, mode: Mode, backend: TfjsBackend): Promise<Prepared> {
  const { B, T, I, V } = w;
  // The recurrent kernel's orthogonal initialiser runs a QR as hundreds of small ops: 3 minutes for
  // H = 256 on tfjs's cpu backend on the loaded dev machine, over 8 on a software WebGPU adapter. So
  // the model is constructed on tfjs's cpu backend, and its variables move to webgpu when the first
  // batch (a warm-up) uses them; and see buildCached. Construction is outside the timed batches.
  if (backend === 'webgpu') await tf.setBackend('cpu');
  const model = buildCached(tf, w);
  if (backend === 'webgpu') await tf.setBackend('webgpu');
  const x = tf.tensor3d(randomNormal(B * T * I, INPUT_SEED), [B, T, I]);
  const y = tf.tidy(() => tf.oneHot(tf.tensor2d(randomTargets(B * T, V, TARGET_SEED), [B, T], 'int32'), V).toFloat());
  let calls = 0;
  let peak: number | null = null;
  const once = async () => {
    if (mode === 'infer') {
      const out = model.predict(x) as TF.Tensor;
      await out.data();
      out.dispose();
    } else {
      const loss = await model.trainOnBatch(x, y);
      const v = Array.isArray(loss) ? loss[0]! : loss;
      if (!Number.isFinite(v)) throw new Error(`tfjs-${tf.getBackend()}: the loss is ${v}`);
    }
  };
  return {
    // The first batch (a warm-up) runs under tf.profile for its peak bytes; the timed ones run bare.
    batch: async () => {
      if (calls++ > 0) return once();
      const info = await tf.profile(once);
      peak = info.peakBytes;
    },
    peakBytes: () => peak,
    dispose: () => {
      model.dispose();
      x.dispose();
      y.dispose();
    },
  };
}

/** Selects and initialises a tfjs backend; null (with a note) when it cannot run here. */
export async function tfjsRunner(backend: TfjsBackend): Promise<SystemRunner | null> {
  const tf = await loadTf();
  let threads = 1;
  let adapter: string | null = null;
  if (backend === 'wasm') {
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    // Single-threaded: no pthreads build, and the thread pool (if any) set to one.
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
    wasm.setThreadsCount(1);
    if (!(await tf.setBackend('wasm'))) return (note('tfjs-wasm: the backend failed to initialise; skipping.'), null);
    await tf.ready();
    threads = wasm.getThreadsCount();
    note(`tfjs-wasm: threads ${threads}, SIMD ${String(tf.env().getBool('WASM_HAS_SIMD_SUPPORT'))}`);
  } else if (backend === 'webgpu') {
    // navigator.gpu is the run's shared Dawn GPU (gpu.ts), the one rnnkit's webgpu backend uses.
    const gpu = await sharedGpu();
    if (!gpu) return (note('tfjs-webgpu: no WebGPU adapter; skipping.'), null);
    adapter = gpu.description;
    await import('@tensorflow/tfjs-backend-webgpu');
    const ok = await tf.setBackend('webgpu').catch((e: Error) => (note(`tfjs-webgpu: ${e.message}`), false));
    if (!ok) return (note('tfjs-webgpu: the backend failed to initialise; skipping.'), null);
    await tf.ready();
  } else {
    await tf.setBackend('cpu');
    await tf.ready();
  }
  const software = adapter?.includes('[software]') ?? false;
  return {
    system: `tfjs-${backend}`,
    backend,
    version: TFJS_VERSION,
    threads,
    adapter,
    skip: (w) => (software && w.id !== 'lstm-h256-small' && w.id !== 'lstm-h256' ? 'software adapter: lstm-h256-small and lstm-h256 only' : null),
    prepare: async (w, mode) => {
      await tf.setBackend(backend);
      return prepareTfjs(tf, w, mode, backend);
    },
    // WebGPU: tfjs has no dispatch counter; gpu.ts counts dispatchWorkgroups calls on the shared GPU.
    ...(backend === 'webgpu' ? { dispatchCount: gpuDispatchCount } : {}),
  };
}
