import type { TypedArray, View } from '@rnnkit/tensor';
import type { WasmHandle } from './handle.js';
import { contiguous } from './internal/strided.js';

/** A contiguous row-major copy of the view. */
export function copy(x: View<WasmHandle>): TypedArray {
  return contiguous(x);
}
