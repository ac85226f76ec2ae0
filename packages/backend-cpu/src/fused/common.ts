import { allocate } from '@rnnkit/tensor';
import type { DType, SequenceArgs, SequenceGrads, TypedArray, View } from '@rnnkit/tensor';
import type { CpuHandle } from '../handle.js';
import { contiguous, fromNumbers, toFloat64 } from '../internal/strided.js';

/**
 * The whole-sequence kernels process each batch element on its own: that makes per-sequence
 * lengths and per-sequence reversal a matter of which time index a step reads, nothing more.
 * Every per-step array is laid out [T, B, ·], so row `t * B + b` is step t of sequence b.
 */

/** Host copies of a sequence kernel's inputs, with the sizes spelled out. */
export interface Sequence {
  readonly T: number;
  readonly B: number;
  readonly H: number;
  /** Rows of the recurrent weight: gates × H. */
  readonly GH: number;
  readonly dtype: DType;
  /** xProj [T, B, GH]. */
  readonly x: Float64Array;
  /** h0 [B, H]. */
  readonly h0: Float64Array;
  /** wHh [GH, H]. */
  readonly w: Float64Array;
  /** bHh [GH]. */
  readonly bias: Float64Array;
  /** Valid steps of each sequence (T when no lengths were given). */
  readonly lengths: readonly number[];
  readonly reverse: boolean;
}

export function readSequence(args: SequenceArgs<CpuHandle>): Sequence {
  const [T, B, GH] = args.xProj.shape as [number, number, number];
  const H = args.h0.shape[1]!;
  const given = args.options.lengths === undefined ? undefined : contiguous(args.options.lengths);
  const lengths = Array.from({ length: B }, (_, b) => (given === undefined ? T : Math.max(0, Math.min(T, given[b]!))));
  return {
    T, B, H, GH,
    dtype: args.xProj.dtype,
    x: toFloat64(args.xProj),
    h0: toFloat64(args.h0),
    w: toFloat64(args.wHh),
    bias: toFloat64(args.bHh),
    lengths,
    reverse: args.options.reverse === true,
  };
}

/** The time index that sequence step `step` reads: reversed runs start at the sequence's own last valid step. */
export function timeAt(step: number, length: number, reverse: boolean): number {
  return reverse ? length - 1 - step : step;
}

/** out[g] = bias[g] + Σ_k w[g, k] · v[vOff + k] for the weight rows g in [g0, g1). */
export function recurrent(seq: Sequence, v: ArrayLike<number>, vOff: number, g0: number, g1: number, out: Float64Array): void {
  const { H, w, bias } = seq;
  for (let g = g0; g < g1; g++) {
    let s = bias[g]!;
    for (let k = 0; k < H; k++) s += w[g * H + k]! * v[vOff + k]!;
    out[g] = s;
  }
}

/** out[k] += Σ_g dG[dOff + g] · w[g, k] over the rows g in [g0, g1): the gradient through W·v. */
export function recurrentTransposed(seq: Sequence, dG: ArrayLike<number>, dOff: number, g0: number, g1: number, out: Float64Array): void {
  const { H, w } = seq;
  for (let g = g0; g < g1; g++) {
    const d = dG[dOff + g]!;
    for (let k = 0; k < H; k++) out[k]! += d * w[g * H + k]!;
  }
}

/**
 * dW[g, k] += Σ_rows dG[row, g] · X[row, k] for g in [g0, g1): one GEMM dGᵀ·X over all T·B rows,
 * instead of T small outer-product updates. Rows of skipped steps have dG = 0 and add nothing.
 */
export function weightGrad(seq: Sequence, dG: Float64Array, X: ArrayLike<number>, g0: number, g1: number, dW: Float64Array): void {
  const { T, B, H, GH } = seq;
  for (let row = 0; row < T * B; row++) {
    for (let g = g0; g < g1; g++) {
      const d = dG[row * GH + g]!;
      if (d === 0) continue;
      for (let k = 0; k < H; k++) dW[g * H + k]! += d * X[row * H + k]!;
    }
  }
}

/** dbHh[g] = Σ_rows dG[row, g]. */
export function biasGrad(seq: Sequence, dG: Float64Array): Float64Array {
  const { T, B, GH } = seq;
  const db = new Float64Array(GH);
  for (let row = 0; row < T * B; row++) for (let g = 0; g < GH; g++) db[g]! += dG[row * GH + g]!;
  return db;
}

/** A cotangent as host numbers; an absent one is zeros. */
export function gradOrZeros(view: View<CpuHandle> | undefined, size: number): Float64Array {
  return view === undefined ? new Float64Array(size) : toFloat64(view);
}

/** The cotangents of a backward call, as host numbers. */
export function readGrads(seq: Sequence, grads: SequenceGrads<CpuHandle>): { dhs: Float64Array; dhT: Float64Array; dcT: Float64Array } {
  const { T, B, H } = seq;
  return {
    dhs: gradOrZeros(grads.dhs, T * B * H),
    dhT: gradOrZeros(grads.dhT, B * H),
    dcT: gradOrZeros(grads.dcT, B * H),
  };
}

/** Fresh array of the sequence's dtype. */
export function alloc(seq: Sequence, size: number): TypedArray {
  return allocate(seq.dtype, size);
}

/** Host numbers stored in the sequence's dtype. */
export function store(seq: Sequence, values: ArrayLike<number>): TypedArray {
  return fromNumbers(seq.dtype, values);
}

export function dsigmoid(y: number): number {
  return y * (1 - y);
}

export function dtanh(y: number): number {
  return 1 - y * y;
}

/** Forward result as host arrays; the backend wraps them in handles. */
export interface ForwardArrays {
  readonly hs: TypedArray;
  readonly hT: TypedArray;
  readonly cT?: TypedArray;
  readonly saved: TypedArray[];
}

/** Backward result as host arrays; the backend wraps them in handles. */
export interface BackwardArrays {
  readonly dxProj: TypedArray;
  readonly dh0: TypedArray;
  readonly dc0?: TypedArray;
  readonly dWhh: TypedArray;
  readonly dbHh: TypedArray;
  readonly dhs?: TypedArray;
  readonly dcs?: TypedArray;
}
