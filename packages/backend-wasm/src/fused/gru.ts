import type { SequenceGrads, TypedArray } from '@rnnkit/tensor';
import type { WasmHandle } from '../handle.js';
import type { Engine } from '../internal/engine.js';
import { panelsOf } from '../internal/panels.js';
import { placeReadOnly } from '../internal/place.js';
import {
  allRows, forwardOnly, packRows, pinSaved, placeSaved, put, putForwardInputs, putOrZeros, readSeq,
  releasingOnError, rowTable, savedBuffers, savedResult, transposedGrads, transposedRows, transposeStep,
  weightGrad, type Args, type BackwardArrays, type ForwardArrays
} from './common.js';

export function gruForward(e: Engine, args: Args, resetAfter: boolean): ForwardArrays {
  const seq = readSeq(args);
  const { T, B, H, GH, S } = seq;
  // Saved: [gates, hPrev] and, reset-after, hn (the recurrent n-gate part).
  const sizes = [T * B * GH, T * B * H, ...(resetAfter ? [T * B * H] : [])];
  const keep = !forwardOnly(args);
  // Buffers some rows of which may stay unwritten are zeroed first.
  const zero = !allRows(seq);
  // W_hh's operands: whole (reset-after), or the r, z rows and the n rows (reset-before).
  const wT = resetAfter ? [transposedRows(args, 0, GH)] : [transposedRows(args, 0, 2 * H), transposedRows(args, 2 * H, H)];
  for (const w of wT) e.panels.keep(w);
  const pins = keep ? pinSaved(e, sizes, zero) : null;
  return releasingOnError(e, pins, () => e.withResult(T * B * H, (block) => {
    const { ops } = e;
    const { X, bias, h } = putForwardInputs(e, args);
    // Reset-after inference writes no saved activations (0 = none); reset-before reads z back from
    // the gates, so inference still uses those buffers as workspace, unkept.
    const [gates, hPrev, hn] = keep || !resetAfter ? savedBuffers(e, pins, sizes, zero) : [0, 0, 0];
    const hs = zero ? e.clear(block, T * B * H) : block;
    const rows = rowTable(e, seq);
    if (resetAfter) {
      const Wp = panelsOf(e, wT[0]!);
      const P = e.alloc(B * GH);
      for (let s = 0; s < S; s++) {
        ops.gemm(B, GH, H, h, H, 1, Wp, P, GH, 0);
        ops.gruFwdStepAfter(B, H, P, X, bias, rows + s * B * 4, h, gates!, hPrev!, hn!, hs);
      }
    } else {
      const Wrz = panelsOf(e, wT[0]!);
      const Wn = panelsOf(e, wT[1]!);
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
    const saved = keep ? savedResult(e, pins, [gates!, hPrev!, ...(resetAfter ? [hn!] : [])], sizes) : [];
    return { hs: e.takeResult(hs, T * B * H), hT: e.take(h, B * H), saved };
  }));
}

export function gruBackward(e: Engine, args: Args, saved: readonly (number | TypedArray)[], grads: SequenceGrads<WasmHandle>, resetAfter: boolean): BackwardArrays {
  const seq = readSeq(args);
  const { T, B, H, GH, S } = seq;
  return e.withResult(T * B * GH, (block) => {
    const { ops } = e;
    const W = put(e, args.wHh);
    const [gates, hPrev, hn] = saved.map((s) => placeSaved(e, s)) as [number, number, number | undefined];
    const dhsIn = grads.dhs === undefined ? 0 : placeReadOnly(e, grads.dhs);
    const dh = putOrZeros(e, grads.dhT, B * H);
    const dG = e.zeros(T * B * GH);
    const dX = e.clear(block, T * B * GH);
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
      dxProj: e.takeResult(dX, T * B * GH), dh0: e.take(dh, B * H), dWhh: e.take(dW, GH * H), dbHh: e.take(db, GH),
      ...(want ? { dhs: e.take(dhsOut, T * B * H) } : {}),
    };
  });
}
