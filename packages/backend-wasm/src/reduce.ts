import { allocate, contiguousStrides } from '@rnnkit/tensor';
import type { ReduceOp, TypedArray, View } from '@rnnkit/tensor';
import type { WasmHandle } from './handle.js';
import { fromNumbers, isContiguous, sizeOfRange, stridedOffsets, viewOffsets } from './internal/strided.js';

/**
 * Reduces `axes` (sorted, unique) keeping them as size-1 axes. Walking x in row-major order with
 * the output's strides zeroed on the reduced axes gives, for each input element, the output cell
 * it folds into — and visits each cell's inputs in increasing index order, which argmax relies on.
 */
export function reduce(op: ReduceOp, x: View<WasmHandle>, axes: readonly number[]): TypedArray {
  if (op !== 'argmax' && axes.length > 0 && isContiguous(x) && axes.every((a, i) => i === 0 || a === axes[i - 1]! + 1)) {
    return reduceRun(op, x, axes[0]!, axes[axes.length - 1]! + 1);
  }
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
function argmax(x: View<WasmHandle>, axis: number, source: Float64Array, target: Float64Array, outSize: number): TypedArray {
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

/**
 * Fast path: a contiguous x reduced over one run of consecutive axes [a0, a1) is [outer, n, inner];
 * each output cell folds its n inputs in increasing index order (the same order as the general path).
 */
function reduceRun(op: Exclude<ReduceOp, 'argmax'>, x: View<WasmHandle>, a0: number, a1: number): TypedArray {
  const outer = sizeOfRange(x.shape, 0, a0);
  const n = sizeOfRange(x.shape, a0, a1);
  const inner = sizeOfRange(x.shape, a1, x.shape.length);
  const src = x.handle.data;
  const start = op === 'sum' ? 0 : op === 'max' ? -Infinity : Infinity;
  const acc = new Float64Array(outer * inner).fill(start);
  for (let o = 0; o < outer; o++) {
    const out = o * inner;
    for (let r = 0; r < n; r++) {
      const base = x.offset + (o * n + r) * inner;
      if (op === 'sum') for (let i = 0; i < inner; i++) acc[out + i]! += src[base + i]!;
      else if (op === 'max') for (let i = 0; i < inner; i++) acc[out + i] = Math.max(acc[out + i]!, src[base + i]!);
      else for (let i = 0; i < inner; i++) acc[out + i] = Math.min(acc[out + i]!, src[base + i]!);
    }
  }
  return fromNumbers(x.dtype, acc);
}
