import type { SequenceGrads, TypedArray } from '@rnnkit/tensor';
import type { WasmHandle } from '../handle.js';
import type { Engine } from '../internal/engine.js';
import { panelsOf } from '../internal/panels.js';
import { placeReadOnly } from '../internal/place.js';
import {
  allRows, forwardOnly, packRows, pinSaved, placeSaved, put, putForwardInputs, putOrZeros, readSeq,
  recurrentWeightGrads, releasingOnError, rowTable, savedBuffers, savedResult, scoped, transposedGrads, transposedRows,
  transposeStep, type Args, type BackwardArrays, type ForwardArrays
} from './common.js';

export function rnnForward(e: Engine, args: Args, relu: boolean): ForwardArrays {
  const seq = readSeq(args);
  const { T, B, H, S } = seq;
  // Buffers some rows of which may stay unwritten are zeroed first.
  const zero = !allRows(seq);
  const wT = transposedRows(args, 0, H);
  e.panels.keep(wT);
  /** Runs every step, writing hs (and hPrev unless it is 0); returns the final h. */
  const steps = (hPrev: number, hs: number): number => {
    const { ops } = e;
    const { X, bias, h } = putForwardInputs(e, args);
    const Wp = panelsOf(e, wT);
    const P = e.alloc(B * H);
    const rows = rowTable(e, seq);
    for (let s = 0; s < S; s++) {
      ops.gemm(B, H, H, h, H, 1, Wp, P, H, 0);
      ops.rnnFwdStep(B, H, P, X, bias, rows + s * B * 4, h, hPrev, hs, relu ? 1 : 0);
    }
    return h;
  };
  // Inference: hs only, computed where the head's GEMM can read it in place.
  if (forwardOnly(args)) {
    return e.withResult(T * B * H, (block) => {
      const hs = zero ? e.clear(block, T * B * H) : block;
      const h = steps(0, hs);
      return { hs: e.takeResult(hs, T * B * H), hT: e.take(h, B * H), saved: [] };
    });
  }
  // Saved: [hPrev, hs]; the outputs' hs is a copy of the saved one.
  const sizes = [T * B * H, T * B * H];
  const pins = pinSaved(e, sizes, zero);
  return releasingOnError(e, pins, () => scoped(e, () => {
    const [hPrev, hs] = savedBuffers(e, pins, sizes, zero) as [number, number];
    const h = steps(hPrev, hs);
    return { hs: e.take(hs, T * B * H), hT: e.take(h, B * H), saved: savedResult(e, pins, [hPrev, hs], sizes) };
  }));
}

export function rnnBackward(e: Engine, args: Args, saved: readonly (number | TypedArray)[], grads: SequenceGrads<WasmHandle>, relu: boolean): BackwardArrays {
  const seq = readSeq(args);
  const { T, B, H, S } = seq;
  return e.withResult(T * B * H, (block) => {
    const { ops } = e;
    const W = put(e, args.wHh);
    const Wp = packRows(e, W, H, 0, H);
    const [hPrev, hNew] = saved.map((s) => placeSaved(e, s)) as [number, number];
    const dhsIn = grads.dhs === undefined ? 0 : placeReadOnly(e, grads.dhs);
    const dh = putOrZeros(e, grads.dhT, B * H);
    const dG = e.clear(block, T * B * H);
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
    const { dW, db } = recurrentWeightGrads(e, seq, dG, dGT, hPrev);
    return {
      dxProj: e.takeResult(dG, T * B * H), dh0: e.take(dh, B * H), dWhh: e.take(dW, H * H), dbHh: e.take(db, H),
      ...(want ? { dhs: e.take(dhsOut, T * B * H) } : {}),
    };
  });
}
