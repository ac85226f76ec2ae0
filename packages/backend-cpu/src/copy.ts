import type { TypedArray, View } from '@rnnkit/tensor';
import type { CpuHandle } from './handle.js';
import { contiguous } from './internal/strided.js';

/** A contiguous row-major copy of the view. */
export function copy(x: View<CpuHandle>): TypedArray {
  return contiguous(x);
}
