import type { CrossEntropyArgs, CrossEntropyBackwardArgs, View } from './backend.js';
import { allocate, isFloat, type DType, type TypedArray } from './dtype.js';
import { fail, fmtShape } from './errors.js';
import { elements } from './host-elements.js';
import type { HostHandle } from './host-memory.js';

/** [N, V] float logits and [N] i32 targets; the sizes, or a clear error (any backend's crossEntropy can call it). */
export function checkCrossEntropyArgs<H>(op: string, args: CrossEntropyArgs<H>): { N: number; V: number } {
  const { logits, targets } = args;
  if (logits.shape.length !== 2 || !isFloat(logits.dtype)) fail(`${op}: logits must be float [N, V], got ${logits.dtype} ${fmtShape(logits.shape)}.`);
  const [N, V] = logits.shape as [number, number];
  if (targets.dtype !== 'i32' || targets.shape.length !== 1 || targets.shape[0] !== N)
    fail(`${op}: targets must be i32 [${N}] for logits ${fmtShape(logits.shape)}, got ${targets.dtype} ${fmtShape(targets.shape)}.`);
  return { N, V };
}

function checkRow<H>(op: string, name: string, v: View<H>, dtype: DType, N: number): void {
  if (v.dtype !== dtype || v.shape.length !== 1 || v.shape[0] !== N) fail(`${op}: ${name} must be ${dtype} [${N}], got ${v.dtype} ${fmtShape(v.shape)}.`);
}

/** As checkCrossEntropyArgs, plus logSumExp and grad: [N] of the logits' dtype. */
export function checkCrossEntropyBackwardArgs<H>(op: string, args: CrossEntropyBackwardArgs<H>): { N: number; V: number } {
  const sizes = checkCrossEntropyArgs(op, args);
  checkRow(op, 'logSumExp', args.logSumExp, args.logits.dtype, sizes.N);
  checkRow(op, 'grad', args.grad, args.logits.dtype, sizes.N);
  return sizes;
}

/** targets[n], or an error naming it when it is not a class in [0, V). */
export function crossEntropyTarget(op: string, t: ArrayLike<number>, n: number, V: number): number {
  const c = t[n]!;
  if (!(c >= 0 && c < V)) fail(`${op}: targets[${n}] is ${c}, outside the ${V} classes [0, ${V}); substitute a valid class for excluded tokens.`);
  return c;
}

/**
 * The fused softmax cross-entropy for backends whose handles are host TypedArrays: one pass per
 * row for its max, one for Σ exp, in double precision, each result rounded once to the dtype.
 */
export function hostCrossEntropy(args: CrossEntropyArgs<HostHandle>): { loss: TypedArray; logSumExp: TypedArray } {
  const op = 'crossEntropy';
  const { N, V } = checkCrossEntropyArgs(op, args);
  const x = elements(args.logits);
  const t = elements(args.targets);
  const loss = allocate(args.logits.dtype, N);
  const lse = allocate(args.logits.dtype, N);
  for (let n = 0, r = 0; n < N; n++, r += V) {
    const c = crossEntropyTarget(op, t, n, V);
    let m = -Infinity;
    for (let v = 0; v < V; v++) m = Math.max(m, x[r + v]!);
    let s = 0;
    for (let v = 0; v < V; v++) s += Math.exp(x[r + v]! - m);
    const l = m + Math.log(s);
    lse[n] = l;
    loss[n] = l - x[r + c]!;
  }
  return { loss, logSumExp: lse };
}

/** d logits = grad[n]·(exp(logits − logSumExp[n]) − [v = targets[n]]), one pass over the logits. */
export function hostCrossEntropyBackward(args: CrossEntropyBackwardArgs<HostHandle>): TypedArray {
  const op = 'crossEntropyBackward';
  const { N, V } = checkCrossEntropyBackwardArgs(op, args);
  const x = elements(args.logits);
  const t = elements(args.targets);
  const lse = elements(args.logSumExp);
  const g = elements(args.grad);
  const dx = allocate(args.logits.dtype, N * V);
  for (let n = 0, r = 0; n < N; n++, r += V) {
    const c = crossEntropyTarget(op, t, n, V);
    const l = lse[n]!;
    const gn = g[n]!;
    for (let v = 0; v < V; v++) dx[r + v] = gn * Math.exp(x[r + v]! - l);
    dx[r + c] = gn * (Math.exp(x[r + c]! - l) - 1);
  }
  return dx;
}
