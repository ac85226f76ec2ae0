import { valueAndGradWithAux } from '@rnnkit/autograd';
import { scan } from '@rnnkit/bptt';
import { createCpuBackend } from '@rnnkit/backend-cpu';
import { lstm, rnn } from '@rnnkit/cells';
import { disposeState } from '@rnnkit/optim';
import { createDiagnostics, effectiveHorizon, fitDecay, stateGradNormProbe, type StateGradRecord } from '@rnnkit/diagnostics';
import {
  add, createRng, mul, normal, orthogonal, select, sum, treeDispose, zeros, type Backend, type Cell, type CellState, type ParamTree, type Tensor,
} from '@rnnkit/tensor';
import { describe, expect, it } from 'vitest';
import { linearCell, scaledIdentity } from './helpers.js';

/** Runs one forward/backward of sum(h_T · w) with the probe attached; returns the track. */
async function probeOnce<P extends ParamTree, S extends CellState>(cell: Cell<P, S>, params: P, xs: Tensor, be: Backend): Promise<StateGradRecord> {
  const diag = createDiagnostics({ g: stateGradNormProbe() });
  const w = normal(createRng(9), be, [cell.hiddenSize], 0, 1, { dtype: 'f64' });
  const { value, grads } = valueAndGradWithAux((p: P) => {
    const { ys, state } = scan(cell, p, xs, { tap: diag.tap });
    const l = sum(mul(state['h']!, w));
    ys.dispose();
    return [l, null] as const;
  })(params);
  await diag.endStep({ loss: value });
  disposeState([value, grads, w]);
  const track = diag.result().probes.g.steps[0]!.tracks[0]!;
  diag.dispose();
  return track;
}

/**
 * ∂L/∂h_t (and ∂L/∂c_t) computed independently: a zero tensor e_t is added to every state after
 * step t, and the gradient with respect to e_t is the state gradient (PyTorch's retain_grad idea).
 */
async function referenceNorms<P extends ParamTree, S extends CellState>(cell: Cell<P, S>, params: P, xs: Tensor, be: Backend): Promise<number[]> {
  const [T, B] = xs.shape as [number, number];
  const names = Object.keys(cell.stateSizes);
  const w = normal(createRng(9), be, [cell.hiddenSize], 0, 1, { dtype: 'f64' });
  const e = Array.from({ length: T }, () => Object.fromEntries(names.map((k) => [k, zeros(be, [B, (cell.stateSizes as Record<string, number>)[k]!], 'f64')])));
  const { value, grads, aux } = valueAndGradWithAux((q: { e: Record<string, Tensor>[] }) => {
    let state = cell.zeroState(B, be);
    for (let t = 0; t < T; t++) {
      const next = cell.step(params, state, select(xs, 0, t)).state;
      state = Object.fromEntries(names.map((k) => [k, add(next[k]!, q.e[t]![k]!)])) as S;
    }
    return [sum(mul(state['h']!, w)), null] as const;
  })({ e });
  const out: number[] = [];
  for (let t = 0; t < T; t++) {
    let s = 0;
    for (const k of names) for (const v of await grads.e[t]![k]!.read()) s += v * v;
    out.push(Math.sqrt(s));
  }
  void aux;
  treeDispose([value, grads, e, w]);
  return out;
}

describe('stateGradNormProbe', () => {
  it('gives a^(T−1−t) for a linear RNN with W = a·I, its log-slope ln a, and the horizon', async () => {
    const be = createCpuBackend();
    const cell = linearCell(2, 4);
    const rng = createRng(3);
    const T = 30;
    for (const a of [0.8, 1.1]) {
      const params = { w: scaledIdentity(be, 4, a), u: normal(rng, be, [4, 2], 0, 1, { dtype: 'f64' }) };
      const xs = normal(rng, be, [T, 3, 2], 0, 1, { dtype: 'f64' });
      const track = await probeOnce(cell, params, xs, be);
      const ref = track.norm[T - 1]!;
      track.norm.forEach((v, t) => expect(v! / ref).toBeCloseTo(a ** (T - 1 - t), 10));
      expect(track.fit!.logSlopePerStep).toBeCloseTo(Math.log(a), 10);
      expect(track.fit!.verdict).toBe(a < 1 ? 'vanishing' : 'exploding');
      // 0.8^k < 0.01 first at k = 21.
      expect(track.horizon).toBe(a < 1 ? Math.ceil(Math.log(0.01) / Math.log(a) + 1e-12) : null);
      treeDispose([params, xs]);
    }
    expect(be.stats().liveHandles).toBe(0);
  });

  it('matches ∂L/∂s_t from an independent computation to 1e-10 (tanh RNN and LSTM, small and large weights)', async () => {
    const be = createCpuBackend();
    const rng = createRng(4);
    for (const [cell, scale] of [
      [rnn({ inputSize: 2, hiddenSize: 5, dtype: 'f64' }), 0.3],
      [rnn({ inputSize: 2, hiddenSize: 5, dtype: 'f64' }), 3],
      [lstm({ inputSize: 2, hiddenSize: 4, dtype: 'f64' }), 0.5],
      [lstm({ inputSize: 2, hiddenSize: 4, dtype: 'f64' }), 3],
    ] as [Cell, number][]) {
      const raw = cell.init(rng, be);
      const params = Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, mul(v as Tensor, scale)])) as ParamTree;
      treeDispose(raw);
      const xs = normal(rng, be, [12, 3, 2], 0, 1, { dtype: 'f64' });
      const track = await probeOnce(cell, params, xs, be);
      const ref = await referenceNorms(cell, params, xs, be);
      ref.forEach((v, t) => expect(Math.abs(track.norm[t]! - v)).toBeLessThanOrEqual(1e-10 * Math.max(1, v)));
      treeDispose([params, xs]);
    }
    expect(be.stats().liveHandles).toBe(0);
  });

  it('calls a tanh RNN with small recurrent weights vanishing and one with large weights (in its linear range) exploding', async () => {
    const be = createCpuBackend();
    const rng = createRng(5);
    const cell = rnn({ inputSize: 2, hiddenSize: 16, dtype: 'f64' });
    const verdictFor = async (gain: number, inputScale: number) => {
      const params = {
        weight_ih: normal(rng, be, [16, 2], 0, 1, { dtype: 'f64' }),
        weight_hh: orthogonal(rng, be, [16, 16], gain, { dtype: 'f64' }),
        bias_ih: zeros(be, [16], 'f64'),
        bias_hh: zeros(be, [16], 'f64'),
      };
      const xs = normal(rng, be, [25, 4, 2], 0, inputScale, { dtype: 'f64' });
      const track = await probeOnce(cell, params, xs, be);
      treeDispose([params, xs]);
      return track;
    };
    const small = await verdictFor(0.5, 1);
    expect(small.fit!.verdict).toBe('vanishing');
    expect(small.horizon).not.toBeNull();
    const large = await verdictFor(1.5, 1e-8);
    expect(large.fit!.verdict).toBe('exploding');
    expect(large.horizon).toBeNull();
    expect(be.stats().liveHandles).toBe(0);
  });

  it('has pure helpers for the horizon and the fit', () => {
    expect(effectiveHorizon([1e-3, 0.05, 0.5, 1], 3, 0.1)).toBe(2);
    expect(effectiveHorizon([1, 1, 1], 2, 0.1)).toBeNull();
    expect(fitDecay([1, 1, 1, 1], 3)!.verdict).toBe('stable');
    expect(fitDecay([0, 0.5, 1], 2)!.verdict).toBe('vanishing'); // an underflowed zero counts as strong decay
  });
});
