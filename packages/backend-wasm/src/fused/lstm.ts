import type { SequenceGrads, TypedArray } from '@rnnkit/tensor';
import type { WasmHandle } from '../handle.js';
import type { Engine } from '../internal/engine.js';
import { panelsOf } from '../internal/panels.js';
import { placeReadOnly } from '../internal/place.js';
import {
  allRows, forwardOnly, packRows, pinSaved, placeSaved, put, putForwardInputs, putOrZeros, readSeq,
  recurrentWeightGrads, releasingOnError, rowTable, savedBuffers, savedResult, transposedGrads,
  transposedRows, transposeStep, type BackwardArrays, type ForwardArrays, type LstmArgs
} from './common.js';

export function lstmForward(e: Engine, args: LstmArgs): ForwardArrays {
  const seq = readSeq(args);
  const { T, B, H, GH, S } = seq;
  // Inference keeps nothing for a backward: the kernel then stores only hs and the state.
  const keep = !forwardOnly(args);
  const sizes = [T * B * GH, T * B * H, T * B * H, T * B * H];
  const wT = transposedRows(args, 0, GH);
  e.panels.keep(wT);
  const pins = keep ? pinSaved(e, sizes, !allRows(seq)) : null;
  return releasingOnError(e, pins, () => e.withResult(T * B * H, (block) => {
    const { ops } = e;
    const { X, bias, h } = putForwardInputs(e, args);
    const c = put(e, args.c0);
    const Wp = panelsOf(e, wT);
    const P = e.alloc(B * GH);
    const saved = keep ? savedBuffers(e, pins, sizes, !allRows(seq)) : [0, 0, 0, 0];
    const [gates, hPrev, cPrev, cs] = saved;
    // Zeroed when some rows may stay unwritten.
    const hs = allRows(seq) ? block : e.clear(block, T * B * H);
    const rows = rowTable(e, seq);
    for (let s = 0; s < S; s++) {
      ops.gemm(B, GH, H, h, H, 1, Wp, P, GH, 0);
      ops.lstmFwdStep(B, H, P, X, bias, rows + s * B * 4, h, c, gates!, hPrev!, cPrev!, cs!, hs);
    }
    return { hs: e.takeResult(hs, T * B * H), hT: e.take(h, B * H), cT: e.take(c, B * H), saved: keep ? savedResult(e, pins, saved, sizes) : [] };
  }));
}

export function lstmBackward(e: Engine, args: LstmArgs, saved: readonly (number | TypedArray)[], grads: SequenceGrads<WasmHandle>): BackwardArrays {
  const seq = readSeq(args);
  const { T, B, H, GH, S } = seq;
  return e.withResult(T * B * GH, (block) => {
    const { ops } = e;
    const W = put(e, args.wHh);
    const Wp = packRows(e, W, H, 0, GH);
    const [gates, hPrev, cPrev, cs] = saved.map((s) => placeSaved(e, s)) as [number, number, number, number];
    const dhsIn = grads.dhs === undefined ? 0 : placeReadOnly(e, grads.dhs);
    const dh = putOrZeros(e, grads.dhT, B * H);
    const dc = putOrZeros(e, grads.dcT, B * H);
    const dG = allRows(seq) ? block : e.clear(block, T * B * GH);
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
    const { dW, db } = recurrentWeightGrads(e, seq, dG, dGT, hPrev);
    return {
      dxProj: e.takeResult(dG, T * B * GH), dh0: e.take(dh, B * H), dc0: e.take(dc, B * H),
      dWhh: e.take(dW, GH * H), dbHh: e.take(db, GH),
      ...(want ? { dhs: e.take(dhsOut, T * B * H), dcs: e.take(dcsOut, T * B * H) } : {}),
    };
  });
}
