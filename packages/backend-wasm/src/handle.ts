import type { TypedArray } from '@rnnkit/tensor';

/**
 * The fast CPU backend's storage: one host TypedArray per handle, row-major. Tensors live in JS
 * memory, not in WebAssembly memory; kernels copy their operands into a per-call scratch arena
 * (see docs/adr/0010-fast-cpu-backend.md for why).
 */
export interface WasmHandle {
  readonly data: TypedArray;
}
