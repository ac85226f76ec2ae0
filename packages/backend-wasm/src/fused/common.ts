import { sizeOf } from '@rnnkit/tensor';
import type { SequenceArgs, TypedArray, View } from '@rnnkit/tensor';
import type { WasmHandle } from '../handle.js';
import type { Engine } from '../internal/engine.js';
import type { Resident } from '../internal/resident.js';
import { placeReadOnly } from '../internal/place.js';
import { contiguous, copyInto } from '../internal/strided.js';

/**
 * Shared by the whole-sequence kernels (lstm.ts, rnn.ts, gru.ts), written once against the Ops ABI
 * (WebAssembly or its JS twin).
 * Per step: one GEMM P = h·W_hhᵀ over the whole batch (W_hh packed once per call), then one
 * fused, vectorised pass for bias, gate activations and the state update. Sequences that are
 * finished (lengths) or run in reverse read and write their own [T·B] row, given per step by a
 * table of row indices (−1 = this sequence has no step here: its state is left alone).
 * Backward mirrors it; the recurrent weight gradient is one GEMM dGᵀ·hPrev over all T·B rows.
 * `saved` holds blocks pinned in engine memory (see `Engine.pin`): LSTM [gates, hPrev, cPrev, c],
 * GRU [gates, hPrev, (hn)], RNN [hPrev, hNew].
 */

export type Args = SequenceArgs<WasmHandle>;
export type LstmArgs = Args & { readonly c0: View<WasmHandle> };

export interface Seq {
  readonly T: number;
  readonly B: number;
  readonly H: number;
  readonly GH: number;
  /** Steps of the longest sequence. */
  readonly S: number;
  readonly lengths: readonly number[];
  readonly reverse: boolean;
}

export function readSeq(args: Args): Seq {
  const [T, B, GH] = args.xProj.shape as [number, number, number];
  const H = args.h0.shape[1]!;
  const given = args.options.lengths === undefined ? undefined : contiguous(args.options.lengths);
  const lengths = Array.from({ length: B }, (_, b) => (given === undefined ? T : Math.max(0, Math.min(T, given[b]!))));
  return { T, B, H, GH, S: lengths.reduce((m, l) => Math.max(m, l), 0), lengths, reverse: args.options.reverse === true };
}

/** Row table [S, B] (i32): the [T·B] row sequence b reads at step s, or −1. */
export function rowTable(e: Engine, seq: Seq): number {
  const { B, S, lengths, reverse } = seq;
  const ptr = e.allocI32(S * B);
  const R = e.i32();
  const base = ptr >> 2;
  for (let s = 0; s < S; s++) {
    for (let b = 0; b < B; b++) {
      const len = lengths[b]!;
      R[base + s * B + b] = s < len ? (reverse ? len - 1 - s : s) * B + b : -1;
    }
  }
  return ptr;
}

export function put(e: Engine, view: View<WasmHandle>): number {
  const n = sizeOf(view.shape);
  const ptr = e.alloc(n);
  copyInto(view, e.f(), e.at(ptr));
  return ptr;
}

export function putOrZeros(e: Engine, view: View<WasmHandle> | undefined, n: number): number {
  return view === undefined ? e.zeros(n) : put(e, view);
}

/**
 * B(k, n) = W_hh[r0 + n, k] (k < H, n < N) as a view: the forward's h·W_hhᵀ operand, whose panels
 * are kept across calls (see PanelCache: pass it to `e.panels.keep` before the call takes scratch).
 */
export function transposedRows(args: Args, r0: number, N: number): View<WasmHandle> {
  const w = args.wHh;
  const [s0, s1] = w.strides as [number, number];
  return { ...w, shape: [w.shape[1]!, N], strides: [s1, s0], offset: w.offset + r0 * s0 };
}

/** Packed panels for B(k, j) = W[r0 + k, j] (k < K, j < H): the backward's dG·W_hh. */
export function packRows(e: Engine, w: number, H: number, r0: number, K: number): number {
  return e.packed(w + r0 * H * e.elementBytes, H, 1, K, H);
}

/**
 * dGᵀ [GH, T·B], filled step by step by `transposeStep` while each step's rows are still in cache,
 * when every sequence runs all T steps (step s then owns the B consecutive rows of its time t).
 * 0 otherwise: weightGrad then transposes dG whole, at the end.
 */
export function transposedGrads(e: Engine, seq: Seq): number {
  return allRows(seq) ? e.alloc(seq.GH * seq.T * seq.B) : 0;
}

/** Copies step s's B rows of dG, transposed, into their columns of dGT (when dGT is not 0). */
export function transposeStep(e: Engine, seq: Seq, s: number, dG: number, dGT: number): void {
  if (dGT === 0) return;
  const { T, B, GH } = seq;
  const t = seq.reverse ? T - 1 - s : s;
  const eb = e.elementBytes;
  e.ops.copy2D(dG + t * B * GH * eb, 1, GH, GH, B, dGT + t * B * eb, T * B);
}

/** dW[r0 .. r0+M, :] = dG[:, c0 .. c0+M]ᵀ · X over all T·B rows (one GEMM), from dGT when there is one. */
export function weightGrad(e: Engine, seq: Seq, dG: number, dGT: number, c0: number, M: number, x: number, dW: number): void {
  const { T, B, H, GH } = seq;
  const K = T * B;
  const eb = e.elementBytes;
  const xp = e.packed(x, H, 1, K, H);
  let A = dGT + c0 * K * eb;
  if (dGT === 0) {
    // dGᵀ made row-major first: the micro-kernel reads A along rows.
    A = e.alloc(M * K);
    e.ops.copy2D(dG + c0 * eb, 1, GH, M, K, A, K);
  }
  e.ops.gemm(M, H, K, A, K, 1, xp, dW + c0 * H * eb, H, 0);
}

/** What every forward reads besides W_hh's panels: xProj (in place when it is the kept result), the bias, and h0 as the running state. */
export function putForwardInputs(e: Engine, args: Args): { X: number; bias: number; h: number } {
  return { X: placeReadOnly(e, args.xProj), bias: put(e, args.bHh), h: put(e, args.h0) };
}

/** dW_hh (one GEMM over all T·B rows) and db_hh (a column sum) from the gate gradients dG [T·B, G·H]. */
export function recurrentWeightGrads(e: Engine, seq: Seq, dG: number, dGT: number, hPrev: number): { dW: number; db: number } {
  const { T, B, H, GH } = seq;
  const dW = e.alloc(GH * H);
  weightGrad(e, seq, dG, dGT, 0, GH, hPrev, dW);
  const db = e.alloc(GH);
  e.ops.colSum(T * B, GH, dG, db);
  return { dW, db };
}

/** Whether every sequence runs all T steps: the step kernels then write every row of a [T·B]-row buffer. */
export function allRows(seq: Seq): boolean {
  return seq.lengths.every((l) => l === seq.T);
}

/** A block of engine memory kept from a forward for its backward. */
export interface Pinned {
  readonly ptr: number;
  /** Floats. */
  readonly n: number;
}

/** A forward's saved activation: pinned in engine memory, or (past the pin limit) a host copy. */
export type Saved = Pinned | TypedArray;

/**
 * Pins blocks for a forward's saved activations before the call takes scratch (the backward reads
 * them where they are: no copy out and back in). Zeroed when some rows may stay unwritten. null when
 * they cannot all be pinned (past the engine's pin limit): the call then keeps them in scratch and
 * copies them out (`savedBuffers`, `savedResult`).
 */
export function pinSaved(e: Engine, sizes: readonly number[], zero: boolean): Pinned[] | null {
  const pins: Pinned[] = [];
  for (const n of sizes) {
    const ptr = e.pin(n);
    if (ptr === 0) {
      for (const b of pins) e.unpin(b.ptr);
      return null;
    }
    if (zero) e.f().fill(0, e.at(ptr), e.at(ptr) + n);
    pins.push({ ptr, n });
  }
  return pins;
}

/** Inside the call: where the saved activations are written (the pinned blocks, else scratch). */
export function savedBuffers(e: Engine, pins: readonly Pinned[] | null, sizes: readonly number[], zero: boolean): number[] {
  return pins ? pins.map((b) => b.ptr) : sizes.map((n) => (zero ? e.zeros(n) : e.alloc(n)));
}

/** What a forward returns as saved: its pinned blocks, or host copies of the scratch buffers. */
export function savedResult(e: Engine, pins: readonly Pinned[] | null, ptrs: readonly number[], sizes: readonly number[]): readonly Saved[] {
  return pins ?? ptrs.map((ptr, i) => e.take(ptr, sizes[i]!));
}

/** A saved activation as the backward gets it: an engine address (pinned) or a host copy, placed now. */
export function placeSaved(e: Engine, saved: number | TypedArray): number {
  return typeof saved === 'number' ? saved : e.put(saved);
}

/** Runs f; if it throws, the pinned blocks no handle will own are given back first. */
export function releasingOnError<R>(e: Engine, pins: readonly Pinned[] | null, f: () => R): R {
  try {
    return f();
  } catch (err) {
    for (const b of pins ?? []) e.unpin(b.ptr);
    throw err;
  }
}

export function scoped<R>(e: Engine, f: () => R): R {
  const m = e.mark();
  try {
    return f();
  } finally {
    e.release(m);
  }
}

export interface ForwardArrays {
  /** Resident in engine memory when it was computed in a `withResult` block. */
  readonly hs: TypedArray | Resident;
  readonly hT: TypedArray;
  readonly cT?: TypedArray;
  readonly saved: readonly Saved[];
}

export interface BackwardArrays {
  readonly dxProj: TypedArray | Resident;
  readonly dh0: TypedArray;
  readonly dc0?: TypedArray;
  readonly dWhh: TypedArray;
  readonly dbHh: TypedArray;
  readonly dhs?: TypedArray;
  readonly dcs?: TypedArray;
}

/** Whether the caller promised no backward: the forward then copies out only its outputs. */
export const forwardOnly = (args: Args): boolean => args.options.forwardOnly === true;
