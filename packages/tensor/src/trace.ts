import type { ArithmeticOp, CompareOp, ReduceOp, UnaryOp } from './backend.js';
import type { DType } from './dtype.js';
import type { Shape } from './shape.js';
import type { Tensor } from './tensor.js';

/**
 * What each traced primitive carries besides its inputs. Autograd keeps one rule per key here,
 * so adding a primitive without a rule fails to type-check.
 */
export type PrimitiveAttrs = { [K in UnaryOp]: Record<string, never> } & { [K in ArithmeticOp | CompareOp]: Record<string, never> } & {
  where: Record<string, never>;
  reduce: { op: ReduceOp; axes: readonly number[]; keepDims: boolean };
  matmul: Record<string, never>;
  reshape: { shape: Shape };
  permute: { axes: readonly number[] };
  slice: { begin: readonly number[]; end: readonly number[] };
  expand: { shape: Shape };
  copy: Record<string, never>;
  concat: { axis: number };
  split: { axis: number; sizes: readonly number[] };
  cast: { dtype: DType };
  gather: { axis: number };
  scatterAdd: { axis: number; shape: Shape };
  custom: CustomAttrs;
};
export type Primitive = keyof PrimitiveAttrs;

/** A user-supplied derivative (see autograd's `customVjp`): residuals are kept alive by the tracer. */
export interface CustomAttrs {
  readonly name: string;
  readonly residuals: readonly Tensor[];
  /**
   * Input cotangents from output cotangents (null = zero); `inputs` are the primal inputs. `needs[i]`
   * is false when input i leads to nothing differentiated: the rule may return null for it and skip the work.
   */
  readonly vjp: (cotangents: readonly (Tensor | null)[], residuals: readonly Tensor[], inputs: readonly Tensor[], needs: readonly boolean[]) => (Tensor | null)[];
  /** Output tangents from input tangents (null = zero). */
  readonly jvp?: (tangents: readonly (Tensor | null)[], residuals: readonly Tensor[], inputs: readonly Tensor[]) => (Tensor | null)[];
}

/** One application of a primitive, as a tracer sees it. */
export interface Equation<P extends Primitive = Primitive> {
  readonly prim: P;
  readonly inputs: readonly Tensor[];
  readonly outputs: readonly Tensor[];
  readonly attrs: PrimitiveAttrs[P];
}

/** Observes primitives as they run (autograd tapes, forward-mode tracers, probes). */
export interface Tracer {
  record(eqn: Equation): void;
}

// Active tracers, outermost first. Empty means ops pay nothing for tracing.
let active: Tracer[] = [];

export function record<P extends Primitive>(prim: P, inputs: readonly Tensor[], outputs: readonly Tensor[], attrs: PrimitiveAttrs[P]): void {
  if (active.length === 0) return;
  const eqn = { prim, inputs, outputs, attrs } as Equation;
  // A tracer records, and computes derived values, with only the tracers outside it active.
  const all = active;
  try {
    for (let i = all.length - 1; i >= 0; i--) {
      active = all.slice(0, i);
      all[i]!.record(eqn);
    }
  } finally {
    active = all;
  }
}

/** Runs `fn` with `tracer` observing every primitive it executes. */
export function withTracer<R>(tracer: Tracer, fn: () => R): R {
  active = [...active, tracer];
  try {
    return fn();
  } finally {
    active = active.filter((t) => t !== tracer);
  }
}

/** Runs `fn` with the given tracer and every tracer inside it switched off. */
export function outsideTracer<R>(tracer: Tracer, fn: () => R): R {
  const saved = active;
  const i = saved.indexOf(tracer);
  active = i < 0 ? saved : saved.slice(0, i);
  try {
    return fn();
  } finally {
    active = saved;
  }
}

/** Runs `fn` with no tracer active (stopGradient and customVjp's forward use it). */
export function untraced<R>(fn: () => R): R {
  const saved = active;
  active = [];
  try {
    return fn();
  } finally {
    active = saved;
  }
}

export function activeTracers(): readonly Tracer[] {
  return active;
}
