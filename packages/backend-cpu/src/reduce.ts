import { allocate, contiguousStrides } from '@rnnkit/tensor';
import type { ReduceOp, TypedArray, View } from '@rnnkit/tensor';
import type { CpuHandle } from './handle.js';
import { fromNumbers, sizeOfRange, stridedOffsets, viewOffsets } from './internal/strided.js';

/**
 * Reduces `axes` (sorted, unique) keeping them as size-1 axes. Walking x in row-major order with
 * the output's strides zeroed on the reduced axes gives, for each input element, the output cell
 * it folds into — and visits each cell's inputs in increasing index order, which argmax relies on.
 */
export function reduce(op: ReduceOp, x: View<CpuHandle>, axes: readonly number[]): TypedArray {
  const outShape = x.shape.map((d, i) => (axes.includes(i) ? 1 : d));
  const outStrides = contiguousStrides(outShape).map((s, i) => (axes.includes(i) ? 0 : s));
  const target = stridedOffsets(x.shape, outStrides, 0);
  const source = viewOffsets(x);
  const src = x.handle.data;
  const outSize = sizeOfRange(outShape, 0, outShape.length);

  if (op === 'argmax') return argmax(x, axes[0]!, source, target, outSize);

  // Accumulate in JS numbers (f64), then store once: the f32 sum rounds only at the end.
  const start = op === 'sum' ? 0 : op === 'max' ? -Infinity : Infinity;
  const acc = new Float64Array(outSize).fill(start);
  for (let i = 0; i < source.length; i++) {
    const v = src[source[i]!]!;
    const o = target[i]!;
    if (op === 'sum') acc[o]! += v;
    // Math.max/min propagate NaN, as torch.max/min do.
    else if (op === 'max') acc[o] = Math.max(acc[o]!, v);
    else acc[o] = Math.min(acc[o]!, v);
  }
  return fromNumbers(x.dtype, acc);
}

/** Index of the first maximum along one axis; NaN counts as larger than everything (as torch). */
function argmax(x: View<CpuHandle>, axis: number, source: Float64Array, target: Float64Array, outSize: number): TypedArray {
  const src = x.handle.data;
  const inner = sizeOfRange(x.shape, axis + 1, x.shape.length);
  const axisLen = x.shape[axis]!;
  const best = new Float64Array(outSize).fill(-Infinity);
  const index = allocate('i32', outSize);
  for (let i = 0; i < source.length; i++) {
    const v = src[source[i]!]!;
    const o = target[i]!;
    const b = best[o]!;
    if (Number.isNaN(b)) continue; // the first NaN already won
    // Strictly greater keeps the first of equal maxima; an all -Inf run keeps index 0.
    if (v > b || Number.isNaN(v)) {
      best[o] = v;
      index[o] = Math.floor(i / inner) % axisLen;
    }
  }
  return index;
}
