import { fail, fmtShape } from '../errors.js';
import { contiguousStrides, normAxis, sizeOf, type Shape } from '../shape.js';
import { broadcastView, emit, emitView, NO_ATTRS } from '../internal/emit.js';
import type { Tensor } from '../tensor.js';

/** Same elements, new shape (one entry may be -1). A view when x is contiguous or the shape is unchanged, else a copy. */
export function reshape(x: Tensor, shape: readonly number[]): Tensor {
  x.view('reshape');
  const known = shape.filter((d) => d !== -1);
  const holes = shape.length - known.length;
  if (holes > 1) fail(`reshape: at most one -1 is allowed in ${fmtShape(shape)}.`);
  const rest = sizeOf(known);
  const resolved = shape.map((d) => (d === -1 ? (rest === 0 ? 0 : x.size / rest) : d));
  if (resolved.some((d) => !Number.isInteger(d) || d < 0) || sizeOf(resolved) !== x.size)
    fail(`reshape: cannot reshape ${fmtShape(x.shape)} (${x.size} elements) to ${fmtShape(shape)}.`);
  if (isDense(x)) return emitView('reshape', x, x.withLayout(resolved, contiguousStrides(resolved), x.offset), { shape: resolved });
  // Same shape: a view with the same layout (an alias), never a copy of a strided tensor.
  if (resolved.every((d, i) => d === x.shape[i]) && resolved.length === x.rank) return emitView('reshape', x, x.withLayout(resolved, x.strides, x.offset), { shape: resolved });
  return emit('reshape', [x], x.backend.kernels.copy(x.view('reshape')), resolved, x.dtype, { shape: resolved });
}

// Row-major dense from its offset (size-1 axes may have any stride).
function isDense(x: Tensor): boolean {
  const c = contiguousStrides(x.shape);
  return x.shape.every((d, i) => d === 1 || x.strides[i] === c[i]);
}

/** Reorders axes: out.shape[i] = x.shape[axes[i]]. Metadata only. */
export function permute(x: Tensor, axes: readonly number[]): Tensor {
  x.view('permute');
  const list = axes.map((a) => normAxis('permute', a, x.rank));
  if (list.length !== x.rank || new Set(list).size !== list.length)
    fail(`permute: axes ${fmtShape(axes)} must list each of the ${x.rank} axes of ${fmtShape(x.shape)} once.`);
  const out = x.withLayout(list.map((a) => x.shape[a]!), list.map((a) => x.strides[a]!), x.offset);
  return emitView('permute', x, out, { axes: list });
}

/** Swaps two axes (the last two by default). Metadata only. */
export function transpose(x: Tensor, a = -2, b = -1): Tensor {
  if (x.rank < 2 && a === -2 && b === -1) fail(`transpose: needs at least 2 axes, got ${fmtShape(x.shape)}.`);
  const axes = Array.from({ length: x.rank }, (_, i) => i);
  const i = normAxis('transpose', a, x.rank);
  const j = normAxis('transpose', b, x.rank);
  [axes[i], axes[j]] = [axes[j]!, axes[i]!];
  return permute(x, axes);
}

/**
 * The box begin[i] ≤ index < end[i] on every axis (missing entries mean the whole axis; negative
 * values count from the end; out-of-range values are clamped as in Python). Metadata only.
 */
export function slice(x: Tensor, begin: readonly number[], end?: readonly number[]): Tensor {
  x.view('slice');
  if (begin.length > x.rank || (end && end.length > x.rank)) fail(`slice: ${begin.length} bounds given for a tensor of rank ${x.rank} ${fmtShape(x.shape)}.`);
  const clampTo = (v: number, d: number) => Math.min(d, Math.max(0, v < 0 ? v + d : v));
  const b = x.shape.map((d, i) => clampTo(begin[i] ?? 0, d));
  const e = x.shape.map((d, i) => Math.max(b[i]!, clampTo(end?.[i] ?? d, d)));
  const offset = x.offset + b.reduce((o, v, i) => o + v * x.strides[i]!, 0);
  const out = x.withLayout(e.map((v, i) => v - b[i]!), x.strides, offset);
  return emitView('slice', x, out, { begin: b, end: e });
}

/** `length` entries of `axis` starting at `start`. */
export function narrow(x: Tensor, axis: number, start: number, length: number): Tensor {
  const a = normAxis('narrow', axis, x.rank);
  if (start < 0 || length < 0 || start + length > x.shape[a]!) fail(`narrow: [${start}, ${start + length}) is outside axis ${axis} of size ${x.shape[a]} in ${fmtShape(x.shape)}.`);
  const begin = x.shape.map((_, i) => (i === a ? start : 0));
  const end = x.shape.map((d, i) => (i === a ? start + length : d));
  return slice(x, begin, end);
}

/** Entry `index` of `axis`, with that axis removed (x[:, i] for axis 1). */
export function select(x: Tensor, axis: number, index: number): Tensor {
  const a = normAxis('select', axis, x.rank);
  const i = index < 0 ? index + x.shape[a]! : index;
  const n = narrow(x, a, i, 1);
  try {
    return reshape(n, x.shape.filter((_, k) => k !== a));
  } finally {
    n.dispose();
  }
}

/** Broadcasts x to `shape` without copying (stride 0 on repeated axes). */
export function expand(x: Tensor, shape: Shape): Tensor {
  const v = broadcastView('expand', x, shape);
  return emitView('expand', x, x.withLayout(shape, v.strides, x.offset), { shape: [...shape] });
}

/** Adds a size-1 axis at `axis`. */
export function unsqueeze(x: Tensor, axis: number): Tensor {
  const a = normAxis('unsqueeze', axis, x.rank + 1);
  const shape = [...x.shape];
  shape.splice(a, 0, 1);
  return reshape(x, shape);
}

/** Removes size-1 axes (all of them when `axis` is omitted). */
export function squeeze(x: Tensor, axis?: number): Tensor {
  if (axis === undefined) return reshape(x, x.shape.filter((d) => d !== 1));
  const a = normAxis('squeeze', axis, x.rank);
  if (x.shape[a] !== 1) fail(`squeeze: axis ${axis} of ${fmtShape(x.shape)} has size ${x.shape[a]}, not 1.`);
  return reshape(x, x.shape.filter((_, i) => i !== a));
}

/** A contiguous copy (new memory, row-major). */
export function copy(x: Tensor): Tensor {
  return emit('copy', [x], x.backend.kernels.copy(x.view('copy')), x.shape, x.dtype, NO_ATTRS);
}
