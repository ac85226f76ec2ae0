import { allocate, sizeOf } from '@rnnkit/tensor';
import type { Shape, TypedArray, View } from '@rnnkit/tensor';
import type { WasmHandle } from './handle.js';
import { contiguous, fromNumbers, sizeOfRange, toFloat64, viewOffsets } from './internal/strided.js';

/**
 * Both kernels see the table as [outer, axisLen, inner] and the gathered side as
 * [outer, nIndices, inner], where nIndices is the size of `indices` (any shape, flattened).
 */

/** out[o, i, j] = table[o, indices[i], j]; out shape = table[:axis] + indices.shape + table[axis+1:]. */
export function gather(table: View<WasmHandle>, indices: View<WasmHandle>, axis: number): TypedArray {
  const idx = contiguous(indices);
  const source = viewOffsets(table);
  const src = table.handle.data;
  const outer = sizeOfRange(table.shape, 0, axis);
  const axisLen = table.shape[axis]!;
  const inner = sizeOfRange(table.shape, axis + 1, table.shape.length);
  const out = allocate(table.dtype, outer * idx.length * inner);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < idx.length; i++) {
      const from = (o * axisLen + idx[i]!) * inner;
      const to = (o * idx.length + i) * inner;
      for (let j = 0; j < inner; j++) out[to + j] = src[source[from + j]!]!;
    }
  }
  return out;
}

/** Zeros of `shape`, then out[o, indices[i], j] += updates[o, i, j]; repeated indices accumulate. */
export function scatterAdd(shape: Shape, indices: View<WasmHandle>, updates: View<WasmHandle>, axis: number): TypedArray {
  const idx = contiguous(indices);
  const upd = toFloat64(updates);
  const outer = sizeOfRange(shape, 0, axis);
  const axisLen = shape[axis]!;
  const inner = sizeOfRange(shape, axis + 1, shape.length);
  // Sum in f64 and round once, so the result does not depend on how often an index repeats.
  const acc = new Float64Array(sizeOf(shape));
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < idx.length; i++) {
      const to = (o * axisLen + idx[i]!) * inner;
      const from = (o * idx.length + i) * inner;
      for (let j = 0; j < inner; j++) acc[to + j]! += upd[from + j]!;
    }
  }
  return fromNumbers(updates.dtype, acc);
}
