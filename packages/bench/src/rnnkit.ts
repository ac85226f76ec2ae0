// rnnkit on each of its backends: the recurrent layer through `scan` (the backend's fused sequence
// kernel where it has one), a linear head on every step, softmax cross-entropy, valueAndGrad, Adam.
import { valueAndGrad } from '@rnnkit/autograd';
import { createCpuBackend } from '@rnnkit/backend-cpu';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import * as wasmPackage from '@rnnkit/backend-wasm';
import * as webgpuPackage from '@rnnkit/backend-webgpu';
import { scan } from '@rnnkit/bptt';
import { gru, lstm, rnn } from '@rnnkit/cells';
import { linear, softmaxCrossEntropy, type LinearParams } from '@rnnkit/nn';
import { adam, applyUpdates, disposeState } from '@rnnkit/optim';
import { createRng, scope, tensor, type Backend, type Cell, type CellState, type ParamTree, type Tensor } from '@rnnkit/tensor';
import { sharedGpu } from './gpu.js';
import { note } from './report.js';
import { INPUT_SEED, TARGET_SEED, randomNormal, randomTargets } from './seeded.js';
import type { Prepared, SystemRunner } from './system.js';
import type { CellKind, Mode, Workload } from './workloads.js';

/** rnnkit's version (the published packages share one version; @rnnkit/tensor carries it). */
export const RNNKIT_VERSION: string = (createRequire(import.meta.url)('@rnnkit/tensor/package.json') as { version: string }).version;

export type AnyCell = Cell<ParamTree, CellState>;
export interface ModelParams extends Record<string, ParamTree> {
  cell: ParamTree;
  head: LinearParams;
}

export function makeCell(kind: CellKind, I: number, H: number): AnyCell {
  const opts = { inputSize: I, hiddenSize: H, dtype: 'f32' as const };
  // GRU is reset-after (PyTorch's and the workload table's); the RNN is tanh.
  const cell = kind === 'lstm' ? lstm(opts) : kind === 'gru' ? gru({ ...opts, resetAfter: true }) : rnn({ ...opts, activation: 'tanh' });
  return cell;
}

export interface Model {
  readonly cell: AnyCell;
  readonly head: ReturnType<typeof linear>;
  params: ModelParams;
}

export function makeModel(be: Backend, kind: CellKind, I: number, H: number, V: number, seed = 42): Model {
  const rng = createRng(seed);
  const cell = makeCell(kind, I, H);
  const head = linear({ inputSize: H, outputSize: V });
  return { cell, head, params: { cell: cell.init(rng, be), head: head.init(rng, be) } };
}

/** Logits [T, B, V] of the layer and head over xs [T, B, I]; also the final state. */
export function forward(m: Model, p: ModelParams, xs: Tensor, initialState?: CellState): { logits: Tensor; state: CellState } {
  return scope(() => {
    const { ys, state } = scan(m.cell, p.cell, xs, initialState ? { initialState } : {});
    return { logits: m.head.apply(p.head, ys), state };
  });
}

/** Adam (lr 1e-3, torch defaults) over the model's parameters, one update per call. */
export function makeTrainer(m: Model) {
  const opt = adam(1e-3);
  let optState = opt.init(m.params);
  return {
    /** Applies one Adam step with `grads` (which it disposes). */
    update(grads: ParamTree): void {
      const [updates, next] = opt.update(grads, optState, m.params);
      m.params = applyUpdates(m.params, updates, { donate: true });
      disposeState([optState, grads]);
      optState = next;
    },
    dispose(): void {
      disposeState([optState, m.params]);
    },
  };
}

/** Prepares one throughput workload on a backend (inputs time-major [T, B, I], uploaded once). */
export function prepareRnnkit(be: Backend, w: Pick<Workload, 'cell' | 'I' | 'H' | 'B' | 'T' | 'V'>, mode: Mode): Prepared {
  const { I, H, B, T, V } = w;
  const model = makeModel(be, w.cell, I, H, V);
  const xs = tensor(be, randomNormal(T * B * I, INPUT_SEED), [T, B, I], 'f32');
  const ys = tensor(be, randomTargets(T * B, V, TARGET_SEED), [T, B], 'i32');
  const trainer = makeTrainer(model);
  const lossOf = (p: ModelParams, x: Tensor, y: Tensor): Tensor => scope(() => softmaxCrossEntropy(forward(model, p, x).logits, y));
  const step = valueAndGrad(lossOf);

  // Inference reads the logits into one host buffer reused every batch (as PyTorch's out.numpy()
  // is a view, not a fresh copy): a fresh 1.6 MB array per batch costs page faults, not compute.
  const logitsHost = mode === 'infer' ? new Float32Array(T * B * V) : undefined;
  const batch =
    mode === 'infer'
      ? async () => {
          const logits = scope(() => forward(model, model.params, xs).logits);
          await logits.read(logitsHost);
          logits.dispose();
        }
      : async () => {
          const { value, grads } = step(model.params, xs, ys);
          trainer.update(grads);
          const loss = await value.item();
          value.dispose();
          if (!Number.isFinite(loss)) throw new Error(`rnnkit/${be.name}: the loss is ${loss}`);
        };
  return {
    batch,
    afterWarmup: () => be.resetPeak(),
    peakBytes: () => be.stats().peakBytes,
    dispose: () => {
      trainer.dispose();
      xs.dispose();
      ys.dispose();
    },
  };
}

export interface BackendChoice {
  readonly name: string;
  readonly create: () => Promise<Backend>;
  readonly threads: number;
  readonly adapter: string | null;
}

type Factory = (options?: Record<string, unknown>) => Backend | Promise<Backend>;

function exported(mod: object, name: string): Factory | undefined {
  const f = (mod as Record<string, unknown>)[name];
  return typeof f === 'function' ? (f as Factory) : undefined;
}

/**
 * The rnnkit backends present in this checkout: cpu always; wasm (plain 128-bit SIMD, and relaxed
 * SIMD where the runtime validates it) and webgpu (with an adapter) when their packages export a
 * factory. Detected at runtime, so the harness runs before those packages exist.
 */
export async function rnnkitBackends(): Promise<BackendChoice[]> {
  const out: BackendChoice[] = [{ name: 'cpu', create: () => Promise.resolve(createCpuBackend()), threads: 1, adapter: null }];
  const wasm = exported(wasmPackage, 'createWasmBackend');
  // Every core: the wasm builds again with worker threads (rows named wasm-simd-2t etc.).
  const cores = availableParallelism();
  const threadCounts = cores > 1 ? [1, cores] : [1];
  if (!wasm) note('rnnkit: @rnnkit/backend-wasm exports no createWasmBackend yet; skipping the wasm backend.');
  else
    for (const threads of threadCounts)
      for (const level of ['simd', 'relaxed'] as const) {
        const name = threads === 1 ? `wasm-${level}` : `wasm-${level}-${threads}t`;
        try {
          const probe = (await wasm({ simd: level, threads })) as Backend & { simd?: string; close?: () => void };
          probe.close?.();
          if (probe.simd !== undefined && probe.simd !== level) throw new Error(`asked for ${level}, got ${probe.simd}`);
          out.push({ name, create: async () => await wasm({ simd: level, threads }), threads, adapter: null });
        } catch (e) {
          note(`rnnkit: the wasm backend with simd '${level}' and ${threads} thread(s) is unavailable here (${(e as Error).message.split('\n')[0]}); skipping it.`);
        }
      }
  // WebGPU: the package's Node entry (Dawn through the `webgpu` package) when it has one, else the
  // main entry; the adapter comes from the run's shared GPU (gpu.ts), the one tfjs-webgpu uses too.
  let webgpu: Factory | undefined;
  try {
    const spec = '@rnnkit/backend-webgpu/node';
    webgpu = exported((await import(spec)) as object, 'createWebGpuBackend');
  } catch {
    webgpu = exported(webgpuPackage, 'createWebGpuBackend');
  }
  if (!webgpu) note('rnnkit: @rnnkit/backend-webgpu exports no createWebGpuBackend yet; skipping the webgpu backend.');
  else {
    const found = await sharedGpu();
    if (!found) note('rnnkit: no WebGPU adapter; skipping the webgpu backend.');
    else {
      const factory = webgpu;
      out.push({ name: 'webgpu', create: async () => await factory({ adapter: found.adapter }), threads: 1, adapter: found.description });
    }
  }
  return out;
}

function hasGpuStats(be: Backend): be is Backend & { gpuStats(): { dispatches: number } } {
  return typeof (be as { gpuStats?: unknown }).gpuStats === 'function';
}

export function rnnkitRunner(choice: BackendChoice, be: Backend): SystemRunner {
  return {
    system: 'rnnkit',
    backend: choice.name,
    version: RNNKIT_VERSION,
    threads: choice.threads,
    adapter: choice.adapter,
    skip: (w) => (choice.adapter?.includes('[software]') && w.id !== 'lstm-h256-small' && w.id !== 'lstm-h256' ? 'software adapter: lstm-h256-small and lstm-h256 only' : null),
    prepare: (w, mode) => Promise.resolve(prepareRnnkit(be, w, mode)),
    // WebGPU: the backend's own dispatch counter.
    ...(hasGpuStats(be) ? { dispatchCount: () => be.gpuStats().dispatches } : {}),
  };
}
