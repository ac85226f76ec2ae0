import { allocate, contiguousStrides, sizeOf } from '@rnnkit/tensor';
import type { TypedArray, View } from '@rnnkit/tensor';
import type { WasmHandle } from './handle.js';
import { stridedOffsets, viewOffsets } from './internal/strided.js';

/**
 * Joins views along `axis`. Each input is written through the output's strides, shifted to where
 * its block starts along `axis`, so the destination index comes from the same odometer as the source.
 */
export function concat(xs: readonly View<WasmHandle>[], axis: number): TypedArray {
  const first = xs[0]!;
  const outShape = [...first.shape];
  outShape[axis] = xs.reduce((n, x) => n + x.shape[axis]!, 0);
  const outStrides = contiguousStrides(outShape);
  const out = allocate(first.dtype, sizeOf(outShape));
  let start = 0;
  for (const x of xs) {
    const source = viewOffsets(x);
    const target = stridedOffsets(x.shape, outStrides, start * outStrides[axis]!);
    const src = x.handle.data;
    for (let i = 0; i < source.length; i++) out[target[i]!] = src[source[i]!]!;
    start += x.shape[axis]!;
  }
  return out;
}
