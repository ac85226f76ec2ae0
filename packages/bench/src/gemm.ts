// The GEMM-only ceiling (issue 5): @rnnkit/backend-wasm's benchmarkGemm on the shapes one batch of a
// workload runs through the wasm backend's GEMM, each shape timed alone (f32, single thread, operands
// already in WebAssembly memory), then summed per batch with how often each shape runs there: the
// tokens/s a batch would reach if everything but the GEMMs (gate math, copies, softmax, Adam, the JS
// around the kernels) were free. `"kind":"gemm"` lines, one per shape and SIMD level, and
// `"kind":"gemm-ceiling"` lines, one per workload, mode and SIMD level.
import * as wasmPackage from '@rnnkit/backend-wasm';
import { note, stdoutSink, type Progress, type Sink } from './report.js';
import { RNNKIT_VERSION } from './rnnkit.js';
import { median } from './timing.js';
import { flopsPerBatch, gatesOf, tokensPerBatch, type Mode, type Workload } from './workloads.js';

type Variant = 'NN' | 'NT' | 'TN';
type SimdLevel = 'simd' | 'relaxed';

export interface GemmShape {
  /** What the product is in the LSTM/GRU/RNN layer and head. */
  readonly name: string;
  readonly M: number;
  readonly K: number;
  readonly N: number;
  /** NN: A·B; NT: A·Bᵀ (B stored [N, K]); TN: Aᵀ·B (A stored [K, M], made row-major per call as the backend does). */
  readonly variant: Variant;
  /** True where the backend packs B into panels on every call (one-shot products); false for the per-step recurrent weights, packed once per sequence. */
  readonly packEachCall: boolean;
  /** Calls per batch. */
  readonly perBatch: { readonly infer: number; readonly train: number };
}

/**
 * The GEMMs of one batch on @rnnkit/backend-wasm (rows of the sequence products are T·B; GH = G·H).
 * Forward: the input projection x·W_ihᵀ over all steps (one GEMM), the recurrent h·W_hhᵀ once per
 * step (fused sequence kernel, W_hh packed once), the head over all steps. Backward (train): the
 * head's dX and dW, dG·W_hh once per step, and the weight gradients over all steps (one GEMM each).
 * The input's own gradient is not computed (x is data). For GRU the backend splits the recurrent
 * product by gate in some paths; one GH-wide product stands for them here.
 */
export function gemmShapes(w: Pick<Workload, 'cell' | 'I' | 'H' | 'B' | 'T' | 'V'>): GemmShape[] {
  const { I, H, B, T, V } = w;
  const TB = T * B;
  const GH = gatesOf(w.cell) * H;
  const fwd = (n: number) => ({ infer: n, train: n });
  const bwd = (n: number) => ({ infer: 0, train: n });
  return [
    { name: 'input projection x·W_ihᵀ', M: TB, K: I, N: GH, variant: 'NT', packEachCall: true, perBatch: fwd(1) },
    { name: 'recurrent step h·W_hhᵀ', M: B, K: H, N: GH, variant: 'NT', packEachCall: false, perBatch: fwd(T) },
    { name: 'head hs·W_headᵀ', M: TB, K: H, N: V, variant: 'NT', packEachCall: true, perBatch: fwd(1) },
    { name: 'head dX = dY·W_head', M: TB, K: V, N: H, variant: 'NN', packEachCall: true, perBatch: bwd(1) },
    { name: 'head dW = dYᵀ·hs', M: V, K: TB, N: H, variant: 'TN', packEachCall: true, perBatch: bwd(1) },
    { name: 'recurrent step back dG·W_hh', M: B, K: GH, N: H, variant: 'NN', packEachCall: false, perBatch: bwd(T) },
    { name: 'dW_hh = dGᵀ·h_prev', M: GH, K: TB, N: H, variant: 'TN', packEachCall: true, perBatch: bwd(1) },
    { name: 'dW_ih = dGᵀ·x', M: GH, K: TB, N: I, variant: 'TN', packEachCall: true, perBatch: bwd(1) },
  ];
}

export interface GemmLine {
  readonly kind: 'gemm';
  readonly system: 'rnnkit';
  readonly backend: string;
  readonly version: string;
  readonly workload: string;
  readonly gemm: string;
  readonly M: number;
  readonly K: number;
  readonly N: number;
  readonly variant: Variant;
  readonly pack_each_call: boolean;
  readonly per_batch: { readonly infer: number; readonly train: number };
  readonly gflops: { readonly median: number; readonly min: number; readonly max: number };
  readonly us_per_call: number;
  readonly runs: number;
  readonly threads: 1;
  readonly node: string;
}

export interface GemmCeilingLine {
  readonly kind: 'gemm-ceiling';
  readonly system: 'rnnkit';
  readonly backend: string;
  readonly version: string;
  readonly workload: string;
  readonly mode: Mode;
  readonly threads: 1;
  /** B·T ÷ the summed GEMM time of one batch (median per shape). */
  readonly tokens_per_s: number;
  /** The workload's FLOP formula (as the end-to-end rows) ÷ that time. */
  readonly gflops: number;
  readonly gemm_ms_per_batch: number;
  readonly node: string;
}

export interface GemmOptions {
  readonly workloads: readonly Workload[];
  readonly modes: readonly Mode[];
  /** 'wasm-simd', 'wasm-relaxed' (those unavailable here are skipped with a note). */
  readonly backends: readonly string[];
  /** Timed repeats per shape (median, min, max over them). */
  readonly repeats: number;
  /** Seconds per repeat (benchmarkGemm's minSeconds). */
  readonly minSeconds: number;
  readonly progress?: Progress;
  readonly sink?: Sink;
}

type Bench = (o: { M: number; K: number; N: number; variant?: Variant; simd?: SimdLevel; minSeconds?: number; packEachCall?: boolean }) => { simd: string; gflops: number; secondsPerCall: number };

const round = (x: number, digits: number): number => Math.round(x * 10 ** digits) / 10 ** digits;
const sig = (x: number): number => Number(x.toPrecision(4));

/** Runs the GEMM rows; returns how many lines were emitted. */
export function runGemm(options: GemmOptions): number {
  const sink = options.sink ?? stdoutSink;
  const bench = (wasmPackage as Record<string, unknown>).benchmarkGemm as Bench | undefined;
  if (typeof bench !== 'function') {
    note('gemm: @rnnkit/backend-wasm exports no benchmarkGemm; no GEMM rows.');
    return 0;
  }
  let lines = 0;
  for (const backend of options.backends) {
    const simd = backend === 'wasm-simd' ? 'simd' : backend === 'wasm-relaxed' ? 'relaxed' : null;
    if (!simd) throw new Error(`gemm: unknown backend '${backend}'; wasm-simd or wasm-relaxed`);
    try {
      const probe = bench({ M: 8, K: 8, N: 8, simd, minSeconds: 0 });
      if (probe.simd !== simd) throw new Error(`asked for ${simd}, got ${probe.simd}`);
    } catch (e) {
      note(`gemm: ${backend} is unavailable here (${(e as Error).message.split('\n')[0]}); skipping it.`);
      continue;
    }
    for (const w of options.workloads) {
      const secondsPerCall = new Map<string, number>();
      for (const s of gemmShapes(w)) {
        if (!options.modes.some((m) => s.perBatch[m] > 0)) continue;
        options.progress?.update(`gemm ${backend} ${w.id}: ${s.M}×${s.K}×${s.N} ${s.variant}`);
        const runs = Array.from({ length: options.repeats }, () =>
          bench({ M: s.M, K: s.K, N: s.N, variant: s.variant, simd, minSeconds: options.minSeconds, packEachCall: s.packEachCall }),
        );
        const sec = median(runs.map((r) => r.secondsPerCall));
        secondsPerCall.set(s.name, sec);
        const gf = runs.map((r) => r.gflops);
        const line: GemmLine = {
          kind: 'gemm', system: 'rnnkit', backend, version: RNNKIT_VERSION, workload: w.id, gemm: s.name,
          M: s.M, K: s.K, N: s.N, variant: s.variant, pack_each_call: s.packEachCall, per_batch: s.perBatch,
          gflops: { median: sig((2 * s.M * s.N * s.K) / sec / 1e9), min: sig(Math.min(...gf)), max: sig(Math.max(...gf)) },
          us_per_call: round(sec * 1e6, 1), runs: runs.length, threads: 1, node: process.version,
        };
        sink(JSON.stringify(line));
        lines++;
      }
      for (const mode of options.modes) {
        let seconds = 0;
        for (const s of gemmShapes(w)) seconds += s.perBatch[mode] * (secondsPerCall.get(s.name) ?? 0);
        const line: GemmCeilingLine = {
          kind: 'gemm-ceiling', system: 'rnnkit', backend, version: RNNKIT_VERSION, workload: w.id, mode, threads: 1,
          tokens_per_s: round(tokensPerBatch(w) / seconds, 1), gflops: sig(flopsPerBatch(w, mode) / seconds / 1e9),
          gemm_ms_per_batch: round(seconds * 1e3, 2), node: process.version,
        };
        sink(JSON.stringify(line));
        lines++;
      }
      options.progress?.tick();
    }
  }
  return lines;
}
