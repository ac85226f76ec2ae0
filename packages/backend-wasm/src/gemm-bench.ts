import { JsEngine, WasmEngine, type Engine } from './internal/engine.js';
import { createJsOps } from './internal/js-ops.js';
import { detectSimd, instantiateSync, type SimdLevel } from './internal/wasm.js';

/** NN: A[M,K]·B[K,N]; NT: A·Bᵀ with B stored [N,K]; TN: Aᵀ·B with A stored [K,M]. */
export type GemmVariant = 'NN' | 'NT' | 'TN';

export interface GemmBenchmarkOptions {
  readonly M: number;
  readonly K: number;
  readonly N: number;
  readonly variant?: GemmVariant;
  /** Kernel build (default: the best this runtime supports). */
  readonly simd?: SimdLevel;
  /** Keep timing until this much time has passed (default 0.3 s). */
  readonly minSeconds?: number;
  /** Include packing B into panels in every call (default false: weights are packed once). */
  readonly packEachCall?: boolean;
}

export interface GemmBenchmark {
  readonly simd: SimdLevel;
  readonly gflops: number;
  readonly secondsPerCall: number;
  readonly calls: number;
}

/**
 * The GEMM-only ceiling of this backend for one shape: f32, single thread, operands already in
 * WebAssembly memory, B packed once unless `packEachCall`. For the benchmark harness (not a test).
 */
export function benchmarkGemm(options: GemmBenchmarkOptions): GemmBenchmark {
  const { M, K, N } = options;
  const variant = options.variant ?? 'NN';
  const simd = options.simd ?? detectSimd();
  const e: Engine = simd === 'none' ? new JsEngine(4, createJsOps) : (() => {
    const w = instantiateSync(simd);
    return new WasmEngine(w.ops, w.memory);
  })();
  const a = e.alloc(M * K);
  const b = e.alloc(K * N);
  const bp = e.alloc(e.ops.packedLength(K, N));
  const c = e.alloc(M * N);
  const F = e.f();
  for (let i = 0; i < M * K; i++) F[e.at(a) + i] = Math.sin(i) * 0.5;
  for (let i = 0; i < K * N; i++) F[e.at(b) + i] = Math.cos(i) * 0.5;
  // Strides: A element (i, k); B element (k, n).
  const [sai, sak] = variant === 'TN' ? [1, M] : [K, 1];
  const [sk, sn] = variant === 'NT' ? [1, K] : [N, 1];
  const pack = (): void => e.ops.packB(b, sk, sn, K, N, bp);
  pack();
  // TN: A is made row-major first, as the backend does.
  const at = variant === 'TN' ? e.alloc(M * K) : a;
  const run = (): void => {
    if (options.packEachCall) pack();
    if (variant === 'TN') {
      e.ops.copy2D(a, sai, sak, M, K, at, K);
      e.ops.gemm(M, N, K, at, K, 1, bp, c, N, 0);
    } else {
      e.ops.gemm(M, N, K, a, sai, sak, bp, c, N, 0);
    }
  };
  run();
  const minSeconds = options.minSeconds ?? 0.3;
  let calls = 0;
  const t0 = performance.now();
  let elapsed: number;
  do {
    run();
    calls++;
    elapsed = (performance.now() - t0) / 1000;
  } while (elapsed < minSeconds);
  const secondsPerCall = elapsed / calls;
  return { simd, gflops: (2 * M * N * K) / secondsPerCall / 1e9, secondsPerCall, calls };
}
