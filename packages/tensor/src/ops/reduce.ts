import type { ReduceOp } from '../backend.js';
import { fail, fmtShape } from '../errors.js';
import { normAxes, normAxis } from '../shape.js';
import { emit } from '../internal/emit.js';
import type { Tensor } from '../tensor.js';
import { mul } from './elementwise.js';

/** Axes to reduce: one, several, or all when omitted. */
export type Axes = number | readonly number[];

export function reduce(op: ReduceOp, x: Tensor, axes?: Axes, keepDims = false): Tensor {
  const v = x.view(op);
  if (x.dtype === 'bool') fail(`${op}: bool tensors cannot be reduced; cast(x, 'f32') or cast(x, 'i32') first.`);
  const list = normAxes(op, axes, x.rank);
  if (op === 'argmax' && list.length !== 1) fail(`argmax: takes exactly one axis, got ${fmtShape(list)} for shape ${fmtShape(x.shape)}.`);
  const shape = keepDims ? x.shape.map((d, i) => (list.includes(i) ? 1 : d)) : x.shape.filter((_, i) => !list.includes(i));
  const h = x.backend.kernels.reduce(op, v, list);
  return emit('reduce', [x], h, shape, op === 'argmax' ? 'i32' : x.dtype, { op, axes: list, keepDims });
}

export const sum = (x: Tensor, axes?: Axes, keepDims = false): Tensor => reduce('sum', x, axes, keepDims);
/** Maximum over axes; NaN wins. Its gradient goes to every position that attains the max, split evenly. */
export const max = (x: Tensor, axes?: Axes, keepDims = false): Tensor => reduce('max', x, axes, keepDims);
export const min = (x: Tensor, axes?: Axes, keepDims = false): Tensor => reduce('min', x, axes, keepDims);
/** Index (i32) of the first maximum along one axis. */
export const argMax = (x: Tensor, axis = -1, keepDims = false): Tensor => reduce('argmax', x, [normAxis('argmax', axis, x.rank)], keepDims);

export function mean(x: Tensor, axes?: Axes, keepDims = false): Tensor {
  const list = normAxes('mean', axes, x.rank);
  const n = list.reduce((p, a) => p * x.shape[a]!, 1);
  const s = sum(x, list, keepDims);
  try {
    return mul(s, 1 / n);
  } finally {
    s.dispose();
  }
}
