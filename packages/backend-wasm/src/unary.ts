import { allocate, sizeOf } from '@rnnkit/tensor';
import type { TypedArray, UnaryOp, View } from '@rnnkit/tensor';
import type { WasmHandle } from './handle.js';
import type { Acquire } from './internal/acquire.js';
import { contiguous, isContiguous, viewOffsets } from './internal/strided.js';

/** Logistic function in the form that never overflows: exp is only taken of a non-positive number. */
export function sigmoid(x: number): number {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}

const UNARY: Record<Exclude<UnaryOp, 'isFinite'>, (x: number) => number> = {
  neg: (x) => -x,
  abs: Math.abs,
  sign: Math.sign,
  exp: Math.exp,
  log: Math.log,
  sqrt: Math.sqrt,
  tanh: Math.tanh,
  sigmoid,
};

/** y = op(x) elementwise; isFinite yields bool, the rest keep x's dtype (stores round or wrap as the dtype does). */
export function unary(op: UnaryOp, x: View<WasmHandle>, acquire: Acquire = allocate): TypedArray {
  const offsets = isContiguous(x) ? null : viewOffsets(x);
  if (offsets === null && op !== 'isFinite' && x.dtype !== 'bool') {
    const f = UNARY[op];
    const n = sizeOf(x.shape);
    const src = x.handle.data;
    const out = acquire(x.dtype, n);
    for (let i = 0, p = x.offset; i < n; i++, p++) out[i] = f(src[p]!);
    return out;
  }
  if (op !== 'isFinite' && x.dtype !== 'bool') {
    // Strided: a contiguous copy first (nested loops), then the same tight loop.
    const c = contiguous(x);
    const f = UNARY[op];
    for (let i = 0; i < c.length; i++) c[i] = f(c[i]!);
    return c;
  }
  return unaryStrided(op, x, offsets ?? viewOffsets(x));
}

function unaryStrided(op: UnaryOp, x: View<WasmHandle>, offsets: Float64Array): TypedArray {
  const src = x.handle.data;
  if (op === 'isFinite') {
    const out = allocate('bool', offsets.length);
    for (let i = 0; i < offsets.length; i++) out[i] = Number.isFinite(src[offsets[i]!]!) ? 1 : 0;
    return out;
  }
  const f = UNARY[op];
  const out = allocate(x.dtype, offsets.length);
  if (x.dtype === 'bool') {
    // bool holds only 0 and 1 (neg of true would otherwise store 255).
    for (let i = 0; i < offsets.length; i++) out[i] = f(src[offsets[i]!]!) !== 0 ? 1 : 0;
  } else {
    for (let i = 0; i < offsets.length; i++) out[i] = f(src[offsets[i]!]!);
  }
  return out;
}
