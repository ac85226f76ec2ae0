import { allocate } from '@rnnkit/tensor';
import type { TypedArray, UnaryOp, View } from '@rnnkit/tensor';
import type { CpuHandle } from './handle.js';
import { viewOffsets } from './internal/strided.js';

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
export function unary(op: UnaryOp, x: View<CpuHandle>): TypedArray {
  const offsets = viewOffsets(x);
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
