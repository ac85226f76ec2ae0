import type { SequenceArgs, SequenceGrads } from '@rnnkit/tensor';
import type { CpuHandle } from '../handle.js';
import type { BackwardArrays, ForwardArrays } from './common.js';
import { alloc, biasGrad, dtanh, readGrads, readSequence, recurrent, recurrentTransposed, store, timeAt, weightGrad } from './common.js';

/**
 * Elman RNN, as torch.nn.RNN: h_t = act(xProj_t + W_hh h_{t-1} + b_hh).
 * saved = [hPrev [T,B,H] (the state each step read), hNew [T,B,H] (the state it wrote)].
 */
export function rnnForward(args: SequenceArgs<CpuHandle>, activation: 'tanh' | 'relu'): ForwardArrays {
  const seq = readSequence(args);
  const { T, B, H, GH, x, h0, lengths, reverse } = seq;
  const hs = alloc(seq, T * B * H);
  const hPrev = alloc(seq, T * B * H);
  const hT = alloc(seq, B * H);
  const pre = new Float64Array(GH);
  for (let b = 0; b < B; b++) {
    // Stored in the dtype, so an f32 state rounds after every step as a step-by-step run would.
    const h = alloc(seq, H);
    h.set(h0.subarray(b * H, (b + 1) * H));
    for (let s = 0; s < lengths[b]!; s++) {
      const row = timeAt(s, lengths[b]!, reverse) * B + b;
      hPrev.set(h, row * H);
      recurrent(seq, h, 0, 0, GH, pre);
      for (let j = 0; j < H; j++) {
        const a = x[row * GH + j]! + pre[j]!;
        h[j] = activation === 'tanh' ? Math.tanh(a) : Math.max(a, 0);
      }
      hs.set(h, row * H);
    }
    hT.set(h, b * H);
  }
  return { hs, hT, saved: [hPrev, hs.slice()] };
}

export function rnnBackward(
  args: SequenceArgs<CpuHandle>,
  saved: readonly ArrayLike<number>[],
  grads: SequenceGrads<CpuHandle>,
  activation: 'tanh' | 'relu',
): BackwardArrays {
  const seq = readSequence(args);
  const { T, B, H, GH, lengths, reverse } = seq;
  const [hPrev, hNew] = saved as [ArrayLike<number>, ArrayLike<number>];
  const g = readGrads(seq, grads);
  const dG = new Float64Array(T * B * GH);
  const dhsOut = new Float64Array(T * B * H);
  const dh0 = new Float64Array(B * H);
  for (let b = 0; b < B; b++) {
    let dh = g.dhT.slice(b * H, (b + 1) * H);
    for (let s = lengths[b]! - 1; s >= 0; s--) {
      const row = timeAt(s, lengths[b]!, reverse) * B + b;
      for (let j = 0; j < H; j++) dh[j]! += g.dhs[row * H + j]!;
      dhsOut.set(dh, row * H);
      for (let j = 0; j < H; j++) {
        const y = hNew[row * H + j]!;
        // relu'(0) = 0, as torch takes it.
        dG[row * GH + j] = dh[j]! * (activation === 'tanh' ? dtanh(y) : y > 0 ? 1 : 0);
      }
      const next = new Float64Array(H);
      recurrentTransposed(seq, dG, row * GH, 0, GH, next);
      dh = next;
    }
    dh0.set(dh, b * H);
  }
  const dW = new Float64Array(GH * H);
  weightGrad(seq, dG, hPrev, 0, GH, dW);
  return {
    // The input projection enters the pre-activation directly, so its gradient is dG itself.
    dxProj: store(seq, dG),
    dh0: store(seq, dh0),
    dWhh: store(seq, dW),
    dbHh: store(seq, biasGrad(seq, dG)),
    ...(grads.wantStateGrads ? { dhs: store(seq, dhsOut) } : {}),
  };
}
