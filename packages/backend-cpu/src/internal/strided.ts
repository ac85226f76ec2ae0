import { allocate, sizeOf } from '@rnnkit/tensor';
import type { DType, Shape, TypedArray, View } from '@rnnkit/tensor';
import type { CpuHandle } from '../handle.js';

/**
 * The storage index of every logical element of a strided layout, in row-major order.
 * An odometer walks the logical index; each step adds one axis' stride and undoes the
 * axes that wrapped, so no division is needed. A stride of 0 repeats the same element,
 * which is how broadcast axes read.
 */
export function stridedOffsets(shape: Shape, strides: readonly number[], offset: number): Float64Array {
  const size = sizeOf(shape);
  const out = new Float64Array(size);
  if (size === 0) return out;
  const rank = shape.length;
  const counter = new Array<number>(rank).fill(0);
  let pos = offset;
  for (let i = 0; i < size; i++) {
    out[i] = pos;
    // Advance the odometer: bump the last axis, carrying into earlier axes as they wrap.
    for (let axis = rank - 1; axis >= 0; axis--) {
      const stride = strides[axis]!;
      if (counter[axis]! + 1 < shape[axis]!) {
        counter[axis]!++;
        pos += stride;
        break;
      }
      pos -= counter[axis]! * stride;
      counter[axis] = 0;
    }
  }
  return out;
}

/** Storage indices of a view's elements in row-major order. */
export function viewOffsets(view: View<CpuHandle>): Float64Array {
  return stridedOffsets(view.shape, view.strides, view.offset);
}

/** A contiguous copy of a view in its own dtype. */
export function contiguous(view: View<CpuHandle>): TypedArray {
  const offsets = viewOffsets(view);
  const src = view.handle.data;
  const out = allocate(view.dtype, offsets.length);
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
