import type { ArithmeticOp, BinaryOp, CompareOp, UnaryOp } from '../backend.js';
import { fail, fmtShape } from '../errors.js';
import { broadcastShapes } from '../shape.js';
import { broadcastView, emit, NO_ATTRS, requireFloat, requireSameDType } from '../internal/emit.js';
import { sameBackend, type Tensor } from '../tensor.js';
import { full } from './create.js';

/** A tensor, or a plain number that takes the other operand's dtype and backend. */
export type Operand = Tensor | number;

const FLOAT_ONLY: ReadonlySet<UnaryOp> = new Set(['exp', 'log', 'sqrt', 'tanh', 'sigmoid']);

export function unary(op: UnaryOp, x: Tensor): Tensor {
  const v = x.view(op);
  if (FLOAT_ONLY.has(op)) requireFloat(op, x);
  else if (x.dtype === 'bool') fail(`${op}: bool tensors do not support ${op}; cast(x, 'f32') first.`);
  const dtype = op === 'isFinite' ? 'bool' : x.dtype;
  return emit(op, [x], x.backend.kernels.unary(op, v), x.shape, dtype, NO_ATTRS);
}

export const neg = (x: Tensor): Tensor => unary('neg', x);
export const abs = (x: Tensor): Tensor => unary('abs', x);
export const sign = (x: Tensor): Tensor => unary('sign', x);
export const exp = (x: Tensor): Tensor => unary('exp', x);
export const log = (x: Tensor): Tensor => unary('log', x);
export const sqrt = (x: Tensor): Tensor => unary('sqrt', x);
/** tanh, accurate for every input (no overflow for large |x|). */
export const tanh = (x: Tensor): Tensor => unary('tanh', x);
/** 1 / (1 + e^−x), computed without overflow for large |x| by every backend. */
export const sigmoid = (x: Tensor): Tensor => unary('sigmoid', x);
/** true where x is neither NaN nor ±Inf. */
export const isFinite = (x: Tensor): Tensor => unary('isFinite', x);

/** Turns numbers into 0-d tensors beside `like`; the returned `temps` are the caller's to dispose. */
export function operands(op: string, a: Operand, b: Operand): { a: Tensor; b: Tensor; temps: Tensor[] } {
  if (typeof a === 'number' && typeof b === 'number') fail(`${op}: at least one operand must be a tensor (got two numbers).`);
  const temps: Tensor[] = [];
  const like = (typeof a === 'number' ? b : a) as Tensor;
  const lift = (v: Operand): Tensor => {
    if (typeof v !== 'number') return v;
    const t = full(like.backend, [], v, like.dtype);
    temps.push(t);
    return t;
  };
  return { a: lift(a), b: lift(b), temps };
}

export function binary(op: BinaryOp, a: Operand, b: Operand): Tensor {
  const o = operands(op, a, b);
  try {
    const be = sameBackend(op, o.a, o.b);
    requireSameDType(op, o.a, o.b);
    const isCompare = (COMPARE as ReadonlySet<string>).has(op);
    if (!isCompare && o.a.dtype === 'bool') fail(`${op}: bool tensors do not support arithmetic; cast(x, 'f32') first.`);
    if (op === 'pow') requireFloat(op, o.a);
    const shape = broadcastShapes(op, o.a.shape, o.b.shape);
    const h = be.kernels.binary(op, broadcastView(op, o.a, shape), broadcastView(op, o.b, shape));
    return emit(op, [o.a, o.b], h, shape, isCompare ? 'bool' : o.a.dtype, NO_ATTRS);
  } finally {
    for (const t of o.temps) t.dispose();
  }
}

const COMPARE: ReadonlySet<CompareOp> = new Set(['eq', 'ne', 'lt', 'le', 'gt', 'ge']);

const arith = (op: ArithmeticOp) => (a: Operand, b: Operand): Tensor => binary(op, a, b);
const compare = (op: CompareOp) => (a: Operand, b: Operand): Tensor => binary(op, a, b);

export const add = arith('add');
export const sub = arith('sub');
export const mul = arith('mul');
export const div = arith('div');
export const pow = arith('pow');
/** Elementwise maximum; NaN wins, as in PyTorch. */
export const maximum = arith('maximum');
export const minimum = arith('minimum');
export const eq = compare('eq');
export const ne = compare('ne');
export const lt = compare('lt');
export const le = compare('le');
export const gt = compare('gt');
export const ge = compare('ge');

export const square = (x: Tensor): Tensor => mul(x, x);

/** cond ? a : b elementwise, with broadcasting over all three. `cond` must be bool. */
export function where(cond: Tensor, a: Operand, b: Operand): Tensor {
  if (cond.dtype !== 'bool') fail(`where: condition must be bool, got ${cond.dtype} ${fmtShape(cond.shape)}; build it with a comparison such as gt(x, 0).`);
  const o = operands('where', a, b);
  try {
    const be = sameBackend('where', cond, o.a, o.b);
    requireSameDType('where', o.a, o.b);
    const shape = broadcastShapes('where', cond.shape, o.a.shape, o.b.shape);
    const h = be.kernels.where(broadcastView('where', cond, shape), broadcastView('where', o.a, shape), broadcastView('where', o.b, shape));
    return emit('where', [cond, o.a, o.b], h, shape, o.a.dtype, NO_ATTRS);
  } finally {
    for (const t of o.temps) t.dispose();
  }
}
