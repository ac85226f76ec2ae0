import type { SequenceArgs, SequenceGrads } from '@rnnkit/tensor';
import type { CpuHandle } from '../handle.js';
import { sigmoid } from '../unary.js';
import type { BackwardArrays, ForwardArrays } from './common.js';
import { alloc, biasGrad, dsigmoid, dtanh, readGrads, readSequence, recurrent, recurrentTransposed, store, timeAt, weightGrad } from './common.js';

/**
 * GRU as torch.nn.GRU, gate order r, z, n (xProj already holds b_ih):
 *   r = σ(x_r + W_hr h + b_hr),  z = σ(x_z + W_hz h + b_hz)
 *   resetAfter:  n = tanh(x_n + r ⊙ (W_hn h + b_hn))      (PyTorch / cuDNN)
 *   reset before: n = tanh(x_n + W_hn (r ⊙ h) + b_hn)      (the original GRU paper)
 *   h_t = (1 − z) ⊙ n + z ⊙ h
 * saved = [gates [T,B,3H] (after activation), hPrev [T,B,H]] and, when resetAfter,
 * hn [T,B,H] = W_hn h + b_hn (the term r scales).
 */
export function gruForward(args: SequenceArgs<CpuHandle>, resetAfter: boolean): ForwardArrays {
  const seq = readSequence(args);
  const { T, B, H, GH, x, h0, lengths, reverse } = seq;
  const hs = alloc(seq, T * B * H);
  const gates = alloc(seq, T * B * GH);
  const hPrev = alloc(seq, T * B * H);
  const hn = alloc(seq, T * B * H);
  const hT = alloc(seq, B * H);
  const pre = new Float64Array(GH);
  const rh = new Float64Array(H);
  for (let b = 0; b < B; b++) {
    const h = alloc(seq, H);
    h.set(h0.subarray(b * H, (b + 1) * H));
    for (let s = 0; s < lengths[b]!; s++) {
      const row = timeAt(s, lengths[b]!, reverse) * B + b;
      const xAt = (gate: number, j: number): number => x[row * GH + gate * H + j]!;
      hPrev.set(h, row * H);
      // r and z rows always read h; the n rows read h or r ⊙ h depending on the variant.
      recurrent(seq, h, 0, 0, resetAfter ? GH : 2 * H, pre);
      const r = new Float64Array(H);
      const z = new Float64Array(H);
      for (let j = 0; j < H; j++) {
        r[j] = sigmoid(xAt(0, j) + pre[j]!);
        z[j] = sigmoid(xAt(1, j) + pre[H + j]!);
      }
      if (!resetAfter) {
        for (let k = 0; k < H; k++) rh[k] = r[k]! * h[k]!;
        recurrent(seq, rh, 0, 2 * H, GH, pre);
      }
      for (let j = 0; j < H; j++) {
        const a = pre[2 * H + j]!;
        const n = Math.tanh(xAt(2, j) + (resetAfter ? r[j]! * a : a));
        gates[row * GH + j] = r[j]!;
        gates[row * GH + H + j] = z[j]!;
        gates[row * GH + 2 * H + j] = n;
        if (resetAfter) hn[row * H + j] = a;
        h[j] = (1 - z[j]!) * n + z[j]! * h[j]!;
      }
      hs.set(h, row * H);
    }
    hT.set(h, b * H);
  }
  return { hs, hT, saved: resetAfter ? [gates, hPrev, hn] : [gates, hPrev] };
}

export function gruBackward(
  args: SequenceArgs<CpuHandle>,
  saved: readonly ArrayLike<number>[],
  grads: SequenceGrads<CpuHandle>,
  resetAfter: boolean,
): BackwardArrays {
  const seq = readSequence(args);
  const { T, B, H, GH, lengths, reverse } = seq;
  const [gates, hPrev, hn] = saved as [ArrayLike<number>, ArrayLike<number>, ArrayLike<number> | undefined];
  const g = readGrads(seq, grads);
  // dG: gradient w.r.t. the recurrent pre-activations W_hh·(·) + b_hh; dX: w.r.t. xProj.
  // They differ only on the n rows of the reset-after variant, where r scales the recurrent term.
  const dG = new Float64Array(T * B * GH);
  const dX = new Float64Array(T * B * GH);
  // What the n rows of W_hh multiplied: r ⊙ h_{t-1} for the reset-before variant.
  const rh = new Float64Array(T * B * H);
  const dhsOut = new Float64Array(T * B * H);
  const dh0 = new Float64Array(B * H);
  for (let b = 0; b < B; b++) {
    let dh = g.dhT.slice(b * H, (b + 1) * H);
    for (let s = lengths[b]! - 1; s >= 0; s--) {
      const row = timeAt(s, lengths[b]!, reverse) * B + b;
      for (let j = 0; j < H; j++) dh[j]! += g.dhs[row * H + j]!;
      dhsOut.set(dh, row * H);
      const gate = (k: number, j: number): number => gates[row * GH + k * H + j]!;
      const hp = (j: number): number => hPrev[row * H + j]!;
      const dhPrev = new Float64Array(H);
      const dnPre = new Float64Array(H);
      for (let j = 0; j < H; j++) {
        const z = gate(1, j);
        const n = gate(2, j);
        dnPre[j] = dh[j]! * (1 - z) * dtanh(n);
        const dzPre = dh[j]! * (hp(j) - n) * dsigmoid(z);
        dG[row * GH + H + j] = dzPre;
        dX[row * GH + H + j] = dzPre;
        dX[row * GH + 2 * H + j] = dnPre[j]!;
        dhPrev[j] = dh[j]! * z; // the direct z ⊙ h path
      }
      if (resetAfter) {
        for (let j = 0; j < H; j++) {
          const r = gate(0, j);
          const drPre = dnPre[j]! * hn![row * H + j]! * dsigmoid(r);
          dG[row * GH + j] = drPre;
          dX[row * GH + j] = drPre;
          dG[row * GH + 2 * H + j] = dnPre[j]! * r;
        }
        recurrentTransposed(seq, dG, row * GH, 0, GH, dhPrev);
      } else {
        // u = W_hnᵀ dnPre is the gradient w.r.t. r ⊙ h; it splits into r's and h's shares.
        const u = new Float64Array(H);
        for (let j = 0; j < H; j++) dG[row * GH + 2 * H + j] = dnPre[j]!;
        recurrentTransposed(seq, dG, row * GH, 2 * H, GH, u);
        for (let k = 0; k < H; k++) {
          const r = gate(0, k);
          const drPre = u[k]! * hp(k) * dsigmoid(r);
          dG[row * GH + k] = drPre;
          dX[row * GH + k] = drPre;
          dhPrev[k]! += u[k]! * r;
          rh[row * H + k] = r * hp(k);
        }
        recurrentTransposed(seq, dG, row * GH, 0, 2 * H, dhPrev);
      }
      dh = dhPrev;
    }
    dh0.set(dh, b * H);
  }
  const dW = new Float64Array(GH * H);
  if (resetAfter) {
    weightGrad(seq, dG, hPrev, 0, GH, dW);
  } else {
    weightGrad(seq, dG, hPrev, 0, 2 * H, dW);
    weightGrad(seq, dG, rh, 2 * H, GH, dW);
  }
  return {
    dxProj: store(seq, dX),
    dh0: store(seq, dh0),
    dWhh: store(seq, dW),
    dbHh: store(seq, biasGrad(seq, dG)),
    ...(grads.wantStateGrads ? { dhs: store(seq, dhsOut) } : {}),
  };
}
