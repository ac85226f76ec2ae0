import type { TypedArray } from '@rnnkit/tensor';
import type { Engine } from './internal/engine.js';

/**
 * The fast CPU backend's storage: one host TypedArray per handle, row-major. Tensors live in JS
 * memory, not in WebAssembly memory; kernels copy their operands into a per-call scratch arena
 * (see docs/adr/0010-fast-cpu-backend.md for why). The exception is `pinned`: a fused forward's
 * saved activations stay in the engine's memory for its backward (`data` is then empty).
 */
export interface WasmHandle {
  readonly data: TypedArray;
  readonly pinned?: { readonly engine: Engine; readonly ptr: number };
}
