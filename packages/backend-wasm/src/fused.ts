import {
  checkAdamStepArgs, checkCrossEntropyArgs, checkCrossEntropyBackwardArgs, crossEntropyTarget, RnnkitError, sizeOf,
} from '@rnnkit/tensor';
import type {
  AdamStepArgs, CrossEntropyArgs, CrossEntropyBackwardArgs, FusedKernels, SequenceArgs, SequenceBackward, SequenceForward, SequenceGrads, TypedArray, View,
} from '@rnnkit/tensor';
import type { WasmHandle } from './handle.js';
import type { Acquire } from './internal/acquire.js';
import type { Engine } from './internal/engine.js';
import type { Memory } from './memory.js';
import { contiguous, copyInto } from './internal/strided.js';

type EngineFor = (view: View<WasmHandle>) => Engine;
type Args = SequenceArgs<WasmHandle>;
type LstmArgs = Args & { readonly c0: View<WasmHandle> };

/**
 * The whole-sequence kernels, written once against the Ops ABI (WebAssembly or its JS twin).
 * Per step: one GEMM P = h·W_hhᵀ over the whole batch (W_hh packed once per call), then one
 * fused, vectorised pass for bias, gate activations and the state update. Sequences that are
 * finished (lengths) or run in reverse read and write their own [T·B] row, given per step by a
 * table of row indices (−1 = this sequence has no step here: its state is left alone).
 * Backward mirrors it; the recurrent weight gradient is one GEMM dGᵀ·hPrev over all T·B rows.
 * `saved` holds host arrays like the reference's: LSTM [gates, hPrev, cPrev, c], GRU
 * [gates, hPrev, (hn)], RNN [hPrev, hNew].
 */

interface Seq {
  readonly T: number;
  readonly B: number;
  readonly H: number;
  readonly GH: number;
  /** Steps of the longest sequence. */
  readonly S: number;
  readonly lengths: readonly number[];
  readonly reverse: boolean;
}

function readSeq(args: Args): Seq {
  const [T, B, GH] = args.xProj.shape as [number, number, number];
  const H = args.h0.shape[1]!;
  const given = args.options.lengths === undefined ? undefined : contiguous(args.options.lengths);
  const lengths = Array.from({ length: B }, (_, b) => (given === undefined ? T : Math.max(0, Math.min(T, given[b]!))));
  return { T, B, H, GH, S: lengths.reduce((m, l) => Math.max(m, l), 0), lengths, reverse: args.options.reverse === true };
}

/** Row table [S, B] (i32): the [T·B] row sequence b reads at step s, or −1. */
function rowTable(e: Engine, seq: Seq): number {
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

function put(e: Engine, view: View<WasmHandle>): number {
  const n = sizeOf(view.shape);
  const ptr = e.alloc(n);
  copyInto(view, e.f(), e.at(ptr));
  return ptr;
}

function putOrZeros(e: Engine, view: View<WasmHandle> | undefined, n: number): number {
  return view === undefined ? e.zeros(n) : put(e, view);
}

/** Packed panels for B(k, n) = W[r0 + n, k] (k < H, n < N): the forward's h·W_hhᵀ. */
function packTransposed(e: Engine, w: number, H: number, r0: number, N: number): number {
  const dst = e.alloc(Math.ceil(N / 8) * 8 * H);
  e.ops.packB(w + r0 * H * e.elementBytes, 1, H, H, N, dst);
  return dst;
}

/** Packed panels for B(k, j) = W[r0 + k, j] (k < K, j < H): the backward's dG·W_hh. */
function packRows(e: Engine, w: number, H: number, r0: number, K: number): number {
  const dst = e.alloc(Math.ceil(H / 8) * 8 * K);
  e.ops.packB(w + r0 * H * e.elementBytes, H, 1, K, H, dst);
  return dst;
}

/**
 * dGᵀ [GH, T·B], filled step by step by `transposeStep` while each step's rows are still in cache,
 * when every sequence runs all T steps (step s then owns the B consecutive rows of its time t).
 * 0 otherwise: weightGrad then transposes dG whole, at the end.
 */
function transposedGrads(e: Engine, seq: Seq): number {
  return allRows(seq) ? e.alloc(seq.GH * seq.T * seq.B) : 0;
}

/** Copies step s's B rows of dG, transposed, into their columns of dGT (when dGT is not 0). */
function transposeStep(e: Engine, seq: Seq, s: number, dG: number, dGT: number): void {
  if (dGT === 0) return;
  const { T, B, GH } = seq;
  const t = seq.reverse ? T - 1 - s : s;
  const eb = e.elementBytes;
  e.ops.copy2D(dG + t * B * GH * eb, 1, GH, GH, B, dGT + t * B * eb, T * B);
}

/** dW[r0 .. r0+M, :] = dG[:, c0 .. c0+M]ᵀ · X over all T·B rows (one GEMM), from dGT when there is one. */
function weightGrad(e: Engine, seq: Seq, dG: number, dGT: number, c0: number, M: number, x: number, dW: number): void {
  const { T, B, H, GH } = seq;
  const K = T * B;
  const eb = e.elementBytes;
  const xp = e.alloc(Math.ceil(H / 8) * 8 * K);
  e.ops.packB(x, H, 1, K, H, xp);
  let A = dGT + c0 * K * eb;
  if (dGT === 0) {
    // dGᵀ made row-major first: the micro-kernel reads A along rows.
    A = e.alloc(M * K);
    e.ops.copy2D(dG + c0 * eb, 1, GH, M, K, A, K);
  }
  e.ops.gemm(M, H, K, A, K, 1, xp, dW + c0 * H * eb, H, 0);
}

/** Whether every sequence runs all T steps: the step kernels then write every row of a [T·B]-row buffer. */
function allRows(seq: Seq): boolean {
  return seq.lengths.every((l) => l === seq.T);
}

/** A block of engine memory kept from a forward for its backward. */
interface Pinned {
  readonly ptr: number;
  /** Floats. */
  readonly n: number;
}

/**
 * Pins blocks for a forward's saved activations before the call takes scratch (the backward reads
 * them where they are: no copy out and back in). Zeroed when some rows may stay unwritten.
 */
function pinSaved(e: Engine, sizes: readonly number[], zero: boolean): Pinned[] {
  return sizes.map((n) => {
    const ptr = e.pin(n);
    if (zero) e.f().fill(0, e.at(ptr), e.at(ptr) + n);
    return { ptr, n };
  });
}

/** Runs f; if it throws, the pinned blocks no handle will own are given back first. */
function releasingOnError<R>(e: Engine, saved: readonly Pinned[], f: () => R): R {
  try {
    return f();
  } catch (err) {
    for (const b of saved) e.unpin(b.ptr);
    throw err;
  }
}

function scoped<R>(e: Engine, f: () => R): R {
  const m = e.mark();
  try {
    return f();
  } finally {
    e.release(m);
  }
}

function lstmForward(e: Engine, args: LstmArgs): ForwardArrays {
  const seq = readSeq(args);
  const { T, B, H, GH, S } = seq;
  // Inference keeps nothing for a backward: the kernel then stores only hs and the state.
  const saved = forwardOnly(args) ? [] : pinSaved(e, [T * B * GH, T * B * H, T * B * H, T * B * H], !allRows(seq));
  return releasingOnError(e, saved, () => scoped(e, () => {
    const { ops } = e;
    const X = put(e, args.xProj);
    const W = put(e, args.wHh);
    const bias = put(e, args.bHh);
    const h = put(e, args.h0);
    const c = put(e, args.c0);
    const Wp = packTransposed(e, W, H, 0, GH);
    const P = e.alloc(B * GH);
    const [gates, hPrev, cPrev, cs] = saved.length > 0 ? saved.map((b) => b.ptr) : [0, 0, 0, 0];
    const hs = allRows(seq) ? e.alloc(T * B * H) : e.zeros(T * B * H);
    const rows = rowTable(e, seq);
    for (let s = 0; s < S; s++) {
      ops.gemm(B, GH, H, h, H, 1, Wp, P, GH, 0);
      ops.lstmFwdStep(B, H, P, X, bias, rows + s * B * 4, h, c, gates!, hPrev!, cPrev!, cs!, hs);
    }
    return { hs: e.take(hs, T * B * H), hT: e.take(h, B * H), cT: e.take(c, B * H), saved };
  }));
}

function lstmBackward(e: Engine, args: LstmArgs, saved: readonly number[], grads: SequenceGrads<WasmHandle>) {
  return scoped(e, () => {
    const seq = readSeq(args);
    const { T, B, H, GH, S } = seq;
    const { ops } = e;
    const W = put(e, args.wHh);
    const Wp = packRows(e, W, H, 0, GH);
    const [gates, hPrev, cPrev, cs] = saved as [number, number, number, number];
    const dhsIn = grads.dhs === undefined ? 0 : put(e, grads.dhs);
    const dh = putOrZeros(e, grads.dhT, B * H);
    const dc = putOrZeros(e, grads.dcT, B * H);
    const dG = allRows(seq) ? e.alloc(T * B * GH) : e.zeros(T * B * GH);
    const dGstep = e.alloc(B * GH);
    const dhNew = e.alloc(B * H);
    const want = grads.wantStateGrads === true;
    const dhsOut = want ? e.zeros(T * B * H) : 0;
    const dcsOut = want ? e.zeros(T * B * H) : 0;
    const rows = rowTable(e, seq);
    const dGT = transposedGrads(e, seq);
    for (let s = S - 1; s >= 0; s--) {
      const r = rows + s * B * 4;
      ops.lstmBwdStep(B, H, r, dhsIn, dh, dc, gates, cPrev, cs, dG, dGstep, dhsOut, dcsOut);
      transposeStep(e, seq, s, dG, dGT);
      ops.gemm(B, H, GH, dGstep, GH, 1, Wp, dhNew, H, 0);
      ops.mergeRows(B, H, r, dhNew, dh);
    }
    const dW = e.alloc(GH * H);
    weightGrad(e, seq, dG, dGT, 0, GH, hPrev, dW);
    const db = e.alloc(GH);
    ops.colSum(T * B, GH, dG, db);
    return {
      dxProj: e.take(dG, T * B * GH), dh0: e.take(dh, B * H), dc0: e.take(dc, B * H),
      dWhh: e.take(dW, GH * H), dbHh: e.take(db, GH),
      ...(want ? { dhs: e.take(dhsOut, T * B * H), dcs: e.take(dcsOut, T * B * H) } : {}),
    };
  });
}

function rnnForward(e: Engine, args: Args, relu: boolean): ForwardArrays {
  const seq = readSeq(args);
  const { T, B, H, S } = seq;
  const saved = forwardOnly(args) ? [] : pinSaved(e, [T * B * H, T * B * H], true);
  return releasingOnError(e, saved, () => scoped(e, () => {
    const { ops } = e;
    const X = put(e, args.xProj);
    const W = put(e, args.wHh);
    const bias = put(e, args.bHh);
    const h = put(e, args.h0);
    const Wp = packTransposed(e, W, H, 0, H);
    const P = e.alloc(B * H);
    // Saved: [hPrev, hs]; the outputs' hs is a copy of the saved one.
    const [hPrev, hs] = saved.length > 0 ? saved.map((b) => b.ptr) : [e.zeros(T * B * H), e.zeros(T * B * H)];
    const rows = rowTable(e, seq);
    for (let s = 0; s < S; s++) {
      ops.gemm(B, H, H, h, H, 1, Wp, P, H, 0);
      ops.rnnFwdStep(B, H, P, X, bias, rows + s * B * 4, h, hPrev!, hs!, relu ? 1 : 0);
    }
    return { hs: e.take(hs!, T * B * H), hT: e.take(h, B * H), saved };
  }));
}

function rnnBackward(e: Engine, args: Args, saved: readonly number[], grads: SequenceGrads<WasmHandle>, relu: boolean) {
  return scoped(e, () => {
    const seq = readSeq(args);
    const { T, B, H, S } = seq;
    const { ops } = e;
    const W = put(e, args.wHh);
    const Wp = packRows(e, W, H, 0, H);
    const [hPrev, hNew] = saved as [number, number];
    const dhsIn = grads.dhs === undefined ? 0 : put(e, grads.dhs);
    const dh = putOrZeros(e, grads.dhT, B * H);
    const dG = e.zeros(T * B * H);
    const dGstep = e.alloc(B * H);
    const dhNew = e.alloc(B * H);
    const want = grads.wantStateGrads === true;
    const dhsOut = want ? e.zeros(T * B * H) : 0;
    const rows = rowTable(e, seq);
    const dGT = transposedGrads(e, seq);
    for (let s = S - 1; s >= 0; s--) {
      const r = rows + s * B * 4;
      ops.rnnBwdStep(B, H, r, dhsIn, dh, hNew, dG, dGstep, dhsOut, relu ? 1 : 0);
      transposeStep(e, seq, s, dG, dGT);
      ops.gemm(B, H, H, dGstep, H, 1, Wp, dhNew, H, 0);
      ops.mergeRows(B, H, r, dhNew, dh);
    }
    const dW = e.alloc(H * H);
    weightGrad(e, seq, dG, dGT, 0, H, hPrev, dW);
    const db = e.alloc(H);
    ops.colSum(T * B, H, dG, db);
    return {
      dxProj: e.take(dG, T * B * H), dh0: e.take(dh, B * H), dWhh: e.take(dW, H * H), dbHh: e.take(db, H),
      ...(want ? { dhs: e.take(dhsOut, T * B * H) } : {}),
    };
  });
}

function gruForward(e: Engine, args: Args, resetAfter: boolean): ForwardArrays {
  const seq = readSeq(args);
  const { T, B, H, GH, S } = seq;
  // Saved: [gates, hPrev] and, reset-after, hn (the recurrent n-gate part).
  const sizes = [T * B * GH, T * B * H, ...(resetAfter ? [T * B * H] : [])];
  const saved = forwardOnly(args) ? [] : pinSaved(e, sizes, true);
  return releasingOnError(e, saved, () => scoped(e, () => {
    const { ops } = e;
    const X = put(e, args.xProj);
    const W = put(e, args.wHh);
    const bias = put(e, args.bHh);
    const h = put(e, args.h0);
    const [gates, hPrev, hn] = saved.length > 0 ? saved.map((b) => b.ptr) : sizes.map((n) => e.zeros(n));
    const hs = e.zeros(T * B * H);
    const rows = rowTable(e, seq);
    if (resetAfter) {
      const Wp = packTransposed(e, W, H, 0, GH);
      const P = e.alloc(B * GH);
      for (let s = 0; s < S; s++) {
        ops.gemm(B, GH, H, h, H, 1, Wp, P, GH, 0);
        ops.gruFwdStepAfter(B, H, P, X, bias, rows + s * B * 4, h, gates!, hPrev!, hn!, hs);
      }
    } else {
      const Wrz = packTransposed(e, W, H, 0, 2 * H);
      const Wn = packTransposed(e, W, H, 2 * H, H);
      const Prz = e.alloc(B * 2 * H);
      const Pn = e.alloc(B * H);
      const rh = e.zeros(B * H);
      for (let s = 0; s < S; s++) {
        const r = rows + s * B * 4;
        ops.gemm(B, 2 * H, H, h, H, 1, Wrz, Prz, 2 * H, 0);
        ops.gruFwdStepBefore1(B, H, Prz, X, bias, r, h, gates!, hPrev!, rh);
        ops.gemm(B, H, H, rh, H, 1, Wn, Pn, H, 0);
        ops.gruFwdStepBefore2(B, H, Pn, X, bias, r, h, gates!, hs);
      }
    }
    return { hs: e.take(hs, T * B * H), hT: e.take(h, B * H), saved };
  }));
}

function gruBackward(e: Engine, args: Args, saved: readonly number[], grads: SequenceGrads<WasmHandle>, resetAfter: boolean) {
  return scoped(e, () => {
    const seq = readSeq(args);
    const { T, B, H, GH, S } = seq;
    const { ops } = e;
    const W = put(e, args.wHh);
    const [gates, hPrev, hn] = saved as [number, number, number | undefined];
    const dhsIn = grads.dhs === undefined ? 0 : put(e, grads.dhs);
    const dh = putOrZeros(e, grads.dhT, B * H);
    const dG = e.zeros(T * B * GH);
    const dX = e.zeros(T * B * GH);
    const dhPart = e.alloc(B * H);
    const want = grads.wantStateGrads === true;
    const dhsOut = want ? e.zeros(T * B * H) : 0;
    const rows = rowTable(e, seq);
    const dW = e.alloc(GH * H);
    const dGT = transposedGrads(e, seq);
    if (resetAfter) {
      const Wp = packRows(e, W, H, 0, GH);
      const dGstep = e.alloc(B * GH);
      for (let s = S - 1; s >= 0; s--) {
        const r = rows + s * B * 4;
        ops.gruBwdStepAfter(B, H, r, dhsIn, dh, gates, hPrev, hn!, dG, dX, dGstep, dhPart, dhsOut);
        transposeStep(e, seq, s, dG, dGT);
        ops.gemm(B, H, GH, dGstep, GH, 1, Wp, dhPart, H, 1);
        ops.mergeRows(B, H, r, dhPart, dh);
      }
      weightGrad(e, seq, dG, dGT, 0, GH, hPrev, dW);
    } else {
      const Wrz = packRows(e, W, H, 0, 2 * H);
      const Wn = packRows(e, W, H, 2 * H, H);
      const dGn = e.alloc(B * H);
      const u = e.alloc(B * H);
      const dGrz = e.alloc(B * 2 * H);
      const rh = e.zeros(T * B * H);
      for (let s = S - 1; s >= 0; s--) {
        const r = rows + s * B * 4;
        ops.gruBwdStepBefore1(B, H, r, dhsIn, dh, gates, hPrev, dG, dX, dGn, dhPart, dhsOut);
        ops.gemm(B, H, H, dGn, H, 1, Wn, u, H, 0);
        ops.gruBwdStepBefore2(B, H, r, u, gates, hPrev, dG, dX, dGrz, dhPart, rh);
        transposeStep(e, seq, s, dG, dGT);
        ops.gemm(B, H, 2 * H, dGrz, 2 * H, 1, Wrz, dhPart, H, 1);
        ops.mergeRows(B, H, r, dhPart, dh);
      }
      weightGrad(e, seq, dG, dGT, 0, 2 * H, hPrev, dW);
      weightGrad(e, seq, dG, dGT, 2 * H, H, rh, dW);
    }
    const db = e.alloc(GH);
    ops.colSum(T * B, GH, dG, db);
    return {
      dxProj: e.take(dX, T * B * GH), dh0: e.take(dh, B * H), dWhh: e.take(dW, GH * H), dbHh: e.take(db, GH),
      ...(want ? { dhs: e.take(dhsOut, T * B * H) } : {}),
    };
  });
}

/** One pass of the engine's adamStep over copies of grad and the moments, which it overwrites in place. */
function adamStep(e: Engine, a: AdamStepArgs<WasmHandle>): { mu: TypedArray; nu: TypedArray; update: TypedArray } {
  return scoped(e, () => {
    const n = sizeOf(a.grad.shape);
    const [g, m, v] = [put(e, a.grad), put(e, a.mu), put(e, a.nu)];
    // Constants rounded to the dtype as the composite ops would hold them.
    const r = e.elementBytes === 4 ? Math.fround : (x: number) => x;
    const scalar = (x: View<WasmHandle>) => x.handle.data[x.offset]!;
    e.ops.adamStep(n, g, m, v, scalar(a.bc1), scalar(a.bc2Sqrt), r(a.beta1), r(1 - a.beta1), r(a.beta2), r(1 - a.beta2), r(a.eps));
    return { mu: e.take(m, n), nu: e.take(v, n), update: e.take(g, n) };
  });
}

/** Per-row max and Σ exp in the engine (vectorised exp), then logSumExp = max + log Σ and loss[n] = logSumExp[n] − logits[n, target]. */
function crossEntropy(e: Engine, a: CrossEntropyArgs<WasmHandle>, acquire: Acquire): { loss: TypedArray; logSumExp: TypedArray } {
  const op = 'crossEntropy';
  const { N, V } = checkCrossEntropyArgs(op, a);
  const t = contiguous(a.targets);
  return scoped(e, () => {
    const x = put(e, a.logits);
    const [m, sum] = [e.alloc(N), e.alloc(N)];
    e.ops.rowMaxSumExp(N, V, x, m, sum);
    const F = e.f();
    const [xi, mi, si] = [e.at(x), e.at(m), e.at(sum)];
    const lse = acquire(a.logits.dtype, N);
    const loss = acquire(a.logits.dtype, N);
    for (let n = 0; n < N; n++) {
      lse[n] = F[mi + n]! + Math.log(F[si + n]!);
      loss[n] = lse[n]! - F[xi + n * V + crossEntropyTarget(op, t, n, V)]!;
    }
    return { loss, logSumExp: lse };
  });
}

/** d logits = grad[n]·softmax in the engine, then grad[n] taken off at each row's target. */
function crossEntropyBackward(e: Engine, a: CrossEntropyBackwardArgs<WasmHandle>): TypedArray {
  const op = 'crossEntropyBackward';
  const { N, V } = checkCrossEntropyBackwardArgs(op, a);
  const t = contiguous(a.targets);
  return scoped(e, () => {
    const [x, lse, g] = [put(e, a.logits), put(e, a.logSumExp), put(e, a.grad)];
    const dx = e.alloc(N * V);
    e.ops.softmaxGrad(N, V, x, lse, g, dx);
    const F = e.f();
    const [di, gi] = [e.at(dx), e.at(g)];
    for (let n = 0; n < N; n++) F[di + n * V + crossEntropyTarget(op, t, n, V)]! -= F[gi + n]!;
    return e.take(dx, N * V);
  });
}

interface ForwardArrays {
  readonly hs: TypedArray;
  readonly hT: TypedArray;
  readonly cT?: TypedArray;
  readonly saved: readonly Pinned[];
}

interface BackwardArrays {
  readonly dxProj: TypedArray;
  readonly dh0: TypedArray;
  readonly dc0?: TypedArray;
  readonly dWhh: TypedArray;
  readonly dbHh: TypedArray;
  readonly dhs?: TypedArray;
  readonly dcs?: TypedArray;
}

function wrapForward(memory: Memory, e: Engine, f: ForwardArrays): SequenceForward<WasmHandle> {
  const track = (data: TypedArray) => memory.track(data);
  // A saved handle owns its pinned block: freeing it unpins (backend.free), and stats count its bytes.
  const pinnedHandle = (b: Pinned): WasmHandle => memory.adopt({ data: new Float32Array(0), pinned: { engine: e, ptr: b.ptr } }, b.n * e.elementBytes);
  return {
    hs: track(f.hs), hT: track(f.hT), ...(f.cT === undefined ? {} : { cT: track(f.cT) }), saved: f.saved.map(pinnedHandle),
  };
}

function wrapBackward(memory: Memory, g: BackwardArrays): SequenceBackward<WasmHandle> {
  const track = (data: TypedArray) => memory.track(data);
  return {
    dxProj: track(g.dxProj), dh0: track(g.dh0), ...(g.dc0 === undefined ? {} : { dc0: track(g.dc0) }),
    dWhh: track(g.dWhh), dbHh: track(g.dbHh),
    ...(g.dhs === undefined ? {} : { dhs: track(g.dhs) }), ...(g.dcs === undefined ? {} : { dcs: track(g.dcs) }),
  };
}

/** The engine addresses of a forward's saved blocks, checked to be alive and this engine's. */
function savedOf(memory: Memory, e: Engine, op: string, fwd: SequenceForward<WasmHandle>): number[] {
  if (fwd.saved.length === 0) throw new RnnkitError(`${op}: the forward ran with forwardOnly and kept nothing to differentiate; run it with forwardOnly false.`);
  return fwd.saved.map((h) => {
    memory.check(h, op);
    if (h.pinned?.engine !== e) throw new RnnkitError(`${op}: the saved activations are not from this backend's ${e.elementBytes === 4 ? 'f32' : 'f64'} forward; pass the forward result of the same backend and dtype.`);
    return h.pinned.ptr;
  });
}

/** Whether the caller promised no backward: the forward then copies out only its outputs. */
const forwardOnly = (args: Args): boolean => args.options.forwardOnly === true;

/** The whole-sequence kernels; `engineFor` picks WebAssembly (f32) or JS (f64, or the fallback) by the input's dtype. */
export function createFusedKernels(memory: Memory, engineFor: EngineFor): Required<FusedKernels<WasmHandle>> {
  const track = (data: TypedArray) => memory.track(data);
  const check = (op: string, ...views: View<WasmHandle>[]) => {
    for (const v of views) memory.check(v.handle, op);
  };
  const inputs = (a: Args): View<WasmHandle>[] => [a.xProj, a.h0, a.wHh, a.bHh, ...(a.options.lengths ? [a.options.lengths] : [])];
  const forward = (op: string, a: Args, run: (e: Engine) => ForwardArrays) => {
    check(op, ...inputs(a));
    const e = engineFor(a.xProj);
    return wrapForward(memory, e, run(e));
  };
  const backward = (op: string, a: Args, fwd: SequenceForward<WasmHandle>, run: (e: Engine, saved: number[]) => BackwardArrays) => {
    const e = engineFor(a.xProj);
    return wrapBackward(memory, run(e, savedOf(memory, e, op, fwd)));
  };
  return {
    rnnSequence: (a, act) => forward('rnnSequence', a, (e) => rnnForward(e, a, act === 'relu')),
    rnnSequenceBackward: (a, fwd, g, act) => backward('rnnSequenceBackward', a, fwd, (e, saved) => rnnBackward(e, a, saved, g, act === 'relu')),
    lstmSequence: (a) => (check('lstmSequence', a.c0), forward('lstmSequence', a, (e) => lstmForward(e, a))),
    lstmSequenceBackward: (a, fwd, g) => backward('lstmSequenceBackward', a, fwd, (e, saved) => lstmBackward(e, a, saved, g)),
    gruSequence: (a, ra) => forward('gruSequence', a, (e) => gruForward(e, a, ra)),
    gruSequenceBackward: (a, fwd, g, ra) => backward('gruSequenceBackward', a, fwd, (e, saved) => gruBackward(e, a, saved, g, ra)),
    adamStep: (a) => {
      check('adamStep', a.grad, a.mu, a.nu, a.bc1, a.bc2Sqrt);
      checkAdamStepArgs(a);
      const o = adamStep(engineFor(a.grad), a);
      return { mu: track(o.mu), nu: track(o.nu), update: track(o.update) };
    },
    crossEntropy: (a) => {
      check('crossEntropy', a.logits, a.targets);
      const o = crossEntropy(engineFor(a.logits), a, (dtype, n) => memory.acquire(dtype, n));
      return { loss: track(o.loss), logSumExp: track(o.logSumExp) };
    },
    crossEntropyBackward: (a) => {
      check('crossEntropyBackward', a.logits, a.targets, a.logSumExp, a.grad);
      return track(crossEntropyBackward(engineFor(a.logits), a));
    },
  };
}
