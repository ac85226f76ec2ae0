import { allocate, sizeOf, stridedOffsets } from '@rnnkit/tensor';
import type { DType, Shape, TypedArray, View } from '@rnnkit/tensor';
import type { CpuHandle } from '../handle.js';

/** Storage indices of a view's elements in row-major order. */
export function viewOffsets(view: View<CpuHandle>): Float64Array {
  return stridedOffsets(view.shape, view.strides, view.offset);
}

/** A contiguous copy of a view in its own dtype (into `out` when given: an array of that dtype and size). */
export function contiguous(view: View<CpuHandle>, out: TypedArray = allocate(view.dtype, sizeOf(view.shape))): TypedArray {
  const offsets = viewOffsets(view);
  const src = view.handle.data;
  for (let i = 0; i < offsets.length; i++) out[i] = src[offsets[i]!]!;
  return out;
}

/** A contiguous copy of a view as float64 numbers, for kernels that compute in JS numbers. */
export function toFloat64(view: View<CpuHandle>): Float64Array {
  const offsets = viewOffsets(view);
  const src = view.handle.data;
  const out = new Float64Array(offsets.length);
  for (let i = 0; i < offsets.length; i++) out[i] = src[offsets[i]!]!;
  return out;
}

/** Stores JS numbers into a fresh array of `dtype`; bool keeps only 0 and 1. */
export function fromNumbers(dtype: DType, values: ArrayLike<number>): TypedArray {
  const out = allocate(dtype, values.length);
  if (dtype === 'bool') {
    for (let i = 0; i < values.length; i++) out[i] = values[i] !== 0 ? 1 : 0;
  } else {
    // Typed-array stores round (f32) or wrap modulo 2^32 toward zero (i32) as the dtype does.
    for (let i = 0; i < values.length; i++) out[i] = values[i]!;
  }
  return out;
}

/** Product of the axes in [from, to). */
export function sizeOfRange(shape: Shape, from: number, to: number): number {
  let n = 1;
  for (let i = from; i < to; i++) n *= shape[i]!;
  return n;
}

export { stridedOffsets };
