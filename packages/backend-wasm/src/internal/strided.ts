import { allocate, sizeOf, stridedOffsets } from '@rnnkit/tensor';
import type { DType, Shape, TypedArray, View } from '@rnnkit/tensor';
import type { WasmHandle } from '../handle.js';

/** Storage indices of a view's elements in row-major order. */
export function viewOffsets(view: View<WasmHandle>): Float64Array {
  return stridedOffsets(view.shape, view.strides, view.offset);
}

/** Whether the view reads storage [offset, offset + size) in row-major order. */
export function isContiguous(view: View<WasmHandle>): boolean {
  let expected = 1;
  for (let i = view.shape.length - 1; i >= 0; i--) {
    const d = view.shape[i]!;
    if (d !== 1 && view.strides[i] !== expected) return false;
    expected *= d;
  }
  return true;
}

/**
 * Copies the view's elements in row-major order into dst starting at dstOff. Contiguous views are
 * one native copy; other views walk the odometer.
 */
export function copyInto(view: View<WasmHandle>, dst: TypedArray, dstOff: number): void {
  const size = sizeOf(view.shape);
  const src = view.handle.data;
  if (isContiguous(view)) {
    dst.set(src.subarray(view.offset, view.offset + size), dstOff);
    return;
  }
  // Nested loops over the axes (no offset table): the last axis is the tight loop.
  const rank = view.shape.length;
  if (size === 0) return;
  const shape = view.shape;
  const strides = view.strides;
  const last = rank - 1;
  const n = shape[last]!;
  const st = strides[last]!;
  const counter = new Array<number>(rank).fill(0);
  let base = view.offset;
  let o = dstOff;
  for (;;) {
    for (let j = 0, p = base; j < n; j++, p += st) dst[o++] = src[p]!;
    let axis = last - 1;
    for (; axis >= 0; axis--) {
      if (counter[axis]! + 1 < shape[axis]!) {
        counter[axis]!++;
        base += strides[axis]!;
        break;
      }
      base -= counter[axis]! * strides[axis]!;
      counter[axis] = 0;
    }
    if (axis < 0) return;
  }
}

/** A contiguous copy of a view in its own dtype. */
export function contiguous(view: View<WasmHandle>): TypedArray {
  if (isContiguous(view)) return view.handle.data.slice(view.offset, view.offset + sizeOf(view.shape));
  const out = allocate(view.dtype, sizeOf(view.shape));
  copyInto(view, out, 0);
  return out;
}

/** A contiguous copy of a view as float64 numbers, for kernels that compute in JS numbers. */
export function toFloat64(view: View<WasmHandle>): Float64Array {
  if (isContiguous(view)) return Float64Array.from(view.handle.data.subarray(view.offset, view.offset + sizeOf(view.shape)));
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

/**
 * out[i] = f(a[i], b[i]) over two views of the same shape, in row-major order, with nested loops
 * (the last axis tight, broadcast axes at stride 0) instead of offset tables.
 */
export function walk2(a: View<WasmHandle>, b: View<WasmHandle>, out: TypedArray, f: (x: number, y: number) => number): void {
  const size = sizeOf(a.shape);
  if (size === 0) return;
  const da = a.handle.data;
  const db = b.handle.data;
  const rank = a.shape.length;
  if (rank === 0) {
    out[0] = f(da[a.offset]!, db[b.offset]!);
    return;
  }
  const shape = a.shape;
  const last = rank - 1;
  const n = shape[last]!;
  const sa = a.strides[last]!;
  const sb = b.strides[last]!;
  const counter = new Array<number>(rank).fill(0);
  let pa0 = a.offset;
  let pb0 = b.offset;
  let o = 0;
  for (;;) {
    for (let j = 0, pa = pa0, pb = pb0; j < n; j++, pa += sa, pb += sb) out[o++] = f(da[pa]!, db[pb]!);
    let axis = last - 1;
    for (; axis >= 0; axis--) {
      if (counter[axis]! + 1 < shape[axis]!) {
        counter[axis]!++;
        pa0 += a.strides[axis]!;
        pb0 += b.strides[axis]!;
        break;
      }
      pa0 -= counter[axis]! * a.strides[axis]!;
      pb0 -= counter[axis]! * b.strides[axis]!;
      counter[axis] = 0;
    }
    if (axis < 0) return;
  }
}

export { stridedOffsets };
