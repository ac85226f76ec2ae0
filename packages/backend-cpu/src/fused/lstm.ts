import type { SequenceArgs, SequenceGrads, View } from '@rnnkit/tensor';
import type { CpuHandle } from '../handle.js';
import { sigmoid } from '../unary.js';
import { toFloat64 } from '../internal/strided.js';
import type { BackwardArrays, ForwardArrays } from './common.js';
import { alloc, biasGrad, dsigmoid, dtanh, readGrads, readSequence, recurrent, recurrentTransposed, store, timeAt, weightGrad } from './common.js';

export type LstmArgs = SequenceArgs<CpuHandle> & { readonly c0: View<CpuHandle> };

/**
 * LSTM as torch.nn.LSTM, gate order i, f, g, o:
 *   i, f, o = σ(·), g = tanh(·) of xProj_t + W_hh h_{t-1} + b_hh
 *   c_t = f ⊙ c_{t-1} + i ⊙ g,  h_t = o ⊙ tanh(c_t)
 * saved = [gates [T,B,4H] (after activation), hPrev, cPrev, c [T,B,H]].
 */
export function lstmForward(args: LstmArgs): ForwardArrays {
  const seq = readSequence(args);
  const { T, B, H, GH, x, h0, lengths, reverse } = seq;
  const c0 = toFloat64(args.c0);
  const hs = alloc(seq, T * B * H);
  const gates = alloc(seq, T * B * GH);
  const hPrev = alloc(seq, T * B * H);
  const cPrev = alloc(seq, T * B * H);
  const cs = alloc(seq, T * B * H);
  const hT = alloc(seq, B * H);
  const cT = alloc(seq, B * H);
  const pre = new Float64Array(GH);
  for (let b = 0; b < B; b++) {
    const h = alloc(seq, H);
    const c = alloc(seq, H);
    h.set(h0.subarray(b * H, (b + 1) * H));
    c.set(c0.subarray(b * H, (b + 1) * H));
    for (let s = 0; s < lengths[b]!; s++) {
      const row = timeAt(s, lengths[b]!, reverse) * B + b;
      hPrev.set(h, row * H);
      cPrev.set(c, row * H);
      recurrent(seq, h, 0, 0, GH, pre);
      const at = (gate: number, j: number): number => x[row * GH + gate * H + j]! + pre[gate * H + j]!;
      for (let j = 0; j < H; j++) {
        const i = sigmoid(at(0, j));
        const f = sigmoid(at(1, j));
        const g = Math.tanh(at(2, j));
        const o = sigmoid(at(3, j));
        gates[row * GH + j] = i;
        gates[row * GH + H + j] = f;
        gates[row * GH + 2 * H + j] = g;
        gates[row * GH + 3 * H + j] = o;
        c[j] = f * c[j]! + i * g;
        h[j] = o * Math.tanh(c[j]!);
      }
      cs.set(c, row * H);
      hs.set(h, row * H);
    }
    hT.set(h, b * H);
    cT.set(c, b * H);
  }
  return { hs, hT, cT, saved: [gates, hPrev, cPrev, cs] };
}

export function lstmBackward(args: LstmArgs, saved: readonly ArrayLike<number>[], grads: SequenceGrads<CpuHandle>): BackwardArrays {
  const seq = readSequence(args);
  const { T, B, H, GH, lengths, reverse } = seq;
  const [gates, hPrev, cPrev, cs] = saved as [ArrayLike<number>, ArrayLike<number>, ArrayLike<number>, ArrayLike<number>];
  const g = readGrads(seq, grads);
  const dG = new Float64Array(T * B * GH);
  const dhsOut = new Float64Array(T * B * H);
  const dcsOut = new Float64Array(T * B * H);
  const dh0 = new Float64Array(B * H);
  const dc0 = new Float64Array(B * H);
  for (let b = 0; b < B; b++) {
    let dh = g.dhT.slice(b * H, (b + 1) * H);
    let dc = g.dcT.slice(b * H, (b + 1) * H);
    for (let s = lengths[b]! - 1; s >= 0; s--) {
      const row = timeAt(s, lengths[b]!, reverse) * B + b;
      for (let j = 0; j < H; j++) dh[j]! += g.dhs[row * H + j]!;
      dhsOut.set(dh, row * H);
      const dcPrev = new Float64Array(H);
      for (let j = 0; j < H; j++) {
        const i = gates[row * GH + j]!;
        const f = gates[row * GH + H + j]!;
        const gg = gates[row * GH + 2 * H + j]!;
        const o = gates[row * GH + 3 * H + j]!;
        const tc = Math.tanh(cs[row * H + j]!);
        // The state adjoint of c_t (what reaches it from later steps) is reported; inside the step,
        // the path through h_t = o ⊙ tanh(c_t) is added before the gates see it.
        dcsOut[row * H + j] = dc[j]!;
        const dcTotal = dc[j]! + dh[j]! * o * dtanh(tc);
        dG[row * GH + j] = dcTotal * gg * dsigmoid(i);
        dG[row * GH + H + j] = dcTotal * cPrev[row * H + j]! * dsigmoid(f);
        dG[row * GH + 2 * H + j] = dcTotal * i * dtanh(gg);
        dG[row * GH + 3 * H + j] = dh[j]! * tc * dsigmoid(o);
        dcPrev[j] = dcTotal * f;
      }
      const dhPrev = new Float64Array(H);
      recurrentTransposed(seq, dG, row * GH, 0, GH, dhPrev);
      dh = dhPrev;
      dc = dcPrev;
    }
    dh0.set(dh, b * H);
    dc0.set(dc, b * H);
  }
  const dW = new Float64Array(GH * H);
  weightGrad(seq, dG, hPrev, 0, GH, dW);
  return {
    dxProj: store(seq, dG),
    dh0: store(seq, dh0),
    dc0: store(seq, dc0),
    dWhh: store(seq, dW),
    dbHh: store(seq, biasGrad(seq, dG)),
    ...(grads.wantStateGrads ? { dhs: store(seq, dhsOut), dcs: store(seq, dcsOut) } : {}),
  };
}
