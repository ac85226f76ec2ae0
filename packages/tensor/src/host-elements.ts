import type { View } from './backend.js';
import { allocate, type TypedArray } from './dtype.js';
import { stridedOffsets, type HostHandle } from './host-memory.js';
import { contiguousStrides, sizeOf } from './shape.js';

/** The view's elements in row-major order: a window on its storage when contiguous, else a gathered copy. */
export function elements(v: View<HostHandle>): TypedArray {
  const n = sizeOf(v.shape);
  const c = contiguousStrides(v.shape);
  if (v.shape.every((d, i) => d === 1 || v.strides[i] === c[i])) return v.handle.data.subarray(v.offset, v.offset + n);
  const out = allocate(v.dtype, n);
  const at = stridedOffsets(v.shape, v.strides, v.offset);
  for (let i = 0; i < n; i++) out[i] = v.handle.data[at[i]!]!;
  return out;
}

